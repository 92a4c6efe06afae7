#!/usr/bin/env bash
# A build made with an update key, the way scripts/bundle.sh makes one (`--features updater`
# and the plugins.updater configuration it prints), checked against an update server on
# loopback: https with a certificate from a throwaway CA (trusted through SSL_CERT_FILE, as an
# IT desk's own CA would be through the system store). The app asks the server once at start,
# logs the newer version, and shows the notice (screenshot); under a machine policy with
# `updates = false` the same binary asks nothing.
#
# Run by tests/packaging/run.sh after the packages (the release build is reused; only the app
# crate is built again with the feature). Prints `ok - …` / `FAIL - …` lines.
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
work=$(mktemp -d)
server=
policy_made=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  [ -n "$policy_made" ] && rm -rf /etc/ado-connect
  rm -rf "$work"
}
trap cleanup EXIT
ok() { echo "ok - $1"; }
fail() { echo "FAIL - $1${2:+ :: $2}"; }

# The update key pair (minisign, as `tauri signer generate` makes it), no password.
if npx tauri signer generate --ci -p "" -w "$work/updater.key" > "$work/signer.log" 2>&1 && [ -s "$work/updater.key.pub" ]; then
  ok "update key pair made with tauri signer generate"
else
  fail "tauri signer generate" "$(tail -3 "$work/signer.log")"; exit 0
fi

# A throwaway CA and a certificate for 127.0.0.1 signed by it.
tests/support/test-ca.sh "$work" leaf > "$work/openssl.log" 2>&1 || { fail "test certificates" "$(tail -3 "$work/openssl.log")"; exit 0; }

# The update server (tests/support/https_server.py): the same answer to every GET (the path,
# with the target, arch and current version filled in by the updater, is logged).
cat > "$work/latest.json" <<'JSON'
{"version": "0.2.0", "notes": "A test release from tests/packaging/updater.sh.", "pub_date": "2026-11-30T00:00:00Z",
 "platforms": {"linux-x86_64": {"signature": "dW50cnVzdGVkIGNvbW1lbnQ6IHRlc3Q=", "url": "https://127.0.0.1/ado-connect.tar.gz"}}}
JSON
: > "$work/requests.log"
python3 tests/support/https_server.py "$work/leaf.pem" "$work/leaf.key" "$work/latest.json" "$work/requests.log" "$work/port" &
server=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port" 2>/dev/null)
[ -n "$port" ] || { fail "update server started"; exit 0; }
if python3 -c 'import ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[1])
print(urllib.request.urlopen(sys.argv[2], context=ctx, timeout=10).read().decode())' "$work/leaf-ca.pem" "https://127.0.0.1:$port/probe" 2>/dev/null | grep -q '"0.2.0"'; then
  ok "update server on https://127.0.0.1:$port (test CA)"
else
  fail "update server answers over https"; exit 0
fi
: > "$work/requests.log"

# The build: bundle.sh's configuration, its feature, no packages.
endpoint="https://127.0.0.1:$port/{{target}}/{{arch}}/{{current_version}}"
if ADO_CONNECT_UPDATER_PUBKEY="$(cat "$work/updater.key.pub")" ADO_CONNECT_UPDATER_ENDPOINT="$endpoint" \
    scripts/bundle.sh --print-config > "$work/updater.conf.json" 2> "$work/conf.log"; then
  ok "bundle.sh prints the updater configuration for the key and endpoint"
else
  fail "bundle.sh --print-config" "$(cat "$work/conf.log")"; exit 0
fi
b0=$(date +%s)
if npx tauri build --no-bundle --features updater --config "$work/updater.conf.json" > "$work/build.log" 2>&1; then
  ok "release build with the update key and --features updater ($(( $(date +%s) - b0 )) s)"
else
  fail "release build with the update key" "$(tail -15 "$work/build.log")"; exit 0
fi
bin=$root/target/release/ado-connect-app

# Start it under Xvfb with its own home, wait for the check, take a screenshot, stop it.
launch() { # $1: name of this run
  local home=$work/$1
  mkdir -p "$home"
  cat > "$work/launch-$1.sh" <<'EOF'
#!/usr/bin/env bash
echo -n ci | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
"$BIN" > "$HOME/app.out" 2>&1 &
pid=$!
for _ in $(seq 60); do
  sleep 0.5
  grep -qE "update available|no update available|update check failed|updates off" "$HOME"/data/com.adoconnect.app/logs/*.log 2>/dev/null && break
done
sleep 3 # the notice is drawn
import -window root "$SHOT" 2>/dev/null
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
EOF
  chmod +x "$work/launch-$1.sh"
  HOME=$home XDG_DATA_HOME=$home/data XDG_CONFIG_HOME=$home/config XDG_CACHE_HOME=$home/cache \
    SSL_CERT_FILE=$work/leaf-ca.pem BIN="$bin" SHOT="$2" ADO_CONNECT_LOG=info \
    dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" "$work/launch-$1.sh" >/dev/null 2>&1
  cat "$home"/data/com.adoconnect.app/logs/*.log 2>/dev/null
}

mkdir -p artifacts/screenshots
shot=$root/artifacts/screenshots/packaged-update-available.png
log=$(launch keyed "$shot")
if grep -q "updates on (checking https://127.0.0.1:$port/" <<<"$log"; then
  ok "the keyed build turns updates on (logged with its endpoint)"
else
  fail "updates on in the keyed build" "$(grep -i update <<<"$log" | tail -3)"
fi
if grep -q "update available" <<<"$log" && grep -q "0.2.0" <<<"$log"; then
  ok "the app found version 0.2.0 and logged it"
else
  fail "the app found the update" "$(grep -i update <<<"$log" | tail -3)"
fi
asked=$(cat "$work/requests.log")
if [ "$(wc -l <<<"$asked")" -eq 1 ] && [ "$asked" = "/linux/x86_64/0.1.0" ]; then
  ok "one request to the update server, for linux/x86_64 from 0.1.0"
else
  fail "one request to the update server" "$asked"
fi
[ -s "$shot" ] && ok "screenshot of the notice saved to artifacts/screenshots/packaged-update-available.png" || fail "screenshot of the update notice"

# Machine policy `updates = false`: the same binary asks nothing. The policy file's place is
# fixed (/etc/ado-connect/config.toml); it is made only where there is none to disturb.
if [ -e /etc/ado-connect ] || [ "$(id -u)" -ne 0 ]; then
  echo "# skipped: the machine policy check needs root and no /etc/ado-connect"
else
  policy_made=1
  mkdir -p /etc/ado-connect
  printf '[policy]\nupdates = false\n' > /etc/ado-connect/config.toml
  : > "$work/requests.log"
  log=$(launch policy "$work/policy.png")
  rm -rf /etc/ado-connect; policy_made=
  if grep -q "updates off: turned off by machine policy" <<<"$log" && [ ! -s "$work/requests.log" ]; then
    ok "under a machine policy with updates = false the keyed build asks nothing (logged)"
  else
    fail "updates off by policy" "$(grep -i update <<<"$log" | tail -2); requests: $(cat "$work/requests.log")"
  fi
fi
