/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <filesystem>, as virt-install --filesystem and virsh dumpxml write it:
 *
 *   <filesystem type='mount' accessmode='mapped'>
 *     <source dir='/srv/share'/>
 *     <target dir='share0'/>
 *   </filesystem>
 *
 * Without <driver type='virtiofs'/>, libvirt's QEMU driver exports the folder over virtio-9p
 * (QEMU's -fsdev local and virtio-9p-pci), and so does the engine here. QEMU opens the folder
 * as the VM's owner; the service never touches it. virtiofs needs a virtiofsd per VM, with
 * privileges the service does not give an owner's process: refused, naming why.
 *
 * Defaults as libvirt: type='mount', accessmode='passthrough'. fmode and dmode are octal
 * creation modes that QEMU honours in the mapped mode only; multidevs and <driver
 * wrpolicy='immediate'> are QEMU's options.
 */

#include <string.h>

#include "domain-xml-devices.h"
#include "domain-xml-filesystem.h"
#include "domain-xml-private.h"
#include "domain-xml-reader.h"
#include "domain-xml-writer.h"

/* QEMU's virtio-9p refuses a longer mount tag ("longer than maximum (31 bytes)"). */
#define MOUNT_TAG_MAX 31

static const char *const access_names[] = {
        [VM_FS_ACCESS_PASSTHROUGH] = "passthrough",
        [VM_FS_ACCESS_MAPPED] = "mapped",
        [VM_FS_ACCESS_SQUASH] = "squash",
        NULL,
};
static const char *const multidevs_names[] = {
        [VM_FS_MULTIDEVS_DEFAULT] = "default",
        [VM_FS_MULTIDEVS_REMAP] = "remap",
        [VM_FS_MULTIDEVS_FORBID] = "forbid",
        [VM_FS_MULTIDEVS_WARN] = "warn",
        NULL,
};

enum { FS_DRIVER, FS_SOURCE, FS_TARGET, FS_READONLY, FS_ALIAS, FS_ADDRESS, _FS_CHILD_MAX };
static const char *const fs_children[] = {
        [FS_DRIVER] = "driver",
        [FS_SOURCE] = "source",
        [FS_TARGET] = "target",
        [FS_READONLY] = "readonly",
        [FS_ALIAS] = "alias",
        [FS_ADDRESS] = "address",
        NULL,
};

static bool parse_type(const xmlNode *node, GError **error) {
        g_autofree char *type = xml_attr_value(node, "type");

        if (!type || strcmp(type, "mount") == 0)
                return true;
        return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                        "type='%s' of '<filesystem>' is not supported: only type='mount' (a host folder) is; "
                        "file, block, ram, bind, template and volume are not",
                        type);
}

/* <driver type='path' [wrpolicy='immediate']/> is what the engine does (wrpolicy as QEMU's
 * writeout=immediate: each write reaches the host's disk before the guest is answered);
 * virtiofs and the others are refused. */
static bool parse_driver(const xmlNode *driver, VmFilesystem *fs, GError **error) {
        static const char *const attributes[] = {"type", "wrpolicy", NULL};
        static const char *const policies[] = {"default", "immediate", NULL};
        g_autofree char *type = NULL;
        int policy;

        if (!driver)
                return true;
        type = xml_attr_value(driver, "type");
        if (type && strcmp(type, "virtiofs") == 0)
                return xml_fail(error, driver, HV_ERROR_NOT_SUPPORTED,
                                "'<driver type='virtiofs'>' of a '<filesystem>' is not supported: it needs a "
                                "virtiofsd process per VM with privileges the service does not give an owner's "
                                "process; leave out the <driver> for a virtio-9p share");
        if (type && strcmp(type, "path") != 0)
                return xml_fail_unsupported_value(error, driver, "type", type);
        if (!xml_check_attributes(driver, attributes, error) ||
            !xml_attr_choice(driver, "wrpolicy", policies, 0, &policy, error) ||
            !xml_collect_children(driver, NULL, NULL, error))
                return false;
        fs->write_immediate = policy == 1;
        return true;
}

/* fmode and dmode: octal, at most 0777. */
static bool parse_mode(const xmlNode *node, const char *attribute, unsigned *ret, GError **error) {
        g_autofree char *text = xml_attr_value(node, attribute);
        guint64 value;

        *ret = 0;
        if (!text)
                return true;
        if (!g_ascii_string_to_unsigned(text, 8, 0, 0777, &value, NULL))
                return xml_fail_bad_value(error, node, attribute, text, "expected an octal mode from 0 to 0777");
        *ret = (unsigned) value;
        return true;
}

static bool parse_source(const xmlNode *source, VmFilesystem *fs, GError **error) {
        static const char *const attributes[] = {"dir", NULL};

        if (!xml_check_empty_element(source, attributes, error))
                return false;
        fs->source = xml_attr_value(source, "dir");
        if (!fs->source)
                return xml_fail(error, source, HV_ERROR_INVALID_XML, "'<source>' of a '<filesystem>' needs dir=");
        if (!g_path_is_absolute(fs->source))
                return xml_fail_bad_value(error, source, "dir", fs->source, "must be an absolute path");
        return true;
}

static bool parse_target(const xmlNode *target, VmFilesystem *fs, GError **error) {
        static const char *const attributes[] = {"dir", NULL};

        if (!xml_check_empty_element(target, attributes, error))
                return false;
        fs->target = xml_attr_value(target, "dir");
        if (!fs->target)
                return xml_fail(error, target, HV_ERROR_INVALID_XML, "'<target>' of a '<filesystem>' needs dir=");
        if (!fs->target[0] || strlen(fs->target) > MOUNT_TAG_MAX)
                return xml_fail_bad_value(error, target, "mount tag", fs->target,
                                          "expected 1 to " G_STRINGIFY(MOUNT_TAG_MAX) " bytes (QEMU's limit)");
        return true;
}

VmDevice *domain_xml_parse_filesystem(const xmlNode *node, GError **error) {
        static const char *const attributes[] = {"type", "accessmode", "model", "multidevs", "fmode", "dmode", NULL};
        static const char *const models[] = {"virtio", NULL};
        g_autoptr(VmDevice) device = vm_device_new(VM_DEVICE_FILESYSTEM);
        VmFilesystem *fs = &device->fs;
        xmlNode *c[_FS_CHILD_MAX] = {};
        int access, multidevs, model;

        if (!xml_check_attributes(node, attributes, error) || !parse_type(node, error) ||
            !xml_attr_choice(node, "accessmode", access_names, VM_FS_ACCESS_PASSTHROUGH, &access, error) ||
            !xml_attr_choice(node, "multidevs", multidevs_names, VM_FS_MULTIDEVS_DEFAULT, &multidevs, error) ||
            !xml_attr_choice(node, "model", models, 0, &model, error) ||
            !parse_mode(node, "fmode", &fs->fmode, error) || !parse_mode(node, "dmode", &fs->dmode, error) ||
            !xml_collect_children(node, fs_children, c, error))
                return NULL;
        fs->access = access;
        fs->multidevs = multidevs;
        if ((fs->fmode || fs->dmode) && fs->access != VM_FS_ACCESS_MAPPED) {
                xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                         "fmode and dmode of '<filesystem>' need accessmode='mapped' (QEMU keeps the modes it "
                         "creates files with in the mapped mode only)");
                return NULL;
        }
        if (!parse_driver(c[FS_DRIVER], fs, error))
                return NULL;
        if (!c[FS_SOURCE]) {
                xml_fail_missing(error, node, "source");
                return NULL;
        }
        if (!c[FS_TARGET]) {
                xml_fail_missing(error, node, "target");
                return NULL;
        }
        if (!parse_source(c[FS_SOURCE], fs, error) || !parse_target(c[FS_TARGET], fs, error))
                return NULL;
        if (c[FS_READONLY]) {
                if (!xml_check_empty_element(c[FS_READONLY], NULL, error))
                        return NULL;
                fs->readonly = true;
        }
        if (c[FS_ADDRESS]) {
                if (!domain_xml_parse_address(c[FS_ADDRESS], &device->address, error))
                        return NULL;
                if (device->address.type != VM_ADDRESS_PCI) {
                        g_autofree char *type = xml_attr_value(c[FS_ADDRESS], "type");
                        xml_fail_unsupported_value(error, c[FS_ADDRESS], "type", type);
                        return NULL;
                }
        }
        if (!domain_xml_parse_alias(c[FS_ALIAS], device, error))
                return NULL;
        return g_steal_pointer(&device);
}

static void append_dir(GString *out, unsigned level, const char *element, const char *dir) {
        domain_xml_append_indent(out, level);
        g_string_append_printf(out, "<%s", element);
        domain_xml_append_attr(out, "dir", dir);
        g_string_append(out, "/>\n");
}

void domain_xml_format_filesystem(GString *out, unsigned level, const VmFilesystem *fs) {
        g_string_append_printf(out, " type='mount' accessmode='%s'", access_names[fs->access]);
        if (fs->fmode)
                g_string_append_printf(out, " fmode='%04o'", fs->fmode);
        if (fs->dmode)
                g_string_append_printf(out, " dmode='%04o'", fs->dmode);
        if (fs->multidevs != VM_FS_MULTIDEVS_DEFAULT)
                g_string_append_printf(out, " multidevs='%s'", multidevs_names[fs->multidevs]);
        g_string_append(out, ">\n");
        if (fs->write_immediate) {
                for (unsigned i = 0; i < level + 1; i++)
                        g_string_append(out, "  ");
                g_string_append(out, "<driver type='path' wrpolicy='immediate'/>\n");
        }
        append_dir(out, level + 1, "source", fs->source);
        append_dir(out, level + 1, "target", fs->target);
        if (fs->readonly) {
                for (unsigned i = 0; i < level + 1; i++)
                        g_string_append(out, "  ");
                g_string_append(out, "<readonly/>\n");
        }
}
