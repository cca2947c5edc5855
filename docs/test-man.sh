#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Formats each man page with groff, all warnings on; any warning fails.
#
# Usage: test-man.sh PAGE...

command -v groff >/dev/null || { echo "FAIL: groff not found (package groff-base)" >&2; exit 1; }
[ $# -gt 0 ] || { echo "usage: $0 PAGE..." >&2; exit 2; }

status=0
for page in "$@"; do
        if ! warnings=$(groff -man -ww -z -t "$page" 2>&1); then
                echo "FAIL: groff failed on '$page': $warnings" >&2
                status=1
        elif [ -n "$warnings" ]; then
                echo "FAIL: '$page':" >&2
                echo "$warnings" >&2
                status=1
        else
                echo "ok: $page"
        fi
done
exit $status
