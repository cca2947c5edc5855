/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * An engine's own words (its log lines, QMP error descriptions, the error text
 * of a cloud-hypervisor reply) quoted as data before they reach the service's
 * log or a D-Bus error: the engine is the VM owner's program, and its text must
 * not forge a line of ours ("CRITICAL ...") nor carry terminal escapes.
 */

#include <glib.h>

/* How much of an engine's text one message quotes, in bytes of its input. */
#define ENGINE_WORDS_MAX 1024

/*
 * @text (@length bytes, or -1 for NUL-terminated) in double quotes, on one
 * line: a backslash, a double quote and every control character are escaped
 * (\\, \", \n, \r, \t, \xNN), invalid UTF-8 becomes U+FFFD, and more than
 * @max_bytes of input is cut, marked with "..." after the closing quote.
 */
char *engine_words_quote(const char *text, gssize length, size_t max_bytes);
