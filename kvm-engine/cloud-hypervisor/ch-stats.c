/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * GetStats on cloud-hypervisor: CPU time from the kernel (/proc/PID/stat of
 * the VMM), disks and interfaces from GET vm.counters, memory from GET
 * vm.info. vm.counters answers {"<device id>": {"<counter>": n, ...}, ...}
 * for each virtio device that counts (block: read_bytes, write_bytes,
 * read_ops, write_ops and latencies; net: rx_bytes, tx_bytes, rx_frames,
 * tx_frames, rx being what the guest received). What the VMM answers is
 * hostile input: only the VM's own disks and interfaces are looked up in it,
 * by the ids this engine gave them, and every number is read with a default.
 */

#include "ch-vm.h"
#include "engine-stats.h"

static GError *not_an_object(const char *endpoint) {
        return g_error_new(HV_ERROR, HV_ERROR_ENGINE_FAILED,
                           "cloud-hypervisor answered %s with something that is "
                           "not a JSON object",
                           endpoint);
}

static void stats_on_vm_info(ChOp *op, const ChHttpResponse *response, const GError *error) {
        g_autoptr(GError) failure = ch_op_answer_error(op, response, error);
        g_autoptr(JsonParser) parser = NULL;
        JsonObject *info;

        if (failure) {
                engine_op_finish(&op->base, failure);
                return;
        }
        parser = json_parser_new_immutable();
        info = ch_parse_object(parser, response);
        if (!info) {
                g_autoptr(GError) e = not_an_object("vm.info");
                engine_op_finish(&op->base, e);
                return;
        }
        /* memory_actual_size: the guest's memory less what the balloon holds. */
        engine_stats_add_memory(op->base.info, op->base.vm->config->memory,
                                engine_stats_member_u64(info, "memory_actual_size"));
        engine_op_finish(&op->base, NULL);
}

static void stats_on_counters(ChOp *op, const ChHttpResponse *response, const GError *error) {
        g_autoptr(GError) failure = ch_op_answer_error(op, response, error);
        g_auto(GVariantBuilder) block = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("aa{sv}"));
        g_auto(GVariantBuilder) net = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("aa{sv}"));
        g_autoptr(JsonParser) parser = NULL;
        JsonObject *counters;

        if (failure) {
                engine_op_finish(&op->base, failure);
                return;
        }
        parser = json_parser_new_immutable();
        counters = ch_parse_object(parser, response);
        if (!counters) {
                g_autoptr(GError) e = not_an_object("vm.counters");
                engine_op_finish(&op->base, e);
                return;
        }
        for (guint i = 0; i < op->base.vm->config->devices->len; i++) {
                const VmDevice *device = op->base.vm->config->devices->pdata[i];
                JsonObject *c = device->id ? ch_member_object(counters, device->id) : NULL;

                if (!c)
                        continue;
                if (device->kind == VM_DEVICE_DISK)
                        g_variant_builder_add_value(
                                &block, engine_stats_block_entry(device->id, engine_stats_member_u64(c, "read_bytes"),
                                                                 engine_stats_member_u64(c, "write_bytes"),
                                                                 engine_stats_member_u64(c, "read_ops"),
                                                                 engine_stats_member_u64(c, "write_ops")));
                else if (device->kind == VM_DEVICE_INTERFACE)
                        g_variant_builder_add_value(
                                &net, engine_stats_net_entry(device->id, engine_stats_member_u64(c, "rx_bytes"),
                                                             engine_stats_member_u64(c, "tx_bytes"),
                                                             engine_stats_member_u64(c, "rx_frames"),
                                                             engine_stats_member_u64(c, "tx_frames")));
        }
        engine_stats_add_devices(op->base.info, &block, &net);
        ch_op_call(op, "GET", "vm.info", NULL, NULL, 0, stats_on_vm_info);
}

void ch_vm_stats(EngineVm *engine_vm, EngineInfoFn done, void *userdata) {
        ChVm *vm = (ChVm *) engine_vm;
        ChOp *op = ch_op_new(vm, ENGINE_OP_INFO, NULL, userdata);

        op->base.info_done = done;
        op->base.info = g_variant_dict_new(NULL);
        if (!ch_op_require_vmm(op))
                return;
        engine_stats_add_cpu(op->base.info, process_get_pid(vm->base.process));
        ch_op_call(op, "GET", "vm.counters", NULL, NULL, 0, stats_on_counters);
}
