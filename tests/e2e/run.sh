#!/usr/bin/env bash
# End-to-end: the real app binary, in a real window (Xvfb), driven by WebDriver
# (tauri-driver + WebKitWebDriver), against ado-sim. Run inside dbus + Xvfb (scripts/test.sh).
set -uo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
mkdir -p artifacts/screenshots artifacts/e2e
export XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache" HOME="$work/home"
mkdir -p "$HOME"
# Git Credential Manager caches as a Windows owner's machine would have them after using the
# organization: the legacy gzip tenant.cache and the modern key in the global git config.
export GIT_CONFIG_GLOBAL="$work/gitconfig"
git config --global credential.azrepos:org/fabrikam-fiber.azureAuthority https://login.microsoftonline.com/organizations
legacy="${XDG_DATA_HOME:-$HOME/.local/share}/GitCredentialManager"
mkdir -p "$legacy"
printf 'https://dev.azure.com/fabrikam-fiber/=00000000-0000-0000-0000-000000000000\0https://dev.azure.com/other-org/=00000000-0000-0000-0000-000000000000\0' \
  | gzip -c > "$legacy/tenant.cache"
export ADO_CONNECT_DATA_DIR="$work/data"
real_app=${APP_BIN:-$PWD/target/debug/ado-connect-app}
# WebKitWebDriver drops the output of the app it starts: a wrapper keeps it (stdout and
# stderr) for the leak grep below. `exec`, so the process is still ado-connect-app.
: > artifacts/e2e/app-output.log
cat > "$work/app.sh" <<EOF
#!/bin/sh
echo launched >> "$work/app-launches"
exec "$real_app" "\$@" >> "$PWD/artifacts/e2e/app-output.log" 2>&1
EOF
chmod +x "$work/app.sh"
export APP_BIN=$work/app.sh

# The demo world plus one more personal-account organization, for the kill test.
cp crates/sim/scenarios/demo.toml "$work/scenario.toml"
cat >> "$work/scenario.toml" <<'TOML'

[[organizations]]
name = "adatum-lab"
owner = "morgan.lee@outlook.com"
created = "2021-09-01T08:00:00Z"
TOML

target/debug/ado-sim --port 0 --scenario "$work/scenario.toml" --write-config "$work/sim.toml" > "$work/sim.out" 2> artifacts/e2e/sim.log &
SIM=$!
for _ in $(seq 100); do [ -s "$work/sim.out" ] && break; sleep 0.1; done
export SIM_URL; SIM_URL=$(head -n1 "$work/sim.out")
export ADO_CONNECT_CONFIG="$work/sim.toml"

tauri-driver --port 4444 --native-port 4445 > artifacts/e2e/tauri-driver.log 2>&1 &
TD=$!
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/4444) 2>/dev/null && break; sleep 0.1; done

node tests/e2e/procedure.mjs
rc=$?

# tauri-driver starts WebKitWebDriver as a child: stop both, then the simulator.
pkill -P "$TD" 2>/dev/null; kill "$TD" 2>/dev/null; wait "$TD" 2>/dev/null
kill "$SIM" 2>/dev/null; wait "$SIM" 2>/dev/null
# The app logs through tracing-appender: daily files in the app's log directory.
logs="${XDG_DATA_HOME:-$HOME/.local/share}/com.adoconnect.app/logs"
if ls "$logs"/ado-connect.*.log >/dev/null 2>&1; then
  echo "ok - log file written to $logs"; cp "$logs"/ado-connect.*.log artifacts/e2e/ 2>/dev/null
else
  echo "FAIL - no log file in $logs"; rc=1
fi
# Secrets must not be anywhere the app wrote: logs, state, report, config, git config, the
# GCM cache and its backups, or the output of the app and the simulator. Every access token,
# refresh token and PAT the simulator issued is looked for (the keychain's own encrypted
# file is where tokens belong, and is left out).
if [ -s artifacts/e2e/issued.secrets ]; then
  # The PAT as the window showed it, too (it is also in the simulator's list).
  [ -s artifacts/e2e/pat.secret ] && { cat artifacts/e2e/pat.secret; echo; } >> artifacts/e2e/issued.secrets
  n=$(wc -l < artifacts/e2e/issued.secrets)
  launches=$(wc -l < "$work/app-launches" 2>/dev/null || echo 0)
  if [ "$launches" -ge 6 ]; then
    echo "ok - every app window ran through the output-keeping wrapper ($launches launches)"
  else
    echo "FAIL - the app's output was not kept: $launches launches through the wrapper"; rc=1
  fi
  if grep -rlF -f artifacts/e2e/issued.secrets --exclude-dir=keyrings "$work" "${XDG_DATA_HOME:-$work}" \
       artifacts/e2e/*.log 2>/dev/null; then
    echo "FAIL - a token was found in the files above"; rc=1
  else
    echo "ok - none of the $n issued tokens (access, refresh, PAT) is in a file the app wrote or in its output ($(wc -l < artifacts/e2e/app-output.log) lines)"
  fi
else
  echo "FAIL - no list of issued tokens to grep for"; rc=1
fi
rm -f artifacts/e2e/issued.secrets
rm -f artifacts/e2e/pat.secret
cp -r "$work/data" artifacts/e2e/app-data 2>/dev/null
rm -rf "$work"
exit $rc
