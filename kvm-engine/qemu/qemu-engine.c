/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The QEMU engine: probe, validation, the process and its QMP connection,
 * stop, events, the exit, re-attach. Starting QEMU (boot or restore) is in
 * qemu-start.c, commands on a running VM in qemu-operations.c.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "engine-words.h"
#include "qemu-error-line.h"
#include "qemu-vm.h"
#include "unix-socket.h"
#include "version-query.h"

#define QEMU_DEFAULT_BINARY "qemu-system-x86_64"
/* How long QEMU may take to leave after 'quit' before it is killed. */
#define QEMU_QUIT_GRACE_USEC (2 * G_USEC_PER_SEC)
/* RESETs closer together than this are one reboot (no guest boots again that fast). */
#define QEMU_RESET_REPEAT_USEC (2 * G_USEC_PER_SEC)
#define QEMU_LOG_TAIL_LINES 10

const char *const qemu_environment[] = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8", NULL};

bool qemu_kvm_usable(bool turned_off, char **ret_reason) {
        if (turned_off) {
                if (ret_reason)
                        *ret_reason = g_strdup("turned off in hypervisord.conf: [qemu] KVM=false");
                return false;
        }
        int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (fd < 0) {
                if (ret_reason)
                        *ret_reason = g_strdup_printf("/dev/kvm: %s", g_strerror(errno));
                return false;
        }
        close(fd);
        return true;
}

/* "QEMU emulator version 7.2.19 (Debian ...)" -> "7.2.19", or NULL. */
static char *qemu_parse_version_output(const char *output) {
        const char *v = strstr(output, "version ");
        if (!v)
                return NULL;
        v += strlen("version ");
        return g_strndup(v, strspn(v, "0123456789."));
}

static bool qemu_probe(const EngineSettings *settings, EngineProbe *ret, GError **error) {
        const char *name = settings && settings->binary ? settings->binary : QEMU_DEFAULT_BINARY;

        ret->tcg = true;
        ret->kvm = qemu_kvm_usable(settings && !settings->use_kvm, NULL);
        g_strfreev(ret->hotplug);
        ret->hotplug = g_strsplit("disk", ",", -1);

        version_query_probe(name, qemu_environment, qemu_parse_version_output, ret);
        return true;
}

static bool qemu_validate(const EngineSettings *settings, const EngineProbe *probe, const VmConfig *config,
                          GError **error) {
        /* What needs KVM (a host CPU model, Hyper-V's KVM-only parts) is not checked here: it is
         * checked in qemu_argv_build() at Boot, against the accelerator the VM really gets. */
        if (!qemu_config_check(config, error))
                return false;

        if (config->type == VM_DOMAIN_KVM && !probe->kvm && !(settings && settings->tcg_fallback)) {
                g_autofree char *reason = NULL;
                if (!qemu_kvm_usable(settings && !settings->use_kvm, &reason))
                        g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                                    "KVM is not available (%s); use <domain type='qemu'> or enable tcg_fallback",
                                    reason);
                else
                        g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                                    "KVM was not available when the service started");
                return false;
        }
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                /* VFIO for PCI functions and mediated devices; USB and SCSI ones are nodes of their own. */
                bool vfio = device->kind == VM_DEVICE_HOSTDEV && (device->hostdev.type == VM_HOSTDEV_PCI ||
                                                                  device->hostdev.type == VM_HOSTDEV_MDEV);
                const char *node = device->kind == VM_DEVICE_VSOCK ? "/dev/vhost-vsock" : vfio ? "/dev/vfio/vfio" : NULL;
                if (node && access(node, R_OK | W_OK) < 0) {
                        g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED, "<%s> needs %s: %s",
                                    vm_device_kind_to_string(device->kind), node, g_strerror(errno));
                        return false;
                }
        }
        return true;
}

/* ---- the VM's and the op's own parts (engine-vm.h, engine-op.h) ---- */

static void qemu_op_finishing(EngineOp *base_op) {
        QemuOp *op = (QemuOp *) base_op;
        owner_child_cancel(g_steal_pointer(&op->nvram_child));
        if (op->own_transition)
                qemu_op_vm(op)->own_transitions--;
}

static void qemu_op_clear(EngineOp *base_op) {
        QemuOp *op = (QemuOp *) base_op;
        /* A restore's only: the stop op the shared skeleton makes (engine-vm.c) is zeroed, not
         * made by qemu_op_new(), and its 0 is no descriptor of its own. */
        if (op->base.kind == ENGINE_OP_RESTORE && op->restore_fd >= 0)
                close(op->restore_fd);
        g_free(op->node_name);
        qemu_screenshot_free(op->screenshot);
}

static void qemu_vm_clear(EngineVmBase *base_vm) {
        QemuVm *vm = (QemuVm *) base_vm;
        sd_event_source_disable_unref(vm->reboot_timer);
        qmp_client_free(vm->qmp);
        g_free(vm->qmp_path);
        g_free(vm->console_path);
        g_free(vm->shutdown_reason);
        g_free(vm->tcg_fallback_reason);
        g_clear_pointer(&vm->port_owners, g_ptr_array_unref);
        g_clear_pointer(&vm->disk_nodes, g_hash_table_unref);
        g_clear_pointer(&vm->net_backends, g_hash_table_unref);
        if (vm->nvram_fd >= 0)
                close(vm->nvram_fd);
        if (vm->nvram_template_fd >= 0)
                close(vm->nvram_template_fd);
        qemu_tpm_free(vm->tpm);
}

static const EngineVmClass qemu_vm_class = {
        .op_size = sizeof(QemuOp),
        .op_finishing = qemu_op_finishing,
        .op_clear = qemu_op_clear,
        .vm_clear = qemu_vm_clear,
};

QemuOp *qemu_op_new(QemuVm *vm, EngineOpKind kind, EngineDoneFn done, void *userdata) {
        QemuOp *op = (QemuOp *) engine_op_new(&vm->base, kind, done, userdata);
        op->port = -1;
        op->restore_fd = -1;
        return op;
}

bool qemu_op_require_qmp(QemuOp *op) {
        if (qemu_op_vm(op)->qmp && op->base.vm->process && !op->base.vm->stopping)
                return true;
        engine_op_fail_later_literal(&op->base, HV_ERROR_INVALID_STATE,
                                     op->base.vm->process ? "QEMU is shutting down" : "QEMU is not running");
        return false;
}

static GVariant *qemu_json_object_to_variant(JsonObject *data) {
        if (!data)
                return NULL;
        g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
        json_node_set_object(node, data);
        g_autoptr(GError) error = NULL;
        GVariant *v = json_gvariant_deserialize(node, NULL, &error);
        if (!v || !g_variant_is_of_type(v, G_VARIANT_TYPE_VARDICT)) {
                if (v)
                        g_variant_unref(v);
                return NULL;
        }
        return v;
}

void qemu_vm_emit_guest_event(QemuVm *vm, const char *name, const char *engine_event, JsonObject *data,
                              const char *device_id) {
        g_autoptr(GVariant) details = qemu_json_object_to_variant(data);
        engine_vm_base_emit_guest(&vm->base, name, engine_event, details, device_id,
                                  vm->qmp ? qmp_client_get_event_timestamp(vm->qmp) : 0);
}

/* What GetInfo's 'accelerator-fallback' says, and the 'reason' of its GuestEvent. */
GVariant *qemu_tcg_fallback_text(QemuVm *vm) {
        return g_variant_new_take_string(g_strdup_printf(
                "the VM asks for KVM (<domain type='kvm'>), which is not available (%s): it runs under TCG",
                vm->tcg_fallback_reason));
}

/* A <domain type='kvm'> booted under TCG: said once, before its 'booted'. */
void qemu_vm_emit_tcg_fallback(QemuVm *vm) {
        GVariantDict details;

        g_variant_dict_init(&details, NULL);
        g_variant_dict_insert(&details, "accelerator", "s", "tcg");
        g_variant_dict_insert_value(&details, "reason", qemu_tcg_fallback_text(vm));
        g_autoptr(GVariant) variant = g_variant_ref_sink(g_variant_dict_end(&details));
        engine_vm_base_emit_guest(&vm->base, "accelerator-fallback", NULL, variant, NULL,
                                  vm->qmp ? qmp_client_get_event_timestamp(vm->qmp) : 0);
}

/* ---- the process ---- */

static int qemu_on_kill_timer(sd_event_source *source, uint64_t usec, void *userdata) {
        QemuVm *vm = userdata;
        vm->base.kill_timer = sd_event_source_disable_unref(vm->base.kill_timer);
        if (vm->base.process)
                (void) process_send_signal(vm->base.process, SIGKILL);
        return 0;
}

void qemu_vm_kill(QemuVm *vm) {
        if (vm->base.process)
                (void) process_send_signal(vm->base.process, SIGKILL);
}

static EngineExitReason qemu_exit_reason(QemuVm *vm) {
        if (vm->base.stopping)
                return ENGINE_EXIT_REQUESTED;
        if (vm->panicked)
                return ENGINE_EXIT_GUEST_PANIC;
        const char *reason = vm->shutdown_reason;
        if (!reason)
                return ENGINE_EXIT_CRASHED;
        if (g_str_equal(reason, "guest-shutdown"))
                return ENGINE_EXIT_GUEST_POWEROFF;
        if (g_str_equal(reason, "guest-reset") || g_str_equal(reason, "host-qmp-system-reset"))
                return ENGINE_EXIT_GUEST_RESET;
        if (g_str_equal(reason, "guest-panic"))
                return ENGINE_EXIT_GUEST_PANIC;
        if (g_str_equal(reason, "host-qmp-quit"))
                return ENGINE_EXIT_REQUESTED;
        return ENGINE_EXIT_CRASHED; /* host-signal and the like: it went unasked */
}

void qemu_on_process_exit(Process *process, const ProcessExit *exit_info, void *userdata) {
        QemuVm *vm = userdata;

        /* Described before the process is freed: the description names its binary. */
        g_autofree char *how = process_describe_exit(process, exit_info);

        engine_vm_base_ref(&vm->base);
        /* The pidfd can fire before the last events were read (SHUTDOWN just before the
         * exit): take them in first, so the exit is explained by them. */
        if (vm->qmp)
                qmp_client_read_pending(vm->qmp);
        g_clear_pointer(&vm->base.process, process_free);
        g_clear_pointer(&vm->qmp, qmp_client_free); /* drops its pending replies silently */
        vm->base.kill_timer = sd_event_source_disable_unref(vm->base.kill_timer);
        vm->reboot_timer = sd_event_source_disable_unref(vm->reboot_timer);
        vm->reboot_action_reset = false;
        if (vm->qmp_path)
                (void) unlink(vm->qmp_path);
        qemu_tpm_stop(vm->tpm); /* swtpm goes with its QEMU */

        g_autofree char *tail = process_read_log_tail(vm->base.log_path, QEMU_LOG_TAIL_LINES);
        g_autoptr(GError) gone = NULL;

        /* A start that did not finish fails with QEMU's own last words. */
        EngineOp *start = engine_vm_base_find_start(&vm->base);
        if (start) {
                g_autofree char *last = engine_vm_base_last_words(&vm->base);
                g_autofree char *last_lines = process_read_log_tail(vm->base.log_path, 3);
                g_autofree char *cause = qemu_error_cause(last_lines);
                bool timed_out = start->error && g_error_matches(start->error, HV_ERROR, HV_ERROR_TIMEOUT);

                if (exit_info->kind == PROCESS_EXIT_NOT_RUN) {
                        /* It never ran: what we saw of its sockets (a connection reset as the
                         * descriptors closed) follows from that, and would vary with timing. */
                        gone = g_error_new(HV_ERROR, HV_ERROR_ENGINE_FAILED, "QEMU %s during start-up", how);
                } else if (cause && !timed_out) {
                        /* QEMU said why it stopped: its words first ("Could not open 'x.qcow2': ..."), then
                         * the context, including what we saw of it (a QMP socket reset as it exited). */
                        g_autofree char *quoted = engine_words_quote(cause, -1, ENGINE_WORDS_MAX);
                        gone = g_error_new(HV_ERROR, HV_ERROR_ENGINE_FAILED, "%s (QEMU %s during start-up: %s%s%s)",
                                           quoted, how, last ? last : "", start->error ? "; " : "",
                                           start->error ? start->error->message : "");
                } else {
                        gone = g_error_new(HV_ERROR, HV_ERROR_ENGINE_FAILED, "QEMU %s during start-up%s%s", how,
                                           last ? ": " : "", last ? last : "");
                        /* We gave up on it (it did not answer in time, or answered nonsense): that is
                         * the cause, so it comes first and decides the error (Timeout for silence). */
                        if (start->error) {
                                g_prefix_error(&gone, "%s; ", start->error->message);
                                if (start->error->domain == HV_ERROR)
                                        gone->code = start->error->code;
                        }
                }
                vm->base.silent_exit = true;
        } else
                gone = g_error_new(HV_ERROR, HV_ERROR_ENGINE_FAILED, "QEMU %s", how);

        /* Stops succeed now; everything else waiting on this process fails: all of it
         * before the exit is reported (engine.h), so the owner sees every answer first. */
        bool silent = vm->base.silent_exit;
        engine_vm_base_fail_pending(&vm->base, gone);

        if (!silent && !vm->base.freed)
                engine_vm_base_emit_exited(&vm->base, qemu_exit_reason(vm), exit_info->status, tail);

        vm->base.stopping = vm->base.silent_exit = vm->panicked = false;
        g_clear_pointer(&vm->shutdown_reason, g_free);
        engine_vm_base_unref(&vm->base);
}

/* ---- QMP events ---- */

static const char *json_get_string(JsonObject *data, const char *member) {
        return data ? json_object_get_string_member_with_default(data, member, NULL) : NULL;
}

static bool qemu_vm_has_op(QemuVm *vm, EngineOpKind kind) {
        for (GList *l = vm->base.ops; l; l = l->next)
                if (((EngineOp *) l->data)->kind == kind)
                        return true;
        return false;
}

/* GuestEvent names are one vocabulary for both engines (the contract XML lists them):
 * the RESUME of a start's `cont` is the guest booting ("booted", cloud-hypervisor's
 * vm/booted), other RESUMEs are "resume"; a restore's completed incoming migration
 * is "restored" (vm/restored). The raw name stays in details["engine-event"]. */
static void qemu_on_qmp_event(QmpClient *qmp, const char *name, JsonObject *data, void *userdata) {
        QemuVm *vm = userdata;

        if (g_str_equal(name, "SHUTDOWN")) {
                const char *reason = json_get_string(data, "reason");
                g_free(vm->shutdown_reason);
                vm->shutdown_reason = g_strdup(reason);
                if (reason && g_str_equal(reason, "guest-shutdown"))
                        qemu_vm_emit_guest_event(vm, "shutdown", name, data, NULL);
                else if (reason && g_str_equal(reason, "guest-reset"))
                        qemu_vm_emit_guest_event(vm, "reset", name, data, NULL);
        } else if (g_str_equal(name, "RESET")) {
                int64_t now = g_get_monotonic_time();
                bool same_reboot = vm->last_reset_usec != 0 && now - vm->last_reset_usec < QEMU_RESET_REPEAT_USEC;

                vm->last_reset_usec = now;
                qemu_vm_reboot_on_reset_event(vm);
                /* One reboot, one 'reset': the RESETs that follow it closely are the same one. */
                if (!same_reboot)
                        qemu_vm_emit_guest_event(vm, "reset", name, data, NULL);
        } else if (g_str_equal(name, "POWERDOWN"))
                qemu_vm_emit_guest_event(vm, "powerdown", name, data, NULL);
        else if (g_str_equal(name, "GUEST_PANICKED")) {
                vm->panicked = true;
                qemu_vm_emit_guest_event(vm, "panicked", name, data, NULL);
        } else if (g_str_equal(name, "STOP") || g_str_equal(name, "RESUME")) {
                bool stop = g_str_equal(name, "STOP");
                bool booted = !stop && qemu_vm_has_op(vm, ENGINE_OP_START);
                engine_vm_base_ref(&vm->base);
                if (booted && vm->tcg_fallback_reason)
                        qemu_vm_emit_tcg_fallback(vm);
                if (!vm->base.freed)
                        qemu_vm_emit_guest_event(vm, stop ? "stop" : booted ? "booted" : "resume", name, data, NULL);
                /* Only a change we did not cause ourselves is news to the service. */
                if (!vm->base.freed && vm->own_transitions == 0 && !vm->base.stopping && vm->base.process)
                        engine_vm_base_emit_kind(&vm->base, stop ? ENGINE_EVENT_PAUSED : ENGINE_EVENT_RUNNING, name);
                engine_vm_base_unref(&vm->base);
        } else if (g_str_equal(name, "DEVICE_DELETED")) {
                const char *id = json_get_string(data, "device");
                if (id) /* without one it is a device's internal part */
                        qemu_vm_on_device_deleted(vm, id);
        } else if (g_str_equal(name, "MIGRATION")) {
                engine_vm_base_ref(&vm->base);
                if (qemu_vm_has_op(vm, ENGINE_OP_RESTORE) &&
                    g_strcmp0(json_get_string(data, "status"), "completed") == 0)
                        qemu_vm_emit_guest_event(vm, "restored", name, data, NULL);
                if (!vm->base.freed)
                        qemu_vm_on_migration_event(vm, data);
                engine_vm_base_unref(&vm->base);
        }
}

static void qemu_on_qmp_closed(QmpClient *qmp, const GError *error, void *userdata) {
        QemuVm *vm = userdata;
        /* QEMU is most likely exiting; the pidfd will say. Without QMP it can only be killed. */
        g_clear_pointer(&vm->qmp, qmp_client_free);
        if (vm->base.stopping)
                qemu_vm_kill(vm);
}

QmpClient *qemu_vm_new_qmp(QemuVm *vm) {
        QmpClientParams params = {
                .event = vm->base.event,
                .timeout_ms = vm->base.timeout_ms,
                .on_event = qemu_on_qmp_event,
                .on_closed = qemu_on_qmp_closed,
                .userdata = vm,
        };
        return qmp_client_new(&params);
}

/* ---- stop and the simple commands ---- */

static void qemu_stop_on_quit(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuVm *vm = userdata;
        if (error)
                qemu_vm_kill(vm); /* it would not listen: the grace is over */
}

static void qemu_vm_stop(EngineVm *engine_vm, EngineDoneFn done, void *userdata) {
        QemuVm *vm = (QemuVm *) engine_vm;

        if (!engine_vm_base_begin_stop(&vm->base, done, userdata))
                return;
        if (vm->qmp && qmp_client_is_ready(vm->qmp)) {
                qmp_client_execute(vm->qmp, "quit", NULL, -1, qemu_stop_on_quit, vm);
                (void) sd_event_add_time_relative(vm->base.event, &vm->base.kill_timer, CLOCK_MONOTONIC,
                                                  QEMU_QUIT_GRACE_USEC, 0, qemu_on_kill_timer, vm);
        } else
                qemu_vm_kill(vm);
}

static void qemu_vm_power_button(EngineVm *engine_vm, EngineDoneFn done, void *userdata) {
        qemu_vm_command_op((QemuVm *) engine_vm, "system_powerdown", false, done, userdata);
}

static void qemu_vm_pause(EngineVm *engine_vm, EngineDoneFn done, void *userdata) {
        qemu_vm_command_op((QemuVm *) engine_vm, "stop", true, done, userdata);
}

static void qemu_vm_resume(EngineVm *engine_vm, EngineDoneFn done, void *userdata) {
        qemu_vm_command_op((QemuVm *) engine_vm, "cont", true, done, userdata);
}

/* ---- console, pid, runtime ---- */

/*
 * Our own console.sock lies in the runtime directory, root's and 0700: QEMU
 * cannot replace it, so we connect to it ourselves. The owner's socket of a
 * <serial type='unix'> is connected as the owner and must be QEMU's own.
 */
static void qemu_vm_open_console(EngineVm *engine_vm, EngineConsoleFn done, void *userdata) {
        QemuVm *vm = (QemuVm *) engine_vm;
        g_autoptr(GError) error = NULL;

        if (!vm->base.process) {
                error = g_error_new(HV_ERROR, HV_ERROR_INVALID_STATE, "The VM is not running");
                console_requests_answer_later(vm->base.consoles, -1, error, done, userdata);
                return;
        }
        if (!vm->console_path) {
                /* A file (or nothing): the service opens no path of the owner's. */
                error = g_error_new(HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                                    "The first serial port of this VM is not a socket the service can connect to "
                                    "(it goes to a file)");
                console_requests_answer_later(vm->base.consoles, -1, error, done, userdata);
                return;
        }
        if (vm->console_is_owners) {
                ConnectAsOwnerParams params = {
                        .event = vm->base.event,
                        .path = vm->console_path,
                        .uid = vm->base.uid,
                        .gid = vm->base.gid,
                        .engine_pid = process_get_pid(vm->base.process),
                        .vm_name = vm->base.config->name,
                        .timeout_usec = CONNECT_AS_OWNER_TIMEOUT_USEC,
                };
                console_requests_connect_as_owner(vm->base.consoles, &params, done, userdata);
                return;
        }
        int fd = unix_socket_connect(vm->console_path, "console", &error);
        console_requests_answer_later(vm->base.consoles, fd, error, done, userdata);
}

static GVariant *qemu_vm_save_runtime(EngineVm *engine_vm) {
        QemuVm *vm = (QemuVm *) engine_vm;
        GVariantBuilder b;

        if (!engine_vm_base_save_process(&vm->base, &b))
                return NULL;
        g_variant_builder_add(&b, "{sv}", "qmp-socket", g_variant_new_string(vm->qmp_path));
        if (vm->console_path)
                g_variant_builder_add(&b, "{sv}", "console-socket", g_variant_new_string(vm->console_path));
        g_variant_builder_add(&b, "{sv}", "machine", g_variant_new_uint32(vm->machine));

        GVariantBuilder ports;
        g_variant_builder_init(&ports, G_VARIANT_TYPE_STRING_ARRAY);
        for (guint i = 0; vm->port_owners && i < vm->port_owners->len; i++) {
                const char *owner = vm->port_owners->pdata[i];
                g_variant_builder_add(&ports, "s", owner ? owner : "");
        }
        g_variant_builder_add(&b, "{sv}", "ports", g_variant_builder_end(&ports));

        GVariantBuilder disks;
        g_variant_builder_init(&disks, G_VARIANT_TYPE("a{ss}"));
        GHashTableIter iter;
        gpointer key, value;
        g_hash_table_iter_init(&iter, vm->disk_nodes);
        while (g_hash_table_iter_next (&iter, &key, &value))
                g_variant_builder_add(&disks, "{ss}", key, value);
        g_variant_builder_add(&b, "{sv}", "disk-nodes", g_variant_builder_end(&disks));
        GVariantBuilder nets;
        g_variant_builder_init(&nets, G_VARIANT_TYPE("a{ss}"));
        g_hash_table_iter_init(&iter, vm->net_backends);
        while (g_hash_table_iter_next (&iter, &key, &value))
                g_variant_builder_add(&nets, "{ss}", key, value);
        g_variant_builder_add(&b, "{sv}", "net-backends", g_variant_builder_end(&nets));
        g_variant_builder_add(&b, "{sv}", "next-disk-index", g_variant_new_uint32(vm->next_disk_index));
        if (vm->tcg_fallback_reason)
                g_variant_builder_add(&b, "{sv}", "tcg-fallback", g_variant_new_string(vm->tcg_fallback_reason));
        return g_variant_builder_end(&b);
}

static void qemu_attach_on_status(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuVm *vm = userdata;
        if (error || !JSON_NODE_HOLDS_OBJECT(result))
                return;
        bool running = json_object_get_boolean_member_with_default(json_node_get_object(result), "running", FALSE);
        engine_vm_base_emit_kind(&vm->base, running ? ENGINE_EVENT_RUNNING : ENGINE_EVENT_PAUSED, "query-status");
}

static void qemu_attach_on_ready(QmpClient *qmp, JsonNode *greeting, const GError *error, void *userdata) {
        QemuVm *vm = userdata;
        if (error) {
                g_clear_pointer(&vm->qmp, qmp_client_free);
                return;
        }
        qmp_client_execute(qmp, "query-status", NULL, -1, qemu_attach_on_status, vm);
}

static bool qemu_vm_attach(EngineVm *engine_vm, GVariant *runtime, GError **error) {
        QemuVm *vm = (QemuVm *) engine_vm;
        guint32 machine = QEMU_MACHINE_Q35, next_disk = 0;
        const char *qmp_path = NULL, *console_path = NULL, *fallback = NULL;
        g_autofree const char **ports = NULL;
        g_autoptr(GVariantIter) disks = NULL;
        g_autoptr(GVariantIter) nets = NULL;

        if (vm->base.process) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_STATE, "QEMU is already running");
                return false;
        }
        g_autoptr(GVariantDict) dict = g_variant_dict_new(runtime);
        g_autoptr(Process) process =
                engine_vm_base_attach_process(&vm->base, dict, "qmp-socket", &qmp_path, qemu_on_process_exit, error);
        if (!process)
                return false;
        (void) g_variant_dict_lookup(dict, "console-socket", "&s", &console_path);
        (void) g_variant_dict_lookup(dict, "machine", "u", &machine);
        (void) g_variant_dict_lookup(dict, "ports", "^a&s", &ports);
        (void) g_variant_dict_lookup(dict, "disk-nodes", "a{ss}", &disks);
        (void) g_variant_dict_lookup(dict, "net-backends", "a{ss}", &nets);
        (void) g_variant_dict_lookup(dict, "next-disk-index", "u", &next_disk);
        (void) g_variant_dict_lookup(dict, "tcg-fallback", "&s", &fallback);

        g_autoptr(QmpClient) qmp = qemu_vm_new_qmp(vm);
        if (!qmp_client_connect(qmp, qmp_path, qemu_attach_on_ready, vm, error))
                return false;

        vm->base.process = g_steal_pointer(&process);
        vm->qmp = g_steal_pointer(&qmp);
        g_free(vm->qmp_path);
        vm->qmp_path = g_strdup(qmp_path);
        /* Only our own console.sock is connected to as ourselves; another path is the
         * owner's <serial type='unix'>, connected to as the owner. */
        g_autofree char *own_console = g_build_filename(vm->base.runtime_dir, "console.sock", NULL);
        g_free(vm->console_path);
        vm->console_path = g_strdup(console_path);
        vm->console_is_owners = console_path && !g_str_equal(console_path, own_console);
        vm->machine = machine;
        vm->next_disk_index = next_disk;
        g_free(vm->tcg_fallback_reason);
        vm->tcg_fallback_reason = g_strdup(fallback);
        g_ptr_array_set_size(vm->port_owners, 0);
        for (size_t i = 0; ports && ports[i]; i++)
                g_ptr_array_add(vm->port_owners, ports[i][0] ? g_strdup(ports[i]) : NULL);
        g_hash_table_remove_all(vm->disk_nodes);
        const char *key, *value;
        while (disks && g_variant_iter_next(disks, "{&s&s}", &key, &value))
                g_hash_table_insert(vm->disk_nodes, g_strdup(key), g_strdup(value));
        g_hash_table_remove_all(vm->net_backends);
        while (nets && g_variant_iter_next(nets, "{&s&s}", &key, &value))
                g_hash_table_insert(vm->net_backends, g_strdup(key), g_strdup(value));
        return true;
}

/* ---- creation ---- */

const EngineOps engine_qemu_ops;

static EngineVm *qemu_vm_new(const EngineVmParams *params) {
        QemuVm *vm = g_new0(QemuVm, 1);
        engine_vm_base_init(&vm->base, &engine_qemu_ops, &qemu_vm_class, params, QEMU_DEFAULT_BINARY);
        /* Like libvirt, an i686 guest without <emulator> runs in qemu-system-i386. */
        if (!params->config->emulator && qemu_platform_binary(params->config, NULL)) {
                g_free(vm->base.binary);
                vm->base.binary = g_find_program_in_path(qemu_platform_binary(params->config, NULL));
                if (!vm->base.binary)
                        vm->base.binary = g_strdup(qemu_platform_binary(params->config, NULL));
        }
        vm->base.version = g_strdup(params->probe ? params->probe->version : NULL);
        vm->kvm_usable = params->probe && params->probe->kvm;
        vm->kvm_turned_off = params->settings && !params->settings->use_kvm;
        vm->tcg_fallback = params->settings && params->settings->tcg_fallback;
        vm->nvram_fd = params->nvram_fd > 0 ? fcntl(params->nvram_fd, F_DUPFD_CLOEXEC, 3) : -1;
        vm->nvram_template_fd =
                params->nvram_template_fd > 0 ? fcntl(params->nvram_template_fd, F_DUPFD_CLOEXEC, 3) : -1;
        vm->tpm = qemu_tpm_new(vm->base.event, params->config, params->tpm_state_fd > 0 ? params->tpm_state_fd : -1,
                               params->runtime_dir, params->log_path, vm->base.uid, vm->base.gid);
        vm->port_owners = g_ptr_array_new_with_free_func(g_free);
        vm->disk_nodes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        vm->net_backends = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        return &vm->base.header;
}

static void qemu_vm_free(EngineVm *engine_vm) {
        QemuVm *vm = (QemuVm *) engine_vm;
        engine_vm_base_disown(&vm->base);
        g_clear_pointer(&vm->qmp, qmp_client_free);
        vm->reboot_timer = sd_event_source_disable_unref(vm->reboot_timer);
        engine_vm_base_unref(&vm->base);
}

const EngineOps engine_qemu_ops = {
        .name = "qemu",
        .probe = qemu_probe,
        .check = qemu_config_problems,
        .validate = qemu_validate,
        .vm_new = qemu_vm_new,
        .vm_free = qemu_vm_free,
        .start = qemu_vm_start,
        .stop = qemu_vm_stop,
        .power_button = qemu_vm_power_button,
        .reboot = qemu_vm_reboot,
        .pause = qemu_vm_pause,
        .resume = qemu_vm_resume,
        .snapshot = qemu_vm_snapshot,
        .restore = qemu_vm_restore,
        .add_device = qemu_vm_add_device,
        .remove_device = qemu_vm_remove_device,
        .change_media = qemu_vm_change_media,
        .info = qemu_vm_info,
        .stats = qemu_vm_stats,
        .open_console = qemu_vm_open_console,
        .open_graphics = qemu_vm_open_graphics,
        .screenshot = qemu_vm_screenshot,
        .send_key = qemu_vm_send_key,
        .save_runtime = qemu_vm_save_runtime,
        .attach = qemu_vm_attach,
        .get_pid = engine_vm_base_get_pid,
};
