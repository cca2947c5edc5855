/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What hypervisord.conf says about networks (hypervisord.conf(5)):
 *
 *   [bridge.br0]          a host bridge VMs may join (<interface type='bridge'>)
 *   Users=alice bob       who may: user names or uids; absent (and no Groups=): everyone
 *   Groups=netdev         or members of these groups
 *
 *   [network.lan]         a name for <interface type='network'><source network='lan'/>
 *   Bridge=br0            a tap joined to this bridge, or
 *   Mode=user             user-mode networking (QEMU only); Users= and Groups= as above
 *
 * A network 'default' exists without a section: user-mode networking.
 */

#include <glib.h>
#include <stdbool.h>

typedef struct {
        char *name;   /* the bridge, or the network's name */
        char *bridge; /* networks: the bridge; NULL = user mode */
        char **users; /* NULL: no Users= */
        char **groups;
} SettingsNetEntry;

typedef struct {
        GPtrArray *bridges;  /* SettingsNetEntry*, owned */
        GPtrArray *networks; /* SettingsNetEntry*, owned */
} SettingsNet;

bool settings_net_load(SettingsNet *net, GKeyFile *file, GError **error);
void settings_net_clear(SettingsNet *net);

const SettingsNetEntry *settings_net_find_bridge(const SettingsNet *net, const char *name);
/* The built-in 'default' when no section names it. */
const SettingsNetEntry *settings_net_find_network(const SettingsNet *net, const char *name);
