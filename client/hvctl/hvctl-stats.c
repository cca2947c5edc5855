/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* hvctl stats: the counters of a running VM (GetStats), as virsh domstats gives them. */

#include <stdio.h>

#include "hvctl.h"

static guint64 lookup_u64(GVariant *dict, const char *key) {
        guint64 value = 0;

        (void) g_variant_lookup(dict, key, "t", &value);
        return value;
}

static char *format_seconds(guint64 ns) {
        return g_strdup_printf("%" G_GUINT64_FORMAT ".%02u s", ns / G_GUINT64_CONSTANT(1000000000),
                               (unsigned) (ns % G_GUINT64_CONSTANT(1000000000) / 10000000));
}

static char *format_bytes(guint64 bytes) {
        return g_format_size_full(bytes, G_FORMAT_SIZE_IEC_UNITS);
}

static void print_devices(GVariant *stats, const char *key, const char *label, const char *const counters[4],
                          const char *const words[4]) {
        g_autoptr(GVariant) list = g_variant_lookup_value(stats, key, G_VARIANT_TYPE("aa{sv}"));
        GVariantIter iter;
        GVariant *entry;

        if (!list)
                return;
        g_variant_iter_init(&iter, list);
        while ((entry = g_variant_iter_next_value(&iter))) {
                const char *id = "?";
                g_autofree char *bytes0 = format_bytes(lookup_u64(entry, counters[0]));
                g_autofree char *bytes1 = format_bytes(lookup_u64(entry, counters[2]));

                (void) g_variant_lookup(entry, "id", "&s", &id);
                printf("%s %s:\n", label, id);
                printf("  %-10s %s in %" G_GUINT64_FORMAT " %s\n", words[0], bytes0, lookup_u64(entry, counters[1]),
                       words[1]);
                printf("  %-10s %s in %" G_GUINT64_FORMAT " %s\n", words[2], bytes1, lookup_u64(entry, counters[3]),
                       words[3]);
                g_variant_unref(entry);
        }
}

int hvctl_cmd_stats(Hvctl *ctl, int argc, char **argv) {
        static const char *const block_counters[4] = {"read-bytes", "read-requests", "write-bytes", "write-requests"};
        static const char *const block_words[4] = {"read:", "requests", "written:", "requests"};
        static const char *const net_counters[4] = {"rx-bytes", "rx-packets", "tx-bytes", "tx-packets"};
        static const char *const net_words[4] = {"received:", "packets", "sent:", "packets"};
        g_autoptr(HypervisorVm) vm = NULL;
        g_autoptr(GVariant) stats = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *cpu = NULL, *user = NULL, *system = NULL;
        g_autofree char *actual = NULL, *maximum = NULL, *balloon = NULL;
        const char *state = "?";
        int r;

        if ((r = hvctl_parse_options(ctl, "stats", "NAME", NULL, &argc, &argv, 1, 1)) != 0 ||
            (r = hvctl_connect(ctl)) != 0)
                return r;
        vm = hvctl_find_vm(ctl, argv[1], &error);
        if (!vm || !(stats = hypervisor_vm_get_stats_sync(vm, NULL, &error)))
                return hvctl_fail(error);

        if (ctl->json) {
                g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
                g_autoptr(JsonObject) object = json_object_new();

                json_object_set_string_member(object, "name", hypervisor_vm_get_name(vm));
                json_object_set_member(object, "stats", json_gvariant_serialize(stats));
                json_node_set_object(node, object);
                hvctl_print_json(node);
                return HVCTL_EXIT_OK;
        }
        (void) g_variant_lookup(stats, "state", "&s", &state);
        cpu = format_seconds(lookup_u64(stats, "cpu-time"));
        user = format_seconds(lookup_u64(stats, "cpu-user"));
        system = format_seconds(lookup_u64(stats, "cpu-system"));
        actual = hvctl_format_memory(lookup_u64(stats, "memory-actual"));
        maximum = hvctl_format_memory(lookup_u64(stats, "memory-maximum"));
        balloon = hvctl_format_memory(lookup_u64(stats, "memory-balloon"));
        printf("VM:           %s (%s%s%s)\n", hypervisor_vm_get_name(vm), hvctl_color_state(ctl, state), state,
               hvctl_color_reset(ctl));
        printf("CPU time:     %s (user %s, system %s)\n", cpu, user, system);
        printf("Memory:       %s of %s (balloon %s)\n", actual, maximum, balloon);
        print_devices(stats, "block", "Disk", block_counters, block_words);
        print_devices(stats, "net", "Interface", net_counters, net_words);
        return HVCTL_EXIT_OK;
}
