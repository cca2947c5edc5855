/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The cloud-hypervisor engine: probe, validation, the process with its API
 * socket and event pipe, stop, events, the exit, re-attach. Starting it (boot
 * or restore) is in ch-start.c, requests to a running VMM in ch-operations.c.
 *
 * The API socket is created, bound and listening before the spawn and passed
 * as --api-socket fd=3, so requests can be sent at once (they wait in the
 * backlog until cloud-hypervisor accepts). The event monitor is a named FIFO
 * in the VM's runtime directory, passed as --event-monitor fd=4 (opened
 * read-write, so cloud-hypervisor itself keeps a read end: see ch-events.h).
 * It outlives a daemon restart: the new daemon opens it by path again and reads
 * the records written while it was away, up to the pipe's capacity (1 MiB
 * where allowed, else 64 KiB, i.e. a few thousand or a few hundred records);
 * beyond that cloud-hypervisor drops records, as it does for any slow reader.
 * cloud-hypervisor logs to stderr, which process.h appends to the VM's log
 * (--log-file would truncate that file).
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "ch-console.h"
#include "ch-vm.h"
#include "unix-socket.h"

#define CH_DEFAULT_BINARY "cloud-hypervisor"
/* After vmm.shutdown: how long until SIGTERM, then until SIGKILL. */
#define CH_TERM_GRACE_USEC (3 * G_USEC_PER_SEC)
#define CH_KILL_GRACE_USEC (2 * G_USEC_PER_SEC)
#define CH_LOG_TAIL_LINES 10

const char *const ch_environment[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", NULL };

/* "cloud-hypervisor v53.0-246-gae44c2971" (then migration protocol lines) -> "v53.0-246-gae44c2971", or NULL. */
char *ch_parse_version_output(const char *output) {
        const char *v = output ? strstr(output, "cloud-hypervisor ") : NULL;

        if (v)
                v += strlen("cloud-hypervisor ");
        if (!v || !g_ascii_isdigit(v[v[0] == 'v' ? 1 : 0]))
                return NULL;
        return g_strndup(v, strcspn(v, " \n"));
}

/* "v53.0-246-gae44c2971" -> 53 */
unsigned ch_version_major(const char *version) {
        if (!version)
                return 0;
        const char *v = version[0] == 'v' ? version + 1 : version;
        return (unsigned) g_ascii_strtoull(v, NULL, 10);
}

static bool ch_probe(const EngineSettings *settings, EngineProbe *ret, GError **error) {
        const char *name = settings && settings->binary ? settings->binary : CH_DEFAULT_BINARY;

        /* Whether KVM works is learned from cloud-hypervisor itself when a VM starts
         * (vmm.ping features, or its own start-up error), not from /dev/kvm here. */
        ret->kvm = true;
        ret->tcg = false;
        g_strfreev(ret->hotplug);
        ret->hotplug = g_strsplit("disk,interface,vsock,hostdev", ",", -1);

        version_query_probe(name, ch_environment, ch_parse_version_output, ret);
        return true;
}

static bool ch_validate(const EngineSettings *settings, const EngineProbe *probe, const VmConfig *config,
                        GError **error) {
        /* What cloud-hypervisor cannot run, whatever the host: asked at DefineVM (ch_config_problems())
         * and again here, at Boot. */
        if (!ch_config_check(config, error))
                return false;
        /* A VM's own <emulator> is asked its version when it starts (ch-start.c). */
        if (probe && !probe->usable && !config->emulator) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED, "cloud-hypervisor is not usable: %s",
                            probe->unusable_reason ? probe->unusable_reason : "unknown reason");
                return false;
        }
        return true;
}

/* ---- the VM's and the op's own parts (engine-vm.h, engine-op.h) ---- */

static void ch_op_finishing(EngineOp *base_op) {
        ChOp *op = (ChOp *) base_op;
        ch_http_request_cancel(g_steal_pointer(&op->request));
}

static void ch_op_clear(EngineOp *base_op) {
        ChOp *op = (ChOp *) base_op;
        ch_http_request_cancel(op->request);
        version_query_free(op->version_query);
        g_free(op->endpoint);
        g_free(op->body);
}

static void ch_vm_clear(EngineVmBase *base_vm) {
        ChVm *vm = (ChVm *) base_vm;
        ch_event_reader_free(vm->events);
        ch_http_free(vm->http);
        g_free(vm->api_path);
        g_free(vm->serial_path);
        g_free(vm->event_fifo_path);
        ch_console_end_all(vm, NULL);
        g_free(vm->engine_state);
        g_free(vm->build_version);
}

static const EngineVmClass ch_vm_class = {
        .op_size = sizeof(ChOp),
        .op_finishing = ch_op_finishing,
        .op_clear = ch_op_clear,
        .vm_clear = ch_vm_clear,
};

ChOp *ch_op_new(ChVm *vm, EngineOpKind kind, EngineDoneFn done, void *userdata) {
        ChOp *op = (ChOp *) engine_op_new(&vm->base, kind, done, userdata);
        op->started_usec = g_get_monotonic_time();
        return op;
}

bool ch_op_require_vmm(ChOp *op) {
        ChVm *vm = ch_op_vm(op);
        if (vm->http && vm->base.process && !vm->base.stopping)
                return true;
        engine_op_fail_later_literal(&op->base, HV_ERROR_INVALID_STATE,
                                     vm->base.process ? "cloud-hypervisor is shutting down"
                                                      : "cloud-hypervisor is not running");
        return false;
}

static void ch_op_on_answer(const ChHttpResponse *response, const GError *error, void *userdata) {
        ChOp *op = userdata;
        ChOpStepFn next = op->next_step;

        op->request = NULL;
        op->next_step = NULL;
        next(op, response, error);
}

void ch_op_call(ChOp *op, const char *method, const char *endpoint, const char *body, const int *fds, size_t n_fds,
                ChOpStepFn next) {
        ChVm *vm = ch_op_vm(op);

        g_assert(!op->request);
        if (!vm->http) {
                engine_op_fail_later_literal(&op->base, HV_ERROR_INVALID_STATE, "cloud-hypervisor is not running");
                return;
        }
        g_free(op->endpoint);
        op->endpoint = g_strdup(endpoint);
        op->next_step = next;
        op->request = ch_http_request(vm->http, method, endpoint, body, fds, n_fds, 0, ch_op_on_answer, op);
}

GError *ch_op_answer_error(ChOp *op, const ChHttpResponse *response, const GError *error) {
        if (error)
                return g_error_copy(error);
        if (!ch_http_status_is_success(response->status))
                return ch_http_response_to_error(op->endpoint, response);
        return NULL;
}

/* ---- events ---- */

static GVariant *ch_properties_to_variant(JsonObject *properties) {
        if (!properties)
                return NULL;
        GVariantBuilder b;
        g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
        JsonObjectIter iter;
        const char *name;
        JsonNode *node;
        json_object_iter_init(&iter, properties);
        while (json_object_iter_next(&iter, &name, &node))
                if (JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_STRING)
                        g_variant_builder_add(&b, "{sv}", name, g_variant_new_string(json_node_get_string(node)));
        return g_variant_builder_end(&b);
}

void ch_vm_emit_guest_event(ChVm *vm, const char *name, const char *engine_event, JsonObject *properties,
                            const char *device_id) {
        g_autoptr(GVariant) details = ch_properties_to_variant(properties);
        if (details)
                g_variant_ref_sink(details);
        engine_vm_base_emit_guest(&vm->base, name, engine_event, details, device_id, vm->record_usec);
}

void ch_vm_set_engine_state(ChVm *vm, const char *state) {
        g_free(vm->engine_state);
        vm->engine_state = g_strdup(state);
}

static void ch_vm_terminate(ChVm *vm);

void ch_vm_end(ChVm *vm, EngineExitReason reason) {
        if (vm->base.stopping || vm->exit_planned || !vm->base.process)
                return; /* already on its way, for a reason that came first */
        vm->exit_planned = true;
        vm->planned_exit = reason;
        ch_vm_terminate(vm);
}

/*
 * With --no-shutdown a guest power-off is "vm/shutdown" alone and the VMM
 * stays, its VM "Created". The VMM's own exit (SIGTERM from someone else, a
 * vCPU error, an internal panic) also begins with "vm/shutdown", then
 * "vm/deleted", "vmm/shutdown" and exit 0: the control loop is gone by then and
 * answers no vm.info. So the power-off is the guest's only once the VMM says
 * "Created" afterwards; if it exits instead, it crashed.
 */
/* vm.info's "state" ("" when absent), read with parser (which keeps the string); NULL when the reply is no object. */
static const char *ch_info_state(JsonParser *parser, const ChHttpResponse *response) {
        if (!hv_json_parse(parser, response->body, response->body_length, "cloud-hypervisor", NULL) ||
            !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
                return NULL;
        return json_object_get_string_member_with_default(json_node_get_object(json_parser_get_root(parser)), "state",
                                                          "");
}

static void ch_on_shutdown_info(const ChHttpResponse *response, const GError *error, void *userdata) {
        ChVm *vm = userdata;

        if (error || !ch_http_status_is_success(response->status) || vm->base.freed || !vm->base.process ||
            vm->base.stopping || vm->exit_planned)
                return;
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        const char *state = ch_info_state(parser, response);
        if (!state || !g_str_equal(state, "Created"))
                return;
        engine_vm_base_ref(&vm->base);
        vm->guest_poweroff = true;
        vm->record_usec = vm->shutdown_usec;
        ch_vm_emit_guest_event(vm, "shutdown", "vm/shutdown", NULL, NULL);
        vm->record_usec = 0;
        /* The guest is off: the VMM goes as it would have without --no-shutdown. */
        if (!vm->base.freed)
                ch_vm_end(vm, ENGINE_EXIT_GUEST_POWEROFF);
        engine_vm_base_unref(&vm->base);
}

void ch_on_event_record(const ChEventRecord *record, void *userdata) {
        ChVm *vm = userdata;
        g_autofree char *engine_event = g_strdup_printf("%s/%s", record->source, record->event);
        const char *name = ch_event_api_name(record->source, record->event);
        bool is_vm = g_str_equal(record->source, "vm");

        g_debug("cloud-hypervisor event %s", engine_event);
        if (!name)
                return;
        engine_vm_base_ref(&vm->base);
        /* The record's time counts from the event monitor's start, about our spawn. */
        vm->record_usec = vm->events_epoch_usec ? vm->events_epoch_usec + record->timestamp_usec : 0;
        if (is_vm && g_str_equal(record->event, "booted")) {
                ch_vm_set_engine_state(vm, "Running");
                ch_vm_emit_guest_event(vm, name, engine_event, record->properties, NULL);
        } else if (is_vm && g_str_equal(record->event, "shutdown")) {
                ch_vm_set_engine_state(vm, "Created");
                /* Ours (vm.shutdown/vmm.shutdown while stopping or ending it) is no news. */
                if (vm->base.stopping || vm->exit_planned || vm->guest_poweroff)
                        ;
                else if (vm->no_shutdown && vm->http && vm->base.process) {
                        vm->shutdown_usec = vm->record_usec;
                        (void) ch_http_request(vm->http, "GET", "vm.info", NULL, NULL, 0, 0, ch_on_shutdown_info, vm);
                } else if (!vm->no_shutdown) {
                        /* Without --no-shutdown the VMM exits after a guest power-off, and
                         * its own exit looks the same: taken as the guest's. */
                        vm->guest_poweroff = true;
                        ch_vm_emit_guest_event(vm, name, engine_event, record->properties, NULL);
                }
        } else if (is_vm && g_str_equal(record->event, "rebooted")) {
                bool ours = vm->expected_reboots > 0;
                if (ours)
                        vm->expected_reboots--;
                ch_vm_set_engine_state(vm, "Running");
                /* The new Vm bound the serial socket again: consoles follow. */
                ch_console_on_reset(vm);
                ch_vm_emit_guest_event(vm, name, engine_event, record->properties, NULL);
                /* cloud-hypervisor has no way to exit on a guest reset (the VM is rebuilt
                 * at once): <on_reboot>destroy ends it here, as QEMU's -no-reboot would. */
                if (!ours && !vm->base.freed && vm->base.config->on_reboot == VM_ACTION_DESTROY)
                        ch_vm_end(vm, ENGINE_EXIT_GUEST_RESET);
        } else if (is_vm && (g_str_equal(record->event, "paused") || g_str_equal(record->event, "resumed"))) {
                bool paused = g_str_equal(record->event, "paused");
                unsigned *expected = paused ? &vm->expected_paused : &vm->expected_resumed;
                ch_vm_set_engine_state(vm, paused ? "Paused" : "Running");
                ch_vm_emit_guest_event(vm, name, engine_event, record->properties, NULL);
                /* Only a change we did not cause ourselves is news to the service. */
                if (*expected > 0)
                        (*expected)--;
                else if (!vm->base.freed && !vm->base.stopping)
                        engine_vm_base_emit_kind(&vm->base, paused ? ENGINE_EVENT_PAUSED : ENGINE_EVENT_RUNNING,
                                                 engine_event);
        } else if (is_vm && g_str_equal(record->event, "restored")) {
                ch_vm_set_engine_state(vm, "Paused");
                ch_vm_emit_guest_event(vm, name, engine_event, record->properties, NULL);
        } else if (is_vm && g_str_equal(record->event, "device-removed")) {
                const char *id = ch_event_record_property(record, "id");
                ch_vm_emit_guest_event(vm, name, engine_event, record->properties, id);
                if (id && !vm->base.freed)
                        ch_vm_on_device_removed(vm, id);
        } else if (g_str_equal(record->source, "guest") && g_str_equal(record->event, "panic")) {
                ch_vm_emit_guest_event(vm, name, engine_event, record->properties, NULL);
                /* pvpanic only reports; the VM would keep running. A panicked guest is
                 * ended here, as QEMU ends it, and <on_crash> decides what follows. */
                if (!vm->base.freed)
                        ch_vm_end(vm, ENGINE_EXIT_GUEST_PANIC);
        }
        vm->record_usec = 0;
        engine_vm_base_unref(&vm->base);
}

/* ---- the process ---- */

static int ch_on_kill_timer(sd_event_source *source, uint64_t usec, void *userdata) {
        ChVm *vm = userdata;

        vm->base.kill_timer = sd_event_source_disable_unref(vm->base.kill_timer);
        if (!vm->base.process)
                return 0;
        if (vm->kill_stage++ == 0) {
                (void) process_send_signal(vm->base.process, SIGTERM);
                (void) sd_event_add_time_relative(vm->base.event, &vm->base.kill_timer, CLOCK_MONOTONIC,
                                                  CH_KILL_GRACE_USEC, 1000, ch_on_kill_timer, vm);
        } else
                (void) process_send_signal(vm->base.process, SIGKILL);
        return 0;
}

static void ch_on_vmm_shutdown_answer(const ChHttpResponse *response, const GError *error, void *userdata) {
        ChVm *vm = userdata;

        /* Success means it exits now. A connection closed on us may also mean
         * that (it need not flush the answer), but a signal costs nothing. */
        if ((error || !ch_http_status_is_success(response->status)) && vm->base.process && vm->kill_stage == 0) {
                vm->base.kill_timer = sd_event_source_disable_unref(vm->base.kill_timer);
                ch_on_kill_timer(NULL, 0, vm);
        }
}

/* vmm.shutdown, then SIGTERM, then SIGKILL, each after a short wait. */
static void ch_vm_terminate(ChVm *vm) {
        if (vm->base.kill_timer || vm->kill_stage > 0)
                return; /* already on its way */
        if (vm->http)
                (void) ch_http_request(vm->http, "PUT", "vmm.shutdown", NULL, NULL, 0,
                                       MIN(vm->base.timeout_ms, (unsigned) (CH_TERM_GRACE_USEC / 1000)),
                                       ch_on_vmm_shutdown_answer, vm);
        else {
                ch_on_kill_timer(NULL, 0, vm);
                return;
        }
        (void) sd_event_add_time_relative(vm->base.event, &vm->base.kill_timer, CLOCK_MONOTONIC, CH_TERM_GRACE_USEC,
                                          1000, ch_on_kill_timer, vm);
}

/* cloud-hypervisor creates its hypervisor (KVM, else MSHV) before it serves
 * its API; without one it says so and exits. That is the host, not the VM:
 * the user is told what is missing, in cloud-hypervisor's own words too. */
static GError *ch_no_hypervisor_error(const char *last_words) {
        if (!last_words || (!strstr(last_words, "no supported hypervisor") && !strstr(last_words, "/dev/kvm")))
                return NULL;
        const char *what = access("/dev/kvm", F_OK) < 0 ? "/dev/kvm is missing on this host"
                                                        : "/dev/kvm cannot be used by cloud-hypervisor";
        return g_error_new(HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                           "cloud-hypervisor cannot run VMs here: %s (KVM is required); cloud-hypervisor said: %s",
                           what, last_words);
}

static EngineExitReason ch_exit_reason(ChVm *vm, const ProcessExit *exit_info, bool had_events) {
        if (vm->base.stopping)
                return ENGINE_EXIT_REQUESTED;
        if (vm->exit_planned)
                return vm->planned_exit;
        bool clean = exit_info->kind == PROCESS_EXIT_UNKNOWN ||
                     (exit_info->kind == PROCESS_EXIT_EXITED && exit_info->status == 0);
        if (vm->guest_poweroff && clean)
                return ENGINE_EXIT_GUEST_POWEROFF;
        /* Re-attached: no event pipe (and no status unless still our child); with
         * -v the log holds the events. */
        if (!had_events && clean) {
                g_autofree char *tail = process_read_log_tail(vm->base.log_path, 20);
                const char *panic = tail ? g_strrstr(tail, "source = guest event = panic") : NULL;
                const char *rebooted = tail ? g_strrstr(tail, "source = vm event = rebooted") : NULL;
                /* A panic the guest rebooted from is over. */
                if (panic && (!rebooted || rebooted < panic))
                        return ENGINE_EXIT_GUEST_PANIC;
                if (tail && strstr(tail, "source = vm event = shutdown"))
                        return ENGINE_EXIT_GUEST_POWEROFF;
        }
        return ENGINE_EXIT_CRASHED;
}

void ch_vm_reset_flags(ChVm *vm) {
        vm->base.stopping = vm->base.silent_exit = vm->guest_poweroff = vm->exit_planned = false;
        vm->expected_paused = vm->expected_resumed = vm->expected_reboots = 0;
        vm->record_usec = 0;
        vm->kill_stage = 0;
        vm->base.kill_timer = sd_event_source_disable_unref(vm->base.kill_timer);
}

void ch_on_process_exit(Process *process, const ProcessExit *exit_info, void *userdata) {
        ChVm *vm = userdata;

        engine_vm_base_ref(&vm->base);
        bool had_events = vm->events != NULL;
        /* Whatever it wrote before it went decides why it went. */
        if (vm->events)
                ch_event_reader_drain(vm->events);
        g_clear_pointer(&vm->events, ch_event_reader_free);
        g_clear_pointer(&vm->base.process, process_free);
        vm->base.kill_timer = sd_event_source_disable_unref(vm->base.kill_timer);
        /* Detached, so that a start from a callback below gets a client of its own;
         * freed after the ops that still hold requests on it. */
        g_autoptr(ChHttp) http = g_steal_pointer(&vm->http);
        if (vm->api_path)
                (void) unlink(vm->api_path);
        if (vm->event_fifo_path)
                (void) unlink(vm->event_fifo_path);
        ch_vm_set_engine_state(vm, NULL);

        g_autofree char *how = process_describe_exit(process, exit_info);
        g_autofree char *tail = process_read_log_tail(vm->base.log_path, CH_LOG_TAIL_LINES);
        EngineExitReason reason = ch_exit_reason(vm, exit_info, had_events);
        g_autoptr(GError) gone = NULL;

        EngineOp *start = engine_vm_base_find_start(&vm->base);
        if (start) {
                /* A start that did not finish fails with why: that it never ran, our reason, else
                 * its last words. */
                if (exit_info->kind == PROCESS_EXIT_NOT_RUN)
                        gone = g_error_new(HV_ERROR, HV_ERROR_ENGINE_FAILED, "cloud-hypervisor %s during start-up",
                                           how);
                else if (start->error)
                        gone = g_error_copy(start->error);
                else {
                        g_autofree char *last = engine_vm_base_last_words(&vm->base);
                        gone = ch_no_hypervisor_error(last);
                        if (!gone)
                                gone = g_error_new(HV_ERROR, HV_ERROR_ENGINE_FAILED,
                                                   "cloud-hypervisor %s during start-up%s%s", how, last ? ": " : "",
                                                   last ? last : "");
                }
                vm->base.silent_exit = true;
        } else
                gone = g_error_new(HV_ERROR, HV_ERROR_ENGINE_FAILED, "cloud-hypervisor %s", how);

        bool silent = vm->base.silent_exit;
        ch_vm_reset_flags(vm);

        /* Pending operations first: stops succeed now, the others fail. */
        engine_vm_base_fail_pending(&vm->base, gone);
        if (!vm->base.freed)
                ch_console_end_all(vm, gone);
        ch_remove_engine_dir(vm);
        g_clear_pointer(&http, ch_http_free);

        if (!silent)
                engine_vm_base_emit_exited(&vm->base, reason, exit_info->status, tail);
        engine_vm_base_unref(&vm->base);
}

static void ch_vm_stop(EngineVm *engine_vm, EngineDoneFn done, void *userdata) {
        ChVm *vm = (ChVm *) engine_vm;

        if (engine_vm_base_begin_stop(&vm->base, done, userdata))
                ch_vm_terminate(vm);
}

/* ---- console, pid, runtime ---- */

/*
 * The serial socket is bound by cloud-hypervisor itself (it has no option to be
 * handed a listening descriptor), as the owner: it is connected as the owner
 * and must be served by the engine's process, which closes and binds it again
 * at every guest reset: the client gets a relayed stream that survives that
 * (ch-console.c). A virtio-console pty, whose path only the engine reports, is
 * never opened.
 */
static void ch_vm_open_console(EngineVm *engine_vm, EngineConsoleFn done, void *userdata) {
        ChVm *vm = (ChVm *) engine_vm;
        g_autoptr(GError) error = NULL;

        if (!vm->base.process)
                error = g_error_new(HV_ERROR, HV_ERROR_INVALID_STATE, "The VM is not running");
        else if (!vm->serial_path)
                error = g_error_new(HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                                    "The serial port of this VM goes to a file; there is no console to connect to "
                                    "(the pty of a <console type='pty'> is not opened by the service)");
        if (error) {
                console_requests_answer_later(vm->base.consoles, -1, error, done, userdata);
                return;
        }
        ch_console_open(vm, done, userdata);
}

static GVariant *ch_vm_save_runtime(EngineVm *engine_vm) {
        ChVm *vm = (ChVm *) engine_vm;
        GVariantBuilder b;

        if (!engine_vm_base_save_process(&vm->base, &b))
                return NULL;
        g_variant_builder_add(&b, "{sv}", "api-socket", g_variant_new_string(vm->api_path));
        if (vm->serial_path)
                g_variant_builder_add(&b, "{sv}", "serial-socket", g_variant_new_string(vm->serial_path));
        g_variant_builder_add(&b, "{sv}", "no-shutdown", g_variant_new_boolean(vm->no_shutdown));
        if (vm->events_epoch_usec)
                g_variant_builder_add(&b, "{sv}", "event-epoch", g_variant_new_uint64(vm->events_epoch_usec));
        if (vm->event_fifo_path)
                g_variant_builder_add(&b, "{sv}", "event-fifo", g_variant_new_string(vm->event_fifo_path));
        return g_variant_builder_end(&b);
}

static void ch_attach_on_info(const ChHttpResponse *response, const GError *error, void *userdata) {
        ChVm *vm = userdata;
        if (error || !ch_http_status_is_success(response->status))
                return;
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        const char *state = ch_info_state(parser, response);
        if (!state)
                return;
        ch_vm_set_engine_state(vm, state);
        if (g_str_equal(state, "Running") || g_str_equal(state, "Paused"))
                engine_vm_base_emit_kind(&vm->base,
                                         g_str_equal(state, "Running") ? ENGINE_EVENT_RUNNING : ENGINE_EVENT_PAUSED,
                                         "vm.info");
}

/* After a daemon restart the event FIFO is opened again by path: records
 * written while no daemon ran wait in it and are delivered now, then events
 * flow as before. When it cannot be opened there are no events; the exit is
 * still seen through the pidfd, and why it went is read from the engine's log,
 * where -v writes every event. */
static bool ch_vm_attach(EngineVm *engine_vm, GVariant *runtime, GError **error) {
        ChVm *vm = (ChVm *) engine_vm;
        const char *api_path = NULL, *serial_path = NULL, *event_fifo = NULL;
        gboolean no_shutdown = FALSE;

        if (vm->base.process) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_STATE, "cloud-hypervisor is already running");
                return false;
        }
        g_autoptr(GVariantDict) dict = g_variant_dict_new(runtime);
        Process *process =
                engine_vm_base_attach_process(&vm->base, dict, "api-socket", &api_path, ch_on_process_exit, error);
        if (!process)
                return false;
        (void) g_variant_dict_lookup(dict, "serial-socket", "&s", &serial_path);
        (void) g_variant_dict_lookup(dict, "no-shutdown", "b", &no_shutdown);
        (void) g_variant_dict_lookup(dict, "event-fifo", "&s", &event_fifo);
        guint64 events_epoch = 0;
        (void) g_variant_dict_lookup(dict, "event-epoch", "t", &events_epoch);

        ch_vm_reset_flags(vm);
        vm->base.process = process;
        vm->no_shutdown = no_shutdown;
        vm->events_epoch_usec = events_epoch;
        g_free(vm->api_path);
        vm->api_path = g_strdup(api_path);
        g_free(vm->serial_path);
        vm->serial_path = g_strdup(serial_path);
        vm->http = ch_http_new(vm->base.event, vm->api_path, vm->base.timeout_ms);
        g_free(vm->event_fifo_path);
        vm->event_fifo_path = g_strdup(event_fifo);
        if (event_fifo) {
                g_autoptr(GError) local = NULL;
                int fd = ch_event_fifo_open_reader(event_fifo, &local);
                if (fd >= 0)
                        vm->events = ch_event_reader_new(vm->base.event, fd, ch_on_event_record, NULL, vm, &local);
                if (!vm->events)
                        g_warning("No events from cloud-hypervisor for '%s' after the restart: %s",
                                  vm->base.config->name, local ? local->message : "unknown error");
        }
        (void) ch_http_request(vm->http, "GET", "vm.info", NULL, NULL, 0, 0, ch_attach_on_info, vm);
        return true;
}

/* ---- creation ---- */

const EngineOps engine_cloud_hypervisor_ops;

static EngineVm *ch_vm_new(const EngineVmParams *params) {
        ChVm *vm = g_new0(ChVm, 1);
        engine_vm_base_init(&vm->base, &engine_cloud_hypervisor_ops, &ch_vm_class, params, CH_DEFAULT_BINARY);
        /* The probe's version is the configured binary's; a VM's own <emulator> is asked at its start. */
        vm->base.version = params->config->emulator ? NULL : g_strdup(params->probe ? params->probe->version : NULL);
        vm->version_major = ch_version_major(vm->base.version);
        vm->serial_path = ch_config_serial_socket(vm->base.config, vm->base.runtime_dir);
        vm->want_no_shutdown = params->settings && params->settings->no_shutdown;
        return &vm->base.header;
}

static void ch_vm_free(EngineVm *engine_vm) {
        ChVm *vm = (ChVm *) engine_vm;
        engine_vm_base_disown(&vm->base);
        ch_console_end_all(vm, NULL);
        g_clear_pointer(&vm->http, ch_http_free);
        g_clear_pointer(&vm->events, ch_event_reader_free);
        engine_vm_base_unref(&vm->base);
}

const EngineOps engine_cloud_hypervisor_ops = {
        .name = "cloud-hypervisor",
        .probe = ch_probe,
        .check = ch_config_problems,
        .validate = ch_validate,
        .vm_new = ch_vm_new,
        .vm_free = ch_vm_free,
        .start = ch_vm_start,
        .stop = ch_vm_stop,
        .power_button = ch_vm_power_button,
        .reboot = ch_vm_reboot,
        .pause = ch_vm_pause,
        .resume = ch_vm_resume,
        .snapshot = ch_vm_snapshot,
        .restore = ch_vm_restore,
        .add_device = ch_vm_add_device,
        .remove_device = ch_vm_remove_device,
        .info = ch_vm_info,
        .stats = ch_vm_stats,
        .open_console = ch_vm_open_console,
        .save_runtime = ch_vm_save_runtime,
        .attach = ch_vm_attach,
        .get_pid = engine_vm_base_get_pid,
};
