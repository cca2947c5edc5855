/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * A cdrom's medium on a running QEMU (UpdateDevice): insert, swap or eject, as
 * libvirt does with -blockdev. The new medium's block nodes are added first,
 * named by us ("diskN" and "diskN-file", as at boot), so that a file QEMU
 * cannot open changes nothing; then the tray is opened (forced: a guest's lock
 * does not hold the user's eject back), the old medium removed, the new one
 * inserted and the tray closed. The old nodes are deleted last, so that QEMU
 * lets go of the old file, and disk_nodes (the runtime record that snapshots
 * and statistics read) names the new node, or none for an empty drive.
 *
 * QEMU opens the file, as the owner; the service never does.
 */

#include "qemu-vm.h"

/* The nodes of a medium that is no longer wanted: their fate does not change the answer. */
static void qemu_media_delete_nodes(QmpClient *qmp, const char *node) {
        g_autofree char *file_node = qemu_disk_file_node_name(node);

        qmp_client_execute(qmp, "blockdev-del", qmp_args("node-name", qmp_string(node), NULL), -1, NULL, NULL);
        qmp_client_execute(qmp, "blockdev-del", qmp_args("node-name", qmp_string(file_node), NULL), -1, NULL, NULL);
}

/* The op failed once the new nodes existed: they go, the answer is error. */
static void qemu_media_fail(QemuOp *op, QmpClient *qmp, const GError *error) {
        if (op->node_name)
                qemu_media_delete_nodes(qmp, op->node_name);
        engine_op_finish(&op->base, error);
}

static void qemu_media_on_close_tray(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        QemuVm *vm = qemu_op_vm(op);
        g_autofree char *old_node = NULL;
        g_autofree char *key = NULL;

        if (error) {
                /* The new medium is in; only the tray stayed open: still a failure to report. */
                engine_op_finish(&op->base, error);
                return;
        }
        if (g_hash_table_steal_extended(vm->disk_nodes, op->base.device_id, (gpointer *) &key, (gpointer *) &old_node))
                qemu_vm_delete_disk_nodes(vm, old_node);
        if (op->node_name)
                g_hash_table_insert(vm->disk_nodes, g_strdup(op->base.device_id), g_strdup(op->node_name));
        engine_op_finish(&op->base, NULL);
}

static void qemu_media_close_tray(QemuOp *op, QmpClient *qmp) {
        qmp_client_execute(qmp, "blockdev-close-tray", qmp_args("id", qmp_string(op->base.device_id), NULL), -1,
                           qemu_media_on_close_tray, op);
}

static void qemu_media_on_insert(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;

        if (error) {
                qemu_media_fail(op, qmp, error);
                return;
        }
        qemu_media_close_tray(op, qmp);
}

static void qemu_media_on_remove(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;

        if (error) {
                qemu_media_fail(op, qmp, error);
                return;
        }
        if (!op->node_name) { /* an eject */
                qemu_media_close_tray(op, qmp);
                return;
        }
        qmp_client_execute(
                qmp, "blockdev-insert-medium",
                qmp_args("id", qmp_string(op->base.device_id), "node-name", qmp_string(op->node_name), NULL), -1,
                qemu_media_on_insert, op);
}

static void qemu_media_on_open_tray(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;

        if (error) {
                qemu_media_fail(op, qmp, error);
                return;
        }
        /* An empty drive has nothing to remove: QEMU answers success. */
        qmp_client_execute(qmp, "blockdev-remove-medium", qmp_args("id", qmp_string(op->base.device_id), NULL), -1,
                           qemu_media_on_remove, op);
}

static void qemu_media_open_tray(QemuOp *op, QmpClient *qmp) {
        qmp_client_execute(qmp, "blockdev-open-tray",
                           qmp_args("id", qmp_string(op->base.device_id), "force", qmp_bool(true), NULL), -1,
                           qemu_media_on_open_tray, op);
}

static void qemu_media_on_format_node(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;

        if (error) {
                g_autofree char *file_node = qemu_disk_file_node_name(op->node_name);
                qmp_client_execute(qmp, "blockdev-del", qmp_args("node-name", qmp_string(file_node), NULL), -1, NULL,
                                   NULL);
                g_clear_pointer(&op->node_name, g_free);
                engine_op_finish(&op->base, error);
                return;
        }
        qemu_media_open_tray(op, qmp);
}

static void qemu_media_on_file_node(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;

        if (error) {
                g_clear_pointer(&op->node_name, g_free);
                engine_op_finish(&op->base, error);
                return;
        }
        qmp_client_execute(qmp, "blockdev-add", qemu_disk_format_blockdev(&op->base.device->disk, op->node_name), -1,
                           qemu_media_on_format_node, op);
}

void qemu_vm_change_media(EngineVm *engine_vm, const VmDevice *cdrom, EngineDoneFn done, void *userdata) {
        QemuVm *vm = (QemuVm *) engine_vm;
        QemuOp *op = qemu_op_new(vm, ENGINE_OP_CHANGE_MEDIA, done, userdata);

        op->base.device_id = g_strdup(cdrom->id);
        if (!qemu_op_require_qmp(op))
                return;
        if (cdrom->kind != VM_DEVICE_DISK || !cdrom->disk.cdrom || !cdrom->id || !qemu_id_is_valid(cdrom->id)) {
                engine_op_fail_later(&op->base, g_error_new(HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                                                            "Device '%s' is no cdrom QEMU can change the medium of",
                                                            cdrom->id ? cdrom->id : ""));
                return;
        }
        if (cdrom->disk.network) {
                engine_op_fail_later_literal(&op->base, HV_ERROR_NOT_SUPPORTED,
                                             "A network medium (<disk type='network'>) cannot be inserted into a "
                                             "running VM by the QEMU engine (only at boot)");
                return;
        }
        if (cdrom->disk.n_backing) {
                engine_op_fail_later_literal(&op->base, HV_ERROR_NOT_SUPPORTED,
                                             "A medium with <backingStore> layers cannot be inserted into a running "
                                             "VM by the QEMU engine (only at boot)");
                return;
        }
        op->base.device = vm_device_copy(cdrom);
        if (!cdrom->disk.path) {
                qemu_media_open_tray(op, vm->qmp);
                return;
        }
        op->node_name = qemu_disk_node_name(vm->next_disk_index++);
        qmp_client_execute(vm->qmp, "blockdev-add", qemu_disk_file_blockdev(&cdrom->disk, op->node_name), -1,
                           qemu_media_on_file_node, op);
}
