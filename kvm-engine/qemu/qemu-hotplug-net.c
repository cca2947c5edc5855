/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Hot-plug of an <interface> on QEMU, as libvirt does it: the tap, opened and (for
 * a bridge) joined by the service as at boot, goes to QEMU with getfd; then
 * netdev_add names that descriptor, and device_add puts the NIC on a free root
 * port. Each failing step undoes the earlier ones. Unplugging is device_del (in
 * qemu-operations.c); once the guest let go (DEVICE_DELETED), netdev_del, and the
 * tap goes with QEMU's last descriptor of it.
 */

#include <unistd.h>

#include "hv-error.h"
#include "qemu-vm.h"
#include "tap.h"

#define BACKEND_PREFIX "hostnet-"

static void forget_backend(QmpClient *qmp, const char *netdev_id) {
        qmp_client_execute(qmp, "netdev_del", qmp_args("id", qmp_string(netdev_id), NULL), -1, NULL, NULL);
}

static void on_device_added(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;
        QemuVm *vm = qemu_op_vm(op);

        if (error) {
                forget_backend(qmp, op->node_name);
                engine_op_finish(&op->base, error);
                return;
        }
        if (op->port >= 0) {
                g_free(vm->port_owners->pdata[op->port]);
                vm->port_owners->pdata[op->port] = g_strdup(op->base.device_id);
        }
        g_hash_table_insert(vm->net_backends, g_strdup(op->base.device_id), g_strdup(op->node_name));
        engine_op_finish(&op->base, NULL);
}

static void on_netdev_added(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;

        if (error) {
                /* A descriptor netdev_add did not take stays in the monitor: close it. */
                if (vm_interface_uses_tap(&op->base.device->net))
                        qmp_client_execute(qmp, "closefd", qmp_args("fdname", qmp_string(op->node_name), NULL), -1,
                                           NULL, NULL);
                engine_op_finish(&op->base, error);
                return;
        }
        JsonNode *args = qemu_net_device(qemu_op_vm(op)->machine, op->base.device, op->node_name);
        if (op->port >= 0) {
                g_autofree char *bus = g_strdup_printf("rp%d", op->port);
                json_object_set_string_member(json_node_get_object(args), "bus", bus);
        }
        qmp_client_execute(qmp, "device_add", args, -1, on_device_added, op);
}

static void add_netdev(QmpClient *qmp, QemuOp *op) {
        JsonNode *args = qemu_net_netdev_add_args(&op->base.device->net, op->node_name);

        qmp_client_execute(qmp, "netdev_add", args, -1, on_netdev_added, op);
}

static void on_getfd(QmpClient *qmp, JsonNode *result, const GError *error, void *userdata) {
        QemuOp *op = userdata;

        if (error) {
                engine_op_finish(&op->base, error);
                return;
        }
        add_netdev(qmp, op);
}

void qemu_vm_add_interface(QemuOp *op) {
        QemuVm *vm = qemu_op_vm(op);
        GError *error = NULL;
        int fd;

        op->node_name = g_strconcat(BACKEND_PREFIX, op->base.device_id, NULL);
        if (!vm_interface_uses_tap(&op->base.device->net)) {
                add_netdev(vm->qmp, op);
                return;
        }
        fd = tap_open_interface(&op->base.device->net, vm->base.uid, vm->base.gid, &error);
        if (fd < 0) {
                engine_op_fail_later(&op->base, error);
                return;
        }
        /* The fd's name in QEMU is the backend's id. */
        qmp_client_execute(vm->qmp, "getfd", qmp_args("fdname", qmp_string(op->node_name), NULL), fd, on_getfd, op);
        close(fd); /* the client sends a duplicate */
}

bool qemu_vm_on_interface_deleted(QemuVm *vm, const char *id) {
        g_autofree char *netdev = NULL;
        g_autofree char *key = NULL;

        if (!g_hash_table_steal_extended(vm->net_backends, id, (gpointer *) &key, (gpointer *) &netdev))
                return false;
        for (guint i = 0; i < vm->port_owners->len; i++)
                if (g_strcmp0(vm->port_owners->pdata[i], id) == 0)
                        g_clear_pointer(&vm->port_owners->pdata[i], g_free);
        forget_backend(vm->qmp, netdev);

        engine_vm_base_ref(&vm->base);
        qemu_vm_emit_guest_event(vm, "device-removed", "DEVICE_DELETED", NULL, id);
        QemuOp *op = vm->base.freed ? NULL : qemu_vm_find_op(vm, ENGINE_OP_REMOVE_DEVICE, id);
        if (op)
                engine_op_finish(&op->base, NULL);
        engine_vm_base_unref(&vm->base);
        return true;
}
