/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The service's side of a VM's interfaces (service/vm-net.c): which host bridge or
 * network a VM's owner may use, what a named network is on this host, and each
 * interface's MAC address.
 */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "settings.h"
#include "vm-config.h"
#include "vm-problems.h"

typedef struct Manager Manager;

/*
 * Each <interface type='bridge'>'s bridge must be allowed for owner by a
 * [bridge.NAME] section (owner root and the session service's own VMs: any
 * bridge); each <interface type='network'> must name a network this host has,
 * which owner may use: its bridge goes in net->bridge (NULL: user mode).
 * AccessDenied or InvalidArgument naming the bridge or network.
 */
bool vm_net_resolve_interface(const Settings *settings, uid_t owner, VmInterface *net, GError **error);
bool vm_net_resolve(const Settings *settings, uid_t owner, VmConfig *config, GError **error);
/* The same for DefineVM: every interface's problem goes in problems, at its line. */
void vm_net_problems(const Settings *settings, uid_t owner, VmConfig *config, VmProblems *problems);

/*
 * Every interface without a MAC address gets one: that of the same device (by id)
 * in previous (the definition this one replaces, or NULL), else a new random
 * 52:54:00:xx:xx:xx that no other VM of the manager and no other interface of
 * config has.
 */
void vm_net_assign_macs(Manager *manager, VmConfig *config, const VmConfig *previous);
/* One new interface for a VM (AddDevice): a MAC unused by every VM. */
void vm_net_assign_device_mac(Manager *manager, const VmConfig *config, VmDevice *device);

/* At start-up, after the definitions are loaded: definitions stored without MAC
 * addresses (by older versions) get them, and are written again. */
void vm_net_give_loaded_vms_macs(Manager *manager);
