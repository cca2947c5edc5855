/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Context IDs for <cid auto='yes'> (see vm-vsock.h).
 */

#include "vm-vsock.h"

#include "manager.h"

#define FIRST_GUEST_CID 3 /* 0-2 are the hypervisor's, the host's and local */

static void add_cids_of(GHashTable *used, const VmConfig *config, bool fixed_only) {
        for (guint i = 0; config && i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];

                if (device->kind == VM_DEVICE_VSOCK && device->vsock.cid && !(fixed_only && device->vsock.cid_auto))
                        g_hash_table_add(used, GUINT_TO_POINTER(device->vsock.cid));
        }
}

/* One pass over the service's VMs, then at most one probe more than there are VMs. */
static uint32_t free_cid(Manager *manager, const Vm *vm) {
        g_autoptr(GHashTable) used = g_hash_table_new(g_direct_hash, g_direct_equal);
        GHashTableIter iter;
        gpointer value;
        uint32_t cid = FIRST_GUEST_CID;

        g_hash_table_iter_init(&iter, manager->vms_by_uuid);
        while (g_hash_table_iter_next(&iter, NULL, &value)) {
                const Vm *other = value;

                if (other == vm)
                        continue;
                add_cids_of(used, other->live, false);
                add_cids_of(used, other->config, true);
        }
        while (g_hash_table_contains(used, GUINT_TO_POINTER(cid)))
                cid++;
        return cid;
}

void vm_vsock_choose_device_cid(Manager *manager, const Vm *vm, VmDevice *device) {
        if (device->kind == VM_DEVICE_VSOCK && device->vsock.cid_auto)
                device->vsock.cid = free_cid(manager, vm);
}

void vm_vsock_choose_cids(Manager *manager, const Vm *vm, VmConfig *config) {
        for (guint i = 0; i < config->devices->len; i++)
                vm_vsock_choose_device_cid(manager, vm, config->devices->pdata[i]);
}
