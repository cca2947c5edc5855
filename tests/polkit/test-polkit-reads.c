/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Who may read what, on the private system bus with the
 * mocked polkitd: hvtest1 is the attacker, hvtest2 the victim.
 *
 * - GetXML, GetInfo and GetStats of another user's VM need manage-all; the own VM needs nothing.
 * - The engine log of a deleted VM goes with it: a later VM with the same UUID
 *   does not get the earlier one's log.
 * - <emulator> is not looked at with root's rights: a program in a folder only
 *   root may read gives the same answer as a missing one.
 * - Reads take turns between users: one user's pipelined reads of a
 *   large definition do not put their replies ahead of another user's.
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "pk-test.h"

#define HV_BUS_NAME "org.example.Hypervisor"
#define SHARED_UUID "6f1c3f0e-8a6b-4b0e-9a53-3c1b2d9e7a10"

static GVariant *no_options(void) {
        return g_variant_new("(a{sv})", NULL);
}

static unsigned count_checks(PkTest *t) {
        g_autoptr(GVariant) reply = pk_mock_call(t, "GetMethodCalls", g_variant_new("(s)", "CheckAuthorization"));
        g_autoptr(GVariant) calls = g_variant_get_child_value(reply, 0);

        return (unsigned) g_variant_n_children(calls);
}

/* A VM that boots the test guest with the given engine program (NULL: the default) and UUID (may be NULL). */
static char *guest_xml(const char *name, const char *uuid, const char *emulator) {
        const char *guest = g_getenv("HV_TEST_GUEST_DIR");
        g_autofree char *uuid_element = uuid ? g_strdup_printf("<uuid>%s</uuid>", uuid) : g_strdup("");
        g_autofree char *emulator_element = emulator ? g_strdup_printf("<emulator>%s</emulator>", emulator)
                                                     : g_strdup("");

        if (!guest)
                g_error("HV_TEST_GUEST_DIR is not set: run through meson test");
        return g_strdup_printf("<domain type='qemu'><name>%s</name>%s<memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                               "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>%s/vmlinux</kernel>"
                               "<initrd>%s/initramfs.cpio.gz</initrd><cmdline>console=ttyS0 quiet</cmdline></os>"
                               "<devices>%s</devices></domain>",
                               name, uuid_element, guest, guest, emulator_element);
}

static char *define_xml_as(PkTest *t, const char *user, const char *xml) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = pk_manager_call_as(t, user, PK_CALL_NONE, "DefineVM",
                                                       g_variant_new("(sa{sv})", xml, NULL), &error);
        char *path;

        g_assert_no_error(error);
        g_variant_get(reply, "(o)", &path);
        return path;
}

static void assert_read_denied(PkTest *t, const char *user, const char *vm_path, const char *method) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = pk_vm_call_as(t, user, PK_CALL_NONE, vm_path, method, no_options(), &error);

        g_assert_null(reply);
        pk_assert_error(error, PK_ERROR_ACCESS_DENIED, PK_ACTION_MANAGE_ALL);
}

static void assert_read_allowed(PkTest *t, const char *user, const char *vm_path, const char *method) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = pk_vm_call_as(t, user, PK_CALL_NONE, vm_path, method, no_options(), &error);

        if (error)
                g_error("%s as %s: %s", method, user, error->message);
        g_assert_nonnull(reply);
}

/* GetXML, GetInfo and GetStats of another user's VM need manage-all; properties stay free. */
static void test_other_needs_manage_all(void) {
        PkTest t;
        g_autofree char *victim = NULL;
        g_autofree char *xml = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, NULL);
        victim = pk_define_as(&t, PK_USER2, "victim1");

        assert_read_denied(&t, PK_USER1, victim, "GetXML");
        assert_read_denied(&t, PK_USER1, victim, "GetInfo");
        assert_read_denied(&t, PK_USER1, victim, "GetStats");

        /* Properties are still free. */
        reply = pk_call_as(&t, PK_USER1, PK_CALL_NONE, HV_BUS_NAME, victim, "org.freedesktop.DBus.Properties", "Get",
                           g_variant_new("(ss)", "org.example.Hypervisor.VM", "State"), &error);
        g_assert_no_error(error);
        g_clear_pointer(&reply, g_variant_unref);

        pk_mock_set_allowed(&t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, PK_ACTION_MANAGE_ALL, NULL);
        reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, victim, "GetXML", no_options(), &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(s)", &xml);
        g_assert_nonnull(strstr(xml, "<name>victim1</name>"));
        assert_read_allowed(&t, PK_USER1, victim, "GetInfo");
        /* Past polkit: GetStats of a shut-off VM is refused for its state. */
        reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, victim, "GetStats", no_options(), &error);
        g_assert_null(reply);
        g_assert_nonnull(error);
        g_assert_nonnull(strstr(error->message, "shutoff"));
        g_clear_error(&error);

        pk_test_teardown(&t);
}

/* The owner reads its own VM with nothing allowed, and polkit is not asked; root reads all. */
static void test_own_needs_nothing(void) {
        PkTest t;
        g_autofree char *mine = NULL;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, NULL);
        mine = pk_define_as(&t, PK_USER1, "mine1");
        pk_mock_set_allowed(&t, NULL);
        g_variant_unref(pk_mock_call(&t, "ClearCalls", NULL));

        assert_read_allowed(&t, PK_USER1, mine, "GetXML");
        assert_read_allowed(&t, PK_USER1, mine, "GetInfo");
        assert_read_allowed(&t, "root", mine, "GetXML");
        assert_read_allowed(&t, "root", mine, "GetInfo");
        g_assert_cmpuint(count_checks(&t), ==, 0);

        pk_test_teardown(&t);
}

static void boot_as(PkTest *t, const char *user, const char *vm_path) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = pk_vm_call_as(t, user, PK_CALL_NONE, vm_path, "Boot", no_options(), &error);

        /* /bin/false runs and ends at once: either answer is fine, the log is what counts. */
        if (error)
                g_test_message("Boot as %s: %s", user, error->message);
}

/* The victim's engine log is deleted with its VM: the attacker's VM with the same UUID starts a new one. */
static void test_log_deleted_with_vm(void) {
        PkTest t;
        g_autofree char *log_path = NULL;
        g_autofree char *victim_xml = guest_xml("victimsecret", SHARED_UUID, "/bin/false");
        g_autofree char *attacker_xml = guest_xml("attacker1", SHARED_UUID, "/bin/false");
        g_autofree char *victim = NULL;
        g_autofree char *attacker = NULL;
        g_autofree char *log = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, NULL);
        log_path = g_strdup_printf("%s/log/%s.log", t.dir, SHARED_UUID);

        victim = define_xml_as(&t, PK_USER2, victim_xml);
        boot_as(&t, PK_USER2, victim);
        g_assert_true(g_file_get_contents(log_path, &log, NULL, NULL));
        g_assert_nonnull(strstr(log, "victimsecret"));
        g_clear_pointer(&log, g_free);

        /* Boot may have left it crashed or shut off; Delete takes both. */
        reply = pk_vm_call_as(&t, PK_USER2, PK_CALL_NONE, victim, "Delete", no_options(), &error);
        g_assert_no_error(error);
        g_clear_pointer(&reply, g_variant_unref);
        g_assert_false(g_file_test(log_path, G_FILE_TEST_EXISTS));

        attacker = define_xml_as(&t, PK_USER1, attacker_xml);
        boot_as(&t, PK_USER1, attacker);
        reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, attacker, "GetInfo", no_options(), &error);
        g_assert_no_error(error);
        {
                g_autofree char *printed = g_variant_print(reply, FALSE);

                g_test_message("GetInfo of the attacker's VM: %s", printed);
                g_assert_null(strstr(printed, "victimsecret"));
        }
        if (g_file_get_contents(log_path, &log, NULL, NULL))
                g_assert_null(strstr(log, "victimsecret"));

        pk_test_teardown(&t);
}

/* The error of Boot as hvtest1 with the given <emulator>, with the path and the VM's name replaced. */
static char *boot_error_with_emulator(PkTest *t, const char *name, const char *emulator) {
        g_autofree char *xml = guest_xml(name, NULL, emulator);
        g_autofree char *path = define_xml_as(t, PK_USER1, xml);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = pk_vm_call_as(t, PK_USER1, PK_CALL_NONE, path, "Boot", no_options(), &error);
        g_autofree char *remote = NULL;
        g_auto(GStrv) parts = NULL;
        g_auto(GStrv) name_parts = NULL;
        g_autofree char *message = NULL;
        g_autofree char *without_path = NULL;

        g_assert_null(reply);
        g_assert_nonnull(error);
        remote = g_dbus_error_get_remote_error(error);
        parts = g_strsplit(error->message, emulator, -1);
        without_path = g_strjoinv("EMULATOR", parts);
        name_parts = g_strsplit(without_path, name, -1);
        message = g_strjoinv("NAME", name_parts);
        return g_strdup_printf("%s: %s", remote, message);
}

/* A program in a root-only folder and a missing one give hvtest1 the same answer. */
static void test_emulator_no_oracle(void) {
        PkTest t;
        g_autofree char *hidden_dir = NULL;
        g_autofree char *present = NULL;
        g_autofree char *missing = NULL;
        g_autofree char *present_answer = NULL;
        g_autofree char *missing_answer = NULL;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, NULL);
        hidden_dir = g_build_filename(t.dir, "root-only", NULL);
        g_assert_cmpint(mkdir(hidden_dir, 0700), ==, 0);
        present = g_build_filename(hidden_dir, "engine", NULL);
        missing = g_build_filename(hidden_dir, "nothing", NULL);
        g_assert_true(g_file_set_contents(present, "#!/bin/sh\nexit 1\n", -1, NULL));
        g_assert_cmpint(chmod(present, 0755), ==, 0);

        present_answer = boot_error_with_emulator(&t, "oracle1", present);
        missing_answer = boot_error_with_emulator(&t, "oracle2", missing);
        g_test_message("present: %s", present_answer);
        g_test_message("missing: %s", missing_answer);
        g_assert_cmpstr(present_answer, ==, missing_answer);

        pk_test_teardown(&t);
}

/* ---- read load ---- */

/* Under dbus-daemon's own bound of 128 pending replies per connection, which would answer LimitsExceeded itself. */
#define FLOOD_CALLS 120
/* The service's bound (service/read-queue.h): reads of one uid that may wait for their turn. */
#define READS_WAITING_BOUND 16
#define BIG_XML_BYTES (1000 * 1000)

/* A hv-flood-as process as user: COUNT calls of method to path, at the test's word. */
typedef struct {
        GSubprocess *process;
        GDataInputStream *out;
        char *unique_name;
} Flood;

static char *flood_read_line(Flood *flood) {
        g_autoptr(GError) error = NULL;
        char *line = g_data_input_stream_read_line(flood->out, NULL, NULL, &error);

        g_assert_no_error(error);
        g_assert_nonnull(line);
        return line;
}

/* Starts it and waits until its connection is known to the service ("ready"). */
static void flood_start(PkTest *t, Flood *flood, const char *user, const char *path, const char *method,
                        unsigned count) {
        const char *helper = g_getenv("HV_FLOOD_AS");
        g_autofree char *count_text = g_strdup_printf("%u", count);
        const char *argv[] = { helper, user, path, method, count_text, NULL };
        g_auto(GStrv) env = g_get_environ();
        g_autoptr(GSubprocessLauncher) launcher =
                g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
        g_autoptr(GError) error = NULL;
        g_autofree char *line = NULL;

        if (!helper)
                g_error("HV_FLOOD_AS is not set: run through meson test");
        env = g_environ_setenv(env, "DBUS_SYSTEM_BUS_ADDRESS", t->bus_address, TRUE);
        g_subprocess_launcher_set_environ(launcher, env);
        flood->process = g_subprocess_launcher_spawnv(launcher, argv, &error);
        g_assert_no_error(error);
        flood->out = g_data_input_stream_new(g_subprocess_get_stdout_pipe(flood->process));
        line = flood_read_line(flood);
        g_assert_true(g_str_has_prefix(line, "ready :"));
        flood->unique_name = g_strdup(line + strlen("ready "));
}

/* Sends its calls; returns once the bus has passed them all on. */
static void flood_send(Flood *flood, unsigned count) {
        g_autoptr(GError) error = NULL;
        g_autofree char *line = NULL;
        g_autofree char *expected = g_strdup_printf("sent %u", count);

        g_assert_true(g_output_stream_write_all(g_subprocess_get_stdin_pipe(flood->process), "go\n", 3, NULL, NULL,
                                                &error));
        g_assert_no_error(error);
        line = flood_read_line(flood);
        g_assert_cmpstr(line, ==, expected);
}

/* Lets it read its replies; its "replies OK LIMITS OTHER ..." line, parsed. */
static void flood_collect(Flood *flood, unsigned *ok, unsigned *limits, char **ret_limit_line) {
        g_autoptr(GError) error = NULL;
        g_autofree char *line = NULL;
        unsigned other = 0;

        g_assert_true(g_output_stream_close(g_subprocess_get_stdin_pipe(flood->process), NULL, &error));
        g_assert_no_error(error);
        line = flood_read_line(flood);
        g_test_message("%s: %s", flood->unique_name, line);
        g_assert_cmpint(sscanf(line, "replies %u %u %u", ok, limits, &other), ==, 3);
        g_assert_cmpuint(other, ==, 0);
        *ret_limit_line = *limits > 0 ? flood_read_line(flood) : NULL;
        g_assert_true(g_subprocess_wait_check(flood->process, NULL, &error));
        g_assert_no_error(error);
}

static void flood_clear(Flood *flood) {
        g_clear_object(&flood->out);
        g_clear_object(&flood->process);
        g_clear_pointer(&flood->unique_name, g_free);
}

/* Bytes the bus holds for a connection that has not read them (dbus-daemon's Debug.Stats). */
static guint32 bus_outgoing_bytes(PkTest *t, const char *unique_name) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
                t->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.Debug.Stats",
                "GetConnectionStats", g_variant_new("(s)", unique_name), G_VARIANT_TYPE("(a{sv})"),
                G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
        g_autoptr(GVariant) stats = NULL;
        guint32 bytes = 0;

        g_assert_no_error(error);
        stats = g_variant_get_child_value(reply, 0);
        g_assert_true(g_variant_lookup(stats, "OutgoingBytes", "u", &bytes));
        return bytes;
}

static void signal_daemon(PkTest *t, int signo) {
        const char *pid = g_subprocess_get_identifier(t->daemon);

        g_assert_nonnull(pid);
        g_assert_cmpint(kill((pid_t) atoi(pid), signo), ==, 0);
}

/*
 * hvtest1 pipelines GetXML of a 1 MB definition and does not read the replies;
 * hvtest2 asks GetXML of its own small VM just after. To make the order exact,
 * the daemon is stopped (SIGSTOP) while both send, so that it finds all the
 * calls waiting at once when it goes on, the attacker's first.
 *
 * Before the fix the daemon answered every call in order: the victim's reply
 * left after the attacker's 120 MB, which the bus held for the attacker
 * (about 119 MB when the victim was answered), and the root daemon held it all
 * on the way. Now the attacker's reads take turns with the victim's, and past
 * READS_WAITING_BOUND waiting ones they are refused: when the victim has its
 * answer, the bus holds only the few replies that had their turn before it.
 */
static void test_pipelined_getxml(void) {
        PkTest t;
        g_autoptr(GString) big = g_string_new(NULL);
        g_autofree char *xml = NULL;
        g_autofree char *xml_file = NULL;
        g_autofree char *at_file = NULL;
        g_autofree char *victim_vm = NULL;
        g_autofree char *limit_line = NULL;
        Flood attacker = { 0 }, victim = { 0 };
        unsigned ok = 0, limits = 0;
        guint32 held_for_attacker;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, NULL);

        /* A definition just under the 1 MiB limit. */
        while (big->len < BIG_XML_BYTES)
                g_string_append(big, "0123456789abcdef");
        xml = g_strdup_printf("<domain type='qemu'><name>big1</name><description>%s</description>"
                              "<memory unit='MiB'>256</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type>"
                              "<kernel>/nonexistent/vmlinux</kernel></os></domain>",
                              big->str);
        /* Too long for a command line: the helper defines it from a file. */
        xml_file = g_build_filename(t.dir, "big1.xml", NULL);
        g_assert_true(g_file_set_contents(xml_file, xml, -1, NULL));
        g_assert_cmpint(chmod(xml_file, 0644), ==, 0);
        at_file = g_strconcat("@", xml_file, NULL);
        victim_vm = pk_define_as(&t, PK_USER2, "small2");

        flood_start(&t, &attacker, PK_USER1, at_file, "GetXML", FLOOD_CALLS);
        flood_start(&t, &victim, PK_USER2, victim_vm, "GetXML", 1);

        signal_daemon(&t, SIGSTOP);
        flood_send(&attacker, FLOOD_CALLS);
        flood_send(&victim, 1);
        signal_daemon(&t, SIGCONT);

        /* The victim reads its reply; then, what does the bus hold for the attacker? */
        flood_collect(&victim, &ok, &limits, &limit_line);
        g_assert_cmpuint(ok, ==, 1);
        held_for_attacker = bus_outgoing_bytes(&t, attacker.unique_name);
        g_test_message("when %s had its reply, the bus held %u bytes of replies for %s", PK_USER2,
                       (unsigned) held_for_attacker, PK_USER1);
        g_assert_cmpuint(held_for_attacker, <, (READS_WAITING_BOUND + 2) * (guint32) BIG_XML_BYTES);

        /* Now the attacker reads: past the bound, its calls were refused, by the service. */
        flood_collect(&attacker, &ok, &limits, &limit_line);
        g_assert_cmpuint(ok + limits, ==, FLOOD_CALLS);
        /* How many were answered depends on how fast the bus drains the service's socket meanwhile
         * (a loaded host answers more, one turn at a time); what is bounded is what waits. */
        g_test_message("%s had %u replies and %u refusals", PK_USER1, ok, limits);
        g_assert_nonnull(limit_line);
        g_test_message("%s", limit_line);
        g_assert_nonnull(strstr(limit_line, "Too many replies to reads of uid"));

        flood_clear(&attacker);
        flood_clear(&victim);
        pk_test_teardown(&t);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        g_test_add_func("/reads/other-needs-manage-all", test_other_needs_manage_all);
        g_test_add_func("/reads/own-needs-nothing", test_own_needs_nothing);
        g_test_add_func("/reads/log-deleted-with-vm", test_log_deleted_with_vm);
        g_test_add_func("/reads/emulator-no-oracle", test_emulator_no_oracle);
        g_test_add_func("/reads/pipelined-getxml", test_pipelined_getxml);
        return g_test_run();
}
