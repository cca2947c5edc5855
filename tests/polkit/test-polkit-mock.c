/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Authorization on a private system bus with a mocked polkitd: the
 * python-dbusmock polkitd template (SetAllowed), or our extension of it for
 * challenges and errors. Callers are the unprivileged users hvtest1 and
 * hvtest2; the daemon runs as root with --system.
 */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "pk-test.h"

#define HV_BUS_NAME "org.example.Hypervisor"
#define HV_MANAGER_PATH "/org/example/Hypervisor"

static GVariant *no_options(void) {
        return g_variant_new("(a{sv})", NULL);
}

/* ("org.example.hypervisor.create",) as the argument of a mock method taking as. */
static GVariant *only_create(void) {
        const char *const actions[] = { PK_ACTION_CREATE, NULL };

        return g_variant_new("(^as)", actions);
}

static unsigned count_checks(PkTest *t) {
        g_autoptr(GVariant) reply = pk_mock_call(t, "GetMethodCalls", g_variant_new("(s)", "CheckAuthorization"));
        g_autoptr(GVariant) calls = g_variant_get_child_value(reply, 0);

        return (unsigned) g_variant_n_children(calls);
}

/* The bus policy: everyone may call the service, nobody but root may own its name. */
static void test_bus_policy(void) {
        PkTest t;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);

        /* hypervisord, as root, owns the name: the fixture waited for it. */
        reply = pk_manager_call_as(&t, PK_USER1, PK_CALL_NONE, "ListVMs", no_options(), &error);
        g_assert_no_error(error);
        g_clear_pointer(&reply, g_variant_unref);
        reply = pk_call_as(&t, PK_USER1, PK_CALL_NONE, HV_BUS_NAME, HV_MANAGER_PATH,
                           "org.freedesktop.DBus.Introspectable", "Introspect", NULL, &error);
        g_assert_no_error(error);
        g_clear_pointer(&reply, g_variant_unref);

        /* A user cannot take the name (not even queue for it). */
        reply = pk_call_as(&t, PK_USER1, PK_CALL_NONE, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                           "org.freedesktop.DBus", "RequestName", g_variant_new("(su)", HV_BUS_NAME, 0), &error);
        g_assert_null(reply);
        pk_assert_error(error, PK_ERROR_ACCESS_DENIED, "not allowed to own the service \"org.example.Hypervisor\"");
        g_clear_error(&error);

        /* Properties are read-only on the bus too: Set never reaches the service. */
        reply = pk_call_as(&t, PK_USER1, PK_CALL_NONE, HV_BUS_NAME, HV_MANAGER_PATH,
                           "org.freedesktop.DBus.Properties", "Set",
                           g_variant_new("(ssv)", "org.example.Hypervisor.Manager", "DefaultEngine",
                                         g_variant_new_string("qemu")),
                           &error);
        g_assert_null(reply);
        pk_assert_error(error, PK_ERROR_ACCESS_DENIED, "org.freedesktop.DBus.Properties");
        g_clear_error(&error);

        /* A second root connection may own it (queued behind the daemon): the policy is per user. */
        reply = pk_call_as(&t, "root", PK_CALL_NONE, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                           "org.freedesktop.DBus", "RequestName", g_variant_new("(su)", HV_BUS_NAME, 0), &error);
        g_assert_no_error(error);
        {
                guint32 result;

                g_variant_get(reply, "(u)", &result);
                g_assert_cmpuint(result, ==, 2); /* DBUS_REQUEST_NAME_REPLY_IN_QUEUE */
        }

        pk_test_teardown(&t);
}

static void test_allowed(void) {
        PkTest t;
        g_autofree char *path = NULL;
        g_autoptr(GVariant) owner = NULL;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, NULL);

        path = pk_define_as(&t, PK_USER1, "allowed1");
        owner = pk_get_vm_property(&t, path, "Owner");
        g_assert_cmpuint(g_variant_get_uint32(owner), ==, pk_user_uid(PK_USER1));
        g_assert_cmpuint(count_checks(&t), ==, 1);

        pk_test_teardown(&t);
}

static void test_snapshot_refused_for_users(void) {
        PkTest t;
        g_autofree char *path = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;

        /* The service would create and open snapshot files with its own privileges:
         * refused for VMs of unprivileged owners until it opens them as the owner. */
        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, NULL);
        path = pk_define_as(&t, PK_USER1, "nosnap");
        reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, path, "Snapshot",
                              g_variant_new("(sa{sv})", "/etc/hv-should-not-exist", NULL), &error);
        pk_assert_error(error, "org.example.Hypervisor.Error.NotSupported", "'nosnap'");
        g_assert_false(g_file_test("/etc/hv-should-not-exist", G_FILE_TEST_EXISTS));
        g_clear_error(&error);
        reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, path, "Restore", g_variant_new("(sa{sv})", "/etc", NULL),
                              &error);
        pk_assert_error(error, "org.example.Hypervisor.Error.NotSupported", "'nosnap'");
        pk_test_teardown(&t);
}

/* A sparse disk image of `size` bytes at path, owned by uid with the given mode. */
static void make_disk(const char *path, uid_t uid, mode_t mode) {
        g_assert_true(g_file_set_contents(path, "", 0, NULL));
        g_assert_cmpint(truncate(path, 16 << 20), ==, 0);
        g_assert_cmpint(chown(path, uid, (gid_t) -1), ==, 0);
        g_assert_cmpint(chmod(path, mode), ==, 0);
}

static char *guest_xml_with_disk(const char *name, const char *disk) {
        const char *guest = g_getenv("HV_TEST_GUEST_DIR");

        if (!guest)
                g_error("HV_TEST_GUEST_DIR is not set: run through meson test");
        return g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                               "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>%s/vmlinux</kernel>"
                               "<initrd>%s/initramfs.cpio.gz</initrd><cmdline>console=ttyS0 quiet</cmdline></os>"
                               "<devices><disk type='file' device='disk'><source file='%s'/>"
                               "<target dev='vda' bus='virtio'/></disk></devices></domain>",
                               name, guest, guest, disk);
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

/* A UEFI VM of hvtest1's whose <nvram> path does not exist yet, with its template (what
 * `virsh dumpxml` prints of a UEFI VM). */
static char *uefi_xml(const char *name, const char *nvram) {
        const char *guest = g_getenv("HV_TEST_GUEST_DIR");

        if (!guest)
                g_error("HV_TEST_GUEST_DIR is not set: run through meson test");
        return g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                               "<os><type arch='x86_64' machine='q35'>hvm</type>"
                               "<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.fd</loader>"
                               "<nvram template='/usr/share/OVMF/OVMF_VARS_4M.fd'>%s</nvram>"
                               "<kernel>%s/vmlinux</kernel><cmdline>console=ttyS0 quiet</cmdline></os>"
                               "<devices/></domain>",
                               name, nvram, guest);
}

static void boot_as(PkTest *t, const char *vm, GError **error) {
        g_autoptr(GVariant) reply =
                pk_vm_call_as(t, PK_USER1, PK_CALL_NONE, vm, "Boot", g_variant_new("(a{sv})", NULL), error);
}

/*
 * The UEFI variables of an <nvram> path are made from the template as the owner, never
 * with the service's rights: not in a folder only root may write, not through a symlink
 * to a place only root may write; in the owner's own folder they are made, the owner's,
 * 0600, and a file that exists is used as it is.
 */
static void test_nvram_made_as_owner(void) {
        PkTest t;
        uid_t uid = pk_user_uid(PK_USER1);
        g_autofree char *root_dir = NULL, *own_dir = NULL, *in_root = NULL, *victim = NULL, *link = NULL;
        g_autofree char *own = NULL, *xml = NULL, *vm = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        struct stat st, template_st;
        ino_t first;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, NULL);
        root_dir = g_build_filename(t.dir, "root-only", NULL);
        own_dir = g_build_filename(t.dir, "hvtest1-vms", NULL);
        g_assert_cmpint(mkdir(root_dir, 0755), ==, 0);
        g_assert_cmpint(mkdir(own_dir, 0700), ==, 0);
        g_assert_cmpint(chown(own_dir, uid, (gid_t) -1), ==, 0);
        g_assert_cmpint(stat("/usr/share/OVMF/OVMF_VARS_4M.fd", &template_st), ==, 0);

        /* In a folder only root may write: the owner's own "Permission denied", nothing made. */
        in_root = g_build_filename(root_dir, "vars.fd", NULL);
        xml = uefi_xml("nvramroot", in_root);
        vm = define_xml_as(&t, PK_USER1, xml);
        boot_as(&t, vm, &error);
        pk_assert_error(error, "org.example.Hypervisor.Error.EngineFailed",
                        "from their template, as the VM's owner: Permission denied");
        g_test_message("%s", error->message);
        g_assert_false(g_file_test(in_root, G_FILE_TEST_EXISTS));
        g_clear_error(&error);
        g_clear_pointer(&xml, g_free);
        g_clear_pointer(&vm, g_free);

        /* A symlink of the owner's to a place only root may write: not followed, nothing made there. */
        victim = g_build_filename(root_dir, "victim.fd", NULL);
        link = g_build_filename(own_dir, "link.fd", NULL);
        g_assert_cmpint(symlink(victim, link), ==, 0);
        g_assert_cmpint(lchown(link, uid, (gid_t) -1), ==, 0);
        xml = uefi_xml("nvramlink", link);
        vm = define_xml_as(&t, PK_USER1, xml);
        boot_as(&t, vm, &error);
        g_assert_nonnull(error);
        g_test_message("%s", error->message);
        g_assert_false(g_file_test(victim, G_FILE_TEST_EXISTS));
        g_clear_error(&error);
        g_clear_pointer(&xml, g_free);
        g_clear_pointer(&vm, g_free);

        /* In the owner's folder: made, the owner's, 0600, the template's size; QEMU runs on it. */
        own = g_build_filename(own_dir, "vars.fd", NULL);
        xml = uefi_xml("nvramown", own);
        vm = define_xml_as(&t, PK_USER1, xml);
        boot_as(&t, vm, &error);
        g_assert_no_error(error);
        g_assert_cmpint(stat(own, &st), ==, 0);
        g_assert_cmpuint(st.st_uid, ==, uid);
        g_assert_cmpint(st.st_mode & 07777, ==, 0600);
        g_assert_cmpint(st.st_size, ==, template_st.st_size);
        first = st.st_ino;
        reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, vm, "PowerOff", g_variant_new("(a{sv})", NULL), &error);
        g_assert_no_error(error);
        g_clear_pointer(&reply, g_variant_unref);

        /* It exists now: used as it is at the next boot. */
        boot_as(&t, vm, &error);
        g_assert_no_error(error);
        g_assert_cmpint(stat(own, &st), ==, 0);
        g_assert_cmpuint(st.st_ino, ==, first);
        reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, vm, "PowerOff", g_variant_new("(a{sv})", NULL), &error);
        g_assert_no_error(error);
        pk_test_teardown(&t);
}

static void test_engine_runs_as_owner(void) {
        PkTest t;
        uid_t uid = pk_user_uid(PK_USER1);
        g_autofree char *secret = NULL;
        g_autofree char *mine = NULL;
        g_autofree char *secret_xml = NULL;
        g_autofree char *mine_xml = NULL;
        g_autofree char *secret_vm = NULL;
        g_autofree char *mine_vm = NULL;
        g_autofree char *status = NULL;
        g_autofree char *status_path = NULL;
        g_autofree char *uid_line = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GVariant) pid = NULL;
        g_autoptr(GError) error = NULL;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, NULL);
        secret = g_build_filename(t.dir, "images", "secret.raw", NULL);
        mine = g_build_filename(t.dir, "images", "mine.raw", NULL);
        make_disk(secret, 0, 0600);
        make_disk(mine, uid, 0600);

        /* A disk only root may open: the service must not open it on the user's behalf. */
        secret_xml = guest_xml_with_disk("rootdisk", secret);
        secret_vm = define_xml_as(&t, PK_USER1, secret_xml);
        reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, secret_vm, "Boot", g_variant_new("(a{sv})", NULL), &error);
        pk_assert_error(error, "org.example.Hypervisor.Error.EngineFailed", "secret.raw");
        g_test_message("Boot with a root-only disk: %s", error->message);
        g_clear_error(&error);
        g_clear_pointer(&reply, g_variant_unref);

        /* The user's own disk boots, and the engine runs as the user. */
        mine_xml = guest_xml_with_disk("owndisk", mine);
        mine_vm = define_xml_as(&t, PK_USER1, mine_xml);
        reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, mine_vm, "Boot", g_variant_new("(a{sv})", NULL), &error);
        g_assert_no_error(error);
        pid = pk_get_vm_property(&t, mine_vm, "PID");
        g_assert_cmpuint(g_variant_get_uint32(pid), >, 0);
        status_path = g_strdup_printf("/proc/%u/status", g_variant_get_uint32(pid));
        g_assert_true(g_file_get_contents(status_path, &status, NULL, NULL));
        uid_line = g_strdup_printf("\nUid:\t%u\t%u\t%u\t%u\n", (unsigned) uid, (unsigned) uid, (unsigned) uid,
                                   (unsigned) uid);
        if (!strstr(status, uid_line))
                g_error("The engine does not run as uid %u:\n%s", (unsigned) uid, status);
        g_assert_nonnull(strstr(status, "NoNewPrivs:\t1"));
        g_clear_pointer(&reply, g_variant_unref);
        reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, mine_vm, "PowerOff", g_variant_new("(a{sv})", NULL),
                              &error);
        g_assert_no_error(error);
        pk_test_teardown(&t);
}

static void test_denied(void) {
        PkTest t;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *before = NULL;
        g_autofree char *after = NULL;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        /* Another action is allowed, just not the one DefineVM needs. */
        pk_mock_set_allowed(&t, PK_ACTION_MANAGE_OWN, NULL);
        before = pk_list_vms(&t);

        reply = pk_try_define_as(&t, PK_USER1, PK_CALL_NONE, "denied1", &error);
        g_assert_null(reply);
        pk_assert_error(error, PK_ERROR_ACCESS_DENIED, PK_ACTION_CREATE);

        after = pk_list_vms(&t);
        g_assert_cmpstr(before, ==, after);
        g_assert_cmpuint(count_checks(&t), ==, 1);

        pk_test_teardown(&t);
}

/* polkit would ask for a password: the caller's flag decides between asking and refusing. */
static void test_interactive_required(void) {
        PkTest t;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *before = NULL;
        g_autofree char *after = NULL;

        pk_test_setup(&t, PK_POLKIT_MOCK_HV, NULL);
        g_variant_unref(pk_mock_call(&t, "SetChallenge", only_create()));
        before = pk_list_vms(&t);

        reply = pk_try_define_as(&t, PK_USER1, PK_CALL_NONE, "interactive1", &error);
        g_assert_null(reply);
        pk_assert_error(error, PK_ERROR_INTERACTIVE, PK_ACTION_CREATE);
        after = pk_list_vms(&t);
        g_assert_cmpstr(before, ==, after);
        g_clear_error(&error);
        g_clear_pointer(&reply, g_variant_unref);

        /* With ALLOW_INTERACTIVE_AUTHORIZATION the mock "prompts" and says yes. */
        reply = pk_try_define_as(&t, PK_USER1, PK_CALL_INTERACTIVE, "interactive1", &error);
        g_assert_no_error(error);
        g_assert_nonnull(reply);

        pk_test_teardown(&t);
}

/* One argument of a logged call (the mock logs them as av). */
static GVariant *logged_arg(GVariant *args, gsize index) {
        g_autoptr(GVariant) boxed = g_variant_get_child_value(args, index);

        return g_variant_get_variant(boxed);
}

/* What the service asks: the caller's bus name as subject, the action, details, the caller's flag. */
static void test_check_arguments(void) {
        PkTest t;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GVariant) calls = NULL;
        g_autoptr(GVariant) owner_reply = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *path = NULL;
        const char *daemon_name;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, NULL);
        path = pk_define_as(&t, PK_USER1, "arguments1");
        g_variant_unref(pk_try_define_as(&t, PK_USER1, PK_CALL_INTERACTIVE, "arguments2", &error));
        g_assert_no_error(error);

        owner_reply = g_dbus_connection_call_sync(t.connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                                  "org.freedesktop.DBus", "GetNameOwner",
                                                  g_variant_new("(s)", HV_BUS_NAME), G_VARIANT_TYPE("(s)"),
                                                  G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
        g_assert_no_error(error);
        g_variant_get(owner_reply, "(&s)", &daemon_name);

        reply = pk_mock_call(&t, "GetMethodCalls", g_variant_new("(s)", "CheckAuthorization"));
        calls = g_variant_get_child_value(reply, 0);
        g_assert_cmpuint(g_variant_n_children(calls), ==, 2);
        for (guint i = 0; i < 2; i++) {
                g_autoptr(GVariant) call = NULL;
                g_autoptr(GVariant) args = NULL;
                g_autoptr(GVariant) subject = NULL;
                g_autoptr(GVariant) action = NULL;
                g_autoptr(GVariant) details = NULL;
                g_autoptr(GVariant) flags = NULL;
                g_autoptr(GVariant) name = NULL;
                const char *kind, *verb = NULL;
                g_autoptr(GVariant) subject_details = NULL;

                call = g_variant_get_child_value(calls, i);
                args = g_variant_get_child_value(call, 1);
                g_assert_cmpuint(g_variant_n_children(args), ==, 5);
                subject = logged_arg(args, 0);
                action = logged_arg(args, 1);
                details = logged_arg(args, 2);
                flags = logged_arg(args, 3);

                g_variant_get(subject, "(&s@a{sv})", &kind, &subject_details);
                g_assert_cmpstr(kind, ==, "system-bus-name");
                name = g_variant_lookup_value(subject_details, "name", G_VARIANT_TYPE_STRING);
                g_assert_nonnull(name);
                /* A unique name, and the caller's: not the daemon's own. */
                g_assert_true(g_variant_get_string(name, NULL)[0] == ':');
                g_assert_cmpstr(g_variant_get_string(name, NULL), !=, daemon_name);

                g_assert_cmpstr(g_variant_get_string(action, NULL), ==, PK_ACTION_CREATE);
                g_assert_true(g_variant_lookup(details, "verb", "&s", &verb));
                g_assert_cmpstr(verb, ==, "define");
                /* AllowUserInteraction (1) exactly when the caller allowed it. */
                g_assert_cmpuint(g_variant_get_uint32(flags), ==, i == 0 ? 0 : 1);
        }

        pk_test_teardown(&t);
}

/* Nobody owns org.freedesktop.PolicyKit1: refuse at once, do not hang. */
static void test_polkit_missing(void) {
        PkTest t;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *before = NULL;
        g_autofree char *after = NULL;
        gint64 start;

        pk_test_setup(&t, PK_POLKIT_NONE, NULL);
        before = pk_list_vms(&t);

        start = g_get_monotonic_time();
        reply = pk_try_define_as(&t, PK_USER1, PK_CALL_NONE, "missing1", &error);
        g_assert_null(reply);
        pk_assert_error(error, PK_ERROR_ACCESS_DENIED, PK_ACTION_CREATE);
        /* Well below the 25 s D-Bus timeout that a hang would end in. */
        g_assert_cmpint(g_get_monotonic_time() - start, <, 5 * G_USEC_PER_SEC);
        g_test_message("refused in %.1f ms without polkit", (g_get_monotonic_time() - start) / 1000.0);

        after = pk_list_vms(&t);
        g_assert_cmpstr(before, ==, after);

        /* root still may: it never asks polkit. */
        g_clear_error(&error);
        reply = pk_try_define_as(&t, "root", PK_CALL_NONE, "missing1", &error);
        g_assert_no_error(error);

        pk_test_teardown(&t);
}

/* polkitd answers with an error: that is a refusal too. */
static void test_polkit_error(void) {
        PkTest t;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *after = NULL;

        pk_test_setup(&t, PK_POLKIT_MOCK_HV, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, NULL);
        g_variant_unref(pk_mock_call(&t, "SetError", only_create()));

        reply = pk_try_define_as(&t, PK_USER1, PK_CALL_NONE, "error1", &error);
        g_assert_null(reply);
        pk_assert_error(error, PK_ERROR_ACCESS_DENIED, PK_ACTION_CREATE);
        after = pk_list_vms(&t);
        g_assert_cmpstr(after, ==, "");

        pk_test_teardown(&t);
}

static void delete_as(PkTest *t, const char *user, const char *vm_path, GError **error) {
        g_autoptr(GVariant) reply = pk_vm_call_as(t, user, PK_CALL_NONE, vm_path, "Delete", no_options(), error);

        g_assert_true((reply != NULL) == (error == NULL || *error == NULL));
}

static bool vm_exists(PkTest *t, const char *vm_path) {
        g_autofree char *list = pk_list_vms(t);
        g_auto(GStrv) paths = g_strsplit(list, " ", -1);

        return g_strv_contains((const char *const *) paths, vm_path);
}

/* manage-own covers the caller's VMs only; others' need manage-all. */
static void test_manage_own_vs_all(void) {
        PkTest t;
        g_autoptr(GError) error = NULL;
        g_autofree char *first = NULL;
        g_autofree char *second = NULL;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, NULL);
        first = pk_define_as(&t, PK_USER1, "own1");
        second = pk_define_as(&t, PK_USER1, "own2");

        /* Nothing allowed: not even the owner may delete. */
        pk_mock_set_allowed(&t, NULL);
        delete_as(&t, PK_USER1, first, &error);
        pk_assert_error(error, PK_ERROR_ACCESS_DENIED, PK_ACTION_MANAGE_OWN);
        g_clear_error(&error);
        g_assert_true(vm_exists(&t, first));

        /* manage-own: hvtest2 may not touch hvtest1's VM, and is told which action it lacks. */
        pk_mock_set_allowed(&t, PK_ACTION_MANAGE_OWN, NULL);
        delete_as(&t, PK_USER2, first, &error);
        pk_assert_error(error, PK_ERROR_ACCESS_DENIED, PK_ACTION_MANAGE_ALL);
        g_clear_error(&error);
        g_assert_true(vm_exists(&t, first));

        /* ... while the owner may. */
        delete_as(&t, PK_USER1, first, &error);
        g_assert_no_error(error);
        g_assert_false(vm_exists(&t, first));

        /* manage-all: hvtest2 may delete hvtest1's VM. */
        pk_mock_set_allowed(&t, PK_ACTION_MANAGE_ALL, NULL);
        delete_as(&t, PK_USER2, second, &error);
        g_assert_no_error(error);
        g_assert_false(vm_exists(&t, second));

        pk_test_teardown(&t);
}

/* Reading needs no authorization: with nothing allowed, hvtest2 reads hvtest1's VM and polkit is never asked. */
static void test_reads_need_no_authorization(void) {
        PkTest t;
        g_autofree char *path = NULL;
        const struct {
                const char *path, *interface, *method;
                GVariant *args;
        } reads[] = {
                { HV_MANAGER_PATH, "org.example.Hypervisor.Manager", "ListVMs", no_options() },
                { HV_MANAGER_PATH, "org.example.Hypervisor.Manager", "GetVMByName",
                  g_variant_new("(sa{sv})", "read1", NULL) },
                { HV_MANAGER_PATH, "org.example.Hypervisor.Manager", "GetCapabilities", no_options() },
                { HV_MANAGER_PATH, "org.freedesktop.DBus.Properties", "GetAll",
                  g_variant_new("(s)", "org.example.Hypervisor.Manager") },
                { HV_MANAGER_PATH, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", NULL },
                { NULL, "org.freedesktop.DBus.Properties", "GetAll", g_variant_new("(s)", "org.example.Hypervisor.VM") },
                { NULL, "org.freedesktop.DBus.Properties", "Get",
                  g_variant_new("(ss)", "org.example.Hypervisor.VM", "State") },
                { NULL, "org.freedesktop.DBus.Introspectable", "Introspect", NULL },
        };

        for (size_t i = 0; i < G_N_ELEMENTS(reads); i++)
                if (reads[i].args)
                        g_variant_ref_sink(reads[i].args);

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, NULL);
        path = pk_define_as(&t, PK_USER1, "read1");
        pk_mock_set_allowed(&t, NULL);
        g_variant_unref(pk_mock_call(&t, "ClearCalls", NULL));

        for (size_t i = 0; i < G_N_ELEMENTS(reads); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) reply = NULL;

                reply = pk_call_as(&t, PK_USER2, PK_CALL_NONE, HV_BUS_NAME, reads[i].path ? reads[i].path : path,
                                   reads[i].interface, reads[i].method, reads[i].args, &error);
                if (error)
                        g_error("%s.%s as %s: %s", reads[i].interface, reads[i].method, PK_USER2, error->message);
        }
        g_assert_cmpuint(count_checks(&t), ==, 0);

        for (size_t i = 0; i < G_N_ELEMENTS(reads); i++)
                if (reads[i].args)
                        g_variant_unref(reads[i].args);
        pk_test_teardown(&t);
}

/* uid 0 is always allowed, and polkit is not even asked. */
static void test_root_always_allowed(void) {
        PkTest t;
        g_autoptr(GError) error = NULL;
        g_autofree char *users = NULL;
        g_autofree char *roots = NULL;
        g_autofree char *after = NULL;
        g_autoptr(GVariant) owner = NULL;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, NULL);
        users = pk_define_as(&t, PK_USER1, "user1");
        pk_mock_set_allowed(&t, NULL);
        g_variant_unref(pk_mock_call(&t, "ClearCalls", NULL));

        roots = pk_define_as(&t, "root", "root1");
        owner = pk_get_vm_property(&t, roots, "Owner");
        g_assert_cmpuint(g_variant_get_uint32(owner), ==, 0);
        delete_as(&t, "root", users, &error); /* someone else's VM */
        g_assert_no_error(error);
        delete_as(&t, "root", roots, &error);
        g_assert_no_error(error);
        after = pk_list_vms(&t);
        g_assert_cmpstr(after, ==, "");
        g_assert_cmpuint(count_checks(&t), ==, 0);

        pk_test_teardown(&t);
}

static bool has_hanging_calls(PkTest *t) {
        g_autoptr(GVariant) reply = pk_mock_call(t, "HaveHangingCalls", NULL);
        gboolean hanging;

        g_variant_get(reply, "(b)", &hanging);
        return hanging;
}

/* While one caller waits for polkit, the service goes on answering everyone else. */
static void test_event_loop_not_blocked(void) {
        PkTest t;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) defined = NULL;
        g_autoptr(GVariant) value = NULL;
        g_autofree char *existing = NULL;
        GSubprocess *pending;
        gint64 deadline, usec;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, NULL);
        existing = pk_define_as(&t, PK_USER1, "existing1");
        g_variant_unref(pk_mock_call(&t, "SimulateHangActions", only_create()));

        pending = pk_define_as_start(&t, PK_USER1, PK_CALL_NONE, "pending1");
        deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
        while (!has_hanging_calls(&t)) {
                g_assert_cmpint(g_get_monotonic_time(), <, deadline);
                g_usleep(10 * 1000);
        }

        /* Another user's reads are answered meanwhile, each in well under a second. */
        {
                g_autoptr(GVariant) reply = NULL;

                reply = pk_call_as_finish(pk_call_as_start(&t, PK_USER2, PK_CALL_NONE, HV_BUS_NAME, HV_MANAGER_PATH,
                                                           "org.example.Hypervisor.Manager", "ListVMs",
                                                           no_options()),
                                          &usec, &error);
                g_assert_no_error(error);
                g_test_message("ListVMs answered in %.2f ms while DefineVM waits for polkit", usec / 1000.0);
                g_assert_cmpint(usec, <, G_USEC_PER_SEC);
                g_clear_pointer(&reply, g_variant_unref);

                reply = pk_call_as_finish(pk_call_as_start(&t, PK_USER2, PK_CALL_NONE, HV_BUS_NAME, existing,
                                                           "org.freedesktop.DBus.Properties", "Get",
                                                           g_variant_new("(ss)", "org.example.Hypervisor.VM",
                                                                         "Owner")),
                                          &usec, &error);
                g_assert_no_error(error);
                g_assert_cmpint(usec, <, G_USEC_PER_SEC);
        }
        /* ... and the first call is still waiting. */
        g_assert_true(has_hanging_calls(&t));
        g_assert_nonnull(g_subprocess_get_identifier(pending));
        value = pk_get_vm_property(&t, existing, "Name");
        g_assert_cmpstr(g_variant_get_string(value, NULL), ==, "existing1");

        g_variant_unref(pk_mock_call(&t, "ReleaseHangingCalls", NULL));
        defined = pk_call_as_finish(pending, &usec, &error);
        g_assert_no_error(error);
        g_test_message("DefineVM answered after %.0f ms, once polkit did", usec / 1000.0);

        pk_test_teardown(&t);
}

static void wait_for_hanging_checks(PkTest *t) {
        gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

        while (!has_hanging_calls(t)) {
                g_assert_cmpint(g_get_monotonic_time(), <, deadline);
                g_usleep(10 * 1000);
        }
}

/*
 * The world changes while a call waits for polkit: its VM is deleted, or its
 * caller goes away. The call is looked up afresh when polkit answers (no use
 * of a freed VM: run this under ASan), and the service keeps working.
 */
static void test_changes_while_waiting(void) {
        PkTest t;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autofree char *doomed = NULL;
        g_autofree char *after = NULL;
        const char *const hang_actions[] = { PK_ACTION_MANAGE_OWN, PK_ACTION_CREATE, NULL };
        GSubprocess *waiting_delete, *waiting_define;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, NULL);
        doomed = pk_define_as(&t, PK_USER1, "doomed1");
        g_variant_unref(pk_mock_call(&t, "SimulateHangActions", g_variant_new("(^as)", hang_actions)));

        /* hvtest1's Delete waits for polkit; meanwhile root deletes the VM. */
        waiting_delete = pk_call_as_start(&t, PK_USER1, PK_CALL_NONE, "org.example.Hypervisor", doomed,
                                          "org.example.Hypervisor.VM", "Delete", no_options());
        wait_for_hanging_checks(&t);
        reply = pk_vm_call_as(&t, "root", PK_CALL_NONE, doomed, "Delete", no_options(), &error);
        g_assert_no_error(error);
        g_clear_pointer(&reply, g_variant_unref);

        /* hvtest1's DefineVM waits too, and hvtest1 gives up: the helper is killed. */
        waiting_define = pk_define_as_start(&t, PK_USER1, PK_CALL_NONE, "orphan1");
        {
                gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
                /* Two checks hang now: the Delete and the DefineVM. */
                for (;;) {
                        g_autoptr(GVariant) logged = pk_mock_call(&t, "GetMethodCalls",
                                                                  g_variant_new("(s)", "CheckAuthorization"));
                        g_autoptr(GVariant) list = g_variant_get_child_value(logged, 0);

                        if (g_variant_n_children(list) >= 3) /* doomed1's definition, the Delete, the DefineVM */
                                break;
                        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
                        g_usleep(10 * 1000);
                }
        }
        g_subprocess_force_exit(waiting_define);
        (void) g_subprocess_wait(waiting_define, NULL, NULL);
        g_clear_object(&waiting_define);

        g_variant_unref(pk_mock_call(&t, "ReleaseHangingCalls", NULL));
        reply = pk_call_as_finish(waiting_delete, NULL, &error);
        g_assert_null(reply);
        g_test_message("Delete of a VM deleted while waiting for polkit: %s", error->message);
        {
                g_autofree char *name = g_dbus_error_get_remote_error(error);

                /* sd-bus finds no object at the path any more; NotFound would do as well. */
                if (!g_str_equal(name, "org.freedesktop.DBus.Error.UnknownObject") &&
                    !g_str_equal(name, "org.example.Hypervisor.Error.NotFound"))
                        g_error("Delete of a vanished VM answered %s: %s", name, error->message);
        }
        g_clear_error(&error);

        /*
         * The service still answers. (Whether 'orphan1' got defined depends on
         * whether the bus still knew the vanished caller when the daemon asked
         * who it was; either is fine.)
         */
        g_variant_unref(pk_mock_call(&t, "SimulateHangActions", g_variant_new("(^as)", (const char *const[]) { NULL })));
        reply = pk_try_define_as(&t, PK_USER2, PK_CALL_NONE, "after1", &error);
        g_assert_no_error(error);
        after = pk_list_vms(&t);
        g_test_message("VMs afterwards: %s", after);
        g_assert_false(strstr(after, doomed));

        pk_test_teardown(&t);
}

/* What an authorization check costs: the same round trips as a user (polkit asked) and as root (not asked). */
static void test_latency(void) {
        PkTest t;
        double user_usec, root_usec;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, NULL);

        /* Warm up both paths once, then measure. */
        (void) pk_define_delete_usec(&t, PK_USER1, 10);
        (void) pk_define_delete_usec(&t, "root", 10);
        g_variant_unref(pk_mock_call(&t, "ClearCalls", NULL));
        user_usec = pk_define_delete_usec(&t, PK_USER1, PK_LATENCY_ROUNDS);
        root_usec = pk_define_delete_usec(&t, "root", PK_LATENCY_ROUNDS);
        g_assert_cmpuint(count_checks(&t), ==, 2 * PK_LATENCY_ROUNDS);

        g_test_message("DefineVM+Delete round trip: %.0f us as %s (2 polkit checks), %.0f us as root (none); "
                       "%.0f us per authorization check (dbusmock polkitd)",
                       user_usec, PK_USER1, root_usec, (user_usec - root_usec) / 2);
        printf("# latency: define+delete %.0f us as user, %.0f us as root, %.0f us per check\n", user_usec, root_usec,
               (user_usec - root_usec) / 2);

        pk_test_teardown(&t);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        g_test_add_func("/mock/bus-policy", test_bus_policy);
        g_test_add_func("/mock/allowed", test_allowed);
        g_test_add_func("/mock/denied", test_denied);
        g_test_add_func("/mock/interactive-required", test_interactive_required);
        g_test_add_func("/mock/check-arguments", test_check_arguments);
        g_test_add_func("/mock/polkit-missing", test_polkit_missing);
        g_test_add_func("/mock/polkit-error", test_polkit_error);
        g_test_add_func("/mock/manage-own-vs-all", test_manage_own_vs_all);
        g_test_add_func("/mock/reads-need-no-authorization", test_reads_need_no_authorization);
        g_test_add_func("/mock/root-always-allowed", test_root_always_allowed);
        g_test_add_func("/mock/event-loop-not-blocked", test_event_loop_not_blocked);
        g_test_add_func("/mock/changes-while-waiting", test_changes_while_waiting);
        g_test_add_func("/mock/latency", test_latency);
        g_test_add_func("/mock/snapshot-refused-for-users", test_snapshot_refused_for_users);
        g_test_add_func("/mock/engine-runs-as-owner", test_engine_runs_as_owner);
        g_test_add_func("/mock/nvram-made-as-owner", test_nvram_made_as_owner);
        return g_test_run();
}
