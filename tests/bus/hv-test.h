/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Test fixture for bus tests: a private dbus-daemon, and hypervisord from the
 * build tree serving it in --session mode with its directories in a fresh
 * temporary folder. The daemon's log is printed only when a test fails.
 */

#include <gio/gio.h>
#include <stdbool.h>

typedef struct {
        GTestDBus *bus;
        GDBusConnection *connection;
        char *dir;         /* temporary folder: state/, run/, log/, images/, firmware/, hypervisord.conf */
        char *run_dir;     /* the daemon's runtime folder, on tmpfs as /run is; dir/run links to it */
        char *config_path;
        char *log_path;
        GPid pid;          /* the daemon */
        GPtrArray *extra_config; /* lines appended to hypervisord.conf */
} HvTest;

/* Private bus + daemon. extra_config: lines added to the [Manager] etc. groups, or NULL. */
void hv_test_setup(HvTest *t, const char *extra_config);
void hv_test_teardown(HvTest *t);

void hv_test_start_daemon(HvTest *t);
void hv_test_stop_daemon(HvTest *t, int signal_number);

/* Calls on the Manager or a VM; the reply, or NULL with error set. */
GVariant *hv_call(HvTest *t, const char *path, const char *interface, const char *method, GVariant *args,
                  const char *reply_type, GError **error);
GVariant *hv_manager_call(HvTest *t, const char *method, GVariant *args, const char *reply_type, GError **error);
GVariant *hv_vm_call(HvTest *t, const char *vm_path, const char *method, GVariant *args, const char *reply_type,
                     GError **error);

/* DefineVM, asserting success; returns the object path. */
char *hv_define(HvTest *t, const char *xml);
GVariant *hv_get_property(HvTest *t, const char *path, const char *interface, const char *name);
char *hv_vm_state(HvTest *t, const char *vm_path);

/* The remote error name of a failed call, e.g. "org.example.Hypervisor.Error.NotFound". */
char *hv_error_name(const GError *error);
void hv_assert_error(const GError *error, const char *name, const char *message_part);

/* A minimal valid domain of the given name (type='qemu', 256 MiB, 1 vCPU, direct kernel). */
char *hv_minimal_xml(HvTest *t, const char *name, const char *uuid);

/* Run the main context until cond(data) is true or timeout_ms passes (then the test fails). */
void hv_wait_until(const char *what, gboolean (*cond)(gpointer), gpointer data, unsigned timeout_ms);

/* Record signals of one interface on the bus; each entry is (s member, o path, v body). */
typedef struct {
        GDBusConnection *connection;
        guint id;
        GPtrArray *signals; /* GVariant* "(sov)" */
} HvSignalLog;

void hv_signal_log_start(HvSignalLog *log, HvTest *t, const char *interface, const char *path);
void hv_signal_log_stop(HvSignalLog *log);
/* Number of recorded signals with this member (and path, if not NULL). */
unsigned hv_signal_log_count(HvSignalLog *log, const char *member, const char *path);
/* Wait for the nth (1-based) signal with this member; returns its body (transfer full). */
GVariant *hv_signal_log_wait(HvSignalLog *log, const char *member, const char *path, unsigned n,
                             unsigned timeout_ms);

/* For g_test_add(): the fixture with default settings. */
void hv_test_fixture_setup(HvTest *t, gconstpointer data);
void hv_test_fixture_teardown(HvTest *t, gconstpointer data);

/* The nth StateChanged of path must be (state, reason); reason NULL matches any. */
void hv_expect_state_changed(HvSignalLog *log, const char *path, unsigned n, const char *state, const char *reason,
                             unsigned timeout_ms);
/* Wait for a GuestEvent named event, whose details carry engine-event = engine_event. */
void hv_expect_guest_event(HvSignalLog *log, const char *path, const char *event, const char *engine_event,
                           unsigned timeout_ms);

/* One command to the cloud-hypervisor simulator's control socket of a running VM (found
 * beside the API socket that GetInfo reports). Returns the answer ("ok ..."), or NULL
 * when wait_answer is false. */
char *hv_ch_sim_control(HvTest *t, const char *vm_path, const char *command, gboolean wait_answer);
/* The same in two steps, for when GetInfo cannot answer (a hung simulator). */
char *hv_ch_sim_control_path(HvTest *t, const char *vm_path);
char *hv_ch_sim_control_at(const char *control_path, const char *command, gboolean wait_answer);

/* A field of /proc/PID/status in KiB ("VmRSS:", "RssAnon:"), -1 when unreadable. */
long hv_process_status_kib(GPid pid, const char *field);

/* ---- faults and soak (appended) ---- */

/* Open descriptors of a process (entries of /proc/PID/fd), -1 when unreadable. */
int hv_count_fds(GPid pid);

/* The directory named by the environment @variable (set by meson test), which
 * must contain @must_contain; the test fails with a clear message otherwise. */
const char *hv_env_dir(const char *variable, const char *must_contain);
/* Processes other than except_pid whose command line contains needle (e.g. the test's
 * folder, which every engine's argv names). Returns pids as GArray of GPid. */
GArray *hv_find_processes(const char *needle, GPid except_pid);
/* Entries left in <dir>/run/vms (runtime files and socket folders); NULL-terminated. */
GStrv hv_runtime_leftovers(HvTest *t);

/* A D-Bus call whose reply is collected later (for racing calls). */
typedef struct {
        gboolean done;
        GVariant *reply;
        GError *error;
} HvAsyncCall;

/* args NULL: no options. */
void hv_call_async(GDBusConnection *connection, const char *path, const char *interface, const char *method,
                   GVariant *args, HvAsyncCall *call);
void hv_vm_call_async(GDBusConnection *connection, const char *vm_path, const char *method, GVariant *args,
                      HvAsyncCall *call);
void hv_async_call_wait(HvAsyncCall *call, unsigned timeout_ms);
void hv_async_call_clear(HvAsyncCall *call);
