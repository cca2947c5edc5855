/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the domain XML tests share: a small document around some devices, the round trip
 * of GetXML, and libvirt's own schema as the judge of what GetXML writes. */

#include <glib.h>

#include "domain-xml.h"

/* The paths every test parses with (<kernel> names without '/' are looked up there). */
extern const DomainXmlPaths domain_xml_test_paths;

/* A q35 <domain type='qemu'> of 256 MiB, one vCPU, a direct kernel, with these devices. */
VmConfig *domain_xml_test_parse_devices(const char *devices, GError **error);

/* GetXML of config parses again and writes the same text. */
void domain_xml_test_assert_round_trip(const VmConfig *config);

/* virt-xml-validate (libvirt-clients, in tests/setup-packages.txt) takes xml as a domain;
 * the test fails when it does not, or cannot be run. name: what the messages call it. */
void domain_xml_test_assert_valid_libvirt(const char *xml, const char *name);
