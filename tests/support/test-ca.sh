#!/usr/bin/env bash
# test-ca.sh DIR NAME: a throwaway CA (DIR/NAME-ca.pem) and a certificate for 127.0.0.1 signed by
# it (DIR/NAME.pem, DIR/NAME.key), valid one day. For tests that need TLS on loopback:
# crates/core/tests/tls.rs and tests/packaging/updater.sh.
set -euo pipefail
dir=$1 name=$2
cd "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -keyout "$name-ca.key" -out "$name-ca.pem" \
  -subj "/CN=$name test CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$name.ext"
openssl x509 -req -in "$name.csr" -CA "$name-ca.pem" -CAkey "$name-ca.key" -CAcreateserial \
  -days 1 -out "$name.pem" -extfile "$name.ext" 2>/dev/null
