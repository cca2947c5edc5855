/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The host's counters GetStats reads (engine-stats.c): /proc/PID/stat of an
 * engine whose name (comm) its owner chose, and /proc/net/dev.
 */

#include "engine-stats.h"

static void test_proc_stat(void) {
        uint64_t utime = 0, stime = 0;

        g_assert_true(engine_stats_parse_proc_stat(
                "4242 (qemu-system-x86) S 1 4242 4242 0 -1 4194560 1234 0 0 0 150 75 0 0 20 0 5 0 100 0 0\n", &utime,
                &stime));
        g_assert_cmpuint(utime, ==, 150);
        g_assert_cmpuint(stime, ==, 75);
        /* The owner names the process: spaces and ") " in comm do not shift the fields. */
        g_assert_true(engine_stats_parse_proc_stat(
                "4242 (a) 1 2 3 4 5 6 7 8 9 10) R 1 4242 4242 0 -1 4194560 1 0 0 0 7 9 0 0 20 0 1 0 1 0 0\n", &utime,
                &stime));
        g_assert_cmpuint(utime, ==, 7);
        g_assert_cmpuint(stime, ==, 9);
        g_assert_false(engine_stats_parse_proc_stat("4242 (short) S 1 2\n", &utime, &stime));
        g_assert_false(engine_stats_parse_proc_stat("no parenthesis at all", &utime, &stime));
        g_assert_false(engine_stats_parse_proc_stat("1 (x) S 1 1 1 0 -1 0 0 0 0 0 -5 3 0", &utime, &stime));
}

static void test_net_dev(void) {
        const char *text =
                "Inter-|   Receive                                                |  Transmit\n"
                " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo "
                "colls carrier compressed\n"
                "    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0 "
                "    0       0          0\n"
                "hvtap0:    5000      10    0    0    0     0          0         0      700       7    0    0    0 "
                "    0       0          0\n";
        uint64_t counters[4] = {0};

        g_assert_true(engine_stats_parse_net_dev(text, "hvtap0", counters));
        g_assert_cmpuint(counters[0], ==, 5000);
        g_assert_cmpuint(counters[1], ==, 10);
        g_assert_cmpuint(counters[2], ==, 700);
        g_assert_cmpuint(counters[3], ==, 7);
        g_assert_false(engine_stats_parse_net_dev(text, "hvtap", counters));
        g_assert_false(engine_stats_parse_net_dev("hvtap0: 1 2 3\n", "hvtap0", counters));
}

static void test_tap_entry(void) {
        g_autoptr(GVariant) entry = engine_stats_tap_entry("net0", "lo");
        guint64 rx = 0, tx = 0;

        /* lo: what it sends it receives; the entry is the guest's view, swapped. */
        g_assert_nonnull(entry);
        g_variant_ref_sink(entry);
        g_assert_true(g_variant_lookup(entry, "rx-bytes", "t", &rx));
        g_assert_true(g_variant_lookup(entry, "tx-bytes", "t", &tx));
        g_assert_null(engine_stats_tap_entry("net0", "../../etc"));
        g_assert_null(engine_stats_tap_entry("net0", "no-such-interface"));
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/engine-stats/proc-stat", test_proc_stat);
        g_test_add_func("/engine-stats/net-dev", test_net_dev);
        g_test_add_func("/engine-stats/tap-entry", test_tap_entry);
        return g_test_run();
}
