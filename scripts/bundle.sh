#!/usr/bin/env bash
# make bundle: the release app and its Linux packages (.deb, .rpm), copied to one folder with
# plain file names, SHA256SUMS, and detached GPG signatures (SHA256SUMS.asc and one .asc per
# package). AppImage is configured in tauri.conf.json but left out: it downloads tools.
#
# Environment (all optional):
#   BUNDLE_OUT                       output folder (default artifacts/bundle)
#   ADO_CONNECT_GPG_KEY              key id or fingerprint to sign with (gpg, GNUPGHOME as usual);
#                                    unset: no signature, with a message saying so
#   ADO_CONNECT_GPG_PASSPHRASE       its passphrase, if it has one (given to gpg on a pipe)
#   ADO_CONNECT_UPDATER_PUBKEY       the updater's public key (`npx tauri signer generate`), and
#   ADO_CONNECT_UPDATER_ENDPOINT     its https endpoint: both or neither. Without them the build
#                                    has no updater at all (updates off).
#   TAURI_SIGNING_PRIVATE_KEY[_PASSWORD]  with the two above: also sign update artifacts
#
# `scripts/bundle.sh --print-config` prints the build-time configuration it would pass to
# `tauri build --config` (nothing when there is none) and builds nothing.
# `scripts/bundle.sh --no-build` collects, checksums and signs the packages already built.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2}

mode=build
case "${1:-}" in
  --print-config) mode=print ;;
  --no-build) mode=collect ;;
  "") ;;
  *) echo "usage: $0 [--print-config|--no-build]" >&2; exit 2 ;;
esac

out=${BUNDLE_OUT:-artifacts/bundle}
version=$(node -p 'require("./src-tauri/tauri.conf.json").version')

# Build-time updater configuration: a file merged into tauri.conf.json with --config.
updater_config() {
  local key=${ADO_CONNECT_UPDATER_PUBKEY:-} endpoint=${ADO_CONNECT_UPDATER_ENDPOINT:-}
  if [ -z "$key" ] && [ -z "$endpoint" ]; then return 0; fi
  if [ -z "$key" ] || [ -z "$endpoint" ]; then
    echo "Set both ADO_CONNECT_UPDATER_PUBKEY and ADO_CONNECT_UPDATER_ENDPOINT, or neither." >&2
    return 2
  fi
  case $endpoint in
    https://*) ;;
    *) echo "ADO_CONNECT_UPDATER_ENDPOINT must be an https:// URL." >&2; return 2 ;;
  esac
  ARTIFACTS=$([ -n "${TAURI_SIGNING_PRIVATE_KEY:-}" ] && echo true || echo false) \
  node -e '
    const endpoints = process.env.ADO_CONNECT_UPDATER_ENDPOINT.split(/\s+/).filter(Boolean);
    const conf = {
      bundle: { createUpdaterArtifacts: process.env.ARTIFACTS === "true" },
      plugins: { updater: { pubkey: process.env.ADO_CONNECT_UPDATER_PUBKEY.trim(), endpoints } },
    };
    console.log(JSON.stringify(conf, null, 2));'
}

conf_text=$(updater_config)
if [ "$mode" = print ]; then
  [ -n "$conf_text" ] && echo "$conf_text"
  exit 0
fi

if [ "$mode" = build ]; then
  args=(--bundles deb,rpm)
  if [ -n "$conf_text" ]; then
    mkdir -p target/bundle-config
    echo "$conf_text" > target/bundle-config/updater.conf.json
    args+=(--config target/bundle-config/updater.conf.json --features updater)
    echo "== updater: on in this build (endpoint ${ADO_CONNECT_UPDATER_ENDPOINT})"
  else
    echo "== updater: no key given, this build has no updater (set ADO_CONNECT_UPDATER_PUBKEY and _ENDPOINT)"
  fi
  t0=$(date +%s)
  npx tauri build "${args[@]}"
  echo "== tauri build took $(( $(date +%s) - t0 )) s"
fi

# Collect this version's packages under names without spaces.
deb=$(ls -t target/release/bundle/deb/*_"${version}"_*.deb 2>/dev/null | head -1 || true)
rpm=$(ls -t target/release/bundle/rpm/*-"${version}"-*.rpm 2>/dev/null | head -1 || true)
if [ -z "$deb" ] || [ -z "$rpm" ]; then
  echo "No .deb or .rpm for version $version under target/release/bundle: build first." >&2
  exit 1
fi
rm -rf "$out"; mkdir -p "$out"
deb_name="ado-connect_${version}_$(dpkg-deb -f "$deb" Architecture).deb"
rpm_name="ado-connect-${version}-$(basename "$rpm" | sed -E 's/.*-[^-]+-([^-]+)$/\1/')"
cp "$deb" "$out/$deb_name"
cp "$rpm" "$out/$rpm_name"
for f in target/release/bundle/*/*.sig; do
  # Updater signatures (createUpdaterArtifacts) travel with their packages.
  [ -e "$f" ] || continue
  case $f in
    *.deb.sig) cp "$f" "$out/$deb_name.sig" ;;
    *.rpm.sig) cp "$f" "$out/$rpm_name.sig" ;;
  esac
done

(cd "$out" && sha256sum -- *.deb *.rpm > SHA256SUMS)

if [ -n "${ADO_CONNECT_GPG_KEY:-}" ]; then
  gpg_sign() {
    local file=$1
    if [ -n "${ADO_CONNECT_GPG_PASSPHRASE:-}" ]; then
      printf '%s' "$ADO_CONNECT_GPG_PASSPHRASE" | gpg --batch --yes --pinentry-mode loopback --passphrase-fd 0 \
        --local-user "$ADO_CONNECT_GPG_KEY" --armor --detach-sign --output "$file.asc" "$file"
    else
      gpg --batch --yes --local-user "$ADO_CONNECT_GPG_KEY" --armor --detach-sign --output "$file.asc" "$file"
    fi
  }
  for f in "$out"/SHA256SUMS "$out/$deb_name" "$out/$rpm_name"; do gpg_sign "$f"; done
  gpg --batch --armor --export "$ADO_CONNECT_GPG_KEY" > "$out/signing-key.asc"
  echo "== signed with GPG key $ADO_CONNECT_GPG_KEY: SHA256SUMS.asc and one .asc per package"
else
  echo "== NOT SIGNED: set ADO_CONNECT_GPG_KEY (and ADO_CONNECT_GPG_PASSPHRASE if the key has one) to sign SHA256SUMS and the packages"
fi

echo "== packages in $out:"
(cd "$out" && for f in *.deb *.rpm; do printf '  %-40s %s bytes\n' "$f" "$(stat -c %s "$f")"; done)
