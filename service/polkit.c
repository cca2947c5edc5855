/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>

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
} PolkitQuery;

/* An answered query whose call never came back (its object vanished meanwhile,
 * so sd-bus answered it without our handler) is dropped after this long. */
#define ANSWERED_QUERY_LIFETIME_USEC (60 * G_USEC_PER_SEC)

struct PolkitRegistry {
        GHashTable *queries; /* sd_bus_message* -> PolkitQuery*, owned */
};

static void query_free(PolkitQuery *query) {
        sd_bus_slot_unref(query->slot);
        sd_bus_message_unref(query->call);
        g_free(query->action);
        g_free(query->failure);
        g_free(query);
}

PolkitRegistry *polkit_registry_new(void) {
        PolkitRegistry *registry = g_new0(PolkitRegistry, 1);

        registry->queries = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify) query_free);
        return registry;
}

void polkit_registry_free(PolkitRegistry *registry) {
        if (!registry)
                return;
        g_hash_table_unref(registry->queries);
        g_free(registry);
}

unsigned polkit_registry_pending(PolkitRegistry *registry) {
        return g_hash_table_size(registry->queries);
}

static int on_check_authorization_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        PolkitQuery *query = userdata;
        const sd_bus_error *error = sd_bus_message_get_error(reply);
        sd_bus *bus = sd_bus_message_get_bus(query->call);
        int authorized, challenge, r;

        query->slot = sd_bus_slot_unref(query->slot);
        query->answered_usec = g_get_monotonic_time();
        if (error) {
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
        PolkitQuery *query;
        int r;

        r = sd_bus_message_new_method_call(bus, &request, POLKIT_NAME, POLKIT_PATH, POLKIT_INTERFACE,
                                           "CheckAuthorization");
        if (r >= 0)
                r = sd_bus_message_append(request, "(sa{sv})s", "system-bus-name", 1, "name", "s",
                                          sd_bus_message_get_sender(call), action);
        if (r >= 0)
                r = sd_bus_message_open_container(request, 'a', "{ss}");
        for (size_t i = 0; r >= 0 && details && details[i] && details[i + 1]; i += 2)
                r = sd_bus_message_append(request, "{ss}", details[i], details[i + 1]);
        if (r >= 0)
                r = sd_bus_message_close_container(request);
        if (r >= 0)
                r = sd_bus_message_append(request, "us", flags, "");
        if (r < 0)
                return r;

        query = g_new0(PolkitQuery, 1);
        query->registry = registry;
        query->call = sd_bus_message_ref(call);
        query->uid = uid;
        query->action = g_strdup(action);
        /* A password dialog may take a while: wait as long as D-Bus allows. */
        r = sd_bus_call_async(bus, &query->slot, request, on_check_authorization_reply, query, UINT64_MAX);
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
        case QUERY_FAILED:
        case QUERY_PENDING:
        default:
                return bus_error_setf(error, HV_ERROR_ACCESS_DENIED, "Not authorized: %s (polkit: %s)", action,
                                      failure ? failure : "no answer");
        }
}
