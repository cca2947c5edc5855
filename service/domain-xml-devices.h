/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The device parts of domain XML that are not a device of their own kind, and the
 * <controller> and <memballoon> elements (vm-devices.h): read and written here;
 * service/domain-xml.c and domain-xml-format.c call in.
 */

#include <stdbool.h>

#include <glib.h>
#include <libxml/tree.h>

#include "vm-config.h"

/* <address type='pci|drive|usb|virtio-serial|isa' ...>: kept as written. */
bool domain_xml_parse_address(const xmlNode *node, VmAddress *ret, GError **error);
void domain_xml_format_address(GString *out, unsigned level, const VmAddress *address);

/* <boot order='N'/> in a device. */
bool domain_xml_parse_boot_order(const xmlNode *node, unsigned *ret, GError **error);

/* <driver name='qemu' type discard cache io detect_zeroes> of a <disk>. */
/* <driver iommu ats packed> (each on or off): the attributes only; the caller checks the rest
 * of the element. */
bool domain_xml_parse_virtio_options(const xmlNode *node, VmVirtioOptions *options, GError **error);
/* " iommu='on'" and so on, for those set. */
void domain_xml_format_virtio_options(GString *out, const VmVirtioOptions *options);
bool domain_xml_parse_disk_driver(const xmlNode *node, VmDisk *disk, GError **error);
/* " type='qcow2' discard='unmap'..." */
void domain_xml_format_disk_driver(GString *out, const VmDisk *disk);
/* <target rotation_rate> and <geometry cyls heads secs trans> of a <disk>. */
bool domain_xml_parse_disk_rotation_rate(const xmlNode *target, VmDisk *disk, GError **error);
bool domain_xml_parse_disk_geometry(const xmlNode *node, VmDisk *disk, GError **error);
void domain_xml_format_disk_geometry(GString *out, unsigned level, const VmDisk *disk);
/* <blockio logical_block_size physical_block_size> of a <disk>. */
bool domain_xml_parse_disk_blockio(const xmlNode *node, VmDisk *disk, GError **error);
void domain_xml_format_disk_blockio(GString *out, unsigned level, const VmDisk *disk);
/* <wwn>, <vendor>, <product> and <shareable/> of a <disk> (each node may be NULL). */
bool domain_xml_parse_disk_identity(const xmlNode *wwn, const xmlNode *vendor, const xmlNode *product,
                                    const xmlNode *shareable, VmDisk *disk, GError **error);
void domain_xml_format_disk_identity(GString *out, unsigned level, const VmDisk *disk);
extern const char *const domain_xml_disk_bus_names[];

/* <target type port> (with <model name>) of a <serial> or <console>. */
bool domain_xml_parse_char_target(const xmlNode *node, VmDeviceKind kind, VmCharTarget *ret, GError **error);
void domain_xml_format_char_target(GString *out, unsigned level, const VmCharTarget *target);
/* <model name> of a serial's target: the QEMU device of its type. */
const char *domain_xml_char_target_model(const VmCharTarget *target);

VmDevice *domain_xml_parse_controller(const xmlNode *node, GError **error);
/* The attributes after "<controller" up to ">\n", then the child elements. */
void domain_xml_format_controller(GString *out, unsigned level, const VmController *controller);
/* After all devices are read: controllers without index get the lowest free one of their
 * type, as libvirt does; an index used twice in a type is an error. */
bool domain_xml_assign_controller_indexes(GPtrArray *devices, GError **error);
extern const char *const domain_xml_controller_type_names[];
extern const char *const domain_xml_controller_model_names[];

bool domain_xml_parse_memballoon(const xmlNode *node, VmMemballoon *ret, GError **error);
void domain_xml_format_memballoon(GString *out, unsigned level, const VmMemballoon *memballoon);
/* <panic model='isa'|'hyperv'>, each once; adds to panic. */
bool domain_xml_parse_panic(const xmlNode *node, VmPanic *panic, GError **error);
void domain_xml_format_panic(GString *out, unsigned level, const VmPanic *panic);

/* <watchdog>; <channel> is in domain-xml-chardev.h. */
VmDevice *domain_xml_parse_watchdog(const xmlNode *node, GError **error);
void domain_xml_format_watchdog(GString *out, const VmWatchdog *watchdog);
