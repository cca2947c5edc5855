/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <filesystem> (service/domain-xml-filesystem.c): what virt-install and virsh dumpxml write is
 * read with libvirt's defaults, GetXML's text defines again unchanged and is valid for libvirt's
 * schema, and what a virtio-9p export cannot give (virtiofs, other types) is refused naming it.
 */

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "domain-xml-test-util.h"
#include "domain-xml.h"
#include "hv-error.h"

static const VmDevice *only_fs(const VmConfig *config) {
        g_assert_cmpuint(config->devices->len, ==, 1);
        const VmDevice *device = config->devices->pdata[0];
        g_assert_cmpint(device->kind, ==, VM_DEVICE_FILESYSTEM);
        return device;
}

/* virt-install's, virsh dumpxml's (alias, address) and libvirt's defaults. */
static void test_parse(void) {
        static const struct {
                const char *xml;
                VmFsAccessMode access;
                const char *source, *target, *id;
                bool readonly;
                unsigned fmode, dmode;
                VmFsMultidevs multidevs;
        } table[] = {
                {"<filesystem type='mount' accessmode='mapped'><source dir='/srv/share'/><target dir='share0'/>"
                 "</filesystem>",
                 VM_FS_ACCESS_MAPPED, "/srv/share", "share0", "fs0", false, 0, 0, VM_FS_MULTIDEVS_DEFAULT},
                {"<filesystem type='mount' accessmode='mapped'><source dir='/srv/share'/><target dir='share0'/>"
                 "<alias name='fs0'/><address type='pci' domain='0x0000' bus='0x02' slot='0x00' function='0x0'/>"
                 "</filesystem>",
                 VM_FS_ACCESS_MAPPED, "/srv/share", "share0", "fs0", false, 0, 0, VM_FS_MULTIDEVS_DEFAULT},
                /* libvirt's defaults: type='mount', accessmode='passthrough'. */
                {"<filesystem><source dir='/home/u/a,b'/><target dir='t'/><readonly/></filesystem>",
                 VM_FS_ACCESS_PASSTHROUGH, "/home/u/a,b", "t", "fs0", true, 0, 0, VM_FS_MULTIDEVS_DEFAULT},
                {"<filesystem accessmode='squash' multidevs='remap'><driver type='path'/><source dir='/s'/>"
                 "<target dir='0123456789012345678901234567890'/><alias name='ua-share'/></filesystem>",
                 VM_FS_ACCESS_SQUASH, "/s", "0123456789012345678901234567890", "ua-share", false, 0, 0,
                 VM_FS_MULTIDEVS_REMAP},
                {"<filesystem accessmode='mapped' fmode='644' dmode='0755' model='virtio'><source dir='/s'/>"
                 "<target dir='t'/></filesystem>",
                 VM_FS_ACCESS_MAPPED, "/s", "t", "fs0", false, 0644, 0755, VM_FS_MULTIDEVS_DEFAULT},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = domain_xml_test_parse_devices(table[i].xml, &error);

                g_assert_no_error(error);
                const VmDevice *fs = only_fs(config);
                g_assert_cmpint(fs->fs.access, ==, table[i].access);
                g_assert_cmpstr(fs->fs.source, ==, table[i].source);
                g_assert_cmpstr(fs->fs.target, ==, table[i].target);
                g_assert_cmpstr(fs->id, ==, table[i].id);
                g_assert_cmpint(fs->fs.readonly, ==, table[i].readonly);
                g_assert_cmpuint(fs->fs.fmode, ==, table[i].fmode);
                g_assert_cmpuint(fs->fs.dmode, ==, table[i].dmode);
                g_assert_cmpint(fs->fs.multidevs, ==, table[i].multidevs);
        }
}

/* GetXML writes libvirt's defaults out; its text defines the same VM again, and libvirt's schema
 * takes it. */
static void test_round_trip(void) {
        static const char *const documents[] = {
                "<filesystem><source dir='/srv/a&amp;b&apos;c'/><target dir='share0'/><readonly/></filesystem>",
                "<filesystem accessmode='mapped' fmode='0600' dmode='0700' multidevs='forbid'>"
                "<driver type='path' wrpolicy='immediate'/><source dir='/s'/><target dir='t'/><address type='pci' "
                "domain='0x0000' bus='0x02' slot='0x00' function='0x0'/>"
                "</filesystem>",
        };
        static const char *const expected[] = {
                "<filesystem type='mount' accessmode='passthrough'>\n      <source dir='/srv/a&amp;b&apos;c'/>\n"
                "      <target dir='share0'/>\n      <readonly/>\n      <alias name='fs0'/>\n    </filesystem>",
                "<filesystem type='mount' accessmode='mapped' fmode='0600' dmode='0700' multidevs='forbid'>\n"
                "      <driver type='path' wrpolicy='immediate'/>\n      <source dir='/s'/>\n      <target "
                "dir='t'/>\n      <alias name='fs0'/>\n"
                "      <address type='pci' domain='0x0000' bus='0x02' slot='0x00' function='0x0'/>\n"
                "    </filesystem>",
        };

        for (size_t i = 0; i < G_N_ELEMENTS(documents); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = domain_xml_test_parse_devices(documents[i], &error);
                g_autofree char *first = NULL, *second = NULL;
                g_autoptr(VmConfig) again = NULL;

                g_assert_no_error(error);
                first = domain_xml_format(config);
                if (!strstr(first, expected[i]))
                        g_error("GetXML has no\n%s\nin\n%s", expected[i], first);
                again = domain_xml_parse(first, strlen(first), &domain_xml_test_paths, &error);
                g_assert_no_error(error);
                g_assert_cmpstr(only_fs(again)->fs.source, ==, only_fs(config)->fs.source);
                second = domain_xml_format(again);
                g_assert_cmpstr(first, ==, second);
                domain_xml_test_assert_valid_libvirt(first, "<filesystem>");
        }
}

/* Each refusal names what it refuses, and why where the reason is not obvious. */
static void test_refused(void) {
        static const struct {
                const char *xml, *fragment;
                int code;
        } table[] = {
                {"<filesystem type='mount'><driver type='virtiofs'/><source dir='/s'/><target dir='t'/>"
                 "</filesystem>",
                 "virtiofsd", HV_ERROR_NOT_SUPPORTED},
                {"<filesystem type='mount'><driver type='handle'/><source dir='/s'/><target dir='t'/></filesystem>",
                 "type='handle'", HV_ERROR_NOT_SUPPORTED},
                {"<filesystem type='mount'><driver type='path' wrpolicy='later'/><source dir='/s'/>"
                 "<target dir='t'/></filesystem>",
                 "wrpolicy='later'", HV_ERROR_NOT_SUPPORTED},
                {"<filesystem type='block'><source dev='/dev/sda'/><target dir='t'/></filesystem>", "type='block'",
                 HV_ERROR_NOT_SUPPORTED},
                {"<filesystem type='ram'><source usage='1024'/><target dir='t'/></filesystem>", "type='ram'",
                 HV_ERROR_NOT_SUPPORTED},
                {"<filesystem accessmode='mapped-file'><source dir='/s'/><target dir='t'/></filesystem>",
                 "accessmode='mapped-file'", HV_ERROR_NOT_SUPPORTED},
                {"<filesystem model='virtio-transitional'><source dir='/s'/><target dir='t'/></filesystem>",
                 "model='virtio-transitional'", HV_ERROR_NOT_SUPPORTED},
                {"<filesystem><source dir='srv/share'/><target dir='t'/></filesystem>", "absolute",
                 HV_ERROR_INVALID_ARGUMENT},
                {"<filesystem><source dir='/s'/><target dir='01234567890123456789012345678901'/></filesystem>",
                 "31 bytes", HV_ERROR_INVALID_ARGUMENT},
                {"<filesystem><source dir='/s'/><target dir=''/></filesystem>", "mount tag",
                 HV_ERROR_INVALID_ARGUMENT},
                {"<filesystem><source dir='/s'/></filesystem>", "'<target>'", HV_ERROR_INVALID_XML},
                {"<filesystem><target dir='t'/></filesystem>", "'<source>'", HV_ERROR_INVALID_XML},
                {"<filesystem><source file='/s.img'/><target dir='t'/></filesystem>", "'file'",
                 HV_ERROR_NOT_SUPPORTED},
                {"<filesystem fmode='0644'><source dir='/s'/><target dir='t'/></filesystem>", "accessmode='mapped'",
                 HV_ERROR_INVALID_ARGUMENT},
                {"<filesystem accessmode='mapped' dmode='0800'><source dir='/s'/><target dir='t'/></filesystem>",
                 "octal", HV_ERROR_INVALID_ARGUMENT},
                {"<filesystem><source dir='/s'/><target dir='t'/><space_hard_limit>1</space_hard_limit>"
                 "</filesystem>",
                 "'<space_hard_limit>'", HV_ERROR_NOT_SUPPORTED},
                {"<filesystem><source dir='/s'/><target dir='t'/><address type='ccw' cssid='0xfe'/></filesystem>",
                 "type='ccw'", HV_ERROR_NOT_SUPPORTED},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = domain_xml_test_parse_devices(table[i].xml, &error);

                if (config)
                        g_error("'%s' was accepted", table[i].xml);
                if (!error || error->domain != HV_ERROR || error->code != table[i].code ||
                    !strstr(error->message, table[i].fragment))
                        g_error("'%s': the error '%s' (code %d) does not name %s (code %d)", table[i].xml,
                                error ? error->message : "none", error ? error->code : -1, table[i].fragment,
                                table[i].code);
        }
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/domain-xml-filesystem/parse", test_parse);
        g_test_add_func("/domain-xml-filesystem/round-trip", test_round_trip);
        g_test_add_func("/domain-xml-filesystem/refused", test_refused);
        return g_test_run();
}
