# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Sourced by survey.sh and survey-libvirt.sh: runs a command beside the build's
# hypervisord --session on a private session bus.
#
#   hv_write_config WORK_DIR
#   hv_with_session_daemon BUILD_DIR WORK_DIR COMMAND [ARGUMENT...]
#
# hv_write_config writes WORK_DIR/hypervisord.conf: the QEMU engine by default, and the
# lines of $SURVEY_CONFIG after it (printf escapes, e.g. '[Display]\nListenAddresses=127.0.0.1').
#
# WORK_DIR/hypervisord.conf is the daemon's configuration; its state, runtime and log
# folders go under WORK_DIR, its standard error to WORK_DIR/daemon.log. The daemon is
# stopped when COMMAND ends, and COMMAND's exit status is returned.

hv_write_config() {
        printf '[Manager]\nDefaultEngine=qemu\n' >"$1/hypervisord.conf"
        [ -z "${SURVEY_CONFIG:-}" ] || printf "$SURVEY_CONFIG\n" >>"$1/hypervisord.conf"
}

hv_with_session_daemon() {
        local build=$1 work=$2
        shift 2
        dbus-run-session -- bash -c '
                build=$1 work=$2
                shift 2
                STATE_DIRECTORY=$work/state RUNTIME_DIRECTORY=$work/run LOGS_DIRECTORY=$work/log \
                        "$build/service/hypervisord" --session --config "$work/hypervisord.conf" 2>"$work/daemon.log" &
                daemon=$!
                for i in $(seq 100); do
                        busctl --user status org.example.Hypervisor >/dev/null 2>&1 && break
                        sleep 0.1
                done
                status=0
                "$@" || status=$?
                kill $daemon
                wait $daemon 2>/dev/null || true
                exit $status
        ' hv-session-daemon "$build" "$work" "$@"
}
