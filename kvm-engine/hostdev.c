/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <inttypes.h>
#include <sys/stat.h>

#include "hostdev.h"
#include "hv-error.h"

/* The last part of what the symlink at path points to ("vfio-pci" of .../drivers/vfio-pci), or NULL. */
static char *link_name(const char *path) {
        g_autofree char *target = g_file_read_link(path, NULL);

        return target ? g_path_get_basename(target) : NULL;
}

/* Whether the engine's owner (uid, gid) may read (and write, unless read_only) the node, by its
 * mode. The engine runs with no supplementary groups (process-spawn.c: setgroups(0)), so the
 * owner's other groups do not count here either. */
static bool owner_may_open(const struct stat *st, uid_t uid, gid_t gid, bool read_only) {
        mode_t user = read_only ? S_IRUSR : S_IRUSR | S_IWUSR;
        mode_t group = read_only ? S_IRGRP : S_IRGRP | S_IWGRP;
        mode_t other = read_only ? S_IROTH : S_IROTH | S_IWOTH;

        if (st->st_uid == uid)
                return (st->st_mode & user) == user;
        if (st->st_gid == gid)
                return (st->st_mode & group) == group;
        return (st->st_mode & other) == other;
}

/* The node QEMU opens as the owner: there, and read-write (or readable, read_only) for the owner. */
static bool check_node(const char *name, const char *node, uid_t uid, gid_t gid, bool read_only, GError **error) {
        struct stat st;

        if (stat(node, &st) < 0) {
                g_set_error(error, HV_ERROR, errno == ENOENT ? HV_ERROR_NOT_FOUND : HV_ERROR_FAILED,
                            "<hostdev>: %s needs %s: %s", name, node, g_strerror(errno));
                return false;
        }
        if (uid != (uid_t) -1 && uid != 0 && !owner_may_open(&st, uid, gid, read_only)) {
                g_set_error(error, HV_ERROR, HV_ERROR_ACCESS_DENIED,
                            "<hostdev>: %s is %s, which the VM's owner (uid %u) cannot open%s: the administrator "
                            "gives the owner %s%s",
                            name, node, (unsigned) uid, read_only ? " for reading" : " for reading and writing",
                            read_only ? "read access to " : "read and write access to ", node);
                return false;
        }
        return true;
}

bool hostdev_scsi_node(const char *sysfs, const char *dev, const VmHostdev *hostdev, uid_t uid, gid_t gid,
                       char **ret, GError **error) {
        g_autofree char *address = g_strdup_printf("%" PRIu32 ":%" PRIu32 ":%" PRIu32 ":%" PRIu64, hostdev->scsi_host,
                                                   hostdev->scsi_bus, hostdev->scsi_target, hostdev->scsi_unit);
        g_autofree char *name = g_strdup_printf("SCSI device %s (scsi_host%" PRIu32 ")", address, hostdev->scsi_host);
        g_autofree char *device = g_build_filename(sysfs, "bus", "scsi", "devices", address, NULL);
        g_autofree char *generic = g_build_filename(device, "scsi_generic", NULL);
        g_autofree char *sg = NULL, *node = NULL;
        g_autoptr(GDir) dir = NULL;
        const char *entry;

        g_return_val_if_fail(hostdev->type == VM_HOSTDEV_SCSI && !hostdev->scsi_iscsi, false);
        if (!g_file_test(device, G_FILE_TEST_IS_DIR)) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_FOUND, "<hostdev>: this host has no %s (lsscsi lists them)",
                            name);
                return false;
        }
        /* The one sgN of the device; the kernel makes it when the sg module is loaded. */
        dir = g_dir_open(generic, 0, NULL);
        while (dir && (entry = g_dir_read_name(dir))) {
                if (g_str_has_prefix(entry, "sg")) {
                        sg = g_strdup(entry);
                        break;
                }
        }
        if (!sg) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_FOUND,
                            "<hostdev>: %s has no SCSI generic node /dev/sgN: the administrator loads the sg module "
                            "(modprobe sg)",
                            name);
                return false;
        }
        node = g_build_filename(dev, sg, NULL);
        if (!check_node(name, node, uid, gid, hostdev->scsi_readonly, error))
                return false;
        *ret = g_steal_pointer(&node);
        return true;
}

bool hostdev_check_usable(const char *sysfs, const char *dev, const VmHostdev *hostdev, uid_t uid, gid_t gid,
                          GError **error) {
        g_autofree char *name = NULL, *device = NULL, *link = NULL, *driver = NULL, *group = NULL, *node = NULL;

        /* iSCSI: QEMU reaches the target over the network, no node of this host. */
        if (hostdev->type == VM_HOSTDEV_SCSI && hostdev->scsi_iscsi)
                return true;
        if (hostdev->type == VM_HOSTDEV_SCSI) {
                if (!hostdev_scsi_node(sysfs, dev, hostdev, uid, gid, &node, error))
                        return false;
                return true;
        }
        if (hostdev->type == VM_HOSTDEV_USB) {
                name = g_strdup_printf("USB device %" PRIu32 ".%" PRIu32, hostdev->usb_bus, hostdev->usb_device);
                node = g_strdup_printf("%s/bus/usb/%03" PRIu32 "/%03" PRIu32, dev, hostdev->usb_bus,
                                       hostdev->usb_device);
                return check_node(name, node, uid, gid, false, error);
        }

        if (hostdev->type == VM_HOSTDEV_MDEV) {
                name = g_strdup_printf("mediated device %s", hostdev->uuid);
                device = g_build_filename(sysfs, "bus", "mdev", "devices", hostdev->uuid, NULL);
        } else {
                g_autofree char *address = g_strdup_printf("%04x:%02x:%02x.%x", hostdev->domain, hostdev->bus,
                                                           hostdev->slot, hostdev->function);
                name = g_strdup_printf("PCI device %s", address);
                device = g_build_filename(sysfs, "bus", "pci", "devices", address, NULL);
        }
        if (!g_file_test(device, G_FILE_TEST_IS_DIR)) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_FOUND, "<hostdev>: this host has no %s", name);
                return false;
        }
        if (hostdev->type == VM_HOSTDEV_PCI && hostdev->managed) {
                link = g_build_filename(device, "driver", NULL);
                driver = link_name(link);
                if (g_strcmp0(driver, "vfio-pci") != 0) {
                        g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                                    "<hostdev managed='yes'>: %s is bound to %s%s%s, not to vfio-pci; libvirt would "
                                    "rebind it as root, which hypervisord does not do for a VM's owner: the "
                                    "administrator binds it to vfio-pci (for example driverctl set-override "
                                    "%04x:%02x:%02x.%x vfio-pci)",
                                    name, driver ? "driver '" : "no driver", driver ? driver : "", driver ? "'" : "",
                                    hostdev->domain, hostdev->bus, hostdev->slot, hostdev->function);
                        return false;
                }
                g_clear_pointer(&link, g_free);
        }
        link = g_build_filename(device, "iommu_group", NULL);
        group = link_name(link);
        if (!group) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                            "<hostdev>: %s is in no IOMMU group (is the IOMMU on?), so VFIO cannot give it to a VM",
                            name);
                return false;
        }
        node = g_build_filename(dev, "vfio", group, NULL);
        return check_node(name, node, uid, gid, false, error);
}
