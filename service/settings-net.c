/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include "hv-error.h"
#include "settings-net.h"

#define BRIDGE_PREFIX "bridge."
#define NETWORK_PREFIX "network."
#define IFNAME_MAX 15

static const SettingsNetEntry builtin_default = { .name = (char *) "default" };

static void entry_free(SettingsNetEntry *entry) {
        g_free(entry->name);
        g_free(entry->bridge);
        g_strfreev(entry->users);
        g_strfreev(entry->groups);
        g_free(entry);
}

static bool ifname_is_valid(const char *name) {
        size_t n = strlen(name);

        if (n < 1 || n > IFNAME_MAX || !g_ascii_isalnum(name[0]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!g_ascii_isalnum(name[i]) && !strchr("_.-", name[i]))
                        return false;
        return true;
}

/* "a b,c" -> {a, b, c}; NULL when the key is absent. */
static char **read_words(GKeyFile *file, const char *group, const char *key) {
        g_autofree char *value = g_key_file_get_string(file, group, key, NULL);
        g_autoptr(GStrvBuilder) builder = NULL;
        g_auto(GStrv) parts = NULL;

        if (!value)
                return NULL;
        builder = g_strv_builder_new();
        parts = g_strsplit_set(value, " ,;\t", -1);
        for (char **p = parts; *p; p++)
                if (**p)
                        g_strv_builder_add(builder, *p);
        return g_strv_builder_end(builder);
}

static SettingsNetEntry *read_entry(GKeyFile *file, const char *group, const char *name) {
        SettingsNetEntry *entry = g_new0(SettingsNetEntry, 1);

        entry->name = g_strdup(name);
        entry->users = read_words(file, group, "Users");
        entry->groups = read_words(file, group, "Groups");
        return entry;
}

static bool read_network(GKeyFile *file, const char *group, SettingsNetEntry *entry, GError **error) {
        g_autofree char *bridge = g_key_file_get_string(file, group, "Bridge", NULL);
        g_autofree char *mode = g_key_file_get_string(file, group, "Mode", NULL);
        bool user;

        if (mode && !g_str_equal(mode, "user") && !g_str_equal(mode, "bridge")) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                            "[%s] Mode='%s' is not 'user' or 'bridge'", group, mode);
                return false;
        }
        user = mode && g_str_equal(mode, "user");
        if (user && bridge) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                            "[%s] has both Bridge= and Mode=user; choose one", group);
                return false;
        }
        if (!user && !bridge) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, "[%s] needs Bridge=NAME or Mode=user", group);
                return false;
        }
        if (bridge && !ifname_is_valid(bridge)) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                            "[%s] Bridge='%s' is not an interface name (1 to 15 characters from [A-Za-z0-9_.-])",
                            group, bridge);
                return false;
        }
        entry->bridge = g_steal_pointer(&bridge);
        return true;
}

bool settings_net_load(SettingsNet *net, GKeyFile *file, GError **error) {
        g_auto(GStrv) groups = g_key_file_get_groups(file, NULL);

        net->bridges = g_ptr_array_new_with_free_func((GDestroyNotify) entry_free);
        net->networks = g_ptr_array_new_with_free_func((GDestroyNotify) entry_free);
        for (char **group = groups; *group; group++) {
                if (g_str_has_prefix(*group, BRIDGE_PREFIX)) {
                        const char *name = *group + strlen(BRIDGE_PREFIX);
                        if (!ifname_is_valid(name)) {
                                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                                            "[%s]: '%s' is not an interface name (1 to 15 characters from "
                                            "[A-Za-z0-9_.-])",
                                            *group, name);
                                return false;
                        }
                        g_ptr_array_add(net->bridges, read_entry(file, *group, name));
                } else if (g_str_has_prefix(*group, NETWORK_PREFIX)) {
                        SettingsNetEntry *entry = read_entry(file, *group, *group + strlen(NETWORK_PREFIX));
                        g_ptr_array_add(net->networks, entry);
                        if (!*entry->name) {
                                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, "[%s] names no network",
                                            *group);
                                return false;
                        }
                        if (!read_network(file, *group, entry, error))
                                return false;
                }
        }
        return true;
}

void settings_net_clear(SettingsNet *net) {
        g_clear_pointer(&net->bridges, g_ptr_array_unref);
        g_clear_pointer(&net->networks, g_ptr_array_unref);
}

static const SettingsNetEntry *find(GPtrArray *entries, const char *name) {
        for (guint i = 0; entries && i < entries->len; i++) {
                const SettingsNetEntry *entry = entries->pdata[i];
                if (g_str_equal(entry->name, name))
                        return entry;
        }
        return NULL;
}

const SettingsNetEntry *settings_net_find_bridge(const SettingsNet *net, const char *name) {
        return find(net->bridges, name);
}

const SettingsNetEntry *settings_net_find_network(const SettingsNet *net, const char *name) {
        const SettingsNetEntry *entry = find(net->networks, name);

        if (!entry && g_str_equal(name, builtin_default.name))
                return &builtin_default;
        return entry;
}
