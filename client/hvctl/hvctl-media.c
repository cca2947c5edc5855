/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * update-device and change-media, as virsh has them: UpdateDevice with the
 * element of a file, or with the cdrom's element as GetXML() shows it, its
 * <source> replaced by the new medium or left out to eject it (so that its
 * bus, driver and address are what the service compares them with).
 */

#include <stdio.h>
#include <string.h>

#include "hvctl.h"

int hvctl_cmd_update_device(Hvctl *ctl, int argc, char **argv) {
        HvctlDeviceScope scope = {FALSE};
        HypervisorDeviceFlags flags = HYPERVISOR_DEVICE_CURRENT;
        GOptionEntry entries[5];
        g_autoptr(HypervisorVm) vm = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *xml = NULL;
        int r;

        hvctl_device_scope_entries(&scope, entries);
        if ((r = hvctl_parse_options(ctl, "update-device", "NAME FILE [--live] [--config] [--persistent]", entries,
                                     &argc, &argv, 2, 2)) != 0 ||
            (r = hvctl_device_scope_flags("update-device", &scope, &flags)) != 0 ||
            (r = hvctl_read_file(argv[2], &xml)) != 0 || (r = hvctl_connect(ctl)) != 0)
                return r;
        vm = hvctl_find_vm(ctl, argv[1], &error);
        if (!vm || !hypervisor_vm_update_device_sync(vm, xml, flags, NULL, &error))
                return hvctl_fail(error);
        if (!ctl->json)
                printf("Updated the device of VM '%s'\n", argv[1]);
        return HVCTL_EXIT_OK;
}

/* Copying the <disk> elements of a domain, each with the new <source> (or none) in place
 * of its own; the one whose <target dev> is target is kept. */
typedef struct {
        const char *target;
        const char *path; /* the new medium; NULL: none (eject) */
        GString *current; /* the <disk> being copied; NULL outside one */
        unsigned depth;   /* of the element being read inside it: the <disk> is 1 */
        unsigned skip;    /* > 0 inside its <source>, which is not copied */
        gboolean matches; /* its <target dev> is target */
        char *found;      /* the copy of the one wanted */
} MediaEdit;

static void media_on_start(GMarkupParseContext *context, const char *name, const char **attribute_names,
                           const char **attribute_values, gpointer userdata, GError **error) {
        MediaEdit *e = userdata;

        if (!e->current) {
                if (!g_str_equal(name, "disk"))
                        return;
                e->current = g_string_new(NULL);
                e->matches = FALSE;
        }
        e->depth++;
        if (e->skip > 0) {
                e->skip++;
                return;
        }
        if (e->depth == 2 && g_str_equal(name, "source")) {
                e->skip = 1;
                return;
        }
        g_string_append_printf(e->current, "<%s", name);
        for (size_t i = 0; attribute_names[i]; i++) {
                const char *value = attribute_values[i];
                g_autofree char *escaped = NULL;

                if (e->depth == 1 && e->path && g_str_equal(attribute_names[i], "type"))
                        value = "file"; /* the new medium is a file */
                if (e->depth == 2 && g_str_equal(name, "target") && g_str_equal(attribute_names[i], "dev"))
                        e->matches = g_str_equal(value, e->target);
                escaped = g_markup_escape_text(value, -1);
                g_string_append_printf(e->current, " %s='%s'", attribute_names[i], escaped);
        }
        g_string_append_c(e->current, '>');
        if (e->depth == 1 && e->path) {
                g_autofree char *escaped = g_markup_escape_text(e->path, -1);
                g_string_append_printf(e->current, "<source file='%s'/>", escaped);
        }
}

static void media_on_end(GMarkupParseContext *context, const char *name, gpointer userdata, GError **error) {
        MediaEdit *e = userdata;

        if (!e->current)
                return;
        e->depth--;
        if (e->skip > 0) {
                e->skip--;
                return;
        }
        g_string_append_printf(e->current, "</%s>", name);
        if (e->depth > 0)
                return;
        if (e->matches && !e->found)
                e->found = g_string_free(g_steal_pointer(&e->current), FALSE);
        else
                g_string_free(g_steal_pointer(&e->current), TRUE);
}

static void media_on_text(GMarkupParseContext *context, const char *text, gsize length, gpointer userdata,
                          GError **error) {
        MediaEdit *e = userdata;
        g_autofree char *escaped = NULL;

        if (!e->current || e->skip > 0)
                return;
        escaped = g_markup_escape_text(text, (gssize) length);
        g_string_append(e->current, escaped);
}

/* The <disk> of domain_xml whose <target dev> is target, with path as its medium (NULL:
 * none); NULL with error when there is none or the document does not parse. */
static char *media_element(const char *domain_xml, const char *target, const char *path, GError **error) {
        static const GMarkupParser parser = {media_on_start, media_on_end, media_on_text, NULL, NULL};
        MediaEdit e = {.target = target, .path = path};
        g_autoptr(GMarkupParseContext) context = g_markup_parse_context_new(&parser, 0, &e, NULL);
        gboolean parsed = g_markup_parse_context_parse(context, domain_xml, -1, error) &&
                          g_markup_parse_context_end_parse(context, error);

        if (e.current)
                g_string_free(e.current, TRUE);
        if (!parsed) {
                g_free(e.found);
                return NULL;
        }
        if (!e.found)
                g_set_error(error, HYPERVISOR_ERROR, HYPERVISOR_ERROR_NOT_FOUND, "The VM has no disk with target '%s'",
                            target);
        return e.found;
}

int hvctl_cmd_change_media(Hvctl *ctl, int argc, char **argv) {
        static const char arguments[] = "NAME TARGET [PATH] [--eject] [--live] [--config] [--persistent]";
        HvctlDeviceScope scope = {FALSE};
        HypervisorDeviceFlags flags = HYPERVISOR_DEVICE_CURRENT;
        gboolean eject = FALSE;
        GOptionEntry entries[6];
        g_autoptr(HypervisorVm) vm = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *path = NULL, *domain_xml = NULL, *disk = NULL;
        int r;

        hvctl_device_scope_entries(&scope, entries);
        entries[4] = (GOptionEntry){"eject", 0, 0, G_OPTION_ARG_NONE, &eject, "Empty the drive", NULL};
        entries[5] = (GOptionEntry){NULL};
        if ((r = hvctl_parse_options(ctl, "change-media", arguments, entries, &argc, &argv, 2, 3)) != 0 ||
            (r = hvctl_device_scope_flags("change-media", &scope, &flags)) != 0)
                return r;
        if (eject == (argc == 4))
                return hvctl_usage_error("change-media: give the PATH of the medium to insert, or --eject");
        if (!eject)
                path = g_canonicalize_filename(argv[3], NULL); /* relative to where hvctl runs */
        if ((r = hvctl_connect(ctl)) != 0)
                return r;
        vm = hvctl_find_vm(ctl, argv[1], &error);
        /* The cdrom as the configuration that changes has it: the definition for --config alone. */
        if (!vm || !(domain_xml = hypervisor_vm_get_xml_sync(vm, flags != HYPERVISOR_DEVICE_CONFIG, NULL, &error)))
                return hvctl_fail(error);
        disk = media_element(domain_xml, argv[2], path, &error);
        if (!disk) {
                g_prefix_error(&error, "VM '%s': ", argv[1]);
                return hvctl_fail(error);
        }
        if (!hypervisor_vm_update_device_sync(vm, disk, flags, NULL, &error))
                return hvctl_fail(error);
        if (!ctl->json) {
                if (path)
                        printf("Inserted '%s' into '%s' of VM '%s'\n", path, argv[2], argv[1]);
                else
                        printf("Ejected the medium of '%s' of VM '%s'\n", argv[2], argv[1]);
        }
        return HVCTL_EXIT_OK;
}
