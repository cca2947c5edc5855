/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * hvctl: the command-line client of hypervisord, built on libhypervisor.
 * One file per group of commands; this header is what they share.
 */

#include <json-glib/json-glib.h>

#include "hypervisor.h"

/* Exit codes that scripts may rely on (also listed by 'hvctl --help'). */
typedef enum {
        HVCTL_EXIT_OK = 0,
        HVCTL_EXIT_FAILURE = 1,        /* the service (or the engine) reported a failure */
        HVCTL_EXIT_USAGE = 2,          /* bad command line, or a file that cannot be read */
        HVCTL_EXIT_NOT_FOUND = 3,      /* no such VM or device */
        HVCTL_EXIT_ACCESS_DENIED = 4,  /* polkit said no, or would have asked */
        HVCTL_EXIT_UNAVAILABLE = 5,    /* the service is not running or the bus cannot be reached */
        HVCTL_EXIT_INVALID_STATE = 6,  /* not allowed in the VM's current state */
        HVCTL_EXIT_TIMEOUT = 7,        /* the engine did not answer in time */
} HvctlExit;

typedef struct {
        GBusType bus_type;
        gboolean json;
        gboolean color;  /* stdout is a terminal and NO_COLOR is not set */
        gboolean stderr_is_tty;
        HypervisorClient *client;
} Hvctl;

typedef int (*HvctlCommandFunc)(Hvctl *ctl, int argc, char **argv);

typedef struct {
        const char *name;
        const char *arguments; /* e.g. "NAME [--timeout SECONDS]" */
        const char *summary;
        HvctlCommandFunc run;
} HvctlCommand;

/* hvctl.c */
int hvctl_parse_options(Hvctl *ctl, const char *command, const char *arguments, const GOptionEntry *entries,
                        int *argc, char ***argv, int n_positional_min, int n_positional_max);
int hvctl_connect(Hvctl *ctl);
int hvctl_fail(GError *error);
int hvctl_usage_error(const char *format, ...) G_GNUC_PRINTF(1, 2);
HypervisorVm *hvctl_find_vm(Hvctl *ctl, const char *name_or_uuid, GError **error);
int hvctl_read_file(const char *path, char **ret_contents);

/* hvctl-output.c */
const char *hvctl_color_state(Hvctl *ctl, const char *state);
const char *hvctl_color_reset(Hvctl *ctl);
const char *hvctl_color_bold(Hvctl *ctl);
void hvctl_print_json(JsonNode *node);
JsonNode *hvctl_vm_to_json(HypervisorVm *vm);
char *hvctl_format_memory(guint64 bytes);
void hvctl_print_table(Hvctl *ctl, const char *const *headers, GPtrArray *rows, int state_column);
void hvctl_print_variant_dict(GVariant *dict, int indent);
/* text with every old replaced. */
char *hvctl_replace(const char *text, const char *old, const char *replacement);
/* An a{sv} as "key=value key=value", strings unquoted (monitor's guest-event details). */
char *hvctl_format_details(GVariant *dict);

typedef struct HvctlProgress HvctlProgress;
HvctlProgress *hvctl_progress_start(Hvctl *ctl, const char *what);
void hvctl_progress_stop(HvctlProgress *progress, gboolean success);

/* hvctl-vm-commands.c: the device commands' virsh --current, --live, --config and --persistent. */
typedef struct {
        gboolean current, live, config, persistent;
} HvctlDeviceScope;
/* The options, pointing into o; the last entry ends the list. */
void hvctl_device_scope_entries(HvctlDeviceScope *o, GOptionEntry entries[5]);
int hvctl_device_scope_flags(const char *command, const HvctlDeviceScope *o, HypervisorDeviceFlags *ret_flags);

/* Command groups */
int hvctl_cmd_list(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_define(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_autostart(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_edit(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_create(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_delete(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_dumpxml(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_info(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_capabilities(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_attach_device(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_detach_device(Hvctl *ctl, int argc, char **argv);
/* hvctl-media.c */
int hvctl_cmd_update_device(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_change_media(Hvctl *ctl, int argc, char **argv);

int hvctl_cmd_boot(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_shutdown(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_poweroff(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_reboot(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_pause(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_resume(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_snapshot(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_restore(Hvctl *ctl, int argc, char **argv);

int hvctl_cmd_console(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_monitor(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_stats(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_top(Hvctl *ctl, int argc, char **argv);

/* hvctl-display.c */
int hvctl_cmd_screenshot(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_send_key(Hvctl *ctl, int argc, char **argv);
int hvctl_cmd_display(Hvctl *ctl, int argc, char **argv);
