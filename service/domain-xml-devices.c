/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <address>, <boot order>, a disk's <driver>, a serial port's <target>, <controller> and
 * <memballoon>: what virt-install and `virsh dumpxml` write around the devices. Read
 * strictly (an attribute or value not listed is refused, naming it and its line) and
 * written back in one normalised form, so that GetXML round-trips.
 */

#include <inttypes.h>
#include <string.h>

#include "domain-xml-backing.h"
#include "domain-xml-devices.h"
#include "domain-xml-reader.h"
#include "domain-xml-writer.h"
#include "domain-xml.h"

#define CONTROLLER_INDEX_UNSET UINT32_MAX

static const char *const address_type_names[] = {
        [VM_ADDRESS_NONE] = "",
        [VM_ADDRESS_PCI] = "pci",
        [VM_ADDRESS_DRIVE] = "drive",
        [VM_ADDRESS_USB] = "usb",
        [VM_ADDRESS_VIRTIO_SERIAL] = "virtio-serial",
        [VM_ADDRESS_ISA] = "isa",
        NULL,
};
const char *const domain_xml_disk_bus_names[] = {
        [VM_DISK_BUS_VIRTIO] = "virtio",
        [VM_DISK_BUS_SATA] = "sata",
        [VM_DISK_BUS_SCSI] = "scsi",
        [VM_DISK_BUS_USB] = "usb",
        [VM_DISK_BUS_IDE] = "ide",
        [VM_DISK_BUS_FDC] = "fdc",
        NULL,
};
static const char *const discard_names[] = {
        [VM_DISK_DISCARD_DEFAULT] = "", [VM_DISK_DISCARD_UNMAP] = "unmap", [VM_DISK_DISCARD_IGNORE] = "ignore", NULL};
static const char *const cache_names[] = {
        [VM_DISK_CACHE_DEFAULT] = "",
        [VM_DISK_CACHE_NONE] = "none",
        [VM_DISK_CACHE_WRITETHROUGH] = "writethrough",
        [VM_DISK_CACHE_WRITEBACK] = "writeback",
        [VM_DISK_CACHE_DIRECTSYNC] = "directsync",
        [VM_DISK_CACHE_UNSAFE] = "unsafe",
        NULL,
};
static const char *const io_names[] = {[VM_DISK_IO_DEFAULT] = "",
                                       [VM_DISK_IO_THREADS] = "threads",
                                       [VM_DISK_IO_NATIVE] = "native",
                                       [VM_DISK_IO_URING] = "io_uring",
                                       NULL};
static const char *const zeroes_names[] = {[VM_DISK_ZEROES_DEFAULT] = "",
                                           [VM_DISK_ZEROES_OFF] = "off",
                                           [VM_DISK_ZEROES_ON] = "on",
                                           [VM_DISK_ZEROES_UNMAP] = "unmap",
                                           NULL};
static const char *const disk_format_names[] = {"raw", "qcow2", NULL}; /* VmDiskFormat */
static const char *const error_policy_names[] = {
        [VM_DISK_ERROR_DEFAULT] = "",      [VM_DISK_ERROR_STOP] = "stop",         [VM_DISK_ERROR_REPORT] = "report",
        [VM_DISK_ERROR_IGNORE] = "ignore", [VM_DISK_ERROR_ENOSPACE] = "enospace", NULL};
static const char *const char_target_names[] = {[VM_CHAR_TARGET_NONE] = "",
                                                [VM_CHAR_TARGET_ISA_SERIAL] = "isa-serial",
                                                [VM_CHAR_TARGET_SERIAL] = "serial",
                                                [VM_CHAR_TARGET_VIRTIO] = "virtio",
                                                [VM_CHAR_TARGET_PCI_SERIAL] = "pci-serial",
                                                [VM_CHAR_TARGET_ISA_DEBUG] = "isa-debug",
                                                NULL};
const char *const domain_xml_controller_type_names[] = {
        [VM_CONTROLLER_USB] = "usb",
        [VM_CONTROLLER_PCI] = "pci",
        [VM_CONTROLLER_VIRTIO_SERIAL] = "virtio-serial",
        [VM_CONTROLLER_SATA] = "sata",
        [VM_CONTROLLER_SCSI] = "scsi",
        [VM_CONTROLLER_IDE] = "ide",
        [VM_CONTROLLER_FDC] = "fdc",
        NULL,
};
const char *const domain_xml_controller_model_names[] = {
        [VM_CONTROLLER_MODEL_DEFAULT] = "",
        [VM_CONTROLLER_MODEL_QEMU_XHCI] = "qemu-xhci",
        [VM_CONTROLLER_MODEL_NEC_XHCI] = "nec-xhci",
        [VM_CONTROLLER_MODEL_PIIX3_UHCI] = "piix3-uhci",
        [VM_CONTROLLER_MODEL_PIIX4_UHCI] = "piix4-uhci",
        [VM_CONTROLLER_MODEL_ICH9_EHCI1] = "ich9-ehci1",
        [VM_CONTROLLER_MODEL_ICH9_UHCI1] = "ich9-uhci1",
        [VM_CONTROLLER_MODEL_ICH9_UHCI2] = "ich9-uhci2",
        [VM_CONTROLLER_MODEL_ICH9_UHCI3] = "ich9-uhci3",
        [VM_CONTROLLER_MODEL_USB_NONE] = "none",
        [VM_CONTROLLER_MODEL_PCI_ROOT] = "pci-root",
        [VM_CONTROLLER_MODEL_PCIE_ROOT] = "pcie-root",
        [VM_CONTROLLER_MODEL_PCIE_ROOT_PORT] = "pcie-root-port",
        [VM_CONTROLLER_MODEL_PCI_BRIDGE] = "pci-bridge",
        [VM_CONTROLLER_MODEL_DMI_TO_PCI_BRIDGE] = "dmi-to-pci-bridge",
        [VM_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE] = "pcie-to-pci-bridge",
        [VM_CONTROLLER_MODEL_VIRTIO_SCSI] = "virtio-scsi",
        [VM_CONTROLLER_MODEL_LSILOGIC] = "lsilogic",
        [VM_CONTROLLER_MODEL_LSISAS1068] = "lsisas1068",
        [VM_CONTROLLER_MODEL_LSISAS1078] = "lsisas1078",
        [VM_CONTROLLER_MODEL_VMPVSCSI] = "vmpvscsi",
        NULL,
};
static const char *const memballoon_model_names[] = {
        [VM_MEMBALLOON_DEFAULT] = "", [VM_MEMBALLOON_VIRTIO] = "virtio", [VM_MEMBALLOON_NONE] = "none", NULL};

/* ---- values ---- */

/* libvirt's numbers in addresses and indexes: decimal, or hex after "0x". */
static bool parse_number(const char *text, uint64_t max, uint32_t *ret) {
        const char *digits = text;
        unsigned base = 10;
        uint64_t value = 0;

        if (g_ascii_strncasecmp(text, "0x", 2) == 0) {
                digits = text + 2;
                base = 16;
        }
        if (!*digits || strlen(digits) > 10)
                return false;
        for (const char *p = digits; *p; p++) {
                int digit = base == 16 ? g_ascii_xdigit_value(*p) : g_ascii_digit_value(*p);
                if (digit < 0)
                        return false;
                value = value * base + (uint64_t) digit;
        }
        if (value > max)
                return false;
        *ret = (uint32_t) value;
        return true;
}

/* An optional numeric attribute; *present tells whether it was there (may be NULL). */
static bool attr_number(const xmlNode *node, const char *attribute, uint64_t max, bool *present, uint32_t *ret,
                        GError **error) {
        g_autofree char *value = xml_attr_value(node, attribute);

        if (present)
                *present = value != NULL;
        if (!value)
                return true;
        if (!parse_number(value, max, ret)) {
                g_autofree char *rule = g_strdup_printf("expected a number from 0 to %" PRIu64, max);
                return xml_fail_bad_value(error, node, attribute, value, rule);
        }
        return true;
}

/* An optional attribute with a fixed set of values, index 0 ("") meaning absent. */
static bool attr_enum(const xmlNode *node, const char *attribute, const char *const *names, int *ret, GError **error) {
        g_autofree char *value = xml_attr_value(node, attribute);

        *ret = 0;
        if (!value)
                return true;
        *ret = *value ? xml_lookup_name(names, value) : -1;
        if (*ret <= 0)
                return xml_fail_unsupported_value(error, node, attribute, value);
        return true;
}

/* ---- <address> ---- */

bool domain_xml_parse_address(const xmlNode *node, VmAddress *ret, GError **error) {
        static const char *const pci_attributes[] = {"type",     "domain",        "bus", "slot",
                                                     "function", "multifunction", NULL};
        static const char *const drive_attributes[] = {"type", "controller", "bus", "target", "unit", NULL};
        static const char *const usb_attributes[] = {"type", "bus", "port", NULL};
        static const char *const virtio_serial_attributes[] = {"type", "controller", "bus", "port", NULL};
        static const char *const isa_attributes[] = {"type", "iobase", "irq", NULL};
        static const char *const *const attributes[] = {
                [VM_ADDRESS_PCI] = pci_attributes, [VM_ADDRESS_DRIVE] = drive_attributes,
                [VM_ADDRESS_USB] = usb_attributes, [VM_ADDRESS_VIRTIO_SERIAL] = virtio_serial_attributes,
                [VM_ADDRESS_ISA] = isa_attributes,
        };
        static const char *const switches[] = {"", "on", "off", NULL};
        VmAddress a = {};
        int type, multifunction;

        if (!node)
                return true;
        {
                g_autofree char *value = xml_attr_value(node, "type");
                if (!value)
                        return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<address>' needs the attribute 'type'");
        }
        if (!attr_enum(node, "type", address_type_names, &type, error) ||
            !xml_check_empty_element(node, attributes[type], error))
                return false;
        a.type = type;
        switch (a.type) {
        case VM_ADDRESS_PCI:
                if (!attr_number(node, "domain", 0xffff, NULL, &a.domain, error) ||
                    !attr_number(node, "bus", 0xff, NULL, &a.bus, error) ||
                    !attr_number(node, "slot", 0x1f, NULL, &a.slot, error) ||
                    !attr_number(node, "function", 0x7, NULL, &a.function, error) ||
                    !attr_enum(node, "multifunction", switches, &multifunction, error))
                        return false;
                a.multifunction = multifunction == 1;
                break;
        case VM_ADDRESS_DRIVE:
                if (!attr_number(node, "controller", 0xffff, NULL, &a.controller, error) ||
                    !attr_number(node, "bus", 0xffff, NULL, &a.bus, error) ||
                    !attr_number(node, "target", 0xffff, NULL, &a.target, error) ||
                    !attr_number(node, "unit", 0xffff, NULL, &a.unit, error))
                        return false;
                break;
        case VM_ADDRESS_USB: {
                g_autofree char *port = xml_attr_value(node, "port");
                if (!attr_number(node, "bus", 0xffff, NULL, &a.bus, error))
                        return false;
                if (port) {
                        if (!*port || strlen(port) > VM_USB_PORT_MAX || strspn(port, "0123456789.") != strlen(port) ||
                            port[0] == '.' || port[strlen(port) - 1] == '.' || strstr(port, ".."))
                                return xml_fail_bad_value(error, node, "USB port", port,
                                                          "expected a port number or a hub path like '1.2'");
                        g_strlcpy(a.usb_port, port, sizeof(a.usb_port));
                }
                break;
        }
        case VM_ADDRESS_VIRTIO_SERIAL:
                if (!attr_number(node, "controller", 0xffff, NULL, &a.controller, error) ||
                    !attr_number(node, "bus", 0xffff, NULL, &a.bus, error) ||
                    !attr_number(node, "port", 0xffff, NULL, &a.port, error))
                        return false;
                break;
        case VM_ADDRESS_ISA:
                if (!attr_number(node, "iobase", 0xffff, NULL, &a.iobase, error) ||
                    !attr_number(node, "irq", 0xff, NULL, &a.irq, error))
                        return false;
                break;
        default:
                g_assert_not_reached();
        }
        *ret = a;
        return true;
}

void domain_xml_format_address(GString *out, unsigned level, const VmAddress *a) {
        if (a->type == VM_ADDRESS_NONE)
                return;
        domain_xml_append_indent(out, level);
        g_string_append_printf(out, "<address type='%s'", address_type_names[a->type]);
        switch (a->type) {
        case VM_ADDRESS_PCI:
                g_string_append_printf(out,
                                       " domain='0x%04" PRIx32 "' bus='0x%02" PRIx32 "' slot='0x%02" PRIx32
                                       "' function='0x%" PRIx32 "'%s",
                                       a->domain, a->bus, a->slot, a->function,
                                       a->multifunction ? " multifunction='on'" : "");
                break;
        case VM_ADDRESS_DRIVE:
                g_string_append_printf(
                        out, " controller='%" PRIu32 "' bus='%" PRIu32 "' target='%" PRIu32 "' unit='%" PRIu32 "'",
                        a->controller, a->bus, a->target, a->unit);
                break;
        case VM_ADDRESS_USB:
                g_string_append_printf(out, " bus='%" PRIu32 "'", a->bus);
                if (a->usb_port[0])
                        g_string_append_printf(out, " port='%s'", a->usb_port);
                break;
        case VM_ADDRESS_VIRTIO_SERIAL:
                g_string_append_printf(out, " controller='%" PRIu32 "' bus='%" PRIu32 "'", a->controller, a->bus);
                /* Port 0 is the console's: 0 here is "not written", the next free port. */
                if (a->port)
                        g_string_append_printf(out, " port='%" PRIu32 "'", a->port);
                break;
        case VM_ADDRESS_ISA:
                g_string_append_printf(out, " iobase='0x%" PRIx32 "' irq='0x%" PRIx32 "'", a->iobase, a->irq);
                break;
        default:
                g_assert_not_reached();
        }
        g_string_append(out, "/>\n");
}

/* ---- <boot order> ---- */

bool domain_xml_parse_boot_order(const xmlNode *node, unsigned *ret, GError **error) {
        static const char *const attributes[] = {"order", NULL};
        g_autofree char *value = NULL;
        uint32_t order;

        if (!node)
                return true;
        if (!xml_check_empty_element(node, attributes, error))
                return false;
        value = xml_attr_value(node, "order");
        if (!value)
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<boot>' needs the attribute 'order'");
        if (!parse_number(value, 0xffff, &order) || order < 1)
                return xml_fail_bad_value(error, node, "boot order", value, "expected a number from 1 to 65535");
        *ret = order;
        return true;
}

/* ---- a disk's <driver> ---- */

/* <driver iothread='id'>: which of <iothreads> serves the disk. */
static bool parse_iothread_attr(const xmlNode *node, uint32_t *ret, GError **error) {
        g_autofree char *value = xml_attr_value(node, "iothread");

        *ret = 0;
        if (!value)
                return true;
        if (!*value || strspn(value, "0123456789") != strlen(value) || strlen(value) > 6 ||
            (*ret = (uint32_t) g_ascii_strtoull(value, NULL, 10)) == 0)
                return xml_fail_bad_value(error, node, "iothread", value, "expected the id of an '<iothread>'");
        return true;
}

static const char *const virtio_option_names[] = { "iommu", "ats", "packed", NULL };

bool domain_xml_parse_virtio_options(const xmlNode *node, VmVirtioOptions *options, GError **error) {
        static const char *const switches[] = { "on", "off", NULL };
        VmSwitch *values[] = { &options->iommu, &options->ats, &options->packed };

        for (size_t i = 0; i < G_N_ELEMENTS(values); i++) {
                g_autofree char *value = xml_attr_value(node, virtio_option_names[i]);
                int choice;

                if (!value)
                        continue;
                if (!xml_attr_choice(node, virtio_option_names[i], switches, -1, &choice, error))
                        return false;
                *values[i] = choice == 0 ? VM_SWITCH_ON : VM_SWITCH_OFF;
        }
        return true;
}

void domain_xml_format_virtio_options(GString *out, const VmVirtioOptions *options) {
        const VmSwitch values[] = { options->iommu, options->ats, options->packed };

        for (size_t i = 0; i < G_N_ELEMENTS(values); i++)
                if (values[i])
                        g_string_append_printf(out, " %s='%s'", virtio_option_names[i],
                                               values[i] == VM_SWITCH_ON ? "on" : "off");
}

bool domain_xml_parse_disk_driver(const xmlNode *node, VmDisk *disk, GError **error) {
        static const char *const attributes[] = {"name",         "type",          "discard",      "cache",
                                                 "io",           "detect_zeroes", "iothread",     "iommu",
                                                 "ats",          "packed",        "error_policy", "rerror_policy",
                                                 "copy_on_read", "queues",        "queue_size",   NULL};
        static const char *const switches[] = {"", "on", "off", NULL};
        bool present;
        static const char *const driver_names[] = {"qemu", NULL};
        int choice;

        static const char *const children[] = {"metadata_cache", NULL};
        xmlNode *metadata_cache = NULL;

        if (!xml_check_attributes(node, attributes, error) ||
            !xml_collect_children(node, children, &metadata_cache, error) ||
            !xml_attr_choice(node, "name", driver_names, 0, &choice, error) ||
            !xml_attr_choice(node, "type", disk_format_names, VM_DISK_FORMAT_RAW, &choice, error))
                return false;
        disk->format = choice;
        if (metadata_cache && !domain_xml_parse_metadata_cache(metadata_cache, disk->format, &disk->metadata_cache, error))
                return false;
        if (!attr_enum(node, "discard", discard_names, &choice, error))
                return false;
        disk->driver.discard = choice;
        if (!attr_enum(node, "cache", cache_names, &choice, error))
                return false;
        disk->driver.cache = choice;
        if (!attr_enum(node, "io", io_names, &choice, error))
                return false;
        disk->driver.io = choice;
        if (!attr_enum(node, "detect_zeroes", zeroes_names, &choice, error))
                return false;
        disk->driver.detect_zeroes = choice;
        if (!attr_enum(node, "error_policy", error_policy_names, &choice, error))
                return false;
        disk->driver.error_policy = choice;
        if (!attr_enum(node, "rerror_policy", error_policy_names, &choice, error))
                return false;
        disk->driver.rerror_policy = choice;
        /* QEMU's rerror has no enospc: a read does not fill the host's disk. */
        if (disk->driver.rerror_policy == VM_DISK_ERROR_ENOSPACE)
                return xml_fail_unsupported_value(error, node, "rerror_policy", "enospace");
        if (!attr_enum(node, "copy_on_read", switches, &choice, error))
                return false;
        disk->driver.copy_on_read = choice == 1;
        if (!attr_number(node, "queues", 1024, &present, &disk->driver.queues, error))
                return false;
        if (present && disk->driver.queues == 0)
                return xml_fail_bad_value(error, node, "queues", "0", "expected a number from 1 to 1024");
        if (!attr_number(node, "queue_size", 1024, &present, &disk->driver.queue_size, error))
                return false;
        /* virtio-blk's queue-size: a power of two, at least 4 (QEMU's rule; libvirt leaves it to QEMU). */
        if (present && (disk->driver.queue_size < 4 || (disk->driver.queue_size & (disk->driver.queue_size - 1)))) {
                g_autofree char *value = xml_attr_value(node, "queue_size");
                return xml_fail_bad_value(error, node, "queue_size", value, "expected a power of two from 4 to 1024");
        }
        return parse_iothread_attr(node, &disk->driver.iothread, error) &&
               domain_xml_parse_virtio_options(node, &disk->virtio, error);
}

void domain_xml_format_disk_driver(GString *out, const VmDisk *disk) {
        g_string_append_printf(out, " type='%s'", disk_format_names[disk->format]);
        if (disk->driver.cache)
                g_string_append_printf(out, " cache='%s'", cache_names[disk->driver.cache]);
        if (disk->driver.io)
                g_string_append_printf(out, " io='%s'", io_names[disk->driver.io]);
        if (disk->driver.discard)
                g_string_append_printf(out, " discard='%s'", discard_names[disk->driver.discard]);
        if (disk->driver.detect_zeroes)
                g_string_append_printf(out, " detect_zeroes='%s'", zeroes_names[disk->driver.detect_zeroes]);
        if (disk->driver.iothread)
                g_string_append_printf(out, " iothread='%" PRIu32 "'", disk->driver.iothread);
        if (disk->driver.error_policy)
                g_string_append_printf(out, " error_policy='%s'", error_policy_names[disk->driver.error_policy]);
        if (disk->driver.rerror_policy)
                g_string_append_printf(out, " rerror_policy='%s'", error_policy_names[disk->driver.rerror_policy]);
        if (disk->driver.copy_on_read)
                g_string_append(out, " copy_on_read='on'");
        if (disk->driver.queues)
                g_string_append_printf(out, " queues='%" PRIu32 "'", disk->driver.queues);
        if (disk->driver.queue_size)
                g_string_append_printf(out, " queue_size='%" PRIu32 "'", disk->driver.queue_size);
        domain_xml_format_virtio_options(out, &disk->virtio);
}

/* <target rotation_rate>: 1 is solid state, 1025 to 65534 revolutions per minute (SCSI's and
 * ATA's rule, as libvirt documents it). */
bool domain_xml_parse_disk_rotation_rate(const xmlNode *target, VmDisk *disk, GError **error) {
        bool present;

        if (!attr_number(target, "rotation_rate", 65534, &present, &disk->rotation_rate, error))
                return false;
        if (present && disk->rotation_rate != 1 && disk->rotation_rate < 1025) {
                g_autofree char *value = xml_attr_value(target, "rotation_rate");
                return xml_fail_bad_value(error, target, "rotation_rate", value,
                                          "expected 1 (solid state) or 1025 to 65534");
        }
        return true;
}

static const char *const trans_names[] = {[VM_DISK_TRANS_DEFAULT] = "",
                                          [VM_DISK_TRANS_NONE] = "none",
                                          [VM_DISK_TRANS_LBA] = "lba",
                                          [VM_DISK_TRANS_AUTO] = "auto",
                                          NULL};

/* <geometry cyls heads secs [trans]>: QEMU's limits (65535 cylinders, 16 heads, 255 sectors). */
bool domain_xml_parse_disk_geometry(const xmlNode *node, VmDisk *disk, GError **error) {
        static const char *const attributes[] = {"cyls", "heads", "secs", "trans", NULL};
        static const char *const names[] = {"cyls", "heads", "secs"};
        static const uint64_t max[] = {65535, 16, 255};
        uint32_t *values[] = {&disk->geometry.cyls, &disk->geometry.heads, &disk->geometry.secs};
        int trans;

        if (!xml_check_empty_element(node, attributes, error))
                return false;
        for (size_t i = 0; i < G_N_ELEMENTS(values); i++) {
                bool present;
                if (!attr_number(node, names[i], max[i], &present, values[i], error))
                        return false;
                if (!present || *values[i] == 0) {
                        g_autofree char *label = xml_element_label(node);
                        return xml_fail(error, node, HV_ERROR_INVALID_XML,
                                        "%s needs the attributes 'cyls', 'heads' and 'secs', above 0", label);
                }
        }
        if (!attr_enum(node, "trans", trans_names, &trans, error))
                return false;
        disk->geometry.trans = trans;
        return true;
}

void domain_xml_format_disk_geometry(GString *out, unsigned level, const VmDisk *disk) {
        if (!disk->geometry.cyls)
                return;
        domain_xml_append_indent(out, level);
        g_string_append_printf(out, "<geometry cyls='%" PRIu32 "' heads='%" PRIu32 "' secs='%" PRIu32 "'",
                               disk->geometry.cyls, disk->geometry.heads, disk->geometry.secs);
        if (disk->geometry.trans)
                g_string_append_printf(out, " trans='%s'", trans_names[disk->geometry.trans]);
        g_string_append(out, "/>\n");
}

/* <blockio>: each size a power of 2 from 512 bytes to 2 MiB, what QEMU's block size
 * properties take; the logical one not above the physical one. libvirt 9.0 has no
 * discard_granularity here (its schema refuses it), so neither has the reader. */
bool domain_xml_parse_disk_blockio(const xmlNode *node, VmDisk *disk, GError **error) {
        static const char *const attributes[] = {"logical_block_size", "physical_block_size", NULL};
        uint32_t *values[] = {&disk->logical_block_size, &disk->physical_block_size};

        if (!xml_check_empty_element(node, attributes, error))
                return false;
        for (size_t i = 0; i < G_N_ELEMENTS(values); i++) {
                bool present;
                if (!attr_number(node, attributes[i], UINT32_MAX, &present, values[i], error))
                        return false;
                if (present && (*values[i] < 512 || *values[i] > 2097152 || (*values[i] & (*values[i] - 1)))) {
                        g_autofree char *value = xml_attr_value(node, attributes[i]);
                        return xml_fail_bad_value(error, node, attributes[i], value,
                                                  "expected a power of 2 from 512 to 2097152 (bytes)");
                }
        }
        if (disk->logical_block_size && disk->physical_block_size &&
            disk->logical_block_size > disk->physical_block_size) {
                g_autofree char *value = xml_attr_value(node, "logical_block_size");
                return xml_fail_bad_value(error, node, "logical_block_size", value,
                                          "expected at most the physical_block_size");
        }
        return true;
}

void domain_xml_format_disk_blockio(GString *out, unsigned level, const VmDisk *disk) {
        if (!disk->logical_block_size && !disk->physical_block_size)
                return;
        domain_xml_append_indent(out, level);
        g_string_append(out, "<blockio");
        if (disk->logical_block_size)
                g_string_append_printf(out, " logical_block_size='%" PRIu32 "'", disk->logical_block_size);
        if (disk->physical_block_size)
                g_string_append_printf(out, " physical_block_size='%" PRIu32 "'", disk->physical_block_size);
        g_string_append(out, "/>\n");
}

/* Printable ASCII, 1 to max bytes: what a SCSI inquiry's vendor and product fields hold. */
static bool parse_inquiry_text(const xmlNode *node, size_t max, char **ret, GError **error) {
        g_autofree char *text = NULL;

        if (!node)
                return true;
        if (!xml_element_text(node, NULL, false, &text, error))
                return false;
        for (const char *p = text; *p; p++)
                if (*p < ' ' || *p > '~')
                        return xml_fail_bad_value(error, node, XML_NODE_NAME(node), text,
                                                  "expected printable ASCII characters");
        if (!*text || strlen(text) > max) {
                g_autofree char *rule = g_strdup_printf("expected 1 to %zu characters", max);
                return xml_fail_bad_value(error, node, XML_NODE_NAME(node), text, rule);
        }
        *ret = g_steal_pointer(&text);
        return true;
}

bool domain_xml_parse_disk_identity(const xmlNode *wwn, const xmlNode *vendor, const xmlNode *product,
                                    const xmlNode *shareable, VmDisk *disk, GError **error) {
        if (wwn) {
                g_autofree char *text = NULL;
                const char *digits;
                if (!xml_element_text(wwn, NULL, true, &text, error))
                        return false;
                /* libvirt: 16 hexadecimal digits, maybe after "0x". */
                digits = g_ascii_strncasecmp(text, "0x", 2) == 0 ? text + 2 : text;
                if (strlen(digits) != 16 || strspn(digits, "0123456789abcdefABCDEF") != 16)
                        return xml_fail_bad_value(error, wwn, "wwn", text, "expected 16 hexadecimal digits");
                disk->wwn = g_ascii_strtoull(digits, NULL, 16);
                disk->has_wwn = true;
        }
        if (!parse_inquiry_text(vendor, 8, &disk->vendor, error) ||
            !parse_inquiry_text(product, 16, &disk->product, error))
                return false;
        if (shareable) {
                if (!xml_check_empty_element(shareable, NULL, error))
                        return false;
                disk->shareable = true;
        }
        return true;
}

void domain_xml_format_disk_identity(GString *out, unsigned level, const VmDisk *disk) {
        if (disk->has_wwn) {
                domain_xml_append_indent(out, level);
                g_string_append_printf(out, "<wwn>%016" PRIx64 "</wwn>\n", disk->wwn);
        }
        domain_xml_append_text_element(out, level, "vendor", disk->vendor);
        domain_xml_append_text_element(out, level, "product", disk->product);
        if (disk->shareable) {
                domain_xml_append_indent(out, level);
                g_string_append(out, "<shareable/>\n");
        }
}

/* ---- a serial port's <target> ---- */

const char *domain_xml_char_target_model(const VmCharTarget *target) {
        switch (target->type) {
        case VM_CHAR_TARGET_PCI_SERIAL:
                return "pci-serial";
        case VM_CHAR_TARGET_ISA_DEBUG:
                return "isa-debugcon";
        default:
                return "isa-serial";
        }
}

bool domain_xml_parse_char_target(const xmlNode *node, VmDeviceKind kind, VmCharTarget *ret, GError **error) {
        static const char *const attributes[] = {"type", "port", NULL};
        static const char *const model_attributes[] = {"name", NULL};
        static const char *const model_children[] = {"model", NULL};
        VmCharTarget t = {};
        xmlNode *model = NULL;
        int type, choice;

        if (!node)
                return true;
        if (!xml_check_attributes(node, attributes, error) ||
            !xml_collect_children(node, model_children, &model, error) ||
            !attr_enum(node, "type", char_target_names, &type, error) ||
            !attr_number(node, "port", 3, &t.has_port, &t.port, error))
                return false;
        t.type = type;
        /* A <serial> is an ISA serial port; a <console> is the first of them or a virtio console;
         * a <parallel> an ISA parallel port. */
        bool fits =
                t.type == VM_CHAR_TARGET_NONE ||
                (kind == VM_DEVICE_SERIAL &&
                 (t.type == VM_CHAR_TARGET_ISA_SERIAL || t.type == VM_CHAR_TARGET_PCI_SERIAL ||
                  t.type == VM_CHAR_TARGET_ISA_DEBUG)) ||
                (kind == VM_DEVICE_CONSOLE && (t.type == VM_CHAR_TARGET_SERIAL || t.type == VM_CHAR_TARGET_VIRTIO));
        if (!fits) {
                g_autofree char *value = xml_attr_value(node, "type");
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "type='%s' of '<target>' is not supported in a '<%s>' (%s)", value,
                                vm_device_kind_to_string(kind),
                                kind == VM_DEVICE_SERIAL    ? "isa-serial, pci-serial or isa-debug"
                                : kind == VM_DEVICE_CONSOLE ? "serial or virtio"
                                                            : "a parallel port has no target type");
        }
        if (kind == VM_DEVICE_PARALLEL && t.has_port && t.port > 2)
                return xml_fail_bad_value(error, node, "parallel port", "", "expected 0, 1 or 2");
        if (model) {
                if (kind != VM_DEVICE_SERIAL)
                        return xml_fail_unsupported_element(error, model);
                /* The device of the target type: libvirt's only choice for each on x86. */
                const char *const model_names[] = {domain_xml_char_target_model(&t), NULL};
                if (!xml_check_empty_element(model, model_attributes, error) ||
                    !xml_attr_choice(model, "name", model_names, -1, &choice, error))
                        return false;
                t.has_model = true;
        }
        *ret = t;
        return true;
}

void domain_xml_format_char_target(GString *out, unsigned level, const VmCharTarget *t) {
        if (t->type == VM_CHAR_TARGET_NONE && !t->has_port && !t->has_model)
                return;
        domain_xml_append_indent(out, level);
        g_string_append(out, "<target");
        if (t->type != VM_CHAR_TARGET_NONE)
                g_string_append_printf(out, " type='%s'", char_target_names[t->type]);
        if (t->has_port)
                g_string_append_printf(out, " port='%" PRIu32 "'", t->port);
        if (!t->has_model) {
                g_string_append(out, "/>\n");
                return;
        }
        g_string_append(out, ">\n");
        domain_xml_append_indent(out, level + 1);
        g_string_append_printf(out, "<model name='%s'/>\n", domain_xml_char_target_model(t));
        domain_xml_append_indent(out, level);
        g_string_append(out, "</target>\n");
}

/* ---- <controller> ---- */

static bool model_fits_type(VmControllerType type, VmControllerModel model) {
        if (model == VM_CONTROLLER_MODEL_DEFAULT)
                return true;
        switch (type) {
        case VM_CONTROLLER_USB:
                return model >= VM_CONTROLLER_MODEL_QEMU_XHCI && model <= VM_CONTROLLER_MODEL_USB_NONE;
        case VM_CONTROLLER_PCI:
                return model >= VM_CONTROLLER_MODEL_PCI_ROOT && model <= VM_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE;
        case VM_CONTROLLER_SCSI:
                return model >= VM_CONTROLLER_MODEL_VIRTIO_SCSI && model <= VM_CONTROLLER_MODEL_VMPVSCSI;
        default:
                return false;
        }
}

enum { CTRL_MODEL, CTRL_TARGET, CTRL_MASTER, CTRL_ADDRESS, CTRL_ALIAS, CTRL_DRIVER, CTRL_PCIHOLE64, _CTRL_CHILD_MAX };
static const char *const controller_children[] = {
        [CTRL_MODEL] = "model", [CTRL_TARGET] = "target", [CTRL_MASTER] = "master",       [CTRL_ADDRESS] = "address",
        [CTRL_ALIAS] = "alias", [CTRL_DRIVER] = "driver", [CTRL_PCIHOLE64] = "pcihole64", NULL,
};

/* <driver> of a virtio-scsi or virtio-serial controller: what libvirt passes to its device. */
static bool parse_controller_driver(const xmlNode *node, VmController *ctrl, GError **error) {
        static const char *const scsi_attributes[] = {"queues", "cmd_per_lun", "max_sectors", "ioeventfd", "iothread",
                                                      "iommu",  "ats",         "packed",      NULL};
        static const char *const serial_attributes[] = {"iommu", "ats", "packed", NULL};
        static const char *const switches[] = {"", "on", "off", NULL};
        bool present;
        int choice;

        if (ctrl->type == VM_CONTROLLER_SCSI && ctrl->model == VM_CONTROLLER_MODEL_VIRTIO_SCSI) {
                if (!xml_check_empty_element(node, scsi_attributes, error) ||
                    !attr_number(node, "queues", 1024, NULL, &ctrl->queues, error) ||
                    !attr_number(node, "cmd_per_lun", 0xffff, NULL, &ctrl->cmd_per_lun, error) ||
                    !attr_number(node, "max_sectors", 0xffff, NULL, &ctrl->max_sectors, error) ||
                    !attr_enum(node, "ioeventfd", switches, &choice, error) ||
                    !attr_number(node, "iothread", 0xffff, &present, &ctrl->iothread, error))
                        return false;
                ctrl->ioeventfd = choice;
                if (present && ctrl->iothread == 0)
                        return xml_fail_bad_value(error, node, "iothread", "0", "expected the id of an '<iothread>'");
        } else if (ctrl->type == VM_CONTROLLER_VIRTIO_SERIAL) {
                if (!xml_check_empty_element(node, serial_attributes, error))
                        return false;
        } else
                return xml_fail_unsupported_element(error, node);
        return domain_xml_parse_virtio_options(node, &ctrl->virtio, error);
}

/* <pcihole64 unit>: the size of the 64-bit PCI hole of the root bus. */
static bool parse_pcihole64(const xmlNode *node, VmController *ctrl, GError **error) {
        static const char *const attributes[] = {"unit", NULL};
        g_autofree char *text = NULL, *unit = NULL;
        uint64_t bytes;

        if (ctrl->model != VM_CONTROLLER_MODEL_PCI_ROOT && ctrl->model != VM_CONTROLLER_MODEL_PCIE_ROOT)
                return xml_fail_unsupported_element(error, node);
        if (!xml_element_text(node, attributes, true, &text, error))
                return false;
        unit = xml_attr_value(node, "unit");
        if (!domain_xml_parse_size(text, unit ? unit : "KiB", &bytes) || bytes > (UINT64_C(1) << 50))
                return xml_fail_bad_value(error, node, "pcihole64 size", text,
                                          "expected a size up to 1 PiB with a unit libvirt knows");
        ctrl->pcihole64_kib = bytes / 1024;
        ctrl->has_pcihole64 = true;
        return true;
}

/* <model name>: the QEMU device libvirt uses for a PCI controller model. */
static const char *controller_model_device(VmControllerModel model) {
        if (model == VM_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE)
                return "pcie-pci-bridge";
        if (model == VM_CONTROLLER_MODEL_DMI_TO_PCI_BRIDGE)
                return "i82801b11-bridge";
        return domain_xml_controller_model_names[model];
}

static bool parse_controller_children(xmlNode **c, VmController *ctrl, GError **error) {
        static const char *const model_attributes[] = {"name", NULL};
        static const char *const target_attributes[] = {"chassis", "port", "hotplug", "chassisNr", NULL};
        static const char *const switches[] = {"", "on", "off", NULL};
        int hotplug;
        static const char *const master_attributes[] = {"startport", NULL};

        if (c[CTRL_MODEL] || c[CTRL_TARGET]) {
                if (ctrl->type != VM_CONTROLLER_PCI)
                        return xml_fail_unsupported_element(error, c[CTRL_MODEL] ? c[CTRL_MODEL] : c[CTRL_TARGET]);
        }
        if (c[CTRL_MODEL]) {
                g_autofree char *name = NULL;

                if (!xml_check_empty_element(c[CTRL_MODEL], model_attributes, error))
                        return false;
                /* libvirt writes the QEMU device name, which is the model's own name for these; a
                 * pcie-root-port may also be QEMU's ioh3420 (an Intel root port). */
                name = xml_attr_value(c[CTRL_MODEL], "name");
                if (ctrl->model == VM_CONTROLLER_MODEL_PCIE_ROOT_PORT && g_strcmp0(name, "ioh3420") == 0)
                        ctrl->ioh3420 = true;
                else if (!name || g_strcmp0(name, controller_model_device(ctrl->model)) != 0 ||
                         ctrl->model == VM_CONTROLLER_MODEL_DEFAULT)
                        return xml_fail_bad_value(error, c[CTRL_MODEL], "controller model name", name ? name : "",
                                                  ctrl->model == VM_CONTROLLER_MODEL_PCIE_ROOT_PORT
                                                          ? "expected 'pcie-root-port' or 'ioh3420'"
                                                          : "expected the same name as the controller's model");
                ctrl->has_model_name = true;
        }
        if (c[CTRL_TARGET]) {
                if (!xml_check_empty_element(c[CTRL_TARGET], target_attributes, error) ||
                    !attr_number(c[CTRL_TARGET], "chassis", 0xff, &ctrl->has_chassis, &ctrl->chassis, error) ||
                    !attr_number(c[CTRL_TARGET], "port", 0xff, &ctrl->has_port, &ctrl->port, error) ||
                    !attr_enum(c[CTRL_TARGET], "hotplug", switches, &hotplug, error) ||
                    !attr_number(c[CTRL_TARGET], "chassisNr", 0xff, &ctrl->has_chassis_nr, &ctrl->chassis_nr, error))
                        return false;
                ctrl->hotplug = hotplug;
                /* chassisNr is a pci-bridge's (QEMU's chassis_nr), from 1 as libvirt checks. */
                if (ctrl->has_chassis_nr && ctrl->model != VM_CONTROLLER_MODEL_PCI_BRIDGE)
                        return xml_fail(error, c[CTRL_TARGET], HV_ERROR_NOT_SUPPORTED,
                                        "attribute 'chassisNr' of '<target>' is a pci-bridge's, not a %s's",
                                        ctrl->model ? domain_xml_controller_model_names[ctrl->model] : "controller");
                if (ctrl->has_chassis_nr && ctrl->chassis_nr == 0)
                        return xml_fail_bad_value(error, c[CTRL_TARGET], "chassisNr", "0", "expected 1 to 255");
        }
        if (c[CTRL_DRIVER] && !parse_controller_driver(c[CTRL_DRIVER], ctrl, error))
                return false;
        if (c[CTRL_PCIHOLE64] && !parse_pcihole64(c[CTRL_PCIHOLE64], ctrl, error))
                return false;
        if (c[CTRL_MASTER]) {
                if (ctrl->type != VM_CONTROLLER_USB)
                        return xml_fail_unsupported_element(error, c[CTRL_MASTER]);
                if (!xml_check_empty_element(c[CTRL_MASTER], master_attributes, error) ||
                    !attr_number(c[CTRL_MASTER], "startport", 0xff, &ctrl->has_master, &ctrl->master_startport, error))
                        return false;
                if (!ctrl->has_master)
                        return xml_fail(error, c[CTRL_MASTER], HV_ERROR_INVALID_XML,
                                        "'<master>' needs the attribute 'startport'");
        }
        return true;
}

VmDevice *domain_xml_parse_controller(const xmlNode *node, GError **error) {
        static const char *const attributes[] = {"type", "index", "model", "ports", "vectors", NULL};
        g_autoptr(VmDevice) device = vm_device_new(VM_DEVICE_CONTROLLER);
        VmController *ctrl = &device->controller;
        xmlNode *c[_CTRL_CHILD_MAX] = {};
        bool has_index, has_ports, has_vectors;
        int choice;

        if (!xml_check_attributes(node, attributes, error) ||
            !xml_attr_choice(node, "type", domain_xml_controller_type_names, -1, &choice, error))
                return NULL;
        ctrl->type = choice;
        if (!attr_enum(node, "model", domain_xml_controller_model_names, &choice, error))
                return NULL;
        ctrl->model = choice;
        if (!model_fits_type(ctrl->type, ctrl->model)) {
                g_autofree char *model = xml_attr_value(node, "model");
                xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                         "model='%s' of '<controller type='%s'>' is not supported", model,
                         domain_xml_controller_type_names[ctrl->type]);
                return NULL;
        }
        if (!attr_number(node, "index", 0xff, &has_index, &ctrl->index, error) ||
            !attr_number(node, "ports", 0xff, &has_ports, &ctrl->ports, error) ||
            !attr_number(node, "vectors", 0xffff, &has_vectors, &ctrl->vectors, error))
                return NULL;
        if (!has_index)
                ctrl->index = CONTROLLER_INDEX_UNSET;
        if ((has_ports && ctrl->type != VM_CONTROLLER_USB && ctrl->type != VM_CONTROLLER_VIRTIO_SERIAL) ||
            (has_vectors && ctrl->type != VM_CONTROLLER_VIRTIO_SERIAL)) {
                xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                         "attribute '%s' of '<controller type='%s'>' is not supported",
                         has_vectors && ctrl->type != VM_CONTROLLER_VIRTIO_SERIAL ? "vectors" : "ports",
                         domain_xml_controller_type_names[ctrl->type]);
                return NULL;
        }
        if (has_ports && ctrl->ports < 1) {
                xml_fail_bad_value(error, node, "ports", "0", "expected at least one port");
                return NULL;
        }

        if (!xml_collect_children(node, controller_children, c, error) || !parse_controller_children(c, ctrl, error) ||
            (c[CTRL_ADDRESS] && !domain_xml_parse_address(c[CTRL_ADDRESS], &device->address, error)))
                return NULL;
        /* The machine's root bus, as libvirt checks it: index 0, and no address (it is not on a bus). */
        if (ctrl->model == VM_CONTROLLER_MODEL_PCI_ROOT || ctrl->model == VM_CONTROLLER_MODEL_PCIE_ROOT) {
                if (has_index && ctrl->index != 0) {
                        xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                                 "a '<controller model='%s'>' is the root bus, index 0, not %" PRIu32,
                                 domain_xml_controller_model_names[ctrl->model], ctrl->index);
                        return NULL;
                }
                if (c[CTRL_ADDRESS]) {
                        xml_fail(error, c[CTRL_ADDRESS], HV_ERROR_INVALID_ARGUMENT,
                                 "a '<controller model='%s'>' is the root bus: it has no '<address>'",
                                 domain_xml_controller_model_names[ctrl->model]);
                        return NULL;
                }
        }
        if (c[CTRL_ALIAS]) {
                static const char *const alias_attributes[] = {"name", NULL};
                if (!xml_check_empty_element(c[CTRL_ALIAS], alias_attributes, error))
                        return NULL;
                /* libvirt's own names ("usb", "pci.1") are not ids of ours: the service names
                 * controllers itself, as it does all devices without a "ua-" alias. */
        }
        return g_steal_pointer(&device);
}

void domain_xml_format_controller(GString *out, unsigned level, const VmController *ctrl) {
        g_string_append_printf(out, " type='%s' index='%" PRIu32 "'", domain_xml_controller_type_names[ctrl->type],
                               ctrl->index);
        if (ctrl->model)
                g_string_append_printf(out, " model='%s'", domain_xml_controller_model_names[ctrl->model]);
        if (ctrl->ports)
                g_string_append_printf(out, " ports='%" PRIu32 "'", ctrl->ports);
        if (ctrl->vectors)
                g_string_append_printf(out, " vectors='%" PRIu32 "'", ctrl->vectors);
        g_string_append(out, ">\n");
        if (ctrl->has_master) {
                domain_xml_append_indent(out, level + 1);
                g_string_append_printf(out, "<master startport='%" PRIu32 "'/>\n", ctrl->master_startport);
        }
        if (ctrl->has_model_name) {
                domain_xml_append_indent(out, level + 1);
                g_string_append_printf(out, "<model name='%s'/>\n",
                                       ctrl->ioh3420 ? "ioh3420" : controller_model_device(ctrl->model));
        }
        if (ctrl->has_chassis || ctrl->has_port || ctrl->hotplug || ctrl->has_chassis_nr) {
                domain_xml_append_indent(out, level + 1);
                g_string_append(out, "<target");
                if (ctrl->has_chassis_nr)
                        g_string_append_printf(out, " chassisNr='%" PRIu32 "'", ctrl->chassis_nr);
                if (ctrl->has_chassis)
                        g_string_append_printf(out, " chassis='%" PRIu32 "'", ctrl->chassis);
                if (ctrl->has_port)
                        g_string_append_printf(out, " port='0x%" PRIx32 "'", ctrl->port);
                if (ctrl->hotplug)
                        g_string_append_printf(out, " hotplug='%s'", ctrl->hotplug == VM_SWITCH_ON ? "on" : "off");
                g_string_append(out, "/>\n");
        }
        if (ctrl->has_pcihole64) {
                domain_xml_append_indent(out, level + 1);
                g_string_append_printf(out, "<pcihole64 unit='KiB'>%" PRIu64 "</pcihole64>\n", ctrl->pcihole64_kib);
        }
        if (ctrl->queues || ctrl->cmd_per_lun || ctrl->max_sectors || ctrl->ioeventfd || ctrl->iothread ||
            vm_virtio_options_set(&ctrl->virtio)) {
                domain_xml_append_indent(out, level + 1);
                g_string_append(out, "<driver");
                if (ctrl->queues)
                        g_string_append_printf(out, " queues='%" PRIu32 "'", ctrl->queues);
                if (ctrl->cmd_per_lun)
                        g_string_append_printf(out, " cmd_per_lun='%" PRIu32 "'", ctrl->cmd_per_lun);
                if (ctrl->max_sectors)
                        g_string_append_printf(out, " max_sectors='%" PRIu32 "'", ctrl->max_sectors);
                if (ctrl->ioeventfd)
                        g_string_append_printf(out, " ioeventfd='%s'", ctrl->ioeventfd == VM_SWITCH_ON ? "on" : "off");
                if (ctrl->iothread)
                        g_string_append_printf(out, " iothread='%" PRIu32 "'", ctrl->iothread);
                domain_xml_format_virtio_options(out, &ctrl->virtio);
                g_string_append(out, "/>\n");
        }
}

/* The USB companions (ich9-uhci with <master>) share the index of their EHCI master. */
static bool is_usb_companion(const VmController *ctrl) {
        return ctrl->type == VM_CONTROLLER_USB && ctrl->has_master;
}

bool domain_xml_assign_controller_indexes(GPtrArray *devices, GError **error) {
        /* Bit i of used[type] for index i; indexes are at most 0xff. */
        guint64 used[_VM_CONTROLLER_TYPE_MAX][4] = {};

        /* As libvirt: an ich9-uhci1, 2 or 3 at the index of an ich9-ehci1 is its companion, from
         * port 0, 2 or 4 when <master> does not say. */
        for (guint i = 0; i < devices->len; i++) {
                VmDevice *device = devices->pdata[i];
                VmController *ctrl = &device->controller;
                if (device->kind != VM_DEVICE_CONTROLLER || ctrl->type != VM_CONTROLLER_USB || ctrl->has_master ||
                    ctrl->index == CONTROLLER_INDEX_UNSET || ctrl->model < VM_CONTROLLER_MODEL_ICH9_UHCI1 ||
                    ctrl->model > VM_CONTROLLER_MODEL_ICH9_UHCI3)
                        continue;
                for (guint j = 0; j < devices->len; j++) {
                        const VmDevice *other = devices->pdata[j];
                        if (other->kind == VM_DEVICE_CONTROLLER && other->controller.type == VM_CONTROLLER_USB &&
                            other->controller.model == VM_CONTROLLER_MODEL_ICH9_EHCI1 &&
                            other->controller.index == ctrl->index) {
                                ctrl->has_master = true;
                                ctrl->master_startport = (uint32_t) (ctrl->model - VM_CONTROLLER_MODEL_ICH9_UHCI1) * 2;
                                break;
                        }
                }
        }
        for (guint i = 0; i < devices->len; i++) {
                const VmDevice *device = devices->pdata[i];
                const VmController *ctrl = &device->controller;
                /* Companions share their master's index. */
                if (device->kind != VM_DEVICE_CONTROLLER || ctrl->index == CONTROLLER_INDEX_UNSET ||
                    is_usb_companion(ctrl))
                        continue;
                if ((used[ctrl->type][ctrl->index / 64] >> (ctrl->index % 64)) & 1) {
                        g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                                    "'<controller type='%s' index='%" PRIu32 "'>' appears twice",
                                    domain_xml_controller_type_names[ctrl->type], ctrl->index);
                        return false;
                }
                used[ctrl->type][ctrl->index / 64] |= G_GUINT64_CONSTANT(1) << (ctrl->index % 64);
        }
        /* The USB master the companions after it belong to. */
        const VmController *usb_master = NULL;
        for (guint i = 0; i < devices->len; i++) {
                VmDevice *device = devices->pdata[i];
                VmController *ctrl = &device->controller;
                uint32_t index = 0;
                if (device->kind != VM_DEVICE_CONTROLLER)
                        continue;
                if (ctrl->index != CONTROLLER_INDEX_UNSET) {
                        if (ctrl->type == VM_CONTROLLER_USB && !ctrl->has_master)
                                usb_master = ctrl;
                        continue;
                }
                /* As libvirt: a companion without index takes its master's. */
                if (is_usb_companion(ctrl) && usb_master) {
                        ctrl->index = usb_master->index;
                        continue;
                }
                while (index <= 0xff && ((used[ctrl->type][index / 64] >> (index % 64)) & 1))
                        index++;
                if (index > 0xff) {
                        g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                                    "more than 256 '<controller type='%s'>'",
                                    domain_xml_controller_type_names[ctrl->type]);
                        return false;
                }
                ctrl->index = index;
                used[ctrl->type][index / 64] |= G_GUINT64_CONSTANT(1) << (index % 64);
                if (ctrl->type == VM_CONTROLLER_USB && !ctrl->has_master)
                        usb_master = ctrl;
        }
        return true;
}

/* ---- <memballoon> ---- */

/* autodeflate and freePageReporting, indexed by VmSwitch. */
static const char *const balloon_switch_names[] = {[VM_SWITCH_DEFAULT] = "", [VM_SWITCH_ON] = "on",
                                                   [VM_SWITCH_OFF] = "off", NULL};

bool domain_xml_parse_memballoon(const xmlNode *node, VmMemballoon *ret, GError **error) {
        static const char *const attributes[] = {"model", "autodeflate", "freePageReporting", NULL};
        static const char *const children[] = {"address", "alias", "driver", "stats", NULL};
        static const char *const driver_attributes[] = {"iommu", "ats", "packed", NULL};
        static const char *const stats_attributes[] = {"period", NULL};
        enum { BALLOON_ADDRESS, BALLOON_ALIAS, BALLOON_DRIVER, BALLOON_STATS };
        xmlNode *c[4] = {};
        VmMemballoon balloon = {};
        int model, autodeflate, free_page_reporting;

        if (!xml_check_attributes(node, attributes, error) || !xml_collect_children(node, children, c, error))
                return false;
        {
                g_autofree char *value = xml_attr_value(node, "model");
                if (!value)
                        return xml_fail(error, node, HV_ERROR_INVALID_XML,
                                        "'<memballoon>' needs the attribute 'model'");
        }
        if (!attr_enum(node, "model", memballoon_model_names, &model, error))
                return false;
        balloon.model = model;
        if (c[BALLOON_ADDRESS] && !domain_xml_parse_address(c[BALLOON_ADDRESS], &balloon.address, error))
                return false;
        if (c[BALLOON_ALIAS]) {
                static const char *const alias_attributes[] = {"name", NULL};
                /* libvirt's "balloon0": the service's id for it is fixed. */
                if (!xml_check_empty_element(c[BALLOON_ALIAS], alias_attributes, error))
                        return false;
        }
        if (balloon.model == VM_MEMBALLOON_NONE && balloon.address.type != VM_ADDRESS_NONE)
                return xml_fail(error, c[BALLOON_ADDRESS], HV_ERROR_INVALID_ARGUMENT,
                                "'<memballoon model='none'>' has no '<address>'");
        if (c[BALLOON_DRIVER] && (!xml_check_empty_element(c[BALLOON_DRIVER], driver_attributes, error) ||
                                  !domain_xml_parse_virtio_options(c[BALLOON_DRIVER], &balloon.virtio, error)))
                return false;
        if (balloon.model == VM_MEMBALLOON_NONE && c[BALLOON_DRIVER])
                return xml_fail(error, c[BALLOON_DRIVER], HV_ERROR_INVALID_ARGUMENT,
                                "'<memballoon model='none'>' has no '<driver>'");
        if (!attr_enum(node, "autodeflate", balloon_switch_names, &autodeflate, error) ||
            !attr_enum(node, "freePageReporting", balloon_switch_names, &free_page_reporting, error))
                return false;
        balloon.autodeflate = autodeflate;
        balloon.free_page_reporting = free_page_reporting;
        if (c[BALLOON_STATS]) {
                g_autofree char *period = xml_attr_value(c[BALLOON_STATS], "period");
                guint64 seconds = 0;
                if (!xml_check_empty_element(c[BALLOON_STATS], stats_attributes, error))
                        return false;
                if (!period)
                        return xml_fail(error, c[BALLOON_STATS], HV_ERROR_INVALID_XML,
                                        "'<stats>' needs the attribute 'period'");
                /* QEMU's guest-stats-polling-interval is an int; 0 turns the statistics off. */
                if (!g_ascii_string_to_unsigned(period, 10, 0, G_MAXINT32, &seconds, NULL))
                        return xml_fail_bad_value(error, c[BALLOON_STATS], "stats period", period,
                                                  "seconds, 0 to 2147483647");
                balloon.stats_period = (unsigned) seconds;
        }
        if (balloon.model == VM_MEMBALLOON_NONE && (autodeflate || free_page_reporting || c[BALLOON_STATS]))
                return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                                "'<memballoon model='none'>' has no autodeflate, freePageReporting or '<stats>'");
        *ret = balloon;
        return true;
}

void domain_xml_format_memballoon(GString *out, unsigned level, const VmMemballoon *balloon) {
        if (balloon->model == VM_MEMBALLOON_DEFAULT)
                return;
        domain_xml_append_indent(out, level);
        g_string_append_printf(out, "<memballoon model='%s'", memballoon_model_names[balloon->model]);
        if (balloon->autodeflate)
                g_string_append_printf(out, " autodeflate='%s'", balloon_switch_names[balloon->autodeflate]);
        if (balloon->free_page_reporting)
                g_string_append_printf(out, " freePageReporting='%s'",
                                       balloon_switch_names[balloon->free_page_reporting]);
        if (balloon->address.type == VM_ADDRESS_NONE && !vm_virtio_options_set(&balloon->virtio) &&
            !balloon->stats_period) {
                g_string_append(out, "/>\n");
                return;
        }
        g_string_append(out, ">\n");
        if (balloon->address.type != VM_ADDRESS_NONE)
                domain_xml_format_address(out, level + 1, &balloon->address);
        if (balloon->stats_period) {
                domain_xml_append_indent(out, level + 1);
                g_string_append_printf(out, "<stats period='%u'/>\n", balloon->stats_period);
        }
        if (vm_virtio_options_set(&balloon->virtio)) {
                domain_xml_append_indent(out, level + 1);
                g_string_append(out, "<driver");
                domain_xml_format_virtio_options(out, &balloon->virtio);
                g_string_append(out, "/>\n");
        }
        domain_xml_append_indent(out, level);
        g_string_append(out, "</memballoon>\n");
}

/* ---- <panic> ---- */

bool domain_xml_parse_panic(const xmlNode *node, VmPanic *panic, GError **error) {
        static const char *const attributes[] = {"model", NULL};
        static const char *const children[] = {"address", NULL};
        static const char *const models[] = {"isa", "hyperv", NULL};
        xmlNode *c[1] = {};
        int model;

        if (!xml_check_attributes(node, attributes, error) || !xml_collect_children(node, children, c, error) ||
            !xml_attr_choice(node, "model", models, 0, &model, error))
                return false;
        if ((model == 0 && panic->isa) || (model == 1 && panic->hyperv))
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<panic model='%s'>' appears twice",
                                models[model]);
        if (model == 1) {
                if (c[0])
                        return xml_fail(error, c[0], HV_ERROR_INVALID_ARGUMENT,
                                        "'<panic model='hyperv'>' has no '<address>'");
                panic->hyperv = true;
                return true;
        }
        if (c[0] && !domain_xml_parse_address(c[0], &panic->address, error))
                return false;
        if (panic->address.type != VM_ADDRESS_NONE &&
            (panic->address.type != VM_ADDRESS_ISA || panic->address.irq != 0))
                return xml_fail(error, c[0], HV_ERROR_INVALID_ARGUMENT,
                                "'<panic model='isa'>' has an '<address type='isa' iobase>' only");
        panic->isa = true;
        return true;
}

static void format_panic(GString *out, unsigned level, const char *model, const VmAddress *address) {
        domain_xml_append_indent(out, level);
        g_string_append_printf(out, "<panic model='%s'", model);
        if (!address || address->type == VM_ADDRESS_NONE) {
                g_string_append(out, "/>\n");
                return;
        }
        g_string_append(out, ">\n");
        domain_xml_format_address(out, level + 1, address);
        domain_xml_append_indent(out, level);
        g_string_append(out, "</panic>\n");
}

void domain_xml_format_panic(GString *out, unsigned level, const VmPanic *panic) {
        if (panic->isa)
                format_panic(out, level, "isa", &panic->address);
        if (panic->hyperv)
                format_panic(out, level, "hyperv", NULL);
}

/* ---- <watchdog> ---- */

static const char *const watchdog_model_names[] = {
        [VM_WATCHDOG_I6300ESB] = "i6300esb", [VM_WATCHDOG_ITCO] = "itco", [VM_WATCHDOG_IB700] = "ib700", NULL};
static const char *const watchdog_action_names[] = {
        [VM_WATCHDOG_ACTION_RESET] = "reset",
        [VM_WATCHDOG_ACTION_SHUTDOWN] = "shutdown",
        [VM_WATCHDOG_ACTION_POWEROFF] = "poweroff",
        [VM_WATCHDOG_ACTION_PAUSE] = "pause",
        [VM_WATCHDOG_ACTION_NONE] = "none",
        [VM_WATCHDOG_ACTION_INJECT_NMI] = "inject-nmi",
        NULL,
};

VmDevice *domain_xml_parse_watchdog(const xmlNode *node, GError **error) {
        static const char *const attributes[] = {"model", "action", NULL};
        static const char *const children[] = {"address", "alias", NULL};
        g_autoptr(VmDevice) device = vm_device_new(VM_DEVICE_WATCHDOG);
        xmlNode *c[2] = {};
        int choice;

        if (!xml_check_attributes(node, attributes, error) ||
            !xml_attr_choice(node, "model", watchdog_model_names, -1, &choice, error))
                return NULL;
        device->watchdog.model = choice;
        if (!xml_attr_choice(node, "action", watchdog_action_names, VM_WATCHDOG_ACTION_RESET, &choice, error) ||
            !xml_collect_children(node, children, c, error))
                return NULL;
        device->watchdog.action = choice;
        if (c[0] && !domain_xml_parse_address(c[0], &device->address, error))
                return NULL;
        if (c[1]) {
                static const char *const alias_attributes[] = {"name", NULL};
                if (!xml_check_empty_element(c[1], alias_attributes, error))
                        return NULL;
        }
        return g_steal_pointer(&device);
}

void domain_xml_format_watchdog(GString *out, const VmWatchdog *watchdog) {
        g_string_append_printf(out, " model='%s' action='%s'>\n", watchdog_model_names[watchdog->model],
                               watchdog_action_names[watchdog->action]);
}
