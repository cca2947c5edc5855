/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Domain XML <-> NUMA: the guest's topology (<cpu><numa>, its <cell>s and their <distances>)
 * and where its memory lives on the host's nodes (<numatune>).
 *
 * As libvirt reads them: n cells have the ids 0 to n - 1, each once, in any order (a cell
 * without id takes its place in the document), cpus in libvirt's cpuset syntax ("0-3,^2,8") naming vCPUs below <vcpu>,
 * each vCPU in one cell at most, memory in KiB unless unit says otherwise, and the guest's
 * memory the sum of its cells': <memory> becomes that sum (and <currentMemory> at most it),
 * as libvirt's post-parse does. Distances go from 10 (a cell to itself, and only that) to
 * 255; QEMU wants one between every two cells, in either direction, once any is written,
 * so a partial matrix is refused here rather than at boot.
 */

#include <inttypes.h>
#include <string.h>

#include "domain-xml-platform.h"
#include "domain-xml-reader.h"
#include "domain-xml.h"
#include "hv-error.h"

#define DISTANCE_LOCAL 10
#define DISTANCE_MAX 255

static void ids_set(uint64_t *ids, unsigned id, bool on) {
        if (on)
                ids[id / 64] |= UINT64_C(1) << (id % 64);
        else
                ids[id / 64] &= ~(UINT64_C(1) << (id % 64));
}

static bool ids_empty(const uint64_t *ids, size_t n_words) {
        for (size_t i = 0; i < n_words; i++)
                if (ids[i])
                        return false;
        return true;
}

static bool parse_id(const char *text, unsigned limit, unsigned *ret) {
        if (!*text || strspn(text, "0123456789") != strlen(text) || strlen(text) > 4)
                return false;
        *ret = (unsigned) g_ascii_strtoull(text, NULL, 10);
        return *ret < limit;
}

bool domain_xml_parse_id_set(const char *text, unsigned limit, uint64_t *ids, size_t n_words) {
        g_auto(GStrv) parts = g_strsplit(text, ",", -1);

        g_return_val_if_fail(limit <= n_words * 64, false);

        for (size_t i = 0; parts[i]; i++) {
                char *part = g_strstrip(parts[i]);
                char *dash = strchr(part, '-');
                unsigned first, last;

                if (part[0] == '^') {
                        if (!parse_id(part + 1, limit, &first))
                                return false;
                        ids_set(ids, first, false);
                        continue;
                }
                if (dash)
                        *dash = '\0';
                if (!parse_id(part, limit, &first))
                        return false;
                last = first;
                if (dash && (!parse_id(dash + 1, limit, &last) || last < first))
                        return false;
                for (unsigned id = first; id <= last; id++)
                        ids_set(ids, id, true);
        }
        return !ids_empty(ids, n_words);
}

static bool parse_distances(const xmlNode *node, unsigned cell, VmNumaCell *numa, GError **error) {
        static const char *const attributes[] = { "id", "value", NULL };

        if (!xml_check_attributes(node, NULL, error) || !xml_check_element_content(node, error))
                return false;
        for (const xmlNode *child = node->children; child; child = child->next) {
                g_autofree char *id_text = NULL, *value_text = NULL;
                unsigned id, value;

                if (child->type != XML_ELEMENT_NODE)
                        continue;
                if (!xml_is_element(child, "sibling"))
                        return xml_fail_unsupported_element(error, child);
                if (!xml_check_empty_element(child, attributes, error))
                        return false;
                id_text = xml_attr_value(child, "id");
                value_text = xml_attr_value(child, "value");
                if (!id_text || !value_text)
                        return xml_fail(error, child, HV_ERROR_INVALID_XML,
                                        "'<sibling>' needs the attributes 'id' and 'value'");
                if (!parse_id(id_text, VM_NUMA_CELLS_MAX, &id))
                        return xml_fail_bad_value(error, child, "id", id_text, "expected the id of a '<cell>'");
                if (!parse_id(value_text, DISTANCE_MAX + 1, &value) || value < DISTANCE_LOCAL ||
                    (value == DISTANCE_LOCAL) != (id == cell))
                        return xml_fail_bad_value(error, child, "value", value_text,
                                                  id == cell ? "expected 10, a cell's distance to itself"
                                                             : "expected a number from 11 to 255");
                if (numa[cell].distances[id])
                        return xml_fail(error, child, HV_ERROR_INVALID_ARGUMENT,
                                        "'<sibling id='%u'>' appears twice in the distances of cell %u", id, cell);
                numa[cell].distances[id] = (uint8_t) value;
        }
        return true;
}

/* The cell's id: written, or its place in the document; below n_cells and not taken yet. */
static bool parse_cell_id(const xmlNode *node, unsigned index, unsigned n_cells, const bool *taken, unsigned *ret,
                          GError **error) {
        g_autofree char *id = xml_attr_value(node, "id");

        *ret = index;
        if (id && !parse_id(id, n_cells, ret)) {
                g_autofree char *rule = g_strdup_printf("expected a number below %u, the number of cells", n_cells);
                return xml_fail_bad_value(error, node, "id", id, rule);
        }
        if (taken[*ret])
                return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT, "NUMA cell %u appears twice in '<numa>'",
                                *ret);
        return true;
}

static bool parse_cell(const xmlNode *node, unsigned index, const VmConfig *config, VmNumaCell *numa, GError **error) {
        static const char *const attributes[] = {"id", "cpus", "memory", "unit", "memAccess", "discard", NULL};
        static const char *const accesses[] = {"shared", "private", NULL};
        static const char *const yes_no[] = {"yes", "no", NULL};
        static const char *const children[] = { "distances", NULL };
        g_autofree char *access = xml_attr_value(node, "memAccess");
        g_autofree char *discard = xml_attr_value(node, "discard");
        int choice;
        xmlNode *c[G_N_ELEMENTS(children)] = { NULL };
        g_autofree char *cpus = xml_attr_value(node, "cpus");
        g_autofree char *memory = xml_attr_value(node, "memory");
        g_autofree char *unit = xml_attr_value(node, "unit");
        VmNumaCell *cell = &numa[index];

        if (!xml_check_attributes(node, attributes, error) || !xml_check_element_content(node, error) ||
            !xml_collect_children(node, children, c, error))
                return false;
        if (cpus && !domain_xml_parse_id_set(cpus, config->max_vcpus, cell->cpus, VM_NUMA_CPU_WORDS)) {
                g_autofree char *rule = g_strdup_printf(
                        "expected vCPU ids below %u (the '<vcpu>' count), as '0-3,^2,8'", config->max_vcpus);
                return xml_fail_bad_value(error, node, "cpus", cpus, rule);
        }
        if (!memory)
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<cell>' needs the attribute 'memory'");
        if (!domain_xml_parse_size(memory, unit, &cell->memory) || cell->memory == 0 ||
            cell->memory > UINT64_MAX / VM_NUMA_CELLS_MAX)
                return xml_fail_bad_value(error, node, "memory", memory,
                                          "expected a whole number above 0, in KiB or the 'unit' given");
        /* memAccess and discard: the cell's own <memoryBacking><access mode> and <discard/>. */
        if (access) {
                if (!xml_attr_choice(node, "memAccess", accesses, -1, &choice, error))
                        return false;
                cell->access = choice == 0 ? VM_MEMORY_ACCESS_SHARED : VM_MEMORY_ACCESS_PRIVATE;
        }
        if (discard) {
                if (!xml_attr_choice(node, "discard", yes_no, -1, &choice, error))
                        return false;
                cell->discard = choice == 0 ? VM_SWITCH_ON : VM_SWITCH_OFF;
        }
        return !c[0] || parse_distances(c[0], index, numa, error);
}

/* Once every cell is known: no vCPU twice, distances only to cells, and none missing. */
static bool check_cells(const xmlNode *node, const VmCpu *cpu, GError **error) {
        bool any_distance = false;

        for (unsigned i = 0; i < cpu->n_numa; i++)
                for (unsigned j = i + 1; j < cpu->n_numa; j++)
                        for (size_t w = 0; w < VM_NUMA_CPU_WORDS; w++) {
                                uint64_t both = cpu->numa[i].cpus[w] & cpu->numa[j].cpus[w];
                                if (both)
                                        return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                                                        "vCPU %u is in the NUMA cells %u and %u: one at most",
                                                        (unsigned) (w * 64 + (unsigned) __builtin_ctzll(both)), i, j);
                        }
        for (unsigned i = 0; i < cpu->n_numa; i++)
                for (unsigned j = 0; j < VM_NUMA_CELLS_MAX; j++) {
                        if (!cpu->numa[i].distances[j])
                                continue;
                        any_distance = true;
                        if (j >= cpu->n_numa)
                                return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                                                "the distances of NUMA cell %u name cell %u, which is not there", i,
                                                j);
                }
        for (unsigned i = 0; any_distance && i < cpu->n_numa; i++)
                for (unsigned j = i + 1; j < cpu->n_numa; j++)
                        if (!cpu->numa[i].distances[j] && !cpu->numa[j].distances[i])
                                return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                                                "'<distances>' give none between the NUMA cells %u and %u: "
                                                "QEMU needs one between every two cells",
                                                i, j);
        return true;
}

bool domain_xml_parse_numa(const xmlNode *node, VmConfig *config, GError **error) {
        VmCpu *cpu = &config->platform.cpu;
        bool taken[VM_NUMA_CELLS_MAX] = { false };
        unsigned n_cells = 0, index = 0;
        uint64_t total = 0;

        if (!xml_check_attributes(node, NULL, error) || !xml_check_element_content(node, error))
                return false;
        for (const xmlNode *child = node->children; child; child = child->next) {
                if (child->type != XML_ELEMENT_NODE)
                        continue;
                if (!xml_is_element(child, "cell"))
                        return xml_fail_unsupported_element(error, child);
                if (n_cells++ == VM_NUMA_CELLS_MAX)
                        return xml_fail(error, child, HV_ERROR_INVALID_ARGUMENT, "'<numa>' has more than %u cells",
                                        VM_NUMA_CELLS_MAX);
        }
        if (n_cells == 0)
                return xml_fail_missing(error, node, "cell");
        cpu->n_numa = n_cells;
        for (const xmlNode *child = node->children; child; child = child->next) {
                unsigned id;

                if (child->type != XML_ELEMENT_NODE)
                        continue;
                if (!parse_cell_id(child, index++, n_cells, taken, &id, error) ||
                    !parse_cell(child, id, config, cpu->numa, error))
                        return false;
                taken[id] = true;
                total += cpu->numa[id].memory;
        }
        if (!check_cells(node, cpu, error))
                return false;
        if (total < VM_MEMORY_MIN)
                return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                                "the NUMA cells have %" PRIu64 " bytes of memory, less than the minimum of 1 MiB",
                                total);
        config->memory = total;
        config->current_memory = MIN(config->current_memory, total);
        return true;
}

void domain_xml_append_id_set(GString *out, const uint64_t *ids, unsigned n_bits) {
        vm_id_set_append_ranges(out, ids, n_bits, "", ",");
}

void domain_xml_format_numa(GString *out, const VmCpu *cpu) {
        if (cpu->n_numa == 0)
                return;
        g_string_append(out, "    <numa>\n");
        for (unsigned i = 0; i < cpu->n_numa; i++) {
                const VmNumaCell *cell = &cpu->numa[i];
                bool distances = false;

                g_string_append_printf(out, "      <cell id='%u'", i);
                if (!ids_empty(cell->cpus, VM_NUMA_CPU_WORDS)) {
                        g_string_append(out, " cpus='");
                        domain_xml_append_id_set(out, cell->cpus, VM_NUMA_CPU_WORDS * 64);
                        g_string_append(out, "'");
                }
                if (cell->memory % 1024 == 0)
                        g_string_append_printf(out, " memory='%" PRIu64 "' unit='KiB'", cell->memory / 1024);
                else
                        g_string_append_printf(out, " memory='%" PRIu64 "' unit='b'", cell->memory);
                if (cell->access)
                        g_string_append_printf(out, " memAccess='%s'",
                                               cell->access == VM_MEMORY_ACCESS_SHARED ? "shared" : "private");
                if (cell->discard)
                        g_string_append_printf(out, " discard='%s'", cell->discard == VM_SWITCH_ON ? "yes" : "no");
                for (unsigned j = 0; j < cpu->n_numa; j++)
                        distances |= cell->distances[j] != 0;
                if (!distances) {
                        g_string_append(out, "/>\n");
                        continue;
                }
                g_string_append(out, ">\n        <distances>\n");
                for (unsigned j = 0; j < cpu->n_numa; j++)
                        if (cell->distances[j])
                                g_string_append_printf(out, "          <sibling id='%u' value='%u'/>\n", j,
                                                       (unsigned) cell->distances[j]);
                g_string_append(out, "        </distances>\n      </cell>\n");
        }
        g_string_append(out, "    </numa>\n");
}

/* ---- <numatune> ---- */

static const char *const numa_mode_names[] = {[VM_NUMA_MODE_DEFAULT] = "",
                                              [VM_NUMA_MODE_STRICT] = "strict",
                                              [VM_NUMA_MODE_PREFERRED] = "preferred",
                                              [VM_NUMA_MODE_INTERLEAVE] = "interleave",
                                              NULL};

/* mode and nodeset of <memory> or <memnode>; libvirt's 'restrictive' (cgroups only) and
 * placement='auto' (numad) are refused by name. */
static bool parse_policy(const xmlNode *node, VmNumaPolicy *policy, GError **error) {
        g_autofree char *mode = xml_attr_value(node, "mode");
        g_autofree char *nodeset = xml_attr_value(node, "nodeset");
        g_autofree char *placement = xml_attr_value(node, "placement");
        int choice = VM_NUMA_MODE_STRICT;

        if (placement && !g_str_equal(placement, "static"))
                return xml_fail_unsupported_value(error, node, "placement", placement);
        if (mode && (choice = xml_lookup_name(numa_mode_names, mode)) <= 0)
                return xml_fail_unsupported_value(error, node, "mode", mode);
        if (!nodeset)
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<%s>' of '<numatune>' needs a 'nodeset'",
                                (const char *) node->name);
        if (!domain_xml_parse_id_set(nodeset, VM_HOST_NODES_MAX, &policy->nodes, 1))
                return xml_fail_bad_value(error, node, "nodeset", nodeset, "expected host NUMA nodes below 64");
        policy->mode = mode ? choice : VM_NUMA_MODE_DEFAULT;
        return true;
}

bool domain_xml_parse_numatune(const xmlNode *node, VmPlatform *platform, GError **error) {
        static const char *const memory_attributes[] = { "mode", "nodeset", "placement", NULL };
        static const char *const memnode_attributes[] = { "cellid", "mode", "nodeset", NULL };
        VmNumaTune *tune = &platform->numatune;
        bool memory_seen = false;

        if (!xml_check_attributes(node, NULL, error) || !xml_check_element_content(node, error))
                return false;
        tune->set = true;
        for (const xmlNode *child = node->children; child; child = child->next) {
                g_autofree char *cellid = NULL;
                unsigned cell;

                if (child->type != XML_ELEMENT_NODE)
                        continue;
                if (xml_is_element(child, "memory")) {
                        if (memory_seen)
                                return xml_fail(error, child, HV_ERROR_INVALID_XML,
                                                "'<memory>' appears more than once in '<numatune>'");
                        memory_seen = true;
                        if (!xml_check_empty_element(child, memory_attributes, error) ||
                            !parse_policy(child, &tune->memory, error))
                                return false;
                        continue;
                }
                if (!xml_is_element(child, "memnode"))
                        return xml_fail_unsupported_element(error, child);
                if (!xml_check_empty_element(child, memnode_attributes, error))
                        return false;
                cellid = xml_attr_value(child, "cellid");
                if (!cellid || !parse_id(cellid, platform->cpu.n_numa, &cell)) {
                        g_autofree char *rule = g_strdup_printf("expected a NUMA cell of '<cpu><numa>', below %u",
                                                                platform->cpu.n_numa);
                        return xml_fail_bad_value(error, child, "cellid", cellid ? cellid : "", rule);
                }
                if (tune->memnode[cell].nodes)
                        return xml_fail(error, child, HV_ERROR_INVALID_ARGUMENT,
                                        "'<memnode cellid='%u'>' appears twice in '<numatune>'", cell);
                if (!parse_policy(child, &tune->memnode[cell], error))
                        return false;
        }
        return true;
}

static void append_policy(GString *out, const char *element, const VmNumaPolicy *policy, int cell) {
        g_string_append_printf(out, "    <%s", element);
        if (cell >= 0)
                g_string_append_printf(out, " cellid='%d'", cell);
        if (policy->mode)
                g_string_append_printf(out, " mode='%s'", numa_mode_names[policy->mode]);
        g_string_append(out, " nodeset='");
        domain_xml_append_id_set(out, &policy->nodes, VM_HOST_NODES_MAX);
        g_string_append(out, "'/>\n");
}

void domain_xml_format_numatune(GString *out, const VmPlatform *platform) {
        const VmNumaTune *tune = &platform->numatune;

        if (!tune->set)
                return;
        g_string_append(out, "  <numatune>\n");
        if (tune->memory.nodes)
                append_policy(out, "memory", &tune->memory, -1);
        for (unsigned i = 0; i < VM_NUMA_CELLS_MAX; i++)
                if (tune->memnode[i].nodes)
                        append_policy(out, "memnode", &tune->memnode[i], (int) i);
        g_string_append(out, "  </numatune>\n");
}
