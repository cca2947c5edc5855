/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * libFuzzer entry point for the depth bound of every JSON the service parses
 * (kvm-engine/json-bounded.c). The oracle: whatever json-glib builds from a
 * text hv_json_parse() lets through is never deeper than the count said, so
 * no text can hide brackets from the count (a quote in a comment, say).
 */

#include <stdint.h>
#include <stdlib.h>

#include "json-bounded.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t node_depth(JsonNode *node) {
        size_t deepest = 0;

        if (JSON_NODE_HOLDS_ARRAY(node)) {
                JsonArray *array = json_node_get_array(node);
                for (guint i = 0; i < json_array_get_length(array); i++) {
                        size_t depth = node_depth(json_array_get_element(array, i)); /* not in MAX(): once */
                        deepest = MAX(deepest, depth);
                }
                return deepest + 1;
        }
        if (JSON_NODE_HOLDS_OBJECT(node)) {
                g_autoptr(GList) members = json_object_get_values(json_node_get_object(node));
                for (GList *l = members; l; l = l->next) {
                        size_t depth = node_depth(l->data);
                        deepest = MAX(deepest, depth);
                }
                return deepest + 1;
        }
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *text = (const char *) data;
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        g_autoptr(GError) error = NULL;

        size_t depth = hv_json_depth(text, size, HV_JSON_MAX_DEPTH);
        if (depth != HV_JSON_DEPTH_UNKNOWN && depth > HV_JSON_MAX_DEPTH + 1)
                abort();
        if (!hv_json_parse(parser, text, size, "fuzz", &error)) {
                if (!error)
                        abort();
                return 0;
        }
        if (depth > HV_JSON_MAX_DEPTH)
                abort();
        JsonNode *root = json_parser_get_root(parser);
        if (root && node_depth(root) > depth)
                abort();
        return 0;
}
