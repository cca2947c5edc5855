/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * libvirt domain XML -> VmConfig.
 *
 * The bytes become a tree through domain-xml-reader.c (hardened libxml2). The tree is then
 * walked against explicit lists of what is understood; anything else is an error naming
 * it, because dropping an element would give the user a VM other than the one described.
 * Writing is in domain-xml-format.c.
 */

#include <inttypes.h>
#include <string.h>
#include <sys/un.h>

#include "domain-xml-backing.h"
#include "domain-xml-display.h"
#include "domain-xml-chardev.h"
#include "domain-xml-devices.h"
#include "domain-xml-disk-network.h"
#include "domain-xml-iotune.h"
#include "domain-xml-filesystem.h"
#include "domain-xml-net.h"
#include "domain-xml-platform.h"
#include "domain-xml-private.h"
#include "domain-xml-reader.h"
#include "domain-xml-seclabel.h"
#include "domain-xml-sysinfo.h"
#include "domain-xml-tpm.h"
#include "domain-xml-memdev.h"
#include "domain-xml.h"
#include "hv-error.h"
#include "vm-problems.h"

#define DEVICE_ID_MAX 64
#define TOKEN_MAX 64 /* machine types, disk targets */
#define TAP_NAME_MAX 15 /* IFNAMSIZ - 1 */
/* What QEMU 7.2's disks show a guest at most (a SCSI disk's unit serial number); IDE, SATA
 * and virtio-blk show the first 20, as QEMU does with what libvirt passes it. */
#define DISK_SERIAL_MAX 36
#define UNIX_PATH_MAX (sizeof(((struct sockaddr_un *) NULL)->sun_path) - 1)
#define VSOCK_CID_MIN 3 /* 0-2 are the hypervisor, reserved and the host */
#define VSOCK_CID_MAX (UINT32_MAX - 1) /* UINT32_MAX is VMADDR_CID_ANY */

const char *const domain_xml_domain_type_names[] = { [VM_DOMAIN_KVM] = "kvm", [VM_DOMAIN_QEMU] = "qemu", NULL };
const char *const domain_xml_action_names[] = {
        [VM_ACTION_DESTROY] = "destroy",
        [VM_ACTION_RESTART] = "restart",
        NULL,
};
const char *const domain_xml_disk_format_names[] = {
        [VM_DISK_FORMAT_RAW] = "raw",
        [VM_DISK_FORMAT_QCOW2] = "qcow2",
        NULL,
};

/* ---- values ---- */

static bool parse_decimal(const char *text, uint64_t *ret) {
        uint64_t value = 0;

        if (!text || !*text)
                return false;
        for (const char *p = text; *p; p++) {
                if (!g_ascii_isdigit(*p))
                        return false;
                if (value > (UINT64_MAX - (uint64_t) (*p - '0')) / 10)
                        return false;
                value = value * 10 + (uint64_t) (*p - '0');
        }
        *ret = value;
        return true;
}

/* Like libvirt: "0x" hex or decimal. A leading zero would be octal to libvirt; refuse it
 * rather than read it differently. */
static bool parse_address_number(const char *text, uint64_t *ret) {
        uint64_t value = 0;

        if (!text)
                return false;
        if (g_ascii_strncasecmp(text, "0x", 2) != 0)
                return (text[0] != '0' || text[1] == '\0') && parse_decimal(text, ret);
        if (!text[2] || strlen(text + 2) > 8)
                return false;
        for (const char *p = text + 2; *p; p++) {
                if (!g_ascii_isxdigit(*p))
                        return false;
                value = value * 16 + (uint64_t) g_ascii_xdigit_value(*p);
        }
        *ret = value;
        return true;
}

/* libvirt's virScaleInteger: units are case-insensitive; "k" and "kib" are 1024, "kb" 1000. */
static bool size_unit_scale(const char *unit, uint64_t *ret) {
        static const char powers[] = "kmgtpe";
        const char *power;
        uint64_t base, scale = 1;

        if (!unit || !*unit) {
                *ret = 1024;
                return true;
        }
        if (g_ascii_strcasecmp(unit, "b") == 0 || g_ascii_strcasecmp(unit, "byte") == 0 ||
            g_ascii_strcasecmp(unit, "bytes") == 0) {
                *ret = 1;
                return true;
        }
        power = strchr(powers, g_ascii_tolower(unit[0]));
        if (!power || !*power)
                return false;
        if (unit[1] == '\0' || g_ascii_strcasecmp(unit + 1, "ib") == 0)
                base = 1024;
        else if (g_ascii_strcasecmp(unit + 1, "b") == 0)
                base = 1000;
        else
                return false;
        for (const char *p = powers; p <= power; p++)
                scale *= base;
        *ret = scale;
        return true;
}

bool domain_xml_parse_size(const char *value, const char *unit, uint64_t *ret_bytes) {
        uint64_t number, scale;

        if (!parse_decimal(value, &number) || !size_unit_scale(unit, &scale))
                return false;
        if (number > UINT64_MAX / scale)
                return false;
        *ret_bytes = number * scale;
        return true;
}

static bool token_is_valid(const char *token, size_t max) {
        size_t n = strlen(token);

        if (n < 1 || n > max || !g_ascii_isalnum(token[0]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!g_ascii_isalnum(token[i]) && !strchr("_.-", token[i]))
                        return false;
        return true;
}

static bool device_id_is_valid(const char *id) {
        return g_ascii_isalpha(id[0]) && token_is_valid(id, DEVICE_ID_MAX);
}

static bool path_has_dotdot(const char *path) {
        g_auto(GStrv) parts = g_strsplit(path, "/", -1);

        for (size_t i = 0; parts[i]; i++)
                if (strcmp(parts[i], "..") == 0)
                        return true;
        return false;
}

/* Disk images: a relative path lives in the images directory and may not climb out of it. */
char *domain_xml_resolve_image_path(const char *path, const DomainXmlPaths *paths, const xmlNode *node,
                                    GError **error) {
        if (!*path) {
                xml_fail_bad_value(error, node, "path", path, "empty");
                return NULL;
        }
        if (g_path_is_absolute(path))
                return g_strdup(path);
        if (path_has_dotdot(path)) {
                xml_fail_bad_value(error, node, "path", path, "a relative path may not contain '..'");
                return NULL;
        }
        if (!paths || !paths->images_dir) {
                xml_fail_bad_value(error, node, "path", path, "relative, but no images directory is configured");
                return NULL;
        }
        return g_build_filename(paths->images_dir, path, NULL);
}

/* Kernels and firmware: a bare name is looked up in the firmware directories. When no
 * directory has it, the first one is named, so that booting fails naming the missing file. */
static char *resolve_firmware_path(const char *name, const DomainXmlPaths *paths, const xmlNode *node,
                                   GError **error) {
        if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
                xml_fail_bad_value(error, node, "path", name, "not a file name");
                return NULL;
        }
        if (g_path_is_absolute(name))
                return g_strdup(name);
        if (strchr(name, '/')) {
                xml_fail_bad_value(error, node, "path", name,
                                   "give an absolute path or a file name to look up in the firmware directories");
                return NULL;
        }
        if (!paths || !paths->firmware_dirs || !paths->firmware_dirs[0]) {
                xml_fail_bad_value(error, node, "path", name, "no firmware directory is configured to look it up in");
                return NULL;
        }
        for (size_t i = 0; paths->firmware_dirs[i]; i++) {
                g_autofree char *candidate = g_build_filename(paths->firmware_dirs[i], name, NULL);
                if (g_file_test(candidate, G_FILE_TEST_IS_REGULAR))
                        return g_steal_pointer(&candidate);
        }
        return g_build_filename(paths->firmware_dirs[0], name, NULL);
}

static char *absolute_path(const char *path, const xmlNode *node, GError **error) {
        if (!g_path_is_absolute(path)) {
                xml_fail_bad_value(error, node, "path", path, "must be absolute");
                return NULL;
        }
        return g_strdup(path);
}

/* ---- devices ---- */

bool domain_xml_parse_alias(const xmlNode *node, VmDevice *device, GError **error) {
        static const char *const attributes[] = { "name", NULL };
        g_autofree char *name = NULL;

        if (!node)
                return true;
        if (!xml_check_empty_element(node, attributes, error))
                return false;
        name = xml_attr_value(node, "name");
        if (!name) {
                g_autofree char *label = xml_element_label(node);
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "%s needs the attribute 'name'", label);
        }
        if (!device_id_is_valid(name))
                return xml_fail_bad_value(error, node, "device alias", name,
                                          "1 to 64 characters from [A-Za-z0-9_.-], starting with a letter");
        device->id = g_steal_pointer(&name);
        return true;
}

enum {
        DISK_SOURCE,
        DISK_TARGET,
        DISK_DRIVER,
        DISK_READONLY,
        DISK_SERIAL,
        DISK_BOOT,
        DISK_ADDRESS,
        DISK_ALIAS,
        DISK_GEOMETRY,
        DISK_AUTH,
        DISK_IOTUNE,
        DISK_WWN,
        DISK_VENDOR,
        DISK_PRODUCT,
        DISK_SHAREABLE,
        DISK_BLOCKIO,
        DISK_BACKING_STORE,
        DISK_MIRROR,
        _DISK_CHILD_MAX
};
static const char *const disk_children[] = {
        [DISK_SOURCE] = "source",   [DISK_TARGET] = "target",   [DISK_DRIVER] = "driver",
        [DISK_READONLY] = "readonly", [DISK_SERIAL] = "serial", [DISK_BOOT] = "boot",
        [DISK_ADDRESS] = "address", [DISK_ALIAS] = "alias",     [DISK_GEOMETRY] = "geometry",
        [DISK_AUTH] = "auth",         [DISK_IOTUNE] = "iotune",     [DISK_WWN] = "wwn",
        [DISK_VENDOR] = "vendor",     [DISK_PRODUCT] = "product",   [DISK_SHAREABLE] = "shareable",
        [DISK_BLOCKIO] = "blockio",     [DISK_BACKING_STORE] = "backingStore", [DISK_MIRROR] = "mirror",
        NULL,
};

/* <source file='...'> or <source dev='...'>; a cdrom or floppy may have none: it is empty. */
static bool parse_disk_source(const xmlNode *node, const xmlNode *source, const DomainXmlPaths *paths,
                              VmDisk *disk, GError **error) {
        static const char *const file_attributes[] = { "file", "index", NULL };
        static const char *const dev_attributes[] = { "dev", "index", NULL };
        const char *attribute = disk->block ? "dev" : "file";
        g_autofree char *path = NULL;

        if (!source) {
                if (disk->cdrom || disk->floppy)
                        return true;
                return xml_fail_missing(error, node, "source");
        }
        if (!xml_check_attributes(source, disk->block ? dev_attributes : file_attributes, error) ||
            !domain_xml_parse_source_seclabels(source, disk, error) || !domain_xml_check_source_index(source, error))
                return false;
        path = xml_attr_value(source, attribute);
        if (!path) {
                if ((disk->cdrom || disk->floppy) && disk->n_seclabels)
                        return xml_fail(error, source, HV_ERROR_INVALID_XML,
                                        "'<seclabel>' in a '<source>' without '%s' labels no image", attribute);
                if (disk->cdrom || disk->floppy)
                        return true;
                return xml_fail(error, source, HV_ERROR_INVALID_XML,
                                "'<source>' of a '<disk type='%s'>' needs the attribute '%s'",
                                disk->block ? "block" : "file", attribute);
        }
        if (disk->block) {
                disk->path = absolute_path(path, source, error);
                return disk->path != NULL;
        }
        disk->path = domain_xml_resolve_image_path(path, paths, source, error);
        return disk->path != NULL;
}

/* The <address> type of a disk on each bus. */
static VmAddressType disk_address_type(VmDiskBus bus) {
        switch (bus) {
        case VM_DISK_BUS_VIRTIO:
                return VM_ADDRESS_PCI;
        case VM_DISK_BUS_USB:
                return VM_ADDRESS_USB;
        default:
                return VM_ADDRESS_DRIVE;
        }
}

static VmDevice *parse_disk(const xmlNode *node, const DomainXmlPaths *paths, GError **error) {
        static const char *const attributes[] = { "type", "device", NULL };
        static const char *const types[] = { "file", "block", "network", NULL };
        static const char *const devices[] = { "disk", "cdrom", "floppy", NULL };
        bool network;
        static const char *const target_attributes[] = {"dev", "bus", "rotation_rate", "tray", "removable", NULL};
        g_autoptr(VmDevice) device = vm_device_new(VM_DEVICE_DISK);
        g_autofree char *dev = NULL;
        xmlNode *c[_DISK_CHILD_MAX] = {};
        int choice;

        if (!xml_check_attributes(node, attributes, error) ||
            !xml_attr_choice(node, "type", types, 0, &choice, error))
                return NULL;
        device->disk.block = choice == 1;
        network = choice == 2;
        if (!xml_attr_choice(node, "device", devices, 0, &choice, error) ||
            !xml_collect_children(node, disk_children, c, error))
                return NULL;
        device->disk.cdrom = choice == 1;
        device->disk.floppy = choice == 2;
        device->disk.readonly = device->disk.cdrom;

        if (c[DISK_AUTH]) {
                xml_fail(error, c[DISK_AUTH], HV_ERROR_NOT_SUPPORTED,
                         "'<auth>' in '<disk>' is not supported: its secret is libvirt's, and the service keeps no "
                         "secrets");
                return NULL;
        }
        if (network ? !domain_xml_parse_disk_network(node, c[DISK_SOURCE], &device->disk, error)
                    : !parse_disk_source(node, c[DISK_SOURCE], paths, &device->disk, error))
                return NULL;

        if (!c[DISK_TARGET]) {
                xml_fail_missing(error, node, "target");
                return NULL;
        }
        /* libvirt's default bus follows the name: vd* virtio, sd* scsi, hd* ide, fd* fdc. */
        if (!xml_check_empty_element(c[DISK_TARGET], target_attributes, error))
                return NULL;
        dev = xml_attr_value(c[DISK_TARGET], "dev");
        if (!dev) {
                xml_fail(error, c[DISK_TARGET], HV_ERROR_INVALID_XML,
                         "'<target>' of a '<disk>' needs the attribute 'dev'");
                return NULL;
        }
        if (!token_is_valid(dev, TOKEN_MAX)) {
                xml_fail_bad_value(error, c[DISK_TARGET], "target device", dev, "expected a name like 'vda'");
                return NULL;
        }
        /* libvirt's rule: 'vdb1' names a partition, which a disk is not. */
        if ((g_str_has_prefix(dev, "vd") || g_str_has_prefix(dev, "sd") || g_str_has_prefix(dev, "hd")) &&
            g_ascii_isalpha(dev[2]) && g_ascii_isdigit(dev[strlen(dev) - 1])) {
                xml_fail_bad_value(error, c[DISK_TARGET], "disk target", dev,
                                   "a partition's name: a disk target is a whole disk, like 'vdb'");
                return NULL;
        }
        {
                int default_bus = g_str_has_prefix(dev, "sd")   ? VM_DISK_BUS_SCSI
                                  : g_str_has_prefix(dev, "hd") ? VM_DISK_BUS_IDE
                                  : g_str_has_prefix(dev, "fd") ? VM_DISK_BUS_FDC
                                                                : VM_DISK_BUS_VIRTIO;
                if (!xml_attr_choice(c[DISK_TARGET], "bus", domain_xml_disk_bus_names, default_bus, &choice, error))
                        return NULL;
                device->disk.bus = choice;
        }
        /* A floppy drive is on the floppy controller, and nothing else is. */
        if (device->disk.floppy != (device->disk.bus == VM_DISK_BUS_FDC)) {
                xml_fail(error, c[DISK_TARGET], HV_ERROR_INVALID_ARGUMENT,
                         device->disk.floppy ? "a '<disk device='floppy'>' needs bus 'fdc'"
                                             : "bus 'fdc' is for '<disk device='floppy'>' only");
                return NULL;
        }
        device->disk.target_dev = g_steal_pointer(&dev);
        /* tray: the state of a cdrom's or floppy's tray in what `virsh dumpxml` prints of a
         * running domain, not configuration: libvirt's QEMU driver starts every tray closed
         * whatever it says. Status, as the domain's id: read past, not written back. */
        {
                static const char *const trays[] = {"open", "closed", NULL};

                if (!xml_attr_choice(c[DISK_TARGET], "tray", trays, 2, &choice, error))
                        return NULL;
                if (choice != 2 && !device->disk.cdrom && !device->disk.floppy) {
                        xml_fail(error, c[DISK_TARGET], HV_ERROR_INVALID_ARGUMENT,
                                 "'tray' of a '<target>' is for a '<disk device='cdrom'>' or 'floppy' only");
                        return NULL;
                }
        }
        {
                static const char *const switches[] = {"", "on", "off", NULL};

                if (!xml_attr_choice(c[DISK_TARGET], "removable", switches, 0, &choice, error))
                        return NULL;
                device->disk.removable = choice;
        }
        if (!domain_xml_parse_disk_rotation_rate(c[DISK_TARGET], &device->disk, error) ||
            (c[DISK_GEOMETRY] && !domain_xml_parse_disk_geometry(c[DISK_GEOMETRY], &device->disk, error)) ||
            (c[DISK_BLOCKIO] && !domain_xml_parse_disk_blockio(c[DISK_BLOCKIO], &device->disk, error)) ||
            (c[DISK_IOTUNE] && !domain_xml_parse_iotune(c[DISK_IOTUNE], &device->disk, error)) ||
            !domain_xml_parse_disk_identity(c[DISK_WWN], c[DISK_VENDOR], c[DISK_PRODUCT], c[DISK_SHAREABLE],
                                            &device->disk, error))
                return NULL;

        if (c[DISK_DRIVER] && !domain_xml_parse_disk_driver(c[DISK_DRIVER], &device->disk, error))
                return NULL;
        /* After <driver>: whether the image has a backing file depends on its format. */
        if (c[DISK_BACKING_STORE] &&
            !domain_xml_parse_disk_backing(c[DISK_BACKING_STORE], paths, &device->disk, error))
                return NULL;
        /* <mirror>: a block job (copy, commit) of a running domain, which `virsh dumpxml` shows.
         * Status, not configuration: libvirt's define reads past it, and so does the service (no
         * block job is started, nothing is written back). */
        if (c[DISK_READONLY]) {
                if (!xml_check_empty_element(c[DISK_READONLY], NULL, error))
                        return NULL;
                device->disk.readonly = true;
        }
        if (c[DISK_SERIAL]) {
                g_autofree char *serial = NULL;

                if (!xml_element_text(c[DISK_SERIAL], NULL, false, &serial, error))
                        return NULL;
                if (!*serial || strlen(serial) > DISK_SERIAL_MAX ||
                    strspn(serial, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.+-") !=
                            strlen(serial)) {
                        xml_fail_bad_value(error, c[DISK_SERIAL], "disk serial", serial,
                                           "1 to 36 characters from [A-Za-z0-9_.+-]");
                        return NULL;
                }
                device->disk.serial = g_steal_pointer(&serial);
        }
        if (!domain_xml_parse_boot_order(c[DISK_BOOT], &device->boot_order, error) ||
            (c[DISK_ADDRESS] && !domain_xml_parse_address(c[DISK_ADDRESS], &device->address, error)) ||
            !domain_xml_parse_alias(c[DISK_ALIAS], device, error))
                return NULL;
        if (device->address.type != VM_ADDRESS_NONE && device->address.type != disk_address_type(device->disk.bus)) {
                g_autofree char *type = xml_attr_value(c[DISK_ADDRESS], "type");
                xml_fail(error, c[DISK_ADDRESS], HV_ERROR_INVALID_ARGUMENT,
                         "a '<disk>' on bus '%s' cannot have a '%s' address", domain_xml_disk_bus_names[device->disk.bus],
                         type);
                return NULL;
        }
        return g_steal_pointer(&device);
}

/* The guest-side <address> of a PCI device. */
static bool parse_pci_address(const xmlNode *node, VmDevice *device, GError **error) {
        if (!domain_xml_parse_address(node, &device->address, error))
                return false;
        if (device->address.type != VM_ADDRESS_PCI) {
                g_autofree char *type = xml_attr_value(node, "type");
                return xml_fail_unsupported_value(error, node, "type", type);
        }
        return true;
}

enum { VSOCK_CID, VSOCK_ADDRESS, VSOCK_ALIAS, _VSOCK_CHILD_MAX };
static const char *const vsock_children[] = {
        [VSOCK_CID] = "cid", [VSOCK_ADDRESS] = "address", [VSOCK_ALIAS] = "alias", NULL
};

static VmDevice *parse_vsock(const xmlNode *node, GError **error) {
        static const char *const attributes[] = { "model", NULL };
        static const char *const models[] = { "virtio", NULL };
        static const char *const cid_attributes[] = { "auto", "address", NULL };
        static const char *const autos[] = { "no", "yes", NULL };
        g_autoptr(VmDevice) device = vm_device_new(VM_DEVICE_VSOCK);
        g_autofree char *address = NULL;
        xmlNode *c[_VSOCK_CHILD_MAX] = {};
        uint64_t cid = 0;
        int choice;

        if (!xml_check_attributes(node, attributes, error) ||
            !xml_attr_choice(node, "model", models, 0, &choice, error) ||
            !xml_collect_children(node, vsock_children, c, error))
                return NULL;
        if (!c[VSOCK_CID]) {
                xml_fail_missing(error, node, "cid");
                return NULL;
        }
        if (!xml_check_empty_element(c[VSOCK_CID], cid_attributes, error) ||
            !xml_attr_choice(c[VSOCK_CID], "auto", autos, 0, &choice, error))
                return NULL;
        /* auto='yes': the service chooses one at each Boot; an address written with it (what the
         * XML of a running VM shows) is the last one chosen. */
        device->vsock.cid_auto = choice == 1;
        address = xml_attr_value(c[VSOCK_CID], "address");
        if (!address && !device->vsock.cid_auto) {
                xml_fail(error, c[VSOCK_CID], HV_ERROR_INVALID_XML, "'<cid>' needs the attribute 'address' or auto='yes'");
                return NULL;
        }
        if (address && (!parse_decimal(address, &cid) || cid < VSOCK_CID_MIN || cid > VSOCK_CID_MAX)) {
                xml_fail_bad_value(error, c[VSOCK_CID], "vsock CID", address,
                                   "expected a number from 3 to 4294967294");
                return NULL;
        }
        if (address)
                device->vsock.cid = (uint32_t) cid;
        if ((c[VSOCK_ADDRESS] && !parse_pci_address(c[VSOCK_ADDRESS], device, error)) ||
            !domain_xml_parse_alias(c[VSOCK_ALIAS], device, error))
                return NULL;
        return g_steal_pointer(&device);
}

enum { RNG_BACKEND, RNG_DRIVER, RNG_ADDRESS, RNG_ALIAS, RNG_RATE, _RNG_CHILD_MAX };
static const char *const rng_children[] = {
        [RNG_BACKEND] = "backend", [RNG_DRIVER] = "driver", [RNG_ADDRESS] = "address", [RNG_ALIAS] = "alias",
        [RNG_RATE] = "rate", NULL
};

/* <rate bytes period>: at most bytes (a positive number, as libvirt reads it) every period ms
 * (positive; left out, libvirt's 1000 on QEMU's command line). */
static bool parse_rng_rate(const xmlNode *node, VmRng *rng, GError **error) {
        static const char *const attributes[] = { "bytes", "period", NULL };
        g_autofree char *bytes = xml_attr_value(node, "bytes");

        if (!xml_check_empty_element(node, attributes, error))
                return false;
        if (!bytes)
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<rate>' of an '<rng>' needs bytes");
        return xml_attr_uint32(node, "bytes", 1, UINT32_MAX, &rng->rate_bytes, error) &&
               xml_attr_uint32(node, "period", 1, UINT32_MAX, &rng->rate_period_ms, error);
}

static VmDevice *parse_rng(const xmlNode *node, GError **error) {
        static const char *const attributes[] = { "model", NULL };
        static const char *const models[] = { "virtio", NULL };
        static const char *const backend_attributes[] = { "model", NULL };
        static const char *const backend_models[] = { "random", "builtin", "egd", NULL };
        static const char *const driver_attributes[] = { "iommu", "ats", "packed", NULL };
        g_autoptr(VmDevice) device = vm_device_new(VM_DEVICE_RNG);
        xmlNode *c[_RNG_CHILD_MAX] = {};
        int choice;

        if (!xml_check_attributes(node, attributes, error) ||
            !xml_attr_choice(node, "model", models, -1, &choice, error) ||
            !xml_collect_children(node, rng_children, c, error))
                return NULL;
        if (c[RNG_BACKEND] && !xml_attr_choice(c[RNG_BACKEND], "model", backend_models, 0, &choice, error))
                return NULL;
        if (c[RNG_BACKEND] && choice == 2) {
                /* egd: a chardev (type, <source>, <protocol>) that QEMU's rng-egd reads from. */
                device->rng.egd = g_new0(VmChar, 1);
                if (!domain_xml_parse_rng_egd_backend(c[RNG_BACKEND], device->rng.egd, error))
                        return NULL;
        } else if (c[RNG_BACKEND]) {
                g_autofree char *path = NULL;

                if (!xml_element_text(c[RNG_BACKEND], backend_attributes, false, &path, error) ||
                    !xml_attr_choice(c[RNG_BACKEND], "model", backend_models, 0, &choice, error))
                        return NULL;
                device->rng.builtin = choice == 1;
                if (device->rng.builtin && *path) {
                        xml_fail(error, c[RNG_BACKEND], HV_ERROR_INVALID_XML,
                                 "'<backend model='builtin'>' of an '<rng>' takes no path");
                        return NULL;
                }
                if (*path) {
                        device->rng.backend = absolute_path(path, c[RNG_BACKEND], error);
                        if (!device->rng.backend)
                                return NULL;
                }
        }
        if (!device->rng.backend && !device->rng.builtin && !device->rng.egd)
                device->rng.backend = g_strdup(DOMAIN_XML_DEFAULT_RNG_BACKEND);
        if (c[RNG_RATE] && !parse_rng_rate(c[RNG_RATE], &device->rng, error))
                return NULL;
        if (c[RNG_DRIVER] && (!xml_check_empty_element(c[RNG_DRIVER], driver_attributes, error) ||
                              !domain_xml_parse_virtio_options(c[RNG_DRIVER], &device->rng.virtio, error)))
                return NULL;
        if ((c[RNG_ADDRESS] && !parse_pci_address(c[RNG_ADDRESS], device, error)) ||
            !domain_xml_parse_alias(c[RNG_ALIAS], device, error))
                return NULL;
        return g_steal_pointer(&device);
}

static bool parse_pci_field(const xmlNode *node, const char *attribute, uint64_t max, bool required, uint32_t *ret,
                            GError **error) {
        g_autofree char *value = xml_attr_value(node, attribute);
        uint64_t number;

        if (!value) {
                if (required)
                        return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<address>' needs the attribute '%s'",
                                        attribute);
                *ret = 0;
                return true;
        }
        if (!parse_address_number(value, &number) || number > max) {
                g_autofree char *rule = g_strdup_printf("expected a number from 0 to 0x%" PRIx64, max);
                return xml_fail_bad_value(error, node, "PCI address field", value, rule);
        }
        *ret = (uint32_t) number;
        return true;
}

enum { HOSTDEV_SOURCE, HOSTDEV_ADDRESS, HOSTDEV_ALIAS, HOSTDEV_DRIVER, HOSTDEV_BOOT, _HOSTDEV_CHILD_MAX };
static const char *const hostdev_children[] = {
        [HOSTDEV_SOURCE] = "source", [HOSTDEV_ADDRESS] = "address", [HOSTDEV_ALIAS] = "alias",
        [HOSTDEV_DRIVER] = "driver", [HOSTDEV_BOOT] = "boot",       NULL
};
static const char *const hostdev_source_children[] = { "address", NULL };

/* <source><address domain bus slot function/></source> of a PCI hostdev. */
static bool parse_hostdev_pci_source(const xmlNode *address, VmHostdev *hostdev, GError **error) {
        static const char *const address_attributes[] = { "domain", "bus", "slot", "function", NULL };

        return xml_check_empty_element(address, address_attributes, error) &&
               parse_pci_field(address, "domain", 0xffff, false, &hostdev->domain, error) &&
               parse_pci_field(address, "bus", 0xff, true, &hostdev->bus, error) &&
               parse_pci_field(address, "slot", 0x1f, true, &hostdev->slot, error) &&
               parse_pci_field(address, "function", 0x7, true, &hostdev->function, error);
}

/* <source><address uuid/></source> of a mediated device. */
static bool parse_hostdev_mdev_source(const xmlNode *address, VmHostdev *hostdev, GError **error) {
        static const char *const address_attributes[] = { "uuid", NULL };
        g_autofree char *uuid = NULL;

        if (!xml_check_empty_element(address, address_attributes, error))
                return false;
        uuid = xml_attr_value(address, "uuid");
        if (!uuid)
                return xml_fail(error, address, HV_ERROR_INVALID_XML, "'<address>' needs the attribute 'uuid'");
        if (!vm_uuid_is_valid(uuid))
                return xml_fail_bad_value(error, address, "UUID", uuid,
                                          "expected 36 characters like '53764d0e-85a0-42b4-af5c-2046b460b1dc'");
        g_strlcpy(hostdev->uuid, uuid, sizeof(hostdev->uuid));
        for (char *p = hostdev->uuid; *p; p++)
                *p = g_ascii_tolower(*p);
        return true;
}

/* <source guestReset><address bus device/></source> of a USB hostdev: the device by its host bus
 * and device numbers (QEMU opens /dev/bus/usb/BBB/DDD as the owner). <vendor>/<product> would
 * need the device found at Boot: refused, saying so. */
static bool parse_hostdev_usb_source(const xmlNode *source, VmHostdev *hostdev, GError **error) {
        static const char *const attributes[] = { "guestReset", NULL };
        static const char *const resets[] = { [VM_USB_GUEST_RESET_DEFAULT] = "default",
                                              [VM_USB_GUEST_RESET_OFF] = "off",
                                              [VM_USB_GUEST_RESET_UNINITIALIZED] = "uninitialized",
                                              [VM_USB_GUEST_RESET_ON] = "on", NULL };
        static const char *const children[] = { "address", "vendor", "product", NULL };
        static const char *const address_attributes[] = { "bus", "device", NULL };
        xmlNode *c[3] = {};
        int choice;

        if (!xml_check_attributes(source, attributes, error) ||
            !xml_attr_choice(source, "guestReset", resets, VM_USB_GUEST_RESET_DEFAULT, &choice, error) ||
            !xml_collect_children(source, children, c, error))
                return false;
        hostdev->usb_guest_reset = choice;
        if (c[1] || c[2])
                return xml_fail(error, c[1] ? c[1] : c[2], HV_ERROR_NOT_SUPPORTED,
                                "'<vendor>'/'<product>' of a '<hostdev type='usb'>' is not supported yet: name the "
                                "device by '<address bus device>' (lsusb shows them)");
        if (!c[0])
                return xml_fail_missing(error, source, "address");
        return xml_check_empty_element(c[0], address_attributes, error) &&
               parse_pci_field(c[0], "bus", 999, true, &hostdev->usb_bus, error) &&
               parse_pci_field(c[0], "device", 999, true, &hostdev->usb_device, error);
}

static bool parse_scsi_field(const xmlNode *node, const char *attribute, uint64_t max, uint64_t *ret,
                             GError **error) {
        g_autofree char *value = xml_attr_value(node, attribute);

        if (!value)
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<address>' needs the attribute '%s'", attribute);
        if (!parse_address_number(value, ret) || *ret > max) {
                g_autofree char *rule = g_strdup_printf("expected a number from 0 to %" PRIu64, max);
                return xml_fail_bad_value(error, node, "SCSI address field", value, rule);
        }
        return true;
}

/* <source protocol='iscsi' name='IQN/LUN'><host name port/></source> of a SCSI hostdev: read as a
 * network disk's source (domain-xml-disk-network.c), so an <auth> stays refused there (the
 * service keeps no secrets). Other protocols libvirt has not for a hostdev either. */
static bool parse_hostdev_iscsi_source(const xmlNode *hostdev_node, const xmlNode *source, VmHostdev *hostdev,
                                       GError **error) {
        static const char *const protocols[] = { "iscsi", NULL };
        VmDisk disk = { 0 };
        int choice;

        if (!xml_attr_choice(source, "protocol", protocols, -1, &choice, error))
                return false;
        if (!domain_xml_parse_disk_network(hostdev_node, source, &disk, error)) {
                vm_disk_network_free(disk.network);
                return false;
        }
        hostdev->scsi_iscsi = disk.network;
        return true;
}

/* <source><adapter name='scsi_hostN'/><address bus target unit/></source> of a SCSI hostdev: the
 * host's H:B:T:U, as sysfs names it. */
static bool parse_hostdev_scsi_source(const xmlNode *source, VmHostdev *hostdev, GError **error) {
        static const char *const children[] = { "adapter", "address", NULL };
        static const char *const adapter_attributes[] = { "name", NULL };
        static const char *const address_attributes[] = { "bus", "target", "unit", NULL };
        g_autofree char *name = NULL;
        xmlNode *c[2] = {};
        uint64_t host, bus, target;

        if (!xml_check_attributes(source, NULL, error) || !xml_collect_children(source, children, c, error))
                return false;
        if (!c[0])
                return xml_fail_missing(error, source, "adapter");
        if (!c[1])
                return xml_fail_missing(error, source, "address");
        if (!xml_check_empty_element(c[0], adapter_attributes, error))
                return false;
        name = xml_attr_value(c[0], "name");
        if (!name)
                return xml_fail(error, c[0], HV_ERROR_INVALID_XML, "'<adapter>' needs the attribute 'name'");
        if (!g_str_has_prefix(name, "scsi_host") || !name[9] || (name[9] == '0' && name[10]) ||
            !parse_decimal(name + 9, &host) || host > G_MAXUINT32)
                return xml_fail_bad_value(error, c[0], "SCSI adapter", name,
                                          "expected scsi_hostN, the host's SCSI adapter N (lsscsi -H lists them)");
        if (!xml_check_empty_element(c[1], address_attributes, error) ||
            !parse_scsi_field(c[1], "bus", G_MAXUINT32, &bus, error) ||
            !parse_scsi_field(c[1], "target", G_MAXUINT32, &target, error) ||
            !parse_scsi_field(c[1], "unit", G_MAXUINT64, &hostdev->scsi_unit, error))
                return false;
        hostdev->scsi_host = (uint32_t) host;
        hostdev->scsi_bus = (uint32_t) bus;
        hostdev->scsi_target = (uint32_t) target;
        return true;
}

enum { SCSI_HOSTDEV_SOURCE, SCSI_HOSTDEV_ADDRESS, SCSI_HOSTDEV_ALIAS, SCSI_HOSTDEV_BOOT, SCSI_HOSTDEV_READONLY,
       SCSI_HOSTDEV_SHAREABLE, _SCSI_HOSTDEV_CHILD_MAX };

/* <hostdev mode='subsystem' type='scsi'>: a host SCSI device given whole to the guest through
 * QEMU's scsi-generic on /dev/sgN, which QEMU opens as the owner (found at Boot: hostdev.h).
 * managed means nothing for SCSI (libvirt reads it past too). sgio='unfiltered' and rawio='yes'
 * are refused: root would change the host device's queue for everyone, or QEMU would need
 * CAP_SYS_RAWIO. The guest <address type='drive'> is assigned after all devices are read
 * (assign_scsi_hostdev_addresses) when none is written. */
static VmDevice *parse_hostdev_scsi(const xmlNode *node, GError **error) {
        static const char *const attributes[] = { "mode", "type", "managed", "sgio", "rawio", NULL };
        static const char *const children[] = {
                [SCSI_HOSTDEV_SOURCE] = "source", [SCSI_HOSTDEV_ADDRESS] = "address",
                [SCSI_HOSTDEV_ALIAS] = "alias",   [SCSI_HOSTDEV_BOOT] = "boot",
                [SCSI_HOSTDEV_READONLY] = "readonly", [SCSI_HOSTDEV_SHAREABLE] = "shareable", NULL
        };
        static const char *const modes[] = { "subsystem", NULL };
        static const char *const manageds[] = { "no", "yes", NULL };
        static const char *const sgios[] = { "filtered", "unfiltered", NULL };
        static const char *const rawios[] = { "no", "yes", NULL };
        g_autoptr(VmDevice) device = vm_device_new(VM_DEVICE_HOSTDEV);
        xmlNode *c[_SCSI_HOSTDEV_CHILD_MAX] = {};
        g_autofree char *protocol = NULL;
        int choice;

        device->hostdev.type = VM_HOSTDEV_SCSI;
        if (!xml_check_attributes(node, attributes, error) ||
            !xml_attr_choice(node, "mode", modes, -1, &choice, error) ||
            !xml_attr_choice(node, "managed", manageds, 0, &choice, error))
                return NULL;
        if (!xml_attr_choice(node, "sgio", sgios, 0, &choice, error))
                return NULL;
        if (choice == 1) {
                xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                         "sgio='unfiltered' of '<hostdev type='scsi'>' is not supported: root would change the host "
                         "device's queue (unpriv_sgio) for every user of it");
                return NULL;
        }
        if (!xml_attr_choice(node, "rawio", rawios, 0, &choice, error))
                return NULL;
        if (choice == 1) {
                xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                         "rawio='yes' of '<hostdev type='scsi'>' is not supported: QEMU would need the capability "
                         "CAP_SYS_RAWIO, which the VM's owner has not");
                return NULL;
        }
        if (!xml_collect_children(node, children, c, error))
                return NULL;
        if (!c[SCSI_HOSTDEV_SOURCE]) {
                xml_fail_missing(error, node, "source");
                return NULL;
        }
        protocol = xml_attr_value(c[SCSI_HOSTDEV_SOURCE], "protocol");
        if (protocol ? !parse_hostdev_iscsi_source(node, c[SCSI_HOSTDEV_SOURCE], &device->hostdev, error)
                    : !parse_hostdev_scsi_source(c[SCSI_HOSTDEV_SOURCE], &device->hostdev, error))
                return NULL;
        if ((c[SCSI_HOSTDEV_READONLY] && !xml_check_empty_element(c[SCSI_HOSTDEV_READONLY], NULL, error)) ||
            (c[SCSI_HOSTDEV_SHAREABLE] && !xml_check_empty_element(c[SCSI_HOSTDEV_SHAREABLE], NULL, error)))
                return NULL;
        device->hostdev.scsi_readonly = c[SCSI_HOSTDEV_READONLY] != NULL;
        device->hostdev.scsi_shareable = c[SCSI_HOSTDEV_SHAREABLE] != NULL;
        if (c[SCSI_HOSTDEV_ADDRESS]) {
                if (!domain_xml_parse_address(c[SCSI_HOSTDEV_ADDRESS], &device->address, error))
                        return NULL;
                if (device->address.type != VM_ADDRESS_DRIVE) {
                        g_autofree char *address_type = xml_attr_value(c[SCSI_HOSTDEV_ADDRESS], "type");
                        xml_fail_unsupported_value(error, c[SCSI_HOSTDEV_ADDRESS], "type", address_type);
                        return NULL;
                }
        }
        if (!domain_xml_parse_alias(c[SCSI_HOSTDEV_ALIAS], device, error) ||
            !domain_xml_parse_boot_order(c[SCSI_HOSTDEV_BOOT], &device->boot_order, error))
                return NULL;
        return g_steal_pointer(&device);
}

/* <hostdev mode='subsystem'>: type='pci' (vfio-pci of a host PCI function; managed='yes'
 * taken as a device the administrator already bound to vfio-pci, checked at Boot, since the
 * service does not rebind drivers as root for an owner) or type='mdev' model='vfio-pci' (a
 * mediated device that exists). <driver name='vfio'> is the only driver there is. */
static VmDevice *parse_hostdev(const xmlNode *node, GError **error) {
        static const char *const attributes[] = { "mode", "type", "managed", "model", "display", "ramfb", NULL };
        static const char *const switches[] = { "on", "off", NULL };
        static const char *const modes[] = { "subsystem", NULL };
        static const char *const types[] = { [VM_HOSTDEV_PCI] = "pci", [VM_HOSTDEV_MDEV] = "mdev",
                                             [VM_HOSTDEV_USB] = "usb", NULL };
        static const char *const manageds[] = { "no", "yes", NULL };
        static const char *const models[] = { "vfio-pci", NULL };
        static const char *const driver_attributes[] = { "name", NULL };
        static const char *const driver_names[] = { "vfio", NULL };
        g_autoptr(VmDevice) device = vm_device_new(VM_DEVICE_HOSTDEV);
        xmlNode *c[_HOSTDEV_CHILD_MAX] = {};
        xmlNode *address = NULL;
        g_autofree char *model = NULL, *type = xml_attr_value(node, "type");
        int choice;

        if (g_strcmp0(type, "scsi_host") == 0) {
                xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                         "type='scsi_host' of '<hostdev>' is not supported: vhost-scsi needs /dev/vhost-scsi, which "
                         "root would open for the VM");
                return NULL;
        }
        if (g_strcmp0(type, "scsi") == 0)
                return parse_hostdev_scsi(node, error);
        if (!xml_check_attributes(node, attributes, error) ||
            !xml_attr_choice(node, "mode", modes, -1, &choice, error) ||
            !xml_attr_choice(node, "type", types, -1, &choice, error))
                return NULL;
        device->hostdev.type = choice;
        if (!xml_attr_choice(node, "managed", manageds, 0, &choice, error) ||
            !xml_collect_children(node, hostdev_children, c, error))
                return NULL;
        device->hostdev.managed = choice == 1;
        model = xml_attr_value(node, "model");
        if (device->hostdev.type == VM_HOSTDEV_MDEV) {
                if (!model) {
                        xml_fail(error, node, HV_ERROR_INVALID_XML,
                                 "'<hostdev type='mdev'>' needs the attribute 'model'");
                        return NULL;
                }
                if (!xml_attr_choice(node, "model", models, -1, &choice, error))
                        return NULL;
        } else if (model) {
                xml_fail(error, node, HV_ERROR_INVALID_XML, "attribute 'model' is for a '<hostdev type='mdev'>'");
                return NULL;
        }
        /* display and ramfb of a mediated device: vfio-pci's (as libvirt's
         * qemuBuildHostdevMediatedDevProps); absent: not written. */
        VmSwitch *switch_values[] = { &device->hostdev.mdev_display, &device->hostdev.mdev_ramfb };
        const char *const switch_names[] = { "display", "ramfb" };
        for (unsigned i = 0; i < G_N_ELEMENTS(switch_values); i++) {
                g_autofree char *value = xml_attr_value(node, switch_names[i]);
                if (!value)
                        continue;
                if (device->hostdev.type != VM_HOSTDEV_MDEV) {
                        xml_fail(error, node, HV_ERROR_INVALID_XML, "attribute '%s' is for a '<hostdev type='mdev'>'",
                                 switch_names[i]);
                        return NULL;
                }
                if (!xml_attr_choice(node, switch_names[i], switches, -1, &choice, error))
                        return NULL;
                *switch_values[i] = choice == 0 ? VM_SWITCH_ON : VM_SWITCH_OFF;
        }
        if (c[HOSTDEV_DRIVER]) {
                if (device->hostdev.type != VM_HOSTDEV_PCI) {
                        xml_fail_unsupported_element(error, c[HOSTDEV_DRIVER]);
                        return NULL;
                }
                if (!xml_check_empty_element(c[HOSTDEV_DRIVER], driver_attributes, error) ||
                    !xml_attr_choice(c[HOSTDEV_DRIVER], "name", driver_names, 0, &choice, error))
                        return NULL;
                device->hostdev.driver_vfio = true;
        }
        if (!c[HOSTDEV_SOURCE]) {
                xml_fail_missing(error, node, "source");
                return NULL;
        }
        if (device->hostdev.type == VM_HOSTDEV_USB) {
                if (!parse_hostdev_usb_source(c[HOSTDEV_SOURCE], &device->hostdev, error))
                        return NULL;
                if (c[HOSTDEV_ADDRESS]) {
                        xml_fail(error, c[HOSTDEV_ADDRESS], HV_ERROR_NOT_SUPPORTED,
                                 "'<address>' of a '<hostdev type='usb'>' is not supported: QEMU picks its USB port");
                        return NULL;
                }
                if (!domain_xml_parse_alias(c[HOSTDEV_ALIAS], device, error) ||
                    !domain_xml_parse_boot_order(c[HOSTDEV_BOOT], &device->boot_order, error))
                        return NULL;
                return g_steal_pointer(&device);
        }
        if (!xml_check_attributes(c[HOSTDEV_SOURCE], NULL, error) ||
            !xml_collect_children(c[HOSTDEV_SOURCE], hostdev_source_children, &address, error))
                return NULL;
        if (!address) {
                xml_fail_missing(error, c[HOSTDEV_SOURCE], "address");
                return NULL;
        }
        if (device->hostdev.type == VM_HOSTDEV_PCI ? !parse_hostdev_pci_source(address, &device->hostdev, error)
                                                   : !parse_hostdev_mdev_source(address, &device->hostdev, error))
                return NULL;
        if ((c[HOSTDEV_ADDRESS] && !parse_pci_address(c[HOSTDEV_ADDRESS], device, error)) ||
            !domain_xml_parse_alias(c[HOSTDEV_ALIAS], device, error) ||
            !domain_xml_parse_boot_order(c[HOSTDEV_BOOT], &device->boot_order, error))
                return NULL;
        return g_steal_pointer(&device);
}

static VmDevice *parse_device(const xmlNode *node, const DomainXmlPaths *paths, GError **error) {
        if (xml_is_element(node, "disk"))
                return parse_disk(node, paths, error);
        if (xml_is_element(node, "interface"))
                return domain_xml_parse_interface(node, error);
        if (xml_is_element(node, "serial"))
                return domain_xml_parse_char_device(node, VM_DEVICE_SERIAL, error);
        if (xml_is_element(node, "console"))
                return domain_xml_parse_char_device(node, VM_DEVICE_CONSOLE, error);
        if (xml_is_element(node, "parallel"))
                return domain_xml_parse_char_device(node, VM_DEVICE_PARALLEL, error);
        if (xml_is_element(node, "vsock"))
                return parse_vsock(node, error);
        if (xml_is_element(node, "rng"))
                return parse_rng(node, error);
        if (xml_is_element(node, "hostdev"))
                return parse_hostdev(node, error);
        if (xml_is_element(node, "controller"))
                return domain_xml_parse_controller(node, error);
        if (xml_is_element(node, "channel"))
                return domain_xml_parse_channel(node, error);
        if (xml_is_element(node, "watchdog"))
                return domain_xml_parse_watchdog(node, error);
        if (xml_is_element(node, "tpm"))
                return domain_xml_parse_tpm(node, error);
        if (xml_is_element(node, "filesystem"))
                return domain_xml_parse_filesystem(node, error);
        if (xml_is_element(node, "memory"))
                return domain_xml_parse_memory_device(node, error);
        xml_fail_unsupported_element(error, node);
        return NULL;
}

/* ---- the domain ---- */

static bool parse_size_element(const xmlNode *node, uint64_t *ret, GError **error) {
        static const char *const attributes[] = { "unit", "dumpCore", NULL };
        g_autofree char *text = NULL, *unit = NULL;
        uint64_t scale;

        if (!xml_element_text(node, attributes, true, &text, error))
                return false;
        unit = xml_attr_value(node, "unit");
        if (!size_unit_scale(unit, &scale))
                return xml_fail_bad_value(error, node, "unit", unit,
                                          "expected b, bytes, KB, K, KiB, MB, M, MiB, GB, G, GiB, TB, T or TiB");
        if (!domain_xml_parse_size(text, unit, ret))
                return xml_fail_bad_value(error, node, "size", text,
                                          "expected a whole number that fits in 64 bits of bytes");
        if (*ret < VM_MEMORY_MIN) {
                g_autofree char *label = xml_element_label(node);
                return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                                "%s of %" PRIu64 " bytes is less than the minimum of 1 MiB", label, *ret);
        }
        return true;
}

static bool parse_vcpu(const xmlNode *node, VmConfig *config, GError **error) {
        static const char *const attributes[] = {"current", "placement", "cpuset", NULL};
        static const char *const placements[] = { "static", NULL };
        static const char *const rule = "expected a number from 1 to " G_STRINGIFY(VM_VCPUS_MAX);
        g_autofree char *text = NULL, *current = NULL, *cpuset = NULL;
        uint64_t max_vcpus, vcpus;
        int choice;

        if (!xml_element_text(node, attributes, true, &text, error) ||
            !xml_attr_choice(node, "placement", placements, 0, &choice, error))
                return false;
        if (!parse_decimal(text, &max_vcpus) || max_vcpus < 1 || max_vcpus > VM_VCPUS_MAX)
                return xml_fail_bad_value(error, node, "vCPU count", text, rule);
        vcpus = max_vcpus;
        current = xml_attr_value(node, "current");
        if (current) {
                g_strstrip(current);
                if (!parse_decimal(current, &vcpus) || vcpus < 1 || vcpus > VM_VCPUS_MAX)
                        return xml_fail_bad_value(error, node, "current vCPU count", current, rule);
                if (vcpus > max_vcpus)
                        return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                                        "current='%" PRIu64 "' of '<vcpu>' is more than the maximum of %" PRIu64,
                                        vcpus, max_vcpus);
        }
        /* The host CPUs QEMU runs on, in libvirt's syntax ("0-3,^2,8"); checked against the
         * host at Boot, where the VM runs. */
        cpuset = xml_attr_value(node, "cpuset");
        if (cpuset && !domain_xml_parse_id_set(cpuset, VM_HOST_CPUS_MAX, config->cpuset, VM_HOST_CPU_WORDS))
                return xml_fail_bad_value(error, node, "cpuset", cpuset,
                                          "expected host CPUs below " G_STRINGIFY(
                                                  VM_HOST_CPUS_MAX) " in libvirt's syntax, such as '0-3,^2'");
        config->vcpus = (unsigned) vcpus;
        config->max_vcpus = (unsigned) max_vcpus;
        return true;
}

enum {
        OS_TYPE,
        OS_LOADER,
        OS_KERNEL,
        OS_INITRD,
        OS_CMDLINE,
        OS_BOOT,
        OS_BOOTMENU,
        OS_NVRAM,
        OS_BIOS,
        OS_ACPI,
        OS_FIRMWARE,
        OS_SMBIOS,
        _OS_CHILD_MAX
};
static const char *const os_children[] = {
        [OS_TYPE] = "type",     [OS_LOADER] = "loader",   [OS_KERNEL] = "kernel",
        [OS_INITRD] = "initrd", [OS_CMDLINE] = "cmdline", [OS_BOOT] = "boot",
        [OS_BOOTMENU] = "bootmenu", [OS_NVRAM] = "nvram", [OS_BIOS] = "bios",
        [OS_ACPI] = "acpi",     [OS_FIRMWARE] = "firmware", [OS_SMBIOS] = "smbios", NULL,
};

static bool parse_firmware_element(const xmlNode *node, const DomainXmlPaths *paths, const char *const *attributes,
                                   char **ret, GError **error) {
        g_autofree char *name = NULL;

        if (!node)
                return true;
        if (!xml_element_text(node, attributes, false, &name, error))
                return false;
        *ret = resolve_firmware_path(name, paths, node, error);
        return *ret != NULL;
}

/* <loader>: a path, or none when <os firmware> has the engine choose one (its attributes then
 * say what the choice must be). */
static bool parse_loader(const xmlNode *os, const xmlNode *node, const DomainXmlPaths *paths, char **ret,
                         GError **error) {
        g_autofree char *text = NULL, *firmware = xml_attr_value(os, "firmware");

        if (!node)
                return true;
        if (!xml_element_text(node, domain_xml_loader_attributes, true, &text, error))
                return false;
        if (!*text && !firmware)
                return xml_fail(error, node, HV_ERROR_INVALID_XML,
                                "'<loader>' needs a path when '<os>' has no firmware='efi' or 'bios' to choose one");
        if (!*text)
                return true;
        return parse_firmware_element(node, paths, domain_xml_loader_attributes, ret, error);
}

static bool parse_os(const xmlNode *node, VmConfig *config, const DomainXmlPaths *paths, GError **error) {
        static const char *const type_attributes[] = { "arch", "machine", NULL };
        static const char *const os_types[] = { "hvm", NULL };
        static const char *const arches[] = { "x86_64", "i686", NULL };
        g_autofree char *os_type = NULL, *machine = NULL;
        xmlNode *c[_OS_CHILD_MAX] = {};
        int choice;

        static const char *const os_attributes[] = { "firmware", NULL };

        if (!xml_check_attributes(node, os_attributes, error) ||
            !xml_collect_children_repeatable(node, os_children, c, domain_xml_os_platform_children, error))
                return false;
        if (!c[OS_TYPE])
                return xml_fail_missing(error, node, "type");
        config->lines.os_type = xml_line(c[OS_TYPE]);
        if (!xml_element_text(c[OS_TYPE], type_attributes, true, &os_type, error) ||
            !xml_attr_choice(c[OS_TYPE], "arch", arches, 0, &choice, error))
                return false;
        if (xml_lookup_name(os_types, os_type) < 0)
                return xml_fail_unsupported_value(error, c[OS_TYPE], NULL, os_type);
        config->arch = g_strdup(arches[choice]);
        machine = xml_attr_value(c[OS_TYPE], "machine");
        if (machine) {
                /* It ends up in -machine, where a comma would add options. */
                if (!token_is_valid(machine, TOKEN_MAX))
                        return xml_fail_bad_value(error, c[OS_TYPE], "machine type", machine,
                                                  "1 to 64 characters from [A-Za-z0-9_.-]");
                config->machine = g_steal_pointer(&machine);
        }

        if (!parse_loader(node, c[OS_LOADER], paths, &config->loader, error) ||
            !parse_firmware_element(c[OS_KERNEL], paths, NULL, &config->kernel, error) ||
            !parse_firmware_element(c[OS_INITRD], paths, NULL, &config->initrd, error) ||
            !domain_xml_parse_os_platform(node, c[OS_LOADER], &config->platform, error))
                return false;
        if (c[OS_CMDLINE] && !xml_element_text(c[OS_CMDLINE], NULL, false, &config->cmdline, error))
                return false;
        if (c[OS_SMBIOS] && !domain_xml_parse_os_smbios(c[OS_SMBIOS], config, error))
                return false;
        if (!config->kernel && c[OS_INITRD])
                return xml_fail(error, c[OS_INITRD], HV_ERROR_INVALID_XML, "'<initrd>' needs a '<kernel>'");
        if (!config->kernel && c[OS_CMDLINE])
                return xml_fail(error, c[OS_CMDLINE], HV_ERROR_INVALID_XML, "'<cmdline>' needs a '<kernel>'");
        return true;
}

static bool parse_action(const xmlNode *node, VmLifecycleAction *ret, GError **error) {
        g_autofree char *text = NULL;
        int found;

        if (!node)
                return true;
        if (!xml_element_text(node, NULL, true, &text, error))
                return false;
        found = xml_lookup_name(domain_xml_action_names, text);
        if (found < 0)
                return xml_fail_unsupported_value(error, node, NULL, text);
        *ret = found;
        return true;
}

/* The children of <metadata>, each serialised on its own so that a namespace declared
 * further up (on <domain>) is declared again where it is used: the text must stand alone. */
static bool parse_metadata(const xmlNode *node, VmConfig *config, GError **error) {
        g_autoptr(xmlBuffer) buffer = xmlBufferCreate();

        if (!xml_check_attributes(node, NULL, error))
                return false;
        for (xmlNode *child = node->children; child; child = child->next) {
                if (child->type == XML_ELEMENT_NODE) {
                        g_autoptr(xmlNode) copy = xmlDocCopyNode(child, node->doc, 1);
                        if (!copy)
                                return xml_fail(error, child, HV_ERROR_INVALID_XML, "cannot copy '<metadata>'");
                        xmlNodeDump(buffer, node->doc, copy, 0, 0);
                } else
                        xmlNodeDump(buffer, node->doc, child, 0, 0);
        }
        config->metadata = g_strdup((const char *) xmlBufferContent(buffer));
        return true;
}

/* What must be unique among a definition's devices, as sets: one look-up per device. */
typedef struct {
        GHashTable *ids;          /* device ids (aliases), to their devices */
        GHashTable *disk_targets; /* <target dev> of the disks */
        GHashTable *host_devices; /* "DDDD:BB:SS.F", the mdev's UUID, "USB B.D", "SCSI H:B:T:U" of the <hostdev>s (owned) */
        bool has_vsock;
        bool has_tpm;
} DeviceKeys;

static bool check_unique_device(DeviceKeys *keys, VmDevice *device, const xmlNode *node, GError **error) {
        const VmDevice *same_id = device->id ? g_hash_table_lookup(keys->ids, device->id) : NULL;

        /* A console of type serial is its serial port, and a running domain's XML gives both
         * the port's alias ("serial0"): it names that port, not a device of its own. */
        if (same_id && same_id->kind == VM_DEVICE_SERIAL && device->kind == VM_DEVICE_CONSOLE &&
            device->chr.target.type == VM_CHAR_TARGET_SERIAL) {
                g_clear_pointer(&device->id, g_free);
                same_id = NULL;
        }
        if (same_id)
                return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT, "device alias '%s' is used twice",
                                device->id);
        if (device->id)
                g_hash_table_insert(keys->ids, device->id, device);
        if (device->kind == VM_DEVICE_DISK && !g_hash_table_add(keys->disk_targets, device->disk.target_dev))
                return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT, "disk target '%s' is used twice",
                                device->disk.target_dev);
        if (device->kind == VM_DEVICE_HOSTDEV) {
                const VmHostdev *hostdev = &device->hostdev;
                char *host;
                if (hostdev->type == VM_HOSTDEV_MDEV)
                        host = g_strdup(hostdev->uuid);
                else if (hostdev->type == VM_HOSTDEV_USB)
                        host = g_strdup_printf("USB %" PRIu32 ".%" PRIu32, hostdev->usb_bus, hostdev->usb_device);
                else if (hostdev->type == VM_HOSTDEV_SCSI && hostdev->scsi_iscsi)
                        host = g_strdup_printf("iSCSI %s on %s", hostdev->scsi_iscsi->name,
                                               hostdev->scsi_iscsi->n_hosts && hostdev->scsi_iscsi->hosts[0].name
                                                       ? hostdev->scsi_iscsi->hosts[0].name
                                                       : "");
                else if (hostdev->type == VM_HOSTDEV_SCSI)
                        host = g_strdup_printf("SCSI %" PRIu32 ":%" PRIu32 ":%" PRIu32 ":%" PRIu64, hostdev->scsi_host,
                                               hostdev->scsi_bus, hostdev->scsi_target, hostdev->scsi_unit);
                else
                        host = g_strdup_printf("%04x:%02x:%02x.%x", hostdev->domain, hostdev->bus, hostdev->slot,
                                               hostdev->function);
                if (g_hash_table_contains(keys->host_devices, host)) {
                        xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT, "host device %s is given twice", host);
                        g_free(host);
                        return false;
                }
                g_hash_table_add(keys->host_devices, host);
        }
        if (device->kind == VM_DEVICE_VSOCK) {
                if (keys->has_vsock)
                        return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT, "a VM has at most one '<vsock>'");
                keys->has_vsock = true;
        }
        if (device->kind == VM_DEVICE_TPM) {
                if (keys->has_tpm)
                        return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED, "a VM has at most one '<tpm>'");
                keys->has_tpm = true;
        }
        return true;
}

/* The device elements in <devices> (all but <emulator>), counted before any is parsed. */
static bool check_device_count(const xmlNode *node, GError **error) {
        unsigned n = 0;

        for (const xmlNode *child = node->children; child; child = child->next)
                if (child->type == XML_ELEMENT_NODE && !xml_is_element(child, "emulator"))
                        n++;
        if (n > VM_DEVICES_MAX)
                return xml_fail(error, node, HV_ERROR_INVALID_XML,
                                "'<devices>' has %u devices, more than the limit of %u devices per definition", n,
                                (unsigned) VM_DEVICES_MAX);
        return true;
}

static bool parse_emulator(const xmlNode *node, VmConfig *config, GError **error) {
        g_autofree char *path = NULL;

        if (config->emulator)
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<emulator>' appears more than once in '<devices>'");
        if (!xml_element_text(node, NULL, false, &path, error))
                return false;
        /* An absolute path, or a program name to find in $PATH. */
        if (!*path || (!g_path_is_absolute(path) && strchr(path, '/')))
                return xml_fail_bad_value(error, node, "path", path, "expected an absolute path or a program name");
        config->emulator = g_steal_pointer(&path);
        return true;
}

static bool parse_memballoon(const xmlNode *node, VmConfig *config, bool *seen, GError **error) {
        if (*seen)
                return xml_fail(error, node, HV_ERROR_INVALID_XML,
                                "'<memballoon>' appears more than once in '<devices>'");
        *seen = true;
        return domain_xml_parse_memballoon(node, &config->memballoon, error);
}

/* Every child is read, also after one failed: each one's first problem goes to problems. */
static void parse_devices(const xmlNode *node, VmConfig *config, const DomainXmlPaths *paths, VmProblems *problems) {
        /* The sets point into the devices, which config owns and keeps while they live. */
        g_autoptr(GHashTable) ids = g_hash_table_new(g_str_hash, g_str_equal);
        g_autoptr(GHashTable) disk_targets = g_hash_table_new(g_str_hash, g_str_equal);
        g_autoptr(GHashTable) host_devices = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        DeviceKeys keys = { .ids = ids, .disk_targets = disk_targets, .host_devices = host_devices };
        bool has_memballoon = false;
        GError *error = NULL;

        if (!xml_check_attributes(node, NULL, &error) || !xml_check_element_content(node, &error) ||
            !check_device_count(node, &error)) {
                vm_problems_add_error(problems, error);
                return;
        }
        for (xmlNode *child = node->children; child; child = child->next) {
                g_autoptr(VmDevice) device = NULL;

                if (child->type != XML_ELEMENT_NODE)
                        continue;
                if (xml_is_element(child, "emulator")) {
                        config->lines.emulator = xml_line(child);
                        if (!parse_emulator(child, config, &error))
                                vm_problems_add_error(problems, g_steal_pointer(&error));
                        continue;
                }
                if (xml_is_element(child, "memballoon")) {
                        config->lines.memballoon = xml_line(child);
                        if (!parse_memballoon(child, config, &has_memballoon, &error))
                                vm_problems_add_error(problems, g_steal_pointer(&error));
                        continue;
                }
                if (xml_is_element(child, "iommu")) {
                        config->lines.iommu = xml_line(child);
                        if (!domain_xml_parse_iommu(child, &config->platform, &error))
                                vm_problems_add_error(problems, g_steal_pointer(&error));
                        continue;
                }
                if (xml_is_element(child, "panic")) {
                        config->lines.panic = xml_line(child);
                        if (!domain_xml_parse_panic(child, &config->panic, &error))
                                vm_problems_add_error(problems, g_steal_pointer(&error));
                        continue;
                }
                if (domain_xml_is_display_element(child)) {
                        if (!domain_xml_parse_display_element(child, vm_config_ensure_display(config), &error))
                                vm_problems_add_error(problems, g_steal_pointer(&error));
                        continue;
                }
                device = parse_device(child, paths, &error);
                if (!device || !check_unique_device(&keys, device, child, &error)) {
                        vm_problems_add_error(problems, g_steal_pointer(&error));
                        continue;
                }
                device->line = xml_line(child);
                g_ptr_array_add(config->devices, g_steal_pointer(&device));
        }
        /* A <video>'s alias is an id as those of the devices are. */
        for (unsigned i = 0; config->display && i < config->display->n_videos; i++) {
                const VmVideo *video = &config->display->videos[i];

                if (video->alias && !g_hash_table_add(keys.ids, video->alias))
                        vm_problems_add(problems, video->line, HV_ERROR_INVALID_ARGUMENT,
                                        "device alias '%s' is used twice", video->alias);
        }
        if (config->display && !domain_xml_finish_display(node, config->display, &error))
                vm_problems_add_error(problems, g_steal_pointer(&error));
        if (!domain_xml_assign_controller_indexes(config->devices, &error))
                vm_problems_add_error(problems, g_steal_pointer(&error));
}

enum {
        DOMAIN_NAME,
        DOMAIN_UUID,
        DOMAIN_TITLE,
        DOMAIN_DESCRIPTION,
        DOMAIN_METADATA,
        DOMAIN_MEMORY,
        DOMAIN_CURRENT_MEMORY,
        DOMAIN_MAX_MEMORY,
        DOMAIN_MEMORY_BACKING,
        DOMAIN_VCPU,
        DOMAIN_IOTHREADS,
        DOMAIN_IOTHREADIDS,
        DOMAIN_NUMATUNE,
        DOMAIN_OS,
        DOMAIN_FEATURES,
        DOMAIN_CPU,
        DOMAIN_CLOCK,
        DOMAIN_PM,
        DOMAIN_ON_POWEROFF,
        DOMAIN_ON_REBOOT,
        DOMAIN_ON_CRASH,
        DOMAIN_DEVICES,
        DOMAIN_GENID,
        _DOMAIN_CHILD_MAX
};
static const char *const domain_children[] = {
        [DOMAIN_NAME] = "name",
        [DOMAIN_UUID] = "uuid",
        [DOMAIN_TITLE] = "title",
        [DOMAIN_DESCRIPTION] = "description",
        [DOMAIN_METADATA] = "metadata",
        [DOMAIN_MEMORY] = "memory",
        [DOMAIN_CURRENT_MEMORY] = "currentMemory",
        [DOMAIN_MAX_MEMORY] = "maxMemory",
        [DOMAIN_MEMORY_BACKING] = "memoryBacking",
        [DOMAIN_VCPU] = "vcpu",
        [DOMAIN_IOTHREADS] = "iothreads",
        [DOMAIN_IOTHREADIDS] = "iothreadids",
        [DOMAIN_NUMATUNE] = "numatune",
        [DOMAIN_OS] = "os",
        [DOMAIN_FEATURES] = "features",
        [DOMAIN_CPU] = "cpu",
        [DOMAIN_CLOCK] = "clock",
        [DOMAIN_PM] = "pm",
        [DOMAIN_ON_POWEROFF] = "on_poweroff",
        [DOMAIN_ON_REBOOT] = "on_reboot",
        [DOMAIN_ON_CRASH] = "on_crash",
        [DOMAIN_DEVICES] = "devices",
        [DOMAIN_GENID] = "genid",
        NULL,
};

/* Why some <domain> children libvirt knows are refused; the others are refused naming them. */
static const struct {
        const char *name;
        const char *why;
} refused_domain_children[] = {
        {"resource", "it places a VM in a cgroup partition (libvirt writes '/machine' in a running domain's XML), "
                     "and the engines run in the service's own cgroup"},
        {"cputune", "CPU shares, quotas and pinning of its threads need a cgroup of the VM's own, and the engines "
                    "run in the service's; '<vcpu cpuset>' pins the whole VM"},
        {"memtune", "memory limits need a cgroup of the VM's own, and the engines run in the service's"},
        {"blkiotune", "I/O weights need a cgroup of the VM's own, and the engines run in the service's; a disk's "
                      "'<iotune>' limits its I/O"},
};

static void fail_unknown_domain_child(const xmlNode *child, GError **error) {
        for (size_t i = 0; i < G_N_ELEMENTS(refused_domain_children); i++)
                if (xml_is_element(child, refused_domain_children[i].name)) {
                        xml_fail(error, child, HV_ERROR_NOT_SUPPORTED, "'<%s>' in '<domain>' is not supported: %s",
                                 refused_domain_children[i].name, refused_domain_children[i].why);
                        return;
                }
        xml_fail_unsupported_element(error, child);
}

/* Like xml_collect_children(), but an unknown or repeated child is a problem and the rest
 * is still sorted. */
static void collect_domain_children(const xmlNode *root, xmlNode **slots, VmProblems *problems) {
        GError *error = NULL;

        if (!xml_check_element_content(root, &error)) {
                vm_problems_add_error(problems, error);
                return;
        }
        for (xmlNode *child = root->children; child; child = child->next) {
                size_t i;

                if (child->type != XML_ELEMENT_NODE)
                        continue;
                /* One of each type, or one of each model: parse_domain() reads them all. */
                if (xml_is_element(child, "sysinfo") || xml_is_element(child, "seclabel"))
                        continue;
                for (i = 0; domain_children[i]; i++)
                        if (xml_is_element(child, domain_children[i]))
                                break;
                if (!domain_children[i])
                        fail_unknown_domain_child(child, &error);
                else if (slots[i])
                        xml_fail(&error, child, HV_ERROR_INVALID_XML, "'<%s>' appears more than once in '<domain>'",
                                 domain_children[i]);
                else
                        slots[i] = child;
                if (error)
                        vm_problems_add_error(problems, g_steal_pointer(&error));
        }
}

static bool parse_name(const xmlNode *root, const xmlNode *node, VmConfig *config, GError **error) {
        if (!node)
                return xml_fail_missing(error, root, "name");
        if (!xml_element_text(node, NULL, false, &config->name, error))
                return false;
        if (!vm_name_is_valid(config->name))
                return xml_fail_bad_value(error, node, "name", config->name,
                                          "1 to 64 characters from [A-Za-z0-9_.+-], not starting with '.' or '-'");
        return true;
}

static bool parse_uuid(const xmlNode *node, VmConfig *config, GError **error) {
        g_autofree char *uuid = NULL;

        if (!node) {
                g_autofree char *random = g_uuid_string_random();
                g_strlcpy(config->uuid, random, sizeof(config->uuid));
                config->uuid_generated = true;
                return true;
        }
        if (!xml_element_text(node, NULL, true, &uuid, error))
                return false;
        if (!vm_uuid_is_valid(uuid))
                return xml_fail_bad_value(error, node, "UUID", uuid,
                                          "expected the form 4dea22b3-1d52-d8f3-2516-782e98ab3fa0");
        g_strlcpy(config->uuid, uuid, sizeof(config->uuid));
        for (char *p = config->uuid; *p; p++)
                *p = g_ascii_tolower(*p);
        return true;
}

static bool parse_memory(const xmlNode *root, xmlNode **c, VmConfig *config, GError **error) {
        static const char *const switches[] = { "on", "off", NULL };
        g_autofree char *dump_core = NULL, *current_dump_core = NULL;
        int choice;

        if (!c[DOMAIN_MEMORY])
                return xml_fail_missing(error, root, "memory");
        if (!parse_size_element(c[DOMAIN_MEMORY], &config->memory, error))
                return false;
        /* dumpCore: whether the guest's memory is in QEMU's core dumps (-machine dump-guest-core). */
        dump_core = xml_attr_value(c[DOMAIN_MEMORY], "dumpCore");
        if (dump_core) {
                if (!xml_attr_choice(c[DOMAIN_MEMORY], "dumpCore", switches, -1, &choice, error))
                        return false;
                config->platform.dump_core = choice == 0 ? VM_SWITCH_ON : VM_SWITCH_OFF;
        }
        config->current_memory = config->memory;
        if (!c[DOMAIN_CURRENT_MEMORY])
                return true;
        current_dump_core = xml_attr_value(c[DOMAIN_CURRENT_MEMORY], "dumpCore");
        if (current_dump_core)
                return xml_fail_unsupported_value(error, c[DOMAIN_CURRENT_MEMORY], "dumpCore", current_dump_core);
        if (!parse_size_element(c[DOMAIN_CURRENT_MEMORY], &config->current_memory, error))
                return false;
        if (config->current_memory > config->memory)
                return xml_fail(error, c[DOMAIN_CURRENT_MEMORY], HV_ERROR_INVALID_ARGUMENT,
                                "'<currentMemory>' (%" PRIu64 " bytes) is more than '<memory>' (%" PRIu64 " bytes)",
                                config->current_memory, config->memory);
        return true;
}

/* <maxMemory slots unit>: the most memory the guest may have with memory plugged into its
 * slots, at least <memory> (libvirt's rule); QEMU has at most 256 slots. */
static bool parse_max_memory(const xmlNode *node, VmConfig *config, GError **error) {
        static const char *const attributes[] = { "unit", "slots", NULL };
        g_autofree char *text = NULL, *unit = NULL, *slots = NULL;
        uint64_t number;

        if (!xml_element_text(node, attributes, true, &text, error))
                return false;
        unit = xml_attr_value(node, "unit");
        if (!domain_xml_parse_size(text, unit, &config->max_memory) || config->max_memory < VM_MEMORY_MIN)
                return xml_fail_bad_value(error, node, "size", text,
                                          "expected a whole number of at least 1 MiB, in KiB or the 'unit' given");
        slots = xml_attr_value(node, "slots");
        if (!slots)
                return xml_fail(error, node, HV_ERROR_INVALID_XML,
                                "'<maxMemory>' needs the attribute 'slots' (the memory slots of the guest)");
        if (!parse_decimal(slots, &number) || number < 1 || number > VM_MEMORY_SLOTS_MAX)
                return xml_fail_bad_value(error, node, "slots", slots,
                                          "expected a number from 1 to " G_STRINGIFY(VM_MEMORY_SLOTS_MAX));
        config->memory_slots = (unsigned) number;
        if (config->max_memory < config->memory)
                return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                                "'<maxMemory>' (%" PRIu64 " bytes) is less than '<memory>' (%" PRIu64 " bytes)",
                                config->max_memory, config->memory);
        return true;
}

/* Without a balloon (<memballoon model='none'>) nothing can hold memory back from the guest:
 * it has all of <memory> from the start, and <currentMemory> says so, as libvirt makes it
 * once the VM runs (qemuProcessRefreshBalloonState). */
static void current_memory_without_balloon(VmConfig *config) {
        if (config->memballoon.model == VM_MEMBALLOON_NONE)
                config->current_memory = config->memory;
}

/* Where the elements the engines' checks name are (VmLines). */
static void set_lines(const xmlNode *root, xmlNode **c, VmConfig *config) {
        VmLines *lines = &config->lines;

        lines->domain = xml_line(root);
        lines->os = xml_line(c[DOMAIN_OS]);
        lines->cpu = xml_line(c[DOMAIN_CPU]);
        lines->features = xml_line(c[DOMAIN_FEATURES]);
        lines->clock = xml_line(c[DOMAIN_CLOCK]);
        lines->pm = xml_line(c[DOMAIN_PM]);
        lines->memory_backing = xml_line(c[DOMAIN_MEMORY_BACKING]);
        lines->numatune = xml_line(c[DOMAIN_NUMATUNE]);
        lines->iothreads = xml_line(c[DOMAIN_IOTHREADS] ? c[DOMAIN_IOTHREADS] : c[DOMAIN_IOTHREADIDS]);
        lines->memory = xml_line(c[DOMAIN_MEMORY]);
        lines->max_memory = xml_line(c[DOMAIN_MAX_MEMORY]);
        lines->genid = xml_line(c[DOMAIN_GENID]);
}

/* What could be read: NULL (with error) only when root is no <domain>. */
static VmConfig *parse_domain(const xmlNode *root, const DomainXmlPaths *paths, VmProblems *problems, GError **error) {
        /* id: the number libvirt gives a running domain, in what `virsh dumpxml` prints of
         * one; libvirt's define reads past it, and so does this (a VM's identity is its
         * name and UUID). */
        static const char *const attributes[] = { "type", "id", NULL };
        g_autoptr(VmConfig) config = vm_config_new();
        xmlNode *c[_DOMAIN_CHILD_MAX] = {};
        GError *e = NULL;
        int choice;

        if (!xml_is_element(root, "domain")) {
                g_autofree char *label = xml_element_label(root);
                xml_fail(error, root, HV_ERROR_INVALID_XML, "expected a '<domain>', not %s", label);
                return NULL;
        }
        if (!xml_check_attributes(root, attributes, &e) ||
            !xml_attr_choice(root, "type", domain_xml_domain_type_names, -1, &choice, &e))
                vm_problems_add_error(problems, g_steal_pointer(&e));
        else
                config->type = choice;
        g_autofree char *id = xml_attr_value(root, "id");
        if (id)
                vm_problems_set_note(problems, "the document is a running domain's XML, with what libvirt gave it at "
                                               "start; 'virsh dumpxml --inactive' prints its definition");
        collect_domain_children(root, c, problems);
        set_lines(root, c, config);

        if (!parse_name(root, c[DOMAIN_NAME], config, &e))
                vm_problems_add_error(problems, g_steal_pointer(&e));
        if (!parse_uuid(c[DOMAIN_UUID], config, &e))
                vm_problems_add_error(problems, g_steal_pointer(&e));
        if (c[DOMAIN_GENID] && !domain_xml_parse_genid(c[DOMAIN_GENID], &config->platform, &e))
                vm_problems_add_error(problems, g_steal_pointer(&e));
        for (const xmlNode *child = root->children; child; child = child->next)
                if (xml_is_element(child, "sysinfo") && !domain_xml_parse_sysinfo(child, config, &e))
                        vm_problems_add_error(problems, g_steal_pointer(&e));
        if (c[DOMAIN_TITLE] && !xml_element_text(c[DOMAIN_TITLE], NULL, false, &config->title, &e))
                vm_problems_add_error(problems, g_steal_pointer(&e));
        if (c[DOMAIN_DESCRIPTION] && !xml_element_text(c[DOMAIN_DESCRIPTION], NULL, false, &config->description, &e))
                vm_problems_add_error(problems, g_steal_pointer(&e));
        if (c[DOMAIN_METADATA] && !parse_metadata(c[DOMAIN_METADATA], config, &e))
                vm_problems_add_error(problems, g_steal_pointer(&e));
        bool memory_ok = parse_memory(root, c, config, &e);
        if (!memory_ok)
                vm_problems_add_error(problems, g_steal_pointer(&e));
        uint64_t current_written = config->current_memory;
        if (memory_ok && c[DOMAIN_MAX_MEMORY] && !parse_max_memory(c[DOMAIN_MAX_MEMORY], config, &e))
                vm_problems_add_error(problems, g_steal_pointer(&e));
        bool vcpu_ok = !c[DOMAIN_VCPU] || parse_vcpu(c[DOMAIN_VCPU], config, &e);
        if (!vcpu_ok)
                vm_problems_add_error(problems, g_steal_pointer(&e));
        if (!domain_xml_parse_iothreads(c[DOMAIN_IOTHREADS], c[DOMAIN_IOTHREADIDS], config, &e))
                vm_problems_add_error(problems, g_steal_pointer(&e));
        if (!c[DOMAIN_OS])
                xml_fail_missing(&e, root, "os");
        else if (parse_os(c[DOMAIN_OS], config, paths, &e))
                (void) domain_xml_check_sysinfo(c[DOMAIN_OS], config, &e);
        if (e)
                vm_problems_add_error(problems, g_steal_pointer(&e));
        if (c[DOMAIN_FEATURES] && !domain_xml_parse_features(c[DOMAIN_FEATURES], &config->platform, &e))
                vm_problems_add_error(problems, g_steal_pointer(&e));
        /* <cpu><topology> is checked against <vcpu>: only once that was read. */
        if (vcpu_ok && c[DOMAIN_CPU] && !domain_xml_parse_cpu(c[DOMAIN_CPU], config, &e))
                vm_problems_add_error(problems, g_steal_pointer(&e));
        /* <memoryBacking><page nodeset> names NUMA cells of <cpu>: after it. */
        if (c[DOMAIN_MEMORY_BACKING] &&
            !domain_xml_parse_memory_backing(c[DOMAIN_MEMORY_BACKING], &config->platform, &e))
                vm_problems_add_error(problems, g_steal_pointer(&e));
        if (c[DOMAIN_NUMATUNE] && !domain_xml_parse_numatune(c[DOMAIN_NUMATUNE], &config->platform, &e))
                vm_problems_add_error(problems, g_steal_pointer(&e));
        if (c[DOMAIN_CLOCK] && !domain_xml_parse_clock(c[DOMAIN_CLOCK], &config->platform, &e))
                vm_problems_add_error(problems, g_steal_pointer(&e));
        if (c[DOMAIN_PM] && !domain_xml_parse_pm(c[DOMAIN_PM], &config->platform, &e))
                vm_problems_add_error(problems, g_steal_pointer(&e));
        if (!parse_action(c[DOMAIN_ON_POWEROFF], &config->on_poweroff, &e))
                vm_problems_add_error(problems, g_steal_pointer(&e));
        if (!parse_action(c[DOMAIN_ON_REBOOT], &config->on_reboot, &e))
                vm_problems_add_error(problems, g_steal_pointer(&e));
        if (!parse_action(c[DOMAIN_ON_CRASH], &config->on_crash, &e))
                vm_problems_add_error(problems, g_steal_pointer(&e));
        if (c[DOMAIN_DEVICES])
                parse_devices(c[DOMAIN_DEVICES], config, paths, problems);
        vm_config_assign_scsi_hostdev_addresses(config);
        /* As libvirt counts it with NUMA cells: <memory> is the cells' and the memory devices' sum. */
        if (config->platform.cpu.n_numa > 0 && vm_config_find_kind(config, VM_DEVICE_MEMORY)) {
                for (guint i = 0; i < config->devices->len; i++) {
                        const VmDevice *device = config->devices->pdata[i];
                        if (device->kind == VM_DEVICE_MEMORY)
                                config->memory += device->mem.size;
                }
                config->current_memory = MIN(current_written, config->memory);
        }
        /* libvirt takes one <seclabel> per security model: each is read (a running domain's XML has
         * one of each model, every one refused with its reason); of the one this keeps, one. */
        bool seclabel_read = false;
        for (const xmlNode *child = root->children; child; child = child->next) {
                if (!xml_is_element(child, "seclabel"))
                        continue;
                if (!domain_xml_parse_seclabel(child, &config->seclabel, &e))
                        vm_problems_add_error(problems, g_steal_pointer(&e));
                else if (seclabel_read)
                        vm_problems_add(problems, xml_line(child), HV_ERROR_INVALID_XML,
                                        "'<seclabel type='none'>' appears more than once in '<domain>'");
                else
                        seclabel_read = true;
        }
        current_memory_without_balloon(config);

        if (!vm_problems_is_empty(problems))
                vm_problems_set_config_partial(problems);
        vm_config_assign_device_ids(config);
        return g_steal_pointer(&config);
}

VmConfig *domain_xml_parse(const char *xml, size_t length, const DomainXmlPaths *paths, GError **error) {
        g_autoptr(VmProblems) problems = vm_problems_new();
        g_autoptr(VmConfig) config = domain_xml_read(xml, length, paths, problems, error);

        if (!config || !vm_problems_report(problems, error))
                return NULL;
        return g_steal_pointer(&config);
}

VmConfig *domain_xml_read(const char *xml, size_t length, const DomainXmlPaths *paths, VmProblems *problems,
                          GError **error) {
        g_autoptr(xmlDoc) doc = NULL;

        g_return_val_if_fail(xml || length == 0, NULL);

        doc = xml_read_document(xml, length, DOMAIN_XML_MAX_SIZE, error);
        if (!doc)
                return NULL;
        return parse_domain(xmlDocGetRootElement(doc), paths, problems, error);
}

VmDevice *domain_xml_parse_device(const char *xml, size_t length, const DomainXmlPaths *paths, GError **error) {
        g_autoptr(xmlDoc) doc = NULL;
        VmDevice *device;

        g_return_val_if_fail(xml || length == 0, NULL);

        doc = xml_read_document(xml, length, DOMAIN_XML_MAX_SIZE, error);
        if (!doc)
                return NULL;
        device = parse_device(xmlDocGetRootElement(doc), paths, error);
        if (device && device->kind == VM_DEVICE_CONTROLLER) {
                /* Alone, a controller without index is the first of its type. */
                g_autoptr(GPtrArray) alone = g_ptr_array_new();
                g_ptr_array_add(alone, device);
                (void) domain_xml_assign_controller_indexes(alone, NULL);
        }
        return device;
}
