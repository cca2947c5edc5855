/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <backingStore> chains and <metadata_cache>: reading and writing (see domain-xml-backing.h).
 * Each layer's image is read by QEMU, as the VM's owner, like the disk's own; the service
 * opens none of them. The chain is walked in a loop, not by recursion: its depth is bounded by
 * the reader's nesting limit (XML_READ_MAX_DEPTH) and VM_DISK_BACKING_MAX.
 */

#include <inttypes.h>
#include <string.h>

#include "domain-xml-backing.h"
#include "domain-xml-disk-network.h"
#include "domain-xml-private.h"
#include "domain-xml-reader.h"
#include "domain-xml-writer.h"
#include "hv-error.h"

bool domain_xml_check_source_index(const xmlNode *node, GError **error) {
        g_autofree char *value = xml_attr_value(node, "index");

        /* libvirt's schema: a positive integer. Its define (an inactive domain) reads past it. */
        if (value && (!*value || strlen(value) > 10 || strspn(value, "0123456789") != strlen(value) ||
                      g_ascii_strtoull(value, NULL, 10) == 0 || g_ascii_strtoull(value, NULL, 10) > UINT32_MAX))
                return xml_fail_bad_value(error, node, "index", value, "expected a number from 1 to 4294967295");
        return true;
}

bool domain_xml_parse_metadata_cache(const xmlNode *node, VmDiskFormat format, uint64_t *bytes, GError **error) {
        static const char *const children[] = {"max_size", NULL};
        static const char *const size_attributes[] = {"unit", NULL};
        xmlNode *max_size = NULL;
        g_autofree char *text = NULL, *unit = NULL;

        *bytes = 0;
        if (!xml_check_attributes(node, NULL, error) || !xml_collect_children(node, children, &max_size, error))
                return false;
        if (!max_size)
                return true;
        if (!xml_element_text(max_size, size_attributes, true, &text, error))
                return false;
        unit = xml_attr_value(max_size, "unit");
        /* libvirt: bytes when no unit is given. */
        if (!domain_xml_parse_size(text, unit ? unit : "bytes", bytes))
                return xml_fail_bad_value(error, max_size, "max_size", text,
                                          "expected a whole number of bytes, or of the 'unit' given, that fits in 64 "
                                          "bits");
        /* QEMU's cache-size is a qcow2 option; libvirt refuses it for other formats. */
        if (*bytes && format != VM_DISK_FORMAT_QCOW2)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "'<metadata_cache>' of a '%s' image is not supported: only qcow2 images have one",
                                domain_xml_disk_format_names[format]);
        return true;
}

void domain_xml_format_metadata_cache(GString *out, unsigned level, uint64_t bytes) {
        if (!bytes)
                return;
        domain_xml_append_indent(out, level);
        g_string_append(out, "<metadata_cache>\n");
        domain_xml_append_indent(out, level + 1);
        g_string_append_printf(out, "<max_size unit='bytes'>%" PRIu64 "</max_size>\n", bytes);
        domain_xml_append_indent(out, level);
        g_string_append(out, "</metadata_cache>\n");
}

enum { BACKING_FORMAT, BACKING_SOURCE, BACKING_STORE, _BACKING_CHILD_MAX };
static const char *const backing_children[] = {
        [BACKING_FORMAT] = "format", [BACKING_SOURCE] = "source", [BACKING_STORE] = "backingStore", NULL};
static const char *const layer_type_names[] = {"file", "block", "network", NULL};

/* <format type>: the layer's image format, and its <metadata_cache>. */
static bool parse_layer_format(const xmlNode *node, VmDiskLayer *layer, GError **error) {
        static const char *const attributes[] = {"type", NULL};
        static const char *const children[] = {"metadata_cache", NULL};
        xmlNode *cache = NULL;
        int choice;

        if (!xml_check_attributes(node, attributes, error) || !xml_collect_children(node, children, &cache, error) ||
            !xml_attr_choice(node, "type", domain_xml_disk_format_names, -1, &choice, error))
                return false;
        layer->format = choice;
        return !cache || domain_xml_parse_metadata_cache(cache, layer->format, &layer->metadata_cache, error);
}

/* <source file|dev index> of a file or block layer. */
static bool parse_layer_source(const xmlNode *source, const DomainXmlPaths *paths, VmDiskLayer *layer,
                               GError **error) {
        static const char *const file_attributes[] = {"file", "index", NULL};
        static const char *const dev_attributes[] = {"dev", "index", NULL};
        const char *attribute = layer->block ? "dev" : "file";
        g_autofree char *path = NULL;

        if (!xml_check_empty_element(source, layer->block ? dev_attributes : file_attributes, error) ||
            !domain_xml_check_source_index(source, error))
                return false;
        path = xml_attr_value(source, attribute);
        if (!path || !*path)
                return xml_fail(error, source, HV_ERROR_INVALID_XML,
                                "'<source>' of a '<backingStore type='%s'>' needs the attribute '%s'",
                                layer->block ? "block" : "file", attribute);
        if (layer->block) {
                if (!g_path_is_absolute(path))
                        return xml_fail_bad_value(error, source, "path", path, "must be absolute");
                layer->path = g_steal_pointer(&path);
                return true;
        }
        layer->path = domain_xml_resolve_image_path(path, paths, source, error);
        return layer->path != NULL;
}

static bool parse_layer(const xmlNode *node, int type, const DomainXmlPaths *paths, VmDiskLayer *layer, xmlNode **c,
                        GError **error) {
        if (!c[BACKING_FORMAT])
                return xml_fail_missing(error, node, "format");
        if (!c[BACKING_SOURCE])
                return xml_fail_missing(error, node, "source");
        if (!parse_layer_format(c[BACKING_FORMAT], layer, error))
                return false;
        layer->block = type == 1;
        if (type == 2) {
                VmDisk scratch = {};
                bool ok = domain_xml_parse_disk_network(node, c[BACKING_SOURCE], &scratch, error);
                layer->network = g_steal_pointer(&scratch.network);
                return ok;
        }
        return parse_layer_source(c[BACKING_SOURCE], paths, layer, error);
}

bool domain_xml_parse_disk_backing(const xmlNode *node, const DomainXmlPaths *paths, VmDisk *disk, GError **error) {
        static const char *const attributes[] = {"type", "index", NULL};
        VmDiskFormat above = disk->format;
        const xmlNode *above_node = node->parent;

        for (const xmlNode *current = node; current;) {
                g_autofree char *type = xml_attr_value(current, "type");
                xmlNode *c[_BACKING_CHILD_MAX] = {};
                VmDiskLayer *layer;
                int choice;

                /* The end of the chain: no type, nothing in it (libvirt's schema). */
                if (!type) {
                        bool empty = current->properties == NULL;
                        for (const xmlNode *child = current->children; child; child = child->next)
                                empty &= child->type != XML_ELEMENT_NODE;
                        if (!empty)
                                return xml_fail(error, current, HV_ERROR_INVALID_XML,
                                                "'<backingStore>' needs the attribute 'type', or nothing in it to end "
                                                "the chain");
                        if (!xml_check_element_content(current, error))
                                return false;
                        disk->backing_end = true;
                        return true;
                }
                if (!vm_disk_has_medium(disk))
                        return xml_fail(error, current, HV_ERROR_INVALID_ARGUMENT,
                                        "a '<disk>' without a '<source>' has no image for a '<backingStore>' to be "
                                        "below");
                /* QEMU's raw driver has no backing file (libvirt refuses the chain when the VM starts). */
                if (above != VM_DISK_FORMAT_QCOW2)
                        return xml_fail(error, current, HV_ERROR_INVALID_ARGUMENT,
                                        "a '<backingStore type='%s'>' below the %s image of line %u: only a qcow2 "
                                        "image has a backing file",
                                        type, domain_xml_disk_format_names[above], xml_line(above_node));
                if (disk->n_backing == VM_DISK_BACKING_MAX)
                        return xml_fail(error, current, HV_ERROR_LIMITS_EXCEEDED,
                                        "more than %d layers in a '<backingStore>' chain", VM_DISK_BACKING_MAX);
                if (!xml_check_attributes(current, attributes, error) ||
                    !xml_attr_choice(current, "type", layer_type_names, -1, &choice, error) ||
                    !domain_xml_check_source_index(current, error) ||
                    !xml_collect_children(current, backing_children, c, error))
                        return false;
                disk->backing = g_renew(VmDiskLayer, disk->backing, disk->n_backing + 1);
                layer = &disk->backing[disk->n_backing++];
                *layer = (VmDiskLayer){};
                if (!parse_layer(current, choice, paths, layer, c, error))
                        return false;
                above = layer->format;
                above_node = current;
                current = c[BACKING_STORE];
        }
        return true;
}

void domain_xml_format_disk_backing(GString *out, unsigned level, const VmDisk *disk) {
        unsigned depth = level;

        for (unsigned i = 0; i < disk->n_backing; i++, depth++) {
                const VmDiskLayer *layer = &disk->backing[i];

                domain_xml_append_indent(out, depth);
                g_string_append_printf(out, "<backingStore type='%s'>\n",
                                       layer->network ? "network"
                                       : layer->block ? "block"
                                                      : "file");
                domain_xml_append_indent(out, depth + 1);
                g_string_append_printf(out, "<format type='%s'", domain_xml_disk_format_names[layer->format]);
                if (layer->metadata_cache) {
                        g_string_append(out, ">\n");
                        domain_xml_format_metadata_cache(out, depth + 2, layer->metadata_cache);
                        domain_xml_append_indent(out, depth + 1);
                        g_string_append(out, "</format>\n");
                } else
                        g_string_append(out, "/>\n");
                if (layer->network)
                        domain_xml_format_disk_network(out, depth + 1, layer->network);
                else {
                        domain_xml_append_indent(out, depth + 1);
                        g_string_append(out, "<source");
                        domain_xml_append_attr(out, layer->block ? "dev" : "file", layer->path);
                        g_string_append(out, "/>\n");
                }
        }
        if (disk->backing_end) {
                domain_xml_append_indent(out, depth);
                g_string_append(out, "<backingStore/>\n");
        }
        while (depth-- > level) {
                domain_xml_append_indent(out, depth);
                g_string_append(out, "</backingStore>\n");
        }
}
