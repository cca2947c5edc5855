#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The performance table of hypervisord: runs the bench programs of a build
# directory (it builds nothing), collects their `RESULT key value unit` lines
# and prints one table: figure | ours | reference (same run) | ratio | goal | met?
#
#   tests/bench/run-benchmarks.sh [--quick | --tiny] [--with-libvirt] [BUILD_DIR]
#
#   (default)       the full sizes: 10,000 defined VMs, 1,000 simulator VMs, ...
#   --quick         smaller N, a couple of minutes
#   --tiny          a smoke run (seconds), to check that every row is produced
#   --check         exit 1 also when a row of the table could not be filled
#   --with-libvirt  also compare with libvirt: installs libvirt-daemon, libvirt-clients
#                   and libvirt-dbus with apt-get (never a dependency of the project),
#                   starts virtlogd and libvirtd for the run unless one already runs,
#                   and stops what it started.
#
# The daemon measured is the build directory's, or HV_DAEMON (as in the bus tests).
# The raw output of every program and the collected RESULT lines are kept in
# BUILD_DIR/bench-results/<date>/. Exit status 1 if a program failed (its rows
# then say so), 0 otherwise; a missed goal is a figure, not a failure.

set -u

mode=full
with_libvirt=no
check=no
build=
for arg in "$@"; do
        case "$arg" in
        --quick) mode=quick ;;
        --tiny) mode=tiny ;;
        --full) mode=full ;;
        --with-libvirt) with_libvirt=yes ;;
        --check) check=yes ;;
        -h | --help)
                sed -n '4,/^$/s/^# \{0,1\}//p' "$0"
                exit 0
                ;;
        -*)
                echo "run-benchmarks.sh: unknown option '$arg'" >&2
                exit 2
                ;;
        *) build=$arg ;;
        esac
done
build=${build:-build}
bench="$build/tests/bench"
for program in bench-floor bench-service bench-qemu bench-ch bench-scale bench-libvirt; do
        if [ ! -x "$bench/$program" ]; then
                echo "run-benchmarks.sh: no '$bench/$program' (build the project in '$build' first)" >&2
                exit 2
        fi
done

# Sizes: floor reads/defines, service VMs/reads, QEMU boot/event rounds, ch VMs/calls,
# scale VMs, libvirt defined/reads/boot rounds.
case "$mode" in
full)
        floor_args="20000 500" service_args="10000 20000" qemu_args="10 20" ch_args="100 2000"
        scale_args="1000" libvirt_args="1000 5000 10"
        ;;
quick)
        floor_args="5000 200" service_args="2000 5000" qemu_args="5 5" ch_args="50 500"
        scale_args="300" libvirt_args="300 2000 3"
        ;;
tiny)
        floor_args="300 20" service_args="100 300" qemu_args="1 1" ch_args="5 50"
        scale_args="20" libvirt_args="20 200 1"
        ;;
esac

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$build/bench-results/$stamp"
mkdir -p "$out"
results="$out/results.txt"
: >"$results"
failed=()

# The daemon gets the soft limit on open files that systemd gives a service by
# default (1024; HV_BENCH_NOFILE to change it): raising it is the daemon's business.
# bench-scale raises its own limit after the daemon has started.
ulimit -Sn "${HV_BENCH_NOFILE:-1024}" 2>/dev/null || true

# Engines that something else left running (a test that was killed, say) take CPU from
# every figure: one idle TCG guest tripled the event figures' p99 in one run.
strays=$(pgrep -f -c '(^|/)(qemu-system-[^ ]*|cloud-hypervisor) ' || true)
if [ "${strays:-0}" -gt 0 ]; then
        echo "run-benchmarks.sh: warning: $strays QEMU or cloud-hypervisor processes were already running; the figures will be worse" >&2
fi

run() {
        local program=$1
        shift
        local start=$SECONDS
        echo ">> $program $*" >&2
        "$bench/$program" "$@" >"$out/$program.log" 2>&1
        local status=$?
        echo "   $program: exit $status after $((SECONDS - start)) s (log: $out/$program.log)" >&2
        if [ $status -ne 0 ]; then
                failed+=("$program")
                tail -5 "$out/$program.log" | sed 's/^/   | /' >&2
        fi
        grep -E '^(RESULT|NOTE) ' "$out/$program.log" | sed "s/^/$program /" >>"$results"
}

started_libvirtd=
started_virtlogd=
libvirt_pid_dir=
stop_libvirt() {
        # Only what this script started, by the pid it wrote.
        for pid_file in $started_libvirtd $started_virtlogd; do
                [ -s "$pid_file" ] && kill "$(cat "$pid_file")" 2>/dev/null
        done
        [ -n "$libvirt_pid_dir" ] && rm -rf "$libvirt_pid_dir"
        started_libvirtd= started_virtlogd= libvirt_pid_dir=
}
trap stop_libvirt EXIT

prepare_libvirt() {
        if ! dpkg -s libvirt-daemon libvirt-clients libvirt-dbus >/dev/null 2>&1; then
                echo ">> apt-get install libvirt-daemon libvirt-clients libvirt-dbus (for this comparison only)" >&2
                DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
                        libvirt-daemon libvirt-clients libvirt-dbus >"$out/apt-get.log" 2>&1 || {
                        echo "run-benchmarks NOTE lv.install apt-get install failed (see $out/apt-get.log)" >>"$results"
                        return 1
                }
        fi
        # As uid 0 the libvirt client sends qemu:///session to the privileged daemon's socket.
        if [ "$(id -u)" = 0 ] && [ ! -S /run/libvirt/libvirt-sock ]; then
                local dir
                dir=$(mktemp -d /tmp/hv-bench-libvirtd-XXXXXX)
                libvirt_pid_dir=$dir
                if [ ! -S /run/libvirt/virtlogd-sock ]; then
                        /usr/sbin/virtlogd -d -p "$dir/virtlogd.pid" && started_virtlogd="$dir/virtlogd.pid"
                fi
                /usr/sbin/libvirtd -d -p "$dir/libvirtd.pid" && started_libvirtd="$dir/libvirtd.pid"
                for _ in $(seq 50); do
                        [ -S /run/libvirt/libvirt-sock ] && break
                        sleep 0.1
                done
        fi
        return 0
}

started_at=$(date -u '+%Y-%m-%d %H:%M UTC')
run bench-floor $floor_args
run bench-service $service_args
run bench-qemu $qemu_args
run bench-ch $ch_args
run bench-scale $scale_args
if [ $with_libvirt = yes ]; then
        if prepare_libvirt; then
                run bench-libvirt $libvirt_args
        fi
        stop_libvirt
fi

# ---- the table -------------------------------------------------------------------

# $(get key): the value of a RESULT key, empty when missing.
get() { awk -v k="$1" '$2 == "RESULT" && $3 == k { v = $4 } END { print v }' "$results"; }
note() { awk -v k="$1" '$2 == "NOTE" && $3 == k { $1 = $2 = $3 = ""; sub(/^ +/, ""); print }' "$results"; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
# test "$(is a OP b)" = yes
is() { awk -v a="$1" -v b="$3" "BEGIN { print ((a $2 b) ? \"yes\" : \"no\") }"; }

unfilled=0
row() {
        case "$2" in n/a*) unfilled=$((unfilled + 1)) ;; esac
        printf '| %s | %s | %s | %s | %s | %s |\n' "$@"
}
missing="n/a"

echo
echo "hypervisord performance, $mode run, $started_at, $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -r)"
echo "daemon: ${HV_DAEMON:-$build/service/hypervisord}"
[ "${strays:-0}" -gt 0 ] && echo "warning: $strays QEMU or cloud-hypervisor processes were already running before the run"
echo
row "figure" "ours" "reference (same run)" "ratio" "goal" "met?"
row "---" "---" "---" "---" "---" "---"

v=$(get vm.read.p50) f=$(get floor.read.p50)
if [ -n "$v" ] && [ -n "$f" ]; then
        r=$(calc %.2f "$v / $f")
        row "VM property read p50, one client (ms)" "$v" "$f (sd-bus echo)" "${r}x" "<= 1.3x floor" "$(is "$r" "<=" 1.3)"
        v99=$(get vm.read.p99) f99=$(get floor.read.p99)
        row "VM property read p99 (ms)" "$v99" "$f99 (sd-bus echo)" "$(calc %.2f "$v99 / $f99")x" "-" "-"
        vr=$(get vm.read.rate) fr=$(get floor.read.rate)
        row "VM property read, calls/s, one client" "$vr" "$fr (sd-bus echo)" "$(calc %.2f "$vr / $fr")x" "-" "-"
else
        row "VM property read p50/p99, calls/s" $missing $missing $missing "<= 1.3x floor" "bench-floor failed"
fi

n=$(get service.vms)
for figure in getxml listvms; do
        label=$([ $figure = getxml ] && echo GetXML || echo ListVMs)
        v=$(get $figure.p99)
        if [ -n "$v" ] && [ $figure = listvms ]; then
                f=$(get listvms.floor.p99)
                row "$label p99 with $n defined VMs (ms)" "$v" "$f (sd-bus echo answering the same $n paths; p50 $(get listvms.p50) vs $(get listvms.floor.p50))" "$(calc %.2f "$v / $f")x" "< 10 ms" "$(is "$v" "<" 10)"
                v=$(get listvms.sd_bus.p99) f=$(get listvms.sd_bus.floor.p99)
                row "$label p99 with $n defined VMs, sd-bus client (ms)" "$v" "$f (the same echo, same client; p50 $(get listvms.sd_bus.p50) vs $(get listvms.sd_bus.floor.p50))" "$(calc %.2f "$v / $f")x" "< 10 ms" "$(is "$v" "<" 10)"
        elif [ -n "$v" ]; then
                row "$label p99 with $n defined VMs (ms)" "$v" "-" "-" "< 10 ms" "$(is "$v" "<" 10)"
        else
                row "$label p99 with N defined VMs" $missing "-" "-" "< 10 ms" "bench-service failed"
        fi
done

v=$(get vm.define.rate) f=$(get floor.define.rate)
if [ -n "$v" ] && [ -n "$f" ]; then
        r=$(calc %.2f "$v / $f")
        row "DefineVM durable, per second (median based)" "$v" "$f (write+fsync+rename+fsync dir)" "${r}x" ">= 0.8x floor" "$(is "$r" ">=" 0.8)"
else
        row "DefineVM durable, per second" $missing $missing $missing ">= 0.8x floor" "bench-floor failed"
fi
v=$(get vm.define_in_flight.rate) f=$(get floor.define_in_flight.rate)
if [ -n "$v" ] && [ -n "$f" ]; then
        r=$(calc %.2f "$v / $f")
        row "DefineVM durable, per second, $(get vm.define_in_flight.calls) calls in flight (one folder sync per batch)" "$v" "$f (write+fsync+rename+fsync dir, one after the other)" "${r}x" ">= 0.8x floor" "$(is "$r" ">=" 0.8)"
else
        row "DefineVM durable, per second, calls in flight" $missing $missing $missing ">= 0.8x floor" "bench-floor failed"
fi
v=$(get vm.read_during_defines.p99) f=$(get vm.read.p99)
if [ -n "$v" ] && [ -n "$f" ]; then
        row "VM property read p99 while another client defines VMs (ms)" "$v" "$f (same read, nothing else running); p50 $(get vm.read_during_defines.p50), $(get vm.read_during_defines.n) reads" "$(calc %.2f "$v / $f")x" "-" "-"
else
        row "VM property read p99 while another client defines VMs" $missing $missing $missing "-" "bench-floor failed"
fi

v=$(get qemu.boot.median) f=$(get qemu.raw.median) o=$(get qemu.boot.overhead)
if [ -n "$v" ]; then
        row "QEMU Boot call to running, median of $(get qemu.rounds) (ms)" "$v" "$f (raw QEMU, same argv); per-round difference, median $(calc %+.1f "$(get qemu.boot.overhead.paired)") ms" "$(calc %+.1f "$o") ms" "overhead < 5 ms" "$(is "$o" "<" 5)"
else
        row "QEMU Boot overhead" $missing $missing $missing "overhead < 5 ms" "bench-qemu failed"
fi

v=$(get qmp.event.p99)
if [ -n "$v" ]; then
        row "QMP SHUTDOWN to GuestEvent at a client, p99 of $(get qmp.rounds) (ms)" "$v" "p50 $(get qmp.event.p50)" "-" "< 1 ms" "$(is "$v" "<" 1)"
else
        row "QMP SHUTDOWN to GuestEvent, p99" $missing "-" "-" "< 1 ms" "bench-qemu failed"
fi
v=$(get qmp.written.p99)
if [ -n "$v" ]; then
        f=$(get qmp.written.floor.p99)
        row "QMP event written (stand-in QEMU) to GuestEvent at a client, p99 of $(get qmp.written.count) (ms)" "$v" "$f (floor: sd-bus echo sending on a tick written to it, same way); p50 $(get qmp.written.p50) vs $(get qmp.written.floor.p50)" "$(calc %.2f "$v / $f")x" "< 1 ms" "$(is "$v" "<" 1)"
else
        row "QMP event written (stand-in QEMU) to GuestEvent, p99" $missing "-" "-" "< 1 ms" "bench-qemu failed"
fi
v=$(get ch.event.net.p99)
if [ -n "$v" ]; then
        row "event-monitor record to GuestEvent, p99 of $(get ch.event.samples), net of control round trip (ms)" "$v" "$(get ch.event.p99) gross; control $(get ch.control.p50)" "-" "< 1 ms" "$(is "$v" "<" 1)"
else
        row "event-monitor record to GuestEvent, p99" $missing "-" "-" "< 1 ms" "bench-ch failed"
fi

v=$(get rss.idle.anon)
if [ -n "$v" ]; then
        row "daemon RssAnon idle (KiB)" "$v" "-" "-" "< 4096 KiB" "$(is "$v" "<" 4096)"
        v=$(get rss.per_defined)
        row "daemon RssAnon per defined VM, $n defined (KiB)" "$v" "-" "-" "< 8 KiB" "$(is "$v" "<" 8)"
else
        row "daemon RssAnon idle / per defined VM" $missing "-" "-" "< 4 MiB / < 8 KiB" "bench-service failed"
fi
v=$(get qemu.anon.per_running)
[ -n "$v" ] && row "daemon RssAnon per running QEMU VM, 5 running (KiB)" "$v" "-" "-" "< 64 KiB" "$(is "$v" "<" 64)"
v=$(get scale.anon.per_running) s=$(get scale.vms)
if [ -n "$v" ]; then
        running=$(get scale.running)
        row "daemon RssAnon per running VM, $running simulator VMs running (KiB)" "$v" "$(get scale.anon.before) -> $(get scale.anon.after) KiB" "-" "< 64 KiB" "$(is "$v" "<" 64)"
        row "$s VMs booted at once on the simulator: running" "$running of $s" "all Boots answered in $(get scale.boot_all) s, $(get scale.failed) failed" "-" "all running" "$(get scale.all_running)"
        v=$(get scale.read.p99)
        row "property reads on other VMs meanwhile, p99 (ms)" "$v" "p50 $(get scale.read.p50), max $(get scale.read.max), $(get scale.read.count) reads, $(get scale.read.errors) failed" "-" "< 5 ms" "$(is "$v" "<" 5)"
        row "daemon open fds, $s simulator VMs running" "$(get scale.fds.after)" "$(get scale.fds.before) before" "-" "-" "-"
        e=$(note scale.first_error)
        [ -n "$e" ] && row "first Boot error" "$e" "" "" "" ""
else
        row "N simulator VMs at once" $missing "-" "-" "all running; reads p99 < 5 ms" "bench-scale failed"
fi

if [ $with_libvirt = yes ]; then
        echo
        echo "against libvirt (libvirt-dbus on the same private bus; ratio = how many times faster ours is)"
        echo
        row "figure" "ours" "libvirt" "ratio" "goal" "met?"
        row "---" "---" "---" "---" "---" "---"
        lv_row() { # key label kind(ms|rate) goal-applies(yes|no)
                local o l r
                o=$(get "lv.$1.ours") l=$(get "lv.$1.libvirt")
                if [ -z "$o" ] || [ -z "$l" ]; then
                        row "$2" $missing $missing $missing ">= 5x" "not measured"
                        return
                fi
                if [ "$3" = ms ]; then r=$(calc %.2f "$l / $o"); else r=$(calc %.2f "$o / $l"); fi
                if [ "$4" = yes ]; then
                        row "$2" "$o" "$l" "${r}x" ">= 5x" "$(is "$r" ">=" 5)"
                else
                        row "$2" "$o" "$l" "${r}x" "not comparable" "-"
                fi
        }
        nd=$(get lv.defined)
        lv_row read.p50 "property read (Name) p50, ms; libvirt test:///default" ms yes
        lv_row read.p99 "property read (Name) p99, ms; libvirt test:///default" ms yes
        lv_row list.p50 "ListVMs / ListDomains with $nd defined, p50 ms; test driver" ms yes
        lv_row list.p99 "ListVMs / ListDomains with $nd defined, p99 ms; test driver" ms yes
        lv_row xml.p50 "GetXML / GetXMLDesc, p50 ms; test driver" ms yes
        lv_row xml.p99 "GetXML / GetXMLDesc, p99 ms; test driver" ms yes
        lv_row define_test "DefineVM (durable) / DomainDefineXML on the test driver (memory only), per s" rate no
        if [ "$(get lv.qemu.available)" = yes ]; then
                lv_row define_qemu "DefineVM / DomainDefineXML on qemu:///session (file written), per s" rate yes
                lv_row boot.median "Boot / Create of the test guest (TCG), median of $(get lv.boot.rounds), ms" ms yes
        fi
        l=$(get lv.read.p50.libvirt) f=$(get floor.read.p50)
        if [ -n "$l" ] && [ -n "$f" ]; then
                echo
                echo "bound: a read through this bus costs at least the floor, $f ms (p50, bench-floor); libvirt's"
                echo "test-driver read is $l ms, so no service on this bus can read more than $(calc %.1f "$l / $f")x faster than it."
        fi
        for key in lv.qemu lv.boot lv.install; do
                e=$(note $key)
                [ -n "$e" ] && echo "note: $e"
        done
fi

echo
echo "raw output: $out"
if [ ${#failed[@]} -gt 0 ]; then
        echo "failed: ${failed[*]}" >&2
        exit 1
fi
if [ $check = yes ] && [ $unfilled -gt 0 ]; then
        echo "$unfilled rows could not be filled" >&2
        exit 1
fi
exit 0
