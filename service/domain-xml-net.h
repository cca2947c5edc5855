/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* <interface>, read and written: service/domain-xml-net.c. */

#include <glib.h>
#include <libxml/tree.h>

#include "vm-config.h"

extern const char *const domain_xml_net_model_names[];

VmDevice *domain_xml_parse_interface(const xmlNode *node, GError **error);
/* From the end of "<interface" to before its <alias>; indent is that of the children. */
void domain_xml_format_interface(GString *out, const char *indent, const VmDevice *device);

/* "52:54:00:AB:..." -> lower case; NULL when not a unicast, non-zero MAC address. */
char *domain_xml_normalize_mac(const char *mac);
