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

/* Whether the engine's owner (uid, gid) may read and write the node, by its mode. The engine
 * runs with no supplementary groups (process-spawn.c: setgroups(0)), so the owner's other
 * groups do not count here either. */
static bool owner_may_open(const struct stat *st, uid_t uid, gid_t gid) {
        if (st->st_uid == uid)
                return (st->st_mode & (S_IRUSR | S_IWUSR)) == (S_IRUSR | S_IWUSR);
        if (st->st_gid == gid)
                return (st->st_mode & (S_IRGRP | S_IWGRP)) == (S_IRGRP | S_IWGRP);
        return (st->st_mode & (S_IROTH | S_IWOTH)) == (S_IROTH | S_IWOTH);
}

/* The node QEMU opens as the owner: there, and read-write for the owner. */
static bool check_node(const char *name, const char *node, uid_t uid, gid_t gid, GError **error) {
        struct stat st;

        if (stat(node, &st) < 0) {
                g_set_error(error, HV_ERROR, errno == ENOENT ? HV_ERROR_NOT_FOUND : HV_ERROR_FAILED,
                            "<hostdev>: %s needs %s: %s", name, node, g_strerror(errno));
                return false;
        }
        if (uid != (uid_t) -1 && uid != 0 && !owner_may_open(&st, uid, gid)) {
                g_set_error(error, HV_ERROR, HV_ERROR_ACCESS_DENIED,
                            "<hostdev>: %s is %s, which the VM's owner (uid %u) cannot open: the administrator "
                            "gives the owner %s",
                            name, node, (unsigned) uid, node);
                return false;
        }
        return true;
}

bool hostdev_check_usable(const char *sysfs, const char *dev, const VmHostdev *hostdev, uid_t uid, gid_t gid,
                          GError **error) {
        g_autofree char *name = NULL, *device = NULL, *link = NULL, *driver = NULL, *group = NULL, *node = NULL;

        if (hostdev->type == VM_HOSTDEV_USB) {
                name = g_strdup_printf("USB device %" PRIu32 ".%" PRIu32, hostdev->usb_bus, hostdev->usb_device);
                node = g_strdup_printf("%s/bus/usb/%03" PRIu32 "/%03" PRIu32, dev, hostdev->usb_bus,
                                       hostdev->usb_device);
                return check_node(name, node, uid, gid, error);
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
        return check_node(name, node, uid, gid, error);
}
