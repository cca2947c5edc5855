/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Whether a <hostdev> can be given to a VM at Boot, said in words before the engine
 * starts: the device exists, a PCI function with managed='yes' is bound to vfio-pci
 * already (libvirt would rebind it as root; the service never does that for an owner),
 * and its VFIO group /dev/vfio/N is open to the VM's owner, who opens it (QEMU runs as
 * the owner); a SCSI device's /dev/sgN, found in sysfs, exists and is open to the owner.
 * Nothing here changes the host: it reads sysfs and stats one node.
 */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "vm-config.h"

/* sysfs: "/sys", or a test's tree; dev: "/dev", or a test's (with vfio/N and bus/usb/BBB/DDD).
 * uid (uid_t) -1: the engine runs as the service, no owner to check for. A USB device: its
 * node /dev/bus/usb/BBB/DDD exists and is open to the owner. */
bool hostdev_check_usable(const char *sysfs, const char *dev, const VmHostdev *hostdev, uid_t uid, gid_t gid,
                          GError **error);
/* A SCSI hostdev of this host (not iSCSI): the node QEMU opens as the owner, found in sysfs as
 * SYSFS/bus/scsi/devices/H:B:T:U/scsi_generic/sgN, that is DEV/sgN; it exists and the owner may
 * open it read-write (read-only with <readonly/>). *ret: that path, the caller's. */
bool hostdev_scsi_node(const char *sysfs, const char *dev, const VmHostdev *hostdev, uid_t uid, gid_t gid,
                       char **ret, GError **error);
