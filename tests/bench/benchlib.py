"""Shared helpers for the benchmark harness (scripts/bench.sh): statistics, an ado-sim
process whose request log is time-stamped as it arrives, and small HTTP calls.
Standard library only."""

import json
import os
import re
import statistics
import subprocess
import threading
import time
import urllib.request


def summary(values):
    """Median, min, max, n of a list of numbers (None when empty)."""
    v = [x for x in values if x is not None]
    if not v:
        return None
    return {"median": statistics.median(v), "min": min(v), "max": max(v), "n": len(v)}


def http(method, url, body=None, timeout=10):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        text = r.read().decode()
        return json.loads(text) if text.strip().startswith(("{", "[")) else text


LOG_LINE = re.compile(r"^ado-sim: (\S+) (\S+) -> (.+?) \((\d+) ms\)$")


class SimProcess:
    """`ado-sim --port 0 [--scenario F] --write-config C`, stderr read line by line and
    stamped with the wall clock (ns) when read: the request log with arrival times."""

    def __init__(self, binary, config_path, scenario=None):
        args = [binary, "--port", "0", "--write-config", config_path]
        if scenario:
            args += ["--scenario", scenario]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http"):
            raise RuntimeError(f"ado-sim did not start: {self.proc.stderr.read()}")
        self.log = []  # (ns, method, path, outcome)
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stderr:
            now = time.time_ns()
            m = LOG_LINE.match(line.rstrip("\n"))
            if m:
                with self._lock:
                    self.log.append((now, m.group(1), m.group(2), m.group(3)))

    def requests_since(self, ns):
        with self._lock:
            return [r for r in self.log if r[0] >= ns]

    def call(self, method, path, body=None):
        return http(method, self.url + path, body)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def machine():
    """What the figures were measured on."""
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info["cores"] = os.cpu_count()
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            info["memGiB"] = round(kb / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    info["kernel"] = os.uname().release
    try:
        with open("/etc/debian_version") as f:
            info["debian"] = f.read().strip()
    except OSError:
        pass

    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""

    info["rustc"] = out(["rustc", "--version"])
    info["node"] = out(["node", "--version"])
    info["webkit2gtk"] = out(["dpkg-query", "-W", "-f=${Version}", "libwebkit2gtk-4.1-0"])
    info["hyperfine"] = out(["hyperfine", "--version"])
    info["commit"] = out(["git", "rev-parse", "--short", "HEAD"])
    dirty = out(["git", "status", "--porcelain", "--untracked-files=no"])
    info["dirty"] = bool(dirty)
    info["loadavg"] = open("/proc/loadavg").read().split()[:3]
    return info
