/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Which taps a VM may get (kvm-engine/tap.c). The service opens taps as root,
 * and root may attach any tap: a name in hvtest1's XML must not give hvtest1's
 * engine hvtest2's persistent tap. Runs as root in a network namespace of its
 * own (with its own /sys), so the host's network is never touched; the taps
 * are made with `ip tuntap add ... user/group`, as an administrator would.
 */

#include <errno.h>
#include <pwd.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "tap.h"
#include "hv-error.h"

typedef struct {
        uid_t uid;
        gid_t gid;
} User;

static User user_of(const char *name) {
        struct passwd *pw = getpwnam(name);

        if (!pw)
                g_error("User %s is missing: run ./setup.sh", name);
        return (User) { pw->pw_uid, pw->pw_gid };
}

/* A network namespace and a mount namespace with a /sys that shows it. */
static void enter_own_network(void) {
        if (geteuid() != 0)
                g_error("This test must run as root (it makes a network namespace and taps)");
        if (unshare(CLONE_NEWNS | CLONE_NEWNET) < 0)
                g_error("Cannot make namespaces: %s", g_strerror(errno));
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                g_error("Cannot make / private: %s", g_strerror(errno));
        if (mount("sysfs", "/sys", "sysfs", 0, NULL) < 0)
                g_error("Cannot mount /sys for the namespace: %s", g_strerror(errno));
}

/* `ip tuntap add dev name mode tap` with the extra arguments (user/group ...). */
static void add_persistent_tap(const char *name, const char *key, const char *value) {
        const char *argv[] = { "ip", "tuntap", "add", "dev", name, "mode", "tap", key, value, NULL };
        g_autoptr(GError) error = NULL;
        g_autofree char *err = NULL;
        int status = 0;

        if (!g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &err, &status, &error))
                g_error("Cannot run ip: %s", error->message);
        if (!g_spawn_check_wait_status(status, &error))
                g_error("ip tuntap add %s: %s (%s)", name, error->message, err);
}

static void assert_refused(const char *name, User user, const char *message_part) {
        g_autoptr(GError) error = NULL;
        int fd = tap_open(name, user.uid, user.gid, &error);

        if (fd >= 0)
                g_error("Tap '%s' was attached for uid %u", name, (unsigned) user.uid);
        g_assert_error(error, HV_ERROR, HV_ERROR_ACCESS_DENIED);
        if (!strstr(error->message, message_part))
                g_error("message '%s' lacks '%s'", error->message, message_part);
        g_test_message("%s: %s", name, error->message);
}

static void assert_attached(const char *name, User user) {
        g_autoptr(GError) error = NULL;
        int fd = tap_open(name, user.uid, user.gid, &error);

        g_assert_no_error(error);
        g_assert_cmpint(fd, >=, 0);
        close(fd);
}

/* hvtest2's persistent tap, named in hvtest1's VM, is refused; so is one of root's. */
static void test_other_users_tap(void) {
        User attacker = user_of("hvtest1");
        g_autofree char *victim_gid = g_strdup_printf("%u", (unsigned) user_of("hvtest2").gid);

        add_persistent_tap("hvt-victim", "user", "hvtest2");
        assert_refused("hvt-victim", attacker, "'hvt-victim'");
        add_persistent_tap("hvt-vgroup", "group", victim_gid);
        assert_refused("hvt-vgroup", attacker, "'hvt-vgroup'");
        add_persistent_tap("hvt-root", "user", "root");
        assert_refused("hvt-root", attacker, "'hvt-root'");
}

/* The owner's own persistent tap (by user or by group) is attached, and a new name makes a new tap. */
static void test_own_tap(void) {
        User owner = user_of("hvtest1");
        g_autofree char *owner_gid = g_strdup_printf("%u", (unsigned) owner.gid);

        add_persistent_tap("hvt-own", "user", "hvtest1");
        assert_attached("hvt-own", owner);
        add_persistent_tap("hvt-ogroup", "group", owner_gid);
        assert_attached("hvt-ogroup", owner);
        assert_attached("hvt-new", owner);
        /* Made for that VM only: gone with its descriptor. */
        g_assert_false(g_file_test("/sys/class/net/hvt-new", G_FILE_TEST_EXISTS));
}

/* <target managed='no'>: the tap must exist (NotFound, never created) and be the owner's. */
static void test_unmanaged_tap(void) {
        User owner = user_of("hvtest1");
        g_autoptr(GError) error = NULL;
        int fd;

        fd = tap_open_existing("hvt-absent", owner.uid, owner.gid, &error);
        g_assert_cmpint(fd, <, 0);
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_FOUND);
        g_assert_nonnull(strstr(error->message, "managed='no'"));
        g_assert_false(g_file_test("/sys/class/net/hvt-absent", G_FILE_TEST_EXISTS));
        g_clear_error(&error);

        add_persistent_tap("hvt-unm-other", "user", "hvtest2");
        fd = tap_open_existing("hvt-unm-other", owner.uid, owner.gid, &error);
        g_assert_cmpint(fd, <, 0);
        g_assert_error(error, HV_ERROR, HV_ERROR_ACCESS_DENIED);
        g_clear_error(&error);

        add_persistent_tap("hvt-unm-own", "user", "hvtest1");
        fd = tap_open_existing("hvt-unm-own", owner.uid, owner.gid, &error);
        g_assert_no_error(error);
        g_assert_cmpint(fd, >=, 0);
        close(fd);
        g_assert_true(g_file_test("/sys/class/net/hvt-unm-own", G_FILE_TEST_EXISTS));
}

int main(int argc, char *argv[]) {
        enter_own_network(); /* before any thread: unshare(CLONE_NEWNS) needs a lone thread */
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/tap/other-users", test_other_users_tap);
        g_test_add_func("/tap/own", test_own_tap);
        g_test_add_func("/tap/unmanaged", test_unmanaged_tap);
        return g_test_run();
}
