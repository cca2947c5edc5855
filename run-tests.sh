#!/bin/bash
# Build hypervisord and run its whole test suite; ends with the line
# "N passed, N failed". Options: BUILD_DIR (default build), MESON_ARGS (extra
# meson setup arguments, e.g. -Db_sanitize=address,undefined), TEST_ARGS
# (extra meson test arguments, e.g. --suite bus).
set -uo pipefail

cd "$(dirname "$0")"
build=${BUILD_DIR:-build}

if [ ! -f "$build/build.ninja" ]; then
        meson setup "$build" ${MESON_ARGS:-} || { echo "0 passed, 1 failed"; exit 1; }
fi
if ! meson compile -C "$build"; then
        echo "build failed"
        echo "0 passed, 1 failed"
        exit 1
fi

meson test -C "$build" --print-errorlogs ${TEST_ARGS:-}
status=$?

# meson's own summary is not read by CI: count from its JSON log. A skipped test
# counts as failed, since no test here may skip silently.
/usr/bin/python3 - "$build/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = 0
with open(sys.argv[1], errors="replace") as f:
    for line in f:
        line = line.strip("\x00 \t\r\n")
        if not line:
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("result") in ("OK", "EXPECTEDFAIL"):
            passed += 1
        else:
            failed += 1
            print("not passed: %s (%s)" % (entry.get("name"), entry.get("result")))
print("%d passed, %d failed" % (passed, failed))
PY
exit $status
