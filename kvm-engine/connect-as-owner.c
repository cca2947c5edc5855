/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "connect-as-owner.h"
#include "hv-error.h"
#include "owner-child.h"

struct ConnectAsOwner {
        char *path;
        char *vm_name;
        pid_t engine_pid;
        uint64_t timeout_usec;
        ConnectAsOwnerFn done;
        void *userdata;
        OwnerChild *child;
};

static void connect_as_owner_free(ConnectAsOwner *c) {
        g_free(c->path);
        g_free(c->vm_name);
        g_free(c);
}

/* In the child, as the owner: the connected socket, sent back. */
static int connect_action(const void *args, int *fd) {
        const struct sockaddr_un *addr = args;

        *fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (*fd < 0)
                return errno;
        if (connect(*fd, (const struct sockaddr *) addr, sizeof(*addr)) < 0)
                return errno;
        return 0;
}

/* The connection is the engine's only if the engine listens on it. */
static void check_peer(ConnectAsOwner *c, int fd) {
        struct ucred peer = {};
        socklen_t length = sizeof(peer);

        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &length) < 0 || peer.pid != c->engine_pid) {
                g_autoptr(GError) error =
                        g_error_new(HV_ERROR, HV_ERROR_ACCESS_DENIED, "'%s' is not served by the engine of VM '%s'",
                                    c->path, c->vm_name);
                close(fd);
                c->done(-1, error, c->userdata);
                return;
        }
        (void) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        c->done(fd, NULL, c->userdata);
}

static void on_child_done(OwnerChildResult result, int e, int fd, void *userdata) {
        ConnectAsOwner *c = userdata;
        g_autoptr(GError) error = NULL;

        c->child = NULL; /* it frees itself */
        switch (result) {
        case OWNER_CHILD_DONE:
                if (fd >= 0) {
                        check_peer(c, fd);
                        connect_as_owner_free(c);
                        return;
                }
                error = g_error_new(HV_ERROR, HV_ERROR_FAILED, "Cannot connect to '%s': the helper gave no answer",
                                    c->path);
                break;
        case OWNER_CHILD_NOT_OWNER:
                error = g_error_new(HV_ERROR, HV_ERROR_FAILED,
                                    "Cannot connect to '%s': cannot become the owner of VM '%s': %s", c->path,
                                    c->vm_name, g_strerror(e));
                break;
        case OWNER_CHILD_ACTION_FAILED:
                error = g_error_new(HV_ERROR, e == EAGAIN ? HV_ERROR_LIMITS_EXCEEDED : HV_ERROR_ENGINE_FAILED,
                                    "Cannot connect to '%s': %s", c->path, g_strerror(e));
                break;
        case OWNER_CHILD_NO_ANSWER:
                error = g_error_new(HV_ERROR, HV_ERROR_FAILED, "Cannot connect to '%s': the helper gave no answer",
                                    c->path);
                break;
        case OWNER_CHILD_TIMEOUT:
                error = g_error_new(HV_ERROR, HV_ERROR_TIMEOUT, "Connecting to '%s' took longer than %u ms", c->path,
                                    (unsigned) (c->timeout_usec / 1000));
                break;
        }
        c->done(-1, error, c->userdata);
        connect_as_owner_free(c);
}

ConnectAsOwner *connect_as_owner_start(const ConnectAsOwnerParams *params, ConnectAsOwnerFn done, void *userdata,
                                       GError **error) {
        struct sockaddr_un addr = {.sun_family = AF_UNIX};

        if (strlen(params->path) >= sizeof(addr.sun_path)) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, "Socket path '%s' is too long", params->path);
                return NULL;
        }
        strcpy(addr.sun_path, params->path);

        ConnectAsOwner *c = g_new0(ConnectAsOwner, 1);
        c->path = g_strdup(params->path);
        c->vm_name = g_strdup(params->vm_name);
        c->engine_pid = params->engine_pid;
        c->timeout_usec = params->timeout_usec;
        c->done = done;
        c->userdata = userdata;

        OwnerChildParams child = {
                .event = params->event,
                .uid = params->uid,
                .gid = params->gid,
                .timeout_usec = params->timeout_usec,
                .action = connect_action,
                .args = &addr,
                .keep_fd = -1,
        };
        c->child = owner_child_start(&child, on_child_done, c, error);
        if (!c->child) {
                g_prefix_error(error, "Cannot connect to '%s': ", params->path);
                connect_as_owner_free(c);
                return NULL;
        }
        return c;
}

void connect_as_owner_cancel(ConnectAsOwner *c) {
        if (!c)
                return;
        owner_child_cancel(c->child);
        connect_as_owner_free(c);
}
