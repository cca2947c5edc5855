/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Authorization decided by the real polkitd (/usr/lib/polkit-1/polkitd, Debian
 * package polkitd) on the private system bus, reading our .policy file and the
 * rules below. polkitd runs in a mount namespace of its own (pk-test.c), so
 * nothing is installed on the host. The test users have no login session here,
 * so the actions' defaults for inactive/any subjects apply (no, or auth_admin),
 * and only the rules grant anything.
 */

#include <stdio.h>
#include <string.h>

#include "pk-test.h"

static const char rules[] =
        "/* hvtest1 may define VMs; hvtest2 may not. */\n"
        "polkit.addRule(function(action, subject) {\n"
        "        if (action.id == 'org.example.hypervisor.create' && subject.user == 'hvtest1')\n"
        "                return polkit.Result.YES;\n"
        "});\n"
        "/* hvtest1 may delete its own VMs named 'deletable' or 'latency1', nothing else: the details. */\n"
        "polkit.addRule(function(action, subject) {\n"
        "        if (action.id == 'org.example.hypervisor.manage-own' && subject.user == 'hvtest1' &&\n"
        "            action.lookup('verb') == 'delete' &&\n"
        "            (action.lookup('vm.name') == 'deletable' || action.lookup('vm.name') == 'latency1'))\n"
        "                return polkit.Result.YES;\n"
        "});\n";

static GVariant *no_options(void) {
        return g_variant_new("(a{sv})", NULL);
}

static void test_create_rule(void) {
        PkTest t;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GVariant) owner = NULL;
        g_autofree char *path = NULL;
        g_autofree char *before = NULL;
        g_autofree char *after = NULL;

        pk_test_setup(&t, PK_POLKIT_REAL, rules);

        path = pk_define_as(&t, PK_USER1, "real1");
        owner = pk_get_vm_property(&t, path, "Owner");
        g_assert_cmpuint(g_variant_get_uint32(owner), ==, pk_user_uid(PK_USER1));

        before = pk_list_vms(&t);
        reply = pk_try_define_as(&t, PK_USER2, PK_CALL_NONE, "real2", &error);
        g_assert_null(reply);
        /* allow_any is 'no': a plain refusal, not a password question. */
        pk_assert_error(error, PK_ERROR_ACCESS_DENIED, PK_ACTION_CREATE);
        after = pk_list_vms(&t);
        g_assert_cmpstr(before, ==, after);

        pk_test_teardown(&t);
}

/* manage-all is auth_admin: polkitd wants a password, and the caller did not allow asking. */
static void test_admin_challenge(void) {
        PkTest t;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *path = NULL;
        g_autofree char *before = NULL;
        g_autofree char *after = NULL;

        pk_test_setup(&t, PK_POLKIT_REAL, rules);
        path = pk_define_as(&t, PK_USER1, "deletable");
        before = pk_list_vms(&t);

        reply = pk_vm_call_as(&t, PK_USER2, PK_CALL_NONE, path, "Delete", no_options(), &error);
        g_assert_null(reply);
        pk_assert_error(error, PK_ERROR_INTERACTIVE, PK_ACTION_MANAGE_ALL);
        g_clear_error(&error);

        /* Allowed to ask, but no authentication agent is registered: refused. */
        reply = pk_vm_call_as(&t, PK_USER2, PK_CALL_INTERACTIVE, path, "Delete", no_options(), &error);
        g_assert_null(reply);
        g_test_message("interactive Delete without an agent: %s", error->message);
        pk_assert_error(error, PK_ERROR_ACCESS_DENIED, PK_ACTION_MANAGE_ALL);

        after = pk_list_vms(&t);
        g_assert_cmpstr(before, ==, after);

        pk_test_teardown(&t);
}

/* Rules see the verb and the VM's name in the details; the defaults refuse the rest. */
static void test_rules_see_details(void) {
        PkTest t;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *deletable = NULL;
        g_autofree char *kept = NULL;
        g_autofree char *list = NULL;

        pk_test_setup(&t, PK_POLKIT_REAL, rules);
        deletable = pk_define_as(&t, PK_USER1, "deletable");
        kept = pk_define_as(&t, PK_USER1, "kept");

        /* Another verb on the same VM: manage-own's default for a user without a session is 'no'. */
        reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, deletable, "Boot", no_options(), &error);
        g_assert_null(reply);
        pk_assert_error(error, PK_ERROR_ACCESS_DENIED, PK_ACTION_MANAGE_OWN);
        g_clear_error(&error);

        /* The same verb on another VM. */
        reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, kept, "Delete", no_options(), &error);
        g_assert_null(reply);
        pk_assert_error(error, PK_ERROR_ACCESS_DENIED, PK_ACTION_MANAGE_OWN);
        g_clear_error(&error);

        reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, deletable, "Delete", no_options(), &error);
        g_assert_no_error(error);
        g_assert_nonnull(reply);

        list = pk_list_vms(&t);
        g_assert_cmpstr(list, ==, kept);

        pk_test_teardown(&t);
}

/* What a check by the real polkitd (rules in JavaScript) costs, against root, which is never checked. */
static void test_latency(void) {
        PkTest t;
        double user_usec, root_usec;

        pk_test_setup(&t, PK_POLKIT_REAL, rules);

        (void) pk_define_delete_usec(&t, PK_USER1, 10);
        (void) pk_define_delete_usec(&t, "root", 10);
        user_usec = pk_define_delete_usec(&t, PK_USER1, PK_LATENCY_ROUNDS);
        root_usec = pk_define_delete_usec(&t, "root", PK_LATENCY_ROUNDS);

        g_test_message("DefineVM+Delete round trip: %.0f us as %s (2 polkit checks), %.0f us as root (none); "
                       "%.0f us per authorization check (real polkitd)",
                       user_usec, PK_USER1, root_usec, (user_usec - root_usec) / 2);
        printf("# latency: define+delete %.0f us as user, %.0f us as root, %.0f us per check (real polkitd)\n",
               user_usec, root_usec, (user_usec - root_usec) / 2);

        pk_test_teardown(&t);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        g_test_add_func("/real/create-rule", test_create_rule);
        g_test_add_func("/real/admin-challenge", test_admin_challenge);
        g_test_add_func("/real/rules-see-details", test_rules_see_details);
        g_test_add_func("/real/latency", test_latency);
        return g_test_run();
}
