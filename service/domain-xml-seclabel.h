/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * <seclabel type='none' model='none|dac'/>: no security labels, which is what the service
 * does with every VM (the engine runs as the VM's owner, in the service's own SELinux or
 * AppArmor context, and no file is relabelled or given to another owner). Dynamic and static
 * labelling (type='dynamic|static', <label>, <baselabel>, <imagelabel>, relabel) are refused
 * naming them: the service would not apply them.
 */

#include <glib.h>
#include <libxml/tree.h>

#include "vm-config.h"

bool domain_xml_parse_seclabel(const xmlNode *node, VmSeclabel *seclabel, GError **error);
/* The <seclabel> children of a disk's <source> (its attributes are the caller's): relabel='no'
 * only, each model once. */
bool domain_xml_parse_source_seclabels(const xmlNode *source, VmDisk *disk, GError **error);
/* "<seclabel .../>" lines at level, one per model. */
void domain_xml_format_source_seclabels(GString *out, unsigned level, const VmDisk *disk);
/* One "  <seclabel .../>\n" line, or nothing for VM_SECLABEL_ABSENT. */
void domain_xml_format_seclabel(GString *out, VmSeclabel seclabel);
