/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Tap devices for <interface type='ethernet'>: cloud-hypervisor receives an open
 * tap fd (vm.add-net with SCM_RIGHTS) and so needs no CAP_NET_ADMIN itself.
 */

#include <glib.h>

/* Opens the tap named name (created when it does not exist and we may), or a new
 * one when name is NULL. Returns the fd, or -1 with error. */
typedef int (*ChTapOpenFn)(const char *name, void *userdata, GError **error);

int ch_tap_open(const char *name, GError **error);

/* Tests put something else in (a socketpair end stands in for a tap). NULL
 * restores the real one. */
void ch_tap_set_opener(ChTapOpenFn opener, void *userdata);
