/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ch-sim: a small stand-in for the cloud-hypervisor binary, speaking its REST
 * API over a unix socket with the real server's quirks, for tests on machines
 * without KVM. One process imitates one VMM, so the simulator's state is a
 * single global: that is what the real process has too.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

/* Which release's status-code behaviour we imitate (chosen by argv[0]). */
typedef enum {
        CH_PROFILE_V52,         /* <= v52: every API error is a 500 */
        CH_PROFILE_V53,         /* v53.0: 404 for "VM not created" */
        CH_PROFILE_HEAD,        /* main after v53: 404/400/409 as well */
} ChProfile;

/* What vm.info can show; "Shutdown" is never visible through the API. */
typedef enum {
        CH_VM_NONE,             /* no config stored */
        CH_VM_CREATED,          /* config, no Vm object */
        CH_VM_RUNNING,
        CH_VM_PAUSED,
} ChVmState;

/* Error kinds; their HTTP status depends on the profile (ch_error_status()). */
typedef enum {
        CH_ERROR_INTERNAL,      /* 500 everywhere */
        CH_ERROR_NOT_CREATED,   /* VmNotCreated / VmMissingConfig: 404 from v53 */
        CH_ERROR_UNKNOWN_DEVICE,/* NoDeviceToRemove / UnknownDeviceId: 404 at HEAD */
        CH_ERROR_DUPLICATE,     /* IdentifierNotUnique / DuplicateDevicePath: 409 at HEAD */
        CH_ERROR_INVALID,       /* other ConfigValidation: 400 at HEAD */
        CH_ERROR_BAD_REQUEST,   /* HTTP layer / deserialisation: 400 everywhere */
} ChErrorKind;

#define CH_ERROR (ch_error_quark())
GQuark ch_error_quark(void);

typedef struct {
        ChProfile profile;
        int major;                      /* 52, 53, 54... */
        const char *build_version;      /* "v53.0.0" */
        const char *version;            /* "53.0.0" */
        gboolean no_shutdown;
        gboolean no_kvm;                /* started as cloud-hypervisor-no-kvm */
        char *hostile_pty;              /* "cloud-hypervisor-hostile-pty": the first line of <argv[0]>.pty,
                                         * reported as config.console.file of a Pty console */
        int verbosity;                  /* number of -v */

        char *api_socket_path;          /* NULL without --api-socket */
        gboolean api_socket_owned;      /* we bound it: unlink at exit */
        int api_listen_fd;
        int lock_fd;
        char *control_path;
        int control_listen_fd;
        int event_fd;
        int log_fd;
        gint64 start_us;                /* monotonic, for event timestamps */

        GMainLoop *loop;
        int exit_status;

        /* control-channel knobs */
        gboolean hung;
        guint delay_ms;
        gboolean manual_ack;
} ChSim;

extern ChSim ch_sim;

/* A parsed API request, owned by the request queue. */
typedef struct {
        char *method;
        char *path;
        GBytes *body;                   /* NULL when there was no body */
        GArray *fds;                    /* int, received with SCM_RIGHTS */
} ChRequest;

/* A response ready for the wire. */
typedef struct {
        int status;
        char *body;                     /* NULL: no body, no Content-Length */
        gboolean exit_after;            /* vmm.shutdown: flush, then exit */
} ChResponse;

/* ch-sim-main.c */
void ch_sim_exit(int status) G_GNUC_NORETURN;

/* ch-sim-events.c */
void ch_event(const char *source, const char *event, ...) G_GNUC_NULL_TERMINATED;
void ch_log(int level, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void ch_event_deep(const char *event, int levels);
/* Tests only: count "vm" events alternating paused and resumed, starting with paused. */
void ch_event_flood(unsigned count);
#define CH_LOG_WARN 0
#define CH_LOG_INFO 1
#define CH_LOG_DEBUG 2

/* ch-sim-http.c */
int ch_http_start(int listen_fd);
void ch_http_kick(void);
void ch_http_set_hung(gboolean hung);
/* The next API reply goes out broken: "garbage" (not HTTP, then the connection
 * closes), "truncate" (the body cut short, then the connection closes) or
 * "bad-json" (a 200 whose body is not JSON) or "deep-json" (a 200 whose body is
 * nested 200,000 levels deep). FALSE for an unknown mode. */
gboolean ch_http_corrupt_next(const char *mode);

/* ch-sim-api.c */
ChResponse ch_api_dispatch(ChRequest *request);
int ch_error_status(const GError *error);

/* ch-sim-vm.c */
ChVmState ch_vm_state(void);
const char *ch_vm_state_name(ChVmState state);
gboolean ch_vm_create(JsonObject *config, GError **error);
gboolean ch_vm_boot(GError **error);
gboolean ch_vm_shutdown(GError **error);
void ch_vm_delete(void);
gboolean ch_vm_pause(GError **error);
gboolean ch_vm_resume(GError **error);
gboolean ch_vm_reboot(GError **error);
gboolean ch_vm_power_button(GError **error);
gboolean ch_vm_nmi(GError **error);
gboolean ch_vm_resize(JsonObject *resize, GError **error);
JsonNode *ch_vm_info(GError **error);
JsonNode *ch_vm_counters(GError **error);
JsonNode *ch_vm_add_device(const char *list, JsonObject *entry, GArray *fds, GError **error);
gboolean ch_vm_remove_device(const char *id, GError **error);
gboolean ch_vm_ack_remove(const char *id, GError **error);
void ch_vm_guest_poweroff(void);
void ch_vm_vcpu_error(void);
gboolean ch_vm_guest_reboot(GError **error);
gboolean ch_vm_guest_panic(GError **error);
guint64 ch_vm_counter(void);
JsonObject *ch_vm_config(void);
void ch_vm_restore_from(JsonObject *config, guint64 counter, gboolean resume);
void ch_vm_adopt_fds(GArray *fds);
GArray *ch_vm_held_fds(void);
void ch_vm_fill_defaults(JsonObject *config);
void ch_vm_kick_removals(void);

/* ch-sim-snapshot.c */
gboolean ch_snapshot(const char *destination_url, GError **error);
gboolean ch_restore(JsonObject *restore, GArray *fds, GError **error);

/* ch-sim-serial.c */
gboolean ch_serial_start(JsonObject *config, GError **error);
void ch_serial_stop(void);
void ch_serial_print(const char *text);

/* ch-sim-control.c */
int ch_control_start(const char *api_socket_path);

/* ch-sim-cli.c */
JsonObject *ch_cli_vm_config(GHashTable *vm_options, GError **error);

/* JSON helpers (ch-sim-events.c) */
char *ch_json_to_string(JsonNode *node, gboolean pretty);
JsonObject *ch_json_object_copy(JsonObject *object);
