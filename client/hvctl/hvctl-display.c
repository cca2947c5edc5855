/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * hvctl commands about a VM's screen and keyboard: screenshot, send-key, display.
 *
 * 'display' runs remote-viewer (virt-viewer) on a unix socket of its own in the user's
 * runtime folder and hands every connection the viewer makes to a new OpenGraphics()
 * descriptor (a SPICE client opens several channels), relaying bytes until the viewer
 * quits. No display ever listens on a network.
 */

#include <errno.h>
#include <glib/gstdio.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hvctl.h"

#define MAX_CONNECTIONS 32

/* ---- screenshot ---- */

int hvctl_cmd_screenshot(Hvctl *ctl, int argc, char **argv) {
        int screen = 0;
        const GOptionEntry entries[] = {
                {"screen", 0, 0, G_OPTION_ARG_INT, &screen, "Which screen (0 for the first)", "N"},
                {NULL},
        };
        g_autoptr(HypervisorVm) vm = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GByteArray) png = g_byte_array_new();
        unsigned char buffer[65536];
        ssize_t n;
        int fd, r;

        if ((r = hvctl_parse_options(ctl, "screenshot", "NAME FILE.png [--screen N]", entries, &argc, &argv, 2, 2)) !=
                    0 ||
            (r = hvctl_connect(ctl)) != 0)
                return r;
        if (screen < 0)
                return hvctl_usage_error("--screen must be 0 or more");
        vm = hvctl_find_vm(ctl, argv[1], &error);
        if (!vm)
                return hvctl_fail(error);
        fd = hypervisor_vm_screenshot_sync(vm, (guint) screen, NULL, &error);
        if (fd < 0)
                return hvctl_fail(error);
        while ((n = read(fd, buffer, sizeof(buffer))) > 0)
                g_byte_array_append(png, buffer, (guint) n);
        close(fd);
        if (n < 0) {
                fprintf(stderr, "hvctl: Cannot read the screenshot: %s\n", g_strerror(errno));
                return HVCTL_EXIT_FAILURE;
        }
        if (g_str_equal(argv[2], "-")) {
                if (fwrite(png->data, 1, png->len, stdout) != png->len || fflush(stdout) != 0)
                        return HVCTL_EXIT_FAILURE;
                return HVCTL_EXIT_OK;
        }
        if (!g_file_set_contents(argv[2], (const char *) png->data, png->len, &error)) {
                fprintf(stderr, "hvctl: %s\n", error->message);
                return HVCTL_EXIT_FAILURE;
        }
        return HVCTL_EXIT_OK;
}

/* ---- send-key ---- */

/* Names of Linux input keycodes (linux/input-event-codes.h), without "KEY_". */
static const struct {
        const char *name;
        guint code;
} key_names[] = {
        {"ESC", 1},
        {"1", 2},
        {"2", 3},
        {"3", 4},
        {"4", 5},
        {"5", 6},
        {"6", 7},
        {"7", 8},
        {"8", 9},
        {"9", 10},
        {"0", 11},
        {"MINUS", 12},
        {"EQUAL", 13},
        {"BACKSPACE", 14},
        {"TAB", 15},
        {"Q", 16},
        {"W", 17},
        {"E", 18},
        {"R", 19},
        {"T", 20},
        {"Y", 21},
        {"U", 22},
        {"I", 23},
        {"O", 24},
        {"P", 25},
        {"LEFTBRACE", 26},
        {"RIGHTBRACE", 27},
        {"ENTER", 28},
        {"LEFTCTRL", 29},
        {"A", 30},
        {"S", 31},
        {"D", 32},
        {"F", 33},
        {"G", 34},
        {"H", 35},
        {"J", 36},
        {"K", 37},
        {"L", 38},
        {"SEMICOLON", 39},
        {"APOSTROPHE", 40},
        {"GRAVE", 41},
        {"LEFTSHIFT", 42},
        {"BACKSLASH", 43},
        {"Z", 44},
        {"X", 45},
        {"C", 46},
        {"V", 47},
        {"B", 48},
        {"N", 49},
        {"M", 50},
        {"COMMA", 51},
        {"DOT", 52},
        {"SLASH", 53},
        {"RIGHTSHIFT", 54},
        {"KPASTERISK", 55},
        {"LEFTALT", 56},
        {"SPACE", 57},
        {"CAPSLOCK", 58},
        {"F1", 59},
        {"F2", 60},
        {"F3", 61},
        {"F4", 62},
        {"F5", 63},
        {"F6", 64},
        {"F7", 65},
        {"F8", 66},
        {"F9", 67},
        {"F10", 68},
        {"NUMLOCK", 69},
        {"SCROLLLOCK", 70},
        {"F11", 87},
        {"F12", 88},
        {"KPENTER", 96},
        {"RIGHTCTRL", 97},
        {"SYSRQ", 99},
        {"RIGHTALT", 100},
        {"HOME", 102},
        {"UP", 103},
        {"PAGEUP", 104},
        {"LEFT", 105},
        {"RIGHT", 106},
        {"END", 107},
        {"DOWN", 108},
        {"PAGEDOWN", 109},
        {"INSERT", 110},
        {"DELETE", 111},
        {"POWER", 116},
        {"PAUSE", 119},
        {"LEFTMETA", 125},
        {"RIGHTMETA", 126},
        {"COMPOSE", 127},
        {"MENU", 139},
        {"SLEEP", 142},
        {"WAKEUP", 143},
        /* Short names people type */
        {"CTRL", 29},
        {"ALT", 56},
        {"SHIFT", 42},
        {"DEL", 111},
        {"RETURN", 28},
};

static gboolean parse_key(const char *text, guint *ret) {
        const char *name = g_ascii_strncasecmp(text, "KEY_", 4) == 0 ? text + 4 : text;
        guint64 number;
        char *end = NULL;

        for (size_t i = 0; i < G_N_ELEMENTS(key_names); i++)
                if (g_ascii_strcasecmp(key_names[i].name, name) == 0 && name[0] && !g_ascii_isdigit(name[0])) {
                        *ret = key_names[i].code;
                        return TRUE;
                }
        /* A number is a keycode; a single digit is its key only with KEY_ ("KEY_1"). */
        if (name == text && g_ascii_isdigit(text[0])) {
                number = g_ascii_strtoull(text, &end, 0);
                if (*end == '\0' && number > 0 && number < 768) {
                        *ret = (guint) number;
                        return TRUE;
                }
                return FALSE;
        }
        for (size_t i = 0; i < G_N_ELEMENTS(key_names); i++)
                if (g_ascii_strcasecmp(key_names[i].name, name) == 0) {
                        *ret = key_names[i].code;
                        return TRUE;
                }
        return FALSE;
}

int hvctl_cmd_send_key(Hvctl *ctl, int argc, char **argv) {
        int hold_time = 0;
        const GOptionEntry entries[] = {
                {"hold-time", 0, 0, G_OPTION_ARG_INT, &hold_time, "Keep the keys pressed this long", "MS"},
                {NULL},
        };
        g_autoptr(HypervisorVm) vm = NULL;
        g_autoptr(GError) error = NULL;
        guint keycodes[16];
        int r;

        if ((r = hvctl_parse_options(ctl, "send-key", "NAME KEY... [--hold-time MS]", entries, &argc, &argv, 2,
                                     1 + G_N_ELEMENTS(keycodes))) != 0)
                return r;
        if (hold_time < 0)
                return hvctl_usage_error("--hold-time must be 0 or more");
        for (int i = 2; i < argc; i++)
                if (!parse_key(argv[i], &keycodes[i - 2]))
                        return hvctl_usage_error("Unknown key '%s' (a Linux keycode number, or a name such as "
                                                 "KEY_LEFTCTRL, ctrl, alt, delete, f2)",
                                                 argv[i]);
        if ((r = hvctl_connect(ctl)) != 0)
                return r;
        vm = hvctl_find_vm(ctl, argv[1], &error);
        if (!vm)
                return hvctl_fail(error);
        if (!hypervisor_vm_send_key_sync(vm, keycodes, (gsize) (argc - 2), (guint) hold_time, NULL, &error))
                return hvctl_fail(error);
        return HVCTL_EXIT_OK;
}

/* ---- display ---- */

typedef struct {
        int viewer;  /* the viewer's end */
        int display; /* an OpenGraphics() descriptor */
} Relay;

/* Copies what is there from one to the other; FALSE when either end closed. */
static gboolean copy_some(int from, int to) {
        char buffer[65536];
        ssize_t n = read(from, buffer, sizeof(buffer));

        if (n <= 0)
                return n < 0 && (errno == EAGAIN || errno == EINTR);
        for (ssize_t done = 0; done < n;) {
                ssize_t w = write(to, buffer + done, (size_t) (n - done));
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return FALSE;
                done += w;
        }
        return TRUE;
}

static int relay_until_viewer_exits(HypervisorVm *vm, guint index, int listener, GPid viewer) {
        Relay relays[MAX_CONNECTIONS];
        unsigned n_relays = 0;
        int status;

        for (;;) {
                struct pollfd fds[1 + 2 * MAX_CONNECTIONS];
                unsigned n = 0;

                if (waitpid(viewer, &status, WNOHANG) == viewer)
                        break;
                fds[n++] = (struct pollfd){.fd = listener, .events = POLLIN};
                for (unsigned i = 0; i < n_relays; i++) {
                        fds[n++] = (struct pollfd){.fd = relays[i].viewer, .events = POLLIN};
                        fds[n++] = (struct pollfd){.fd = relays[i].display, .events = POLLIN};
                }
                if (poll(fds, n, 200) <= 0)
                        continue;
                if ((fds[0].revents & POLLIN) && n_relays < MAX_CONNECTIONS) {
                        g_autoptr(GError) error = NULL;
                        int client = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
                        int display = client >= 0 ? hypervisor_vm_open_graphics_sync(vm, index, NULL, &error) : -1;

                        if (client >= 0 && display < 0) {
                                fprintf(stderr, "hvctl: %s\n", error->message);
                                close(client);
                        } else if (client >= 0) {
                                relays[n_relays++] = (Relay){.viewer = client, .display = display};
                        }
                        continue;
                }
                for (unsigned i = 0; i < n_relays; i++) {
                        struct pollfd *v = &fds[1 + 2 * i], *d = &fds[2 + 2 * i];
                        gboolean open = TRUE;

                        if (v->revents)
                                open = copy_some(relays[i].viewer, relays[i].display);
                        if (open && d->revents)
                                open = copy_some(relays[i].display, relays[i].viewer);
                        if (!open) {
                                close(relays[i].viewer);
                                close(relays[i].display);
                                relays[i] = relays[--n_relays];
                                break; /* the poll set changed */
                        }
                }
        }
        for (unsigned i = 0; i < n_relays; i++) {
                close(relays[i].viewer);
                close(relays[i].display);
        }
        return HVCTL_EXIT_OK;
}

int hvctl_cmd_display(Hvctl *ctl, int argc, char **argv) {
        int index = 0;
        const GOptionEntry entries[] = {
                {"index", 0, 0, G_OPTION_ARG_INT, &index, "Which display (0 for the first)", "N"},
                {NULL},
        };
        g_autoptr(HypervisorVm) vm = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) graphics = NULL;
        g_autofree char *viewer = NULL, *dir = NULL, *socket_path = NULL, *uri = NULL;
        const char *type = NULL;
        struct sockaddr_un address = {.sun_family = AF_UNIX};
        GPid pid;
        int listener, r;

        if ((r = hvctl_parse_options(ctl, "display", "NAME [--index N]", entries, &argc, &argv, 1, 1)) != 0 ||
            (r = hvctl_connect(ctl)) != 0)
                return r;
        if (index < 0)
                return hvctl_usage_error("--index must be 0 or more");
        vm = hvctl_find_vm(ctl, argv[1], &error);
        if (!vm)
                return hvctl_fail(error);
        graphics = hypervisor_vm_dup_graphics(vm);
        if (graphics && (gsize) index < g_variant_n_children(graphics))
                g_variant_get_child(graphics, (gsize) index, "(&su@a{sv})", &type, NULL, NULL);
        if (!type) {
                fprintf(stderr,
                        "hvctl: VM '%s' has no display number %d (add a <graphics type='vnc'/> or "
                        "<graphics type='spice'/> to its definition)\n",
                        hypervisor_vm_get_name(vm), index);
                return HVCTL_EXIT_FAILURE;
        }
        viewer = g_find_program_in_path("remote-viewer");
        if (!viewer) {
                fprintf(stderr, "hvctl: No viewer found: install remote-viewer (Debian package virt-viewer), or take "
                                "pictures with 'hvctl screenshot'\n");
                return HVCTL_EXIT_FAILURE;
        }

        /* A socket only this user can reach, in its runtime folder. */
        dir = g_build_filename(g_get_user_runtime_dir(), "hvctl-display-XXXXXX", NULL);
        if (!g_mkdtemp_full(dir, 0700)) {
                fprintf(stderr, "hvctl: Cannot make a folder in %s: %s\n", g_get_user_runtime_dir(),
                        g_strerror(errno));
                return HVCTL_EXIT_FAILURE;
        }
        socket_path = g_build_filename(dir, "display.sock", NULL);
        if (strlen(socket_path) >= sizeof(address.sun_path)) {
                fprintf(stderr, "hvctl: The socket path '%s' is too long\n", socket_path);
                g_rmdir(dir);
                return HVCTL_EXIT_FAILURE;
        }
        strcpy(address.sun_path, socket_path);
        listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (listener < 0 || bind(listener, (struct sockaddr *) &address, sizeof(address)) < 0 ||
            listen(listener, 16) < 0) {
                fprintf(stderr, "hvctl: Cannot listen on '%s': %s\n", socket_path, g_strerror(errno));
                if (listener >= 0)
                        close(listener);
                g_rmdir(dir);
                return HVCTL_EXIT_FAILURE;
        }

        uri = g_strdup_printf("%s+unix://%s", type, socket_path);
        {
                const char *viewer_argv[] = {viewer, "--title", hypervisor_vm_get_name(vm), uri, NULL};
                if (!g_spawn_async(NULL, (char **) viewer_argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                                   &error)) {
                        fprintf(stderr, "hvctl: Cannot run %s: %s\n", viewer, error->message);
                        r = HVCTL_EXIT_FAILURE;
                        goto out;
                }
        }
        r = relay_until_viewer_exits(vm, (guint) index, listener, pid);
out:
        close(listener);
        g_unlink(socket_path);
        g_rmdir(dir);
        return r;
}
