/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* QEMU's error line reduced to its cause (qemu-error-line.h). */

#include <string.h>

#include "qemu-error-line.h"

/* "-option ARG: MESSAGE" -> MESSAGE; ARG may be JSON holding ": " in its strings. */
static const char *skip_location(const char *rest) {
        const char *space = strchr(rest, ' ');
        const char *end;

        if (rest[0] != '-' || !space)
                return rest;
        if (space[1] == '{') {
                end = strstr(space, "}: ");
                return end ? end + 3 : rest;
        }
        end = strstr(space, ": ");
        return end ? end + 2 : rest;
}

/* "[TIMESTAMP ]PROGRAM: MESSAGE" with a program name of one word (QEMU runs with -msg timestamp=on:
 * "2026-12-06T03:26:33.597015Z qemu-system-x86_64: ..."); our own start marker is not one. */
static const char *error_message(const char *line) {
        const char *space = strchr(line, ' ');
        const char *colon;

        if (strstr(line, " hypervisord: starting "))
                return NULL;
        if (g_ascii_isdigit(line[0]) && space && space > line && space[-1] == 'Z')
                line = space + 1;
        colon = strstr(line, ": ");

        if (!colon || colon == line || memchr(line, ' ', (size_t) (colon - line)))
                return NULL;
        return skip_location(colon + 2);
}

char *qemu_error_cause(const char *log_tail) {
        g_auto(GStrv) lines = NULL;
        guint n;

        if (!log_tail)
                return NULL;
        lines = g_strsplit(log_tail, "\n", -1);
        n = g_strv_length(lines);
        for (guint i = n; i > 0; i--) {
                const char *message = error_message(lines[i - 1]);
                if (message && *message)
                        return g_strdup(message);
        }
        return NULL;
}
