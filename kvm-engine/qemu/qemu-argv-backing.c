/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * A disk's <backingStore> chain as libvirt 9.0's qemu_block.c gives it to QEMU 7.2: each layer
 * a storage node and a format node of its own, read-only, the deepest first, each format node
 * naming the layer below as its "backing"; "backing": null on the last qcow2 node when an empty
 * <backingStore/> ends the chain, so that QEMU opens no backing file the image names. The
 * disk's cache, io and discard go to every layer, detect_zeroes to the top only (libvirt's
 * qemuDomainPrepareDiskSourceData). QEMU opens every layer as the VM's owner.
 */

#include "qemu-argv.h"

char *qemu_disk_layer_node_name(const char *node_name, unsigned layer) {
        return g_strdup_printf("%s-b%u", node_name, layer);
}

static JsonNode *object_node(JsonObject *o) {
        JsonNode *node = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(node, o);
        return node;
}

/* What the format node of the image at layer (0: the disk's own, i: backing[i - 1]) says of
 * the one below: its node, or null where the chain ends. */
void qemu_disk_set_backing(const VmDisk *disk, const char *node_name, unsigned layer, JsonObject *o) {
        VmDiskFormat format = layer == 0 ? disk->format : disk->backing[layer - 1].format;

        if (format != VM_DISK_FORMAT_QCOW2)
                return; /* raw: no backing file (the reader allows no layer below one) */
        if (layer < disk->n_backing) {
                g_autofree char *below = qemu_disk_layer_node_name(node_name, layer + 1);
                json_object_set_string_member(o, "backing", below);
        } else if (disk->backing_end)
                json_object_set_null_member(o, "backing");
}

void qemu_disk_set_metadata_cache(JsonObject *o, uint64_t bytes) {
        if (bytes)
                json_object_set_int_member(o, "cache-size", (gint64) bytes);
}

JsonNode *qemu_disk_layer_file_blockdev(const VmDisk *disk, const char *node_name, unsigned layer) {
        const VmDiskLayer *l = &disk->backing[layer - 1];
        g_autofree char *format_node = qemu_disk_layer_node_name(node_name, layer);
        g_autofree char *file_node = qemu_disk_file_node_name(format_node);
        JsonObject *o;

        if (l->network)
                o = qemu_disk_network_blockdev(l->network);
        else {
                o = json_object_new();
                json_object_set_string_member(o, "driver", l->block ? "host_device" : "file");
                json_object_set_string_member(o, "filename", l->path);
        }
        json_object_set_string_member(o, "node-name", file_node);
        json_object_set_boolean_member(o, "read-only", true);
        qemu_disk_tune_blockdev(disk, o, true);
        return object_node(o);
}

JsonNode *qemu_disk_layer_format_blockdev(const VmDisk *disk, const char *node_name, unsigned layer) {
        const VmDiskLayer *l = &disk->backing[layer - 1];
        g_autofree char *format_node = qemu_disk_layer_node_name(node_name, layer);
        g_autofree char *file_node = qemu_disk_file_node_name(format_node);
        JsonObject *o = json_object_new();

        json_object_set_string_member(o, "driver", l->format == VM_DISK_FORMAT_QCOW2 ? "qcow2" : "raw");
        json_object_set_string_member(o, "node-name", format_node);
        json_object_set_string_member(o, "file", file_node);
        json_object_set_boolean_member(o, "read-only", true);
        qemu_disk_tune_blockdev(disk, o, false);
        /* detect_zeroes is the top image's only: nothing writes a backing layer. */
        if (json_object_has_member(o, "detect-zeroes"))
                json_object_remove_member(o, "detect-zeroes");
        qemu_disk_set_metadata_cache(o, l->metadata_cache);
        qemu_disk_set_backing(disk, node_name, layer, o);
        return object_node(o);
}

unsigned qemu_disk_boot_layers(const VmConfig *config, const char *node_name) {
        unsigned index = 0;

        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if (device->kind != VM_DEVICE_DISK)
                        continue;
                g_autofree char *boot_node = qemu_disk_node_name(index++);
                if (g_str_equal(boot_node, node_name))
                        return device->disk.n_backing;
        }
        return 0;
}
