/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The cause of a failed QEMU start, in QEMU's own words, for the first place
 * of the error a user reads: the cause first, then the context.
 * QEMU reports a fatal error as one line "PROGRAM: [LOCATION: ]MESSAGE",
 * where LOCATION is the command-line option it is about ("-blockdev {...}").
 */

#include <glib.h>

/*
 * MESSAGE of the last error line of @log_tail (QEMU's output, one line
 * each), unquoted; NULL when no line looks like one. The caller quotes it
 * (engine-words.h) before it goes anywhere.
 */
char *qemu_error_cause(const char *log_tail);
