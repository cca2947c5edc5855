/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <filesystem type='mount'> on QEMU: a virtio-9p export, as libvirt's QEMU driver writes it
 * (qemuBuildFSStr, qemuBuildFSDevStr):
 *
 *   -fsdev local,id=fsdev-fs0,path=/srv/share,security_model=mapped[,readonly=on]
 *   -device {"driver":"virtio-9p-pci","id":"fs0","fsdev":"fsdev-fs0","mount_tag":"share0"}
 *
 * QEMU runs as the VM's owner and opens the folder itself (docs/security.md, rule 1): the
 * engine only writes its name. -fsdev takes QEMU's option syntax, where a comma in the path
 * is doubled. QEMU refuses to migrate a VM with a mounted 9p export, so a snapshot of one
 * fails with QEMU's words.
 */

#include <json-glib/json-glib.h>

#include "hv-error.h"
#include "qemu-argv.h"
#include "vm-problems.h"

static const char *const security_models[] = {
        [VM_FS_ACCESS_PASSTHROUGH] = "passthrough",
        [VM_FS_ACCESS_MAPPED] = "mapped",
        [VM_FS_ACCESS_SQUASH] = "none", /* libvirt's squash */
};

static const char *const multidevs_options[] = {
        [VM_FS_MULTIDEVS_DEFAULT] = "",
        [VM_FS_MULTIDEVS_REMAP] = ",multidevs=remap",
        [VM_FS_MULTIDEVS_FORBID] = ",multidevs=forbid",
        [VM_FS_MULTIDEVS_WARN] = ",multidevs=warn",
};

void qemu_filesystems_check(const VmConfig *config, QemuMachineKind machine, VmProblems *problems) {
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *a = config->devices->pdata[i];
                if (a->kind != VM_DEVICE_FILESYSTEM)
                        continue;
                if (machine == QEMU_MACHINE_MICROVM) {
                        vm_problems_add(problems, a->line, HV_ERROR_NOT_SUPPORTED,
                                        "<filesystem> is not supported by the microvm machine (virtio-9p is on PCI "
                                        "here)");
                        continue;
                }
                /* Two exports of one tag: the guest could mount only the first. Named at the second. */
                for (guint j = i + 1; j < config->devices->len; j++) {
                        const VmDevice *b = config->devices->pdata[j];
                        if (b->kind == VM_DEVICE_FILESYSTEM && g_str_equal(a->fs.target, b->fs.target))
                                vm_problems_add(problems, b->line, HV_ERROR_INVALID_ARGUMENT,
                                                "<filesystem> target dir '%s' is used twice", a->fs.target);
                }
        }
}

void qemu_argv_add_filesystems(GPtrArray *argv, const VmConfig *config) {
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if (device->kind != VM_DEVICE_FILESYSTEM)
                        continue;

                const VmFilesystem *fs = &device->fs;
                g_autofree char *fsdev = g_strconcat("fsdev-", device->id, NULL);
                g_autofree char *path = qemu_escape_opt(fs->source);
                GString *options = g_string_new(NULL);

                g_string_append_printf(options, "local,id=%s,path=%s,security_model=%s", fsdev, path,
                                       security_models[fs->access]);
                if (fs->fmode)
                        g_string_append_printf(options, ",fmode=%04o", fs->fmode);
                if (fs->dmode)
                        g_string_append_printf(options, ",dmode=%04o", fs->dmode);
                g_string_append(options, multidevs_options[fs->multidevs]);
                if (fs->write_immediate)
                        g_string_append(options, ",writeout=immediate");
                if (fs->readonly)
                        g_string_append(options, ",readonly=on");
                g_ptr_array_add(argv, g_strdup("-fsdev"));
                g_ptr_array_add(argv, g_string_free(options, FALSE));

                JsonObject *o = json_object_new();
                json_object_set_string_member(o, "driver", "virtio-9p-pci");
                json_object_set_string_member(o, "id", device->id);
                json_object_set_string_member(o, "fsdev", fsdev);
                json_object_set_string_member(o, "mount_tag", fs->target);
                JsonNode *node = json_node_new(JSON_NODE_OBJECT);
                json_node_take_object(node, o);
                g_ptr_array_add(argv, g_strdup("-device"));
                g_ptr_array_add(argv, json_to_string(node, FALSE));
                json_node_unref(node);
        }
}
