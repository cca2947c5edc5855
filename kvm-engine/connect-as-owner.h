/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Connecting to a unix socket whose path belongs to a VM's owner (a
 * <serial type='unix'> path, a socket the engine binds itself), without the
 * service's rights.
 *
 * The path may be a symlink to anything, and a lookup through a user's FUSE
 * mount may hang. So the connect is made by a child process that first drops
 * to the owner (setgroups with the owner's groups, setresgid, setresuid) and
 * sends the connected descriptor back over a socketpair (SCM_RIGHTS). The loop
 * waits for it without blocking, at most timeout_usec; the child is reaped
 * through a pidfd. Then SO_PEERCRED of the connection must name the engine's
 * pid (the process that listens on the socket), else the descriptor is closed
 * and the connection refused: a symlink to another socket (the system bus,
 * another user's console) is not served by the engine.
 *
 * uid (uid_t) -1 (session mode: engines run as the service's own user)
 * connects from the child without changing users; the check is the same.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

typedef struct ConnectAsOwner ConnectAsOwner;

/*
 * fd >= 0 with error NULL on success: the callback owns the descriptor (a
 * blocking stream, close-on-exec) and must close it or hand it on. On failure
 * fd is -1. Called exactly once, later, from the loop, unless cancelled.
 */
typedef void (*ConnectAsOwnerFn)(int fd, const GError *error, void *userdata);

typedef struct {
        sd_event *event;
        const char *path; /* the owner's path */
        uid_t uid;        /* the owner; (uid_t) -1 = do not change users */
        gid_t gid;
        pid_t engine_pid;      /* the connection's peer must be this process */
        const char *vm_name;   /* for messages */
        uint64_t timeout_usec; /* the whole attempt, lookup included */
} ConnectAsOwnerParams;

#define CONNECT_AS_OWNER_TIMEOUT_USEC (5 * G_USEC_PER_SEC)

/* Starts the attempt. NULL (with error set) when it could not even start. */
ConnectAsOwner *connect_as_owner_start(const ConnectAsOwnerParams *params, ConnectAsOwnerFn done, void *userdata,
                                       GError **error);

/* No callback after this. The child, if still there, is killed and reaped later. */
void connect_as_owner_cancel(ConnectAsOwner *c);
