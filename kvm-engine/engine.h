/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The engine interface: what the service asks of a hypervisor, whichever it is.
 *
 * Modelled on the Kata Containers Hypervisor trait: a table of operations per
 * engine ("qemu", "cloud-hypervisor"), registered by name (engine-registry.c).
 * An EngineVm is one VM's engine instance; it owns the engine process, its
 * sockets and its timers, all on the caller's sd-event loop. Both engines build
 * theirs on one skeleton (engine-vm.h, engine-op.h) that keeps the rules below.
 *
 * Rules every engine keeps:
 *   - Nothing blocks. Every operation that talks to the engine process takes a
 *     completion callback, called exactly once, later, from the event loop (never
 *     from inside the call that started it), with error NULL on success.
 *   - Engines never touch D-Bus; the service never speaks QMP or HTTP.
 *   - What happens on its own (guest events, the process exiting) is reported
 *     through the one EngineEventFn given at creation.
 *   - engine_vm_free() neither stops the process nor calls any pending callback:
 *     after it returns nothing is called back, so the owner may go away. The owner
 *     never frees an EngineVm from inside one of its callbacks (it defers).
 *   - When the engine process exits, the engine first completes every pending
 *     operation (with an error where it could not be done), then reports
 *     ENGINE_EVENT_EXITED, and after that calls nothing back.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "hv-error.h"
#include "vm-config.h"
#include "vm-problems.h"

typedef struct EngineOps EngineOps;
typedef struct EngineVm EngineVm;

/* Settings for one engine, from hypervisord.conf ([qemu], [cloud-hypervisor]). */
typedef struct {
        char *binary;         /* path or name looked up in PATH; NULL = the engine's default */
        char **firmware_dirs; /* where <kernel>/<loader> names without '/' are looked up */
        bool use_kvm;         /* qemu: KVM may be used when /dev/kvm opens (false: never, TCG only) */
        bool tcg_fallback;    /* qemu: run type='kvm' guests under TCG when /dev/kvm is unusable */
        unsigned api_timeout_ms; /* every request to the engine process ends by then */
        bool no_shutdown;     /* cloud-hypervisor: start it with --no-shutdown (v52 and later) */
} EngineSettings;

/* What probe() found on this host. */
typedef struct {
        bool usable;           /* the binary exists and answered its version query */
        char *binary;          /* absolute path */
        char *version;         /* "7.2.19", "v53.0" */
        bool kvm;              /* hardware acceleration usable by this engine */
        bool tcg;              /* software emulation available */
        char **hotplug;        /* device kinds it can hot-plug: "disk", "interface", ... */
        char *unusable_reason; /* why not usable, for GetCapabilities and error messages */
} EngineProbe;

void engine_probe_clear(EngineProbe *probe);

typedef enum {
        ENGINE_EVENT_STARTED, /* the engine process runs: its pid is known (for the runtime record) */
        ENGINE_EVENT_GUEST,   /* something the guest or the engine reported; see name */
        ENGINE_EVENT_RUNNING, /* the engine says the vCPUs run (e.g. after a guest-side resume) */
        ENGINE_EVENT_PAUSED,  /* the engine says the vCPUs stopped on their own */
        ENGINE_EVENT_EXITED,  /* the engine process is gone */
} EngineEventKind;

typedef enum {
        ENGINE_EXIT_GUEST_POWEROFF, /* the guest powered itself off */
        ENGINE_EXIT_GUEST_RESET,    /* the guest reset and the engine exits on reset (restart policy decides) */
        ENGINE_EXIT_GUEST_PANIC,    /* the guest crashed */
        ENGINE_EXIT_REQUESTED,      /* we asked it to stop */
        ENGINE_EXIT_CRASHED,        /* it died unasked */
} EngineExitReason;

typedef struct {
        EngineEventKind kind;

        /* ENGINE_EVENT_GUEST: API vocabulary, the same for every engine and listed
         * in the contract XML ("booted", "restored", "stop", "resume", "powerdown",
         * "shutdown", "reset", "panicked", "device-removed"), the engine's
         * own event name ("SHUTDOWN", "vm/shutdown") and extra details (a{sv},
         * borrowed for the call, never floating, or NULL). */
        const char *name;
        const char *engine_event;
        GVariant *details;
        const char *device_id; /* "device-removed": which device */
        uint64_t timestamp_usec; /* when the engine says it happened (CLOCK_REALTIME, µs); 0 = unknown */

        /* ENGINE_EVENT_EXITED */
        EngineExitReason exit_reason;
        int exit_status;      /* as from waitid(): si_status */
        const char *log_tail; /* last lines of the engine's log, or NULL */
} EngineEvent;

typedef void (*EngineEventFn)(const EngineEvent *event, void *userdata);
typedef void (*EngineDoneFn)(const GError *error, void *userdata);
typedef void (*EngineInfoFn)(GVariant *info /* a{sv}, floating; NULL on error */, const GError *error,
                             void *userdata);
typedef void (*EngineDeviceFn)(const char *id, const GError *error, void *userdata);
/* OpenConsole's answer: a connected descriptor (fd >= 0, error NULL) that the
 * callback owns from then on (it closes it or hands it on), or fd -1 and the error. */
typedef void (*EngineConsoleFn)(int fd, const GError *error, void *userdata);

/* What the service hands an engine for one VM. Strings are copied. */
typedef struct {
        sd_event *event;
        const VmConfig *config;
        const EngineSettings *settings;
        const EngineProbe *probe;
        const char *runtime_dir; /* per-VM directory for sockets, created 0700 by the caller */
        const char *log_path;    /* the engine's stdout/stderr go here (appended) */
        /* The VM's UEFI variables when the service keeps them (<os firmware='efi'> without
         * <nvram>): open read-write; the engine uses it while it exists and closes its copy
         * (it dups it). 0 = none, so that a zeroed EngineVmParams has none. */
        int nvram_fd;
        /* For a VM whose <nvram> is a path of the owner's, of UEFI in flash
         * (vm_firmware_uses_pflash()): the variables template, open read-only, from which the
         * engine makes that file, as the owner, when it does not exist at a start
         * (service/vm-nvram.h). The engine dups it. 0 = none (and no such path). */
        int nvram_template_fd;
        /* The folder of the TPM's state for a VM with a <tpm> (service/vm-tpm.c), open
         * (O_DIRECTORY), the owner's: the engine gives it to the TPM emulator (it dups it).
         * 0 = none. */
        int tpm_state_fd;
        uid_t uid;               /* run the engine process as this user; (uid_t) -1 = as the service */
        gid_t gid;
        EngineEventFn on_event;
        void *userdata;
} EngineVmParams;

struct EngineOps {
        const char *name;

        bool (*probe)(const EngineSettings *settings, EngineProbe *ret, GError **error);
        /* Could this engine run this configuration on any host? Asked at DefineVM, so
         * that what the engine cannot do is refused there, not at Boot: every problem is
         * added to problems, each naming the element and the engine, with the element's
         * line (vm-problems.h). Nothing of the host is looked at. */
        void (*check)(const VmConfig *config, VmProblems *problems);
        /* Can this engine run this configuration on this host, now (at Boot), with these
         * settings (NULL: the defaults) and what probe() found? The message names what it
         * cannot do. */
        bool (*validate)(const EngineSettings *settings, const EngineProbe *probe, const VmConfig *config,
                         GError **error);

        EngineVm *(*vm_new)(const EngineVmParams *params);
        void (*vm_free)(EngineVm *vm);

        /* Spawn the engine and boot; done when the guest runs. */
        void (*start)(EngineVm *vm, EngineDoneFn done, void *userdata);
        /* Force off now; done when the process is gone. */
        void (*stop)(EngineVm *vm, EngineDoneFn done, void *userdata);
        /* ACPI power button; done when delivered. */
        void (*power_button)(EngineVm *vm, EngineDoneFn done, void *userdata);
        void (*reboot)(EngineVm *vm, EngineDoneFn done, void *userdata);
        void (*pause)(EngineVm *vm, EngineDoneFn done, void *userdata);
        void (*resume)(EngineVm *vm, EngineDoneFn done, void *userdata);
        /* Write state and memory into the existing, empty directory. */
        void (*snapshot)(EngineVm *vm, const char *directory, EngineDoneFn done, void *userdata);
        /* Spawn the engine from a snapshot directory; done when paused. */
        void (*restore)(EngineVm *vm, const char *directory, EngineDoneFn done, void *userdata);
        /* Hot-plug; the device's id is set (the service assigns one when the user did not). */
        void (*add_device)(EngineVm *vm, const VmDevice *device, EngineDeviceFn done, void *userdata);
        /* Done when the guest acknowledged the removal. */
        void (*remove_device)(EngineVm *vm, const char *id, EngineDoneFn done, void *userdata);
        /* UpdateDevice of a cdrom: cdrom is the running <disk device='cdrom'> (its id) as it
         * is to be: disk.path the new medium, opened by the engine as the owner, or NULL to
         * eject. Done when the drive holds the new medium (or none). NULL: the engine has no
         * cdrom; the service refuses before asking. */
        void (*change_media)(EngineVm *vm, const VmDevice *cdrom, EngineDoneFn done, void *userdata);
        void (*info)(EngineVm *vm, EngineInfoFn done, void *userdata);
        /* GetStats: the counters of a running VM as an a{sv} with the keys of the
         * contract XML (cpu-time, memory-*, block, net); see engine-stats.h. */
        void (*stats)(EngineVm *vm, EngineInfoFn done, void *userdata);
        /* A new connection to the serial console. Never a path the engine reports
         * nor one the owner controls opened with the service's rights: a socket the
         * service made in its own runtime directory, or the owner's socket connected
         * as the owner and checked to be served by the engine (connect-as-owner.h). */
        void (*open_console)(EngineVm *vm, EngineConsoleFn done, void *userdata);
        /* Display (config->display): a new client of display number index (the <graphics> in
         * order), as one end of a socketpair whose other end the engine's display server took;
         * a PNG of screen `screen` in a sealed memfd at offset 0; Linux input keycodes pressed
         * together and released after hold_ms (0: the engine's default). */
        void (*open_graphics)(EngineVm *vm, unsigned index, EngineConsoleFn done, void *userdata);
        void (*screenshot)(EngineVm *vm, unsigned screen, EngineConsoleFn done, void *userdata);
        void (*send_key)(EngineVm *vm, const uint32_t *keycodes, size_t n_keycodes, unsigned hold_ms,
                         EngineDoneFn done, void *userdata);

        /* Runtime facts to persist while the engine runs (pid, start time, sockets),
         * and re-attaching to a live engine from them after a daemon restart. */
        GVariant *(*save_runtime)(EngineVm *vm);
        bool (*attach)(EngineVm *vm, GVariant *runtime, GError **error);

        /* pid of the engine process, 0 when none */
        pid_t (*get_pid)(EngineVm *vm);
};

/* Every EngineVm starts with this header: an engine's VM begins with an EngineVmBase
 * (engine-vm.h, the part both engines share), which begins with it. */
struct EngineVm {
        const EngineOps *ops;
};

/* The engines (qemu/qemu-engine.c, cloud-hypervisor/ch-engine.c) and their registry
 * (engine-registry.c), which lists the ones this build has. */
extern const EngineOps engine_qemu_ops;
extern const EngineOps engine_cloud_hypervisor_ops;
const EngineOps *const *engine_list(void); /* NULL-terminated */

/* Dispatch helpers: an engine without the operation answers NotSupported (asynchronously). */
void engine_vm_free(EngineVm *vm);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(EngineVm, engine_vm_free)
void engine_vm_start(EngineVm *vm, EngineDoneFn done, void *userdata);
void engine_vm_stop(EngineVm *vm, EngineDoneFn done, void *userdata);
void engine_vm_power_button(EngineVm *vm, EngineDoneFn done, void *userdata);
void engine_vm_reboot(EngineVm *vm, EngineDoneFn done, void *userdata);
void engine_vm_pause(EngineVm *vm, EngineDoneFn done, void *userdata);
void engine_vm_resume(EngineVm *vm, EngineDoneFn done, void *userdata);
void engine_vm_snapshot(EngineVm *vm, const char *directory, EngineDoneFn done, void *userdata);
void engine_vm_restore(EngineVm *vm, const char *directory, EngineDoneFn done, void *userdata);
void engine_vm_add_device(EngineVm *vm, const VmDevice *device, EngineDeviceFn done, void *userdata);
void engine_vm_remove_device(EngineVm *vm, const char *id, EngineDoneFn done, void *userdata);
void engine_vm_change_media(EngineVm *vm, const VmDevice *cdrom, EngineDoneFn done, void *userdata);
void engine_vm_info(EngineVm *vm, EngineInfoFn done, void *userdata);
void engine_vm_stats(EngineVm *vm, EngineInfoFn done, void *userdata);
void engine_vm_open_console(EngineVm *vm, EngineConsoleFn done, void *userdata);
void engine_vm_open_graphics(EngineVm *vm, unsigned index, EngineConsoleFn done, void *userdata);
void engine_vm_screenshot(EngineVm *vm, unsigned screen, EngineConsoleFn done, void *userdata);
void engine_vm_send_key(EngineVm *vm, const uint32_t *keycodes, size_t n_keycodes, unsigned hold_ms,
                        EngineDoneFn done, void *userdata);
pid_t engine_vm_get_pid(EngineVm *vm);
