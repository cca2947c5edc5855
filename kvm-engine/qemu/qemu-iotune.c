/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <iotune>, as libvirt 9.0 applies it with -blockdev: block_set_io_throttle on each throttled
 * disk's device, after QMP is up and before the guest runs (qemuProcessSetupDiskThrottling),
 * the six base limits always given, the bursts, lengths, size and group when written.
 */

#include "qemu-argv.h"

/* QMP's names, in the order of VmIotuneLimit. */
static const char *const qmp_names[] = {
        [VM_IOTUNE_TOTAL_BYTES_SEC] = "bps",
        [VM_IOTUNE_READ_BYTES_SEC] = "bps_rd",
        [VM_IOTUNE_WRITE_BYTES_SEC] = "bps_wr",
        [VM_IOTUNE_TOTAL_IOPS_SEC] = "iops",
        [VM_IOTUNE_READ_IOPS_SEC] = "iops_rd",
        [VM_IOTUNE_WRITE_IOPS_SEC] = "iops_wr",
        [VM_IOTUNE_TOTAL_BYTES_SEC_MAX] = "bps_max",
        [VM_IOTUNE_READ_BYTES_SEC_MAX] = "bps_rd_max",
        [VM_IOTUNE_WRITE_BYTES_SEC_MAX] = "bps_wr_max",
        [VM_IOTUNE_TOTAL_IOPS_SEC_MAX] = "iops_max",
        [VM_IOTUNE_READ_IOPS_SEC_MAX] = "iops_rd_max",
        [VM_IOTUNE_WRITE_IOPS_SEC_MAX] = "iops_wr_max",
        [VM_IOTUNE_TOTAL_BYTES_SEC_MAX_LENGTH] = "bps_max_length",
        [VM_IOTUNE_READ_BYTES_SEC_MAX_LENGTH] = "bps_rd_max_length",
        [VM_IOTUNE_WRITE_BYTES_SEC_MAX_LENGTH] = "bps_wr_max_length",
        [VM_IOTUNE_TOTAL_IOPS_SEC_MAX_LENGTH] = "iops_max_length",
        [VM_IOTUNE_READ_IOPS_SEC_MAX_LENGTH] = "iops_rd_max_length",
        [VM_IOTUNE_WRITE_IOPS_SEC_MAX_LENGTH] = "iops_wr_max_length",
        [VM_IOTUNE_SIZE_IOPS_SEC] = "iops_size",
};
G_STATIC_ASSERT(G_N_ELEMENTS(qmp_names) == _VM_IOTUNE_MAX);

JsonNode *qemu_iotune_args(const VmDevice *device) {
        const VmDiskIotune *iotune = device->disk.iotune;
        JsonObject *o = json_object_new();
        JsonNode *node = json_node_new(JSON_NODE_OBJECT);

        /* The device that holds the block backend, as libvirt names it: a virtio-blk-pci's is its
         * inner virtio device, a usb-storage's the SCSI disk on its own bus. */
        if (device->disk.bus == VM_DISK_BUS_VIRTIO) {
                g_autofree char *path = g_strdup_printf("/machine/peripheral/%s/virtio-backend", device->id);
                json_object_set_string_member(o, "id", path);
        } else if (device->disk.bus == VM_DISK_BUS_USB) {
                g_autofree char *path =
                        g_strdup_printf("/machine/peripheral/%s/%s.0/legacy[0]", device->id, device->id);
                json_object_set_string_member(o, "id", path);
        } else
                json_object_set_string_member(o, "id", device->id);
        for (int i = 0; i < _VM_IOTUNE_MAX; i++)
                if (i <= VM_IOTUNE_WRITE_IOPS_SEC || iotune->limits[i])
                        json_object_set_int_member(o, qmp_names[i], (gint64) iotune->limits[i]);
        if (iotune->group_name)
                json_object_set_string_member(o, "group", iotune->group_name);
        json_node_take_object(node, o);
        return node;
}
