/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * OpenConsole attacked, on the private system bus of the
 * polkit tests (pk-test.h): hypervisord --system as root, hvtest1 the
 * attacker, hvtest2 the victim, with hostile stand-in engines (hostile-qemu.c)
 * and the real QEMU (TCG).
 *
 *   - a QEMU that reports a pty path which is /etc/shadow or the victim's file:
 *     the descriptor OpenConsole returns must not be that file;
 *   - a <serial type='unix'> path the owner then swaps for a symlink to the
 *     bus socket or to the victim's console socket: refused;
 *   - who may open whose console (console, manage-all);
 *   - the owner's own real-QEMU console still shows what the guest writes.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pk-test.h"

#define PK_ACTION_CONSOLE "org.example.hypervisor.console"
#define HV_ERROR_ENGINE_FAILED "org.example.Hypervisor.Error.EngineFailed"

static GVariant *no_options(void) {
        return g_variant_new("(a{sv})", NULL);
}

static const char *guest_dir(void) {
        const char *dir = g_getenv("HV_TEST_GUEST_DIR");

        if (!dir || !*dir)
                g_error("HV_TEST_GUEST_DIR is not set: run through meson test");
        return dir;
}

/* A directory of the test owned by user (0755), for the sockets and files that are the user's. */
static char *user_dir(PkTest *t, const char *user) {
        char *dir = g_build_filename(t->dir, user, NULL);

        g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
        g_assert_cmpint(chown(dir, pk_user_uid(user), (gid_t) -1), ==, 0);
        return dir;
}

/*
 * The hostile QEMU, copied where every user may run it, as "qemu-hostile"
 * (the name picks the qemu engine). pty_path: what it reports for serial0 in
 * query-chardev, or NULL.
 */
static char *install_hostile_qemu(PkTest *t, const char *pty_path) {
        const char *built = g_getenv("HV_HOSTILE_QEMU");
        g_autofree char *dir = g_build_filename(t->dir, "bin", NULL);
        g_autofree char *contents = NULL;
        g_autoptr(GError) error = NULL;
        gsize length = 0;
        char *path = g_build_filename(dir, "qemu-hostile", NULL);

        if (!built)
                g_error("HV_HOSTILE_QEMU is not set: run through meson test");
        g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
        g_assert_true(g_file_get_contents(built, &contents, &length, &error));
        g_assert_true(
                g_file_set_contents_full(path, contents, (gssize) length, G_FILE_SET_CONTENTS_NONE, 0755, &error));
        g_assert_no_error(error);
        if (pty_path) {
                g_autofree char *pty_file = g_strconcat(path, ".pty", NULL);
                g_assert_true(
                        g_file_set_contents_full(pty_file, pty_path, -1, G_FILE_SET_CONTENTS_NONE, 0644, &error));
        }
        return path;
}

/* A VM of the test guest; emulator NULL = the real QEMU; serial: a <serial> element or "". */
static char *guest_xml(const char *name, const char *emulator, const char *serial) {
        g_autofree char *emulator_element =
                emulator ? g_strdup_printf("<emulator>%s</emulator>", emulator) : g_strdup("");

        return g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                               "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>%s/vmlinux</kernel>"
                               "<initrd>%s/initramfs.cpio.gz</initrd><cmdline>console=ttyS0 quiet</cmdline></os>"
                               "<devices>%s%s</devices></domain>",
                               name, guest_dir(), guest_dir(), emulator_element, serial);
}

static char *unix_serial(const char *path) {
        return g_strdup_printf("<serial type='unix'><source mode='bind' path='%s'/></serial>", path);
}

/* DefineVM then Boot as user, asserting success; the VM's path. */
static char *define_and_boot(PkTest *t, const char *user, const char *xml) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply =
                pk_manager_call_as(t, user, PK_CALL_NONE, "DefineVM", g_variant_new("(sa{sv})", xml, NULL), &error);
        char *path;

        g_assert_no_error(error);
        g_variant_get(reply, "(o)", &path);
        g_clear_pointer(&reply, g_variant_unref);
        reply = pk_vm_call_as(t, user, PK_CALL_NONE, path, "Boot", no_options(), &error);
        g_assert_no_error(error);
        return path;
}

typedef struct {
        bool replied;
        char *fd_target; /* what the descriptor is ("socket:[123]", "/etc/shadow") */
        char *data;      /* what was read from it, C-escaped */
        GError *error;   /* when not replied */
} Console;

static void console_clear(Console *c) {
        g_clear_pointer(&c->fd_target, g_free);
        g_clear_pointer(&c->data, g_free);
        g_clear_error(&c->error);
        c->replied = false;
}

/* Consoles are read until expect appears (or timeout_ms); write_text (C escapes) is written first. */
static void open_console_as(PkTest *t, const char *user, const char *vm_path, const char *write_text,
                            const char *expect, unsigned timeout_ms, Console *ret) {
        g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
        g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE);
        g_autoptr(GSubprocess) process = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *out = NULL;
        g_auto(GStrv) lines = NULL;
        char **env = g_get_environ();

        env = g_environ_setenv(env, "DBUS_SYSTEM_BUS_ADDRESS", t->bus_address, TRUE);
        g_subprocess_launcher_set_environ(launcher, env);
        g_strfreev(env);
        g_ptr_array_add(argv, g_strdup(pk_helper_path()));
        g_ptr_array_add(argv, g_strdup("--console"));
        g_ptr_array_add(argv, g_strdup_printf("--console-timeout-ms=%u", timeout_ms));
        if (write_text)
                g_ptr_array_add(argv, g_strdup_printf("--console-write=%s", write_text));
        if (expect)
                g_ptr_array_add(argv, g_strdup_printf("--console-expect=%s", expect));
        g_ptr_array_add(argv, g_strdup(user));
        g_ptr_array_add(argv, g_strdup("org.example.Hypervisor"));
        g_ptr_array_add(argv, g_strdup(vm_path));
        g_ptr_array_add(argv, g_strdup("org.example.Hypervisor.VM"));
        g_ptr_array_add(argv, g_strdup("OpenConsole"));
        g_ptr_array_add(argv, g_strdup("(@a{sv} {},)"));
        g_ptr_array_add(argv, NULL);
        process = g_subprocess_launcher_spawnv(launcher, (const char *const *) argv->pdata, &error);
        g_assert_no_error(error);
        g_subprocess_communicate_utf8(process, NULL, NULL, &out, NULL, &error);
        g_assert_no_error(error);
        if (!g_subprocess_get_if_exited(process) || g_subprocess_get_exit_status(process) > 1)
                g_error("hv-call-as failed (its message is above), output: '%s'", out ? out : "");

        memset(ret, 0, sizeof(*ret));
        lines = g_strsplit(out, "\n", -1);
        if (g_str_has_prefix(out, "error ") && g_strv_length(lines) >= 3) {
                ret->error = g_dbus_error_new_for_dbus_error(lines[1], lines[2]);
                return;
        }
        if (!g_str_has_prefix(out, "reply ") || g_strv_length(lines) < 4 || !g_str_has_prefix(lines[2], "fd ") ||
            !g_str_has_prefix(lines[3], "data "))
                g_error("hv-call-as printed '%s'", out);
        ret->replied = true;
        ret->fd_target = g_strdup(lines[2] + strlen("fd "));
        ret->data = g_strdup(lines[3] + strlen("data "));
        /* The time of the call alone, as hv-call-as measured it: reported, never asserted. */
        g_test_message("OpenConsole as %s: a descriptor on '%s' that said '%s' (the call took %s us)", user,
                       ret->fd_target, ret->data, lines[0] + strlen("reply "));
}

/* The descriptor must be a connection to the engine, never the file the engine named. */
static void assert_console_is_engine(const Console *c, const char *forbidden_data) {
        if (!c->replied)
                g_error("OpenConsole failed: %s", c->error->message);
        if (!g_str_has_prefix(c->fd_target, "socket:"))
                g_error("OpenConsole returned a descriptor on '%s' (it said '%s'), not a socket", c->fd_target,
                        c->data);
        if (forbidden_data && strstr(c->data, forbidden_data))
                g_error("OpenConsole returned a descriptor that reads '%s'", c->data);
}

/* ---- a pty path the engine reports is never opened ---------------------------------------------------- */

static void attack_reported_pty(const char *target, const char *secret) {
        PkTest t;
        Console c;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, PK_ACTION_CONSOLE, NULL);
        g_autofree char *victim_dir = user_dir(&t, PK_USER2);
        g_autofree char *victim_file = g_build_filename(victim_dir, "secret.txt", NULL);
        g_assert_true(g_file_set_contents(victim_file, "VICTIM-SECRET\n", -1, NULL));
        g_assert_cmpint(chown(victim_file, pk_user_uid(PK_USER2), (gid_t) -1), ==, 0);
        g_assert_cmpint(chmod(victim_file, 0600), ==, 0);

        g_autofree char *qemu = install_hostile_qemu(&t, target ? target : victim_file);
        g_autofree char *xml = guest_xml("ptyattack", qemu, "<serial type='pty'/>");
        g_autofree char *vm = define_and_boot(&t, PK_USER1, xml);

        open_console_as(&t, PK_USER1, vm, NULL, "HOSTILE-CONSOLE", 3000, &c);
        assert_console_is_engine(&c, secret);
        /* It is the service's own console socket, which the stand-in accepts on. */
        g_assert_nonnull(strstr(c.data, "HOSTILE-CONSOLE"));
        console_clear(&c);
        pk_test_teardown(&t);
}

static void test_qemu_pty_shadow(void) {
        attack_reported_pty("/etc/shadow", "root:");
}

static void test_qemu_pty_victim_file(void) {
        attack_reported_pty(NULL, "VICTIM-SECRET");
}

/* ---- the owner's socket path is connected as the owner, and must be the engine's ------------------------ */

/* hvtest1's VM with <serial type='unix'> in its own directory; its console works; then the attacker swaps it. */
static char *boot_attacker_unix_vm(PkTest *t, const char *qemu, char **ret_socket) {
        g_autofree char *dir = user_dir(t, PK_USER1);
        g_autofree char *socket = g_build_filename(dir, "serial.sock", NULL);
        g_autofree char *serial = unix_serial(socket);
        g_autofree char *xml = guest_xml("unixattack", qemu, serial);
        char *vm = define_and_boot(t, PK_USER1, xml);
        Console c;

        /* Before the swap: the owner's own console, through the owner's socket. */
        open_console_as(t, PK_USER1, vm, NULL, "HOSTILE-CONSOLE", 3000, &c);
        assert_console_is_engine(&c, NULL);
        g_assert_nonnull(strstr(c.data, "HOSTILE-CONSOLE"));
        console_clear(&c);
        *ret_socket = g_steal_pointer(&socket);
        return vm;
}

/* What the attacker does, as hvtest1 may: replace its own socket by a symlink. */
static void swap_for_symlink(const char *socket, const char *target) {
        g_assert_cmpint(unlink(socket), ==, 0);
        g_assert_cmpint(symlink(target, socket), ==, 0);
        g_assert_cmpint(lchown(socket, pk_user_uid(PK_USER1), (gid_t) -1), ==, 0);
}

static void assert_refused(const Console *c, const char *what) {
        if (c->replied)
                g_error("OpenConsole on a symlink to %s returned a descriptor on '%s' that said '%s'", what,
                        c->fd_target, c->data);
        g_test_message("OpenConsole on a symlink to %s: %s", what, c->error->message);
        pk_assert_error(c->error, PK_ERROR_ACCESS_DENIED, "is not served by the engine of VM 'unixattack'");
}

static void test_qemu_unix_symlink_to_bus(void) {
        PkTest t;
        Console c;
        g_autofree char *socket = NULL;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, PK_ACTION_CONSOLE, NULL);
        g_autofree char *qemu = install_hostile_qemu(&t, NULL);
        g_autofree char *vm = boot_attacker_unix_vm(&t, qemu, &socket);

        g_assert_true(g_str_has_prefix(t.bus_address, "unix:path="));
        g_autofree char *bus_socket =
                g_strndup(t.bus_address + strlen("unix:path="), strcspn(t.bus_address + strlen("unix:path="), ","));
        swap_for_symlink(socket, bus_socket);
        /* Were it connected as root, the bus would take "AUTH EXTERNAL 30" (uid 0) with "OK". */
        open_console_as(&t, PK_USER1, vm, "\\0AUTH EXTERNAL 30\\r\\n", "OK", 3000, &c);
        assert_refused(&c, "the bus socket");
        console_clear(&c);
        pk_test_teardown(&t);
}

static void test_qemu_unix_symlink_to_victim(void) {
        PkTest t;
        Console c;
        g_autofree char *socket = NULL;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, PK_ACTION_CONSOLE, NULL);
        g_autofree char *qemu = install_hostile_qemu(&t, NULL);

        /* The victim's console socket; made connectable for everyone, so that only the
         * check of who serves it stands between the attacker and the victim's console. */
        g_autofree char *victim_dir = user_dir(&t, PK_USER2);
        g_autofree char *victim_socket = g_build_filename(victim_dir, "serial.sock", NULL);
        g_autofree char *victim_serial = unix_serial(victim_socket);
        g_autofree char *victim_xml = guest_xml("victim", qemu, victim_serial);
        g_autofree char *victim_vm = define_and_boot(&t, PK_USER2, victim_xml);
        g_assert_cmpint(chmod(victim_socket, 0777), ==, 0);

        g_autofree char *vm = boot_attacker_unix_vm(&t, qemu, &socket);
        swap_for_symlink(socket, victim_socket);
        open_console_as(&t, PK_USER1, vm, NULL, "HOSTILE-CONSOLE", 3000, &c);
        assert_refused(&c, "the victim's console socket");
        console_clear(&c);
        pk_test_teardown(&t);
}

/*
 * A connect that hangs (here: a socket that never accepts, its backlog full; in
 * the wild a user's hung FUSE mount) ends in Timeout: the helper is killed and
 * reaped, and the service goes on answering meanwhile.
 */
static void test_qemu_unix_stalled(void) {
        PkTest t;
        Console c;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, PK_ACTION_CONSOLE, NULL);
        g_autofree char *qemu = install_hostile_qemu(&t, NULL);
        g_autofree char *stall_file = g_strconcat(qemu, ".stall", NULL);
        g_assert_true(g_file_set_contents(stall_file, "", 0, NULL));
        g_autofree char *dir = user_dir(&t, PK_USER1);
        g_autofree char *socket = g_build_filename(dir, "serial.sock", NULL);
        g_autofree char *serial = unix_serial(socket);
        g_autofree char *xml = guest_xml("stalled", qemu, serial);
        g_autofree char *vm = define_and_boot(&t, PK_USER1, xml);

        /* The first connection fills the backlog (it is never accepted). */
        open_console_as(&t, PK_USER1, vm, NULL, NULL, 100, &c);
        assert_console_is_engine(&c, NULL);
        console_clear(&c);
        open_console_as(&t, PK_USER1, vm, NULL, NULL, 100, &c);
        if (c.replied)
                g_error("OpenConsole on a stalled socket returned a descriptor on '%s'", c.fd_target);
        g_test_message("OpenConsole on a stalled socket: %s", c.error->message);
        pk_assert_error(c.error, "org.example.Hypervisor.Error.Timeout", "took longer than");
        console_clear(&c);

        /* The service still answers (and its SIGTERM exit in the teardown is clean). */
        g_autoptr(GVariant) state = pk_get_vm_property(&t, vm, "State");
        g_assert_cmpstr(g_variant_get_string(state, NULL), ==, "running");
        pk_test_teardown(&t);
}

/* ---- both against cloud-hypervisor (its simulator, tests/ch-sim, as the owner) ----------------------- */

/* The simulator under the name that picks the cloud-hypervisor engine. */
static const char *ch_sim_binary(void) {
        static char *binary;
        const char *sim = g_getenv("HV_CH_SIM");

        if (!sim)
                g_error("HV_CH_SIM is not set: run through meson test");
        if (!binary) {
                g_autofree char *dir = g_path_get_dirname(sim);
                binary = g_build_filename(dir, "cloud-hypervisor", NULL);
        }
        if (!g_file_test(binary, G_FILE_TEST_IS_EXECUTABLE))
                g_error("The simulator is missing: '%s'", binary);
        return binary;
}

/* The daemon with a usable cloud-hypervisor engine (the simulator). */
static void ch_setup(PkTest *t) {
        g_autofree char *config = g_strdup_printf("[cloud-hypervisor]\nBinary=%s\nAPITimeoutSec=5\n", ch_sim_binary());

        pk_test_setup_config(t, PK_POLKIT_MOCK, NULL, config);
        pk_mock_set_allowed(t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, PK_ACTION_CONSOLE, NULL);
}

/* A cloud-hypervisor VM: the simulator only checks that the kernel exists. */
static char *ch_xml(PkTest *t, const char *name, const char *emulator, const char *devices) {
        g_autofree char *kernel = g_build_filename(t->dir, "images", "vmlinux", NULL);

        g_assert_true(g_file_set_contents(kernel, "", 0, NULL));
        g_assert_cmpint(chmod(kernel, 0644), ==, 0);
        return g_strdup_printf("<domain type='kvm'><name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                               "<os><type arch='x86_64'>hvm</type><kernel>%s</kernel></os>"
                               "<devices><emulator>%s</emulator>%s</devices></domain>",
                               name, kernel, emulator, devices);
}

/* The default serial port: cloud-hypervisor, as the owner, binds it in the owner's engine directory. */
static void test_ch_default_serial(void) {
        PkTest t;
        Console c;

        ch_setup(&t);
        g_autofree char *xml = ch_xml(&t, "chserial", ch_sim_binary(), "");
        g_autofree char *vm = define_and_boot(&t, PK_USER1, xml);
        open_console_as(&t, PK_USER1, vm, NULL, "serial console ready", 3000, &c);
        assert_console_is_engine(&c, NULL);
        g_assert_nonnull(strstr(c.data, "serial console ready"));
        console_clear(&c);
        pk_test_teardown(&t);
}

static void test_ch_serial_symlink_to_bus(void) {
        PkTest t;
        Console c;

        ch_setup(&t);
        g_autofree char *dir = user_dir(&t, PK_USER1);
        g_autofree char *socket = g_build_filename(dir, "serial.sock", NULL);
        g_autofree char *serial = unix_serial(socket);
        g_autofree char *xml = ch_xml(&t, "unixattack", ch_sim_binary(), serial);
        g_autofree char *vm = define_and_boot(&t, PK_USER1, xml);

        open_console_as(&t, PK_USER1, vm, NULL, "serial console ready", 3000, &c);
        assert_console_is_engine(&c, NULL);
        console_clear(&c);

        g_autofree char *bus_socket =
                g_strndup(t.bus_address + strlen("unix:path="), strcspn(t.bus_address + strlen("unix:path="), ","));
        swap_for_symlink(socket, bus_socket);
        open_console_as(&t, PK_USER1, vm, "\\0AUTH EXTERNAL 30\\r\\n", "OK", 3000, &c);
        assert_refused(&c, "the bus socket");
        console_clear(&c);
        pk_test_teardown(&t);
}

/* A virtio-console pty whose path the engine reports as /etc/shadow: not opened. */
static void test_ch_console_pty_shadow(void) {
        PkTest t;
        Console c;
        g_autoptr(GError) error = NULL;
        g_autofree char *contents = NULL;
        gsize length = 0;

        ch_setup(&t);
        g_autofree char *bin = g_build_filename(t.dir, "bin", NULL);
        g_autofree char *hostile = g_build_filename(bin, "cloud-hypervisor-hostile-pty", NULL);
        g_autofree char *pty_file = g_strconcat(hostile, ".pty", NULL);
        g_assert_cmpint(g_mkdir_with_parents(bin, 0755), ==, 0);
        g_assert_true(g_file_get_contents(ch_sim_binary(), &contents, &length, &error));
        g_assert_true(
                g_file_set_contents_full(hostile, contents, (gssize) length, G_FILE_SET_CONTENTS_NONE, 0755, &error));
        g_assert_true(g_file_set_contents_full(pty_file, "/etc/shadow\n", -1, G_FILE_SET_CONTENTS_NONE, 0644, &error));

        g_autofree char *dir = user_dir(&t, PK_USER1);
        g_autofree char *log = g_build_filename(dir, "serial.log", NULL);
        g_autofree char *devices = g_strdup_printf("<serial type='file'><source path='%s'/></serial>"
                                                   "<console type='pty'/>",
                                                   log);
        g_autofree char *xml = ch_xml(&t, "ptyattack", hostile, devices);
        g_autofree char *vm = define_and_boot(&t, PK_USER1, xml);

        open_console_as(&t, PK_USER1, vm, NULL, NULL, 1000, &c);
        if (c.replied)
                g_error("OpenConsole returned a descriptor on '%s' that said '%s'", c.fd_target, c.data);
        g_test_message("OpenConsole with a reported pty: %s", c.error->message);
        pk_assert_error(c.error, "org.example.Hypervisor.Error.NotSupported", "not opened by the service");
        console_clear(&c);
        pk_test_teardown(&t);
}

/* ---- who may open whose console ------------------------------------------------------------------------- */

static void authorization_case(bool console, bool manage_all, bool expect_allowed, const char *missing) {
        PkTest t;
        Console c;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, NULL);
        g_autofree char *qemu = install_hostile_qemu(&t, NULL);
        g_autofree char *xml = guest_xml("victimvm", qemu, "");
        g_autofree char *vm = define_and_boot(&t, PK_USER2, xml);

        if (console && manage_all)
                pk_mock_set_allowed(&t, PK_ACTION_CONSOLE, PK_ACTION_MANAGE_ALL, NULL);
        else if (console)
                pk_mock_set_allowed(&t, PK_ACTION_CONSOLE, NULL);
        else
                pk_mock_set_allowed(&t, PK_ACTION_MANAGE_ALL, NULL);
        open_console_as(&t, PK_USER1, vm, NULL, "HOSTILE-CONSOLE", 3000, &c);
        if (expect_allowed) {
                assert_console_is_engine(&c, NULL);
                g_assert_nonnull(strstr(c.data, "HOSTILE-CONSOLE"));
        } else {
                if (c.replied)
                        g_error("%s opened %s's console without %s", PK_USER1, PK_USER2, missing);
                pk_assert_error(c.error, PK_ERROR_ACCESS_DENIED, missing);
        }
        console_clear(&c);
        pk_test_teardown(&t);
}

static void test_auth_console_only(void) {
        authorization_case(true, false, false, PK_ACTION_MANAGE_ALL);
}

static void test_auth_console_and_manage_all(void) {
        authorization_case(true, true, true, NULL);
}

static void test_auth_manage_all_only(void) {
        authorization_case(false, true, false, PK_ACTION_CONSOLE);
}

/* ---- the owner's own real QEMU still gives its console ------------------------------------------------------ */

static void test_real_qemu_own_console(void) {
        PkTest t;
        Console c;

        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, PK_ACTION_CONSOLE, NULL);
        /* <serial type='pty'>: served through the service's own console socket. */
        g_autofree char *xml = guest_xml("ownconsole", NULL, "<serial type='pty'/>");
        g_autofree char *vm = define_and_boot(&t, PK_USER1, xml);

        open_console_as(&t, PK_USER1, vm, NULL, "HV-GUEST-READY", 90000, &c);
        assert_console_is_engine(&c, NULL);
        if (!strstr(c.data, "HV-GUEST-READY"))
                g_error("The guest's console did not say HV-GUEST-READY; it said '%s'", c.data);
        console_clear(&c);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, vm, "PowerOff", no_options(), &error);
        g_assert_no_error(error);
        pk_test_teardown(&t);
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);

        g_test_add_func("/console/qemu-pty-shadow", test_qemu_pty_shadow);
        g_test_add_func("/console/qemu-pty-victim-file", test_qemu_pty_victim_file);
        g_test_add_func("/console/qemu-unix-symlink-to-bus", test_qemu_unix_symlink_to_bus);
        g_test_add_func("/console/qemu-unix-symlink-to-victim", test_qemu_unix_symlink_to_victim);
        g_test_add_func("/console/qemu-unix-stalled", test_qemu_unix_stalled);
        g_test_add_func("/console/ch-default-serial", test_ch_default_serial);
        g_test_add_func("/console/ch-serial-symlink-to-bus", test_ch_serial_symlink_to_bus);
        g_test_add_func("/console/ch-console-pty-shadow", test_ch_console_pty_shadow);
        g_test_add_func("/console/auth-console-only", test_auth_console_only);
        g_test_add_func("/console/auth-console-and-manage-all", test_auth_console_and_manage_all);
        g_test_add_func("/console/auth-manage-all-only", test_auth_manage_all_only);
        g_test_add_func("/console/real-qemu-own-console", test_real_qemu_own_console);
        return g_test_run();
}
