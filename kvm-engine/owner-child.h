/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * OwnerChild: one thing done as a VM's owner, without the service's rights and without
 * blocking the loop: connecting to a socket of the owner's (connect-as-owner.c), making a
 * file at a path of the owner's (qemu-nvram.c).
 *
 * A child process drops to the owner (setgroups with the owner's groups, setresgid,
 * setresuid), runs the action, and reports over a socketpair: the action's result, with a
 * descriptor when it gives one (SCM_RIGHTS). The path may be a symlink to anything and a
 * lookup through a user's FUSE mount may hang, so the loop waits for the report at most
 * timeout_usec; the child is reaped through a pidfd, and killed when the wait ends first.
 *
 * uid (uid_t) -1 (session mode: engines run as the service's own user) runs the action in
 * the child without changing users.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

typedef struct OwnerChild OwnerChild;

/* Runs in the child once it is the owner: async-signal-safe calls only, no allocation.
 * Returns 0 or an errno; may set *fd to a descriptor to send back. */
typedef int (*OwnerChildAction)(const void *args, int *fd);

typedef enum {
        OWNER_CHILD_DONE,          /* the action returned 0 */
        OWNER_CHILD_ACTION_FAILED, /* error: the action's errno */
        OWNER_CHILD_NOT_OWNER,     /* error: why the child could not become the owner */
        OWNER_CHILD_NO_ANSWER,     /* it ended without a report */
        OWNER_CHILD_TIMEOUT,       /* no report within timeout_usec */
} OwnerChildResult;

/* Called exactly once, later, from the loop, unless cancelled. fd >= 0 only with
 * OWNER_CHILD_DONE when the action sent one (close-on-exec): the callback owns it. */
typedef void (*OwnerChildFn)(OwnerChildResult result, int error, int fd, void *userdata);

typedef struct {
        sd_event *event;
        uid_t uid; /* the owner; (uid_t) -1 = do not change users */
        gid_t gid;
        uint64_t timeout_usec;
        OwnerChildAction action;
        const void *args; /* the action's, as they are at the start (the child has a copy) */
        int keep_fd;      /* a descriptor the child keeps open for the action, or -1 */
} OwnerChildParams;

/* Starts the child. NULL (with error set) when it could not even start. */
OwnerChild *owner_child_start(const OwnerChildParams *params, OwnerChildFn done, void *userdata, GError **error);

/* No callback after this. The child, if still there, is killed and reaped later. */
void owner_child_cancel(OwnerChild *child);
