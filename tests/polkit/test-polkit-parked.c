/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Calls parked while polkit decides. The attacker is
 * hvtest1, whose authentication agent never answers (the mock's
 * SetNeverAnswer): what its waiting calls hold is bounded per uid, a check
 * that nobody answers times out and is cancelled, and the calls of a caller
 * that leaves the bus are dropped and their checks cancelled. What the
 * service cancelled is read from the mock (GetCancelled); what still waits
 * for polkit, from GetWaiting.
 */

#include <string.h>

#include "pk-test.h"

#define HV_BUS_NAME "org.example.Hypervisor"
#define HV_MANAGER_PATH "/org/example/Hypervisor"
#define HV_ERROR_TIMEOUT "org.example.Hypervisor.Error.Timeout"
#define PK_ERROR_LIMITS_EXCEEDED "org.freedesktop.DBus.Error.LimitsExceeded"

/* How long the mock may take to see what the service did; only a failing test waits this long. */
#define SETTLE_TIMEOUT_USEC (30 * G_USEC_PER_SEC)

/* Bytes of domain XML in each call of these tests; MaxParkedBytesPerUser is set to hold two. */
#define PADDING_BYTES 8000
#define PARKED_LIMIT "MaxParkedBytesPerUser=20000\n"

static void never_answer_create(PkTest *t) {
        const char *const actions[] = { PK_ACTION_CREATE, NULL };

        g_variant_unref(pk_mock_call(t, "SetNeverAnswer", g_variant_new("(^as)", actions)));
}

static unsigned mock_list_length(PkTest *t, const char *method) {
        g_autoptr(GVariant) reply = pk_mock_call(t, method, NULL);
        g_autoptr(GVariant) list = g_variant_get_child_value(reply, 0);

        return (unsigned) g_variant_n_children(list);
}

/* Wait until the mock's list (GetWaiting, GetCancelled) has n entries; fail when it does not come. */
static void wait_for_mock_list(PkTest *t, const char *method, unsigned n) {
        gint64 deadline = g_get_monotonic_time() + SETTLE_TIMEOUT_USEC;
        unsigned length;

        while ((length = mock_list_length(t, method)) != n) {
                if (g_get_monotonic_time() > deadline)
                        g_error("The polkit mock's %s has %u entries, not %u, after %d s", method, length, n,
                                (int) (SETTLE_TIMEOUT_USEC / G_USEC_PER_SEC));
                g_usleep(20 * 1000);
        }
}

/* DefineVM of a VM whose definition carries PADDING_BYTES of comment. */
static GSubprocess *define_padded_start(PkTest *t, const char *user, const char *name) {
        g_autofree char *padding = g_strnfill(PADDING_BYTES, 'x');
        g_autofree char *xml = g_strdup_printf("<domain type='qemu'><!-- %s --><name>%s</name>"
                                               "<memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                                               "<os><type arch='x86_64'>hvm</type><kernel>/nonexistent/vmlinux</kernel>"
                                               "</os></domain>",
                                               padding, name);

        return pk_call_as_start(t, user, PK_CALL_NONE, HV_BUS_NAME, HV_MANAGER_PATH, "org.example.Hypervisor.Manager",
                                "DefineVM", g_variant_new("(sa{sv})", xml, NULL));
}

static void stop_call(GSubprocess *call) {
        g_subprocess_force_exit(call);
        g_assert_true(g_subprocess_wait(call, NULL, NULL));
        g_object_unref(call);
}

/* What one uid's waiting calls hold is bounded; another uid is not affected. */
static void test_bytes_limit(void) {
        PkTest t;
        GSubprocess *first, *second, *victim;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        pk_test_setup_config(&t, PK_POLKIT_MOCK_HV, NULL, PARKED_LIMIT);
        never_answer_create(&t);

        first = define_padded_start(&t, PK_USER1, "parked1");
        wait_for_mock_list(&t, "GetWaiting", 1);
        second = define_padded_start(&t, PK_USER1, "parked2");
        wait_for_mock_list(&t, "GetWaiting", 2);

        /* The third would hold more than the limit: refused at once, polkit not asked. */
        reply = pk_call_as_finish(define_padded_start(&t, PK_USER1, "parked3"), NULL, &error);
        g_assert_null(reply);
        pk_assert_error(error, PK_ERROR_LIMITS_EXCEEDED, "waiting for authorization");
        g_assert_cmpuint(mock_list_length(&t, "GetWaiting"), ==, 2);

        /* The victim's call is parked as usual. */
        victim = define_padded_start(&t, PK_USER2, "victim1");
        wait_for_mock_list(&t, "GetWaiting", 3);

        stop_call(first);
        stop_call(second);
        stop_call(victim);
        pk_test_teardown(&t);
}

/* A caller that leaves the bus: its checks are cancelled and what its calls held is free again. */
static void test_caller_leaves(void) {
        PkTest t;
        GSubprocess *first, *second, *later;

        pk_test_setup_config(&t, PK_POLKIT_MOCK_HV, NULL, PARKED_LIMIT);
        never_answer_create(&t);

        first = define_padded_start(&t, PK_USER1, "parked1");
        wait_for_mock_list(&t, "GetWaiting", 1);
        second = define_padded_start(&t, PK_USER1, "parked2");
        wait_for_mock_list(&t, "GetWaiting", 2);
        g_assert_cmpuint(mock_list_length(&t, "GetCancelled"), ==, 0);

        stop_call(first);
        stop_call(second);
        wait_for_mock_list(&t, "GetCancelled", 2);
        wait_for_mock_list(&t, "GetWaiting", 0);

        /* The bytes they held count no more: a new call of the same uid is parked, not refused. */
        later = define_padded_start(&t, PK_USER1, "parked3");
        wait_for_mock_list(&t, "GetWaiting", 1);

        stop_call(later);
        pk_test_teardown(&t);
}

/* Nobody answers polkit's dialog: the call fails with Timeout and the check is cancelled. */
static void test_timeout(void) {
        PkTest t;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *before = NULL;
        g_autofree char *after = NULL;

        pk_test_setup_config(&t, PK_POLKIT_MOCK_HV, NULL, "PolkitTimeoutSec=2\n");
        never_answer_create(&t);
        before = pk_list_vms(&t);

        reply = pk_try_define_as(&t, PK_USER1, PK_CALL_INTERACTIVE, "waits1", &error);
        g_assert_null(reply);
        pk_assert_error(error, HV_ERROR_TIMEOUT, "timed out");
        wait_for_mock_list(&t, "GetCancelled", 1);
        wait_for_mock_list(&t, "GetWaiting", 0);

        after = pk_list_vms(&t);
        g_assert_cmpstr(after, ==, before);
        pk_test_teardown(&t);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/parked/bytes-limit", test_bytes_limit);
        g_test_add_func("/parked/caller-leaves", test_caller_leaves);
        g_test_add_func("/parked/timeout", test_timeout);
        return g_test_run();
}
