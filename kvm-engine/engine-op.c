/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The operation both engines build theirs on: see engine-op.h. */

#include <unistd.h>

#include "engine-op.h"
#include "engine-vm.h"

EngineOp *engine_op_new(EngineVmBase *vm, EngineOpKind kind, EngineDoneFn done, void *userdata) {
        g_assert(vm->klass->op_size >= sizeof(EngineOp));
        EngineOp *op = g_malloc0(vm->klass->op_size);
        op->vm = vm;
        op->kind = kind;
        op->done = done;
        op->userdata = userdata;
        op->fd = -1;
        vm->ops = g_list_append(vm->ops, op);
        return op;
}

void engine_op_free(EngineOp *op) {
        op->vm->klass->op_clear(op);
        sd_event_source_disable_unref(op->defer);
        sd_event_source_disable_unref(op->timer);
        g_clear_error(&op->error);
        g_free(op->directory);
        vm_device_free(op->device);
        g_free(op->device_id);
        if (op->info)
                g_variant_dict_unref(op->info);
        if (op->fd >= 0)
                close(op->fd);
        g_free(op);
}

void engine_op_finish(EngineOp *op, const GError *error) {
        EngineVmBase *vm = op->vm;

        vm->ops = g_list_remove(vm->ops, op);
        if (vm->klass->op_finishing)
                vm->klass->op_finishing(op);

        engine_vm_base_ref(vm);
        if (op->info_done) {
                g_autoptr(GVariant) info = NULL;
                if (!error && op->info)
                        info = g_variant_ref_sink(g_variant_dict_end(op->info));
                op->info_done(info, error, op->userdata);
        } else if (op->fd_done) {
                int fd = error ? -1 : op->fd; /* handed over */
                if (!error)
                        op->fd = -1;
                op->fd_done(fd, error, op->userdata);
        } else if (op->device_done)
                op->device_done(error ? NULL : op->device_id, error, op->userdata);
        else if (op->done)
                op->done(error, op->userdata);
        engine_op_free(op);
        engine_vm_base_unref(vm);
}

static int engine_op_on_defer(sd_event_source *source, void *userdata) {
        EngineOp *op = userdata;
        g_autoptr(GError) error = g_steal_pointer(&op->error);
        engine_op_finish(op, error);
        return 0;
}

void engine_op_fail_later(EngineOp *op, GError *error) {
        g_clear_error(&op->error);
        op->error = error;
        op->defer = sd_event_source_disable_unref(op->defer);
        if (sd_event_add_defer(op->vm->event, &op->defer, engine_op_on_defer, op) < 0)
                g_warning("Cannot schedule an answer: out of memory");
}

void engine_op_fail_later_literal(EngineOp *op, int code, const char *message) {
        engine_op_fail_later(op, g_error_new_literal(HV_ERROR, code, message));
}

void engine_op_start_succeeded(EngineOp *op) {
        /* The engine answered, so it runs; but its answers can overtake the spawner's news of
         * the start, and a VM that is up has a known pid: then the op is answered with that news
         * (engine_vm_base_on_process_started()). */
        if (process_get_pid(op->vm->process) == 0) {
                op->answer_when_started = true;
                return;
        }
        engine_op_finish(op, NULL);
}
