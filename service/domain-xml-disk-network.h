/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * <disk type='network'><source protocol name query><host .../>...</source>: an image QEMU
 * reaches itself, as the VM's owner, with the block driver of the protocol (nbd, iscsi, http,
 * https, ftp, ftps, gluster, rbd, nfs). What needs a secret the service does not keep
 * (<auth>, cookies, TLS certificates) is refused naming it.
 */

#include <glib.h>
#include <libxml/tree.h>

#include "vm-config.h"

/* source: the <disk>'s <source> (NULL: refused, a network disk needs one). */
bool domain_xml_parse_disk_network(const xmlNode *disk, const xmlNode *source, VmDisk *ret, GError **error);
/* The <source ...>...</source> line(s) of a network disk, at level. */
void domain_xml_format_disk_network(GString *out, unsigned level, const VmDiskNetwork *network);

extern const char *const domain_xml_disk_protocol_names[];
