#!/usr/bin/env bash
# Adds one MQTT account to mosquitto's password file and its topic block to the ACL file, with
# the same permissions the embedded broker gives that role (broker/src/main/.../AclAuthenticator).
#
#   add-device.sh [--dir DIR] device CUSTOMER DEVICE [USERNAME [PROFILE]]   (USERNAME default: CUSTOMER-DEVICE)
#   add-device.sh [--dir DIR] onprem CUSTOMER [USERNAME]          (USERNAME default: CUSTOMER-onprem)
#   add-device.sh [--dir DIR] cloud USERNAME
#   add-device.sh [--dir DIR] worker USERNAME                      (a cloud serve --worker)
#
# PROFILE (a device profile, e.g. cpu) lets the camera read its customer's updates for that profile,
# published once for all of them (diredi/v1/customers/CUSTOMER/profiles/PROFILE/updates/#).
# DIR (default /etc/mosquitto/diredi) holds `acl` and `passwd`, the files mosquitto.conf names.
# The password is read from standard input (one line) when that is not a terminal; otherwise a
# random one is generated and printed once. Ids and user names: 1-64 characters of A-Z a-z 0-9 _ -
# (as in org.diredi.messaging.Topics and BrokerConfig.User). An existing user name is refused.
# mosquitto reads both files at start and on SIGHUP: `systemctl reload mosquitto` afterwards.
set -euo pipefail

dir=/etc/mosquitto/diredi
if [ "${1:-}" = "--dir" ]; then
    dir=${2:?--dir needs a directory}
    shift 2
fi

usage() {
    sed -n '5,8p' "$0" | sed 's/^#   /usage: /' >&2
    exit 2
}
id_ok() { [[ $1 =~ ^[A-Za-z0-9_-]{1,64}$ ]]; }
need_id() {
    id_ok "$2" || { echo "$0: invalid $1 '$2': expected 1-64 characters of A-Z a-z 0-9 _ -" >&2; exit 2; }
}

role=${1:-}
p=diredi/v1/customers
case "$role" in
    device)
        [ $# -ge 3 ] && [ $# -le 5 ] || usage
        customer=$2 device=$3 user=${4:-$2-$3} profile=${5:-}
        need_id customer "$customer"; need_id device "$device"
        d="$p/$customer/devices/$device"
        block="# device $customer/$device
user $user
topic read $d/ota/#
topic write $d/detections
topic write $d/status
topic write $d/ota/report"
        if [ -n "$profile" ]; then
            need_id profile "$profile"
            block="$block
topic read $p/$customer/profiles/$profile/updates/#"
        fi
        ;;
    onprem)
        [ $# -ge 2 ] && [ $# -le 3 ] || usage
        customer=$2 user=${3:-$2-onprem}
        need_id customer "$customer"
        block="# on-prem trainer of $customer
user $user
topic write $p/$customer/onprem/delta/#
topic read $p/$customer/onprem/decision"
        ;;
    cloud)
        [ $# -eq 2 ] || usage
        user=$2
        block="# cloud
user $user
topic readwrite diredi/v1/#"
        ;;
    worker)
        [ $# -eq 2 ] || usage
        user=$2
        block="# cloud worker
user $user
topic read diredi/v1/cloud/jobs/+
topic write diredi/v1/cloud/decided/+"
        ;;
    *) usage ;;
esac
need_id "user name" "$user"

passwd_cmd=$(command -v mosquitto_passwd || true)
[ -n "$passwd_cmd" ] || { echo "$0: mosquitto_passwd not found (apt-get install mosquitto)" >&2; exit 1; }

mkdir -p "$dir"
acl="$dir/acl"
pw="$dir/passwd"
# Serialise concurrent runs: both files are read-modify-write.
exec 9>>"$dir/.add-device.lock"
command -v flock >/dev/null && flock 9

if [ -f "$acl" ] && grep -qx "user $user" "$acl"; then
    echo "$0: user '$user' already has a block in $acl" >&2
    exit 1
fi
if [ -f "$pw" ] && grep -q "^$user:" "$pw"; then
    echo "$0: user '$user' already exists in $pw" >&2
    exit 1
fi

generated=""
if [ -t 0 ]; then
    password=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')
    generated=1
else
    IFS= read -r password || true
fi
[ -n "$password" ] || { echo "$0: empty password on standard input" >&2; exit 2; }

# New files: mode 640 and, where Debian's mosquitto user exists, group mosquitto: mosquitto 2.0
# reads them after dropping root privileges. (mosquitto_passwd keeps mode and group on update.)
new_file() {
    (umask 027; : > "$1")
    if [ "$(id -u)" = 0 ] && getent group mosquitto >/dev/null 2>&1; then
        chgrp mosquitto "$1"
    fi
}
[ -f "$pw" ] || new_file "$pw"
# -b puts the password on mosquitto_passwd's command line for a moment; it never reaches a file
# unhashed (PBKDF2-SHA512). Run this on the broker host, not on a shared machine.
"$passwd_cmd" -b "$pw" "$user" "$password"
[ -f "$acl" ] || new_file "$acl"
printf '\n%s\n' "$block" >> "$acl"

echo "added $role account '$user' to $pw and $acl"
[ -z "$generated" ] || echo "password (shown once): $password"
echo "apply with: systemctl reload mosquitto   (or kill -HUP the broker)"
