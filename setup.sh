#!/bin/bash
# Install every package hypervisord needs to build, test and run its demo on
# Debian 12. Idempotent and non-interactive; run as root (or with sudo).
set -euo pipefail

cd "$(dirname "$0")"
packages=$(grep -v '^\s*#' tests/setup-packages.txt | grep -v '^\s*$' | sort -u)

as_root() {
        if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

missing=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' $packages 2>/dev/null |
          awk '$2 != "installed" {print $1}' || true)
# dpkg-query prints nothing for packages it has never heard of.
for p in $packages; do
        dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing="$missing $p"
done
missing=$(echo $missing | tr ' ' '\n' | sort -u | tr '\n' ' ')

# The test guest is built from Debian packages fetched with apt-get download: it needs
# package lists even when everything else is installed.
have_lists=$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' 2>/dev/null | head -n 1)

if [ -n "${missing// /}" ] || [ -z "$have_lists" ]; then
        export DEBIAN_FRONTEND=noninteractive
        as_root apt-get update -qq
        if [ -n "${missing// /}" ]; then
                echo "setup: installing:$missing"
                as_root apt-get install -y -qq --no-install-recommends $missing
        fi
else
        echo "setup: all $(echo $packages | wc -w) packages are installed"
fi

# ---- Test users for tests/polkit (owned by tests/polkit; keep this block alone) ----
# The polkit tests call the service as two unprivileged users on a private
# system bus. Create them if missing; no home, no login shell.
for user in hvtest1 hvtest2; do
        if ! getent passwd "$user" >/dev/null; then
                echo "setup: creating test user '$user'"
                as_root useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
        fi
done
