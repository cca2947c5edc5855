/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.h"

struct Process {
        pid_t pid;
        int pidfd;
        uint64_t start_time;
        bool is_child; /* ours to reap */
        bool exited;
        sd_event_source *source;
        ProcessExitFn on_exit;
        void *userdata;
};

void process_free(Process *process) {
        if (!process)
                return;
        sd_event_source_disable_unref(process->source);
        if (process->pidfd >= 0)
                close(process->pidfd);
        g_free(process);
}

pid_t process_get_pid(const Process *process) {
        return process->pid;
}

uint64_t process_get_start_time(const Process *process) {
        return process->start_time;
}

bool process_has_exited(const Process *process) {
        return process->exited;
}

int process_send_signal(Process *process, int sig) {
        if (process->exited)
                return -ESRCH;
        if (pidfd_send_signal(process->pidfd, sig, NULL, 0) < 0)
                return -errno;
        return 0;
}

int process_read_start_time(pid_t pid, uint64_t *ret) {
        g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int) pid);
        g_autofree char *contents = NULL;

        if (!g_file_get_contents(path, &contents, NULL, NULL))
                return -ESRCH;

        /* The command name (field 2) may hold spaces and parentheses: skip to the last ')'. */
        const char *p = strrchr(contents, ')');
        if (!p)
                return -EINVAL;
        p++;
        /* Field 3 follows; field 22 is 19 fields later. */
        for (unsigned field = 2; field < 21; field++) {
                p = strchr(p + 1, ' ');
                if (!p)
                        return -EINVAL;
        }
        char *end = NULL;
        errno = 0;
        guint64 value = g_ascii_strtoull(p + 1, &end, 10);
        if (errno != 0 || end == p + 1)
                return -EINVAL;
        *ret = value;
        return 0;
}

char *process_read_log_tail(const char *path, unsigned n_lines) {
        /* Enough for the last lines of any reasonable log without reading it all. */
        const off_t window = 64 * 1024;
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return NULL;

        struct stat st;
        if (fstat(fd, &st) < 0) {
                close(fd);
                return NULL;
        }
        off_t start = st.st_size > window ? st.st_size - window : 0;
        g_autofree char *buf = g_malloc(window + 1);
        ssize_t n = pread(fd, buf, window, start);
        close(fd);
        if (n < 0)
                return NULL;
        buf[n] = '\0';

        /* Drop trailing newlines, then walk back n_lines line starts. */
        while (n > 0 && buf[n - 1] == '\n')
                buf[--n] = '\0';
        ssize_t i = n;
        unsigned seen = 0;
        while (i > 0) {
                if (buf[i - 1] == '\n' && ++seen == n_lines)
                        break;
                i--;
        }
        return g_strdup(buf + i);
}

static int process_on_pidfd(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        Process *process = userdata;
        ProcessExit exit_info = { .kind = PROCESS_EXIT_UNKNOWN };

        if (process->is_child) {
                siginfo_t si = {};
                if (waitid(P_PIDFD, process->pidfd, &si, WEXITED | WNOHANG) < 0) {
                        if (errno != ECHILD)
                                return 0;
                        /* Reaped by someone else: still gone. */
                } else if (si.si_pid == 0)
                        return 0; /* spurious wake-up */
                else if (si.si_code == CLD_EXITED)
                        exit_info = (ProcessExit) { PROCESS_EXIT_EXITED, si.si_status };
                else if (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED)
                        exit_info = (ProcessExit) { PROCESS_EXIT_KILLED, si.si_status };
                else
                        return 0; /* stopped/continued: not asked for, ignore */
        }

        process->exited = true;
        process->source = sd_event_source_disable_unref(process->source);
        /* The callback may free the process: nothing touches it afterwards. */
        process->on_exit(process, &exit_info, process->userdata);
        return 0;
}

static bool process_watch(Process *process, sd_event *event, GError **error) {
        int r = sd_event_add_io(event, &process->source, process->pidfd, EPOLLIN, process_on_pidfd, process);
        if (r < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-r), "Cannot watch process %d: %s",
                            (int) process->pid, g_strerror(-r));
                return false;
        }
        (void) sd_event_source_set_description(process->source, "engine-process");
        return true;
}

/* Resolve argv[0] the way execvp would, but in the parent, so that a missing
 * binary is an error with its name rather than a child that exits 127. */
static char *process_find_binary(const char *name, const char *const *envp) {
        if (strchr(name, '/'))
                return g_strdup(name);

        const char *path = "/usr/local/bin:/usr/bin:/bin";
        for (size_t i = 0; envp && envp[i]; i++)
                if (g_str_has_prefix(envp[i], "PATH="))
                        path = envp[i] + 5;

        g_auto(GStrv) dirs = g_strsplit(path, ":", -1);
        for (size_t i = 0; dirs[i]; i++) {
                if (dirs[i][0] != '/')
                        continue;
                g_autofree char *candidate = g_build_filename(dirs[i], name, NULL);
                if (access(candidate, X_OK) == 0)
                        return g_steal_pointer(&candidate);
        }
        return NULL;
}

/*
 * What the child needs, prepared by the parent: the child runs on its own
 * stack but in the parent's memory (CLONE_VM|CLONE_VFORK, as posix_spawn()
 * does), so it must not allocate, and what it changes here it changes for the
 * parent too (only the fd numbers in sources, which the parent no longer reads).
 */
typedef struct {
        const ProcessSpawnParams *params;
        const char *binary;
        int *sources;
        const int *targets;
        size_t n;
        int error_fd;
} ChildArgs;

/*
 * The child runs on a stack of its own that AddressSanitizer does not know
 * about; left instrumented, it would take that stack for a corrupted one
 * ("false positive error reports may follow"). Both child functions are
 * therefore not instrumented.
 */
#define CHILD_CODE __attribute__((no_sanitize_address))

void process_log_command_line(const char *log_path, const char *const *argv) {
        g_autoptr(GString) line = g_string_new(NULL);
        g_autoptr(GDateTime) now = g_date_time_new_now_local();
        g_autofree char *stamp = g_date_time_format_iso8601(now);
        int fd;

        g_string_append_printf(line, "%s hypervisord: starting", stamp);
        for (size_t i = 0; argv[i]; i++) {
                g_autofree char *quoted = g_shell_quote(argv[i]);
                g_string_append_printf(line, " %s", quoted);
        }
        g_string_append_c(line, '\n');
        fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
        if (fd >= 0) {
                (void) !write(fd, line->str, line->len);
                close(fd);
        }
}

/* In the child, only async-signal-safe calls until execve(). On failure the errno is
 * written to error_fd; the parent reads it. */
CHILD_CODE _Noreturn static void process_child(const ProcessSpawnParams *params, const char *binary, int *sources,
                                    const int *targets, size_t n, int error_fd) {
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
                sources[i] = moved; /* the parent's array: it no longer reads it */
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
        if (params->uid != (uid_t) -1) {
                if (syscall(SYS_setgroups, 0, NULL) < 0 ||
                    syscall(SYS_setresgid, params->gid, params->gid, params->gid) < 0 ||
                    syscall(SYS_setresuid, params->uid, params->uid, params->uid) < 0)
                        goto fail;
        }
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                goto fail;

        static const char *const empty[] = { NULL };
        execve(binary, (char *const *) params->argv, (char *const *) (params->envp ? params->envp : empty));
fail:
        err = errno;
        while (write(error_fd, &err, sizeof(err)) < 0 && errno == EINTR)
                ;
        _exit(127);
}

CHILD_CODE static int process_child_main(void *userdata) {
        const ChildArgs *args = userdata;
        process_child(args->params, args->binary, args->sources, args->targets, args->n, args->error_fd);
}

/*
 * Starts the child without copying the daemon's memory: the daemon waits,
 * suspended, only until the child's execve() (or its failure), as with
 * posix_spawn(). A fork() would copy the page tables of a daemon holding a
 * thousand VMs, and the event loop would stall for that each time.
 */
static pid_t process_clone(ChildArgs *args) {
        const size_t stack_size = 64 * 1024;
        g_autofree char *stack = g_malloc(stack_size);
        sigset_t all, saved;
        pid_t pid;
        int clone_errno;

        /* No handler of the daemon may run on the child's stack in shared memory:
         * the child resets them all before it unblocks signals. */
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &saved);
        pid = clone(process_child_main, stack + stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD, args);
        clone_errno = errno;
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
        errno = clone_errno;
        return pid;
}

Process *process_spawn(sd_event *event, const ProcessSpawnParams *params, ProcessExitFn on_exit, void *userdata,
                       GError **error) {
        g_return_val_if_fail(params->argv && params->argv[0], NULL);

        g_autofree char *binary = process_find_binary(params->argv[0], params->envp);
        if (!binary) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "Program '%s' not found in PATH",
                            params->argv[0]);
                return NULL;
        }

        int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (devnull < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "Cannot open /dev/null: %s",
                            g_strerror(errno));
                return NULL;
        }
        int log_fd = params->log_path
                ? open(params->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640)
                : open("/dev/null", O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (log_fd < 0) {
                int e = errno;
                close(devnull);
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "Cannot open log file '%s': %s",
                            params->log_path, g_strerror(e));
                return NULL;
        }

        /* Prepared before the clone: the child must not allocate. */
        size_t n = params->n_fds + 3;
        g_autofree int *sources = g_new(int, n);
        g_autofree int *targets = g_new(int, n);
        sources[0] = devnull, targets[0] = STDIN_FILENO;
        sources[1] = log_fd, targets[1] = STDOUT_FILENO;
        sources[2] = log_fd, targets[2] = STDERR_FILENO;
        for (size_t i = 0; i < params->n_fds; i++) {
                sources[i + 3] = params->fds[i].fd;
                targets[i + 3] = params->fds[i].target;
        }

        int error_pipe[2];
        if (pipe2(error_pipe, O_CLOEXEC) < 0) {
                int e = errno;
                close(devnull);
                close(log_fd);
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "pipe2: %s", g_strerror(e));
                return NULL;
        }

        ChildArgs child = {
                .params = params,
                .binary = binary,
                .sources = sources,
                .targets = targets,
                .n = n,
                .error_fd = error_pipe[1],
        };
        pid_t pid = process_clone(&child);
        int fork_errno = errno;
        close(error_pipe[1]);
        close(devnull);
        close(log_fd);
        if (pid < 0) {
                close(error_pipe[0]);
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(fork_errno), "clone: %s",
                            g_strerror(fork_errno));
                return NULL;
        }

        /* The child has exec'd (the pipe's write end closed with it) or written
         * why it could not and exited: this read does not wait. */
        int child_errno = 0;
        ssize_t got;
        do
                got = read(error_pipe[0], &child_errno, sizeof(child_errno));
        while (got < 0 && errno == EINTR);
        close(error_pipe[0]);
        if (got == sizeof(child_errno)) {
                (void) waitpid(pid, NULL, 0); /* it exits right after writing */
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(child_errno), "Cannot run '%s': %s", binary,
                            g_strerror(child_errno));
                return NULL;
        }

        g_autoptr(Process) process = g_new0(Process, 1);
        process->pid = pid;
        process->is_child = true;
        process->on_exit = on_exit;
        process->userdata = userdata;
        process->pidfd = pidfd_open(pid, 0);
        if (process->pidfd < 0) {
                int e = errno;
                (void) kill(pid, SIGKILL);
                (void) waitpid(pid, NULL, 0);
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "pidfd_open: %s", g_strerror(e));
                return NULL;
        }
        (void) process_read_start_time(pid, &process->start_time);
        if (!process_watch(process, event, error)) {
                (void) pidfd_send_signal(process->pidfd, SIGKILL, NULL, 0);
                (void) waitid(P_PIDFD, process->pidfd, &(siginfo_t) {}, WEXITED);
                return NULL;
        }
        return g_steal_pointer(&process);
}

Process *process_attach(sd_event *event, pid_t pid, uint64_t start_time, ProcessExitFn on_exit, void *userdata,
                        GError **error) {
        g_autoptr(Process) process = g_new0(Process, 1);
        process->pid = pid;
        process->start_time = start_time;
        process->on_exit = on_exit;
        process->userdata = userdata;

        /* Open the pidfd first, then check the start time: once we hold the pidfd
         * the pid cannot be recycled under us. */
        process->pidfd = pidfd_open(pid, 0);
        if (process->pidfd < 0) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "Process %d is gone: %s", (int) pid,
                            g_strerror(errno));
                return NULL;
        }
        uint64_t actual = 0;
        int r = process_read_start_time(pid, &actual);
        if (r < 0 || actual != start_time) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                            "Process %d is not the one started earlier (start time %" G_GUINT64_FORMAT
                            ", expected %" G_GUINT64_FORMAT ")",
                            (int) pid, actual, start_time);
                return NULL;
        }
        /* Our own child after all (the same daemon instance attaching): reap it. */
        siginfo_t si = {};
        process->is_child = waitid(P_PIDFD, process->pidfd, &si, WEXITED | WNOHANG | WNOWAIT) == 0;

        if (!process_watch(process, event, error))
                return NULL;
        return g_steal_pointer(&process);
}
