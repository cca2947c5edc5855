/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Tap devices for <interface type='ethernet'>, for every engine: the service
 * opens the tap and the engine receives the descriptor (cloud-hypervisor by
 * vm.add-net with SCM_RIGHTS, QEMU inherited as -netdev tap,fd=N), so the
 * engine needs no CAP_NET_ADMIN itself. docs/security.md, rule 8.
 */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "vm-config.h"

/* Opens the tap named name (created when it does not exist and we may), or a new
 * one when name is NULL. Returns the fd, or -1 with error. */
typedef int (*TapOpenFn)(const char *name, void *userdata, GError **error);

/* For a VM of uid (whose engine runs with gid): a tap that does not exist is
 * created; an existing one is attached only when its tun owner is uid or its
 * tun group is gid, else AccessDenied (a name in the owner's XML must not give
 * the VM another user's tap). uid (uid_t) -1: the engine runs as the service. */
int tap_open(const char *name, uid_t uid, gid_t gid, GError **error);

/* tap_open() of a tap that must exist already (<target managed='no'>): NotFound when it
 * does not; it is never created. The same owner rule. */
int tap_open_existing(const char *name, uid_t uid, gid_t gid, GError **error);

/* Tests put something else in (a socketpair end stands in for a tap). NULL
 * restores the real one. */
void tap_set_opener(TapOpenFn opener, void *userdata);

/* Whether an interface is backed by a tap (ethernet, bridge, a network mapped to a
 * bridge) rather than by the engine's user-mode networking. */
bool vm_interface_uses_tap(const VmInterface *net);

/* tap_open() for an interface, and for one with a bridge (net->bridge) the tap
 * joined to it and up (kvm-engine/tap-bridge.c). */
int tap_open_interface(const VmInterface *net, uid_t uid, gid_t gid, GError **error);

/* Whether tests replaced the opener (their taps join no bridge). */
bool tap_is_replaced(void);
