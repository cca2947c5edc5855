/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * JSON from an engine, parsed with a bound on its nesting. json-glib recurses
 * once per level without a limit, so 200,000 nested brackets in one QMP line,
 * one cloud-hypervisor reply or one event record would overflow the stack of
 * the root service. Every JSON the service parses goes through
 * hv_json_parse(), which first counts the brackets in one linear pass and
 * refuses anything deeper than HV_JSON_MAX_DEPTH before json-glib sees it.
 *
 * 64 levels: the deepest reply the engines send in practice (QEMU's query-*
 * and query-qmp-schema, cloud-hypervisor's vm.info) is under 8 levels deep.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-glib/json-glib.h>

#define HV_JSON_MAX_DEPTH 64

/* What hv_json_depth() returns for text it cannot count: see there. */
#define HV_JSON_DEPTH_UNKNOWN SIZE_MAX

/*
 * The deepest nesting of arrays and objects in @text (@length bytes), stopping
 * as soon as it exceeds @limit (then it returns @limit + 1). Brackets inside
 * double-quoted strings, escaped quotes included, do not count. Linear in
 * @length; the text need not be valid JSON (json-glib judges that afterwards).
 *
 * json-glib also accepts single-quoted strings and C comments, in which a
 * double quote would hide the brackets after it from this count: a ' or a /
 * outside a string returns HV_JSON_DEPTH_UNKNOWN. No engine sends them. So does
 * an escape in a string that is not one of JSON's (a \u without four hex
 * digits, say), which json-glib reads its own way: the fuzzer found one that
 * hid brackets from the count.
 */
size_t hv_json_depth(const char *text, size_t length, size_t limit);

/*
 * Loads @text (@length bytes) into @parser when it is nested at most
 * HV_JSON_MAX_DEPTH levels deep. @sender names who sent it ("QEMU",
 * "cloud-hypervisor") for the error: too deep is HV_ERROR_ENGINE_FAILED,
 * malformed is json-glib's own error.
 */
bool hv_json_parse(JsonParser *parser, const char *text, size_t length, const char *sender, GError **error);
