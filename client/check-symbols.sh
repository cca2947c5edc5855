#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The symbols a shared library exports must be exactly the global list of its
# version script: a new public function needs a map entry, and nothing
# internal (such as the generated D-Bus code) may leak.
set -eu
library="$1"
map="$2"

exported=$(mktemp)
listed=$(mktemp)
trap 'rm -f "$exported" "$listed"' EXIT

nm -D --defined-only "$library" | awk '$2 ~ /^[TDRBVW]$/ { sub(/@.*/, "", $3); print $3 }' |
        grep -v '^LIBHYPERVISOR_' | sort -u > "$exported"
sed -n '/global:/,/local:/p' "$map" | grep -o '[A-Za-z_][A-Za-z0-9_]*;' | tr -d ';' | sort -u > "$listed"

if ! diff -u "$listed" "$exported"; then
        echo "The exported symbols of $library differ from $map (- listed only, + exported only)" >&2
        exit 1
fi
echo "$(wc -l < "$exported") symbols exported, as listed in $(basename "$map")"
