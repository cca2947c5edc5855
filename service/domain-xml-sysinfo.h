/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * <sysinfo type='smbios'>, <sysinfo type='fwcfg'> and <os><smbios mode>: reading and writing
 * (the model is kvm-engine/vm-sysinfo.h). As libvirt: the SMBIOS fields reach the guest only
 * with <smbios mode='sysinfo'/>; a system 'uuid' entry is the domain's <uuid> (or gives it);
 * a BIOS 'date' is mm/dd/yy or mm/dd/yyyy; fwcfg names start with "opt/" and are not QEMU's
 * or OVMF's own. mode='host' is refused: it would copy the host's SMBIOS tables, serial
 * numbers only root may read, into the VM of an owner.
 */

#include <glib.h>
#include <libxml/tree.h>

#include "vm-config.h"

/* One <sysinfo> of <domain>: there may be one of each type. Needs config->uuid read. */
bool domain_xml_parse_sysinfo(const xmlNode *node, VmConfig *config, GError **error);
/* <os><smbios mode>. */
bool domain_xml_parse_os_smbios(const xmlNode *node, VmConfig *config, GError **error);
/* Once the whole document is read: mode='sysinfo' needs a <sysinfo type='smbios'>. */
bool domain_xml_check_sysinfo(const xmlNode *os, const VmConfig *config, GError **error);

/* The <sysinfo> elements, at the level of <domain>'s children; nothing without one. */
void domain_xml_format_sysinfo(GString *out, const VmSysinfo *sysinfo);
/* "    <smbios mode='...'/>\n" inside <os>, or nothing. */
void domain_xml_format_os_smbios(GString *out, const VmSysinfo *sysinfo);
