/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Domain XML <-> VmMemoryBacking: <memoryBacking>, how the guest's memory is allocated.
 *
 * What an engine can honour without a path on the host: huge pages (<hugepages>, with
 * <page size nodeset> per NUMA cell; x86's 2 MiB and 1 GiB, and 4 KiB meaning none, as
 * libvirt reads it), <nosharepages/>, <source type='anonymous'|'memfd'>, <access mode>,
 * <allocation mode threads>, <discard/> (the memory dropped at QEMU's exit, which anonymous memory and a
 * memfd always are). <source type='file'> (a file in a folder of the host's) and <locked/> (a
 * raised memlock limit) are refused by name.
 */

#include <inttypes.h>
#include <string.h>

#include "domain-xml-platform.h"
#include "domain-xml-reader.h"
#include "domain-xml.h"
#include "hv-error.h"

static const char *const source_names[] = {[VM_MEMORY_SOURCE_DEFAULT] = "",
                                           [VM_MEMORY_SOURCE_ANONYMOUS] = "anonymous",
                                           [VM_MEMORY_SOURCE_MEMFD] = "memfd",
                                           NULL};
static const char *const access_names[] = {[VM_MEMORY_ACCESS_DEFAULT] = "",
                                           [VM_MEMORY_ACCESS_SHARED] = "shared",
                                           [VM_MEMORY_ACCESS_PRIVATE] = "private",
                                           NULL};
static const char *const allocation_names[] = {[VM_MEMORY_ALLOCATION_DEFAULT] = "",
                                               [VM_MEMORY_ALLOCATION_IMMEDIATE] = "immediate",
                                               [VM_MEMORY_ALLOCATION_ONDEMAND] = "ondemand",
                                               NULL};

/* <source type>, <access mode>, <allocation mode>: one attribute, a choice. */
static bool parse_choice(const xmlNode *node, const char *attribute, const char *const *names, int *ret,
                         GError **error) {
        const char *attributes[] = {attribute, NULL};
        g_autofree char *value = NULL;
        int choice;

        if (!node)
                return true;
        if (!xml_check_empty_element(node, attributes, error))
                return false;
        value = xml_attr_value(node, attribute);
        if (value && g_str_equal(value, "file"))
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "type='file' of '<source>' in '<memoryBacking>' is not supported: the memory would "
                                "be a file in a folder of the host's; type='memfd' is the same without one");
        /* names[0] is "", for not written: the element has to say. */
        if (!xml_attr_choice(node, attribute, names + 1, -1, &choice, error))
                return false;
        *ret = choice + 1;
        return true;
}

/* <allocation mode threads>: threads is how many threads QEMU preallocates with (its
 * prealloc-threads), bounded as libvirt does not, since they are the owner's processes' threads. */
static bool parse_allocation(const xmlNode *node, VmMemoryBacking *backing, GError **error) {
        static const char *const attributes[] = {"mode", "threads", NULL};
        g_autofree char *mode = NULL, *threads = NULL;
        int choice;

        if (!node)
                return true;
        if (!xml_check_empty_element(node, attributes, error))
                return false;
        mode = xml_attr_value(node, "mode");
        if (mode) {
                if (!xml_attr_choice(node, "mode", allocation_names + 1, -1, &choice, error))
                        return false;
                backing->allocation = choice + 1;
        }
        threads = xml_attr_value(node, "threads");
        if (threads) {
                size_t n = strlen(threads);
                uint64_t number = 0;
                if (n == 0 || n > 4 || strspn(threads, "0123456789") != n ||
                    (number = g_ascii_strtoull(threads, NULL, 10)) < 1 || number > VM_ALLOCATION_THREADS_MAX)
                        return xml_fail_bad_value(
                                error, node, "threads", threads,
                                "expected a number from 1 to " G_STRINGIFY(VM_ALLOCATION_THREADS_MAX));
                backing->allocation_threads = (unsigned) number;
        }
        return true;
}

static bool parse_page(const xmlNode *node, const VmPlatform *platform, VmMemoryBacking *backing, GError **error) {
        static const char *const attributes[] = { "size", "unit", "nodeset", NULL };
        g_autofree char *size = xml_attr_value(node, "size");
        g_autofree char *unit = xml_attr_value(node, "unit");
        g_autofree char *nodeset = xml_attr_value(node, "nodeset");
        VmHugePage *page = &backing->pages[backing->n_pages];
        uint64_t bytes = 0, cells = 0;

        if (!xml_check_empty_element(node, attributes, error))
                return false;
        if (backing->n_pages == VM_NUMA_CELLS_MAX)
                return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT, "'<hugepages>' has more than %u '<page>'s",
                                VM_NUMA_CELLS_MAX);
        if (!size)
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<page>' needs the attribute 'size'");
        if (!domain_xml_parse_size(size, unit, &bytes) ||
            (bytes != 4u << 10 && bytes != 2u << 20 && bytes != UINT64_C(1) << 30))
                return xml_fail_bad_value(error, node, "page size", size,
                                          "expected x86's 4 KiB (no huge pages), 2 MiB or 1 GiB");
        page->size_kib = bytes >> 10;
        if (nodeset) {
                unsigned n_cells = platform->cpu.n_numa;
                if (n_cells == 0 || !domain_xml_parse_id_set(nodeset, n_cells, &cells, 1)) {
                        g_autofree char *rule =
                                g_strdup_printf("expected NUMA cells of '<cpu><numa>', below %u", n_cells);
                        return xml_fail_bad_value(error, node, "nodeset", nodeset, rule);
                }
                page->cells = (uint32_t) cells;
        }
        for (unsigned i = 0; i < backing->n_pages; i++)
                if ((backing->pages[i].cells & page->cells) != 0 || (!backing->pages[i].cells && !page->cells))
                        return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                                        "two '<page>'s of '<hugepages>' are for the same NUMA cells");
        backing->n_pages++;
        return true;
}

static bool parse_hugepages(const xmlNode *node, const VmPlatform *platform, VmMemoryBacking *backing,
                            GError **error) {
        if (!xml_check_attributes(node, NULL, error) || !xml_check_element_content(node, error))
                return false;
        backing->hugepages = true;
        for (const xmlNode *child = node->children; child; child = child->next) {
                if (child->type != XML_ELEMENT_NODE)
                        continue;
                if (!xml_is_element(child, "page"))
                        return xml_fail_unsupported_element(error, child);
                if (!parse_page(child, platform, backing, error))
                        return false;
        }
        return true;
}

enum { MB_HUGEPAGES, MB_NOSHAREPAGES, MB_SOURCE, MB_ACCESS, MB_ALLOCATION, MB_DISCARD, _MB_MAX };

bool domain_xml_parse_memory_backing(const xmlNode *node, VmPlatform *platform, GError **error) {
        static const char *const children[] = {
                [MB_HUGEPAGES] = "hugepages",
                [MB_NOSHAREPAGES] = "nosharepages",
                [MB_SOURCE] = "source",
                [MB_ACCESS] = "access",
                [MB_ALLOCATION] = "allocation",
                [MB_DISCARD] = "discard",
                NULL,
        };
        static const char *const no_attributes[] = { NULL };
        VmMemoryBacking *backing = &platform->memory_backing;
        xmlNode *c[_MB_MAX] = { NULL };
        int source = 0, access = 0;

        if (!xml_check_attributes(node, NULL, error) || !xml_check_element_content(node, error) ||
            !xml_collect_children(node, children, c, error))
                return false;
        backing->set = true;
        if (c[MB_HUGEPAGES] && !parse_hugepages(c[MB_HUGEPAGES], platform, backing, error))
                return false;
        if (c[MB_NOSHAREPAGES] && !xml_check_empty_element(c[MB_NOSHAREPAGES], no_attributes, error))
                return false;
        backing->nosharepages = c[MB_NOSHAREPAGES] != NULL;
        /* <discard/>: libvirt asks QEMU to drop a memory file's pages when it exits; the engine's
         * memory is anonymous or a memfd, which QEMU's exit always drops. */
        if (c[MB_DISCARD] && !xml_check_empty_element(c[MB_DISCARD], no_attributes, error))
                return false;
        backing->discard = c[MB_DISCARD] != NULL;
        if (!parse_choice(c[MB_SOURCE], "type", source_names, &source, error) ||
            !parse_choice(c[MB_ACCESS], "mode", access_names, &access, error) ||
            !parse_allocation(c[MB_ALLOCATION], backing, error))
                return false;
        backing->source = source;
        backing->access = access;
        /* libvirt's rule: anonymous memory is never huge pages. */
        if (backing->hugepages && backing->source == VM_MEMORY_SOURCE_ANONYMOUS)
                return xml_fail(error, c[MB_SOURCE], HV_ERROR_INVALID_ARGUMENT,
                                "'<hugepages>' with '<source type='anonymous'>': huge pages are not anonymous memory");
        return true;
}

void domain_xml_format_memory_backing(GString *out, const VmMemoryBacking *backing) {
        if (!backing->set)
                return;
        if (!backing->hugepages && !backing->nosharepages && !backing->source && !backing->access &&
            !backing->allocation && !backing->allocation_threads && !backing->discard) {
                g_string_append(out, "  <memoryBacking/>\n");
                return;
        }
        g_string_append(out, "  <memoryBacking>\n");
        if (backing->hugepages && backing->n_pages == 0)
                g_string_append(out, "    <hugepages/>\n");
        if (backing->hugepages && backing->n_pages > 0) {
                g_string_append(out, "    <hugepages>\n");
                for (unsigned i = 0; i < backing->n_pages; i++) {
                        const VmHugePage *page = &backing->pages[i];
                        const char *separator = "";

                        g_string_append_printf(out, "      <page size='%" PRIu64 "' unit='KiB'", page->size_kib);
                        if (page->cells) {
                                g_string_append(out, " nodeset='");
                                for (unsigned cell = 0; cell < VM_NUMA_CELLS_MAX; cell++)
                                        if ((page->cells >> cell) & 1) {
                                                g_string_append_printf(out, "%s%u", separator, cell);
                                                separator = ",";
                                        }
                                g_string_append(out, "'");
                        }
                        g_string_append(out, "/>\n");
                }
                g_string_append(out, "    </hugepages>\n");
        }
        if (backing->nosharepages)
                g_string_append(out, "    <nosharepages/>\n");
        if (backing->source)
                g_string_append_printf(out, "    <source type='%s'/>\n", source_names[backing->source]);
        if (backing->access)
                g_string_append_printf(out, "    <access mode='%s'/>\n", access_names[backing->access]);
        if (backing->allocation || backing->allocation_threads) {
                g_string_append(out, "    <allocation");
                if (backing->allocation)
                        g_string_append_printf(out, " mode='%s'", allocation_names[backing->allocation]);
                if (backing->allocation_threads)
                        g_string_append_printf(out, " threads='%u'", backing->allocation_threads);
                g_string_append(out, "/>\n");
        }
        if (backing->discard)
                g_string_append(out, "    <discard/>\n");
        g_string_append(out, "  </memoryBacking>\n");
}
