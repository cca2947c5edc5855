/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process-spawn.h"

/*
 * What the child needs, prepared by the loop's thread before the job starts and
 * not changed until it is done: the child runs on its own stack but in the
 * daemon's memory, so it must not allocate, and what it changes here it changes
 * for the daemon too (only the numbers in sources, which nobody reads later).
 */
struct SpawnJob {
        char *binary;
        char **argv;
        char **envp;
        uid_t uid;
        gid_t gid;
        bool set_affinity;
        cpu_set_t affinity;
        int *sources; /* for the child, which renumbers them as it goes */
        int *targets;
        size_t n;
        int *owned; /* the job's own descriptors (devnull, log, copies of params->fds) */
        size_t n_owned;
        int error_pipe[2]; /* [1]: the child's and the thread's; [0]: the loop's */

        /* Written by the thread before it closes its end of the pipe. */
        gint pid;         /* > 0 once cloned */
        gint clone_errno; /* clone() itself failed */

        /* The loop's side. */
        bool done;
        int exec_errno;
        size_t got; /* bytes of exec_errno read so far */
};

/*
 * The child runs on a stack of its own that AddressSanitizer does not know
 * about; left instrumented, it would take that stack for a corrupted one
 * ("false positive error reports may follow"). The child functions are
 * therefore not instrumented.
 */
#define CHILD_CODE __attribute__((no_sanitize_address))

/* In the child, only async-signal-safe calls until execve(). On failure the errno is
 * written to the pipe; the loop reads it. */
CHILD_CODE _Noreturn static void spawn_child(SpawnJob *job) {
        int error_fd = job->error_pipe[1];
        int *sources = job->sources;
        const int *targets = job->targets;
        size_t n = job->n;
        int err;
        sigset_t all;

        /* The daemon blocks and handles signals for its loop; the engine starts fresh. */
        for (int sig = 1; sig < _NSIG; sig++) {
                if (sig == SIGKILL || sig == SIGSTOP)
                        continue;
                struct sigaction sa = { .sa_handler = SIG_DFL };
                (void) sigaction(sig, &sa, NULL);
        }
        sigemptyset(&all);
        (void) sigprocmask(SIG_SETMASK, &all, NULL);

        if (setsid() < 0)
                goto fail;

        /* The CPUs of <vcpu cpuset>: every thread the engine makes inherits them. The
         * kernel silently drops CPUs the process may not use (a cpuset cgroup): read back,
         * anything but the whole set is a failure, not a narrower pinning. */
        if (job->set_affinity) {
                cpu_set_t got;
                if (sched_setaffinity(0, sizeof(job->affinity), &job->affinity) < 0 ||
                    sched_getaffinity(0, sizeof(got), &got) < 0)
                        goto fail;
                if (!CPU_EQUAL(&got, &job->affinity)) {
                        errno = EINVAL;
                        goto fail;
                }
        }

        /* First lift every source above every target, so that no dup2() below
         * overwrites a source still needed; then put each at its place. */
        int highest = error_fd;
        for (size_t i = 0; i < n; i++)
                highest = MAX(highest, MAX(sources[i], targets[i]));
        for (size_t i = 0; i < n; i++) {
                int moved = fcntl(sources[i], F_DUPFD_CLOEXEC, highest + 1);
                if (moved < 0) {
                        /* EINVAL here means no descriptor number is left above highest. */
                        if (errno == EINVAL)
                                errno = EMFILE;
                        goto fail;
                }
                highest = moved;
                sources[i] = moved; /* the job's array: nobody reads it afterwards */
        }
        for (size_t i = 0; i < n; i++)
                if (dup2(sources[i], targets[i]) < 0) /* dup2 clears CLOEXEC on the target */
                        goto fail;

        /* Everything else closes at exec (error_fd must live until then). */
        int max_target = 0;
        for (size_t i = 0; i < n; i++)
                max_target = MAX(max_target, targets[i]);
        if (close_range(max_target + 1, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                goto fail;
        /* ... and so does whatever sits between the targets. */
        for (int fd = 3; fd < max_target; fd++) {
                bool is_target = false;
                for (size_t i = 0; i < n; i++)
                        is_target |= targets[i] == fd;
                if (!is_target)
                        (void) fcntl(fd, F_SETFD, FD_CLOEXEC);
        }

        /* Raw system calls: glibc's wrappers would try to change the uid of
         * every thread of the daemon, whose memory this child shares. Here
         * they change this process only, which is all there is to change. */
        if (job->uid != (uid_t) -1) {
                if (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, job->gid, job->gid, job->gid) < 0 ||
                    syscall(SYS_setresuid, job->uid, job->uid, job->uid) < 0)
                        goto fail;
        }
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                goto fail;

        execve(job->binary, job->argv, job->envp);
fail:
        err = errno;
        while (write(error_fd, &err, sizeof(err)) < 0 && errno == EINTR)
                ;
        _exit(127);
}

CHILD_CODE static int spawn_child_main(void *userdata) {
        spawn_child(userdata);
}

static void close_owned(SpawnJob *job) {
        for (size_t i = 0; i < job->n_owned; i++)
                if (job->owned[i] >= 0)
                        close(job->owned[i]);
        job->n_owned = 0;
}

/*
 * One start: clone() returns once the child has exec'd or failed. The child's
 * errno (if any) is already in the pipe then; closing our write end lets the
 * loop read end of file. Nothing of the job is touched after that: the loop
 * may free it at once.
 */
static gint report_delay_ms; /* spawn_delay_reports_for_tests() */

void spawn_delay_reports_for_tests(unsigned msec) {
        g_atomic_int_set(&report_delay_ms, (gint) msec);
}

static void spawn_one(SpawnJob *job) {
        const size_t stack_size = 64 * 1024;
        g_autofree char *stack = g_malloc(stack_size);
        pid_t pid;

        pid = clone(spawn_child_main, stack + stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD, job);
        if (pid < 0)
                g_atomic_int_set(&job->clone_errno, errno);
        else
                g_atomic_int_set(&job->pid, pid);
        close_owned(job);
        if (g_atomic_int_get(&report_delay_ms) > 0)
                g_usleep((gulong) g_atomic_int_get(&report_delay_ms) * 1000);
        close(job->error_pipe[1]);
}

/*
 * The spawner thread, one for the whole daemon, started with the first job:
 * starts are made one after the other, as they were when the loop made them,
 * so that a burst of a thousand Boot calls does not become a thousand
 * processes fighting over the CPUs at once.
 */
static GAsyncQueue *spawn_queue;

static gpointer spawn_thread(gpointer userdata) {
        sigset_t all;

        /* No handler of the daemon may run on a child's stack in shared memory:
         * the child resets them all before it unblocks signals. */
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, NULL);
        for (;;)
                spawn_one(g_async_queue_pop(spawn_queue));
        return NULL;
}

static gpointer spawn_thread_start(gpointer userdata) {
        GError **error = userdata;
        GAsyncQueue *queue = g_async_queue_new();
        GThread *thread;

        spawn_queue = queue;
        thread = g_thread_try_new("spawn", spawn_thread, NULL, error);
        if (!thread) {
                spawn_queue = NULL;
                g_async_queue_unref(queue);
                return GINT_TO_POINTER(FALSE);
        }
        g_thread_unref(thread); /* it lives as long as the daemon */
        return GINT_TO_POINTER(TRUE);
}

static char **copy_strv(const char *const *strv) {
        static const char *const empty[] = { NULL };
        return g_strdupv((char **) (strv ? strv : empty));
}

SpawnJob *spawn_job_start(const ProcessSpawnParams *params, const char *binary, int devnull, int log_fd,
                          GError **error) {
        SpawnJob *job = g_new0(SpawnJob, 1);
        g_autoptr(GError) thread_error = NULL;

        job->binary = g_strdup(binary);
        job->argv = copy_strv(params->argv);
        job->envp = copy_strv(params->envp);
        job->uid = params->uid;
        job->gid = params->gid;
        job->set_affinity = params->affinity != NULL;
        if (params->affinity)
                job->affinity = *params->affinity;
        job->error_pipe[0] = job->error_pipe[1] = -1;
        job->n = params->n_fds + 3;
        job->sources = g_new(int, job->n);
        job->targets = g_new(int, job->n);
        job->owned = g_new(int, job->n);
        job->owned[job->n_owned++] = devnull;
        job->owned[job->n_owned++] = log_fd;
        job->sources[0] = devnull, job->targets[0] = STDIN_FILENO;
        job->sources[1] = log_fd, job->targets[1] = STDOUT_FILENO;
        job->sources[2] = log_fd, job->targets[2] = STDERR_FILENO;
        for (size_t i = 0; i < params->n_fds; i++) {
                /* The job's own copy: the caller may close its descriptor at once. */
                job->sources[i + 3] = fcntl(params->fds[i].fd, F_DUPFD_CLOEXEC, 3);
                job->targets[i + 3] = params->fds[i].target;
                job->owned[job->n_owned++] = job->sources[i + 3];
                if (job->sources[i + 3] < 0) {
                        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "Cannot pass descriptor %d: %s",
                                    params->fds[i].fd, g_strerror(errno));
                        goto fail;
                }
        }
        if (pipe2(job->error_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "pipe2: %s", g_strerror(errno));
                goto fail;
        }
        /* Blocking for the child's write; only the loop's end must not block. */
        (void) fcntl(job->error_pipe[1], F_SETFL, 0);

        static GOnce started = G_ONCE_INIT;
        if (!GPOINTER_TO_INT(g_once(&started, spawn_thread_start, &thread_error))) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot start the thread that spawns '%s': %s",
                            binary, thread_error ? thread_error->message : "it failed before");
                goto fail;
        }
        g_async_queue_push(spawn_queue, job);
        return job;

fail:
        close_owned(job);
        if (job->error_pipe[1] >= 0)
                close(job->error_pipe[1]);
        job->done = true;
        spawn_job_free(job);
        return NULL;
}

int spawn_job_get_fd(const SpawnJob *job) {
        return job->error_pipe[0];
}

bool spawn_job_collect(SpawnJob *job, pid_t *ret_pid, int *ret_errno) {
        while (!job->done) {
                char buffer[sizeof(job->exec_errno)];
                ssize_t r = read(job->error_pipe[0], buffer, sizeof(buffer));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return false; /* EAGAIN: not yet */
                if (r == 0) {
                        job->done = true; /* end of file: the thread is past clone() */
                        break;
                }
                size_t take = MIN((size_t) r, sizeof(job->exec_errno) - job->got);
                memcpy((char *) &job->exec_errno + job->got, buffer, take);
                job->got += take;
        }
        pid_t pid = g_atomic_int_get(&job->pid);
        int clone_errno = g_atomic_int_get(&job->clone_errno);

        *ret_pid = pid > 0 ? pid : 0;
        if (clone_errno != 0)
                *ret_errno = clone_errno;
        else if (job->got == sizeof(job->exec_errno))
                *ret_errno = job->exec_errno ? job->exec_errno : EIO;
        else
                *ret_errno = 0;
        if (*ret_errno != 0 && pid > 0)
                (void) waitpid(pid, NULL, 0); /* it exited right after writing */
        return true;
}

void spawn_job_wait(SpawnJob *job, pid_t *ret_pid, int *ret_errno) {
        while (!spawn_job_collect(job, ret_pid, ret_errno)) {
                struct pollfd pfd = { .fd = job->error_pipe[0], .events = POLLIN };
                (void) poll(&pfd, 1, -1);
        }
}

void spawn_job_free(SpawnJob *job) {
        if (!job)
                return;
        g_return_if_fail(job->done);
        if (job->error_pipe[0] >= 0)
                close(job->error_pipe[0]);
        g_free(job->binary);
        g_strfreev(job->argv);
        g_strfreev(job->envp);
        g_free(job->sources);
        g_free(job->targets);
        g_free(job->owned);
        g_free(job);
}
