/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <sysinfo> and <os><smbios> (service/domain-xml-sysinfo.c): libvirt's smbios and
 * smbios-type-fwcfg documents are read field by field, GetXML's text defines again unchanged
 * and is valid for libvirt's schema, and what libvirt refuses (a bad BIOS date, a system UUID
 * of another machine, a reserved fw_cfg name) or the service will not do (the host's own
 * tables) is refused naming it.
 */

#include <glib.h>
#include <string.h>

#include "domain-xml-test-util.h"
#include "domain-xml.h"
#include "hv-error.h"

#define UUID "c7a5fdbd-edaf-9455-926a-d65c16db1809"

/* A document with this <uuid> (none when NULL), these elements beside <os>, and this in <os>. */
static VmConfig *parse(const char *uuid, const char *top, const char *in_os, GError **error) {
        g_autofree char *uuid_element = uuid ? g_strdup_printf("<uuid>%s</uuid>", uuid) : g_strdup("");
        g_autofree char *xml = g_strdup_printf(
                "<domain type='qemu'><name>t</name>%s<memory unit='MiB'>256</memory>%s"
                "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>/k</kernel>%s</os></domain>",
                uuid_element, top, in_os);

        return domain_xml_parse(xml, strlen(xml), &domain_xml_test_paths, error);
}

static const char smbios[] =
        "<sysinfo type='smbios'>"
        "<bios><entry name='vendor'>LENOVO</entry><entry name='version'>6FET82WW (3.12 )</entry>"
        "<entry name='date'>01/02/2003</entry><entry name='release'>3.12</entry></bios>"
        "<system><entry name='manufacturer'>Fedora</entry><entry name='product'>Virt-Manager</entry>"
        "<entry name='serial'>32dfcb37</entry><entry name='uuid'>C7A5FDBD-EDAF-9455-926A-D65C16DB1809</entry>"
        "<entry name='sku'>1234567890</entry><entry name='family'>Red Hat</entry></system>"
        "<baseBoard><entry name='manufacturer'>Lenovo</entry><entry name='location'>Not Available</entry></baseBoard>"
        "<chassis><entry name='manufacturer'>Dell Inc.</entry><entry name='asset'>40000101</entry></chassis>"
        "<oemStrings><entry>Hello</entry><entry>This is, more tricky value=escaped</entry></oemStrings>"
        "</sysinfo>"
        "<sysinfo type='fwcfg'><entry name='opt/com.example/name'>example value</entry>"
        "<entry name='opt/com.coreos/config' file='/home/u/provision.ign'/></sysinfo>";

static void test_parse(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = parse(UUID, smbios, "<smbios mode='sysinfo'/>", &error);
        const VmSysinfo *s;

        g_assert_no_error(error);
        s = config->sysinfo;
        g_assert_nonnull(s);
        g_assert_cmpint(s->mode, ==, VM_SMBIOS_MODE_SYSINFO);
        g_assert_cmpstr(s->smbios[VM_SMBIOS_BIOS][vm_smbios_field_index(VM_SMBIOS_BIOS, "version")], ==,
                        "6FET82WW (3.12 )");
        g_assert_cmpstr(s->smbios[VM_SMBIOS_BIOS][vm_smbios_field_index(VM_SMBIOS_BIOS, "date")], ==, "01/02/2003");
        /* The system UUID is the domain's, in its spelling. */
        g_assert_cmpstr(s->smbios[VM_SMBIOS_SYSTEM][vm_smbios_field_index(VM_SMBIOS_SYSTEM, "uuid")], ==, UUID);
        g_assert_cmpstr(s->smbios[VM_SMBIOS_BASE_BOARD][vm_smbios_field_index(VM_SMBIOS_BASE_BOARD, "location")],
                        ==, "Not Available");
        g_assert_null(s->smbios[VM_SMBIOS_BASE_BOARD][vm_smbios_field_index(VM_SMBIOS_BASE_BOARD, "product")]);
        g_assert_cmpstr(s->smbios[VM_SMBIOS_CHASSIS][vm_smbios_field_index(VM_SMBIOS_CHASSIS, "asset")], ==,
                        "40000101");
        g_assert_cmpuint(s->oem_strings->len, ==, 2);
        g_assert_cmpstr(s->oem_strings->pdata[1], ==, "This is, more tricky value=escaped");
        g_assert_cmpuint(s->fwcfg->len, ==, 2);
        const VmFwCfgEntry *value = s->fwcfg->pdata[0], *file = s->fwcfg->pdata[1];
        g_assert_cmpstr(value->name, ==, "opt/com.example/name");
        g_assert_cmpstr(value->value, ==, "example value");
        g_assert_null(value->file);
        g_assert_cmpstr(file->file, ==, "/home/u/provision.ign");
        g_assert_null(file->value);
        g_assert_cmpuint(s->smbios_line, ==, 1);

        /* Without <uuid>, the system's gives the domain its UUID (libvirt's rule). */
        g_autoptr(VmConfig) without = parse(NULL, smbios, "", &error);
        g_assert_no_error(error);
        g_assert_cmpstr(without->uuid, ==, UUID);
        g_assert_false(without->uuid_generated);
        g_assert_cmpint(without->sysinfo->mode, ==, VM_SMBIOS_MODE_DEFAULT);

        /* Neither element: no VmSysinfo at all. */
        g_autoptr(VmConfig) none = parse(UUID, "", "", &error);
        g_assert_no_error(error);
        g_assert_null(none->sysinfo);
}

static void test_round_trip(void) {
        static const struct {
                const char *top, *in_os;
        } documents[] = {
                {smbios, "<smbios mode='sysinfo'/>"},
                {smbios, ""},
                {"", "<smbios mode='emulate'/>"},
                {"<sysinfo type='fwcfg'><entry name='opt/a'>&lt;x&gt; &amp; 'y'</entry></sysinfo>", ""},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(documents); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = parse(UUID, documents[i].top, documents[i].in_os, &error);
                g_autofree char *xml = NULL;

                g_assert_no_error(error);
                domain_xml_test_assert_round_trip(config);
                xml = domain_xml_format(config);
                domain_xml_test_assert_valid_libvirt(xml, documents[i].top);
        }
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = parse(UUID, smbios, "<smbios mode='sysinfo'/>", &error);
        g_autofree char *xml = domain_xml_format(config);
        g_assert_nonnull(strstr(xml, "  <sysinfo type='smbios'>\n    <bios>\n      <entry name='vendor'>LENOVO</entry>\n"));
        g_assert_nonnull(strstr(xml, "<entry name='opt/com.coreos/config' file='/home/u/provision.ign'/>"));
        g_assert_nonnull(strstr(xml, "    <smbios mode='sysinfo'/>\n  </os>"));
}

static void test_refused(void) {
        static const struct {
                const char *top, *in_os, *fragment;
                int code;
        } table[] = {
                {"", "<smbios mode='host'/>", "mode='host'", HV_ERROR_NOT_SUPPORTED},
                {"", "<smbios mode='sysinfo'/>", "needs a '<sysinfo type='smbios'>'", HV_ERROR_INVALID_ARGUMENT},
                {"", "<smbios/>", "'mode'", HV_ERROR_INVALID_XML},
                {"<sysinfo type='smbios'><bios><entry name='date'>999/999/123</entry></bios></sysinfo>", "",
                 "invalid BIOS date '999/999/123'", HV_ERROR_INVALID_ARGUMENT},
                {"<sysinfo type='smbios'><bios><entry name='date'>13/01/2000</entry></bios></sysinfo>", "",
                 "invalid BIOS date", HV_ERROR_INVALID_ARGUMENT},
                {"<sysinfo type='smbios'><bios><entry name='date'>01/01/1899</entry></bios></sysinfo>", "",
                 "invalid BIOS date", HV_ERROR_INVALID_ARGUMENT},
                {"<sysinfo type='smbios'><system><entry name='uuid'>a94b4335-6a14-8bc4-d6da-f7ea590b6816</entry>"
                 "</system></sysinfo>",
                 "", "differs from '<uuid>'", HV_ERROR_INVALID_ARGUMENT},
                {"<sysinfo type='smbios'><bios><entry name='colour'>red</entry></bios></sysinfo>", "",
                 "name='colour'", HV_ERROR_NOT_SUPPORTED},
                {"<sysinfo type='smbios'><bios><entry name='vendor'>a</entry><entry name='vendor'>b</entry></bios>"
                 "</sysinfo>",
                 "", "more than once", HV_ERROR_INVALID_XML},
                {"<sysinfo type='smbios'><baseBoard><entry name='product'>a</entry></baseBoard><baseBoard><entry "
                 "name='product'>b</entry></baseBoard></sysinfo>",
                 "", "one SMBIOS type 2", HV_ERROR_NOT_SUPPORTED},
                {"<sysinfo type='smbios'/><sysinfo type='smbios'/>", "", "more than once", HV_ERROR_INVALID_XML},
                {"<sysinfo type='smbios'><memory/></sysinfo>", "", "'<memory>'", HV_ERROR_NOT_SUPPORTED},
                {"<sysinfo type='xen'/>", "", "'xen'", HV_ERROR_NOT_SUPPORTED},
                {"<sysinfo type='fwcfg'><entry name='etc/boot-fail-wait'>1</entry></sysinfo>", "",
                 "'etc/boot-fail-wait'", HV_ERROR_INVALID_ARGUMENT},
                {"<sysinfo type='fwcfg'><entry name='opt/ovmf/X-PciMmio64Mb'>1</entry></sysinfo>", "",
                 "firmware's and QEMU's own", HV_ERROR_INVALID_ARGUMENT},
                {"<sysinfo type='fwcfg'><entry name='opt/org.qemu/x'>1</entry></sysinfo>", "",
                 "firmware's and QEMU's own", HV_ERROR_INVALID_ARGUMENT},
                {"<sysinfo type='fwcfg'><entry name='opt/a' file='rel/path'/></sysinfo>", "", "'rel/path'",
                 HV_ERROR_INVALID_ARGUMENT},
                {"<sysinfo type='fwcfg'><entry name='opt/a' file='/x'>v</entry></sysinfo>", "", "both",
                 HV_ERROR_INVALID_XML},
                {"<sysinfo type='fwcfg'><entry name='opt/a'/></sysinfo>", "", "needs a value or a 'file'",
                 HV_ERROR_INVALID_XML},
                {"<sysinfo type='fwcfg'><entry>v</entry></sysinfo>", "", "needs a 'name'", HV_ERROR_INVALID_XML},
                {"<sysinfo type='fwcfg'><entry name='opt/a'>1</entry><entry name='opt/a'>2</entry></sysinfo>", "",
                 "more than once", HV_ERROR_INVALID_XML},
                {"<sysinfo type='fwcfg'><entry name='opt/0123456789012345678901234567890123456789012345678901'>1"
                 "</entry></sysinfo>",
                 "", "at most 55", HV_ERROR_INVALID_ARGUMENT},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = parse(UUID, table[i].top, table[i].in_os, &error);

                g_assert_null(config);
                g_assert_error(error, HV_ERROR, table[i].code);
                if (!strstr(error->message, table[i].fragment))
                        g_error("case %zu: '%s' does not name %s", i, error->message, table[i].fragment);
        }
}

/* Every entry is linear work: more than the bound is refused before it is kept. */
static void test_limits(void) {
        g_autoptr(GString) top = g_string_new("<sysinfo type='smbios'><oemStrings>");
        g_autoptr(GError) error = NULL;

        for (unsigned i = 0; i <= VM_SYSINFO_ENTRIES_MAX; i++)
                g_string_append_printf(top, "<entry>s%u</entry>", i);
        g_string_append(top, "</oemStrings></sysinfo>");
        g_autoptr(VmConfig) config = parse(UUID, top->str, "", &error);
        g_assert_null(config);
        g_assert_error(error, HV_ERROR, HV_ERROR_LIMITS_EXCEEDED);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/domain-xml-sysinfo/parse", test_parse);
        g_test_add_func("/domain-xml-sysinfo/round-trip", test_round_trip);
        g_test_add_func("/domain-xml-sysinfo/refused", test_refused);
        g_test_add_func("/domain-xml-sysinfo/limits", test_limits);
        return g_test_run();
}
