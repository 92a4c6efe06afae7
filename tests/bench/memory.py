"""Figure 2: idle memory of the whole process tree (the app, WebKitWebProcess,
WebKitNetworkProcess and anything else it started), PSS from /proc/<pid>/smaps_rollup and
RSS, after the window has been idle for --settle seconds. The apps are started directly (no
WebDriver), one at a time, alternating, --runs times each. Run under Xvfb (DISPLAY set).

  memory.py --app NAME=PATH [--app NAME=PATH …] --runs N --settle S --out F.json
  (TOPN=N: keep the N largest mappings per process, default 8)
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402


def children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        except (OSError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(d))
    return kids


def tree(pid):
    kids = children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def rollup(pid):
    """(pss_kb, rss_kb, name) of one process."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1])
        with open(f"/proc/{pid}/comm") as f:
            name = f.read().strip()
    except OSError:
        return None
    return pss, rss, name


def by_mapping(pid, top=int(os.environ.get("TOPN", "8"))):
    """PSS (KiB) of one process by what is mapped: [heap], anonymous memory, each library."""
    acc = {}
    name = None
    try:
        with open(f"/proc/{pid}/smaps") as f:
            for line in f:
                first = line.split(None, 1)[0]
                if "-" in first and not first.endswith(":"):
                    parts = line.split()
                    name = os.path.basename(parts[5]) if len(parts) > 5 else "[anon]"
                    if len(parts) > 5 and parts[5].startswith("/memfd:"):
                        name = "[memfd]"
                elif first == "Pss:" and name:
                    acc[name] = acc.get(name, 0) + int(line.split()[1])
    except OSError:
        return {}
    return dict(sorted(acc.items(), key=lambda kv: -kv[1])[:top])


def measure(path, settle, env):
    proc = subprocess.Popen([path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    try:
        time.sleep(settle)
        if proc.poll() is not None:
            raise RuntimeError(f"{path} exited with {proc.returncode}")
        samples = []
        for _ in range(3):
            procs = [(p, rollup(p)) for p in tree(proc.pid)]
            procs = [(p, r) for p, r in procs if r]
            samples.append({
                "pssKiB": sum(r[0] for _, r in procs),
                "rssKiB": sum(r[1] for _, r in procs),
                "processes": {f"{r[2]}[{p}]": {"pssKiB": r[0], "rssKiB": r[1], "top": by_mapping(p)} for p, r in procs},
            })
            time.sleep(1)
        return samples[-1]
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        time.sleep(0.5)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--app", action="append", required=True)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--settle", type=float, default=8)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    apps = [x.split("=", 1) for x in a.app]
    result = {name: [] for name, _ in apps}
    for i in range(a.runs):
        for name, path in apps:
            env = dict(os.environ)
            m = measure(path, a.settle, env)
            result[name].append(m)
            print(f"  run {i + 1}/{a.runs} {name}: PSS {m['pssKiB'] / 1024:.1f} MiB", file=sys.stderr)
    out = {"settleS": a.settle, "apps": {}}
    for name, samples in result.items():
        out["apps"][name] = {
            "pssMiB": benchlib.summary([s["pssKiB"] / 1024 for s in samples]),
            "rssMiB": benchlib.summary([s["rssKiB"] / 1024 for s in samples]),
            "last": samples[-1]["processes"],
        }
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
