/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "bus-util.h"
#include "polkit.h"

#define POLKIT_NAME "org.freedesktop.PolicyKit1"
#define POLKIT_PATH "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_INTERFACE "org.freedesktop.PolicyKit1.Authority"
#define POLKIT_ALLOW_USER_INTERACTION 1u

typedef enum {
        QUERY_PENDING,
        QUERY_AUTHORIZED,
        QUERY_CHALLENGE, /* polkit would ask for a password, but the caller did not allow it */
        QUERY_DENIED,
        QUERY_FAILED,    /* polkit could not be asked: deny */
        QUERY_TIMED_OUT, /* polkit did not answer within the timeout: deny */
} QueryResult;

typedef struct {
        PolkitRegistry *registry;
        sd_bus_message *call; /* the parked call; the key of the registry */
        uid_t uid;            /* who called */
        char *action;
        sd_bus_slot *slot;    /* the CheckAuthorization in flight */
        QueryResult result;
        char *failure;        /* polkit's error, for QUERY_FAILED */
        uint64_t answered_usec; /* when polkit answered (CLOCK_MONOTONIC) */
        char *sender;         /* the caller's unique name: its call is dropped when it leaves */
        char *cancellation_id; /* names the check for CancelCheckAuthorization */
        uint64_t bytes;       /* what the parked call holds, counted against its uid */
} PolkitQuery;

/* An answered query whose call never came back (its object vanished meanwhile,
 * so sd-bus answered it without our handler) is dropped after this long. */
#define ANSWERED_QUERY_LIFETIME_USEC (60 * G_USEC_PER_SEC)

/* What a parked call costs besides its arguments (the message's header and our query). */
#define QUERY_OVERHEAD_BYTES 512

struct PolkitRegistry {
        GHashTable *queries;     /* sd_bus_message* -> PolkitQuery*, owned */
        uint64_t timeout_usec;   /* how long polkit may take to answer */
        uint64_t max_bytes_per_uid;
        uint64_t next_cancellation_id;
        sd_bus_slot *departures; /* NameOwnerChanged of unique names that go away */
};

static void query_free(PolkitQuery *query) {
        sd_bus_slot_unref(query->slot);
        sd_bus_message_unref(query->call);
        g_free(query->action);
        g_free(query->failure);
        g_free(query->sender);
        g_free(query->cancellation_id);
        g_free(query);
}

PolkitRegistry *polkit_registry_new(uint64_t timeout_usec, uint64_t max_bytes_per_uid) {
        PolkitRegistry *registry = g_new0(PolkitRegistry, 1);

        registry->queries = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) query_free);
        registry->timeout_usec = timeout_usec;
        registry->max_bytes_per_uid = max_bytes_per_uid;
        return registry;
}

void polkit_registry_free(PolkitRegistry *registry) {
        if (!registry)
                return;
        sd_bus_slot_unref(registry->departures);
        g_hash_table_unref(registry->queries);
        g_free(registry);
}

/* Tell polkit to stop asking (its dialog goes away); nobody waits for the answer. */
static void cancel_check(sd_bus *bus, PolkitQuery *query) {
        int r = sd_bus_call_method_async(bus, NULL, POLKIT_NAME, POLKIT_PATH, POLKIT_INTERFACE,
                                         "CancelCheckAuthorization", NULL, NULL, "s", query->cancellation_id);
        if (r < 0)
                g_warning("Cannot cancel the polkit check %s: %s", query->cancellation_id, g_strerror(-r));
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        PolkitRegistry *registry = userdata;
        const char *name, *old_owner, *new_owner;
        GHashTableIter iter;
        gpointer value;

        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        if (name[0] != ':' || new_owner[0] != '\0')
                return 0;
        /* Nobody is left to answer: forget the caller's parked calls and their messages. */
        g_hash_table_iter_init(&iter, registry->queries);
        while (g_hash_table_iter_next(&iter, NULL, &value)) {
                PolkitQuery *query = value;

                /* An answered call is already queued again, and fails or runs at once. */
                if (query->result != QUERY_PENDING || !g_str_equal(query->sender, name))
                        continue;
                cancel_check(sd_bus_message_get_bus(m), query);
                g_debug("Dropping a call of %s parked for %s: the caller left the bus", name, query->action);
                g_hash_table_iter_remove(&iter);
        }
        return 0;
}

int polkit_registry_attach(PolkitRegistry *registry, sd_bus *bus) {
        /* arg2='': only the departures, not every name taken or handed over. */
        return sd_bus_add_match_async(bus, &registry->departures,
                                      "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                                      "interface='org.freedesktop.DBus',member='NameOwnerChanged',arg2=''",
                                      on_name_owner_changed, NULL, registry);
}

static bool type_is_trivial(char type) {
        return type && strchr("ynqbiuxtd", type);
}

/*
 * The bytes of a call's arguments: every value is visited once (arrays of
 * numbers at once), so this is linear in the message, which sd-bus already
 * read and checked. The message is rewound afterwards.
 */
static int message_payload_bytes(sd_bus_message *m, uint64_t *ret_bytes) {
        uint64_t bytes = 0;
        unsigned depth = 0;
        int r;

        r = sd_bus_message_rewind(m, true);
        for (;;) {
                const char *contents;
                char type;

                if (r >= 0)
                        r = sd_bus_message_peek_type(m, &type, &contents);
                if (r < 0)
                        return r;
                if (r == 0) {
                        if (depth == 0)
                                break;
                        r = sd_bus_message_exit_container(m);
                        depth--;
                } else if (type == SD_BUS_TYPE_ARRAY && type_is_trivial(contents[0]) && contents[1] == '\0') {
                        const void *data;
                        size_t size;

                        r = sd_bus_message_read_array(m, contents[0], &data, &size);
                        bytes += size;
                } else if (type == SD_BUS_TYPE_ARRAY || type == SD_BUS_TYPE_STRUCT || type == SD_BUS_TYPE_VARIANT ||
                           type == SD_BUS_TYPE_DICT_ENTRY) {
                        r = sd_bus_message_enter_container(m, type, contents);
                        depth++;
                        bytes += 8;
                } else if (type == SD_BUS_TYPE_STRING || type == SD_BUS_TYPE_OBJECT_PATH ||
                           type == SD_BUS_TYPE_SIGNATURE) {
                        const char *text;

                        r = sd_bus_message_read_basic(m, type, &text);
                        if (r >= 0)
                                bytes += strlen(text) + 1;
                } else {
                        uint64_t number;

                        r = sd_bus_message_read_basic(m, type, &number);
                        bytes += sizeof(number);
                }
        }
        *ret_bytes = bytes;
        return sd_bus_message_rewind(m, true);
}

static uint64_t parked_bytes_for_uid(PolkitRegistry *registry, uid_t uid) {
        GHashTableIter iter;
        gpointer value;
        uint64_t bytes = 0;

        g_hash_table_iter_init(&iter, registry->queries);
        while (g_hash_table_iter_next(&iter, NULL, &value))
                if (((PolkitQuery *) value)->uid == uid)
                        bytes += ((PolkitQuery *) value)->bytes;
        return bytes;
}

static int on_check_authorization_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        PolkitQuery *query = userdata;
        const sd_bus_error *error = sd_bus_message_get_error(reply);
        sd_bus *bus = sd_bus_message_get_bus(query->call);
        int authorized, challenge, r;

        query->slot = sd_bus_slot_unref(query->slot);
        query->answered_usec = g_get_monotonic_time();
        if (error && sd_bus_error_has_name(error, SD_BUS_ERROR_NO_REPLY)) {
                /* Nobody answered in time (sd-bus's timeout of the call): stop polkit's dialog too. */
                query->result = QUERY_TIMED_OUT;
                cancel_check(bus, query);
        } else if (error) {
                query->result = QUERY_FAILED;
                query->failure = g_strdup(error->message);
        } else {
                r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
                if (r >= 0)
                        r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
                if (r < 0) {
                        query->result = QUERY_FAILED;
                        query->failure = g_strdup_printf("bad reply from polkit: %s", g_strerror(-r));
                } else
                        query->result = authorized ? QUERY_AUTHORIZED : challenge ? QUERY_CHALLENGE : QUERY_DENIED;
        }

        /* Run the call's handler again from the start; it finds the answer stored. */
        r = sd_bus_message_rewind(query->call, true);
        if (r >= 0)
                r = sd_bus_enqueue_for_read(bus, query->call);
        if (r < 0) {
                g_warning("Cannot resume a call after authorization: %s", g_strerror(-r));
                (void) sd_bus_reply_method_errorf(query->call, SD_BUS_ERROR_FAILED, "Cannot resume after authorization");
                g_hash_table_remove(query->registry->queries, query->call);
        }
        return 0;
}

static gboolean query_is_stale(gpointer key, gpointer value, gpointer userdata) {
        PolkitQuery *query = value;
        uint64_t now = *(uint64_t *) userdata;

        return query->result != QUERY_PENDING && now - query->answered_usec > ANSWERED_QUERY_LIFETIME_USEC;
}

static int start_query(PolkitRegistry *registry, sd_bus_message *call, uid_t uid, const char *action,
                       const char *const *details, sd_bus_error *error) {
        uint64_t now = g_get_monotonic_time();

        g_hash_table_foreach_remove(registry->queries, query_is_stale, &now);
        g_autoptr(sd_bus_message) request = NULL;
        sd_bus *bus = sd_bus_message_get_bus(call);
        uint32_t flags = sd_bus_message_get_allow_interactive_authorization(call) ? POLKIT_ALLOW_USER_INTERACTION : 0;
        const char *sender = sd_bus_message_get_sender(call);
        uint64_t bytes, parked;
        PolkitQuery *query;
        int r;

        r = message_payload_bytes(call, &bytes);
        if (r < 0)
                return bus_error_setf(error, HV_ERROR_ACCESS_DENIED, "Cannot read the call: %s", g_strerror(-r));
        bytes += QUERY_OVERHEAD_BYTES;
        parked = parked_bytes_for_uid(registry, uid);
        if (parked + bytes > registry->max_bytes_per_uid)
                return bus_error_setf(error, HV_ERROR_LIMITS_EXCEEDED,
                                      "Too much waiting for authorization for uid %u: this call has %" PRIu64
                                      " bytes, calls already waiting hold %" PRIu64 " (the limit is %" PRIu64 ")",
                                      (unsigned) uid, bytes, parked, registry->max_bytes_per_uid);

        query = g_new0(PolkitQuery, 1);
        query->registry = registry;
        query->uid = uid;
        query->action = g_strdup(action);
        query->sender = g_strdup(sender);
        query->bytes = bytes;
        query->cancellation_id = g_strdup_printf("hypervisord-%" PRIu64, ++registry->next_cancellation_id);

        r = sd_bus_message_new_method_call(bus, &request, POLKIT_NAME, POLKIT_PATH, POLKIT_INTERFACE,
                                           "CheckAuthorization");
        if (r >= 0)
                r = sd_bus_message_append(request, "(sa{sv})s", "system-bus-name", 1, "name", "s", sender, action);
        if (r >= 0)
                r = sd_bus_message_open_container(request, 'a', "{ss}");
        for (size_t i = 0; r >= 0 && details && details[i] && details[i + 1]; i += 2)
                r = sd_bus_message_append(request, "{ss}", details[i], details[i + 1]);
        if (r >= 0)
                r = sd_bus_message_close_container(request);
        if (r >= 0)
                r = sd_bus_message_append(request, "us", flags, query->cancellation_id);
        if (r < 0) {
                query_free(query);
                return bus_error_setf(error, HV_ERROR_ACCESS_DENIED, "Cannot ask polkit: %s", g_strerror(-r));
        }

        query->call = sd_bus_message_ref(call);
        /* A password dialog may take a while, but not forever: the caller gets an answer. */
        r = sd_bus_call_async(bus, &query->slot, request, on_check_authorization_reply, query, registry->timeout_usec);
        if (r < 0) {
                query_free(query);
                return bus_error_setf(error, HV_ERROR_ACCESS_DENIED, "Cannot ask polkit: %s", g_strerror(-r));
        }
        g_hash_table_insert(registry->queries, call, query);
        return 0;
}

bool polkit_registry_has_answer(PolkitRegistry *registry, sd_bus_message *call) {
        PolkitQuery *query = g_hash_table_lookup(registry->queries, call);
        return query && query->result != QUERY_PENDING;
}

const char *polkit_registry_answered_action(PolkitRegistry *registry, sd_bus_message *call) {
        PolkitQuery *query = g_hash_table_lookup(registry->queries, call);
        return query && query->result != QUERY_PENDING ? query->action : NULL;
}

unsigned polkit_registry_pending_for_uid(PolkitRegistry *registry, uid_t uid) {
        GHashTableIter iter;
        gpointer value;
        unsigned n = 0;

        g_hash_table_iter_init(&iter, registry->queries);
        while (g_hash_table_iter_next(&iter, NULL, &value))
                if (((PolkitQuery *) value)->uid == uid && ((PolkitQuery *) value)->result == QUERY_PENDING)
                        n++;
        return n;
}

int polkit_check(PolkitRegistry *registry, sd_bus_message *call, uid_t uid, const char *action,
                 const char *const *details, sd_bus_error *error) {
        PolkitQuery *query = g_hash_table_lookup(registry->queries, call);
        QueryResult result;
        g_autofree char *failure = NULL;

        if (!query)
                return start_query(registry, call, uid, action, details, error);
        if (query->result == QUERY_PENDING)
                return 0;
        if (!g_str_equal(query->action, action)) {
                /* A handler that asks for two actions asks one after the other. */
                g_hash_table_remove(registry->queries, call);
                return start_query(registry, call, uid, action, details, error);
        }
        result = query->result;
        failure = g_steal_pointer(&query->failure);
        g_hash_table_remove(registry->queries, call);

        switch (result) {
        case QUERY_AUTHORIZED:
                return 1;
        case QUERY_CHALLENGE:
                /* The caller did allow a prompt, yet polkit could not get an answer (no
                 * authentication agent): asking again with the flag cannot help. */
                if (sd_bus_message_get_allow_interactive_authorization(call) > 0)
                        return bus_error_setf(error, HV_ERROR_ACCESS_DENIED,
                                              "Not authorized: %s (polkit could not ask for a password)", action);
                return bus_error_setf(error, HV_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED,
                                      "Authorization for %s needs a password, but the call does not allow interaction",
                                      action);
        case QUERY_DENIED:
                return bus_error_setf(error, HV_ERROR_ACCESS_DENIED, "Not authorized: %s", action);
        case QUERY_TIMED_OUT:
                return bus_error_setf(error, HV_ERROR_TIMEOUT, "Authorization for %s timed out: nobody answered within %" PRIu64
                                      " s", action, registry->timeout_usec / G_USEC_PER_SEC);
        case QUERY_FAILED:
        case QUERY_PENDING:
        default:
                return bus_error_setf(error, HV_ERROR_ACCESS_DENIED, "Not authorized: %s (polkit: %s)", action,
                                      failure ? failure : "no answer");
        }
}
