#!/usr/bin/env bash
# `make bench`: builds release, measures every figure of issue 10 side by side in one run and
# writes docs/benchmarks.md (raw results: artifacts/bench/full/*.json).
# `scripts/bench.sh --smoke`: the same harness once on tiny sizes with the debug binaries
# (built only when missing), for `make test`: prints `ok - …` lines and `N passed, N failed`,
# writes artifacts/bench/smoke/benchmarks.md, never docs/, and never asserts a timing.
# BENCH_NO_BUILD=1: measure the binaries already in target/ without building anything.
# The harness itself lives in tests/bench/ (see docs/benchmarks.md, "How it is measured").
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2} CARGO_TERM_COLOR=never NO_COLOR=1

mode=full
case "${1:-}" in
  --smoke) mode=smoke ;;
  --inner-window) mode=$2 ;;  # re-entered inside Xvfb + D-Bus (below)
  "") ;;
  *) echo "usage: scripts/bench.sh [--smoke]" >&2; exit 2 ;;
esac
OUT=$ROOT/artifacts/bench/$mode
BENCH=$ROOT/tests/bench

if [ "$mode" = smoke ]; then
  PROFILE=debug RUNS=1 ORGS=20 PROBE_ORGS=40 LATENCY_MS=50 GCM_ENTRIES=200 INTERVAL=1 SETTLE=3 HF_RUNS=3 HF_WARMUP=1
  QUERY=bench-org-1
else
  PROFILE=release RUNS=7 ORGS=1000 PROBE_ORGS=1000 LATENCY_MS=50 GCM_ENTRIES=10000 INTERVAL=5 SETTLE=8 HF_RUNS=40 HF_WARMUP=5
  QUERY=bench-org-09
fi
BIN=$ROOT/target/$PROFILE
APP=$BIN/ado-connect-app
EMPTY=$BIN/bench-empty-app
CLI=$BIN/ado-connect
SIM_BIN=$BIN/ado-sim
CORE=$BIN/ado-bench-core

passed=0; failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
bad() { echo "FAIL - $*"; failed=$((failed + 1)); }
step() { echo "== [$(( $(date +%s) - T0 ))s] $*" >&2; }
T0=$(date +%s)

# ado-sim in the background: start_sim NAME [SCENARIO] sets SIM_URL and SIM_PID; the config
# for ADO Connect is $WORK/NAME.toml, the request log $OUT/NAME.sim.log.
start_sim() {
  local name=$1 scenario=${2:-}
  local args=(--port 0 --write-config "$WORK/$name.toml")
  [ -n "$scenario" ] && args+=(--scenario "$scenario")
  "$SIM_BIN" "${args[@]}" > "$WORK/$name.url" 2> "$OUT/$name.sim.log" &
  SIM_PID=$!
  for _ in $(seq 200); do [ -s "$WORK/$name.url" ] && break; sleep 0.05; done
  SIM_URL=$(head -n1 "$WORK/$name.url")
  [ -n "$SIM_URL" ]
}
stop_sim() { kill "$SIM_PID" 2>/dev/null; wait "$SIM_PID" 2>/dev/null; true; }

# ---------------------------------------------------------------------------------------
# Inside Xvfb and a private D-Bus session with an unlocked gnome-keyring: figures 1, 2, 5
# (the window's wizard run) and 6.
if [ "${1:-}" = "--inner-window" ]; then
  WORK=$3
  source "$WORK/env.sh"
  echo -n bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  export XDG_CONFIG_HOME="$WORK/xdg-config" XDG_CACHE_HOME="$WORK/xdg-cache"
  export ADO_CONNECT_DATA_DIR="$WORK/app-data" ADO_CONNECT_CONFIG="$WORK/window.toml"
  export GIT_CONFIG_GLOBAL="$WORK/gitconfig"; : > "$GIT_CONFIG_GLOBAL"
  export OUT_DIR=$OUT  # window.mjs saves a screenshot there when a step fails
  fresh() { rm -rf "$ADO_CONNECT_DATA_DIR" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "${XDG_DATA_HOME:?}/com.adoconnect.app"; }
  # Every window run reads $WORK/window.toml: it is pointed at the simulator of the moment.
  use_sim() { cp "$WORK/$1.toml" "$WORK/window.toml"; export SIM_URL; }
  # tauri-driver starts WebKitWebDriver, which starts the apps: they get its environment.
  start_td() {
    tauri-driver --port 4454 --native-port 4455 >> "$OUT/tauri-driver.log" 2>&1 &
    TD=$!
    for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/4454) 2>/dev/null && break; sleep 0.1; done
  }
  stop_td() { pkill -P "$TD" 2>/dev/null; kill "$TD" 2>/dev/null; wait "$TD" 2>/dev/null; true; }
  start_td
  # Before each figure: the apps WebKitWebDriver launched for the last one have exited (a
  # lingering instance would take the next launch over: the app is single-instance).
  settle_apps() {
    local wd
    for wd in $(pgrep -P "$TD"); do
      for _ in $(seq 50); do pgrep -P "$wd" >/dev/null || break; sleep 0.2; done
    done
  }

  step "figure 1: start to first screen answered ($RUNS runs each, alternating)"
  fresh; start_sim start "$WORK/demo.toml" && use_sim start
  if node "$BENCH/window.mjs" start --runs "$RUNS" --app "adoConnect=$APP" --app "emptyTauri=$EMPTY" --out "$OUT/startup.json"; then
    ok "start to first screen: ADO Connect and the empty Tauri window"
  else bad "start to first screen"; fi
  if [ "$mode" = full ]; then
    # Where the time goes: the same with WebKit's accelerated compositing off (see figure 2).
    settle_apps; stop_td; WEBKIT_DISABLE_COMPOSITING_MODE=1 start_td
    if node "$BENCH/window.mjs" start --runs 3 --app "adoConnect=$APP" --app "emptyTauri=$EMPTY" --out "$OUT/startup-nocompositing.json"; then
      ok "start to first screen with accelerated compositing off (diagnostic)"
    else bad "start to first screen with accelerated compositing off"; fi
    settle_apps; stop_td; start_td
  fi

  step "figure 2: idle memory of the process tree ($RUNS runs each, alternating)"
  if python3 "$BENCH/memory.py" --runs "$RUNS" --settle "$SETTLE" --app "adoConnect=$APP" --app "emptyTauri=$EMPTY" --out "$OUT/memory.json"; then
    ok "idle memory (PSS) of both process trees"
  else bad "idle memory"; fi
  if [ "$mode" = full ]; then
    # Where the memory goes: the same with WebKit's accelerated compositing off (under Xvfb its
    # layers are painted by Mesa's software GL into the web process's own heap).
    if WEBKIT_DISABLE_COMPOSITING_MODE=1 python3 "$BENCH/memory.py" --runs 3 --settle "$SETTLE" \
        --app "adoConnect=$APP" --app "emptyTauri=$EMPTY" --out "$OUT/memory-nocompositing.json"; then
      ok "idle memory with accelerated compositing off (diagnostic)"
    else bad "idle memory with accelerated compositing off"; fi
    # And with JavaScriptCore's JIT off: what the JIT's code and data cost (both apps inherit it).
    if JSC_useJIT=0 python3 "$BENCH/memory.py" --runs 3 --settle "$SETTLE" \
        --app "adoConnect=$APP" --app "emptyTauri=$EMPTY" --out "$OUT/memory-nojit.json"; then
      ok "idle memory with the JIT off (diagnostic)"
    else bad "idle memory with the JIT off"; fi
  fi
  if [ "$PROFILE" = release ] && command -v perf >/dev/null; then
    step "profile: perf record of the first 4 s of each app"
    for pair in "adoConnect=$APP" "emptyTauri=$EMPTY"; do
      name=${pair%%=*}; bin=${pair#*=}
      fresh
      perf record -q -F 999 -o "$WORK/perf-$name.data" -- timeout 4 "$bin" >/dev/null 2>&1
      perf report -i "$WORK/perf-$name.data" --stdio --sort comm,dso --percent-limit 2 2>/dev/null \
        | grep -v '^$' > "$OUT/perf-startup-$name.txt"
    done
    if [ -s "$OUT/perf-startup-adoConnect.txt" ]; then ok "perf profile of both apps' start-up"; else bad "perf profile of the start-up"; fi
  fi
  stop_sim

  step "figure 5: a whole wizard run in the window, requests counted by the simulator"
  settle_apps; fresh; start_sim window-wizard "$WORK/demo.toml" && use_sim window-wizard
  if node "$BENCH/window.mjs" wizard --app "$APP" --out "$OUT/wizard-window.json"; then
    ok "wizard run in the real window, requests counted"
  else bad "wizard run in the real window"; fi
  stop_sim

  step "figure 6: $ORGS organizations in the window"
  settle_apps; fresh; start_sim orgs "$WORK/orgs.toml" && use_sim orgs
  if node "$BENCH/window.mjs" orgs --app "$APP" --orgs "$ORGS" --runs "$RUNS" --query "$QUERY" --out "$OUT/orgs-window.json"; then
    ok "$ORGS organizations: list shown and filter keystrokes timed in the page"
  else bad "$ORGS organizations in the window"; fi
  stop_sim

  stop_td
  echo "$passed $failed" > "$WORK/window.counts"
  exit 0
fi

# ---------------------------------------------------------------------------------------
rm -rf "$OUT"; mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/ado-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
python3 -c "import sys, json; sys.path.insert(0, '$BENCH'); import benchlib; json.dump(benchlib.machine(), open('$OUT/machine.json', 'w'))"
cat > "$OUT/params.json" <<JSON
{"mode": "$mode", "profile": "$PROFILE", "runs": $RUNS, "orgs": $ORGS, "probeOrgs": $PROBE_ORGS,
 "latencyMs": $LATENCY_MS, "gcmEntries": $GCM_ENTRIES, "interval": $INTERVAL, "settleS": $SETTLE}
JSON

step "build ($PROFILE)"
build_log=$OUT/build.log
build() { echo "+ $*" >> "$build_log"; "$@" >> "$build_log" 2>&1; }
if [ -n "${BENCH_NO_BUILD:-}" ]; then
  echo "BENCH_NO_BUILD set: using the binaries in ${BIN#$ROOT/} as they are" >&2
elif [ "$mode" = full ]; then
  # The .deb is built each time: figure 3 measures the package of this very build.
  build npx tauri build --bundles deb || { echo "release build failed; see $build_log" >&2; tail -30 "$build_log" >&2; exit 1; }
  build cargo build --release -p ado-connect -p ado-sim || { tail -30 "$build_log" >&2; exit 1; }
  (cd "$BENCH/empty-app" && CARGO_TARGET_DIR=$ROOT/target build npx tauri build --no-bundle) || { tail -30 "$build_log" >&2; exit 1; }
  CARGO_TARGET_DIR=$ROOT/target build cargo build --release --manifest-path "$BENCH/core-bench/Cargo.toml" || { tail -30 "$build_log" >&2; exit 1; }
else
  [ -x "$APP" ] || build npx tauri build --debug --no-bundle
  { [ -x "$CLI" ] && [ -x "$SIM_BIN" ]; } || build cargo build -p ado-connect -p ado-sim
  (cd "$BENCH/empty-app" && CARGO_TARGET_DIR=$ROOT/target build npx tauri build --debug --no-bundle)
  CARGO_TARGET_DIR=$ROOT/target build cargo build --manifest-path "$BENCH/core-bench/Cargo.toml"
  [ -d ui/dist/assets ] || build npm run build
fi
for b in "$APP" "$EMPTY" "$CLI" "$SIM_BIN" "$CORE"; do
  if [ -x "$b" ]; then ok "built ${b#$ROOT/}"; else bad "missing ${b#$ROOT/} (see ${build_log#$ROOT/})"; fi
done

# hyperfine (Debian package) if `make deps` did not install it.
if ! command -v hyperfine >/dev/null; then
  step "installing hyperfine"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  { $SUDO apt-get install -y -qq --no-install-recommends hyperfine \
    || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends hyperfine; }; } >> "$build_log" 2>&1
fi

# MSAL for Python in a throw-away venv (never committed): artifacts/bench/venv.
VENV=$ROOT/artifacts/bench/venv
if ! "$VENV/bin/python" -c 'import msal' 2>/dev/null; then
  step "python venv with msal"
  python3 -m venv "$VENV" >> "$build_log" 2>&1 && "$VENV/bin/pip" install -q msal >> "$build_log" 2>&1
fi

step "inputs"
python3 "$BENCH/gen.py" scenario "$WORK/demo.toml" --interval 1
python3 "$BENCH/gen.py" scenario "$WORK/orgs.toml" --interval 1 --orgs "$ORGS"
python3 "$BENCH/gen.py" scenario "$WORK/probes.toml" --interval 1 --orgs "$PROBE_ORGS"
python3 "$BENCH/gen.py" legacy-cache "$WORK/tenant.cache" --entries "$GCM_ENTRIES"

# ---- figure 3: sizes
step "figure 3: sizes"
deb=$(ls -t target/release/bundle/deb/*.deb 2>/dev/null | head -n1)
js_css=$(find ui/dist -type f \( -name '*.js' -o -name '*.css' \) 2>/dev/null)
if [ -n "$js_css" ]; then
  python3 - "$OUT/sizes.json" "$deb" $js_css <<'PY'
import gzip, json, os, sys
out, deb, files = sys.argv[1], sys.argv[2], sys.argv[3:]
res = {"deb": None, "frontEnd": []}
if deb:
    res["deb"] = {"path": deb, "bytes": os.path.getsize(deb), "mtime": os.path.getmtime(deb)}
for f in sorted(files):
    raw = open(f, "rb").read()
    res["frontEnd"].append({"path": f, "bytes": len(raw), "gzipBytes": len(gzip.compress(raw, 9, mtime=0))})
res["frontEndGzipBytes"] = sum(x["gzipBytes"] for x in res["frontEnd"])
res["frontEndBytes"] = sum(x["bytes"] for x in res["frontEnd"])
json.dump(res, open(out, "w"), indent=1)
PY
  ok "front end JS+CSS gzip size measured"
else
  bad "no ui/dist (npm run build)"
fi
if [ -n "$deb" ]; then ok ".deb size measured"; elif [ "$mode" = smoke ]; then ok ".deb not built in smoke mode (size skipped)"; else bad "no .deb in target/release/bundle/deb"; fi
# What is in the binary (the .deb is ~all binary): sections of both apps' release binaries.
for b in "$APP" "$EMPTY"; do
  [ -x "$b" ] && { echo "== $(basename "$b") $(stat -c %s "$b") bytes, gzip -9: $(gzip -9 -c "$b" | wc -c) bytes"; size -A "$b"; }
done > "$OUT/binary-sections.txt" 2>/dev/null
# Over the goal: which crates the code comes from (cargo bloat on an unstripped build) and what
# a size-optimised profile would give (opt-level s, fat LTO, one codegen unit), both built in
# target/bench-size so that the release artifacts others use stay as they are. BENCH_SIZE=0 skips.
if [ "$mode" = full ] && [ -n "$deb" ] && [ "$(stat -c %s "$deb")" -gt 5000000 ] && [ "${BENCH_SIZE:-1}" != 0 ]; then
  step "the .deb is over 5 MB: cargo bloat and a size-optimised build (target/bench-size; slow the first time)"
  command -v cargo-bloat >/dev/null || cargo install cargo-bloat --locked >> "$build_log" 2>&1
  if CARGO_TARGET_DIR=$ROOT/target/bench-size CARGO_PROFILE_RELEASE_STRIP=false \
      cargo bloat --release -p ado-connect-app --features tauri/custom-protocol --crates -n 40 > "$OUT/bloat-crates.txt" 2>> "$build_log"; then
    ok "cargo bloat: the release binary's code by crate"
  else bad "cargo bloat (see ${build_log#$ROOT/})"; fi
  if CARGO_TARGET_DIR=$ROOT/target/bench-size CARGO_PROFILE_RELEASE_OPT_LEVEL=s CARGO_PROFILE_RELEASE_LTO=fat \
      CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 build cargo build --release -p ado-connect-app --features tauri/custom-protocol; then
    small=$ROOT/target/bench-size/release/ado-connect-app
    echo "{\"bytes\": $(stat -c %s "$small"), \"gzipBytes\": $(gzip -9 -c "$small" | wc -c), \"profile\": \"opt-level=s, lto=fat, codegen-units=1, strip\"}" > "$OUT/size-variant.json"
    ok "size-optimised build measured"
  else bad "size-optimised build (see ${build_log#$ROOT/})"; fi
fi

# ---- figure 8: gcm clean --dry-run on a large legacy cache; --version
step "figure 8: ado-connect gcm clean --dry-run on $GCM_ENTRIES entries, --version"
export GIT_CONFIG_GLOBAL="$WORK/gitconfig"; : > "$GIT_CONFIG_GLOBAL"
gcm_cmd="$CLI --set gcm.legacy_cache_path=$WORK/tenant.cache gcm clean --org org-$((GCM_ENTRIES / 2)) --dry-run"
gcm_all="$CLI --set gcm.legacy_cache_path=$WORK/tenant.cache gcm clean --all-orgs --dry-run"
ADO_CONNECT_DATA_DIR="$WORK/cli-data" $gcm_cmd > "$OUT/gcm-dry-run.txt" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "org-$((GCM_ENTRIES / 2))" "$OUT/gcm-dry-run.txt"; then
  ok "gcm clean --dry-run finds the organization among $GCM_ENTRIES entries"
else bad "gcm clean --dry-run (exit $rc): $(head -c 300 "$OUT/gcm-dry-run.txt")"; fi
if ADO_CONNECT_DATA_DIR="$WORK/cli-data" hyperfine -N --style none --warmup "$HF_WARMUP" --runs "$HF_RUNS" -i \
    --export-json "$OUT/cli.json" \
    -n "gcm clean --dry-run (one org)" "$gcm_cmd" \
    -n "ado-connect --version" "$CLI --version" > "$OUT/hyperfine.txt" 2>&1 \
  && ADO_CONNECT_DATA_DIR="$WORK/cli-data" hyperfine -N --style none --warmup 1 --runs 5 -i \
    --export-json "$OUT/cli-all.json" \
    -n "gcm clean --all-orgs --dry-run" "$gcm_all" >> "$OUT/hyperfine.txt" 2>&1; then
  ok "hyperfine: gcm clean --dry-run (one organization, all organizations) and --version"
else bad "hyperfine: $(tail -3 "$OUT/hyperfine.txt")"; fi
# Where the time goes: perf on the same CLI built without strip (target/bench-size), both commands.
if [ "$mode" = full ] && command -v perf >/dev/null && [ -z "${BENCH_NO_BUILD:-}" ]; then
  if CARGO_TARGET_DIR=$ROOT/target/bench-size CARGO_PROFILE_RELEASE_STRIP=false build cargo build --release -p ado-connect; then
    cli_sym=$ROOT/target/bench-size/release/ado-connect
    for pair in "gcm:$gcm_cmd" "gcm-all:$gcm_all"; do
      name=${pair%%:*}; cmd=${pair#*:}; cmd=${cmd/#$CLI/$cli_sym}
      ADO_CONNECT_DATA_DIR="$WORK/cli-data" perf record -q -F 4999 -o "$WORK/perf-$name.data" -- $cmd >/dev/null 2>&1
      perf report -i "$WORK/perf-$name.data" --stdio --no-children --sort dso,sym --percent-limit 1.5 2>/dev/null \
        | grep -v '^$' | cut -c1-160 > "$OUT/perf-$name.txt"
    done
    ok "perf profiles of gcm clean --dry-run"
  else bad "unstripped CLI for perf (see ${build_log#$ROOT/})"; fi
fi

# ---- figure 7: directory probes with injected latency
step "figure 7: directory probes of $PROBE_ORGS organizations, ${LATENCY_MS} ms latency"
if start_sim probes "$WORK/probes.toml"; then
  curl -sf -X POST "$SIM_URL/_sim/faults" -H 'content-type: application/json' \
    -d "{\"endpoint\":\"probe\",\"fault\":{\"kind\":\"latency\",\"ms\":$LATENCY_MS}}" >/dev/null
  if "$CORE" probes --config "$WORK/probes.toml" --prefix bench-org- --count "$PROBE_ORGS" --runs "$RUNS" \
      --limits 8,16,32,64 > "$OUT/probes.json"; then
    ok "probes of $PROBE_ORGS organizations at the app's concurrency and at 8/16/32/64"
  else bad "probes"; fi
  stop_sim
else bad "ado-sim did not start"; fi

# ---- figure 5 (core): a whole wizard run through core, counted by the simulator
step "figure 5: a whole wizard run through core"
if start_sim core-wizard "$WORK/demo.toml"; then
  if "$CORE" wizard --config "$WORK/core-wizard.toml" --sim "$SIM_URL" --org fabrikam-fiber \
      --tenant c0a7e1d2-5b3f-4e6a-8c9d-0e1f2a3b4c5d --user morgan.lee@outlook.com > "$WORK/core-wizard.out" \
    && curl -sf "$SIM_URL/_sim/requests" > "$WORK/core-wizard.counts"; then
    python3 - "$WORK/core-wizard.out" "$WORK/core-wizard.counts" "$OUT/wizard-core.json" <<'PY'
import json, sys
done = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
done["counts"] = json.load(open(sys.argv[2]))
json.dump(done, open(sys.argv[3], "w"), indent=1)
PY
    ok "wizard run through core, requests counted"
  else bad "wizard run through core: $(cat "$WORK/core-wizard.out" 2>/dev/null | tail -1)"; fi
  stop_sim
else bad "ado-sim did not start"; fi

# ---- figure 4: approval to signed-in, core vs MSAL
step "figure 4: approval to signed-in, core and MSAL side by side ($RUNS runs, interval ${INTERVAL} s)"
if "$VENV/bin/python" -c 'import msal' 2>/dev/null; then
  if "$VENV/bin/python" "$BENCH/signin_race.py" --sim "$SIM_BIN" --core "$CORE" --runs "$RUNS" \
      --interval "$INTERVAL" --work "$WORK/race" --out "$OUT/signin.json"; then
    ok "approval to signed-in: core and MSAL against the same simulator"
  else bad "approval to signed-in"; fi
else bad "msal is not installed in $VENV (pip install msal failed: see ${build_log#$ROOT/})"; fi

# ---- figures 1, 2, 5 (window), 6: the real window
step "the real window under Xvfb (figures 1, 2, 5, 6)"
declare -p ROOT OUT BENCH PROFILE RUNS ORGS SETTLE QUERY APP EMPTY SIM_BIN T0 | sed 's/^declare -- /export /; s/^declare -x /export /' > "$WORK/env.sh"
XDG_DATA_HOME="$WORK/xdg-data" dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" \
  "$ROOT/scripts/bench.sh" --inner-window "$mode" "$WORK"
if [ -f "$WORK/window.counts" ]; then
  read -r p f < "$WORK/window.counts"; passed=$((passed + p)); failed=$((failed + f))
else bad "the window stage did not finish"; fi

# ---- the document
step "report"
if [ "$mode" = full ]; then doc=docs/benchmarks.md; else doc=$OUT/benchmarks.md; fi
if python3 "$BENCH/report.py" --results "$OUT" --mode "$mode" --out "$doc"; then
  ok "wrote ${doc#$ROOT/}"
else bad "report.py failed"; fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
