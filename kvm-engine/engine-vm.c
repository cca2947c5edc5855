/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The part of a VM both engines share: see engine-vm.h. */

#include <string.h>
#include <unistd.h>

#include "engine-vm.h"
#include "engine-words.h"

#define ENGINE_DEFAULT_TIMEOUT_MS 30000

void engine_vm_base_init(EngineVmBase *vm, const EngineOps *ops, const EngineVmClass *klass,
                         const EngineVmParams *params, const char *default_binary) {
        vm->header.ops = ops;
        vm->klass = klass;
        vm->n_ref = 1;
        vm->event = sd_event_ref(params->event);
        vm->config = vm_config_copy(params->config);
        vm->binary = g_strdup(params->config->emulator                 ? params->config->emulator
                              : params->probe && params->probe->binary ? params->probe->binary
                                                                       : default_binary);
        vm->timeout_ms = params->settings && params->settings->api_timeout_ms ? params->settings->api_timeout_ms
                                                                              : ENGINE_DEFAULT_TIMEOUT_MS;
        vm->runtime_dir = g_strdup(params->runtime_dir);
        vm->log_path = g_strdup(params->log_path);
        vm->uid = params->uid == getuid() ? (uid_t) -1 : params->uid;
        vm->gid = params->gid;
        vm->on_event = params->on_event;
        vm->userdata = params->userdata;
        vm->consoles = console_requests_new(vm->event);
}

EngineVmBase *engine_vm_base_ref(EngineVmBase *vm) {
        vm->n_ref++;
        return vm;
}

void engine_vm_base_unref(EngineVmBase *vm) {
        if (--vm->n_ref > 0)
                return;
        g_list_free_full(vm->ops, (GDestroyNotify) engine_op_free);
        vm->klass->vm_clear(vm);
        sd_event_source_disable_unref(vm->kill_timer);
        process_free(vm->process);
        vm_config_free(vm->config);
        g_free(vm->binary);
        g_free(vm->version);
        g_free(vm->runtime_dir);
        g_free(vm->log_path);
        console_requests_free(vm->consoles);
        sd_event_unref(vm->event);
        g_free(vm);
}

void engine_vm_base_disown(EngineVmBase *vm) {
        vm->freed = true;
        vm->on_event = NULL;
        /* Pending answers are dropped: after this nothing calls back. */
        g_list_free_full(g_steal_pointer(&vm->ops), (GDestroyNotify) engine_op_free);
        g_clear_pointer(&vm->consoles, console_requests_free);
        g_clear_pointer(&vm->process, process_free);
        vm->kill_timer = sd_event_source_disable_unref(vm->kill_timer);
}

void engine_vm_base_emit(EngineVmBase *vm, const EngineEvent *event) {
        if (vm->on_event)
                vm->on_event(event, vm->userdata);
}

void engine_vm_base_emit_kind(EngineVmBase *vm, EngineEventKind kind, const char *engine_event) {
        EngineEvent event = {.kind = kind, .engine_event = engine_event};
        engine_vm_base_emit(vm, &event);
}

bool engine_vm_base_begin_stop(EngineVmBase *vm, EngineDoneFn done, void *userdata) {
        EngineOp *op = engine_op_new(vm, ENGINE_OP_STOP, done, userdata);

        if (!vm->process) {
                engine_op_fail_later(op, NULL); /* already off: success, answered later */
                return false;
        }
        if (vm->stopping)
                return false; /* answered with the others when it is gone */
        vm->stopping = true;
        return true;
}

void engine_vm_base_emit_guest(EngineVmBase *vm, const char *name, const char *engine_event, GVariant *details,
                               const char *device_id, uint64_t timestamp_usec) {
        EngineEvent event = {
                .kind = ENGINE_EVENT_GUEST,
                .name = name,
                .engine_event = engine_event,
                .details = details,
                .device_id = device_id,
                .timestamp_usec = timestamp_usec,
        };
        engine_vm_base_emit(vm, &event);
}

void engine_vm_base_on_process_started(Process *process, void *userdata) {
        EngineVmBase *vm = userdata;
        EngineEvent event = {.kind = ENGINE_EVENT_STARTED};
        EngineOp *waiting = NULL;

        engine_vm_base_ref(vm);
        engine_vm_base_emit(vm, &event);
        for (GList *l = vm->ops; l && !vm->freed; l = l->next)
                if (((EngineOp *) l->data)->answer_when_started)
                        waiting = l->data;
        if (waiting)
                engine_op_finish(waiting, NULL);
        engine_vm_base_unref(vm);
}

pid_t engine_vm_base_get_pid(EngineVm *engine_vm) {
        EngineVmBase *vm = (EngineVmBase *) engine_vm;
        return vm->process ? process_get_pid(vm->process) : 0;
}

bool engine_vm_base_save_process(EngineVmBase *vm, GVariantBuilder *b) {
        if (!vm->process)
                return false;
        g_variant_builder_init(b, G_VARIANT_TYPE_VARDICT);
        g_variant_builder_add(b, "{sv}", "pid", g_variant_new_uint32(process_get_pid(vm->process)));
        g_variant_builder_add(b, "{sv}", "start-time", g_variant_new_uint64(process_get_start_time(vm->process)));
        return true;
}

Process *engine_vm_base_attach_process(EngineVmBase *vm, GVariantDict *facts, const char *socket_key,
                                       const char **ret_socket, ProcessExitFn on_exit, GError **error) {
        guint32 pid = 0;
        guint64 start_time = 0;

        if (!g_variant_dict_lookup(facts, "pid", "u", &pid) ||
            !g_variant_dict_lookup(facts, "start-time", "t", &start_time) ||
            !g_variant_dict_lookup(facts, socket_key, "&s", ret_socket)) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, "Runtime facts lack pid, start-time or %s",
                            socket_key);
                return NULL;
        }
        return process_attach(vm->event, (pid_t) pid, start_time, on_exit, vm, error);
}

EngineOp *engine_vm_base_find_start(EngineVmBase *vm) {
        EngineOp *start = NULL;
        for (GList *l = vm->ops; l; l = l->next) {
                EngineOp *op = l->data;
                if (op->kind == ENGINE_OP_START || op->kind == ENGINE_OP_RESTORE)
                        start = op;
        }
        return start;
}

char *engine_vm_base_last_words(EngineVmBase *vm) {
        g_autofree char *tail = process_read_log_tail(vm->log_path, 3);
        if (!tail)
                return NULL;
        g_auto(GStrv) lines = g_strsplit(tail, "\n", -1);
        g_autoptr(GString) words = g_string_new(NULL);
        for (size_t i = 0; lines[i]; i++) {
                if (!*lines[i] || strstr(lines[i], " hypervisord: starting "))
                        continue;
                if (words->len)
                        g_string_append(words, "; ");
                g_string_append(words, lines[i]);
        }
        return words->len ? engine_words_quote(words->str, (gssize) words->len, ENGINE_WORDS_MAX) : NULL;
}

void engine_vm_base_fail_pending(EngineVmBase *vm, const GError *gone) {
        while (!vm->freed && vm->ops) {
                EngineOp *op = vm->ops->data;
                engine_op_finish(op, op->kind == ENGINE_OP_STOP ? NULL : gone);
        }
        if (!vm->freed)
                console_requests_fail_all(vm->consoles, gone);
}

void engine_vm_base_emit_exited(EngineVmBase *vm, EngineExitReason reason, int status, const char *log_tail) {
        EngineEvent event = {
                .kind = ENGINE_EVENT_EXITED,
                .exit_reason = reason,
                .exit_status = status,
                .log_tail = reason == ENGINE_EXIT_CRASHED ? log_tail : NULL,
        };
        if (!vm->freed)
                engine_vm_base_emit(vm, &event);
}
