/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Domain XML <-> the I/O threads of a VM: <iothreads>N</iothreads> and <iothreadids>.
 *
 * As libvirt reads them: N threads; <iothreadids> names some or all of their ids (each once,
 * from 1), and the ones it does not name take the lowest unused ids, after the named ones.
 * A disk's <driver iothread='id'> names one of them (checked by the engine, which knows on
 * which buses a disk can use one). The thread pool and polling attributes of <iothread> and
 * <defaultiothread> are refused by name.
 */

#include <inttypes.h>
#include <string.h>

#include "domain-xml-platform.h"
#include "domain-xml-reader.h"
#include "domain-xml.h"
#include "hv-error.h"

#define IOTHREAD_ID_MAX 100000

static bool id_taken(const VmConfig *config, unsigned n, uint32_t id) {
        for (unsigned i = 0; i < n; i++)
                if (config->iothread_ids[i] == id)
                        return true;
        return false;
}

static bool parse_ids(const xmlNode *node, VmConfig *config, unsigned *ret_n, GError **error) {
        static const char *const attributes[] = { "id", NULL };
        unsigned n = 0;

        if (!xml_check_attributes(node, NULL, error) || !xml_check_element_content(node, error))
                return false;
        for (const xmlNode *child = node->children; child; child = child->next) {
                g_autofree char *text = NULL;
                uint64_t id;

                if (child->type != XML_ELEMENT_NODE)
                        continue;
                if (!xml_is_element(child, "iothread"))
                        return xml_fail_unsupported_element(error, child);
                if (!xml_check_empty_element(child, attributes, error))
                        return false;
                text = xml_attr_value(child, "id");
                if (!text || !*text || strspn(text, "0123456789") != strlen(text) || strlen(text) > 6 ||
                    (id = g_ascii_strtoull(text, NULL, 10)) < 1 || id > IOTHREAD_ID_MAX)
                        return xml_fail_bad_value(error, child, "iothread id", text ? text : "",
                                                  "expected a number from 1 to " G_STRINGIFY(IOTHREAD_ID_MAX));
                if (id_taken(config, n, (uint32_t) id))
                        return xml_fail(error, child, HV_ERROR_INVALID_ARGUMENT,
                                        "iothread id %" PRIu64 " appears twice in '<iothreadids>'", id);
                if (n == config->n_iothreads)
                        return xml_fail(error, child, HV_ERROR_INVALID_ARGUMENT,
                                        "'<iothreadids>' names more threads than the %u of '<iothreads>'",
                                        config->n_iothreads);
                config->iothread_ids[n++] = (uint32_t) id;
        }
        *ret_n = n;
        return true;
}

bool domain_xml_parse_iothreads(const xmlNode *iothreads, const xmlNode *ids, VmConfig *config, GError **error) {
        g_autofree char *text = NULL;
        unsigned named = 0;
        uint64_t n;

        if (!iothreads)
                return !ids || xml_fail(error, ids, HV_ERROR_INVALID_XML, "'<iothreadids>' needs '<iothreads>'");
        if (!xml_element_text(iothreads, NULL, true, &text, error))
                return false;
        if (!*text || strspn(text, "0123456789") != strlen(text) || strlen(text) > 3 ||
            (n = g_ascii_strtoull(text, NULL, 10)) > VM_IOTHREADS_MAX)
                return xml_fail_bad_value(error, iothreads, "I/O thread count", text,
                                          "expected a number from 0 to " G_STRINGIFY(VM_IOTHREADS_MAX));
        config->n_iothreads = (unsigned) n;
        if (ids && !parse_ids(ids, config, &named, error))
                return false;
        config->iothread_ids_written = ids != NULL;
        for (uint32_t id = 1, i = named; i < config->n_iothreads; id++)
                if (!id_taken(config, i, id))
                        config->iothread_ids[i++] = id;
        return true;
}

void domain_xml_format_iothreads(GString *out, const VmConfig *config) {
        if (config->n_iothreads == 0 && !config->iothread_ids_written)
                return;
        g_string_append_printf(out, "  <iothreads>%u</iothreads>\n", config->n_iothreads);
        if (!config->iothread_ids_written)
                return;
        g_string_append(out, "  <iothreadids>\n");
        for (unsigned i = 0; i < config->n_iothreads; i++)
                g_string_append_printf(out, "    <iothread id='%" PRIu32 "'/>\n", config->iothread_ids[i]);
        g_string_append(out, "  </iothreadids>\n");
}
