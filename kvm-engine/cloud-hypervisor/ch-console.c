/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The console of a cloud-hypervisor VM, kept across guest resets.
 *
 * cloud-hypervisor binds the serial socket itself, and at every reset
 * (vm_reboot(): the old Vm is shut down, a new one built) it closes the socket
 * with its client and binds the path again. A descriptor connected to it would
 * end at the first reboot, where QEMU's console carries on. So OpenConsole
 * hands out one end of a socketpair, and the engine relays between its end and
 * a connection to the serial socket (made as the owner, connect-as-owner.h),
 * connecting again after each "vm/rebooted". What the client types while the
 * port is away waits (up to CH_CONSOLE_PENDING_MAX bytes); output the client
 * does not read in time is lost, as on a UART. The relay ends when the client
 * goes, or when the VMM does (the client then reads EOF).
 *
 * A relay lives in the daemon: after a daemon restart the client's stream has
 * ended and OpenConsole is called again.
 */

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ch-console.h"
#include "connect-as-owner.h"

#define CH_CONSOLE_CHUNK 4096
#define CH_CONSOLE_PENDING_MAX (64 * 1024)

struct ChConsoleRelay {
        ChVm *vm;
        int client_fd; /* our end of the socketpair; -1 until the first connection */
        int vmm_fd;    /* the serial socket's connection; -1 while there is none */
        sd_event_source *client_source;
        sd_event_source *vmm_source;
        ConnectAsOwner *connecting;
        GByteArray *to_vmm;  /* typed, not yet taken by the serial port */
        EngineConsoleFn done; /* the OpenConsole call, until answered */
        void *userdata;
};

static void relay_free(ChConsoleRelay *relay) {
        ChVm *vm = relay->vm;

        vm->console_relays = g_list_remove(vm->console_relays, relay);
        if (relay->connecting)
                connect_as_owner_cancel(relay->connecting);
        sd_event_source_disable_unref(relay->client_source);
        sd_event_source_disable_unref(relay->vmm_source);
        if (relay->client_fd >= 0)
                close(relay->client_fd);
        if (relay->vmm_fd >= 0)
                close(relay->vmm_fd);
        g_byte_array_unref(relay->to_vmm);
        g_free(relay);
}

static void relay_drop_vmm(ChConsoleRelay *relay) {
        relay->vmm_source = sd_event_source_disable_unref(relay->vmm_source);
        if (relay->vmm_fd >= 0)
                close(relay->vmm_fd);
        relay->vmm_fd = -1;
}

static void relay_watch_vmm(ChConsoleRelay *relay) {
        if (relay->vmm_source)
                (void) sd_event_source_set_io_events(relay->vmm_source,
                                                     EPOLLIN | (relay->to_vmm->len > 0 ? EPOLLOUT : 0));
}

/* Sends what was typed; the rest waits for the port to take it. */
static void relay_flush_to_vmm(ChConsoleRelay *relay) {
        while (relay->vmm_fd >= 0 && relay->to_vmm->len > 0) {
                ssize_t n = send(relay->vmm_fd, relay->to_vmm->data, relay->to_vmm->len, MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        break;
                if (n < 0) {
                        relay_drop_vmm(relay); /* the port went (a reset): it waits for the next one */
                        return;
                }
                g_byte_array_remove_range(relay->to_vmm, 0, (guint) n);
        }
        relay_watch_vmm(relay);
}

/* Returns false when the client is gone (and the relay freed). */
static bool relay_to_client(ChConsoleRelay *relay, const char *data, size_t length) {
        ssize_t n = send(relay->client_fd, data, length, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
                relay_free(relay);
                return false;
        }
        return true; /* a client that does not read loses output, as on a UART */
}

/* Reads what the port holds. Returns false when the relay was freed. */
static bool relay_read_vmm(ChConsoleRelay *relay, bool until_empty) {
        char buffer[CH_CONSOLE_CHUNK];

        while (relay->vmm_fd >= 0) {
                ssize_t n = recv(relay->vmm_fd, buffer, sizeof(buffer), MSG_DONTWAIT);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return true;
                if (n <= 0) {
                        relay_drop_vmm(relay); /* closed by a reset, or the VMM is going */
                        return true;
                }
                if (!relay_to_client(relay, buffer, (size_t) n))
                        return false;
                if (!until_empty)
                        return true;
        }
        return true;
}

static int relay_on_vmm_io(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        ChConsoleRelay *relay = userdata;

        if ((revents & EPOLLOUT) && relay->to_vmm->len > 0)
                relay_flush_to_vmm(relay);
        if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
                (void) relay_read_vmm(relay, false);
        return 0;
}

static int relay_on_client_io(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        ChConsoleRelay *relay = userdata;
        char buffer[CH_CONSOLE_CHUNK];

        ssize_t n = recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        if (n <= 0) {
                relay_free(relay); /* the client went */
                return 0;
        }
        if (relay->to_vmm->len + (size_t) n <= CH_CONSOLE_PENDING_MAX)
                g_byte_array_append(relay->to_vmm, (const guint8 *) buffer, (guint) n);
        relay_flush_to_vmm(relay);
        return 0;
}

/* The first connection answers OpenConsole with the client's end. */
static bool relay_give_client_end(ChConsoleRelay *relay, GError **error) {
        int pair[2];

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot create the console's socket pair: %s",
                            g_strerror(errno));
                return false;
        }
        int flags = fcntl(pair[0], F_GETFL);
        int r = flags < 0 ? -errno : fcntl(pair[0], F_SETFL, flags | O_NONBLOCK) < 0 ? -errno : 0;
        if (r == 0)
                r = sd_event_add_io(relay->vm->base.event, &relay->client_source, pair[0], EPOLLIN, relay_on_client_io,
                                    relay);
        if (r < 0) {
                close(pair[0]);
                close(pair[1]);
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot relay the console: %s", g_strerror(-r));
                return false;
        }
        relay->client_fd = pair[0];
        console_requests_answer_later(relay->vm->base.consoles, pair[1], NULL, relay->done, relay->userdata);
        relay->done = NULL;
        return true;
}

static void relay_fail(ChConsoleRelay *relay, const GError *error) {
        if (relay->done)
                console_requests_answer_later(relay->vm->base.consoles, -1, error, relay->done, relay->userdata);
        relay_free(relay);
}

static void relay_on_connected(int fd, const GError *error, void *userdata) {
        ChConsoleRelay *relay = userdata;
        g_autoptr(GError) failure = NULL;

        relay->connecting = NULL;
        if (error) {
                /* The first time the caller hears why; later the client reads EOF. */
                relay_fail(relay, error);
                return;
        }
        relay->vmm_fd = fd;
        int flags = fcntl(fd, F_GETFL);
        int r = flags < 0 ? -errno : fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ? -errno : 0;
        if (r == 0)
                r = sd_event_add_io(relay->vm->base.event, &relay->vmm_source, fd, EPOLLIN, relay_on_vmm_io, relay);
        if (r < 0) {
                failure = g_error_new(HV_ERROR, HV_ERROR_FAILED, "Cannot relay the console: %s", g_strerror(-r));
                relay_fail(relay, failure);
                return;
        }
        (void) sd_event_source_set_description(relay->vmm_source, "ch-console");
        if (relay->done && !relay_give_client_end(relay, &failure)) {
                relay_fail(relay, failure);
                return;
        }
        relay_flush_to_vmm(relay);
}

static bool relay_connect(ChConsoleRelay *relay, GError **error) {
        ChVm *vm = relay->vm;
        ConnectAsOwnerParams params = {
                .event = vm->base.event,
                .path = vm->serial_path,
                .uid = vm->base.uid,
                .gid = vm->base.gid,
                .engine_pid = process_get_pid(vm->base.process),
                .vm_name = vm->base.config->name,
                .timeout_usec = CONNECT_AS_OWNER_TIMEOUT_USEC,
        };
        relay->connecting = connect_as_owner_start(&params, relay_on_connected, relay, error);
        return relay->connecting != NULL;
}

void ch_console_open(ChVm *vm, EngineConsoleFn done, void *userdata) {
        g_autoptr(GError) error = NULL;
        ChConsoleRelay *relay = g_new0(ChConsoleRelay, 1);

        relay->vm = vm;
        relay->client_fd = relay->vmm_fd = -1;
        relay->to_vmm = g_byte_array_new();
        relay->done = done;
        relay->userdata = userdata;
        vm->console_relays = g_list_append(vm->console_relays, relay);
        if (!relay_connect(relay, &error))
                relay_fail(relay, error);
}

void ch_console_on_reset(ChVm *vm) {
        GList *relays = g_list_copy(vm->console_relays);

        for (GList *l = relays; l; l = l->next) {
                ChConsoleRelay *relay = l->data;
                g_autoptr(GError) error = NULL;

                if (relay->connecting || relay->done)
                        continue; /* a first connection in flight answers for itself */
                /* What the old port said before it closed, then the new port. */
                if (!relay_read_vmm(relay, true))
                        continue;
                relay_drop_vmm(relay);
                if (!relay_connect(relay, &error)) {
                        g_warning("VM '%s': cannot connect the console again after a reset: %s", vm->base.config->name,
                                  error->message);
                        relay_free(relay);
                }
        }
        g_list_free(relays);
}

void ch_console_end_all(ChVm *vm, const GError *error) {
        while (vm->console_relays) {
                ChConsoleRelay *relay = vm->console_relays->data;
                if (error)
                        relay_fail(relay, error);
                else {
                        relay->done = NULL; /* dropped: nothing is called back */
                        relay_free(relay);
                }
        }
}
