/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <signal.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process-spawn.h"
#include "process.h"

struct Process {
        pid_t pid; /* 0 while starting */
        int pidfd;
        uint64_t start_time;
        bool is_child; /* ours to reap */
        bool exited;
        sd_event *event;
        char *binary;
        sd_event_source *source; /* the pidfd */
        SpawnJob *job;           /* while starting */
        sd_event_source *job_source;
        int pending_signal; /* asked for while starting */
        ProcessStartedFn on_started;
        ProcessExitFn on_exit;
        void *userdata;
};

void process_free(Process *process) {
        if (!process)
                return;
        if (process->job) {
                /* A start nobody will hear of leaves nothing running. */
                pid_t pid;
                int exec_errno;
                spawn_job_wait(process->job, &pid, &exec_errno);
                if (pid > 0 && exec_errno == 0) {
                        (void) kill(pid, SIGKILL);
                        (void) waitpid(pid, NULL, 0);
                }
                spawn_job_free(process->job);
        }
        sd_event_source_disable_unref(process->job_source);
        sd_event_source_disable_unref(process->source);
        if (process->pidfd >= 0)
                close(process->pidfd);
        sd_event_unref(process->event);
        g_free(process->binary);
        g_free(process);
}

pid_t process_get_pid(const Process *process) {
        return process->pid;
}

bool process_is_starting(const Process *process) {
        return process->job != NULL;
}

char *process_describe_exit(const Process *process, const ProcessExit *exit_info) {
        switch (exit_info->kind) {
        case PROCESS_EXIT_EXITED:
                return g_strdup_printf("exited with status %d", exit_info->status);
        case PROCESS_EXIT_KILLED:
                return g_strdup_printf("was killed by signal %s", sigabbrev_np(exit_info->status) ?: "?");
        case PROCESS_EXIT_NOT_RUN:
                return g_strdup_printf("could not be run ('%s': %s)", process->binary ? process->binary : "?",
                                       g_strerror(exit_info->status));
        case PROCESS_EXIT_UNKNOWN:
                break;
        }
        return g_strdup("exited");
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
        if (process->job) {
                /* Sent as soon as it runs (before anyone hears that it does). */
                process->pending_signal = sig;
                return 0;
        }
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

/* Resolve argv[0] the way execvp would, but in the loop, so that a missing or
 * unusable binary is an error with its name at once, rather than a start that
 * fails later. NULL with errno set when there is none.
 *
 * check_path false: a path (with a '/') is taken as it is. The process will
 * run as another user (a VM's owner, whose <emulator> it may be), and
 * access() with the service's rights would tell that user whether a file it
 * cannot see exists; the execve() in the child, with the user's credentials,
 * reports why it cannot run instead. */
static char *process_find_binary(const char *name, const char *const *envp, bool check_path) {
        if (strchr(name, '/') && !check_path)
                return g_strdup(name);
        if (strchr(name, '/'))
                return access(name, X_OK) == 0 ? g_strdup(name) : NULL;

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
        errno = ENOENT;
        return NULL;
}

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

static void process_send_pending_signal(Process *process) {
        int sig = process->pending_signal;

        process->pending_signal = 0;
        if (sig != 0 && pidfd_send_signal(process->pidfd, sig, NULL, 0) < 0)
                g_warning("Cannot send signal %d to process %d: %s", sig, (int) process->pid, g_strerror(errno));
}

/* The program runs (exec_errno 0) or could not: either way the start is over. */
static void process_start_ended(Process *process, pid_t pid, int exec_errno) {
        g_autoptr(GError) error = NULL;
        int watch_errno = 0;

        process->job_source = sd_event_source_disable_unref(process->job_source);
        g_clear_pointer(&process->job, spawn_job_free);
        process->pid = pid;
        if (exec_errno == 0) {
                process->pidfd = pidfd_open(pid, 0);
                if (process->pidfd < 0)
                        watch_errno = errno;
                else if (!process_watch(process, process->event, &error)) {
                        g_warning("%s", error->message);
                        watch_errno = EIO;
                }
                if (watch_errno != 0) {
                        /* It runs but cannot be supervised: it is ended (our unreaped
                         * child, so its pid is still its own). */
                        (void) kill(pid, SIGKILL);
                        (void) waitpid(pid, NULL, 0);
                }
        }
        if (exec_errno != 0 || watch_errno != 0) {
                ProcessExit exit_info = { .kind = PROCESS_EXIT_NOT_RUN,
                                          .status = exec_errno ? exec_errno : watch_errno };
                process->exited = true;
                process->on_exit(process, &exit_info, process->userdata); /* may free process */
                return;
        }
        (void) process_read_start_time(pid, &process->start_time);
        process_send_pending_signal(process);
        if (process->on_started)
                process->on_started(process, process->userdata); /* may free process */
}

static int process_on_job(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        Process *process = userdata;
        pid_t pid;
        int exec_errno;

        if (spawn_job_collect(process->job, &pid, &exec_errno))
                process_start_ended(process, pid, exec_errno);
        return 0;
}

Process *process_spawn(sd_event *event, const ProcessSpawnParams *params, ProcessExitFn on_exit, void *userdata,
                       GError **error) {
        g_return_val_if_fail(params->argv && params->argv[0], NULL);

        g_autofree char *binary = process_find_binary(params->argv[0], params->envp, params->uid == (uid_t) -1);
        if (!binary && strchr(params->argv[0], '/')) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "Cannot run '%s': %s", params->argv[0],
                            g_strerror(errno));
                return NULL;
        }
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

        g_autoptr(Process) process = g_new0(Process, 1);
        process->pidfd = -1;
        process->is_child = true;
        process->event = sd_event_ref(event);
        process->binary = g_strdup(binary);
        process->on_started = params->on_started;
        process->on_exit = on_exit;
        process->userdata = userdata;
        process->job = spawn_job_start(params, binary, devnull, log_fd, error);
        if (!process->job)
                return NULL;
        int r = sd_event_add_io(event, &process->job_source, spawn_job_get_fd(process->job), EPOLLIN, process_on_job,
                                process);
        if (r < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(-r), "Cannot watch the start of '%s': %s", binary,
                            g_strerror(-r));
                return NULL; /* process_free() waits for the start and leaves nothing running */
        }
        (void) sd_event_source_set_description(process->job_source, "engine-spawn");
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
