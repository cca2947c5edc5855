/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * libvirt domain XML <-> VmConfig (see DOMAIN-XML.md).
 *
 * The input comes from any user allowed to define a VM, so it is treated as hostile: it
 * is size- and depth-limited, a DOCTYPE is refused (no entities, no DTD, no network), and
 * everything that is not understood is an error naming it rather than being dropped.
 *
 * Error codes (HV_ERROR domain):
 *   HV_ERROR_INVALID_XML       the bytes do not parse, or the document breaks a rule of the
 *                              language (missing or repeated element, stray text). The message
 *                              starts with "line L, column C: " when libxml2 knows both, or
 *                              "line L: " for rules checked on the parsed tree.
 *   HV_ERROR_NOT_SUPPORTED     an element, attribute or value that would change the VM but
 *                              that hypervisord does not implement; the message names it.
 *   HV_ERROR_INVALID_ARGUMENT  a well-formed but bad value: name, uuid, size, count, path,
 *                              device alias, MAC or PCI address.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "vm-config.h"
#include "vm-problems.h"

typedef struct {
        const char *images_dir; /* relative disk paths resolve against this */
        /* NULL-terminated; <kernel>/<loader>/<initrd> names without '/' are looked up here */
        const char *const *firmware_dirs;
} DomainXmlPaths;

#define DOMAIN_XML_MAX_SIZE (1024 * 1024)

/* Parse and validate a whole <domain>. A missing <uuid> gets a fresh random one (and
 * config->uuid_generated is set). Devices without <alias> get ids via
 * vm_config_assign_device_ids(). */
VmConfig *domain_xml_parse(const char *xml, size_t length, const DomainXmlPaths *paths, GError **error);
/* Like domain_xml_parse(), but what the document asks that cannot be given is added to
 * problems (vm-problems.h) instead of failing: the config comes back all the same, without the
 * parts the reader refused (problems is then marked partial), so that an engine's checks add
 * their problems to the reader's and one error names them all. NULL, with error, only for a
 * document that is no <domain> at all (not XML, too large, another root). Never define the
 * config of a document with problems. */
VmConfig *domain_xml_read(const char *xml, size_t length, const DomainXmlPaths *paths, VmProblems *problems,
                          GError **error);

/* The normalised document (GetXML): pretty-printed, fixed element order, sizes in KiB (bytes
 * when not a multiple of 1024), absolute paths, and an <alias name='...'/> for every device
 * that has an id. Parsing it again gives an identical VmConfig, and formatting that gives
 * byte-identical output. config->metadata must be what domain_xml_parse() stored: the
 * serialised children of <metadata>. */
char *domain_xml_format(const VmConfig *config);

/* One device element (<disk>, <interface>, <serial>, <console>, <vsock>, <rng>, <hostdev>)
 * for AddDevice. A device without <alias> comes back with id == NULL: the caller picks one
 * with vm_config_new_device_id() and checks uniqueness (alias, disk target) in its VM. */
VmDevice *domain_xml_parse_device(const char *xml, size_t length, const DomainXmlPaths *paths, GError **error);
char *domain_xml_format_device(const VmDevice *device);

/* Parse a libvirt size with unit (b, bytes, KB, K, KiB, MB, M, MiB, GB, G, GiB, TB, T, TiB,
 * also P and E like libvirt, case-insensitive; NULL or "" = KiB) into bytes; false on a bad
 * number, an unknown unit or overflow. Exposed for tests and option parsing. */
bool domain_xml_parse_size(const char *value, const char *unit, uint64_t *ret_bytes);
