/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * <memory model='dimm|nvdimm|virtio-pmem'> in <devices>: memory in a slot of <maxMemory>, as
 * libvirt's memory-hotplug tests write it. virtio-mem and sgx-epc are refused naming them.
 */

#include <glib.h>
#include <libxml/tree.h>

#include "vm-config.h"

VmDevice *domain_xml_parse_memory_device(const xmlNode *node, GError **error);
/* The attributes after "<memory" up to ">\n", then <source>, <target> and a dimm <address>. */
void domain_xml_format_memory_device(GString *out, unsigned level, const VmMemoryDevice *mem);
