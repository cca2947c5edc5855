/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Process supervision: spawn (clean environment, no leaked descriptors, own
 * session, log file), exit reporting through the pidfd, re-attach, log tail. */

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.h"
#include "test-util.h"

typedef struct {
        bool started;
        bool exited;
        ProcessExit exit_info;
        char *description;
} ExitRecord;

static void on_started_record(Process *process, void *userdata) {
        ExitRecord *record = userdata;
        g_assert_false(record->started); /* exactly once */
        g_assert_false(record->exited);
        g_assert_false(process_is_starting(process));
        g_assert_cmpint(process_get_pid(process), >, 0);
        record->started = true;
}

static void on_exit_record(Process *process, const ProcessExit *exit_info, void *userdata) {
        ExitRecord *record = userdata;
        g_assert_false(record->exited); /* exactly once */
        record->exited = true;
        record->exit_info = *exit_info;
        g_free(record->description);
        record->description = process_describe_exit(process, exit_info);
}

static const char *const clean_env[] = { "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "HV_TEST=1", NULL };

static char *make_tmpdir(void) {
        g_autoptr(GError) error = NULL;
        char *dir = g_dir_make_tmp("hv-process-XXXXXX", &error);
        g_assert_no_error(error);
        return dir;
}

static void test_exec_failure(void) {
        g_autoptr(sd_event) event = NULL;
        g_assert_cmpint(sd_event_new(&event), >=, 0);
        ExitRecord record = {};
        g_autoptr(GError) error = NULL;

        const char *missing[] = { "/nonexistent/qemu", NULL };
        ProcessSpawnParams params = { .argv = missing, .envp = clean_env, .uid = (uid_t) -1 };
        g_autoptr(Process) p = process_spawn(event, &params, on_exit_record, &record, &error);
        g_assert_null(p);
        g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
        g_assert_nonnull(strstr(error->message, "/nonexistent/qemu"));
        g_clear_error(&error);

        const char *unknown[] = { "hv-no-such-program", NULL };
        params.argv = unknown;
        p = process_spawn(event, &params, on_exit_record, &record, &error);
        g_assert_null(p);
        g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
        g_assert_nonnull(strstr(error->message, "'hv-no-such-program'"));
        g_clear_error(&error);

        /* Found but not executable: known before anything starts. */
        g_autofree char *dir = make_tmpdir();
        g_autofree char *script = g_build_filename(dir, "not-executable", NULL);
        g_assert_true(g_file_set_contents(script, "#!/bin/sh\n", -1, NULL));
        const char *noexec[] = { script, NULL };
        params.argv = noexec;
        p = process_spawn(event, &params, on_exit_record, &record, &error);
        g_assert_null(p);
        g_assert_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
        g_assert_nonnull(strstr(error->message, "Cannot run"));
        g_clear_error(&error);

        /* Executable but no program (no #! line, no ELF): the failure comes from the
         * child's execve(), after process_spawn() has returned, as an exit of its own kind. */
        g_assert_true(g_file_set_contents(script, "not a program\n", -1, NULL));
        g_assert_cmpint(chmod(script, 0755), ==, 0);
        params.on_started = on_started_record;
        p = process_spawn(event, &params, on_exit_record, &record, &error);
        g_assert_no_error(error);
        g_assert_nonnull(p);
        g_assert_true(process_is_starting(p));
        test_run_until(event, &record.exited, 5000, "the failed start");
        g_assert_false(record.started);
        g_assert_cmpint(record.exit_info.kind, ==, PROCESS_EXIT_NOT_RUN);
        g_assert_cmpint(record.exit_info.status, ==, ENOEXEC);
        g_autofree char *expected = g_strdup_printf("could not be run ('%s': %s)", script, g_strerror(ENOEXEC));
        g_assert_cmpstr(record.description, ==, expected);
        g_assert_true(process_has_exited(p));
        g_assert_cmpint(process_send_signal(p, SIGKILL), ==, -ESRCH);
        g_free(record.description);
        unlink(script);
        rmdir(dir);
}

static gint compare_fd_names(gconstpointer a, gconstpointer b) {
        return atoi(*(char *const *) a) - atoi(*(char *const *) b);
}

static char *read_link_at(pid_t pid, const char *name) {
        g_autofree char *path = g_strdup_printf("/proc/%d/fd/%s", (int) pid, name);
        return g_file_read_link(path, NULL);
}

static void test_clean_child(void) {
        g_autoptr(sd_event) event = NULL;
        g_assert_cmpint(sd_event_new(&event), >=, 0);
        g_autofree char *dir = make_tmpdir();
        g_autofree char *log = g_build_filename(dir, "engine.log", NULL);

        /* A descriptor without CLOEXEC that must not leak, and one passed on purpose. */
        int leaky = open("/dev/null", O_RDONLY);
        g_assert_cmpint(leaky, >=, 0);
        int pipe_fds[2];
        g_assert_cmpint(pipe2(pipe_fds, O_CLOEXEC), ==, 0);

        const char *argv[] = { "sleep", "30", NULL };
        ProcessFd fds[] = { { pipe_fds[0], 7 } };
        ProcessSpawnParams params = {
                .argv = argv, .envp = clean_env, .fds = fds, .n_fds = 1, .log_path = log, .uid = (uid_t) -1,
        };
        ExitRecord record = {};
        g_autoptr(GError) error = NULL;
        params.on_started = on_started_record;
        g_autoptr(Process) p = process_spawn(event, &params, on_exit_record, &record, &error);
        g_assert_no_error(error);
        /* Started off the loop: the pid is known once the loop heard of it. */
        g_assert_true(process_is_starting(p));
        g_assert_cmpint(process_get_pid(p), ==, 0);
        test_run_until(event, &record.started, 5000, "the child's start");
        pid_t pid = process_get_pid(p);

        /* After execve, /proc shows the new image: wait for it (sleep's comm). */
        g_autofree char *comm_path = g_strdup_printf("/proc/%d/comm", (int) pid);
        g_autofree char *comm = NULL;
        for (int i = 0; i < 200; i++) {
                g_clear_pointer(&comm, g_free);
                g_assert_true(g_file_get_contents(comm_path, &comm, NULL, NULL));
                if (g_str_has_prefix(comm, "sleep"))
                        break;
                g_usleep(5000);
        }
        g_assert_cmpstr(comm, ==, "sleep\n");
        /* The kernel renames the task before it closes the CLOEXEC descriptors: wait
         * until sleep(1) really sleeps, which is after exec has finished. */
        g_autofree char *stat_path = g_strdup_printf("/proc/%d/stat", (int) pid);
        for (int i = 0; i < 400; i++) {
                g_autofree char *stat = NULL;
                g_assert_true(g_file_get_contents(stat_path, &stat, NULL, NULL));
                const char *end = strrchr(stat, ')');
                if (end && end[1] == ' ' && end[2] == 'S')
                        break;
                g_usleep(5000);
        }

        /* Exactly 0, 1, 2 and 7. */
        g_autofree char *fd_dir = g_strdup_printf("/proc/%d/fd", (int) pid);
        g_autoptr(GDir) d = g_dir_open(fd_dir, 0, &error);
        g_assert_no_error(error);
        g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
        for (const char *name; (name = g_dir_read_name(d));)
                g_ptr_array_add(names, g_strdup(name));
        g_ptr_array_sort(names, compare_fd_names);
        for (guint i = 0; i < names->len; i++) {
                g_autofree char *target = read_link_at(pid, names->pdata[i]);
                g_test_message("fd %s -> %s", (char *) names->pdata[i], target);
        }
        g_autofree char *joined = NULL;
        g_ptr_array_add(names, NULL);
        joined = g_strjoinv(",", (char **) names->pdata);
        g_assert_cmpstr(joined, ==, "0,1,2,7");

        g_autofree char *in = read_link_at(pid, "0");
        g_autofree char *out = read_link_at(pid, "1");
        g_autofree char *err = read_link_at(pid, "2");
        g_assert_cmpstr(in, ==, "/dev/null");
        g_assert_cmpstr(out, ==, log);
        g_assert_cmpstr(err, ==, log);
        g_autofree char *passed = read_link_at(pid, "7");
        g_autofree char *ours = g_strdup_printf("/proc/self/fd/%d", pipe_fds[0]);
        g_autofree char *ours_target = g_file_read_link(ours, NULL);
        g_assert_cmpstr(passed, ==, ours_target);

        /* The environment is exactly what was given. */
        g_autofree char *environ_path = g_strdup_printf("/proc/%d/environ", (int) pid);
        g_autofree char *environ_data = NULL;
        gsize size = 0;
        g_assert_true(g_file_get_contents(environ_path, &environ_data, &size, NULL));
        gsize expected = 0;
        for (size_t i = 0; clean_env[i]; i++) {
                g_assert_cmpstr(environ_data + expected, ==, clean_env[i]);
                expected += strlen(clean_env[i]) + 1;
        }
        g_assert_cmpuint(size, ==, expected);

        /* Its own session, and start time known. */
        g_assert_cmpint(getsid(pid), ==, pid);
        uint64_t start_time = 0;
        g_assert_cmpint(process_read_start_time(pid, &start_time), ==, 0);
        g_assert_cmpuint(start_time, ==, process_get_start_time(p));
        g_assert_cmpuint(start_time, >, 0);

        g_assert_cmpint(process_send_signal(p, SIGKILL), ==, 0);
        test_run_until(event, &record.exited, 5000, "the killed child's exit");
        g_assert_cmpint(record.exit_info.kind, ==, PROCESS_EXIT_KILLED);
        g_assert_cmpint(record.exit_info.status, ==, SIGKILL);
        g_assert_true(process_has_exited(p));
        g_assert_cmpint(process_send_signal(p, SIGKILL), ==, -ESRCH);
        /* Reaped: no zombie left. */
        g_assert_cmpint(kill(pid, 0), <, 0);
        g_free(record.description);

        close(leaky);
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        unlink(log);
        rmdir(dir);
}

static void test_exit_status_and_log(void) {
        g_autoptr(sd_event) event = NULL;
        g_assert_cmpint(sd_event_new(&event), >=, 0);
        g_autofree char *dir = make_tmpdir();
        g_autofree char *log = g_build_filename(dir, "engine.log", NULL);
        g_assert_true(g_file_set_contents(log, "earlier line\n", -1, NULL));

        const char *argv[] = { "sh", "-c", "for i in 1 2 3 4 5; do echo line $i; done; echo oops >&2; exit 7", NULL };
        ProcessSpawnParams params = { .argv = argv, .envp = clean_env, .log_path = log, .uid = (uid_t) -1 };
        ExitRecord record = {};
        g_autoptr(GError) error = NULL;
        g_autoptr(Process) p = process_spawn(event, &params, on_exit_record, &record, &error);
        (void) p; /* held for its cleanup */
        g_assert_no_error(error);
        test_run_until(event, &record.exited, 5000, "the shell's exit");
        g_assert_cmpint(record.exit_info.kind, ==, PROCESS_EXIT_EXITED);
        g_assert_cmpint(record.exit_info.status, ==, 7);
        g_assert_cmpstr(record.description, ==, "exited with status 7");
        g_free(record.description);

        /* Appended, not truncated; the tail has the last lines only. */
        g_autofree char *all = process_read_log_tail(log, 100);
        g_assert_cmpstr(all, ==, "earlier line\nline 1\nline 2\nline 3\nline 4\nline 5\noops");
        g_autofree char *tail = process_read_log_tail(log, 2);
        g_assert_cmpstr(tail, ==, "line 5\noops");
        g_assert_null(process_read_log_tail("/nonexistent/log", 3));
        unlink(log);
        rmdir(dir);
}

/* ProcessSpawnParams.affinity: the child runs on those CPUs only; a set the kernel would
 * narrow fails the start instead. */
static void test_affinity(void) {
        g_autoptr(sd_event) event = NULL;
        g_assert_cmpint(sd_event_new(&event), >=, 0);
        g_autofree char *dir = make_tmpdir();
        g_autofree char *log = g_build_filename(dir, "engine.log", NULL);
        cpu_set_t ours, one;
        int first = -1;

        g_assert_cmpint(sched_getaffinity(0, sizeof(ours), &ours), ==, 0);
        for (int cpu = 0; cpu < CPU_SETSIZE && first < 0; cpu++)
                if (CPU_ISSET(cpu, &ours))
                        first = cpu;
        g_assert_cmpint(first, >=, 0);
        CPU_ZERO(&one);
        CPU_SET(first, &one);

        const char *argv[] = {"sh", "-c", "grep Cpus_allowed_list /proc/self/status", NULL};
        ProcessSpawnParams params = {
                .argv = argv, .envp = clean_env, .log_path = log, .uid = (uid_t) -1, .affinity = &one};
        ExitRecord record = {};
        g_autoptr(GError) error = NULL;
        g_autoptr(Process) p = process_spawn(event, &params, on_exit_record, &record, &error);
        g_assert_no_error(error);
        test_run_until(event, &record.exited, 5000, "the shell's exit");
        g_assert_cmpint(record.exit_info.kind, ==, PROCESS_EXIT_EXITED);
        g_assert_cmpint(record.exit_info.status, ==, 0);
        g_autofree char *expected = g_strdup_printf("Cpus_allowed_list:\t%d", first);
        g_autofree char *got = process_read_log_tail(log, 1);
        g_assert_cmpstr(got, ==, expected);
        g_free(record.description);
        g_clear_pointer(&p, process_free);

        /* A CPU this process may not use (none has the last number of a cpu_set_t here):
         * the kernel would drop it silently; the start fails instead. */
        g_assert_false(CPU_ISSET(CPU_SETSIZE - 1, &ours));
        CPU_SET(CPU_SETSIZE - 1, &one);
        record = (ExitRecord){};
        p = process_spawn(event, &params, on_exit_record, &record, &error);
        g_assert_no_error(error);
        test_run_until(event, &record.exited, 5000, "the failed start");
        g_assert_cmpint(record.exit_info.kind, ==, PROCESS_EXIT_NOT_RUN);
        g_assert_cmpint(record.exit_info.status, ==, EINVAL);
        g_free(record.description);
        unlink(log);
        rmdir(dir);
}

static void test_attach(void) {
        g_autoptr(sd_event) event = NULL;
        g_assert_cmpint(sd_event_new(&event), >=, 0);
        g_autoptr(GError) error = NULL;

        /* A grandchild, orphaned at once: like an engine after a daemon restart. */
        g_autofree char *out = NULL;
        const char *argv[] = { "/bin/sh", "-c", "sleep 30 >/dev/null 2>&1 </dev/null & echo $!", NULL };
        g_assert_true(g_spawn_sync(NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, NULL, &error));
        g_assert_no_error(error);
        pid_t pid = (pid_t) g_ascii_strtoll(out, NULL, 10);
        g_assert_cmpint(pid, >, 1);
        uint64_t start_time = 0;
        g_assert_cmpint(process_read_start_time(pid, &start_time), ==, 0);

        ExitRecord record = {};
        g_autoptr(Process) wrong = process_attach(event, pid, start_time + 1, on_exit_record, &record, &error);
        g_assert_null(wrong);
        g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
        g_assert_nonnull(strstr(error->message, "not the one started earlier"));
        g_clear_error(&error);

        g_autoptr(Process) p = process_attach(event, pid, start_time, on_exit_record, &record, &error);
        g_assert_no_error(error);
        g_assert_cmpint(process_get_pid(p), ==, pid);
        test_run_for(event, 50);
        g_assert_false(record.exited);

        g_assert_cmpint(process_send_signal(p, SIGTERM), ==, 0);
        test_run_until(event, &record.exited, 5000, "the attached process's exit");
        g_assert_cmpint(record.exit_info.kind, ==, PROCESS_EXIT_UNKNOWN);
        g_free(record.description);

        g_autoptr(Process) gone = process_attach(event, 999999999, 1, on_exit_record, &record, &error);
        g_assert_null(gone);
        g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void test_free_without_callback(void) {
        g_autoptr(sd_event) event = NULL;
        g_assert_cmpint(sd_event_new(&event), >=, 0);
        const char *argv[] = { "true", NULL };
        ProcessSpawnParams params = {
                .argv = argv, .envp = clean_env, .uid = (uid_t) -1, .on_started = on_started_record,
        };
        ExitRecord record = {};
        g_autoptr(GError) error = NULL;
        Process *p = process_spawn(event, &params, on_exit_record, &record, &error);
        g_assert_no_error(error);
        test_run_until(event, &record.started, 5000, "the child's start");
        process_free(p);
        test_run_for(event, 100);
        g_assert_false(record.exited);
}

/* `sleep 30`, spawned and not yet heard of as running. */
static Process *spawn_sleeper(sd_event *event, ExitRecord *record) {
        const char *argv[] = { "sleep", "30", NULL };
        ProcessSpawnParams params = { .argv = argv, .envp = clean_env, .uid = (uid_t) -1 };
        g_autoptr(GError) error = NULL;
        Process *p = process_spawn(event, &params, on_exit_record, record, &error);

        g_assert_no_error(error);
        g_assert_true(process_is_starting(p));
        return p;
}

/* A signal sent while the process starts reaches it once it runs. */
static void test_signal_while_starting(void) {
        g_autoptr(sd_event) event = NULL;
        g_assert_cmpint(sd_event_new(&event), >=, 0);
        ExitRecord record = {};
        g_autoptr(Process) p = spawn_sleeper(event, &record);
        g_assert_cmpint(process_send_signal(p, SIGKILL), ==, 0);
        test_run_until(event, &record.exited, 5000, "the killed child's exit");
        g_assert_cmpint(record.exit_info.kind, ==, PROCESS_EXIT_KILLED);
        g_assert_cmpint(record.exit_info.status, ==, SIGKILL);
        g_free(record.description);
}

/* Freed before anyone heard that it runs: nothing is left running. */
static void test_free_while_starting(void) {
        g_autoptr(sd_event) event = NULL;
        g_assert_cmpint(sd_event_new(&event), >=, 0);
        ExitRecord record = {};
        /* Earlier tests' children that nobody reaps (freed without a callback) go first. */
        while (waitpid(-1, NULL, WNOHANG) > 0)
                ;
        Process *p = spawn_sleeper(event, &record);
        process_free(p);
        test_run_for(event, 100);
        g_assert_false(record.exited);
        /* No child of ours is left, not even a zombie. */
        g_assert_cmpint(waitpid(-1, NULL, WNOHANG), ==, -1);
        g_assert_cmpint(errno, ==, ECHILD);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/process/exec-failure", test_exec_failure);
        g_test_add_func("/process/clean-child", test_clean_child);
        g_test_add_func("/process/exit-status-and-log", test_exit_status_and_log);
        g_test_add_func("/process/affinity", test_affinity);
        g_test_add_func("/process/attach", test_attach);
        g_test_add_func("/process/free-without-callback", test_free_without_callback);
        g_test_add_func("/process/signal-while-starting", test_signal_while_starting);
        g_test_add_func("/process/free-while-starting", test_free_while_starting);
        return g_test_run();
}
