/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The platform parts of domain XML (VmPlatform): <clock>, <cpu>, <features>, <pm>, and in
 * <os> the firmware attribute, <loader>'s attributes, <nvram>, <boot> and <bootmenu>.
 * Read and written here; service/domain-xml.c and domain-xml-format.c call in.
 */

#include <stdbool.h>

#include <glib.h>
#include <libxml/tree.h>

#include "vm-config.h"

/* The children of <os> read here; <boot> may repeat. NULL-terminated. */
extern const char *const domain_xml_os_platform_children[];

bool domain_xml_parse_clock(const xmlNode *node, VmPlatform *platform, GError **error);
/* After <vcpu>: a <topology> must multiply to config->max_vcpus. */
bool domain_xml_parse_cpu(const xmlNode *node, VmConfig *config, GError **error);
/* libvirt's id sets ("0-3,^2,8": ranges and single ids, a '^' takes one out again), every id
 * below limit, into a bitmap of n_words (bit i of word i / 64); false when one is not, or none
 * is left (domain-xml-numa.c). */
bool domain_xml_parse_id_set(const char *text, unsigned limit, uint64_t *ids, size_t n_words);
/* An id set as libvirt writes it: "0-3,5", of the bits below n_bits. */
void domain_xml_append_id_set(GString *out, const uint64_t *ids, unsigned n_bits);

/* <memoryBacking> (domain-xml-memory.c): after <cpu>, whose NUMA cells its <page nodeset> names. */
bool domain_xml_parse_memory_backing(const xmlNode *node, VmPlatform *platform, GError **error);
void domain_xml_format_memory_backing(GString *out, const VmMemoryBacking *backing);

/* <iothreads> and <iothreadids> (domain-xml-iothreads.c); either may be NULL. */
bool domain_xml_parse_iothreads(const xmlNode *iothreads, const xmlNode *ids, VmConfig *config, GError **error);
void domain_xml_format_iothreads(GString *out, const VmConfig *config);

/* <numatune> (domain-xml-numa.c): after <cpu>, whose NUMA cells its <memnode>s name. */
bool domain_xml_parse_numatune(const xmlNode *node, VmPlatform *platform, GError **error);
void domain_xml_format_numatune(GString *out, const VmPlatform *platform);

/* <cpu><numa> (domain-xml-numa.c): after <memory> and <vcpu>; sets <memory> to the cells' sum. */
bool domain_xml_parse_numa(const xmlNode *node, VmConfig *config, GError **error);
bool domain_xml_parse_features(const xmlNode *node, VmPlatform *platform, GError **error);
bool domain_xml_parse_pm(const xmlNode *node, VmPlatform *platform, GError **error);
/* <genid>. */
bool domain_xml_parse_genid(const xmlNode *node, VmPlatform *platform, GError **error);
/* <devices><iommu>. */
bool domain_xml_parse_iommu(const xmlNode *node, VmPlatform *platform, GError **error);
void domain_xml_format_iommu(GString *out, const VmPlatform *platform);
/* The <os> element's platform parts; loader is its <loader> or NULL. */
bool domain_xml_parse_os_platform(const xmlNode *os, const xmlNode *loader, VmPlatform *platform, GError **error);
/* The attributes <loader> may carry. */
extern const char *const domain_xml_loader_attributes[];

/* "  <os firmware='efi'>\n" */
void domain_xml_format_os_open(GString *out, const VmPlatform *platform);
/* "    <loader ...>path</loader>\n" and <nvram>, after <type> */
void domain_xml_format_loader(GString *out, const VmConfig *config);
/* <boot>, <bootmenu>: the last children of <os> */
void domain_xml_format_boot(GString *out, const VmPlatform *platform);
/* <features>, <cpu>, <clock>, after <os> */
void domain_xml_format_platform(GString *out, const VmPlatform *platform);
/* <pm>, after the <on_*> */
/* The <numa> inside <cpu>, if it has cells. */
void domain_xml_format_numa(GString *out, const VmCpu *cpu);
void domain_xml_format_pm(GString *out, const VmPlatform *platform);
