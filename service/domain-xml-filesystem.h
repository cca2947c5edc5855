/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * <filesystem type='mount'>: a host folder shared with the guest over virtio-9p, as
 * libvirt's QEMU driver makes it when no <driver type='virtiofs'/> asks for virtiofsd.
 */

#include <glib.h>
#include <libxml/tree.h>

#include "vm-config.h"

VmDevice *domain_xml_parse_filesystem(const xmlNode *node, GError **error);
/* The attributes after "<filesystem" up to ">\n", then <source>, <target>, <readonly/>. */
void domain_xml_format_filesystem(GString *out, unsigned level, const VmFilesystem *fs);
