/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The depth bound every JSON from an engine goes through
 * (kvm-engine/json-bounded.c): the bracket count, and hv_json_parse() refusing
 * 200,000 levels before json-glib would recurse into them.
 */

#include <string.h>

#include "hv-error.h"
#include "json-bounded.h"

#define ATTACK_LEVELS 200000

/* @levels opening brackets (alternately [ and {"a":), a 1, and their closing ones. */
static char *nested(size_t levels, const char *before) {
        g_autoptr(GString) text = g_string_new(before);
        for (size_t i = 0; i < levels; i++)
                g_string_append(text, i % 2 ? "{\"a\":" : "[");
        g_string_append(text, "1");
        for (size_t i = levels; i > 0; i--)
                g_string_append_c(text, (i - 1) % 2 ? '}' : ']');
        return g_string_free(g_steal_pointer(&text), false);
}

static size_t depth_of(const char *text) {
        return hv_json_depth(text, strlen(text), 1000);
}

static void test_depth(void) {
        g_assert_cmpuint(depth_of(""), ==, 0);
        g_assert_cmpuint(depth_of("1"), ==, 0);
        g_assert_cmpuint(depth_of("[]"), ==, 1);
        g_assert_cmpuint(depth_of("[[{\"a\":{}}], []]"), ==, 4);
        g_assert_cmpuint(depth_of("\"[[[{{{\""), ==, 0);
        g_assert_cmpuint(depth_of("[\"\\\"[[\"]"), ==, 1);
        g_assert_cmpuint(depth_of("[\"\\\\\", [[1]]]"), ==, 3);
        g_assert_cmpuint(depth_of("]]]][["), ==, 2);
        /* Stops at the limit. */
        g_assert_cmpuint(hv_json_depth("[[[[[[", 6, 3), ==, 4);
        /* What json-glib accepts beyond JSON, where a quote could hide brackets. */
        g_assert_cmpuint(depth_of("/* \" */ [[1]]"), ==, HV_JSON_DEPTH_UNKNOWN);
        g_assert_cmpuint(depth_of("['\"', [[1]]]"), ==, HV_JSON_DEPTH_UNKNOWN);
        g_assert_cmpuint(depth_of("[\"a/b's\"]"), ==, 1);
}

static void assert_refused(const char *text, const char *words) {
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        g_autoptr(GError) error = NULL;
        g_assert_false(hv_json_parse(parser, text, strlen(text), "QEMU", &error));
        g_assert_error(error, HV_ERROR, HV_ERROR_ENGINE_FAILED);
        g_assert_nonnull(strstr(error->message, "QEMU"));
        g_assert_nonnull(strstr(error->message, words));
        g_assert_null(json_parser_get_root(parser));
}

static void test_deep_refused(void) {
        g_autofree char *deep = nested(ATTACK_LEVELS, "");
        assert_refused(deep, "deeper than 64 levels");
}

static void test_limit(void) {
        g_autofree char *at_limit = nested(HV_JSON_MAX_DEPTH, "");
        g_autofree char *over = nested(HV_JSON_MAX_DEPTH + 1, "");
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        g_autoptr(GError) error = NULL;

        g_assert_true(hv_json_parse(parser, at_limit, strlen(at_limit), "QEMU", &error));
        g_assert_no_error(error);
        g_assert_true(JSON_NODE_HOLDS_ARRAY(json_parser_get_root(parser)));
        assert_refused(over, "deeper than 64 levels");
}

/* A quote in a comment or a single-quoted string must not hide the brackets. */
static void test_hidden_brackets(void) {
        g_autofree char *after_comment = nested(ATTACK_LEVELS, "/* \" */ ");
        g_autofree char *after_single = nested(ATTACK_LEVELS, "['\"', ");
        assert_refused(after_comment, "comment");
        assert_refused(after_single, "single-quoted");
}

/*
 * A \u escape without its four hex digits: json-glib takes the quote after it into
 * the string, a plain count took the quote as the string's end and the brackets
 * after the next quote as text (found by fuzz-json-bounded). Only JSON's escapes
 * are counted through.
 */
static void test_broken_escape(void) {
        g_autofree char *deep = nested(ATTACK_LEVELS, "{\"\\u005\"b\": ");
        g_autoptr(GString) attack = g_string_new(deep);

        g_string_append_c(attack, '}');
        assert_refused(attack->str, "escape");
        g_assert_cmpuint(depth_of("[\"\\u005b\\n\\\\\\/\"]"), ==, 1);
        g_assert_cmpuint(depth_of("[\"\\x41\"]"), ==, HV_JSON_DEPTH_UNKNOWN);
        g_assert_cmpuint(depth_of("[\"\\u12\"]"), ==, HV_JSON_DEPTH_UNKNOWN);
}

/* Brackets in strings are data: a long one parses. */
static void test_brackets_in_string(void) {
        g_autoptr(GString) text = g_string_new("{\"return\": \"");
        for (size_t i = 0; i < ATTACK_LEVELS; i++)
                g_string_append(text, "[{");
        g_string_append(text, "\"}");
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        g_autoptr(GError) error = NULL;

        g_assert_true(hv_json_parse(parser, text->str, text->len, "QEMU", &error));
        g_assert_no_error(error);
        JsonObject *object = json_node_get_object(json_parser_get_root(parser));
        g_assert_cmpuint(strlen(json_object_get_string_member(object, "return")), ==, 2 * ATTACK_LEVELS);
}

static void test_malformed(void) {
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        g_autoptr(GError) error = NULL;

        g_assert_false(hv_json_parse(parser, "[1,", 3, "QEMU", &error));
        g_assert_nonnull(error);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/json-bounded/depth", test_depth);
        g_test_add_func("/json-bounded/deep-refused", test_deep_refused);
        g_test_add_func("/json-bounded/limit", test_limit);
        g_test_add_func("/json-bounded/hidden-brackets", test_hidden_brackets);
        g_test_add_func("/json-bounded/brackets-in-string", test_brackets_in_string);
        g_test_add_func("/json-bounded/malformed", test_malformed);
        g_test_add_func("/json-bounded/broken-escape", test_broken_escape);
        return g_test_run();
}
