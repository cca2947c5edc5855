/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The VM-config command-line options (--kernel, --cpus, --disk...) turned
 * into the same VmConfig JSON that vm.create takes, for the CLI-driven boot.
 * Only the keys a manager is likely to pass are understood; others are kept
 * as strings.
 */
#include <string.h>

#include "ch-sim.h"

static gboolean parse_size(const char *text, gint64 *size)
{
        char *end = NULL;
        guint64 value = g_ascii_strtoull(text, &end, 10);

        if (end == text)
                return FALSE;
        switch (g_ascii_toupper(*end)) {
        case 'K':
                value <<= 10;
                end++;
                break;
        case 'M':
                value <<= 20;
                end++;
                break;
        case 'G':
                value <<= 30;
                end++;
                break;
        default:
                break;
        }
        if (*end)
                return FALSE;
        *size = (gint64) value;
        return TRUE;
}

static void set_typed_member(JsonObject *o, const char *key, const char *value)
{
        static const char *const size_keys[] = {
                "size", "hotplug_size", "hotplugged_size", "desired_size", NULL
        };
        gint64 number;

        if (g_str_equal(value, "on") || g_str_equal(value, "true")) {
                json_object_set_boolean_member(o, key, TRUE);
        } else if (g_str_equal(value, "off") || g_str_equal(value, "false")) {
                json_object_set_boolean_member(o, key, FALSE);
        } else if (g_strv_contains(size_keys, key) && parse_size(value, &number)) {
                json_object_set_int_member(o, key, number);
        } else if (g_ascii_string_to_signed(value, 10, G_MININT64, G_MAXINT64, &number, NULL) &&
                   !g_str_equal(key, "id") && !g_str_equal(key, "tap")) {
                json_object_set_int_member(o, key, number);
        } else if (value[0] == '[' && g_str_has_suffix(value, "]")) {
                g_autofree char *inner = g_strndup(value + 1, strlen(value) - 2);
                g_auto(GStrv) items = g_strsplit(inner, ",", -1);
                JsonArray *array = json_array_new();

                for (guint i = 0; items[i]; i++)
                        if (*items[i])
                                json_array_add_int_element(array, g_ascii_strtoll(items[i], NULL, 10));
                json_object_set_array_member(o, key, array);
        } else {
                json_object_set_string_member(o, key, value);
        }
}

/* "a=1,b=[3,4],c=on" -> {"a":1,"b":[3,4],"c":true}; brackets protect commas */
static JsonObject *parse_key_values(const char *text)
{
        JsonObject *o = json_object_new();
        g_autoptr(GString) item = g_string_new(NULL);
        int depth = 0;

        for (const char *p = text;; p++) {
                if (*p == '[')
                        depth++;
                else if (*p == ']')
                        depth--;
                if (*p == '\0' || (*p == ',' && depth == 0)) {
                        char *eq = strchr(item->str, '=');

                        if (eq) {
                                *eq = '\0';
                                set_typed_member(o, item->str, eq + 1);
                        }
                        g_string_truncate(item, 0);
                        if (*p == '\0')
                                break;
                        continue;
                }
                g_string_append_c(item, *p);
        }
        return o;
}

static JsonObject *mode_object(const char *value)
{
        JsonObject *o = json_object_new();

        if (g_str_has_prefix(value, "file=")) {
                json_object_set_string_member(o, "mode", "File");
                json_object_set_string_member(o, "file", value + strlen("file="));
        } else if (g_str_has_prefix(value, "socket=")) {
                json_object_set_string_member(o, "mode", "Socket");
                json_object_set_string_member(o, "socket", value + strlen("socket="));
        } else {
                g_autofree char *mode = g_ascii_strdown(value, -1);

                mode[0] = g_ascii_toupper(mode[0]);
                json_object_set_string_member(o, "mode", mode);
        }
        return o;
}

static const char *last_value(GHashTable *options, const char *name)
{
        GPtrArray *values = g_hash_table_lookup(options, name);

        return values && values->len > 0 ? g_ptr_array_index(values, values->len - 1) : NULL;
}

static void add_list(JsonObject *config, GHashTable *options, const char *option,
                     const char *list)
{
        GPtrArray *values = g_hash_table_lookup(options, option);
        JsonArray *array;

        if (!values)
                return;
        array = json_array_new();
        for (guint i = 0; i < values->len; i++)
                json_array_add_object_element(array, parse_key_values(g_ptr_array_index(values, i)));
        json_object_set_array_member(config, list, array);
}

JsonObject *ch_cli_vm_config(GHashTable *options, GError **error)
{
        JsonObject *config = json_object_new();
        JsonObject *payload = json_object_new();
        static const char *const payload_keys[] = { "kernel", "firmware", "cmdline", "initramfs",
                                                    "igvm", "host-data", NULL };
        const char *value;

        for (guint i = 0; payload_keys[i]; i++)
                if ((value = last_value(options, payload_keys[i]))) {
                        g_autofree char *key = g_strdelimit(g_strdup(payload_keys[i]), "-", '_');

                        json_object_set_string_member(payload, key, value);
                }
        json_object_set_object_member(config, "payload", payload);

        if ((value = last_value(options, "cpus"))) {
                JsonObject *parsed = parse_key_values(value);
                JsonObject *cpus = json_object_new();
                gint64 boot = json_object_get_int_member_with_default(parsed, "boot", 1);

                json_object_set_int_member(cpus, "boot_vcpus", boot);
                json_object_set_int_member(cpus, "max_vcpus",
                                           json_object_get_int_member_with_default(parsed, "max",
                                                                                   boot));
                json_object_set_object_member(config, "cpus", cpus);
                json_object_unref(parsed);
        }
        if ((value = last_value(options, "memory")))
                json_object_set_object_member(config, "memory", parse_key_values(value));
        if ((value = last_value(options, "rng")))
                json_object_set_object_member(config, "rng", parse_key_values(value));
        if ((value = last_value(options, "balloon")))
                json_object_set_object_member(config, "balloon", parse_key_values(value));
        if ((value = last_value(options, "vsock")))
                json_object_set_object_member(config, "vsock", parse_key_values(value));
        if ((value = last_value(options, "serial")))
                json_object_set_object_member(config, "serial", mode_object(value));
        if ((value = last_value(options, "console")))
                json_object_set_object_member(config, "console", mode_object(value));
        if (last_value(options, "pvpanic"))
                json_object_set_boolean_member(config, "pvpanic", TRUE);
        if (last_value(options, "watchdog"))
                json_object_set_boolean_member(config, "watchdog", TRUE);

        add_list(config, options, "disk", "disks");
        add_list(config, options, "net", "net");
        add_list(config, options, "fs", "fs");
        add_list(config, options, "pmem", "pmem");
        add_list(config, options, "device", "devices");
        add_list(config, options, "user-device", "user_devices");
        add_list(config, options, "vdpa", "vdpa");

        if (json_object_has_member(config, "memory") &&
            !json_object_has_member(json_object_get_object_member(config, "memory"), "size")) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INVALID,
                                    "Error parsing --memory: size is required");
                json_object_unref(config);
                return NULL;
        }
        return config;
}
