/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <stdbool.h>
#include <string.h>

#include "engine-words.h"

char *engine_words_quote(const char *text, gssize length, size_t max_bytes) {
        size_t size = length < 0 ? strlen(text) : (size_t) length;
        bool cut = size > max_bytes;
        g_autofree char *valid = g_utf8_make_valid(text, (gssize) MIN(size, max_bytes));
        g_autoptr(GString) quoted = g_string_new("\"");

        for (const char *p = valid; *p; p++) {
                unsigned char c = (unsigned char) *p;
                if (c == '\\' || c == '"')
                        g_string_append_printf(quoted, "\\%c", c);
                else if (c == '\n')
                        g_string_append(quoted, "\\n");
                else if (c == '\r')
                        g_string_append(quoted, "\\r");
                else if (c == '\t')
                        g_string_append(quoted, "\\t");
                else if (c < 0x20 || c == 0x7f)
                        g_string_append_printf(quoted, "\\x%02x", c);
                else if (c == 0xc2 && (unsigned char) p[1] >= 0x80 && (unsigned char) p[1] <= 0x9f) {
                        /* A C1 control character (U+0080 to U+009F), a terminal escape too. */
                        g_string_append_printf(quoted, "\\u%04x", (unsigned char) p[1]);
                        p++;
                }
                else
                        g_string_append_c(quoted, (char) c);
        }
        g_string_append_c(quoted, '"');
        if (cut)
                g_string_append(quoted, "...");
        return g_string_free(g_steal_pointer(&quoted), false);
}
