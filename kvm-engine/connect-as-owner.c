/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "connect-as-owner.h"
#include "hv-error.h"

#define MAX_GROUPS 256

/* What the child sends back, with the descriptor when stage is STAGE_CONNECTED. */
typedef enum {
        STAGE_CONNECTED,
        STAGE_BECOME_OWNER,
        STAGE_SOCKET,
        STAGE_CONNECT,
} ChildStage;

typedef struct {
        int stage;
        int error; /* errno of the stage that failed */
} ChildReport;

struct ConnectAsOwner {
        char *path;
        char *vm_name;
        pid_t engine_pid;
        uint64_t timeout_usec;
        ConnectAsOwnerFn done;
        void *userdata;

        pid_t child;
        int pidfd;
        int sock; /* our end of the socketpair */
        sd_event_source *sock_source, *pidfd_source, *timer_source;
        bool answered; /* done was called, or the attempt was cancelled */
        bool reaped;
};

static void connect_as_owner_free(ConnectAsOwner *c) {
        sd_event_source_disable_unref(c->sock_source);
        sd_event_source_disable_unref(c->pidfd_source);
        sd_event_source_disable_unref(c->timer_source);
        if (c->sock >= 0)
                close(c->sock);
        if (c->pidfd >= 0)
                close(c->pidfd);
        g_free(c->path);
        g_free(c->vm_name);
        g_free(c);
}

static void free_when_over(ConnectAsOwner *c) {
        if (c->answered && c->reaped)
                connect_as_owner_free(c);
}

/* The attempt is over for the caller: the socket and the timer are no longer needed. */
static void finish(ConnectAsOwner *c, int fd, const GError *error) {
        c->answered = true;
        c->sock_source = sd_event_source_disable_unref(c->sock_source);
        c->timer_source = sd_event_source_disable_unref(c->timer_source);
        if (!c->reaped)
                (void) pidfd_send_signal(c->pidfd, SIGKILL, NULL, 0);
        c->done(fd, error, c->userdata);
        free_when_over(c);
}

static void finish_with_error(ConnectAsOwner *c, int code, const char *format, ...) G_GNUC_PRINTF(3, 4);

static void finish_with_error(ConnectAsOwner *c, int code, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        g_autoptr(GError) error = g_error_new_valist(HV_ERROR, code, format, ap);
        va_end(ap);
        finish(c, -1, error);
}

/* The connection is the engine's only if the engine listens on it. */
static void check_peer(ConnectAsOwner *c, int fd) {
        struct ucred peer = {};
        socklen_t length = sizeof(peer);

        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &length) < 0 || peer.pid != c->engine_pid) {
                close(fd);
                finish_with_error(c, HV_ERROR_ACCESS_DENIED, "'%s' is not served by the engine of VM '%s'", c->path,
                                  c->vm_name);
                return;
        }
        (void) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        finish(c, fd, NULL);
}

/* Reads the child's report if it is there; returns without a word if not yet. */
static void read_report(ConnectAsOwner *c) {
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
        if (n != (ssize_t) sizeof(report) || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
                if (fd >= 0)
                        close(fd);
                finish_with_error(c, HV_ERROR_FAILED, "Cannot connect to '%s': the helper gave no answer", c->path);
                return;
        }
        if (report.stage == STAGE_CONNECTED && fd >= 0) {
                check_peer(c, fd);
                return;
        }
        if (fd >= 0)
                close(fd);
        switch (report.stage) {
        case STAGE_BECOME_OWNER:
                finish_with_error(c, HV_ERROR_FAILED, "Cannot connect to '%s': cannot become the owner of VM '%s': %s",
                                  c->path, c->vm_name, g_strerror(report.error));
                break;
        case STAGE_CONNECT:
                finish_with_error(c, report.error == EAGAIN ? HV_ERROR_LIMITS_EXCEEDED : HV_ERROR_ENGINE_FAILED,
                                  "Cannot connect to '%s': %s", c->path, g_strerror(report.error));
                break;
        default:
                finish_with_error(c, HV_ERROR_FAILED, "Cannot connect to '%s': %s", c->path, g_strerror(report.error));
                break;
        }
}

static int on_sock(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        read_report(userdata);
        return 0;
}

static int on_pidfd(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        ConnectAsOwner *c = userdata;
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
        ConnectAsOwner *c = userdata;

        finish_with_error(c, HV_ERROR_TIMEOUT, "Connecting to '%s' took longer than %u ms", c->path,
                          (unsigned) (c->timeout_usec / 1000));
        return 0;
}

/*
 * The child: only async-signal-safe calls, then _exit. Raw system calls for the
 * ids, as in process-spawn.c: glibc's wrappers would signal threads that exist
 * only in the parent.
 */
_Noreturn static void child_main(int report_fd, uid_t uid, gid_t gid, const gid_t *groups, int n_groups,
                                 const struct sockaddr_un *addr) {
        ChildReport report = {.stage = STAGE_BECOME_OWNER};
        int fd = -1;

        /* Nothing of the service stays open while a lookup may hang (report_fd > 2). */
        if (report_fd > 3)
                (void) close_range(3, (unsigned) report_fd - 1, 0);
        (void) close_range((unsigned) report_fd + 1, ~0U, 0);
        if (uid != (uid_t) -1 &&
            (syscall(SYS_setgroups, (size_t) n_groups, groups) < 0 || syscall(SYS_setresgid, gid, gid, gid) < 0 ||
             syscall(SYS_setresuid, uid, uid, uid) < 0))
                goto fail;
        report.stage = STAGE_SOCKET;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                goto fail;
        report.stage = STAGE_CONNECT;
        if (connect(fd, (const struct sockaddr *) addr, sizeof(*addr)) < 0)
                goto fail;

        report.stage = STAGE_CONNECTED;
        {
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
                _exit(0);
        }
fail:
        report.error = errno;
        (void) send(report_fd, &report, sizeof(report), MSG_NOSIGNAL);
        _exit(1);
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

ConnectAsOwner *connect_as_owner_start(const ConnectAsOwnerParams *params, ConnectAsOwnerFn done, void *userdata,
                                       GError **error) {
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        gid_t groups[MAX_GROUPS];
        int n_groups = 0, pair[2];

        if (strlen(params->path) >= sizeof(addr.sun_path)) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, "Socket path '%s' is too long", params->path);
                return NULL;
        }
        strcpy(addr.sun_path, params->path);
        if (params->uid != (uid_t) -1) {
                n_groups = owner_groups(params->uid, params->gid, groups, error);
                if (n_groups < 0)
                        return NULL;
        }
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot connect to '%s': %s", params->path,
                            g_strerror(errno));
                return NULL;
        }

        pid_t pid = fork();
        if (pid == 0) {
                close(pair[0]);
                child_main(pair[1], params->uid, params->gid, groups, n_groups, &addr);
        }
        int e = errno;
        close(pair[1]);
        int pidfd = pid > 0 ? (int) pidfd_open(pid, 0) : -1;
        if (pid < 0 || pidfd < 0) {
                if (pid < 0)
                        g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot connect to '%s': %s", params->path,
                                    g_strerror(e));
                else
                        g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot watch the helper connecting to '%s': %s",
                                    params->path, g_strerror(errno));
                if (pid > 0) {
                        (void) kill(pid, SIGKILL);
                        (void) waitpid(pid, NULL, 0); /* it was just killed: this returns at once */
                }
                close(pair[0]);
                return NULL;
        }

        ConnectAsOwner *c = g_new0(ConnectAsOwner, 1);
        c->path = g_strdup(params->path);
        c->vm_name = g_strdup(params->vm_name);
        c->engine_pid = params->engine_pid;
        c->timeout_usec = params->timeout_usec;
        c->done = done;
        c->userdata = userdata;
        c->child = pid;
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
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot wait for the helper connecting to '%s': %s",
                            params->path, g_strerror(-r));
                (void) pidfd_send_signal(c->pidfd, SIGKILL, NULL, 0);
                (void) waitid(P_PIDFD, c->pidfd, &(siginfo_t){}, WEXITED); /* killed: at once */
                connect_as_owner_free(c);
                return NULL;
        }
        return c;
}

void connect_as_owner_cancel(ConnectAsOwner *c) {
        if (!c || c->answered)
                return;
        c->answered = true;
        c->sock_source = sd_event_source_disable_unref(c->sock_source);
        c->timer_source = sd_event_source_disable_unref(c->timer_source);
        if (!c->reaped)
                (void) pidfd_send_signal(c->pidfd, SIGKILL, NULL, 0);
        free_when_over(c);
}
