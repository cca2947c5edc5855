/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "json-bounded.h"

#include "hv-error.h"

size_t hv_json_depth(const char *text, size_t length, size_t limit) {
        size_t depth = 0, deepest = 0;
        bool in_string = false;

        for (size_t i = 0; i < length; i++) {
                char c = text[i];
                if (in_string) {
                        if (c == '\\')
                                i++; /* the escaped character, a quote included */
                        else if (c == '"')
                                in_string = false;
                        continue;
                }
                if (c == '"')
                        in_string = true;
                else if (c == '\'' || c == '/')
                        return HV_JSON_DEPTH_UNKNOWN;
                else if (c == '[' || c == '{') {
                        depth++;
                        if (depth > deepest)
                                deepest = depth;
                        if (deepest > limit)
                                return limit + 1;
                } else if ((c == ']' || c == '}') && depth > 0)
                        depth--;
        }
        return deepest;
}

bool hv_json_parse(JsonParser *parser, const char *text, size_t length, const char *sender, GError **error) {
        if (length > G_MAXSSIZE) {
                g_set_error(error, HV_ERROR, HV_ERROR_ENGINE_FAILED, "%s sent a JSON text too long to parse", sender);
                return false;
        }
        size_t depth = hv_json_depth(text, length, HV_JSON_MAX_DEPTH);
        if (depth == HV_JSON_DEPTH_UNKNOWN) {
                g_set_error(error, HV_ERROR, HV_ERROR_ENGINE_FAILED,
                            "%s sent JSON with a comment or a single-quoted string", sender);
                return false;
        }
        if (depth > HV_JSON_MAX_DEPTH) {
                g_set_error(error, HV_ERROR, HV_ERROR_ENGINE_FAILED,
                            "%s sent JSON nested deeper than %d levels, the limit", sender, HV_JSON_MAX_DEPTH);
                return false;
        }
        return json_parser_load_from_data(parser, text, (gssize) length, error);
}
