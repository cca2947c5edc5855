/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * hvctl console: relays the terminal to the VM's serial console. On a
 * terminal, the terminal goes raw (keys go to the guest as typed) and Ctrl-]
 * leaves, as with virsh; the terminal's settings come back however we leave.
 */

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "hvctl.h"

#define ESCAPE_KEY 0x1d /* Ctrl-] */

static struct termios saved_termios;
static gboolean terminal_is_raw;
static volatile sig_atomic_t stop_signal;

static void restore_terminal(void) {
        if (terminal_is_raw) {
                tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
                terminal_is_raw = FALSE;
        }
}

static void on_stop_signal(int signal_number) {
        stop_signal = signal_number;
}

static int make_terminal_raw(void) {
        struct termios raw;

        if (tcgetattr(STDIN_FILENO, &saved_termios) < 0)
                return -errno;
        raw = saved_termios;
        cfmakeraw(&raw);
        if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) < 0)
                return -errno;
        terminal_is_raw = TRUE;
        atexit(restore_terminal);
        return 0;
}

static gboolean write_all(int fd, const char *data, size_t size) {
        while (size > 0) {
                ssize_t n = write(fd, data, size);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN) {
                        struct pollfd p = { .fd = fd, .events = POLLOUT };
                        (void) poll(&p, 1, 1000);
                        continue;
                }
                if (n <= 0)
                        return FALSE;
                data += n;
                size -= (size_t) n;
        }
        return TRUE;
}

/* Returns a negative errno on failure, 0 when the user or the console ended it. */
static int relay(int console_fd, gboolean interactive) {
        char buffer[4096];
        gboolean stdin_open = TRUE;
        /* After input ends (a pipe), keep showing output briefly, like socat -t. */
        int drain_ms = -1;

        while (!stop_signal) {
                struct pollfd fds[2] = {
                        { .fd = console_fd, .events = POLLIN },
                        { .fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN },
                };
                int n = poll(fds, 2, drain_ms);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return 0; /* drained */

                if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                        ssize_t got = read(console_fd, buffer, sizeof(buffer));

                        if (got < 0 && (errno == EINTR || errno == EAGAIN))
                                continue;
                        if (got <= 0)
                                return 0; /* the console closed: the VM stopped */
                        if (!write_all(STDOUT_FILENO, buffer, (size_t) got))
                                return -EPIPE;
                }
                if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
                        ssize_t got = read(STDIN_FILENO, buffer, sizeof(buffer));
                        char *escape;

                        if (got < 0 && (errno == EINTR || errno == EAGAIN))
                                continue;
                        if (got <= 0) {
                                stdin_open = FALSE;
                                drain_ms = 500;
                                continue;
                        }
                        escape = interactive ? memchr(buffer, ESCAPE_KEY, (size_t) got) : NULL;
                        if (escape)
                                got = escape - buffer;
                        if (got > 0 && !write_all(console_fd, buffer, (size_t) got))
                                return -EIO;
                        if (escape)
                                return 0;
                }
        }
        return 0;
}

int hvctl_cmd_console(Hvctl *ctl, int argc, char **argv) {
        g_autoptr(HypervisorVm) vm = NULL;
        g_autoptr(GError) error = NULL;
        struct sigaction action = { .sa_handler = on_stop_signal };
        gboolean interactive = isatty(STDIN_FILENO);
        int console_fd, r;

        if ((r = hvctl_parse_options(ctl, "console", "NAME", NULL, &argc, &argv, 1, 1)) != 0 ||
            (r = hvctl_connect(ctl)) != 0)
                return r;
        vm = hvctl_find_vm(ctl, argv[1], &error);
        if (!vm)
                return hvctl_fail(error);
        console_fd = hypervisor_vm_open_console_sync(vm, NULL, &error);
        if (console_fd < 0)
                return hvctl_fail(error);

        /* No SA_RESTART: poll() returns and the terminal is restored on the way out. */
        sigemptyset(&action.sa_mask);
        sigaction(SIGTERM, &action, NULL);
        sigaction(SIGHUP, &action, NULL);
        sigaction(SIGINT, &action, NULL);

        if (interactive) {
                fprintf(stderr, "Connected to the console of '%s'. Leave with Ctrl-].\r\n", hypervisor_vm_get_name(vm));
                r = make_terminal_raw();
                if (r < 0) {
                        close(console_fd);
                        fprintf(stderr, "hvctl: Cannot set up the terminal: %s\n", g_strerror(-r));
                        return HVCTL_EXIT_FAILURE;
                }
        }
        r = relay(console_fd, interactive);
        restore_terminal();
        close(console_fd);
        if (interactive)
                fprintf(stderr, "\nDisconnected from '%s'.\n", hypervisor_vm_get_name(vm));
        if (r < 0) {
                fprintf(stderr, "hvctl: The console connection failed: %s\n", g_strerror(-r));
                return HVCTL_EXIT_FAILURE;
        }
        return HVCTL_EXIT_OK;
}
