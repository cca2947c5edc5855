/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by domain-xml.c (reading) and domain-xml-format.c (writing). */

#include <stdbool.h>

#include <glib.h>
#include <libxml/tree.h>

#include "domain-xml.h"
#include "vm-config.h"

#define DOMAIN_XML_DEFAULT_RNG_BACKEND "/dev/urandom"

/* The XML spelling of VmConfig's enums, indexed by them, NULL-terminated. */
extern const char *const domain_xml_domain_type_names[];
extern const char *const domain_xml_action_names[];
extern const char *const domain_xml_disk_format_names[];
extern const char *const domain_xml_net_type_names[];
extern const char *const domain_xml_char_type_names[];

/* A disk image's path: absolute as written, or relative under paths->images_dir (no ".."). */
char *domain_xml_resolve_image_path(const char *path, const DomainXmlPaths *paths, const xmlNode *node,
                                    GError **error);

/* <alias name=...> of a device (node may be NULL): its id. */
bool domain_xml_parse_alias(const xmlNode *node, VmDevice *device, GError **error);
