/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <memory model> in <devices> (see domain-xml-memdev.h):
 *
 *   <memory model='dimm' access='shared' discard='yes'>
 *     <source><nodemask>1-3</nodemask><pagesize unit='KiB'>2048</pagesize></source>
 *     <target><size unit='KiB'>524288</size><node>0</node></target>
 *     <address type='dimm' slot='0' base='0x100000000'/>
 *   </memory>
 *
 * nvdimm and virtio-pmem take <source><path>: a file of the owner's, which QEMU opens as the
 * owner. What would need more (an nvdimm's label or read-only mode, virtio-mem's blocks, SGX)
 * is refused naming it. Whether a slot, node and size fit <maxMemory> is the engine's check.
 */

#include <inttypes.h>
#include <string.h>

#include "domain-xml-devices.h"
#include "domain-xml-memdev.h"
#include "domain-xml-platform.h"
#include "domain-xml-private.h"
#include "domain-xml-reader.h"
#include "domain-xml-writer.h"
#include "domain-xml.h"
#include "hv-error.h"

#define MEMORY_DEVICE_MAX (UINT64_C(1) << 50)

static const char *const model_names[] = {
        [VM_MEMORY_DIMM] = "dimm", [VM_MEMORY_NVDIMM] = "nvdimm", [VM_MEMORY_VIRTIO_PMEM] = "virtio-pmem", NULL};
static const char *const access_names[] = {"shared", "private", NULL};
static const char *const yes_no[] = {"yes", "no", NULL};

/* A decimal number of at most 10 digits. */
static bool parse_number(const char *text, uint64_t *ret) {
        size_t n = strlen(text);

        if (n == 0 || n > 10 || strspn(text, "0123456789") != n)
                return false;
        *ret = g_ascii_strtoull(text, NULL, 10);
        return true;
}

/* <size unit>N</size> or <pagesize unit>N</pagesize>: KiB unless unit says otherwise. */
static bool parse_size(const xmlNode *node, uint64_t *ret, GError **error) {
        static const char *const attributes[] = {"unit", NULL};
        g_autofree char *text = NULL, *unit = NULL;

        if (!xml_element_text(node, attributes, true, &text, error))
                return false;
        unit = xml_attr_value(node, "unit");
        if (!domain_xml_parse_size(text, unit, ret) || *ret == 0) {
                g_autofree char *label = xml_element_label(node);
                return xml_fail_bad_value(error, node, label, text,
                                          "expected a whole number above 0, in KiB or the 'unit' given");
        }
        return true;
}

static bool parse_source(const xmlNode *node, VmMemoryDevice *mem, GError **error) {
        static const char *const children[] = {"nodemask", "pagesize", "path", NULL};
        xmlNode *c[3] = {};
        g_autofree char *nodemask = NULL;
        uint64_t page = 0;

        if (!xml_check_attributes(node, NULL, error) || !xml_collect_children(node, children, c, error))
                return false;
        if (c[0]) {
                if (!xml_element_text(c[0], NULL, true, &nodemask, error))
                        return false;
                if (!domain_xml_parse_id_set(nodemask, VM_HOST_NODES_MAX, &mem->host_nodes, 1) || !mem->host_nodes)
                        return xml_fail_bad_value(error, c[0], "nodemask", nodemask,
                                                  "expected host NUMA nodes below 64, as '0-3,^2'");
        }
        if (c[1]) {
                if (!parse_size(c[1], &page, error))
                        return false;
                if (page != 4u << 10 && page != 2u << 20 && page != UINT64_C(1) << 30)
                        return xml_fail(error, c[1], HV_ERROR_INVALID_ARGUMENT,
                                        "invalid '<pagesize>': expected x86's 4 KiB, 2 MiB or 1 GiB");
                mem->page_kib = page >> 10;
        }
        if (c[2]) {
                if (mem->model == VM_MEMORY_DIMM)
                        return xml_fail(error, c[2], HV_ERROR_INVALID_XML,
                                        "'<path>' is for an nvdimm or virtio-pmem, not a dimm");
                if (!xml_element_text(c[2], NULL, true, &mem->path, error))
                        return false;
                if (!g_path_is_absolute(mem->path) || strchr(mem->path, '\n'))
                        return xml_fail_bad_value(error, c[2], "path", mem->path, "must be absolute");
        }
        if (mem->model != VM_MEMORY_DIMM && (c[0] || c[1]))
                return xml_fail(error, c[0] ? c[0] : c[1], HV_ERROR_NOT_SUPPORTED,
                                "'<%s>' of a '<memory model='%s'>' is not supported: its memory is its file",
                                c[0] ? "nodemask" : "pagesize", model_names[mem->model]);
        return true;
}

static bool parse_target(const xmlNode *node, VmMemoryDevice *mem, GError **error) {
        static const char *const children[] = {"size", "node", "label", "readonly", "block", "requested", NULL};
        xmlNode *c[6] = {};
        g_autofree char *text = NULL;
        uint64_t node_id = 0;

        if (!xml_check_attributes(node, NULL, error) || !xml_collect_children(node, children, c, error))
                return false;
        for (size_t i = 2; i < G_N_ELEMENTS(c); i++)
                if (c[i])
                        return xml_fail(error, c[i], HV_ERROR_NOT_SUPPORTED,
                                        "'<%s>' in the '<target>' of a '<memory>' is not supported", children[i]);
        if (!c[0])
                return xml_fail_missing(error, node, "size");
        if (!parse_size(c[0], &mem->size, error))
                return false;
        /* Bounded, so that the sum of 256 devices cannot overflow. */
        if (mem->size > MEMORY_DEVICE_MAX)
                return xml_fail(error, c[0], HV_ERROR_INVALID_ARGUMENT,
                                "a '<memory>' device of more than 1 PiB is not supported");
        mem->node = -1;
        if (c[1]) {
                if (!xml_element_text(c[1], NULL, true, &text, error))
                        return false;
                if (!parse_number(text, &node_id) || node_id >= VM_NUMA_CELLS_MAX)
                        return xml_fail_bad_value(error, c[1], "node", text, "expected a NUMA cell of '<cpu><numa>'");
                mem->node = (int) node_id;
        }
        return true;
}

/* <address type='dimm' slot base> (dimm and nvdimm); virtio-pmem's <address type='pci'> is the
 * device's own. */
static bool parse_address(const xmlNode *node, VmDevice *device, GError **error) {
        static const char *const attributes[] = {"type", "slot", "base", NULL};
        g_autofree char *type = xml_attr_value(node, "type");
        g_autofree char *slot = xml_attr_value(node, "slot");
        g_autofree char *base = xml_attr_value(node, "base");
        VmMemoryDevice *mem = &device->mem;
        uint64_t number;
        char *end = NULL;

        if (mem->model == VM_MEMORY_VIRTIO_PMEM)
                return domain_xml_parse_address(node, &device->address, error);
        if (!xml_check_empty_element(node, attributes, error))
                return false;
        if (!g_str_equal(type ? type : "", "dimm"))
                return xml_fail_unsupported_value(error, node, "type", type ? type : "");
        if (slot) {
                if (!parse_number(slot, &number) || number >= VM_MEMORY_SLOTS_MAX)
                        return xml_fail_bad_value(error, node, "slot", slot, "expected a slot below 256");
                mem->has_slot = true;
                mem->slot = (unsigned) number;
        }
        if (base) {
                number = g_ascii_strtoull(base, &end, 0);
                if (!*base || *end || number == 0 || number % 4096 != 0)
                        return xml_fail_bad_value(error, node, "base", base,
                                                  "expected an address aligned to 4 KiB, as '0x100000000'");
                mem->base = number;
        }
        return true;
}

VmDevice *domain_xml_parse_memory_device(const xmlNode *node, GError **error) {
        static const char *const attributes[] = {"model", "access", "discard", NULL};
        static const char *const children[] = {"source", "target", "address", "alias", NULL};
        static const char *const other_models[] = {"virtio-mem", "sgx-epc", NULL};
        g_autoptr(VmDevice) device = vm_device_new(VM_DEVICE_MEMORY);
        VmMemoryDevice *mem = &device->mem;
        g_autofree char *model = NULL, *access = NULL, *discard = NULL;
        xmlNode *c[4] = {};
        int choice;

        if (!xml_check_attributes(node, attributes, error))
                return NULL;
        model = xml_attr_value(node, "model");
        if (model && xml_lookup_name(other_models, model) >= 0) {
                xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                         "model='%s' of '<memory>' is not supported (dimm, nvdimm and virtio-pmem are)", model);
                return NULL;
        }
        if (!xml_attr_choice(node, "model", model_names, -1, &choice, error) ||
            !xml_collect_children(node, children, c, error))
                return NULL;
        mem->model = choice;
        access = xml_attr_value(node, "access");
        if (access) {
                if (!xml_attr_choice(node, "access", access_names, -1, &choice, error))
                        return NULL;
                mem->access = choice == 0 ? VM_MEMORY_ACCESS_SHARED : VM_MEMORY_ACCESS_PRIVATE;
        }
        discard = xml_attr_value(node, "discard");
        if (discard) {
                if (!xml_attr_choice(node, "discard", yes_no, -1, &choice, error))
                        return NULL;
                mem->discard = choice == 0 ? VM_SWITCH_ON : VM_SWITCH_OFF;
        }
        if (!c[1]) {
                xml_fail_missing(error, node, "target");
                return NULL;
        }
        if ((c[0] && !parse_source(c[0], mem, error)) || !parse_target(c[1], mem, error) ||
            (c[2] && !parse_address(c[2], device, error)) || !domain_xml_parse_alias(c[3], device, error))
                return NULL;
        if (mem->model != VM_MEMORY_DIMM && !mem->path) {
                xml_fail(error, node, HV_ERROR_INVALID_XML, "'<memory model='%s'>' needs a '<source><path>'",
                         model_names[mem->model]);
                return NULL;
        }
        if (mem->model == VM_MEMORY_VIRTIO_PMEM && mem->node >= 0) {
                xml_fail(error, c[1], HV_ERROR_INVALID_XML, "a virtio-pmem has no NUMA '<node>'");
                return NULL;
        }
        return g_steal_pointer(&device);
}

void domain_xml_format_memory_device(GString *out, unsigned level, const VmMemoryDevice *mem) {
        g_string_append_printf(out, " model='%s'", model_names[mem->model]);
        if (mem->access)
                g_string_append_printf(out, " access='%s'",
                                       mem->access == VM_MEMORY_ACCESS_SHARED ? "shared" : "private");
        if (mem->discard)
                g_string_append_printf(out, " discard='%s'", mem->discard == VM_SWITCH_ON ? "yes" : "no");
        g_string_append(out, ">\n");
        if (mem->host_nodes || mem->page_kib || mem->path) {
                domain_xml_append_indent(out, level + 1);
                g_string_append(out, "<source>\n");
                if (mem->host_nodes) {
                        domain_xml_append_indent(out, level + 2);
                        g_string_append(out, "<nodemask>");
                        domain_xml_append_id_set(out, &mem->host_nodes, VM_HOST_NODES_MAX);
                        g_string_append(out, "</nodemask>\n");
                }
                if (mem->page_kib) {
                        domain_xml_append_indent(out, level + 2);
                        g_string_append_printf(out, "<pagesize unit='KiB'>%" PRIu64 "</pagesize>\n", mem->page_kib);
                }
                domain_xml_append_text_element(out, level + 2, "path", mem->path);
                domain_xml_append_indent(out, level + 1);
                g_string_append(out, "</source>\n");
        }
        domain_xml_append_indent(out, level + 1);
        g_string_append(out, "<target>\n");
        domain_xml_append_indent(out, level + 2);
        g_string_append_printf(out, "<size unit='b'>%" PRIu64 "</size>\n", mem->size);
        if (mem->node >= 0) {
                domain_xml_append_indent(out, level + 2);
                g_string_append_printf(out, "<node>%d</node>\n", mem->node);
        }
        domain_xml_append_indent(out, level + 1);
        g_string_append(out, "</target>\n");
        if (mem->has_slot || mem->base) {
                domain_xml_append_indent(out, level + 1);
                g_string_append(out, "<address type='dimm'");
                if (mem->has_slot)
                        g_string_append_printf(out, " slot='%u'", mem->slot);
                if (mem->base)
                        g_string_append_printf(out, " base='0x%" PRIx64 "'", mem->base);
                g_string_append(out, "/>\n");
        }
}
