/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * GetStats on QEMU: CPU time from the kernel (/proc/PID/stat of QEMU),
 * memory from query-balloon, disks from query-blockstats, interfaces from
 * their tap devices (QEMU 7.2 has no counters of its own for a netdev; as
 * libvirt, the tap's, swapped to the guest's side). What QEMU answers is
 * hostile input: only the VM's own disks are reported, matched by the block
 * node names this engine gave them, and every number is read with a default.
 */

#include "engine-stats.h"
#include "qemu-vm.h"

/* Two QMP queries in flight; the op is answered after the last. */
static void stats_reply_done(QemuOp *op, const GError *error) {
        if (error && !op->base.error)
                op->base.error = g_error_copy(error);
        if (--op->n_waiting > 0)
                return;
        g_autoptr(GError) e = g_steal_pointer(&op->base.error);
        engine_op_finish(&op->base, e);
}

static void stats_on_balloon(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        uint64_t actual = 0;

        /* Without a balloon device QEMU answers an error: the guest has all its memory. */
        if (!error && JSON_NODE_HOLDS_OBJECT(result))
                actual = engine_stats_member_u64(json_node_get_object(result), "actual");
        engine_stats_add_memory(op->base.info, op->base.vm->config->memory, actual);
        stats_reply_done(op, NULL);
}

/* The device id whose block node is node_name, or NULL. */
static const char *disk_for_node(QemuVm *vm, const char *node_name) {
        GHashTableIter iter;
        gpointer id, node;

        g_hash_table_iter_init(&iter, vm->disk_nodes);
        while (g_hash_table_iter_next (&iter, &id, &node))
                if (g_strcmp0(node, node_name) == 0)
                        return id;
        return NULL;
}

static void stats_on_blockstats(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        g_auto(GVariantBuilder) block = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("aa{sv}"));
        g_auto(GVariantBuilder) net = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE("aa{sv}"));
        g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

        if (error) {
                stats_reply_done(op, error);
                return;
        }
        JsonArray *devices = JSON_NODE_HOLDS_ARRAY(result) ? json_node_get_array(result) : NULL;
        for (guint i = 0; devices && i < json_array_get_length(devices); i++) {
                JsonNode *node = json_array_get_element(devices, i);
                JsonObject *device = JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
                const char *node_name =
                        device ? json_object_get_string_member_with_default(device, "node-name", NULL) : NULL;
                const char *id = node_name ? disk_for_node(qemu_op_vm(op), node_name) : NULL;
                JsonNode *stats_node = id ? json_object_get_member(device, "stats") : NULL;

                if (!stats_node || !JSON_NODE_HOLDS_OBJECT(stats_node) || g_hash_table_contains(seen, id))
                        continue;
                JsonObject *stats = json_node_get_object(stats_node);
                g_hash_table_add(seen, (gpointer) id);
                g_variant_builder_add_value(&block,
                                            engine_stats_block_entry(id, engine_stats_member_u64(stats, "rd_bytes"),
                                                                     engine_stats_member_u64(stats, "wr_bytes"),
                                                                     engine_stats_member_u64(stats, "rd_operations"),
                                                                     engine_stats_member_u64(stats, "wr_operations")));
        }
        for (guint i = 0; i < op->base.vm->config->devices->len; i++) {
                const VmDevice *device = op->base.vm->config->devices->pdata[i];
                GVariant *entry;

                if (device->kind != VM_DEVICE_INTERFACE || !device->id)
                        continue;
                entry = engine_stats_tap_entry(device->id, device->net.target_dev);
                if (entry)
                        g_variant_builder_add_value(&net, entry);
        }
        engine_stats_add_devices(op->base.info, &block, &net);
        stats_reply_done(op, NULL);
}

void qemu_vm_stats(EngineVm *engine_vm, EngineInfoFn done, void *userdata) {
        QemuVm *vm = (QemuVm *) engine_vm;
        QemuOp *op = qemu_op_new(vm, ENGINE_OP_INFO, NULL, userdata);

        op->base.info_done = done;
        if (!qemu_op_require_qmp(op))
                return;
        op->base.info = g_variant_dict_new(NULL);
        engine_stats_add_cpu(op->base.info, process_get_pid(vm->base.process));
        op->n_waiting = 2;
        qmp_client_execute(vm->qmp, "query-balloon", NULL, -1, stats_on_balloon, op);
        qmp_client_execute(vm->qmp, "query-blockstats", NULL, -1, stats_on_blockstats, op);
}
