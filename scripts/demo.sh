#!/usr/bin/env bash
# `make demo`: the app against ado-sim on 127.0.0.1. The simulator stops when the app closes.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
target/debug/ado-sim --port 0 --write-config "$work/sim.toml" > "$work/sim.out" &
SIM=$!
trap 'kill $SIM 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do [ -s "$work/sim.out" ] && break; sleep 0.1; done
url=$(head -n1 "$work/sim.out")
echo "ado-sim is running at $url"
echo "To approve a sign-in, open $url/login/devicelogin in a browser and type the code the app shows."
ADO_CONNECT_CONFIG="$work/sim.toml" target/debug/ado-connect-app
