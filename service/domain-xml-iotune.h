/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * <disk><iotune>: the throttling of a disk, read as libvirt does (each limit a number of its
 * own element, the total and the read/write split exclusive, a burst with its base) and
 * written back. The QEMU engine applies it as libvirt 9.0 does: block_set_io_throttle on the
 * device before the guest runs.
 */

#include <glib.h>
#include <libxml/tree.h>

#include "vm-config.h"

extern const char *const domain_xml_iotune_names[];

bool domain_xml_parse_iotune(const xmlNode *node, VmDisk *disk, GError **error);
void domain_xml_format_iotune(GString *out, unsigned level, const VmDiskIotune *iotune);
