/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

/*
 * The uid of each caller, asked of the bus driver once per connection rather
 * than once per call. A unique name (":1.42") is never given to another
 * connection during the bus's life, and the driver's credentials of a
 * connection never change, so an entry stays true until the connection goes;
 * NameOwnerChanged tells when, and the entry is dropped then.
 */
typedef struct SenderCache SenderCache;

SenderCache *sender_cache_new(void);
void sender_cache_free(SenderCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SenderCache, sender_cache_free)

/* Subscribe to the departures of connections; entries are kept only once that is in place. */
int sender_cache_attach(SenderCache *cache, sd_bus *bus);

/* The caller's uid, as the bus driver knows it. */
int sender_cache_query_uid(SenderCache *cache, sd_bus_message *m, uid_t *ret_uid);
