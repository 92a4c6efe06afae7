"""Figure 4: approval to signed-in, ADO Connect's core against Microsoft's MSAL for Python,
both signing in against the same ado-sim at the same time, both codes approved at the same
moment. Needs the `msal` package (scripts/bench.sh makes a venv for it).

MSAL insists on https authorities, so its `oauth2cli` client is used: the OAuth 2.0 client
inside MSAL whose `obtain_token_by_device_flow` is the polling loop that
`PublicClientApplication.acquire_token_by_device_flow` runs. It uses the tenant segment
`common`, core uses `organizations`; the simulator's request log (time-stamped as it is
read) tells the two clients' polls apart. A poll is "early" when it comes sooner than
`interval` after the client's previous poll (the rule the simulator applies for slow_down).
The simulator keeps no count of early polls, so they are counted from the log's arrival
times, with TOLERANCE_NS for the jitter of reading the log through a pipe; when a device code
in `/_sim/state` carries an `earlyPolls` count, that count is used instead.

  signin_race.py --sim ado-sim --core ado-bench-core --runs N --interval S --work DIR --out F.json
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
import gen  # noqa: E402

CLIENT_ID = "872cd9fa-d31f-45e0-9eab-6e460a02d1f1"
SCOPES = ["499b84ac-1321-427f-aa17-267ca6975798/.default", "offline_access", "openid", "profile"]
MORGAN = "morgan.lee@outlook.com"
CORE_TOKEN = "/login/organizations/oauth2/v2.0/token"
MSAL_TOKEN = "/login/common/oauth2/v2.0/token"


def polls_of(log, path):
    return [ns for ns, method, p, _ in log if method == "POST" and p == path]


# Log lines are stamped when the harness reads them: tens of ms of jitter on a busy machine
# (seen: 70 ms at a load average of 10 on 2 cores).
TOLERANCE_NS = 100_000_000


def early(polls, interval_ns):
    return sum(1 for a, b in zip(polls, polls[1:]) if b - a < interval_ns - TOLERANCE_NS)


def sim_early(state, user_code):
    """The simulator's own count of early polls for a code, when it keeps one."""
    norm = lambda c: str(c).replace("-", "").replace(" ", "").upper()  # noqa: E731
    for c in (state or {}).get("deviceCodes", []):
        if isinstance(c, dict) and norm(c.get("userCode")) == norm(user_code) and "earlyPolls" in c:
            return c["earlyPolls"]
    return None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sim", required=True)
    p.add_argument("--core", required=True)
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--interval", type=int, default=5)
    p.add_argument("--work", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()

    from msal.oauth2cli.oauth2 import Client  # MSAL's own OAuth 2.0 client
    import msal

    os.makedirs(a.work, exist_ok=True)
    scenario = os.path.join(a.work, "race.toml")
    gen.scenario(argparse.Namespace(out=scenario, interval=a.interval, orgs=0, prefix="x"))
    config = os.path.join(a.work, "race-sim.toml")
    sim = benchlib.SimProcess(a.sim, config, scenario)
    base = sim.url + "/login/common/oauth2/v2.0"
    runs = []
    interval_ns = a.interval * 1_000_000_000
    try:
        for i in range(a.runs):
            msal_client = Client(
                {"device_authorization_endpoint": base + "/devicecode", "token_endpoint": base + "/token"},
                client_id=CLIENT_ID,
            )
            started = time.time_ns()
            core = subprocess.Popen([a.core, "signin", "--config", config], stdout=subprocess.PIPE, text=True)
            code_line = json.loads(core.stdout.readline())
            if code_line.get("event") != "code":
                raise RuntimeError(f"core: {code_line}")
            flow = msal_client.initiate_device_flow(scope=SCOPES)
            msal_result = {}

            def msal_poll():
                msal_result["result"] = msal_client.obtain_token_by_device_flow(flow)
                msal_result["ns"] = time.time_ns()

            t = threading.Thread(target=msal_poll)
            t.start()
            # The approval moments spread evenly over one polling period, after the first one
            # (nobody types a code within the first interval).
            delay = a.interval + 1 + (i + 0.5) / a.runs * a.interval
            time.sleep(max(0.0, started / 1e9 + delay - time.time()))
            barrier = threading.Barrier(2)
            approved = {}

            def approve(name, code):
                barrier.wait()
                approved[name] = time.time_ns()
                benchlib.http("POST", sim.url + "/_sim/approve", {"userCode": code, "user": MORGAN})

            ts = [
                threading.Thread(target=approve, args=("core", code_line["userCode"])),
                threading.Thread(target=approve, args=("msal", flow["user_code"])),
            ]
            for x in ts:
                x.start()
            for x in ts:
                x.join()
            done = json.loads(core.stdout.readline())
            core.wait(10)
            t.join(60)
            if done.get("event") != "signedIn":
                raise RuntimeError(f"core: {done}")
            if "access_token" not in msal_result.get("result", {}):
                raise RuntimeError(f"msal: {msal_result.get('result')}")
            log = sim.requests_since(started)
            cp, mp = polls_of(log, CORE_TOKEN), polls_of(log, MSAL_TOKEN)
            state = sim.call("GET", "/_sim/state")
            core_sim_early = sim_early(state, code_line["userCode"])
            msal_sim_early = sim_early(state, flow["user_code"])
            runs.append({
                "approvalAfterStartS": delay,
                "coreMs": (done["signedInNs"] - approved["core"]) / 1e6,
                "coreTokenMs": (done["tokenNs"] - approved["core"]) / 1e6,
                "msalMs": (msal_result["ns"] - approved["msal"]) / 1e6,
                "corePolls": len(cp),
                "msalPolls": len(mp),
                "coreEarly": core_sim_early if core_sim_early is not None else early(cp, interval_ns),
                "msalEarly": msal_sim_early if msal_sim_early is not None else early(mp, interval_ns),
                "earlySource": "simulator" if core_sim_early is not None else "log",
                "coreFirstPollAfterCodeS": (cp[0] - started) / 1e9 if cp else None,
                "msalFirstPollAfterCodeS": (mp[0] - started) / 1e9 if mp else None,
                "coreGapsS": [(b - x) / 1e9 for x, b in zip(cp, cp[1:])],
                "msalGapsS": [(b - x) / 1e9 for x, b in zip(mp, mp[1:])],
            })
            print(f"  run {i + 1}/{a.runs}: core {runs[-1]['coreMs']:.0f} ms, msal {runs[-1]['msalMs']:.0f} ms", file=sys.stderr)
    finally:
        sim.stop()

    core_s = benchlib.summary([r["coreMs"] for r in runs])
    msal_s = benchlib.summary([r["msalMs"] for r in runs])
    result = {
        "interval": a.interval,
        "msalVersion": msal.__version__,
        "runs": runs,
        "core": core_s,
        "coreToken": benchlib.summary([r["coreTokenMs"] for r in runs]),
        "msal": msal_s,
        "ratio": core_s["median"] / msal_s["median"] if core_s and msal_s and msal_s["median"] else None,
        "earlyPolls": {"core": sum(r["coreEarly"] for r in runs), "msal": sum(r["msalEarly"] for r in runs)},
        "polls": {"core": sum(r["corePolls"] for r in runs), "msal": sum(r["msalPolls"] for r in runs)},
        "earlySource": runs[0]["earlySource"] if runs else None,
        "toleranceMs": TOLERANCE_NS / 1e6,
        "minGapS": {
            "core": min((g for r in runs for g in r["coreGapsS"]), default=None),
            "msal": min((g for r in runs for g in r["msalGapsS"]), default=None),
        },
    }
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
