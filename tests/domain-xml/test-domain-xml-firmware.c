/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Firmware and boot in <os> (service/domain-xml-platform.c): what libvirt's firmware tests
 * write (<firmware><feature>, <loader secure stateless>, firmware='bios', <nvram type='file'>,
 * <bootmenu timeout> (with or without a menu), <bios>, <acpi><table>) and <memory dumpCore> are read, written back to
 * the same text that libvirt's schema takes, and libvirt's rules between them are kept.
 */

#include <glib.h>
#include <string.h>

#include "domain-xml-test-util.h"
#include "domain-xml.h"
#include "hv-error.h"

static VmConfig *parse(const char *os_attributes, const char *os, GError **error) {
        g_autofree char *xml =
                g_strdup_printf("<domain type='qemu'><name>d</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                                "<os%s><type arch='x86_64' machine='q35'>hvm</type>%s</os><devices/></domain>",
                                os_attributes, os);
        return domain_xml_parse(xml, strlen(xml), &domain_xml_test_paths, error);
}

static void assert_round_trip_valid(const VmConfig *config, const char *name) {
        g_autofree char *out = domain_xml_format(config);
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(out, name);
}

static void test_parse(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) secboot = parse(" firmware='efi'",
                                            "<firmware><feature enabled='yes' name='secure-boot'/>"
                                            "<feature enabled='no' name='enrolled-keys'/></firmware>"
                                            "<loader secure='yes'/><bootmenu enable='yes' timeout='3000'/>"
                                            "<bios useserial='yes' rebootTimeout='-1'/>"
                                            "<acpi><table type='slic'>/home/u/slic.dat</table></acpi>",
                                            &error);
        g_autoptr(VmConfig) stateless = NULL, bios = NULL, nvram = NULL;
        const VmFirmware *fw;
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        fw = &secboot->platform.firmware;
        g_assert_true(fw->efi);
        g_assert_cmpint(fw->secure_boot, ==, VM_SWITCH_ON);
        g_assert_cmpint(fw->enrolled_keys, ==, VM_SWITCH_OFF);
        g_assert_cmpint(fw->loader_secure, ==, VM_SWITCH_ON);
        g_assert_null(secboot->loader);
        g_assert_true(fw->has_bootmenu_timeout);
        g_assert_cmpuint(fw->bootmenu_timeout, ==, 3000);
        g_assert_cmpint(fw->bios_useserial, ==, VM_SWITCH_ON);
        g_assert_true(fw->has_reboot_timeout);
        g_assert_cmpint(fw->reboot_timeout, ==, -1);
        g_assert_cmpstr(fw->acpi_slic, ==, "/home/u/slic.dat");
        out = domain_xml_format(secboot);
        g_assert_nonnull(strstr(out, "<os firmware='efi'>\n    <firmware>\n"
                                     "      <feature enabled='yes' name='secure-boot'/>\n"
                                     "      <feature enabled='no' name='enrolled-keys'/>\n    </firmware>\n"));
        g_assert_nonnull(strstr(out, "<loader secure='yes'/>"));
        g_assert_nonnull(strstr(out, "<bootmenu enable='yes' timeout='3000'/>"));
        g_assert_nonnull(strstr(out, "<bios useserial='yes' rebootTimeout='-1'/>"));
        assert_round_trip_valid(secboot, "firmware secure boot");

        /* firmware-manual-efi-stateless.xml: a pflash of one's own without variables. */
        stateless = parse("",
                          "<loader readonly='yes' type='pflash' stateless='yes'>/usr/share/OVMF/OVMF_CODE.fd"
                          "</loader>",
                          &error);
        g_assert_no_error(error);
        g_assert_cmpint(stateless->platform.firmware.loader_stateless, ==, VM_SWITCH_ON);
        assert_round_trip_valid(stateless, "stateless loader");

        /* firmware-auto-bios.xml, with dumpCore (machine-core-on.xml). */
        bios = parse(" firmware='bios'", "<loader stateless='yes'/>", &error);
        g_assert_no_error(error);
        g_assert_true(bios->platform.firmware.bios);
        assert_round_trip_valid(bios, "firmware='bios'");

        /* firmware-manual-efi-nvram-file.xml: the owner's file, written back in the same form. */
        nvram = parse("",
                      "<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader>"
                      "<nvram type='file'><source file='/home/u/guest_VARS.fd'/></nvram>",
                      &error);
        g_assert_no_error(error);
        g_assert_cmpstr(nvram->platform.firmware.nvram, ==, "/home/u/guest_VARS.fd");
        g_clear_pointer(&out, g_free);
        out = domain_xml_format(nvram);
        g_assert_nonnull(strstr(out, "<nvram type='file'>\n      <source file='/home/u/guest_VARS.fd'/>\n"));
        assert_round_trip_valid(nvram, "nvram type='file'");
}

static void test_dump_core(void) {
        const char *xml = "<domain type='qemu'><name>d</name><memory unit='MiB' dumpCore='off'>256</memory>"
                          "<os><type arch='x86_64'>hvm</type></os></domain>";
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_parse(xml, strlen(xml), &domain_xml_test_paths, &error);
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        g_assert_cmpint(config->platform.dump_core, ==, VM_SWITCH_OFF);
        g_assert_cmpuint(config->memory, ==, 256u << 20);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<memory unit='b' dumpCore='off'>268435456</memory>"));
        assert_round_trip_valid(config, "dumpCore");
}

/* libvirt's boot-menu-disable-with-timeout.xml: a timeout without a menu is taken and written back
 * (no engine uses it: QEMU gets menu=off without splash-time, as libvirt writes it). */
static void test_bootmenu_no_timeout(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = parse("", "<boot dev='cdrom'/><bootmenu enable='no' timeout='3000'/>", &error);
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        g_assert_cmpint(config->platform.firmware.bootmenu, ==, VM_SWITCH_OFF);
        g_assert_true(config->platform.firmware.has_bootmenu_timeout);
        g_assert_cmpuint(config->platform.firmware.bootmenu_timeout, ==, 3000);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<bootmenu enable='no' timeout='3000'/>"));
        assert_round_trip_valid(config, "bootmenu disabled with a timeout");
}

static void test_refused(void) {
        static const struct {
                const char *os_attributes, *os;
                int code;
                const char *fragment;
        } table[] = {
                /* libvirt's parse errors of its firmware tests. */
                {"", "<firmware><feature enabled='yes' name='secure-boot'/></firmware>", HV_ERROR_INVALID_XML,
                 "needs firmware='efi'"},
                {" firmware='efi'", "<loader secure='no'/>", HV_ERROR_INVALID_XML, "secure='no'"},
                {" firmware='bios'", "<loader stateless='no'/>", HV_ERROR_INVALID_XML, "stateless='no'"},
                {" firmware='bios'", "<nvram>/home/u/v.fd</nvram>", HV_ERROR_INVALID_XML, "has no '<nvram>'"},
                {"", "<loader type='pflash' stateless='yes'>/x/CODE.fd</loader><nvram>/home/u/v.fd</nvram>",
                 HV_ERROR_INVALID_XML, "takes no '<nvram>'"},
                {"", "<loader type='pflash'/>", HV_ERROR_INVALID_XML, "needs a path"},
                {" firmware='efi'", "<firmware><feature enabled='yes' name='other'/></firmware>",
                 HV_ERROR_NOT_SUPPORTED, "other"},
                {" firmware='efi'",
                 "<firmware><feature enabled='yes' name='secure-boot'/><feature enabled='no' name='secure-boot'/>"
                 "</firmware>",
                 HV_ERROR_INVALID_XML, "more than once"},
                /* Network variables would need secrets and a network store. */
                {"",
                 "<loader type='pflash'>/x/CODE.fd</loader><nvram type='network'><source protocol='nbd'/>"
                 "</nvram>",
                 HV_ERROR_NOT_SUPPORTED, "type='network' of '<nvram>'"},
                {"", "<bootmenu enable='yes' timeout='65536'/>", HV_ERROR_INVALID_ARGUMENT, "0 to 65535"},
                {"", "<bootmenu enable='no' timeout='70000'/>", HV_ERROR_INVALID_ARGUMENT, "0 to 65535"},
                {"", "<bios rebootTimeout='-2'/>", HV_ERROR_INVALID_ARGUMENT, "-1 to 65535"},
                {"", "<acpi><table type='rsdt'>/x</table></acpi>", HV_ERROR_NOT_SUPPORTED, "rsdt"},
                {"", "<acpi><table type='slic'>slic.dat</table></acpi>", HV_ERROR_INVALID_ARGUMENT, "absolute"},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = parse(table[i].os_attributes, table[i].os, &error);

                g_test_message("%s", table[i].os);
                g_assert_null(config);
                g_assert_error(error, HV_ERROR, table[i].code);
                g_assert_nonnull(strstr(error->message, table[i].fragment));
        }
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/domain-xml-firmware/parse", test_parse);
        g_test_add_func("/domain-xml-firmware/dump-core", test_dump_core);
        g_test_add_func("/domain-xml-firmware/refused", test_refused);
        g_test_add_func("/domain-xml-firmware/bootmenu-no-timeout", test_bootmenu_no_timeout);
        return g_test_run();
}
