/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "hv-error.h"
#include "manager.h"
#include "vm-net.h"
#include "vm.h"

#define MAC_PREFIX "52:54:00" /* QEMU's, as libvirt uses */
#define NSS_BUFFER_SIZE 16384
#define GROUPS_MAX 256

/* ---- who may use what ---- */

static bool user_is_named(uid_t uid, char *const *users) {
        g_autofree char *number = g_strdup_printf("%u", (unsigned) uid);
        char buffer[NSS_BUFFER_SIZE];
        struct passwd entry, *found = NULL;

        for (char *const *u = users; *u; u++)
                if (g_str_equal(*u, "*") || g_str_equal(*u, number))
                        return true;
        if (getpwuid_r(uid, &entry, buffer, sizeof(buffer), &found) != 0 || !found)
                return false;
        return g_strv_contains((const char *const *) users, entry.pw_name);
}

static bool user_in_groups(uid_t uid, char *const *groups) {
        char buffer[NSS_BUFFER_SIZE];
        struct passwd entry, *found = NULL;
        gid_t member_of[GROUPS_MAX];
        int n = GROUPS_MAX;

        if (getpwuid_r(uid, &entry, buffer, sizeof(buffer), &found) != 0 || !found)
                return false;
        if (getgrouplist(entry.pw_name, entry.pw_gid, member_of, &n) < 0)
                n = GROUPS_MAX; /* more than we look at: the first ones */
        for (char *const *g = groups; *g; g++) {
                char group_buffer[NSS_BUFFER_SIZE];
                struct group group, *group_found = NULL;

                if (getgrnam_r(*g, &group, group_buffer, sizeof(group_buffer), &group_found) != 0 || !group_found)
                        continue;
                for (int i = 0; i < n; i++)
                        if (member_of[i] == group.gr_gid)
                                return true;
        }
        return false;
}

/* An entry with neither Users= nor Groups= is for everyone. */
static bool entry_allows(const SettingsNetEntry *entry, uid_t uid) {
        if (!entry->users && !entry->groups)
                return true;
        return (entry->users && user_is_named(uid, entry->users)) ||
               (entry->groups && user_in_groups(uid, entry->groups));
}

/* Root may attach to any bridge; so may the session service's user, whose VMs
 * have no rights the user has not. */
static bool owner_may_use_any_bridge(const Settings *settings, uid_t owner) {
        return owner == 0 || settings->session;
}

bool vm_net_resolve_interface(const Settings *settings, uid_t owner, VmInterface *net, GError **error) {
        const SettingsNetEntry *entry;

        switch (net->type) {
        case VM_NET_ETHERNET:
        case VM_NET_USER:
        /* Sockets QEMU opens as the VM's owner: what the owner may do anyway. */
        case VM_NET_SERVER:
        case VM_NET_CLIENT:
        case VM_NET_MCAST:
        case VM_NET_UDP:
                return true;
        case VM_NET_BRIDGE:
                if (owner_may_use_any_bridge(settings, owner))
                        return true;
                entry = settings_net_find_bridge(&settings->net, net->source);
                if (!entry || !entry_allows(entry, owner)) {
                        g_set_error(error, HV_ERROR, HV_ERROR_ACCESS_DENIED,
                                    "<interface type='bridge'><source bridge='%s'/>: bridge '%s' is not allowed "
                                    "for uid %u (the administrator allows bridges in hypervisord.conf, "
                                    "[bridge.%s])",
                                    net->source, net->source, (unsigned) owner, net->source);
                        return false;
                }
                return true;
        case VM_NET_NETWORK:
                entry = settings_net_find_network(&settings->net, net->source);
                if (!entry) {
                        g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                                    "<interface type='network'><source network='%s'/>: there is no network '%s' "
                                    "on this host (networks are [network.NAME] sections of hypervisord.conf; "
                                    "'default' is user-mode networking)",
                                    net->source, net->source);
                        return false;
                }
                if (!owner_may_use_any_bridge(settings, owner) && !entry_allows(entry, owner)) {
                        g_set_error(error, HV_ERROR, HV_ERROR_ACCESS_DENIED,
                                    "<interface type='network'><source network='%s'/>: network '%s' is not "
                                    "allowed for uid %u ([network.%s] in hypervisord.conf)",
                                    net->source, net->source, (unsigned) owner, net->source);
                        return false;
                }
                g_free(net->bridge);
                net->bridge = g_strdup(entry->bridge);
                return true;
        }
        g_assert_not_reached();
}

bool vm_net_resolve(const Settings *settings, uid_t owner, VmConfig *config, GError **error) {
        for (guint i = 0; i < config->devices->len; i++) {
                VmDevice *device = config->devices->pdata[i];
                if (device->kind == VM_DEVICE_INTERFACE &&
                    !vm_net_resolve_interface(settings, owner, &device->net, error))
                        return false;
        }
        return true;
}

void vm_net_problems(const Settings *settings, uid_t owner, VmConfig *config, VmProblems *problems) {
        for (guint i = 0; i < config->devices->len; i++) {
                VmDevice *device = config->devices->pdata[i];
                GError *error = NULL;

                if (device->kind == VM_DEVICE_INTERFACE &&
                    !vm_net_resolve_interface(settings, owner, &device->net, &error))
                        vm_problems_add_error_at(problems, device->line, error);
        }
}

/* ---- MAC addresses ---- */

static void add_macs_of(GHashTable *macs, const VmConfig *config) {
        for (guint i = 0; config && i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if (device->kind == VM_DEVICE_INTERFACE && device->net.mac)
                        g_hash_table_add(macs, device->net.mac);
        }
}

/* Every MAC address the manager's VMs have (borrowed strings). */
static GHashTable *macs_in_use(Manager *manager) {
        GHashTable *macs = g_hash_table_new(g_str_hash, g_str_equal);
        GHashTable *tables[] = { manager->vms_by_uuid, manager->vms_defining };
        GHashTableIter iter;
        gpointer value;

        for (size_t t = 0; t < G_N_ELEMENTS(tables); t++) {
                g_hash_table_iter_init(&iter, tables[t]);
                while (g_hash_table_iter_next(&iter, NULL, &value)) {
                        add_macs_of(macs, ((Vm *) value)->config);
                        add_macs_of(macs, ((Vm *) value)->live);
                }
        }
        return macs;
}

/* 2^24 addresses for at most a few thousand interfaces: a free one comes quickly. */
static char *new_mac(GHashTable *taken) {
        for (;;) {
                guint32 r = g_random_int();
                char *mac = g_strdup_printf(MAC_PREFIX ":%02x:%02x:%02x", (r >> 16) & 0xff, (r >> 8) & 0xff, r & 0xff);
                if (!g_hash_table_contains(taken, mac))
                        return mac;
                g_free(mac);
        }
}

static const char *previous_mac(const VmConfig *previous, const char *id) {
        const VmDevice *device = previous && id ? vm_config_find_device(previous, id) : NULL;

        return device && device->kind == VM_DEVICE_INTERFACE ? device->net.mac : NULL;
}

void vm_net_assign_macs(Manager *manager, VmConfig *config, const VmConfig *previous) {
        g_autoptr(GHashTable) taken = NULL;
        g_autoptr(GHashTable) own = g_hash_table_new(g_str_hash, g_str_equal);

        add_macs_of(own, config);
        for (guint i = 0; i < config->devices->len; i++) {
                VmDevice *device = config->devices->pdata[i];
                const char *kept;

                if (device->kind != VM_DEVICE_INTERFACE || device->net.mac)
                        continue;
                kept = previous_mac(previous, device->id);
                if (kept && !g_hash_table_contains(own, kept)) {
                        device->net.mac = g_strdup(kept);
                } else {
                        if (!taken)
                                taken = macs_in_use(manager);
                        /* This config's own addresses count too. */
                        GHashTableIter iter;
                        gpointer mac;
                        g_hash_table_iter_init(&iter, own);
                        while (g_hash_table_iter_next(&iter, &mac, NULL))
                                g_hash_table_add(taken, mac);
                        device->net.mac = new_mac(taken);
                }
                g_hash_table_add(own, device->net.mac);
        }
}

void vm_net_assign_device_mac(Manager *manager, const VmConfig *config, VmDevice *device) {
        g_autoptr(GHashTable) taken = NULL;

        if (device->kind != VM_DEVICE_INTERFACE || device->net.mac)
                return;
        taken = macs_in_use(manager);
        add_macs_of(taken, config);
        device->net.mac = new_mac(taken);
}

/* ---- definitions written before every interface had an address ---- */

static void macs_saved(Vm *vm, const GError *error, void *userdata) {
        if (error)
                g_warning("VM '%s': cannot store its new MAC addresses: %s", vm->config->name, error->message);
}

static bool config_lacks_mac(const VmConfig *config) {
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if (device->kind == VM_DEVICE_INTERFACE && !device->net.mac)
                        return true;
        }
        return false;
}

void vm_net_give_loaded_vms_macs(Manager *manager) {
        GHashTableIter iter;
        gpointer value;

        g_hash_table_iter_init(&iter, manager->vms_by_uuid);
        while (g_hash_table_iter_next(&iter, NULL, &value)) {
                Vm *vm = value;
                if (!vm->persistent || vm->saving || !config_lacks_mac(vm->config))
                        continue;
                vm_net_assign_macs(manager, vm->config, NULL);
                g_info("VM '%s': its interfaces got MAC addresses", vm->config->name);
                vm_save(vm, macs_saved, NULL);
        }
}
