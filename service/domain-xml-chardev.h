/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* <serial>, <console>, <parallel> and <channel>: their backend and target
 * (service/domain-xml-chardev.c). */

#include <stdbool.h>

#include <glib.h>
#include <libxml/tree.h>

#include "vm-config.h"

/* <serial>, <console> or <parallel> (kind says which). */
VmDevice *domain_xml_parse_char_device(const xmlNode *node, VmDeviceKind kind, GError **error);
/* The type attribute and children of one, after "<serial" up to the <alias>. */
void domain_xml_format_char_device(GString *out, unsigned level, const VmChar *chr);

/* <channel>: the QEMU guest agent's (type='unix', the service's socket), or a virtio-serial
 * port with a backend of its own. */
VmDevice *domain_xml_parse_channel(const xmlNode *node, GError **error);
void domain_xml_format_channel(GString *out, unsigned level, const VmChannel *channel);

/* <rng><backend model='egd' type>: a tcp, udp or unix backend as a <serial>'s (type, <source>,
 * <protocol>, <log>), for QEMU's rng-egd. */
bool domain_xml_parse_rng_egd_backend(const xmlNode *node, VmChar *chr, GError **error);
/* The whole <backend model='egd'> element, indented by level. */
void domain_xml_format_rng_egd_backend(GString *out, unsigned level, const VmChar *chr);
