/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The dictionary of GetStats, shared by the engines, and the counters the
 * host's kernel keeps for a VM (engine-stats.h).
 */

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine-stats.h"

bool engine_stats_parse_proc_stat(const char *text, uint64_t *ret_utime, uint64_t *ret_stime) {
        /* "pid (comm) state ppid ...": comm may hold spaces and ')', so start after the last ')'. */
        const char *end_of_comm = strrchr(text, ')');
        g_auto(GStrv) fields = NULL;

        if (!end_of_comm)
                return false;
        fields = g_strsplit(end_of_comm + 1, " ", 0);
        /* fields[0] is empty (the space after ')'); field 3 of proc(5), state, is fields[1];
         * utime (14) and stime (15) are fields[12] and fields[13]. */
        if (g_strv_length(fields) < 14)
                return false;
        return g_ascii_string_to_unsigned(fields[12], 10, 0, G_MAXUINT64, ret_utime, NULL) &&
               g_ascii_string_to_unsigned(fields[13], 10, 0, G_MAXUINT64, ret_stime, NULL);
}

void engine_stats_add_cpu(GVariantDict *stats, pid_t pid) {
        g_autofree char *path = NULL;
        g_autofree char *text = NULL;
        uint64_t utime, stime;
        long ticks = sysconf(_SC_CLK_TCK);

        if (pid <= 0 || ticks <= 0)
                return;
        path = g_strdup_printf("/proc/%d/stat", (int) pid);
        if (!g_file_get_contents(path, &text, NULL, NULL) || !engine_stats_parse_proc_stat(text, &utime, &stime))
                return;
        g_variant_dict_insert(stats, "cpu-user", "t", utime * (G_GUINT64_CONSTANT(1000000000) / (uint64_t) ticks));
        g_variant_dict_insert(stats, "cpu-system", "t", stime * (G_GUINT64_CONSTANT(1000000000) / (uint64_t) ticks));
        g_variant_dict_insert(stats, "cpu-time", "t",
                              (utime + stime) * (G_GUINT64_CONSTANT(1000000000) / (uint64_t) ticks));
}

void engine_stats_add_memory(GVariantDict *stats, uint64_t maximum, uint64_t actual) {
        if (actual == 0 || actual > maximum)
                actual = maximum;
        g_variant_dict_insert(stats, "memory-maximum", "t", maximum);
        g_variant_dict_insert(stats, "memory-actual", "t", actual);
        g_variant_dict_insert(stats, "memory-balloon", "t", maximum - actual);
}

GVariant *engine_stats_block_entry(const char *id, uint64_t read_bytes, uint64_t write_bytes, uint64_t read_requests,
                                   uint64_t write_requests) {
        GVariantDict entry;

        g_variant_dict_init(&entry, NULL);
        g_variant_dict_insert(&entry, "id", "s", id);
        g_variant_dict_insert(&entry, "read-bytes", "t", read_bytes);
        g_variant_dict_insert(&entry, "write-bytes", "t", write_bytes);
        g_variant_dict_insert(&entry, "read-requests", "t", read_requests);
        g_variant_dict_insert(&entry, "write-requests", "t", write_requests);
        return g_variant_dict_end(&entry);
}

GVariant *engine_stats_net_entry(const char *id, uint64_t rx_bytes, uint64_t tx_bytes, uint64_t rx_packets,
                                 uint64_t tx_packets) {
        GVariantDict entry;

        g_variant_dict_init(&entry, NULL);
        g_variant_dict_insert(&entry, "id", "s", id);
        g_variant_dict_insert(&entry, "rx-bytes", "t", rx_bytes);
        g_variant_dict_insert(&entry, "tx-bytes", "t", tx_bytes);
        g_variant_dict_insert(&entry, "rx-packets", "t", rx_packets);
        g_variant_dict_insert(&entry, "tx-packets", "t", tx_packets);
        return g_variant_dict_end(&entry);
}

bool engine_stats_parse_net_dev(const char *text, const char *interface, uint64_t ret[4]) {
        g_auto(GStrv) lines = g_strsplit(text, "\n", 0);

        /* "  name: rx_bytes rx_packets errs drop fifo frame compressed multicast tx_bytes tx_packets ..." */
        for (size_t i = 0; lines[i]; i++) {
                const char *colon = strchr(lines[i], ':');
                g_autofree char *name = NULL;
                g_auto(GStrv) fields = NULL;
                uint64_t values[10];
                size_t n = 0;

                if (!colon)
                        continue;
                name = g_strstrip(g_strndup(lines[i], (size_t) (colon - lines[i])));
                if (!g_str_equal(name, interface))
                        continue;
                fields = g_strsplit_set(colon + 1, " \t", 0);
                for (size_t f = 0; fields[f] && n < G_N_ELEMENTS(values); f++) {
                        if (!*fields[f])
                                continue;
                        if (!g_ascii_string_to_unsigned(fields[f], 10, 0, G_MAXUINT64, &values[n], NULL))
                                return false;
                        n++;
                }
                if (n < G_N_ELEMENTS(values))
                        return false;
                ret[0] = values[0]; /* rx bytes */
                ret[1] = values[1]; /* rx packets */
                ret[2] = values[8]; /* tx bytes */
                ret[3] = values[9]; /* tx packets */
                return true;
        }
        return false;
}

GVariant *engine_stats_tap_entry(const char *id, const char *tap) {
        g_autofree char *text = NULL;
        uint64_t host[4];

        /*
         * /proc/net/dev is the one of the reading process's network namespace
         * (the engines' taps are in the service's); /sys/class/net would show
         * the namespace that mounted sysfs.
         */
        if (!tap || !*tap || strlen(tap) >= IFNAMSIZ)
                return NULL;
        if (!g_file_get_contents("/proc/self/net/dev", &text, NULL, NULL) ||
            !engine_stats_parse_net_dev(text, tap, host))
                return NULL;
        /* What the tap receives, the guest sent. */
        return engine_stats_net_entry(id, host[2], host[0], host[3], host[1]);
}

void engine_stats_add_devices(GVariantDict *stats, GVariantBuilder *block, GVariantBuilder *net) {
        g_variant_dict_insert_value(stats, "block", g_variant_builder_end(block));
        g_variant_dict_insert_value(stats, "net", g_variant_builder_end(net));
}

uint64_t engine_stats_member_u64(JsonObject *object, const char *name) {
        JsonNode *node = object ? json_object_get_member(object, name) : NULL;
        gint64 value;

        if (!node || !JSON_NODE_HOLDS_VALUE(node) || json_node_get_value_type(node) != G_TYPE_INT64)
                return 0;
        value = json_node_get_int(node);
        return value > 0 ? (uint64_t) value : 0;
}
