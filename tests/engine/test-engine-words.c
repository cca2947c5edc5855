/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* An engine's words quoted as data (kvm-engine/engine-words.c). */

#include <string.h>

#include "engine-words.h"

static void assert_quoted(const char *text, gssize length, size_t max, const char *expected) {
        g_autofree char *quoted = engine_words_quote(text, length, max);
        g_assert_cmpstr(quoted, ==, expected);
        g_assert_true(g_utf8_validate(quoted, -1, NULL));
}

static void test_escapes(void) {
        assert_quoted("plain words", -1, 100, "\"plain words\"");
        /* A forged line of ours: it stays inside one quoted line. */
        assert_quoted("x\nhypervisord: CRITICAL: forged\r\n", -1, 100,
                      "\"x\\nhypervisord: CRITICAL: forged\\r\\n\"");
        assert_quoted("\x1b[31mred\x07\t\x7f", -1, 100, "\"\\x1b[31mred\\x07\\t\\x7f\"");
        assert_quoted("say \"hi\" \\ there", -1, 100, "\"say \\\"hi\\\" \\\\ there\"");
        /* C1 controls (U+009B is a CSI) are escaped; other UTF-8 is kept. */
        assert_quoted("\xc2\x9b" "2J caf\xc3\xa9", -1, 100, "\"\\u009b2J caf\xc3\xa9\"");
}

static void test_invalid_utf8(void) {
        assert_quoted("bad \xff\xfe end", -1, 100, "\"bad \xef\xbf\xbd\xef\xbf\xbd end\"");
}

static void test_bounded(void) {
        g_autofree char *long_text = g_strnfill(100000, 'a');
        g_autofree char *quoted = engine_words_quote(long_text, -1, ENGINE_WORDS_MAX);

        g_assert_cmpuint(strlen(quoted), ==, ENGINE_WORDS_MAX + 5);
        g_assert_true(g_str_has_suffix(quoted, "\"..."));
        assert_quoted("abcdef", 6, 3, "\"abc\"...");
        assert_quoted("abc", 3, 3, "\"abc\"");
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/engine-words/escapes", test_escapes);
        g_test_add_func("/engine-words/invalid-utf8", test_invalid_utf8);
        g_test_add_func("/engine-words/bounded", test_bounded);
        return g_test_run();
}
