/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * hvctl: main(), the global options, the command table, and the helpers
 * every command uses (connecting, finding a VM, turning errors into
 * messages and exit codes).
 */

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>

#include "config.h"
#include "hvctl.h"

static const HvctlCommand commands[] = {
        { "list", "[--names]", "List the VMs", hvctl_cmd_list },
        { "define", "FILE [--engine ENGINE] [--autostart]", "Define (or update) a VM from domain XML", hvctl_cmd_define },
        { "autostart", "NAME [--disable]", "Boot a VM whenever the service starts (or not)", hvctl_cmd_autostart },
        { "create", "FILE", "Create and boot a transient VM from domain XML", hvctl_cmd_create },
        { "boot", "NAME", "Boot a VM", hvctl_cmd_boot },
        { "shutdown", "NAME [--timeout SECONDS]", "Ask the guest to power off", hvctl_cmd_shutdown },
        { "poweroff", "NAME", "Stop a VM at once", hvctl_cmd_poweroff },
        { "reboot", "NAME", "Reset a running VM", hvctl_cmd_reboot },
        { "pause", "NAME", "Pause a running VM", hvctl_cmd_pause },
        { "resume", "NAME", "Resume a paused VM", hvctl_cmd_resume },
        { "snapshot", "NAME DIR [--stop]", "Write a VM's state and memory to a new directory", hvctl_cmd_snapshot },
        { "restore", "NAME DIR [--resume]", "Start a shut-off VM from a snapshot", hvctl_cmd_restore },
        { "delete", "NAME [--force]", "Remove a VM and its definition", hvctl_cmd_delete },
        { "attach-device", "NAME FILE [--live] [--config] [--persistent]",
          "Add a device (hot-plug when running; --config for the next boot)", hvctl_cmd_attach_device },
        { "detach-device", "NAME ID [--live] [--config] [--persistent]", "Remove a device", hvctl_cmd_detach_device },
        { "update-device", "NAME FILE [--live] [--config] [--persistent]",
          "Change a device (a cdrom's medium) as FILE describes it", hvctl_cmd_update_device },
        { "change-media", "NAME TARGET [PATH] [--eject] [--live] [--config] [--persistent]",
          "Insert PATH into the cdrom TARGET (swapping what it holds), or eject it", hvctl_cmd_change_media },
        { "dumpxml", "NAME [--inactive]", "Print a VM's domain XML (what runs; --inactive: the definition)",
          hvctl_cmd_dumpxml },
        { "edit", "NAME", "Edit a VM's definition in $VISUAL or $EDITOR and define it again", hvctl_cmd_edit },
        { "info", "NAME", "Show a VM's properties and live facts", hvctl_cmd_info },
        { "stats", "NAME", "Show a running VM's CPU, memory, disk and network counters", hvctl_cmd_stats },
        { "top", "[--count N] [--interval SECONDS]", "Show the running VMs' statistics every few seconds", hvctl_cmd_top },
        { "capabilities", "", "Show what the host offers", hvctl_cmd_capabilities },
        { "console", "NAME", "Connect to a VM's serial console (leave with Ctrl-])", hvctl_cmd_console },
        { "display", "NAME [--index N]", "Show a VM's screen in remote-viewer", hvctl_cmd_display },
        { "screenshot", "NAME FILE.png [--screen N]", "Save a picture of a VM's screen ('-': stdout)",
          hvctl_cmd_screenshot },
        { "send-key", "NAME KEY... [--hold-time MS]", "Press keys together (e.g. ctrl alt delete)", hvctl_cmd_send_key },
        { "monitor", "[--count N]", "Print events as they happen, one line each", hvctl_cmd_monitor },
};

static const char exit_codes_text[] =
        "Exit status:\n"
        "  0  success\n"
        "  1  the service or the engine reported a failure\n"
        "  2  usage error (unknown command or option, wrong arguments, unreadable file)\n"
        "  3  no such VM or device\n"
        "  4  access denied (polkit refused, or would have asked)\n"
        "  5  the service is not running, or the bus cannot be reached\n"
        "  6  not allowed in the VM's current state\n"
        "  7  the engine did not answer in time\n";

static gboolean on_bus_option(const char *option, const char *value, gpointer data, GError **error) {
        Hvctl *ctl = data;

        ctl->bus_type = g_str_equal(option, "--session") ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM;
        return TRUE;
}

static gboolean on_json_option(const char *option, const char *value, gpointer data, GError **error) {
        Hvctl *ctl = data;

        ctl->json = TRUE;
        return TRUE;
}

static GOptionGroup *global_option_group(Hvctl *ctl) {
        static const GOptionEntry entries[] = {
                { "session", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, on_bus_option,
                  "Talk to the service on the session bus", NULL },
                { "system", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, on_bus_option,
                  "Talk to the service on the system bus (the default)", NULL },
                { "json", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, on_json_option,
                  "Print JSON for scripts", NULL },
                { NULL },
        };
        GOptionGroup *group = g_option_group_new("global", "Global options:", "Show the global options", ctl, NULL);

        g_option_group_add_entries(group, entries);
        return group;
}

int hvctl_usage_error(const char *format, ...) {
        va_list args;
        g_autofree char *message = NULL;

        va_start(args, format);
        message = g_strdup_vprintf(format, args);
        va_end(args);
        fprintf(stderr, "hvctl: %s\n", message);
        return HVCTL_EXIT_USAGE;
}

int hvctl_parse_options(Hvctl *ctl, const char *command, const char *arguments, const GOptionEntry *entries,
                        int *argc, char ***argv, int n_positional_min, int n_positional_max) {
        g_autofree char *program = g_strdup_printf("hvctl %s", command);
        g_autoptr(GOptionContext) context = g_option_context_new(arguments);
        g_autoptr(GError) error = NULL;
        int n_positional;

        /* --help's usage line: "hvctl boot [OPTION…] NAME". */
        g_set_prgname(program);

        if (entries)
                g_option_context_add_main_entries(context, entries, NULL);
        g_option_context_add_group(context, global_option_group(ctl));
        g_option_context_set_description(context, exit_codes_text);
        if (!g_option_context_parse(context, argc, argv, &error))
                return hvctl_usage_error("%s (see 'hvctl %s --help')", error->message, command);

        /* argv[0] is the command name. */
        n_positional = *argc - 1;
        if (n_positional < n_positional_min)
                return hvctl_usage_error("'%s' needs more arguments: hvctl %s %s", command, command, arguments);
        if (n_positional > n_positional_max)
                return hvctl_usage_error("Too many arguments for '%s', starting at '%s'", command,
                                         (*argv)[n_positional_max + 1]);
        return HVCTL_EXIT_OK;
}

/* Print the service's own words and choose the exit code from the error code. */
int hvctl_fail(GError *error) {
        fprintf(stderr, "hvctl: %s\n", error->message);
        if (error->domain == G_IO_ERROR && error->code == G_IO_ERROR_TIMED_OUT)
                return HVCTL_EXIT_TIMEOUT;
        if (error->domain != HYPERVISOR_ERROR)
                return HVCTL_EXIT_FAILURE;
        switch ((HypervisorError) error->code) {
        case HYPERVISOR_ERROR_NOT_FOUND:
                return HVCTL_EXIT_NOT_FOUND;
        case HYPERVISOR_ERROR_ACCESS_DENIED:
        case HYPERVISOR_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED:
                return HVCTL_EXIT_ACCESS_DENIED;
        case HYPERVISOR_ERROR_SERVICE_UNAVAILABLE:
                return HVCTL_EXIT_UNAVAILABLE;
        case HYPERVISOR_ERROR_INVALID_STATE:
                return HVCTL_EXIT_INVALID_STATE;
        case HYPERVISOR_ERROR_TIMEOUT:
                return HVCTL_EXIT_TIMEOUT;
        default:
                return HVCTL_EXIT_FAILURE;
        }
}

int hvctl_connect(Hvctl *ctl) {
        g_autoptr(GError) error = NULL;

        ctl->client = hypervisor_client_new_sync(ctl->bus_type, NULL, &error);
        if (!ctl->client)
                return hvctl_fail(error);
        return HVCTL_EXIT_OK;
}

HypervisorVm *hvctl_find_vm(Hvctl *ctl, const char *name_or_uuid, GError **error) {
        g_autoptr(GError) local_error = NULL;
        HypervisorVm *vm;

        vm = hypervisor_client_get_vm_by_name_sync(ctl->client, name_or_uuid, NULL, &local_error);
        if (vm)
                return vm;
        /* A UUID is never a valid name, so the service may call it an invalid argument. */
        if (g_uuid_string_is_valid(name_or_uuid)) {
                g_clear_error(&local_error);
                return hypervisor_client_get_vm_by_uuid_sync(ctl->client, name_or_uuid, NULL, error);
        }
        g_propagate_error(error, g_steal_pointer(&local_error));
        return NULL;
}

/* The service gets XML content, so relative paths are the caller's; "-" is standard input. */
int hvctl_read_file(const char *path, char **ret_contents) {
        g_autoptr(GError) error = NULL;

        if (g_str_equal(path, "-")) {
                g_autoptr(GInputStream) in = g_unix_input_stream_new(STDIN_FILENO, FALSE);
                g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable();

                if (g_output_stream_splice(out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error) < 0 ||
                    !g_output_stream_write(out, "", 1, NULL, &error))
                        return hvctl_usage_error("Cannot read standard input: %s", error->message);
                *ret_contents = g_memory_output_stream_steal_data(G_MEMORY_OUTPUT_STREAM(out));
                return HVCTL_EXIT_OK;
        }
        if (!g_file_get_contents(path, ret_contents, NULL, &error))
                return hvctl_usage_error("Cannot read '%s': %s", path, error->message);
        return HVCTL_EXIT_OK;
}

static void print_commands(FILE *out) {
        fprintf(out, "Usage: hvctl [--session|--system] [--json] COMMAND [ARGUMENTS]\n\nCommands:\n");
        for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
                g_autofree char *usage = g_strdup_printf("%s %s", commands[i].name, commands[i].arguments);
                fprintf(out, "  %-38s %s\n", usage, commands[i].summary);
        }
        fprintf(out, "\nNAME is a VM's name or UUID. 'hvctl COMMAND --help' shows a command's options.\n\n%s",
                exit_codes_text);
}

static const HvctlCommand *find_command(const char *name) {
        for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
                if (g_str_equal(commands[i].name, name))
                        return &commands[i];
        return NULL;
}

static gboolean use_color(void) {
        const char *term = g_getenv("TERM");

        return isatty(STDOUT_FILENO) && !g_getenv("NO_COLOR") && g_strcmp0(term, "dumb") != 0;
}

int main(int argc, char **argv) {
        Hvctl ctl = {
                .bus_type = G_BUS_TYPE_SYSTEM,
                .color = use_color(),
                .stderr_is_tty = isatty(STDERR_FILENO),
        };
        const HvctlCommand *command;
        int first = 1, r;

        setlocale(LC_ALL, "");

        /* Global options before the command; the command's own parser accepts them too. */
        for (; first < argc && argv[first][0] == '-'; first++) {
                const char *arg = argv[first];

                if (g_str_equal(arg, "--session"))
                        ctl.bus_type = G_BUS_TYPE_SESSION;
                else if (g_str_equal(arg, "--system"))
                        ctl.bus_type = G_BUS_TYPE_SYSTEM;
                else if (g_str_equal(arg, "--json"))
                        ctl.json = TRUE;
                else if (g_str_equal(arg, "--help") || g_str_equal(arg, "-h")) {
                        print_commands(stdout);
                        return HVCTL_EXIT_OK;
                } else if (g_str_equal(arg, "--version")) {
                        printf("hvctl %s\n", PACKAGE_VERSION);
                        return HVCTL_EXIT_OK;
                } else
                        return hvctl_usage_error("Unknown option '%s' (see 'hvctl --help')", arg);
        }
        if (first >= argc) {
                print_commands(stderr);
                return HVCTL_EXIT_USAGE;
        }
        command = find_command(argv[first]);
        if (!command)
                return hvctl_usage_error("Unknown command '%s' (see 'hvctl --help')", argv[first]);

        r = command->run(&ctl, argc - first, argv + first);
        g_clear_object(&ctl.client);
        return r;
}
