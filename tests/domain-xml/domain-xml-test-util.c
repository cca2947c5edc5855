/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "domain-xml-test-util.h"

const DomainXmlPaths domain_xml_test_paths = {.images_dir = "/images"};

VmConfig *domain_xml_test_parse_devices(const char *devices, GError **error) {
        g_autofree char *xml =
                g_strdup_printf("<domain type='qemu'><name>t</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                                "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>/k</kernel></os>"
                                "<devices>%s</devices></domain>",
                                devices);
        return domain_xml_parse(xml, strlen(xml), &domain_xml_test_paths, error);
}

void domain_xml_test_assert_round_trip(const VmConfig *config) {
        g_autofree char *first = domain_xml_format(config);
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) again = domain_xml_parse(first, strlen(first), &domain_xml_test_paths, &error);
        g_autofree char *second = NULL;

        g_assert_no_error(error);
        second = domain_xml_format(again);
        g_assert_cmpstr(first, ==, second);
}

void domain_xml_test_assert_valid_libvirt(const char *xml, const char *name) {
        g_autofree char *path = NULL;
        g_autofree char *output = NULL;
        g_autoptr(GError) error = NULL;
        int fd = g_file_open_tmp("hv-domain-xml-XXXXXX.xml", &path, &error);
        int status = -1;

        g_assert_no_error(error);
        g_assert_true(g_file_set_contents(path, xml, -1, &error));
        close(fd);
        const char *argv[] = {"virt-xml-validate", path, "domain", NULL};
        if (!g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                          &output, NULL, &status, &error))
                g_error("%s: cannot run virt-xml-validate: %s", name, error->message);
        if (!g_spawn_check_wait_status(status, NULL))
                g_error("%s: GetXML is not valid libvirt XML:\n%s\n%s", name, output, xml);
        g_unlink(path);
}
