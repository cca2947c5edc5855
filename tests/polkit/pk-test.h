/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Test fixture for authorization tests: a private dbus-daemon configured like
 * a system bus (deny by default, with the repository's own bus policy
 * included), hypervisord from the build tree serving it with --system as root,
 * and a polkit authority on that bus: none, python-dbusmock's polkitd template,
 * our extension of it (tests/polkit/polkitd-hv.py), or the real polkitd.
 *
 * Clients are unprivileged: every call "as" a user runs hv-call-as, which
 * drops to that user before it connects. The test process itself must be root.
 * Logs of the bus, the daemon and polkit are printed only when a test fails.
 */

#include <gio/gio.h>
#include <stdbool.h>
#include <sys/types.h>

#define PK_USER1 "hvtest1"
#define PK_USER2 "hvtest2"

#define PK_ACTION_CREATE "org.example.hypervisor.create"
#define PK_ACTION_MANAGE_OWN "org.example.hypervisor.manage-own"
#define PK_ACTION_MANAGE_ALL "org.example.hypervisor.manage-all"

#define PK_ERROR_ACCESS_DENIED "org.freedesktop.DBus.Error.AccessDenied"
#define PK_ERROR_INTERACTIVE "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"

typedef enum {
        PK_POLKIT_NONE,      /* nobody owns org.freedesktop.PolicyKit1 */
        PK_POLKIT_MOCK,      /* python-dbusmock's polkitd template, as shipped */
        PK_POLKIT_MOCK_HV,   /* the template plus challenges, errors and a call log (polkitd-hv.py) */
        PK_POLKIT_REAL,      /* /usr/lib/polkit-1/polkitd with our actions and the given rules */
} PkPolkit;

typedef struct {
        char *dir;            /* 0755 temporary folder with everything below */
        char *bus_address;
        GSubprocess *bus;
        GSubprocess *polkit;
        GSubprocess *daemon;
        GDBusConnection *connection; /* the test's own (root) connection */
        char *bus_log, *polkit_log, *daemon_log;
} PkTest;

/* Lines appended to the daemon's hypervisord.conf by the next pk_test_setup() (NULL: none). */

/* rules: the text of a polkit .rules file (PK_POLKIT_REAL only), or NULL. */
void pk_test_setup(PkTest *t, PkPolkit polkit, const char *rules);
/* The same, with lines added to the [Manager] group of hypervisord.conf (each ending in a newline). */
void pk_test_setup_config(PkTest *t, PkPolkit polkit, const char *rules, const char *manager_config);
void pk_test_teardown(PkTest *t);

/* The uid of a test user; the test fails when the user is missing. */
uid_t pk_user_uid(const char *user);

/* Steer the mock (org.freedesktop.DBus.Mock): the reply, asserting success. */
GVariant *pk_mock_call(PkTest *t, const char *method, GVariant *args);
/* SetAllowed with a NULL-terminated list of actions. */
void pk_mock_set_allowed(PkTest *t, ...) G_GNUC_NULL_TERMINATED;

typedef enum {
        PK_CALL_NONE = 0,
        PK_CALL_INTERACTIVE = 1 << 0, /* ALLOW_INTERACTIVE_AUTHORIZATION */
} PkCallFlags;

/*
 * One call as user, made by hv-call-as in its own process. _start returns at
 * once; _finish waits for it and returns the reply, or NULL with error set to
 * the D-Bus error (g_dbus_error_get_remote_error() works on it). ret_usec (may
 * be NULL) receives the time of the call itself, measured by the helper.
 */
/* The hv-call-as helper. */
const char *pk_helper_path(void);

GSubprocess *pk_call_as_start(PkTest *t, const char *user, PkCallFlags flags, const char *destination,
                              const char *path, const char *interface, const char *method, GVariant *args);
GVariant *pk_call_as_finish(GSubprocess *call, gint64 *ret_usec, GError **error);
GVariant *pk_call_as(PkTest *t, const char *user, PkCallFlags flags, const char *destination, const char *path,
                     const char *interface, const char *method, GVariant *args, GError **error);

GVariant *pk_manager_call_as(PkTest *t, const char *user, PkCallFlags flags, const char *method, GVariant *args,
                             GError **error);
GVariant *pk_vm_call_as(PkTest *t, const char *user, PkCallFlags flags, const char *vm_path, const char *method,
                        GVariant *args, GError **error);
GSubprocess *pk_define_as_start(PkTest *t, const char *user, PkCallFlags flags, const char *name);

/* DefineVM of a minimal VM as user, asserting success; returns its object path. */
char *pk_define_as(PkTest *t, const char *user, const char *name);
/* DefineVM of a minimal VM as user; the reply or NULL with error set. */
GVariant *pk_try_define_as(PkTest *t, const char *user, PkCallFlags flags, const char *name, GError **error);
char *pk_minimal_xml(const char *name);

/* Reads on the test's own connection. */
GVariant *pk_get_vm_property(PkTest *t, const char *vm_path, const char *name);
/* ListVMs, sorted, as one string "path1 path2 ..." to compare before and after. */
char *pk_list_vms(PkTest *t);

void pk_assert_error(const GError *error, const char *name, const char *message_part);

/*
 * rounds x (DefineVM of a VM named 'latency1', then Delete), made by one
 * hv-call-as process as user; the mean time of one round in microseconds.
 */
#define PK_LATENCY_ROUNDS 200
double pk_define_delete_usec(PkTest *t, const char *user, unsigned rounds);
