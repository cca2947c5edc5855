/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include "json-bounded.h"

#include "hv-error.h"

/* The length of the escape at text (which starts with a backslash), or 0 when it is not one of
 * JSON's: \" \\ \/ \b \f \n \r \t, or \u and four hex digits. */
static size_t json_escape_length(const char *text, size_t length) {
        if (length < 2)
                return 0;
        if (strchr("\"\\/bfnrt", text[1]) && text[1] != '\0')
                return 2;
        if (text[1] != 'u' || length < 6)
                return 0;
        for (size_t i = 2; i < 6; i++)
                if (!g_ascii_isxdigit(text[i]))
                        return 0;
        return 6;
}

size_t hv_json_depth(const char *text, size_t length, size_t limit) {
        size_t depth = 0, deepest = 0;
        bool in_string = false;

        for (size_t i = 0; i < length; i++) {
                char c = text[i];
                if (in_string) {
                        if (c == '\\') {
                                /* Only JSON's own escapes: json-glib reads a broken one (a \u
                                 * with fewer than four hex digits, say) in its own way, and
                                 * could then see brackets this count takes for text. */
                                size_t escape = json_escape_length(text + i, length - i);
                                if (escape == 0)
                                        return HV_JSON_DEPTH_UNKNOWN;
                                i += escape - 1;
                        } else if (c == '"')
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
                            "%s sent JSON with a comment, a single-quoted string or an escape that is not JSON's",
                            sender);
                return false;
        }
        if (depth > HV_JSON_MAX_DEPTH) {
                g_set_error(error, HV_ERROR, HV_ERROR_ENGINE_FAILED,
                            "%s sent JSON nested deeper than %d levels, the limit", sender, HV_JSON_MAX_DEPTH);
                return false;
        }
        return json_parser_load_from_data(parser, text, (gssize) length, error);
}
