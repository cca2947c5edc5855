/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Supervision of engine processes, shared by all engines.
 *
 * process_spawn() returns at once: the program is started by a thread of its
 * own (see process-spawn.h), and the loop hears of the outcome later: the
 * optional on_started when it runs (its pid is known from then on), or on_exit
 * with PROCESS_EXIT_NOT_RUN when it could not be executed.
 *
 * An engine process starts with a clean environment, only the descriptors it is
 * given (mapped to chosen numbers), stdin on /dev/null and stdout/stderr appended
 * to the VM's log file, in its own session (so that stopping the daemon does not
 * stop the VMs) and without a parent-death signal (VMs outlive a daemon restart).
 *
 * With a log keeper set (process_set_log_keeper(), as the daemon does), the
 * engine's stdout/stderr is a pipe to a hypervisord-log-keeper of its own, which
 * appends to the log file with a size cap and one rotation (see log-keeper.c);
 * without one (the engine tests), they go straight to the file.
 *
 * It is watched through a pidfd on the caller's sd-event loop. After a daemon
 * restart, process_attach() watches a process that is no longer our child: its
 * exit is seen (the pidfd becomes readable) but its status is not.
 */

#include <glib.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

typedef struct Process Process;

typedef enum {
        PROCESS_EXIT_UNKNOWN, /* an attached process: not our child, no status */
        PROCESS_EXIT_EXITED,  /* status is the exit code */
        PROCESS_EXIT_KILLED,  /* status is the signal */
        PROCESS_EXIT_NOT_RUN, /* the program could not be executed; status is the errno */
} ProcessExitKind;

typedef struct {
        ProcessExitKind kind;
        int status;
} ProcessExit;

/* Called once when the process is gone. The callback may free the Process. */
typedef void (*ProcessExitFn)(Process *process, const ProcessExit *exit_info, void *userdata);
/* Called once when the program runs (after its execve()). The callback may free the Process. */
typedef void (*ProcessStartedFn)(Process *process, void *userdata);

typedef struct {
        int fd;     /* descriptor in the caller; stays open there */
        int target; /* number it gets in the child (>= 3) */
} ProcessFd;

typedef struct {
        const char *const *argv;  /* argv[0]: the binary, absolute or looked up in PATH of envp */
        const char *const *envp;  /* the whole environment; NULL = empty */
        const ProcessFd *fds;
        size_t n_fds;
        const char *log_path;     /* stdout and stderr, appended; NULL = /dev/null */
        uid_t uid;                /* (uid_t) -1: keep ours */
        gid_t gid;
        /* The CPUs the child runs on, set before it runs the program; NULL: the daemon's. A
         * set the kernel narrows (a CPU the process may not use) fails the start, as a
         * failed execve() (PROCESS_EXIT_NOT_RUN). */
        const cpu_set_t *affinity;
        ProcessStartedFn on_started; /* optional; gets the userdata of process_spawn() */
} ProcessSpawnParams;

/* What is known before the start ("binary not found", the log file) is reported
 * here, as GError (G_IO_ERROR); a failed execve() later, as PROCESS_EXIT_NOT_RUN.
 * The descriptors of params may be closed as soon as this returns. */
Process *process_spawn(sd_event *event, const ProcessSpawnParams *params, ProcessExitFn on_exit, void *userdata,
                       GError **error);

/* Watch a running process that some earlier instance of us spawned; fails when
 * that pid is gone or now belongs to another process (start time differs). */
Process *process_attach(sd_event *event, pid_t pid, uint64_t start_time, ProcessExitFn on_exit, void *userdata,
                        GError **error);

/* Stops watching; neither kills the process nor calls back. A process still
 * starting is waited for and killed: nobody would know of it. */
void process_free(Process *process);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Process, process_free)

pid_t process_get_pid(const Process *process); /* 0 while starting */
bool process_is_starting(const Process *process);
/* "exited with status 1", "was killed by signal KILL", "could not be run (...)" */
char *process_describe_exit(const Process *process, const ProcessExit *exit_info);
uint64_t process_get_start_time(const Process *process);
bool process_has_exited(const Process *process);

/* pidfd_send_signal(): never hits a recycled pid. Negative errno on failure.
 * While the process starts, the signal waits until it runs. */
int process_send_signal(Process *process, int sig);

/* Field 22 of /proc/PID/stat (clock ticks since boot). Negative errno on failure. */
int process_read_start_time(pid_t pid, uint64_t *ret);

/* The largest an engine's log file grows before it becomes <log>.1. */
#define PROCESS_LOG_MAX_BYTES (8u * 1024 * 1024)

/* The hypervisord-log-keeper program that writes engine logs from now on (copied),
 * or NULL: straight to the file. */
void process_set_log_keeper(const char *path);

/* The last n_lines lines of a (log) file, or NULL if it cannot be read. */
char *process_read_log_tail(const char *path, unsigned n_lines);

/* Appends "<time> hypervisord: starting <argv, shell-quoted>" to the VM's log, so
 * that the log tells what ran; best effort. */
void process_log_command_line(const char *log_path, const char *const *argv);
