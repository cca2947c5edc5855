/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * hvctl commands that change a VM's state. They run the asynchronous call
 * and wait for it on the main loop, so that long ones (shutdown with a
 * timeout, snapshot, restore) can show progress on a terminal.
 */

#include <stdio.h>

#include "hvctl.h"

typedef gboolean (*FinishFunc)(HypervisorVm *vm, GAsyncResult *result, GError **error);

typedef struct {
        FinishFunc finish;
        gboolean done;
        gboolean ok;
        GError *error;
} Operation;

static void on_operation_done(GObject *source, GAsyncResult *result, gpointer user_data) {
        Operation *op = user_data;

        op->ok = op->finish(HYPERVISOR_VM(source), result, &op->error);
        op->done = TRUE;
}

/* progress_text: a spinner with the elapsed time while waiting (on a terminal only). */
static int wait_for_operation(Hvctl *ctl, Operation *op, HypervisorVm *vm, const char *progress_text,
                              const char *done_text) {
        g_autoptr(GError) error = NULL;
        HvctlProgress *progress = progress_text ? hvctl_progress_start(ctl, progress_text) : NULL;

        while (!op->done)
                g_main_context_iteration(NULL, TRUE);
        if (progress)
                hvctl_progress_stop(progress, op->ok);
        error = g_steal_pointer(&op->error);
        if (!op->ok)
                return hvctl_fail(error);
        if (!ctl->json && done_text)
                printf("VM '%s' %s\n", hypervisor_vm_get_name(vm), done_text);
        return HVCTL_EXIT_OK;
}

static int prepare(Hvctl *ctl, const char *command, const char *arguments, const GOptionEntry *entries,
                   int n_positional, int *argc, char ***argv, HypervisorVm **ret_vm) {
        g_autoptr(GError) error = NULL;
        int r;

        if ((r = hvctl_parse_options(ctl, command, arguments, entries, argc, argv, n_positional, n_positional)) != 0 ||
            (r = hvctl_connect(ctl)) != 0)
                return r;
        *ret_vm = hvctl_find_vm(ctl, (*argv)[1], &error);
        if (!*ret_vm)
                return hvctl_fail(error);
        return HVCTL_EXIT_OK;
}

typedef void (*SimpleStartFunc)(HypervisorVm *vm, GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data);

static int run_simple(Hvctl *ctl, const char *command, int argc, char **argv, SimpleStartFunc start,
                      FinishFunc finish, const char *done_text) {
        g_autoptr(HypervisorVm) vm = NULL;
        Operation op = { .finish = finish };
        int r;

        if ((r = prepare(ctl, command, "NAME", NULL, 1, &argc, &argv, &vm)) != 0)
                return r;
        start(vm, NULL, on_operation_done, &op);
        return wait_for_operation(ctl, &op, vm, NULL, done_text);
}

int hvctl_cmd_boot(Hvctl *ctl, int argc, char **argv) {
        return run_simple(ctl, "boot", argc, argv, hypervisor_vm_boot_async, hypervisor_vm_boot_finish,
                          "is running");
}

int hvctl_cmd_poweroff(Hvctl *ctl, int argc, char **argv) {
        return run_simple(ctl, "poweroff", argc, argv, hypervisor_vm_poweroff_async, hypervisor_vm_poweroff_finish,
                          "is off");
}

int hvctl_cmd_reboot(Hvctl *ctl, int argc, char **argv) {
        return run_simple(ctl, "reboot", argc, argv, hypervisor_vm_reboot_async, hypervisor_vm_reboot_finish,
                          "was reset");
}

int hvctl_cmd_pause(Hvctl *ctl, int argc, char **argv) {
        return run_simple(ctl, "pause", argc, argv, hypervisor_vm_pause_async, hypervisor_vm_pause_finish,
                          "is paused");
}

int hvctl_cmd_resume(Hvctl *ctl, int argc, char **argv) {
        return run_simple(ctl, "resume", argc, argv, hypervisor_vm_resume_async, hypervisor_vm_resume_finish,
                          "is running");
}

int hvctl_cmd_shutdown(Hvctl *ctl, int argc, char **argv) {
        int timeout = 0;
        const GOptionEntry entries[] = {
                { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout,
                  "Wait until the VM is off; force it off after SECONDS", "SECONDS" },
                { NULL },
        };
        g_autoptr(HypervisorVm) vm = NULL;
        g_autofree char *progress = NULL;
        Operation op = { .finish = hypervisor_vm_shutdown_finish };
        int r;

        if ((r = prepare(ctl, "shutdown", "NAME [--timeout SECONDS]", entries, 1, &argc, &argv, &vm)) != 0)
                return r;
        if (timeout < 0)
                return hvctl_usage_error("The timeout must not be negative, not '%d'", timeout);
        hypervisor_vm_shutdown_async(vm, (guint) timeout, NULL, on_operation_done, &op);
        if (timeout > 0)
                progress = g_strdup_printf("Shutting down '%s'", hypervisor_vm_get_name(vm));
        return wait_for_operation(ctl, &op, vm, progress,
                                  timeout > 0 ? "is off" : "was asked to shut down");
}

typedef void (*DirectoryStartFunc)(HypervisorVm *vm, const char *directory, gboolean flag, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);

/* snapshot and restore: NAME DIR and one boolean option. */
typedef struct {
        const char *command;
        const char *arguments;
        const char *flag_name;
        const char *flag_description;
        DirectoryStartFunc start;
        FinishFunc finish;
        const char *progress_verb;        /* "Saving 'vm' to 'dir'" */
        const char *progress_preposition;
        const char *done_text;
        const char *done_text_with_flag;
} DirectoryCommand;

static int run_directory_command(Hvctl *ctl, const DirectoryCommand *command, int argc, char **argv) {
        gboolean flag = FALSE;
        const GOptionEntry entries[] = {
                { command->flag_name, 0, 0, G_OPTION_ARG_NONE, &flag, command->flag_description, NULL },
                { NULL },
        };
        g_autoptr(HypervisorVm) vm = NULL;
        g_autofree char *directory = NULL;
        g_autofree char *progress = NULL;
        Operation op = { .finish = command->finish };
        int r;

        if ((r = prepare(ctl, command->command, command->arguments, entries, 2, &argc, &argv, &vm)) != 0)
                return r;
        /* The service runs elsewhere: it needs the path as the caller means it. */
        directory = g_canonicalize_filename(argv[2], NULL);
        progress = g_strdup_printf("%s '%s' %s '%s'", command->progress_verb, hypervisor_vm_get_name(vm),
                                   command->progress_preposition, directory);
        command->start(vm, directory, flag, NULL, on_operation_done, &op);
        return wait_for_operation(ctl, &op, vm, progress, flag ? command->done_text_with_flag : command->done_text);
}

int hvctl_cmd_snapshot(Hvctl *ctl, int argc, char **argv) {
        static const DirectoryCommand snapshot = {
                .command = "snapshot",
                .arguments = "NAME DIR [--stop]",
                .flag_name = "stop",
                .flag_description = "Power the VM off once the snapshot is written",
                .start = hypervisor_vm_snapshot_async,
                .finish = hypervisor_vm_snapshot_finish,
                .progress_verb = "Saving",
                .progress_preposition = "to",
                .done_text = "has been saved",
                .done_text_with_flag = "has been saved",
        };
        return run_directory_command(ctl, &snapshot, argc, argv);
}

int hvctl_cmd_restore(Hvctl *ctl, int argc, char **argv) {
        static const DirectoryCommand restore = {
                .command = "restore",
                .arguments = "NAME DIR [--resume]",
                .flag_name = "resume",
                .flag_description = "Let the guest run once restored",
                .start = hypervisor_vm_restore_async,
                .finish = hypervisor_vm_restore_finish,
                .progress_verb = "Restoring",
                .progress_preposition = "from",
                .done_text = "is restored (paused)",
                .done_text_with_flag = "is restored and running",
        };
        return run_directory_command(ctl, &restore, argc, argv);
}
