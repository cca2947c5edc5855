/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * GetStats: the counters of a running VM (CPU time, memory, disk and network
 * I/O), from its engine (engine-stats.h lists the keys; the contract XML
 * documents them). A read: it may run while another operation is under way,
 * and is answered with an error when the engine exits or the VM goes.
 */

#include "hv-error.h"
#include "vm-private.h"

static void stats_done(GVariant *stats, const GError *error, void *userdata) {
        VmOp *op = userdata;
        g_autoptr(GVariant) owned = stats ? g_variant_ref_sink(stats) : NULL;
        GVariantDict dict;

        if (error) {
                vm_op_fail(op, error);
                return;
        }
        g_variant_dict_init(&dict, owned);
        g_variant_dict_insert(&dict, "state", "s", vm_state_to_string(op->vm->state));
        vm_op_finish(op, g_variant_dict_end(&dict), NULL);
}

bool vm_get_stats(Vm *vm, VmReplyFn reply, void *userdata, GError **error) {
        VmOp *op;

        if (!vm->engine_vm ||
            (vm->state != VM_STATE_RUNNING && vm->state != VM_STATE_PAUSED && vm->state != VM_STATE_SHUTTING_DOWN)) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_STATE, "Cannot get the statistics of VM '%s': it is %s",
                            vm->config->name, vm_state_to_string(vm->state));
                return false;
        }
        op = vm_op_new(vm, "get the statistics of", reply, userdata);
        vm->queries = g_list_append(vm->queries, op);
        engine_vm_stats(vm->engine_vm, stats_done, op);
        return true;
}
