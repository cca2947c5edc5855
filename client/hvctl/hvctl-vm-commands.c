/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* hvctl commands about definitions: list, define, create, delete, dumpxml, info, capabilities, devices. */

#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

#include "hvctl.h"

static int compare_vm_names(gconstpointer a, gconstpointer b) {
        return g_strcmp0(hypervisor_vm_get_name(*(HypervisorVm *const *) a),
                         hypervisor_vm_get_name(*(HypervisorVm *const *) b));
}

int hvctl_cmd_list(Hvctl *ctl, int argc, char **argv) {
        gboolean names_only = FALSE;
        const GOptionEntry entries[] = {
                { "names", 0, 0, G_OPTION_ARG_NONE, &names_only, "Print only the names, one a line", NULL },
                { NULL },
        };
        static const char *const headers[] = { "NAME", "STATE", "ENGINE", "VCPUS", "MEMORY", "UUID", NULL };
        g_autoptr(GPtrArray) vms = NULL;
        g_autoptr(GPtrArray) rows = NULL;
        g_autoptr(GError) error = NULL;
        int r;

        if ((r = hvctl_parse_options(ctl, "list", "[--names]", entries, &argc, &argv, 0, 0)) != 0 ||
            (r = hvctl_connect(ctl)) != 0)
                return r;
        vms = hypervisor_client_list_vms_sync(ctl->client, NULL, &error);
        if (!vms)
                return hvctl_fail(error);
        /* The service lists in no particular order; people and scripts want a stable one. */
        g_ptr_array_sort(vms, compare_vm_names);

        if (ctl->json) {
                g_autoptr(JsonNode) root = json_node_new(JSON_NODE_ARRAY);
                g_autoptr(JsonArray) array = json_array_new();

                for (guint i = 0; i < vms->len; i++)
                        if (names_only) /* --json list --names: an array of names */
                                json_array_add_string_element(array, hypervisor_vm_get_name(g_ptr_array_index(vms, i)));
                        else
                                json_array_add_element(array, hvctl_vm_to_json(g_ptr_array_index(vms, i)));
                json_node_set_array(root, array);
                hvctl_print_json(root);
                return HVCTL_EXIT_OK;
        }
        if (names_only) {
                for (guint i = 0; i < vms->len; i++)
                        printf("%s\n", hypervisor_vm_get_name(g_ptr_array_index(vms, i)));
                return HVCTL_EXIT_OK;
        }

        rows = g_ptr_array_new_with_free_func((GDestroyNotify) g_strfreev);
        for (guint i = 0; i < vms->len; i++) {
                HypervisorVm *vm = g_ptr_array_index(vms, i);
                char **cells = g_new0(char *, 7);

                cells[0] = g_strdup(hypervisor_vm_get_name(vm));
                cells[1] = g_strdup(hypervisor_vm_get_state(vm));
                cells[2] = g_strdup(hypervisor_vm_get_engine(vm));
                cells[3] = g_strdup_printf("%u", hypervisor_vm_get_vcpus(vm));
                cells[4] = hvctl_format_memory(hypervisor_vm_get_memory(vm));
                cells[5] = g_strdup(hypervisor_vm_get_uuid(vm));
                g_ptr_array_add(rows, cells);
        }
        hvctl_print_table(ctl, headers, rows, 1);
        return HVCTL_EXIT_OK;
}

static void print_vm_result(Hvctl *ctl, HypervisorVm *vm, const char *verb) {
        if (ctl->json) {
                g_autoptr(JsonNode) node = hvctl_vm_to_json(vm);
                hvctl_print_json(node);
        } else
                printf("%s VM '%s' (%s)\n", verb, hypervisor_vm_get_name(vm), hypervisor_vm_get_uuid(vm));
}

int hvctl_cmd_define(Hvctl *ctl, int argc, char **argv) {
        g_autofree char *engine = NULL;
        gboolean autostart = FALSE;
        const GOptionEntry entries[] = {
                { "engine", 0, 0, G_OPTION_ARG_STRING, &engine, "Run it on this engine (qemu, cloud-hypervisor)",
                  "ENGINE" },
                { "autostart", 0, 0, G_OPTION_ARG_NONE, &autostart, "Boot it whenever the service starts", NULL },
                { NULL },
        };
        g_autoptr(HypervisorVm) vm = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *xml = NULL;
        int r;

        if ((r = hvctl_parse_options(ctl, "define", "FILE", entries, &argc, &argv, 1, 1)) != 0 ||
            (r = hvctl_read_file(argv[1], &xml)) != 0 || (r = hvctl_connect(ctl)) != 0)
                return r;
        vm = hypervisor_client_define_vm_sync(ctl->client, xml, engine, NULL, &error);
        if (!vm || (autostart && !hypervisor_vm_set_autostart_sync(vm, TRUE, NULL, &error)))
                return hvctl_fail(error);
        print_vm_result(ctl, vm, "Defined");
        return HVCTL_EXIT_OK;
}

/* Runs the user's editor on path, as a shell would ($VISUAL, $EDITOR may carry options). */
static gboolean run_editor(const char *path, GError **error) {
        const char *editor = g_getenv("VISUAL");
        const char *command[] = { "/bin/sh", "-c", NULL, "sh", path, NULL };
        g_autofree char *line = NULL;
        int status = 0;

        if (!editor || !*editor)
                editor = g_getenv("EDITOR");
        if (!editor || !*editor)
                editor = "vi";
        line = g_strdup_printf("%s \"$1\"", editor);
        command[2] = line;
        if (!g_spawn_sync(NULL, (char **) command, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, NULL, NULL,
                          &status, error))
                return FALSE;
        if (!g_spawn_check_wait_status(status, NULL)) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "The editor '%s' failed", editor);
                return FALSE;
        }
        return TRUE;
}

/*
 * hvctl edit NAME, as virsh edit: the VM's definition (not the running configuration) in
 * the user's editor, on a private temporary file, and defined again when it changed. A
 * definition the service refuses is not lost: the file stays, and the message says where.
 */
int hvctl_cmd_edit(Hvctl *ctl, int argc, char **argv) {
        g_autoptr(HypervisorVm) vm = NULL;
        g_autoptr(HypervisorVm) redefined = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *xml = NULL, *edited = NULL, *path = NULL;
        int r, fd;

        if ((r = hvctl_parse_options(ctl, "edit", "NAME", NULL, &argc, &argv, 1, 1)) != 0 ||
            (r = hvctl_connect(ctl)) != 0)
                return r;
        vm = hvctl_find_vm(ctl, argv[1], &error);
        if (!vm || !(xml = hypervisor_vm_get_xml_sync(vm, FALSE, NULL, &error)))
                return hvctl_fail(error);
        fd = g_file_open_tmp("hvctl-edit-XXXXXX.xml", &path, &error); /* 0600 */
        if (fd < 0)
                return hvctl_fail(error);
        close(fd);
        if (!g_file_set_contents(path, xml, -1, &error) || !run_editor(path, &error) ||
            !g_file_get_contents(path, &edited, NULL, &error)) {
                r = hvctl_fail(error);
                (void) unlink(path);
                return r;
        }
        if (g_str_equal(edited, xml)) {
                (void) unlink(path);
                printf("The definition of VM '%s' did not change\n", hypervisor_vm_get_name(vm));
                return HVCTL_EXIT_OK;
        }
        redefined = hypervisor_client_define_vm_sync(ctl->client, edited, NULL, NULL, &error);
        if (!redefined) {
                r = hvctl_fail(error);
                fprintf(stderr, "hvctl: your edits are kept in %s (hvctl define %s, once fixed)\n", path, path);
                return r;
        }
        (void) unlink(path);
        print_vm_result(ctl, redefined, "Redefined");
        return HVCTL_EXIT_OK;
}

int hvctl_cmd_autostart(Hvctl *ctl, int argc, char **argv) {
        gboolean disable = FALSE;
        const GOptionEntry entries[] = {
                { "disable", 0, 0, G_OPTION_ARG_NONE, &disable, "Do not boot it when the service starts", NULL },
                { NULL },
        };
        g_autoptr(HypervisorVm) vm = NULL;
        g_autoptr(GError) error = NULL;
        int r;

        if ((r = hvctl_parse_options(ctl, "autostart", "NAME [--disable]", entries, &argc, &argv, 1, 1)) != 0 ||
            (r = hvctl_connect(ctl)) != 0)
                return r;
        vm = hvctl_find_vm(ctl, argv[1], &error);
        if (!vm || !hypervisor_vm_set_autostart_sync(vm, !disable, NULL, &error))
                return hvctl_fail(error);
        if (ctl->json) {
                g_autoptr(JsonNode) node = hvctl_vm_to_json(vm);
                hvctl_print_json(node);
        } else
                printf("VM '%s' %s\n", hypervisor_vm_get_name(vm),
                       disable ? "no longer boots when the service starts" : "boots when the service starts");
        return HVCTL_EXIT_OK;
}

int hvctl_cmd_create(Hvctl *ctl, int argc, char **argv) {
        g_autoptr(HypervisorVm) vm = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *xml = NULL;
        int r;

        if ((r = hvctl_parse_options(ctl, "create", "FILE", NULL, &argc, &argv, 1, 1)) != 0 ||
            (r = hvctl_read_file(argv[1], &xml)) != 0 || (r = hvctl_connect(ctl)) != 0)
                return r;
        vm = hypervisor_client_create_vm_sync(ctl->client, xml, NULL, &error);
        if (!vm)
                return hvctl_fail(error);
        print_vm_result(ctl, vm, "Created");
        return HVCTL_EXIT_OK;
}

int hvctl_cmd_delete(Hvctl *ctl, int argc, char **argv) {
        gboolean force = FALSE;
        const GOptionEntry entries[] = {
                { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Power the VM off first when it runs", NULL },
                { NULL },
        };
        g_autoptr(HypervisorVm) vm = NULL;
        g_autoptr(GError) error = NULL;
        int r;

        if ((r = hvctl_parse_options(ctl, "delete", "NAME [--force]", entries, &argc, &argv, 1, 1)) != 0 ||
            (r = hvctl_connect(ctl)) != 0)
                return r;
        vm = hvctl_find_vm(ctl, argv[1], &error);
        if (!vm || !hypervisor_vm_delete_sync(vm, force, NULL, &error)) {
                /* The service's words name its D-Bus option; here it is a command-line option. */
                g_autofree char *message = error ? hvctl_replace(error->message, "use the 'force' option", "use --force")
                                                 : NULL;
                if (message) {
                        g_free(error->message);
                        error->message = g_steal_pointer(&message);
                }
                return hvctl_fail(error);
        }
        if (!ctl->json)
                printf("Deleted VM '%s'\n", argv[1]);
        return HVCTL_EXIT_OK;
}

/*
 * hvctl dumpxml NAME, as virsh dumpxml: what runs (with hot-plugged devices) while the VM
 * runs, its definition when it is off; --inactive the definition, which the next boot uses.
 * --live, the default, is still taken.
 */
int hvctl_cmd_dumpxml(Hvctl *ctl, int argc, char **argv) {
        gboolean live = FALSE, inactive = FALSE;
        const GOptionEntry entries[] = {
                { "inactive", 0, 0, G_OPTION_ARG_NONE, &inactive,
                  "The definition, which the next boot uses (not what runs)", NULL },
                { "live", 0, 0, G_OPTION_ARG_NONE, &live,
                  "What runs, with hot-plugged devices (the default; the definition when off)", NULL },
                { NULL },
        };
        g_autoptr(HypervisorVm) vm = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *xml = NULL;
        int r;

        if ((r = hvctl_parse_options(ctl, "dumpxml", "NAME [--inactive]", entries, &argc, &argv, 1, 1)) != 0)
                return r;
        if (live && inactive)
                return hvctl_usage_error("dumpxml: --live and --inactive exclude each other");
        if ((r = hvctl_connect(ctl)) != 0)
                return r;
        vm = hvctl_find_vm(ctl, argv[1], &error);
        if (!vm || !(xml = hypervisor_vm_get_xml_sync(vm, !inactive, NULL, &error)))
                return hvctl_fail(error);
        if (ctl->json) {
                g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
                g_autoptr(JsonObject) object = json_object_new();

                json_object_set_string_member(object, "xml", xml);
                json_node_set_object(node, object);
                hvctl_print_json(node);
        } else
                printf("%s%s", xml, g_str_has_suffix(xml, "\n") ? "" : "\n");
        return HVCTL_EXIT_OK;
}

/* What the next boot gets, when it differs from what runs: a line of info's, or NULL. */
static char *next_boot_line(HypervisorVm *vm, GVariant *info) {
        gboolean changed = FALSE;
        guint32 vcpus = 0;
        guint64 memory = 0;
        g_autofree char *memory_text = NULL;

        /* definition-changed is there only while the VM runs. */
        if (!g_variant_lookup(info, "definition-changed", "b", &changed) ||
            !g_variant_lookup(info, "next-boot-vcpus", "u", &vcpus) ||
            !g_variant_lookup(info, "next-boot-memory", "t", &memory))
                return NULL;
        if (!changed && vcpus == hypervisor_vm_get_vcpus(vm) && memory == hypervisor_vm_get_memory(vm))
                return NULL;
        memory_text = hvctl_format_memory(memory);
        return g_strdup_printf("%u vCPU%s, %s%s", vcpus, vcpus == 1 ? "" : "s", memory_text,
                               changed ? " (the definition changed since boot: hvctl dumpxml --inactive)" : "");
}

int hvctl_cmd_info(Hvctl *ctl, int argc, char **argv) {
        const char *accelerator = NULL;
        struct passwd *owner;
        g_autoptr(HypervisorVm) vm = NULL;
        g_autoptr(GVariant) info = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *memory = NULL;
        g_autofree char *next_boot = NULL;
        int r;

        if ((r = hvctl_parse_options(ctl, "info", "NAME", NULL, &argc, &argv, 1, 1)) != 0 ||
            (r = hvctl_connect(ctl)) != 0)
                return r;
        vm = hvctl_find_vm(ctl, argv[1], &error);
        if (!vm || !(info = hypervisor_vm_get_info_sync(vm, NULL, &error)))
                return hvctl_fail(error);

        if (ctl->json) {
                g_autoptr(JsonNode) node = hvctl_vm_to_json(vm);
                json_object_set_member(json_node_get_object(node), "info", json_gvariant_serialize(info));
                hvctl_print_json(node);
                return HVCTL_EXIT_OK;
        }
        memory = hvctl_format_memory(hypervisor_vm_get_memory(vm));
        printf("Name:         %s\n", hypervisor_vm_get_name(vm));
        printf("UUID:         %s\n", hypervisor_vm_get_uuid(vm));
        printf("State:        %s%s%s (%s)\n", hvctl_color_state(ctl, hypervisor_vm_get_state(vm)),
               hypervisor_vm_get_state(vm), hvctl_color_reset(ctl), hypervisor_vm_get_state_reason(vm));
        printf("Engine:       %s\n", hypervisor_vm_get_engine(vm));
        printf("vCPUs:        %u\n", hypervisor_vm_get_vcpus(vm));
        printf("Memory:       %s\n", memory);
        next_boot = next_boot_line(vm, info);
        if (next_boot)
                printf("Next boot:    %s\n", next_boot);
        printf("Persistent:   %s\n", hypervisor_vm_get_persistent(vm) ? "yes" : "no");
        printf("Autostart:    %s\n", hypervisor_vm_get_autostart(vm) ? "yes" : "no");
        printf("Owner:        %u", hypervisor_vm_get_owner(vm));
        owner = getpwuid(hypervisor_vm_get_owner(vm));
        printf(owner ? " (%s)\n" : "\n", owner ? owner->pw_name : "");
        printf("PID:          %u\n", hypervisor_vm_get_pid(vm));
        if (g_variant_lookup(info, "accelerator", "&s", &accelerator))
                printf("Accelerator:  %s%s\n",
                       g_str_equal(accelerator, "kvm")   ? "KVM"
                       : g_str_equal(accelerator, "tcg") ? "TCG (software emulation)"
                                                         : accelerator,
                       g_variant_lookup(info, "accelerator-fallback", "&s", NULL)
                               ? ", because KVM was asked for and is not available"
                               : "");
        if (g_variant_n_children(info) > 0) {
                printf("Engine facts:\n");
                hvctl_print_variant_dict(info, 2);
        }
        return HVCTL_EXIT_OK;
}

int hvctl_cmd_capabilities(Hvctl *ctl, int argc, char **argv) {
        g_autoptr(GVariant) caps = NULL;
        g_autoptr(GError) error = NULL;
        int r;

        if ((r = hvctl_parse_options(ctl, "capabilities", "", NULL, &argc, &argv, 0, 0)) != 0 ||
            (r = hvctl_connect(ctl)) != 0)
                return r;
        caps = hypervisor_client_get_capabilities_sync(ctl->client, NULL, &error);
        if (!caps)
                return hvctl_fail(error);
        if (ctl->json) {
                g_autoptr(JsonNode) node = json_gvariant_serialize(caps);
                hvctl_print_json(node);
        } else {
                const char *version = hypervisor_client_get_version(ctl->client);
                g_autofree char *engines = g_strjoinv(", ", (char **) hypervisor_client_get_engines(ctl->client));

                printf("Service version: %s\nEngines: %s (default %s)\n", version ? version : "?", engines,
                       hypervisor_client_get_default_engine(ctl->client));
                hvctl_print_variant_dict(caps, 0);
        }
        return HVCTL_EXIT_OK;
}

void hvctl_device_scope_entries(HvctlDeviceScope *o, GOptionEntry entries[5]) {
        entries[0] = (GOptionEntry){ "current", 0, 0, G_OPTION_ARG_NONE, &o->current,
                                     "The running VM when it runs, else the definition (the default)", NULL };
        entries[1] = (GOptionEntry){ "live", 0, 0, G_OPTION_ARG_NONE, &o->live, "The running VM (hot-plug)", NULL };
        entries[2] = (GOptionEntry){ "config", 0, 0, G_OPTION_ARG_NONE, &o->config,
                                     "The definition, which the next boot uses", NULL };
        entries[3] = (GOptionEntry){ "persistent", 0, 0, G_OPTION_ARG_NONE, &o->persistent,
                                     "Both the running VM and the definition", NULL };
        entries[4] = (GOptionEntry){ NULL };
}

int hvctl_device_scope_flags(const char *command, const HvctlDeviceScope *o, HypervisorDeviceFlags *ret_flags) {
        HypervisorDeviceFlags flags = HYPERVISOR_DEVICE_CURRENT;

        if (o->live)
                flags |= HYPERVISOR_DEVICE_LIVE;
        if (o->config)
                flags |= HYPERVISOR_DEVICE_CONFIG;
        if (o->persistent)
                flags |= HYPERVISOR_DEVICE_PERSISTENT;
        if (o->current && flags != HYPERVISOR_DEVICE_CURRENT)
                return hvctl_usage_error("%s: --current excludes --live, --config and --persistent", command);
        *ret_flags = flags;
        return 0;
}

int hvctl_cmd_attach_device(Hvctl *ctl, int argc, char **argv) {
        HvctlDeviceScope scope = { FALSE };
        HypervisorDeviceFlags flags = HYPERVISOR_DEVICE_CURRENT;
        GOptionEntry entries[5];
        g_autoptr(HypervisorVm) vm = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *xml = NULL;
        g_autofree char *id = NULL;
        int r;

        hvctl_device_scope_entries(&scope, entries);
        if ((r = hvctl_parse_options(ctl, "attach-device", "NAME FILE [--live] [--config] [--persistent]", entries,
                                     &argc, &argv, 2, 2)) != 0 ||
            (r = hvctl_device_scope_flags("attach-device", &scope, &flags)) != 0 ||
            (r = hvctl_read_file(argv[2], &xml)) != 0 || (r = hvctl_connect(ctl)) != 0)
                return r;
        vm = hvctl_find_vm(ctl, argv[1], &error);
        if (!vm || !(id = hypervisor_vm_add_device_with_flags_sync(vm, xml, flags, NULL, &error)))
                return hvctl_fail(error);
        if (ctl->json) {
                g_autoptr(JsonNode) node = json_node_new(JSON_NODE_OBJECT);
                g_autoptr(JsonObject) object = json_object_new();

                json_object_set_string_member(object, "id", id);
                json_node_set_object(node, object);
                hvctl_print_json(node);
        } else
                printf("%s\n", id);
        return HVCTL_EXIT_OK;
}

int hvctl_cmd_detach_device(Hvctl *ctl, int argc, char **argv) {
        HvctlDeviceScope scope = { FALSE };
        HypervisorDeviceFlags flags = HYPERVISOR_DEVICE_CURRENT;
        GOptionEntry entries[5];
        g_autoptr(HypervisorVm) vm = NULL;
        g_autoptr(GError) error = NULL;
        int r;

        hvctl_device_scope_entries(&scope, entries);
        if ((r = hvctl_parse_options(ctl, "detach-device", "NAME ID [--live] [--config] [--persistent]", entries,
                                     &argc, &argv, 2, 2)) != 0 ||
            (r = hvctl_device_scope_flags("detach-device", &scope, &flags)) != 0 || (r = hvctl_connect(ctl)) != 0)
                return r;
        vm = hvctl_find_vm(ctl, argv[1], &error);
        if (!vm || !hypervisor_vm_remove_device_with_flags_sync(vm, argv[2], flags, NULL, &error))
                return hvctl_fail(error);
        if (!ctl->json)
                printf("Removed device '%s' from %sVM '%s'%s\n", argv[2],
                       flags == HYPERVISOR_DEVICE_CONFIG ? "the definition of " : "", argv[1],
                       flags == HYPERVISOR_DEVICE_PERSISTENT ? " and its definition" : "");
        return HVCTL_EXIT_OK;
}
