#!/usr/bin/env bash
# Install what is missing, and nothing twice: Debian packages, tauri-driver, npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

PKGS="libwebkit2gtk-4.1-dev build-essential file pkg-config libxdo-dev libssl-dev \
libayatana-appindicator3-dev librsvg2-dev xvfb xauth webkit2gtk-driver dbus-x11 \
gnome-keyring libsecret-1-dev chromium git imagemagick x11-utils fonts-dejavu-core tinyproxy"
command -v node >/dev/null || PKGS="$PKGS nodejs npm"

missing=()
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "== installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "Rust is missing: install it with rustup (https://rustup.rs), then run make again." >&2
  exit 1
fi

if ! command -v tauri-driver >/dev/null; then
  echo "== installing tauri-driver"
  cargo install tauri-driver --locked --version '^2' >/dev/null
fi

# npm packages from committed lockfiles, once per lockfile change: the app's, and the
# conformance test's independent OAuth server (oidc-provider).
for dir in . tests/conformance; do
  stamp=$dir/node_modules/.ado-connect-lock
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "== npm ci ($dir)"
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
  fi
done
