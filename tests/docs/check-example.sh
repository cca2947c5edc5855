#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# check-example.sh [--expect TEXT]... -- COMMAND [ARG...]
#
# Runs a documentation example (under with-hypervisord.sh, so against a
# private bus) and fails when it exits non-zero or when its output lacks one
# of the expected texts (fixed strings, matched line by line).
set -u

expected_file=$(mktemp "${TMPDIR:-/tmp}/hv-example-XXXXXX") || exit 1
output_file=$(mktemp "${TMPDIR:-/tmp}/hv-example-XXXXXX") || exit 1
trap 'rm -f "$expected_file" "$output_file"' EXIT

while [ $# -gt 0 ] && [ "$1" != -- ]; do
        [ "$1" = --expect ] && [ $# -ge 2 ] || { echo "check-example: bad argument '$1'" >&2; exit 2; }
        printf '%s\n' "$2" >> "$expected_file"
        shift 2
done
[ "${1:-}" = -- ] && [ $# -ge 2 ] || { echo "check-example: no command after '--'" >&2; exit 2; }
shift

"$@" > "$output_file" 2>&1
status=$?
cat "$output_file"
if [ $status -ne 0 ]; then
        echo "FAIL: '$*' exited with status $status" >&2
        exit 1
fi
missing=0
while IFS= read -r text; do
        if ! grep -qF -- "$text" "$output_file"; then
                echo "FAIL: the output lacks '$text'" >&2
                missing=1
        fi
done < "$expected_file"
[ $missing -eq 0 ] || exit 1
echo "ok: $(wc -l < "$expected_file") expected texts found"
