#!/usr/bin/env bash
# Every test, in stages: rust (fmt, clippy, unit + integration tests with a real keychain),
# ui (typecheck, build, headless Chromium), e2e (the real app under Xvfb via WebDriver),
# packaging (release .deb/.rpm built, checked, signed, launched), bench (the benchmark harness
# once on tiny sizes, timings never asserted). `scripts/test.sh STAGE…` runs some.
# Output ends with the runners' summary lines.
set -uo pipefail
cd "$(dirname "$0")/.."
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2} CARGO_TERM_COLOR=never NO_COLOR=1
stages=${*:-rust ui e2e packaging bench}
logs=artifacts/logs
mkdir -p "$logs"; rm -f "$logs"/*.log
t0=$(date +%s)
step() { echo "== [$(( $(date +%s) - t0 ))s] $*"; }
failed=()

# A private D-Bus session with a fresh, unlocked gnome-keyring: the real Secret Service.
# A new XDG_DATA_HOME each run, because an old login.keyring with another password stays locked.
with_keyring() {
  local data; data=$(mktemp -d)
  XDG_DATA_HOME="$data" dbus-run-session -- bash -c \
    'echo -n ci | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$@"' _ "$@"
  local rc=$?; rm -rf "$data"; return $rc
}

run_stage() {
  local name=$1; shift
  step "$name"
  "$@" 2>&1 | tee "$logs/$name.log"
  local rc=${PIPESTATUS[0]}
  [ "$rc" -eq 0 ] || failed+=("$name")
}

for stage in $stages; do
  case $stage in
    rust)
      run_stage rust-lint bash -c 'cargo fmt --all --check && cargo clippy --workspace --all-targets -- -D warnings \
        && cargo clippy -p ado-connect-app --features updater -- -D warnings \
        && if cargo tree -p ado-connect-core -e normal | grep -i tauri; then echo "core depends on Tauri"; exit 1; else echo "ok - core has no Tauri dependency"; fi'
      run_stage rust-tests with_keyring env ADO_CONNECT_REQUIRE_KEYCHAIN=1 cargo test --workspace --no-fail-fast
      ;;
    ui)
      run_stage ui-build npm run build
      run_stage ui-tests node tests/ui/run.mjs
      ;;
    e2e)
      run_stage e2e-build bash -c 'npx tauri build --debug --no-bundle && cargo build -p ado-sim'
      run_stage e2e-tests with_keyring xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" tests/e2e/run.sh
      ;;
    packaging)
      run_stage packaging-tests tests/packaging/run.sh
      ;;
    bench)
      run_stage bench-smoke scripts/bench.sh --smoke
      ;;
    *) echo "unknown stage $stage" >&2; exit 2 ;;
  esac
done

step "summary"
[ ${#failed[@]} -eq 0 ] || echo "failed stages: ${failed[*]}"
# The runners' own closing lines, in order: cargo test, then the Node runners.
for f in "$logs"/rust-tests.log "$logs"/ui-tests.log "$logs"/e2e-tests.log "$logs"/packaging-tests.log "$logs"/bench-smoke.log; do
  [ -f "$f" ] || continue
  grep -E '^(test result: |[0-9]+ passed, [0-9]+ failed)' "$f"
done
[ ${#failed[@]} -eq 0 ]
