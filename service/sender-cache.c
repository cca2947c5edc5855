/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>

#include "bus-util.h"
#include "sender-cache.h"

struct SenderCache {
        GHashTable *uids;      /* unique name -> uid + 1 (so that uid 0 is not NULL) */
        sd_bus_slot *match;    /* NameOwnerChanged of unique names that go away */
        bool watching;         /* the match is installed: departures will be seen */
};

SenderCache *sender_cache_new(void) {
        SenderCache *cache = g_new0(SenderCache, 1);

        cache->uids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        return cache;
}

void sender_cache_free(SenderCache *cache) {
        if (!cache)
                return;
        sd_bus_slot_unref(cache->match);
        g_hash_table_unref(cache->uids);
        g_free(cache);
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        SenderCache *cache = userdata;
        const char *name, *old_owner, *new_owner;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        if (name[0] == ':' && new_owner[0] == '\0')
                g_hash_table_remove(cache->uids, name);
        return 0;
}

static int on_match_installed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        SenderCache *cache = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);

        /*
         * Without the match a departed caller's entry would stay forever (a leak,
         * never a wrong answer: unique names are not reused), so caching waits for it.
         */
        if (e)
                g_warning("Cannot watch callers leaving the bus, their uids are not cached: %s", e->message);
        else
                cache->watching = true;
        return 0;
}

int sender_cache_attach(SenderCache *cache, sd_bus *bus) {
        /* arg2='': only the departures, not every name taken or handed over. */
        return sd_bus_add_match_async(bus, &cache->match,
                                      "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                                      "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg2=''",
                                      on_name_owner_changed, on_match_installed, cache);
}

static int query_bus_driver(sd_bus_message *m, uid_t *ret_uid) {
        g_autoptr(sd_bus_creds) creds = NULL;
        int r;

        /*
         * The uid the driver recorded when the caller connected (its effective
         * uid then; sd-bus files it as EUID): not ids read from /proc now,
         * which would cost more reads and race with a caller that changes
         * identity after connecting.
         */
        r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID, &creds);
        if (r < 0)
                return r;
        return sd_bus_creds_get_euid(creds, ret_uid);
}

int sender_cache_query_uid(SenderCache *cache, sd_bus_message *m, uid_t *ret_uid) {
        const char *sender = sd_bus_message_get_sender(m);
        gpointer value;
        uid_t uid;
        int r;

        if (!sender || sender[0] != ':')
                return query_bus_driver(m, ret_uid);
        value = g_hash_table_lookup(cache->uids, sender);
        if (value) {
                *ret_uid = (uid_t) (GPOINTER_TO_SIZE(value) - 1);
                return 0;
        }
        r = query_bus_driver(m, &uid);
        if (r < 0)
                return r;
        /*
         * The driver answered, so the caller was connected then; its departure,
         * if any, comes after that answer and is handled on a later turn.
         */
        if (cache->watching)
                g_hash_table_insert(cache->uids, g_strdup(sender), GSIZE_TO_POINTER((gsize) uid + 1));
        *ret_uid = uid;
        return 0;
}
