/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <tpm> (service/domain-xml-tpm.c): virt-install's TPM 2.0 and libvirt's tpm-emulator.xml (TPM 1.2,
 * the default of tpm-tis) are read, libvirt's defaults come
 * out explicit, GetXML's text defines again unchanged and is valid for libvirt's schema, and
 * whatever a swtpm with the service's state folder cannot give is refused naming it.
 */

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "domain-xml-test-util.h"
#include "domain-xml.h"
#include "hv-error.h"

static const VmDevice *only_tpm(const VmConfig *config) {
        g_assert_cmpuint(config->devices->len, ==, 1);
        const VmDevice *device = config->devices->pdata[0];
        g_assert_cmpint(device->kind, ==, VM_DEVICE_TPM);
        return device;
}

/* What virt-install writes, and virsh dumpxml's spelling with the alias. */
static void test_parse(void) {
        static const struct {
                const char *xml;
                VmTpmModel model;
                const char *id;
                VmTpmVersion version;
        } table[] = {
                {"<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>", VM_TPM_CRB, "tpm0",
                 VM_TPM_VERSION_2_0},
                {"<tpm model='tpm-crb'><backend type='emulator' version='2.0'/><alias name='tpm0'/></tpm>", VM_TPM_CRB,
                 "tpm0", VM_TPM_VERSION_2_0},
                {"<tpm model='tpm-tis'><backend type='emulator' version='2.0' persistent_state='no'/>"
                 "<alias name='ua-tpm'/></tpm>",
                 VM_TPM_TIS, "ua-tpm", VM_TPM_VERSION_2_0},
                /* libvirt's default model on x86 is tpm-tis; tpm-crb is TPM 2.0 by default. */
                {"<tpm><backend type='emulator' version='2.0'/></tpm>", VM_TPM_TIS, "tpm0", VM_TPM_VERSION_2_0},
                {"<tpm model='tpm-crb'><backend type='emulator'/></tpm>", VM_TPM_CRB, "tpm0", VM_TPM_VERSION_2_0},
                /* libvirt's tpm-emulator.xml: tpm-tis is TPM 1.2 by default. */
                {"<tpm model='tpm-tis'><backend type='emulator'/></tpm>", VM_TPM_TIS, "tpm0", VM_TPM_VERSION_1_2},
                {"<tpm><backend type='emulator' version='1.2'/></tpm>", VM_TPM_TIS, "tpm0", VM_TPM_VERSION_1_2},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = domain_xml_test_parse_devices(table[i].xml, &error);

                g_assert_no_error(error);
                const VmDevice *tpm = only_tpm(config);
                g_assert_cmpint(tpm->tpm.model, ==, table[i].model);
                g_assert_cmpint(tpm->tpm.version, ==, table[i].version);
                g_assert_cmpstr(tpm->id, ==, table[i].id);
        }
}

/* GetXML writes the model and version out; its text defines the same VM again, and libvirt's
 * schema takes it. */
static void test_round_trip(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices("<tpm><backend type='emulator' version='2.0'/></tpm>", &error);
        g_autofree char *first = NULL, *second = NULL;
        g_autoptr(VmConfig) again = NULL;

        g_assert_no_error(error);
        first = domain_xml_format(config);
        g_assert_nonnull(strstr(first, "<tpm model='tpm-tis'>\n      <backend type='emulator' version='2.0'/>\n"
                                       "      <alias name='tpm0'/>\n    </tpm>"));
        again = domain_xml_parse(first, strlen(first), &domain_xml_test_paths, &error);
        g_assert_no_error(error);
        g_assert_cmpint(only_tpm(again)->tpm.model, ==, VM_TPM_TIS);
        second = domain_xml_format(again);
        g_assert_cmpstr(first, ==, second);
        domain_xml_test_assert_valid_libvirt(first, "<tpm>");
}

/* TPM 1.2 (libvirt's tpm-emulator.xml): its version comes out explicit, defines again the same. */
static void test_round_trip_1_2(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config =
                domain_xml_test_parse_devices("<tpm model='tpm-tis'><backend type='emulator'/></tpm>", &error);
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<tpm model='tpm-tis'>\n      <backend type='emulator' version='1.2'/>\n"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(out, "<tpm> 1.2");
}

/* Each refusal names what it refuses, and why where the reason is not obvious. */
static void test_refused(void) {
        static const struct {
                const char *xml, *fragment;
                int code;
        } table[] = {
                /* libvirt's rule: a TPM 1.2 has no CRB interface. */
                {"<tpm model='tpm-crb'><backend type='emulator' version='1.2'/></tpm>", "no CRB interface",
                 HV_ERROR_NOT_SUPPORTED},
                {"<tpm model='tpm-tis'><backend type='passthrough'><device path='/dev/tpm0'/></backend></tpm>",
                 "/dev/tpm0", HV_ERROR_NOT_SUPPORTED},
                {"<tpm model='tpm-crb'><backend type='external'><source type='unix' mode='connect' "
                 "path='/tmp/swtpm.sock'/></backend></tpm>",
                 "type='external'", HV_ERROR_NOT_SUPPORTED},
                {"<tpm model='tpm-crb'><backend type='emulator' version='2.0'>"
                 "<encryption secret='6dd3e4a5-1d76-44ce-961f-f119f5aad935'/></backend></tpm>",
                 "'<encryption>'", HV_ERROR_NOT_SUPPORTED},
                {"<tpm model='tpm-crb'><backend type='emulator' version='2.0'>"
                 "<active_pcr_banks><sha256/></active_pcr_banks></backend></tpm>",
                 "'<active_pcr_banks>'", HV_ERROR_NOT_SUPPORTED},
                {"<tpm model='tpm-crb'><backend type='emulator' version='2.0'><profile name='default-v1'/>"
                 "</backend></tpm>",
                 "'<profile>'", HV_ERROR_NOT_SUPPORTED},
                {"<tpm model='tpm-crb'><backend type='emulator' version='2.0' persistent_state='yes'/></tpm>",
                 "persistent_state='yes'", HV_ERROR_NOT_SUPPORTED},
                {"<tpm model='tpm-spapr'><backend type='emulator' version='2.0'/></tpm>", "'tpm-spapr'",
                 HV_ERROR_NOT_SUPPORTED},
                {"<tpm model='tpm-crb'><backend type='emulator' version='2.0' debug='1'/></tpm>", "'debug'",
                 HV_ERROR_NOT_SUPPORTED},
                {"<tpm model='tpm-crb'/>", "'<backend>'", HV_ERROR_INVALID_XML},
                {"<tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>"
                 "<tpm model='tpm-tis'><backend type='emulator' version='2.0'/></tpm>",
                 "at most one '<tpm>'", HV_ERROR_NOT_SUPPORTED},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = domain_xml_test_parse_devices(table[i].xml, &error);

                g_assert_null(config);
                g_assert_error(error, HV_ERROR, table[i].code);
                if (!strstr(error->message, table[i].fragment))
                        g_error("'%s': the error '%s' does not name %s", table[i].xml, error->message,
                                table[i].fragment);
        }
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/domain-xml-tpm/parse", test_parse);
        g_test_add_func("/domain-xml-tpm/round-trip", test_round_trip);
        g_test_add_func("/domain-xml-tpm/round-trip-1.2", test_round_trip_1_2);
        g_test_add_func("/domain-xml-tpm/refused", test_refused);
        return g_test_run();
}
