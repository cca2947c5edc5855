#!/bin/bash
# Runs every libFuzzer target (fuzz-* executables) of a build configured with
# -Dfuzzing=true for a bounded time each, starting from its seed corpus (copied:
# the seeds in the tree are never written to).
#
#   tests/fuzz/run-fuzzers.sh BUILD_DIR SECONDS
#
# Prints per target the executions, the coverage and what it found, and ends
# with one line "N passed, N failed". A target passes when libFuzzer exits 0:
# a crash, leak, sanitizer report, timeout or out-of-memory fails it, and its
# reproducer is kept under BUILD_DIR/fuzz-artifacts/<target>/.
set -uo pipefail

if [ $# -ne 2 ] || ! [[ $2 =~ ^[0-9]+$ ]] || [ "$2" -lt 1 ]; then
        echo "usage: $0 BUILD_DIR SECONDS" >&2
        echo "0 passed, 1 failed"
        exit 2
fi
build=$1
seconds=$2
source_root=$(cd "$(dirname "$0")/../.." && pwd)

# Where a target's seeds live: tests/fuzz/corpus/<target>, or next to the
# target's own tests.
corpus_of() {
        case $1 in
        fuzz-domain-xml) echo "$source_root/tests/domain-xml/data" ;;
        *) echo "$source_root/tests/fuzz/corpus/$1" ;;
        esac
}

mapfile -t targets < <(find "$build" -type f -name 'fuzz-*' -perm -u+x ! -name '*.p' 2>/dev/null | sort)
if [ ${#targets[@]} -eq 0 ]; then
        echo "no fuzz-* executables in '$build' (configure it with -Dfuzzing=true and build it)"
        echo "0 passed, 1 failed"
        exit 1
fi

# UBSan only reports by default; a finding must stop the run and fail it.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
for binary in "${targets[@]}"; do
        name=$(basename "$binary")
        seeds=$(corpus_of "$name")
        echo "==== $name ($seconds s) ===="
        if [ ! -d "$seeds" ] || [ -z "$(ls -A "$seeds")" ]; then
                echo "$name: FAILED: no seed corpus at '$seeds'"
                failed=$((failed + 1))
                continue
        fi
        corpus="$work/$name"
        mkdir -p "$corpus"
        cp -r "$seeds/." "$corpus/"
        artifacts="$build/fuzz-artifacts/$name"
        rm -rf "$artifacts"
        mkdir -p "$artifacts"
        dict_args=()
        dict="$(dirname "$(find "$source_root/tests" -name "$name.c" -print -quit)")/$name.dict"
        [ -f "$dict" ] && dict_args=(-dict="$dict")

        log="$work/$name.log"
        # The outer timeout only guards against libFuzzer itself hanging.
        timeout --kill-after=10 $((seconds + 120)) "$binary" \
                -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
                -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict_args[@]}" \
                "$corpus" >"$log" 2>&1
        status=$?

        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        cov=$(grep -E '^#[0-9]+.*cov: [0-9]+' "$log" | tail -n 1 | sed -E 's/.*cov: ([0-9]+) ft: ([0-9]+).*/\1 edges, \2 features/')
        corpus_size=$(find "$corpus" -type f | wc -l)
        found=$(grep -E '^(==[0-9]+==ERROR|SUMMARY: |.*runtime error:|==[0-9]+== ERROR: libFuzzer)' "$log" | head -n 3)
        if [ "$status" = 0 ] && [ -z "$(ls -A "$artifacts")" ]; then
                echo "$name: passed: ${execs:-?} execs, cov: ${cov:-?}, corpus $corpus_size inputs, found nothing"
                rmdir "$artifacts" 2>/dev/null
                passed=$((passed + 1))
        else
                echo "$name: FAILED (exit $status): ${execs:-?} execs, cov: ${cov:-?}"
                echo "${found:-(no sanitizer report; see the log below)}"
                ls "$artifacts" | sed "s|^|  reproducer: $artifacts/|"
                tail -n 40 "$log"
                failed=$((failed + 1))
        fi
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
