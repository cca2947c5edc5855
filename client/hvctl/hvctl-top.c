/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * hvctl top: the statistics of every running VM, again every few seconds, as
 * machinectl status and virt-top give them. CPU% is the engine process's CPU
 * time between two rounds over the time between them (100% = one host CPU);
 * the first round has none yet.
 */

#include <stdio.h>

#include "hvctl.h"

static guint64 lookup_u64(GVariant *dict, const char *key) {
        guint64 value = 0;

        (void) g_variant_lookup(dict, key, "t", &value);
        return value;
}

/* The sum of one counter over the entries of "block" or "net". */
static guint64 sum_devices(GVariant *stats, const char *list_key, const char *counter) {
        g_autoptr(GVariant) list = g_variant_lookup_value(stats, list_key, G_VARIANT_TYPE("aa{sv}"));
        guint64 sum = 0;

        for (gsize i = 0; list && i < g_variant_n_children(list); i++) {
                g_autoptr(GVariant) entry = g_variant_get_child_value(list, i);
                sum += lookup_u64(entry, counter);
        }
        return sum;
}

static char *bytes_cell(guint64 bytes) {
        return g_format_size_full(bytes, G_FORMAT_SIZE_IEC_UNITS);
}

/* One round: a row per running VM; previous maps a VM's UUID to its last cpu-time, updated here. */
static int print_round(Hvctl *ctl, GHashTable *previous, gint64 elapsed_usec) {
        static const char *const headers[] = {"NAME",         "STATE",  "CPU%",   "MEMORY", "DISK READ",
                                              "DISK WRITTEN", "NET RX", "NET TX", NULL};
        g_autoptr(GPtrArray) vms = NULL;
        g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);
        g_autoptr(JsonArray) array = json_array_new();
        g_autoptr(GError) error = NULL;

        vms = hypervisor_client_list_vms_sync(ctl->client, NULL, &error);
        if (!vms)
                return hvctl_fail(error);
        for (guint i = 0; i < vms->len; i++) {
                HypervisorVm *vm = g_ptr_array_index(vms, i);
                g_autoptr(GVariant) stats = NULL;
                g_autoptr(GError) stats_error = NULL;
                const char *uuid = hypervisor_vm_get_uuid(vm);
                guint64 cpu, *before;
                char **cells;

                if (hypervisor_vm_get_pid(vm) == 0)
                        continue;
                stats = hypervisor_vm_get_stats_sync(vm, NULL, &stats_error);
                if (!stats)
                        continue; /* it stopped meanwhile */
                cpu = lookup_u64(stats, "cpu-time");
                before = g_hash_table_lookup(previous, uuid);
                cells = g_new0(char *, 9);
                cells[0] = g_strdup(hypervisor_vm_get_name(vm));
                cells[1] = g_strdup(hypervisor_vm_get_state(vm));
                cells[2] = before && elapsed_usec > 0 && cpu >= *before
                                   ? g_strdup_printf("%.1f", (double) (cpu - *before) / 10.0 / (double) elapsed_usec)
                                   : g_strdup("-");
                cells[3] = hvctl_format_memory(lookup_u64(stats, "memory-actual"));
                cells[4] = bytes_cell(sum_devices(stats, "block", "read-bytes"));
                cells[5] = bytes_cell(sum_devices(stats, "block", "write-bytes"));
                cells[6] = bytes_cell(sum_devices(stats, "net", "rx-bytes"));
                cells[7] = bytes_cell(sum_devices(stats, "net", "tx-bytes"));
                g_hash_table_insert(previous, g_strdup(uuid), g_memdup2(&cpu, sizeof(cpu)));
                if (ctl->json) {
                        g_autoptr(JsonObject) object = json_object_new();
                        json_object_set_string_member(object, "name", cells[0]);
                        json_object_set_string_member(object, "cpu-percent", cells[2]);
                        json_object_set_member(object, "stats", json_gvariant_serialize(stats));
                        json_array_add_object_element(array, g_steal_pointer(&object));
                        g_strfreev(cells);
                } else
                        g_ptr_array_add(rows, cells);
        }
        if (ctl->json) {
                g_autoptr(JsonNode) node = json_node_new(JSON_NODE_ARRAY);
                json_node_set_array(node, array);
                hvctl_print_json(node);
        } else {
                hvctl_print_table(ctl, headers, rows, 1);
                printf("\n");
        }
        fflush(stdout);
        return HVCTL_EXIT_OK;
}

int hvctl_cmd_top(Hvctl *ctl, int argc, char **argv) {
        int count = 0;
        int interval = 2;
        const GOptionEntry entries[] = {
                {"count", 'n', 0, G_OPTION_ARG_INT, &count, "Stop after N rounds", "N"},
                {"interval", 'i', 0, G_OPTION_ARG_INT, &interval, "Seconds between rounds (default 2)", "SECONDS"},
                {NULL},
        };
        g_autoptr(GHashTable) previous = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        gint64 last = 0;
        int r;

        if ((r = hvctl_parse_options(ctl, "top", "[--count N] [--interval SECONDS]", entries, &argc, &argv, 0, 0)) !=
            0)
                return r;
        if (count < 0 || interval < 1)
                return hvctl_usage_error("--count must be 0 or more and --interval 1 or more");
        if ((r = hvctl_connect(ctl)) != 0)
                return r;
        for (int round = 0; count == 0 || round < count; round++) {
                gint64 now;

                if (round > 0)
                        g_usleep((gulong) interval * G_USEC_PER_SEC);
                now = g_get_monotonic_time();
                if ((r = print_round(ctl, previous, last ? now - last : 0)) != 0)
                        return r;
                last = now;
        }
        return HVCTL_EXIT_OK;
}
