#!/usr/bin/env bash
# The packaging stage of `make test`: build the release .deb and .rpm the way `make bundle` does
# (signed with a throwaway GPG key made here), then check them as an IT desk would. Checks
# include their metadata, dependencies, desktop entry and AppStream data, that the .deb installs
# on this system (simulated) and that its binary runs and draws a window under Xvfb (screenshot
# saved), and that signatures and checksums verify while a tampered package does not.
# Also runs tests/packaging/updater.sh (a build with an update key finds an update on an https
# server on loopback, and asks nothing under a policy with updates off) and
# tests/packaging/conf.mjs (the Windows and macOS installer settings).
#
# Prints `ok - …` / `FAIL - …` lines, and `N passed, N failed` last.
# PACKAGING_SKIP_BUILD=1 reuses the packages already built (for quick reruns).
set -uo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2} NO_COLOR=1 DEBIAN_FRONTEND=noninteractive
passed=0; failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
fail() { echo "FAIL - $1${2:+ :: $2}"; failed=$((failed + 1)); }
check() { local name=$1; shift; if "$@" >/dev/null 2>&1; then ok "$name"; else fail "$name"; fi; }
has() { grep -qF -- "$2" <<<"$1"; }
t0=$(date +%s)
step() { echo "== [$(( $(date +%s) - t0 ))s] $*"; }

# Tools the checks need (Debian packages), installed once if missing.
need=()
for p in rpm cpio desktop-file-utils appstream imagemagick x11-utils xvfb xauth gnupg binutils dbus gnome-keyring openssl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  step "installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

work=$(mktemp -d)
app_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# A throwaway signing key in a private GNUPGHOME.
export GNUPGHOME=$work/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-generate-key "ADO Connect test signing <packaging-test@example.invalid>" ed25519 sign 1d 2>/dev/null
fpr=$(gpg --batch --with-colons --list-secret-keys 2>/dev/null | awk -F: '/^fpr/ {print $10; exit}')
[ -n "$fpr" ] && ok "throwaway GPG key made" || fail "throwaway GPG key made"
gpg --batch --armor --export "$fpr" > "$work/trusted-key.asc"

# The build-time updater configuration (no build needed): none by default, both values or an error.
check "no updater configuration without a key" test -z "$(env -u ADO_CONNECT_UPDATER_PUBKEY -u ADO_CONNECT_UPDATER_ENDPOINT scripts/bundle.sh --print-config)"
conf=$(ADO_CONNECT_UPDATER_PUBKEY=KEY ADO_CONNECT_UPDATER_ENDPOINT=https://updates.example.com/x scripts/bundle.sh --print-config 2>&1)
check "with a key and endpoint the build gets plugins.updater" node -e '
  const c = JSON.parse(process.argv[1]);
  if (c.plugins.updater.pubkey !== "KEY" || c.plugins.updater.endpoints[0] !== "https://updates.example.com/x") process.exit(1);
  if (c.bundle.createUpdaterArtifacts !== false) process.exit(1);' "$conf"
check "a key without an endpoint is refused" bash -c '! ADO_CONNECT_UPDATER_PUBKEY=KEY scripts/bundle.sh --print-config'
check "a plain-http endpoint is refused" bash -c '! ADO_CONNECT_UPDATER_PUBKEY=KEY ADO_CONNECT_UPDATER_ENDPOINT=http://x scripts/bundle.sh --print-config'

out=$work/bundle
step "make bundle (release build, .deb, .rpm, SHA256SUMS, GPG)"
b0=$(date +%s)
bundle_args=(); [ "${PACKAGING_SKIP_BUILD:-}" = 1 ] && bundle_args=(--no-build)
if env -u ADO_CONNECT_UPDATER_PUBKEY -u ADO_CONNECT_UPDATER_ENDPOINT \
    BUNDLE_OUT="$out" ADO_CONNECT_GPG_KEY="$fpr" scripts/bundle.sh "${bundle_args[@]}" > "$work/bundle.log" 2>&1; then
  ok "scripts/bundle.sh built and signed the packages in $(( $(date +%s) - b0 )) s"
else
  fail "scripts/bundle.sh" "$(tail -20 "$work/bundle.log")"
  echo "$passed passed, $failed failed"; exit 1
fi
deb=$(ls "$out"/*.deb); rpm=$(ls "$out"/*.rpm)
echo "   $(basename "$deb"): $(stat -c %s "$deb") bytes; $(basename "$rpm"): $(stat -c %s "$rpm") bytes"
check "the bundle folder has SHA256SUMS, its signature and the public key" test -s "$out/SHA256SUMS" -a -s "$out/SHA256SUMS.asc" -a -s "$out/signing-key.asc"
check "unsigned bundles say so" grep -q "NOT SIGNED" <(BUNDLE_OUT="$work/unsigned" env -u ADO_CONNECT_GPG_KEY scripts/bundle.sh --no-build 2>&1)

step ".deb metadata"
ctrl=$(dpkg-deb -f "$deb")
depends=$(dpkg-deb -f "$deb" Depends)
for dep in libwebkit2gtk-4.1-0 libgtk-3-0 libjavascriptcoregtk-4.1-0 libsoup-3.0-0 libglib2.0-0 libgdk-pixbuf-2.0-0 libcairo2 libdbus-1-3; do
  if has "$depends" "$dep"; then ok ".deb depends on $dep"; else fail ".deb depends on $dep" "$depends"; fi
done
check ".deb has a description, section devel and a maintainer" bash -c '
  grep -q "^Description: Connect an Azure DevOps" <<<"$1" && grep -q "^Section: devel" <<<"$1" && grep -q "^Maintainer: ." <<<"$1"' _ "$ctrl"
files=$(dpkg-deb -c "$deb")
for f in usr/bin/ado-connect-app "usr/share/applications/ADO Connect.desktop" \
         usr/share/metainfo/com.adoconnect.app.metainfo.xml usr/share/icons/hicolor/128x128/apps/ado-connect-app.png \
         usr/share/doc/ado-connect/config.toml.example; do
  if has "$files" " $f"; then ok ".deb installs /$f"; else fail ".deb installs /$f"; fi
done

rootfs=$work/root
dpkg-deb -x "$deb" "$rootfs"
bin=$rootfs/usr/bin/ado-connect-app
# Every library the binary links directly belongs to a declared dependency (or to the base system).
missing=""
for lib in $(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64/ {print $NF; exit}')
  # dpkg knows merged-/usr paths by the name the package shipped (/usr/lib or /lib).
  pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "/usr$path" 2>/dev/null || dpkg -S "$(realpath "$path")" 2>/dev/null)
  pkg=$(head -1 <<<"$pkg" | cut -d: -f1)
  [ -n "$pkg" ] || { missing="$missing $lib(no package)"; continue; }
  case $pkg in libc6|libgcc-s1) continue ;; esac
  has "$depends" "$pkg" || missing="$missing $lib($pkg)"
done
if [ -z "$missing" ]; then ok "every library the binary links is a declared dependency"; else fail "every library the binary links is a declared dependency" "$missing"; fi
check "desktop entry is valid (desktop-file-validate)" desktop-file-validate "$rootfs/usr/share/applications/ADO Connect.desktop"
desktop=$(cat "$rootfs/usr/share/applications/ADO Connect.desktop")
check "desktop entry starts the packaged binary with its icon" bash -c '
  grep -q "^Exec=ado-connect-app$" <<<"$1" && grep -q "^Icon=ado-connect-app$" <<<"$1" && grep -q "^Categories=Development;" <<<"$1"' _ "$desktop"
check "AppStream metainfo is valid (appstreamcli validate)" appstreamcli validate --no-net "$rootfs/usr/share/metainfo/com.adoconnect.app.metainfo.xml"
check "AppStream launchable names the installed desktop file" grep -q "<launchable type=\"desktop-id\">ADO Connect.desktop</launchable>" "$rootfs/usr/share/metainfo/com.adoconnect.app.metainfo.xml"

step "apt-get install --simulate"
sim=$(apt-get install --simulate -o Debug::NoLocking=1 "$deb" 2>&1)
if [ $? -eq 0 ] && has "$sim" "Inst ado-connect "; then ok ".deb dependencies resolve on this system (apt-get install --simulate)"; else fail ".deb dependencies resolve on this system" "$(tail -5 <<<"$sim")"; fi

step ".rpm metadata"
requires=$(rpm -qpR "$rpm" 2>/dev/null)
for dep in webkit2gtk4.1 gtk3 javascriptcoregtk4.1 libsoup3 glib2 gdk-pixbuf2 cairo dbus-libs; do
  if has "$requires" "$dep"; then ok ".rpm requires $dep"; else fail ".rpm requires $dep" "$requires"; fi
done
rpmfiles=$(rpm -qpl "$rpm" 2>/dev/null)
for f in /usr/bin/ado-connect-app "/usr/share/applications/ADO Connect.desktop" /usr/share/metainfo/com.adoconnect.app.metainfo.xml; do
  if has "$rpmfiles" "$f"; then ok ".rpm installs $f"; else fail ".rpm installs $f"; fi
done
info=$(rpm -qpi "$rpm" 2>/dev/null)
check ".rpm has name, license and summary" bash -c 'grep -q "^Name *: ado-connect$" <<<"$1" && grep -q "^License *: MIT" <<<"$1" && grep -q "^Summary *: Connect an Azure DevOps" <<<"$1"' _ "$info"
check ".rpm digests are intact (rpm -K)" rpm -K --nosignature "$rpm"
mkdir -p "$work/rpmroot"
check ".rpm carries the same desktop entry and metainfo" bash -c '
  cd "$1" && rpm2cpio "$2" | cpio -idm --quiet 2>/dev/null &&
  cmp -s "usr/share/applications/ADO Connect.desktop" "$3/usr/share/applications/ADO Connect.desktop" &&
  cmp -s usr/share/metainfo/com.adoconnect.app.metainfo.xml "$3/usr/share/metainfo/com.adoconnect.app.metainfo.xml"' _ "$work/rpmroot" "$rpm" "$rootfs"

step "the packaged binary under Xvfb"
mkdir -p artifacts/screenshots "$work/home"
shot=$root/artifacts/screenshots/packaged-app.png
rm -f "$shot"
cat > "$work/launch.sh" <<'EOF'
#!/usr/bin/env bash
# Inside xvfb-run and a private D-Bus session with an unlocked keyring: start, wait, shoot, stop.
echo -n ci | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
"$BIN" > "$WORK/app.out" 2>&1 &
pid=$!
alive=0
for _ in $(seq 80); do
  sleep 0.25
  kill -0 "$pid" 2>/dev/null || break
  if xwininfo -root -tree 2>/dev/null | grep -q '"ADO Connect"'; then alive=1; break; fi
done
# The page first shows "Starting ADO Connect…" (a few colours), then the Home screen: wait for it.
for _ in $(seq 30); do
  sleep 1
  import -window root "$SHOT"
  [ "$(convert "$SHOT" -format '%k' info: 2>/dev/null || echo 0)" -gt 250 ] && break
done
kill -0 "$pid" 2>/dev/null && alive=$((alive + 1))
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
echo "window=$alive" > "$WORK/launch.result"
EOF
chmod +x "$work/launch.sh"
HOME=$work/home XDG_DATA_HOME=$work/home/data XDG_CONFIG_HOME=$work/home/config XDG_CACHE_HOME=$work/home/cache \
  BIN="$bin" WORK="$work" SHOT="$shot" ADO_CONNECT_LOG=info \
  dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" "$work/launch.sh" >/dev/null 2>&1
result=$(cat "$work/launch.result" 2>/dev/null)
if [ "$result" = "window=2" ]; then ok "the unpacked binary opens its window and keeps running"; else fail "the unpacked binary opens its window" "$result $(tail -5 "$work/app.out" 2>/dev/null)"; fi
colors=$(convert "$shot" -format '%k' info: 2>/dev/null || echo 0)
if [ "${colors:-0}" -gt 250 ]; then ok "screenshot saved to artifacts/screenshots/packaged-app.png ($colors colours)"; else fail "screenshot shows the app" "$colors colours"; fi
log=$(cat "$work"/home/data/com.adoconnect.app/logs/ado-connect.*.log 2>/dev/null)
if has "$log" "updates off: this build has no update key"; then ok "a build without an update key runs without the updater (logged)"; else fail "updater off in a keyless build" "$(tail -3 <<<"$log")"; fi

step "signatures and checksums"
v=$(scripts/verify-packages.sh "$out" "$work/trusted-key.asc" 2>&1)
if [ $? -eq 0 ]; then ok "the signed bundle verifies (gpgv + sha256sum -c)"; else fail "the signed bundle verifies" "$v"; fi
check "gpg --verify SHA256SUMS.asc SHA256SUMS" gpg --batch --verify "$out/SHA256SUMS.asc" "$out/SHA256SUMS"
check "sha256sum -c SHA256SUMS" bash -c "cd '$out' && sha256sum -c --strict SHA256SUMS"
# A tampered package: one byte appended.
cp -r "$out" "$work/tampered"
printf 'x' >> "$work/tampered/$(basename "$deb")"
check "a tampered package fails verification" bash -c "! scripts/verify-packages.sh '$work/tampered' '$work/trusted-key.asc'"
check "a tampered package fails sha256sum -c" bash -c "cd '$work/tampered' && ! sha256sum -c --strict SHA256SUMS"
# Tampered SHA256SUMS rewritten to match the tampered package: the signature catches it.
(cd "$work/tampered" && sha256sum -- *.deb *.rpm > SHA256SUMS)
check "rewritten SHA256SUMS fails the GPG signature" bash -c "! gpg --batch --verify '$work/tampered/SHA256SUMS.asc' '$work/tampered/SHA256SUMS'"
# Signed by another key: refused when checked against the expected key.
other=$work/other-gnupg; mkdir -m 700 "$other"
GNUPGHOME=$other gpg --batch --quiet --passphrase '' --quick-generate-key "Someone else <other@example.invalid>" ed25519 sign 1d 2>/dev/null
cp -r "$out" "$work/resigned"
GNUPGHOME=$other gpg --batch --yes --armor --detach-sign --output "$work/resigned/SHA256SUMS.asc" "$work/resigned/SHA256SUMS" 2>/dev/null
check "a signature by another key fails verification" bash -c "! scripts/verify-packages.sh '$work/resigned' '$work/trusted-key.asc'"

step "a build with an update key against an https update server on loopback"
upd_out=$(tests/packaging/updater.sh 2>&1)
echo "$upd_out"
passed=$((passed + $(grep -c '^ok - ' <<<"$upd_out")))
failed=$((failed + $(grep -c '^FAIL - ' <<<"$upd_out")))

step "installer configuration (tauri.conf.json)"
conf_out=$(PACKAGING_RUN=1 node tests/packaging/conf.mjs 2>&1)
echo "$conf_out"
passed=$((passed + $(grep -c '^ok - ' <<<"$conf_out")))
failed=$((failed + $(grep -c '^FAIL - ' <<<"$conf_out")))

step "done"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
