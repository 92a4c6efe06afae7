#!/usr/bin/env bash
# Verify a folder made by `make bundle` before deploying it: the GPG signature of SHA256SUMS
# (against the public key you were given, not one found in the folder), then every package's
# checksum, then each package's own signature when there is one.
#
#   scripts/verify-packages.sh DIR PUBLIC_KEY.asc
#
# Prints one `ok - …` or `FAIL - …` line per check; exits 0 only when every check passed.
set -uo pipefail
dir=${1:?usage: $0 DIR PUBLIC_KEY.asc}
key=${2:?usage: $0 DIR PUBLIC_KEY.asc}
dir=$(cd "$dir" && pwd)
failed=0
check() { if "${@:2}" >/dev/null 2>&1; then echo "ok - $1"; else echo "FAIL - $1"; failed=1; fi; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# gpgv with a keyring holding only the expected key: nothing else can vouch for the files.
gpg --batch --quiet --homedir "$work" --dearmor --output "$work/trusted.gpg" "$key" 2>/dev/null \
  || gpg --batch --quiet --homedir "$work" --import "$key" 2>/dev/null
[ -s "$work/trusted.gpg" ] || { echo "FAIL - read the public key $key"; exit 1; }

check "SHA256SUMS carries a good signature from the expected key" \
  gpgv --keyring "$work/trusted.gpg" "$dir/SHA256SUMS.asc" "$dir/SHA256SUMS"
check "every package matches SHA256SUMS" \
  bash -c 'cd "$1" && sha256sum --check --strict SHA256SUMS' _ "$dir"
while read -r _ name; do
  name=${name#\*}
  if [ -f "$dir/$name.asc" ]; then
    check "$name carries a good signature" gpgv --keyring "$work/trusted.gpg" "$dir/$name.asc" "$dir/$name"
  fi
done < "$dir/SHA256SUMS"
exit $failed
