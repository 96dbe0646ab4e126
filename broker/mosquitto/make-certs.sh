#!/usr/bin/env bash
# Creates a private CA (once) and a server certificate signed by it, for mosquitto's TLS listener.
#
#   make-certs.sh OUTDIR NAME [NAME...]
#
# NAME: every DNS name or IP address clients use to reach the broker (they all go into the
# certificate's subjectAltName; clients check the host they dialled against it). The first one
# is also the subject CN.
#
# OUTDIR gets: ca.key ca.crt (the CA: keep ca.key offline, give ca.crt to every client),
# server.key server.crt (for mosquitto's keyfile/certfile). An existing ca.key/ca.crt is reused,
# so running it again renews only the server certificate. EC P-256 keys, SHA-256 signatures.
# Validity: CA 10 years, server 825 days (override with CA_DAYS / SERVER_DAYS).
set -euo pipefail

if [ $# -lt 2 ]; then
    echo "usage: $0 OUTDIR NAME [NAME...]   (NAME = DNS name or IP address of the broker)" >&2
    exit 2
fi
out=$1
shift
command -v openssl >/dev/null || { echo "$0: openssl is needed (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$out"
umask 077

san=""
for n in "$@"; do
    if [[ $n =~ ^[0-9.]+$ || $n == *:* ]]; then
        san="${san:+$san,}IP:$n"
    elif [[ $n =~ ^[A-Za-z0-9.*-]+$ ]]; then
        san="${san:+$san,}DNS:$n"
    else
        echo "$0: '$n' is neither a host name nor an IP address" >&2
        exit 2
    fi
done

if [ ! -f "$out/ca.key" ]; then
    openssl ecparam -name prime256v1 -genkey -noout -out "$out/ca.key"
    openssl req -new -x509 -sha256 -days "${CA_DAYS:-3650}" -key "$out/ca.key" -out "$out/ca.crt" \
        -subj "/O=DiReDi/CN=DiReDi MQTT CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
fi

openssl ecparam -name prime256v1 -genkey -noout -out "$out/server.key"
openssl req -new -sha256 -key "$out/server.key" -out "$out/server.csr" -subj "/O=DiReDi/CN=$1"
ext="$out/server.ext"
printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=serverAuth" "subjectAltName=$san" > "$ext"
openssl x509 -req -sha256 -days "${SERVER_DAYS:-825}" -in "$out/server.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" \
    -CAcreateserial -out "$out/server.crt" -extfile "$ext" 2>/dev/null
rm -f "$out/server.csr" "$ext"
chmod 644 "$out/ca.crt" "$out/server.crt"
echo "$out: ca.crt, server.crt (subjectAltName $san), server.key"
