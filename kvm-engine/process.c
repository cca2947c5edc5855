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

static char *log_keeper; /* process_set_log_keeper() */
/* Keepers whose engine is forgotten, still watched so that they are reaped when they end. */
static GPtrArray *detached_keepers;

/* How long an engine's exit waits for its log keeper to write its last words. */
#define PROCESS_KEEPER_WAIT_USEC (2 * 1000 * 1000)

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
        /* The engine's log keeper, while we know it (a keeper's userdata is its engine,
         * or NULL once the engine is forgotten: then it frees itself when it ends). */
        Process *keeper;
        bool exit_pending;          /* the engine is gone; its keeper still writes */
        ProcessExit pending_exit;
        sd_event_source *keeper_timer;
};

/*
 * An engine's keeper that runs on once the engine is forgotten stays watched,
 * to be reaped when it ends (it then frees itself); one still starting goes as
 * a starting engine does.
 */
static void process_forget_keeper(Process *keeper) {
        if (!keeper)
                return;
        if (keeper->exited || keeper->job) {
                process_free(keeper);
                return;
        }
        keeper->userdata = NULL;
        if (!detached_keepers)
                detached_keepers = g_ptr_array_new();
        g_ptr_array_add(detached_keepers, keeper);
}

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
        sd_event_source_disable_unref(process->keeper_timer);
        process_forget_keeper(process->keeper);
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
        /* It goes into GetInfo's "log-tail", a D-Bus string: UTF-8 it must be. */
        return g_utf8_make_valid(buf + i, -1);
}

/* The callback may free the process: nothing touches it afterwards. */
static void process_report_exit(Process *process, const ProcessExit *exit_info) {
        ProcessExit copy = *exit_info;

        process->exit_pending = false;
        process->keeper_timer = sd_event_source_disable_unref(process->keeper_timer);
        process->exited = true;
        process->on_exit(process, &copy, process->userdata);
}

/* The keeper did not end in time (a child of the engine holds the pipe): report anyway. */
static int process_on_keeper_timer(sd_event_source *source, uint64_t usec, void *userdata) {
        Process *process = userdata;

        process_report_exit(process, &process->pending_exit);
        return 0;
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

        process->source = sd_event_source_disable_unref(process->source);
        if (process->keeper && !process->keeper->exited && !process->exit_pending) {
                /* Its last words may still be in the pipe: the keeper ends once it wrote them. */
                process->exit_pending = true;
                process->pending_exit = exit_info;
                if (sd_event_add_time_relative(process->event, &process->keeper_timer, CLOCK_MONOTONIC,
                                               PROCESS_KEEPER_WAIT_USEC, 0, process_on_keeper_timer, process) >= 0)
                        return 0;
        }
        process_report_exit(process, &exit_info);
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

void process_set_log_keeper(const char *path) {
        g_free(log_keeper);
        log_keeper = g_strdup(path);
}

/* The keeper ended: its engine's exit, if it waited for that, is reported now. */
static void process_keeper_on_exit(Process *keeper, const ProcessExit *exit_info, void *userdata) {
        Process *engine = userdata;

        if (exit_info->kind != PROCESS_EXIT_EXITED || exit_info->status != 0) {
                g_autofree char *how = process_describe_exit(keeper, exit_info);
                g_warning("An engine's log keeper %s", how);
        }
        if (!engine) {
                g_ptr_array_remove_fast(detached_keepers, keeper);
                process_free(keeper);
                return;
        }
        if (engine->exit_pending)
                process_report_exit(engine, &engine->pending_exit); /* may free engine and keeper */
}

static Process *process_start(sd_event *event, const ProcessSpawnParams *params, const char *binary, int stdin_fd,
                              int log_fd, ProcessExitFn on_exit, void *userdata, GError **error);

/*
 * A pipe whose read end goes to a log keeper that appends to log_path; the
 * write end (returned, close-on-exec) is the engine's stdout and stderr. -1
 * with error set when the keeper cannot be started.
 */
static int process_start_log_keeper(sd_event *event, const char *log_path, Process **ret_keeper, GError **error) {
        g_autofree char *max_bytes = g_strdup_printf("%u", PROCESS_LOG_MAX_BYTES);
        const char *argv[] = { log_keeper, log_path, max_bytes, NULL };
        ProcessSpawnParams params = { .argv = argv, .uid = (uid_t) -1, .gid = (gid_t) -1 };
        int fds[2];

        if (pipe2(fds, O_CLOEXEC) < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "Cannot make the log pipe of '%s': %s",
                            log_path, g_strerror(errno));
                return -1;
        }
        int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (devnull < 0) {
                g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "Cannot open /dev/null: %s",
                            g_strerror(errno));
                close(fds[0]);
                close(fds[1]);
                return -1;
        }
        /* The keeper's job owns fds[0] and devnull from here on. */
        *ret_keeper = process_start(event, &params, log_keeper, fds[0], devnull, process_keeper_on_exit, NULL, error);
        if (!*ret_keeper) {
                g_prefix_error(error, "Cannot start the log keeper: ");
                close(fds[1]);
                return -1;
        }
        return fds[1];
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
        int log_fd;
        Process *keeper = NULL;
        if (params->log_path && log_keeper) {
                log_fd = process_start_log_keeper(event, params->log_path, &keeper, error);
                if (log_fd < 0) {
                        close(devnull);
                        return NULL;
                }
        } else {
                log_fd = params->log_path
                        ? open(params->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640)
                        : open("/dev/null", O_WRONLY | O_CLOEXEC | O_NOCTTY);
                if (log_fd < 0) {
                        int e = errno;
                        close(devnull);
                        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "Cannot open log file '%s': %s",
                                    params->log_path, g_strerror(e));
                        return NULL;
                }
        }
        Process *process = process_start(event, params, binary, devnull, log_fd, on_exit, userdata, error);
        if (!process) {
                process_forget_keeper(keeper); /* its pipe has no writer left: it ends on its own */
                return NULL;
        }
        if (keeper) {
                process->keeper = keeper;
                keeper->userdata = process;
        }
        return process;
}

/* Takes stdin_fd and log_fd. */
static Process *process_start(sd_event *event, const ProcessSpawnParams *params, const char *binary, int stdin_fd,
                              int log_fd, ProcessExitFn on_exit, void *userdata, GError **error) {
        g_autoptr(Process) process = g_new0(Process, 1);
        process->pidfd = -1;
        process->is_child = true;
        process->event = sd_event_ref(event);
        process->binary = g_strdup(binary);
        process->on_started = params->on_started;
        process->on_exit = on_exit;
        process->userdata = userdata;
        process->job = spawn_job_start(params, binary, stdin_fd, log_fd, error);
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
