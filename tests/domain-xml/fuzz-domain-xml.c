/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * libFuzzer entry point for service/domain-xml.c. Any input must either be refused with a
 * GError or parse into a VmConfig whose normalised form is a fixed point: parsing it again
 * must succeed and format to the same bytes. The same holds for single devices.
 *
 *   CC=clang meson setup build-fuzz -Dfuzzing=true && ninja -C build-fuzz
 *   build-fuzz/tests/domain-xml/fuzz-domain-xml tests/domain-xml/data
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain-xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const firmware_dirs[] = { "/nonexistent/firmware", "/usr/share/hypervisor/firmware", NULL };
static const DomainXmlPaths paths = { .images_dir = "/var/lib/hypervisor/images", .firmware_dirs = firmware_dirs };

static void check_domain(const char *xml, size_t size) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_parse(xml, size, &paths, &error);
        g_autoptr(VmConfig) again = NULL;
        g_autofree char *first = NULL, *second = NULL;

        if (!config) {
                if (!error || !g_utf8_validate(error->message, -1, NULL))
                        abort();
                return;
        }
        first = domain_xml_format(config);
        again = domain_xml_parse(first, strlen(first), &paths, &error);
        if (!again) {
                fprintf(stderr, "normalised document refused: %s\n---\n%s---\n", error->message, first);
                abort();
        }
        second = domain_xml_format(again);
        if (strcmp(first, second) != 0) {
                fprintf(stderr, "round trip differs:\n---\n%s---\n%s---\n", first, second);
                abort();
        }
}

static void check_device(const char *xml, size_t size) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmDevice) device = domain_xml_parse_device(xml, size, &paths, &error);
        g_autoptr(VmDevice) again = NULL;
        g_autofree char *first = NULL, *second = NULL;

        if (!device)
                return;
        first = domain_xml_format_device(device);
        again = domain_xml_parse_device(first, strlen(first), &paths, &error);
        if (!again) {
                fprintf(stderr, "normalised device refused: %s\n---\n%s---\n", error->message, first);
                abort();
        }
        second = domain_xml_format_device(again);
        if (strcmp(first, second) != 0) {
                fprintf(stderr, "device round trip differs:\n---\n%s---\n%s---\n", first, second);
                abort();
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        check_domain((const char *) data, size);
        check_device((const char *) data, size);
        return 0;
}
