/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hv-error.h"
#include "owner-child.h"

#define MAX_GROUPS 256

/* What the child sends back, with a descriptor when the action gave one. */
typedef struct {
        int result; /* OwnerChildResult: DONE, ACTION_FAILED or NOT_OWNER */
        int error;
} ChildReport;

struct OwnerChild {
        uint64_t timeout_usec;
        OwnerChildFn done;
        void *userdata;

        int pidfd;
        int sock; /* our end of the socketpair */
        sd_event_source *sock_source, *pidfd_source, *timer_source;
        bool answered; /* done was called, or the child was cancelled */
        bool reaped;
};

static void owner_child_free(OwnerChild *c) {
        sd_event_source_disable_unref(c->sock_source);
        sd_event_source_disable_unref(c->pidfd_source);
        sd_event_source_disable_unref(c->timer_source);
        if (c->sock >= 0)
                close(c->sock);
        if (c->pidfd >= 0)
                close(c->pidfd);
        g_free(c);
}

static void free_when_over(OwnerChild *c) {
        if (c->answered && c->reaped)
                owner_child_free(c);
}

/* The wait is over for the caller: the socket and the timer are no longer needed. */
static void finish(OwnerChild *c, OwnerChildResult result, int error, int fd) {
        c->answered = true;
        c->sock_source = sd_event_source_disable_unref(c->sock_source);
        c->timer_source = sd_event_source_disable_unref(c->timer_source);
        if (!c->reaped)
                (void) pidfd_send_signal(c->pidfd, SIGKILL, NULL, 0);
        c->done(result, error, fd, c->userdata);
        free_when_over(c);
}

/* Reads the child's report if it is there; returns without a word if not yet. */
static void read_report(OwnerChild *c) {
        ChildReport report = {};
        struct iovec iov = {.iov_base = &report, .iov_len = sizeof(report)};
        union {
                struct cmsghdr header;
                char space[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct msghdr msg = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = sizeof(control),
        };
        int fd = -1;

        ssize_t n = recvmsg(c->sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return;
        for (struct cmsghdr *h = CMSG_FIRSTHDR(&msg); n > 0 && h; h = CMSG_NXTHDR(&msg, h))
                if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS && h->cmsg_len == CMSG_LEN(sizeof(int)))
                        memcpy(&fd, CMSG_DATA(h), sizeof(int));
        bool known = report.result == OWNER_CHILD_DONE || report.result == OWNER_CHILD_ACTION_FAILED ||
                     report.result == OWNER_CHILD_NOT_OWNER;
        if (n != (ssize_t) sizeof(report) || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || !known ||
            (fd >= 0 && report.result != OWNER_CHILD_DONE)) {
                if (fd >= 0)
                        close(fd);
                finish(c, OWNER_CHILD_NO_ANSWER, 0, -1);
                return;
        }
        finish(c, report.result, report.error, fd);
}

static int on_sock(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        read_report(userdata);
        return 0;
}

static int on_pidfd(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        OwnerChild *c = userdata;
        siginfo_t si = {};

        int r = waitid(P_PIDFD, c->pidfd, &si, WEXITED | WNOHANG);
        if (r < 0 && errno != ECHILD)
                return 0;
        if (r == 0 && si.si_pid == 0)
                return 0; /* not yet */
        c->reaped = true;
        c->pidfd_source = sd_event_source_disable_unref(c->pidfd_source);
        if (c->answered) {
                free_when_over(c);
                return 0;
        }
        /* The report, if any, was sent before the child exited: it is in the socket now. */
        read_report(c);
        return 0;
}

static int on_timeout(sd_event_source *source, uint64_t usec, void *userdata) {
        finish(userdata, OWNER_CHILD_TIMEOUT, 0, -1);
        return 0;
}

/* Closes every descriptor from 3 up but a and b (each -1 or above 2). */
static void close_all_but(int a, int b) {
        int low = MIN(a, b), high = MAX(a, b);
        unsigned from = 3;

        if (low < 3) /* one of them is -1 */
                low = high;
        if (low >= 3) {
                if ((unsigned) low > from)
                        (void) close_range(from, (unsigned) low - 1, 0);
                from = (unsigned) low + 1;
        }
        if (high > low) {
                if ((unsigned) high > from)
                        (void) close_range(from, (unsigned) high - 1, 0);
                from = (unsigned) high + 1;
        }
        (void) close_range(from, ~0U, 0);
}

/*
 * The child: only async-signal-safe calls, then _exit. Raw system calls for the
 * ids, as in process-spawn.c: glibc's wrappers would signal threads that exist
 * only in the parent.
 */
_Noreturn static void child_main(int report_fd, const OwnerChildParams *params, const gid_t *groups, int n_groups) {
        ChildReport report = {.result = OWNER_CHILD_NOT_OWNER};
        int fd = -1;

        /* Nothing of the service stays open while a lookup may hang. */
        close_all_but(report_fd, params->keep_fd);
        if (params->uid != (uid_t) -1 && (syscall(SYS_setgroups, (size_t) n_groups, groups) < 0 ||
                                          syscall(SYS_setresgid, params->gid, params->gid, params->gid) < 0 ||
                                          syscall(SYS_setresuid, params->uid, params->uid, params->uid) < 0)) {
                report.error = errno;
                (void) send(report_fd, &report, sizeof(report), MSG_NOSIGNAL);
                _exit(1);
        }
        report.error = params->action(params->args, &fd);
        report.result = report.error == 0 ? OWNER_CHILD_DONE : OWNER_CHILD_ACTION_FAILED;
        if (report.error == 0 && fd >= 0) {
                union {
                        struct cmsghdr header;
                        char space[CMSG_SPACE(sizeof(int))];
                } control = {};
                struct iovec iov = {.iov_base = &report, .iov_len = sizeof(report)};
                struct msghdr msg = {
                        .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = &control,
                        .msg_controllen = sizeof(control),
                };
                struct cmsghdr *h = CMSG_FIRSTHDR(&msg);
                h->cmsg_level = SOL_SOCKET;
                h->cmsg_type = SCM_RIGHTS;
                h->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(h), &fd, sizeof(int));
                (void) sendmsg(report_fd, &msg, MSG_NOSIGNAL);
        } else
                (void) send(report_fd, &report, sizeof(report), MSG_NOSIGNAL);
        _exit(report.error == 0 ? 0 : 1);
}

/* The owner's groups, looked up before the fork (the child must not allocate). */
static int owner_groups(uid_t uid, gid_t gid, gid_t *groups, GError **error) {
        struct passwd pw, *found = NULL;
        char buffer[4096];
        int n = MAX_GROUPS;

        if (getpwuid_r(uid, &pw, buffer, sizeof(buffer), &found) != 0 || !found) {
                /* A uid without a name has no supplementary groups. */
                groups[0] = gid;
                return 1;
        }
        if (getgrouplist(pw.pw_name, gid, groups, &n) < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "User '%s' is in more than %d groups", pw.pw_name,
                            MAX_GROUPS);
                return -1;
        }
        return n;
}

OwnerChild *owner_child_start(const OwnerChildParams *params, OwnerChildFn done, void *userdata, GError **error) {
        gid_t groups[MAX_GROUPS];
        int n_groups = 0, pair[2];

        if (params->uid != (uid_t) -1) {
                n_groups = owner_groups(params->uid, params->gid, groups, error);
                if (n_groups < 0)
                        return NULL;
        }
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot start a helper as the owner: %s",
                            g_strerror(errno));
                return NULL;
        }

        pid_t pid = fork();
        if (pid == 0) {
                close(pair[0]);
                child_main(pair[1], params, groups, n_groups);
        }
        int e = errno;
        close(pair[1]);
        int pidfd = pid > 0 ? (int) pidfd_open(pid, 0) : -1;
        if (pid < 0 || pidfd < 0) {
                if (pid > 0)
                        e = errno;
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot %s a helper as the owner: %s",
                            pid < 0 ? "start" : "watch", g_strerror(e));
                if (pid > 0) {
                        (void) kill(pid, SIGKILL);
                        (void) waitpid(pid, NULL, 0); /* it was just killed: this returns at once */
                }
                close(pair[0]);
                return NULL;
        }

        OwnerChild *c = g_new0(OwnerChild, 1);
        c->timeout_usec = params->timeout_usec;
        c->done = done;
        c->userdata = userdata;
        c->pidfd = pidfd;
        c->sock = pair[0];

        uint64_t now = 0;
        int r = sd_event_now(params->event, CLOCK_MONOTONIC, &now);
        if (r >= 0)
                r = sd_event_add_io(params->event, &c->sock_source, c->sock, EPOLLIN, on_sock, c);
        if (r >= 0)
                r = sd_event_add_io(params->event, &c->pidfd_source, c->pidfd, EPOLLIN, on_pidfd, c);
        if (r >= 0)
                r = sd_event_add_time(params->event, &c->timer_source, CLOCK_MONOTONIC, now + c->timeout_usec, 0,
                                      on_timeout, c);
        if (r < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot wait for a helper as the owner: %s",
                            g_strerror(-r));
                (void) pidfd_send_signal(c->pidfd, SIGKILL, NULL, 0);
                (void) waitid(P_PIDFD, c->pidfd, &(siginfo_t){}, WEXITED); /* killed: at once */
                owner_child_free(c);
                return NULL;
        }
        return c;
}

void owner_child_cancel(OwnerChild *c) {
        if (!c || c->answered)
                return;
        c->answered = true;
        c->sock_source = sd_event_source_disable_unref(c->sock_source);
        c->timer_source = sd_event_source_disable_unref(c->timer_source);
        if (!c->reaped)
                (void) pidfd_send_signal(c->pidfd, SIGKILL, NULL, 0);
        free_when_over(c);
}
