/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* How hvctl shows things: tables and colour on a terminal, JSON for scripts, progress. */

#include <stdio.h>
#include <string.h>

#include "hvctl.h"

#define ANSI_RESET "\033[0m"
#define ANSI_BOLD "\033[1m"
#define ANSI_GREEN "\033[32m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_RED "\033[31m"
#define ANSI_GREY "\033[90m"
#define ANSI_CYAN "\033[36m"

const char *hvctl_color_state(Hvctl *ctl, const char *state) {
        if (!ctl->color || !state)
                return "";
        if (g_str_equal(state, "running"))
                return ANSI_GREEN;
        if (g_str_equal(state, "paused"))
                return ANSI_YELLOW;
        if (g_str_equal(state, "crashed"))
                return ANSI_RED;
        if (g_str_equal(state, "starting") || g_str_equal(state, "shutting-down"))
                return ANSI_CYAN;
        return ANSI_GREY;
}

const char *hvctl_color_reset(Hvctl *ctl) {
        return ctl->color ? ANSI_RESET : "";
}

const char *hvctl_color_bold(Hvctl *ctl) {
        return ctl->color ? ANSI_BOLD : "";
}

void hvctl_print_json(JsonNode *node) {
        g_autoptr(JsonGenerator) generator = json_generator_new();
        g_autofree char *text = NULL;

        json_generator_set_pretty(generator, TRUE);
        json_generator_set_root(generator, node);
        text = json_generator_to_data(generator, NULL);
        printf("%s\n", text);
}

static void add_string_member(JsonBuilder *builder, const char *name, const char *value) {
        json_builder_set_member_name(builder, name);
        json_builder_add_string_value(builder, value);
}

static void add_int_member(JsonBuilder *builder, const char *name, gint64 value) {
        json_builder_set_member_name(builder, name);
        json_builder_add_int_value(builder, value);
}

static void add_boolean_member(JsonBuilder *builder, const char *name, gboolean value) {
        json_builder_set_member_name(builder, name);
        json_builder_add_boolean_value(builder, value);
}

JsonNode *hvctl_vm_to_json(HypervisorVm *vm) {
        g_autoptr(JsonBuilder) builder = json_builder_new();

        json_builder_begin_object(builder);
        add_string_member(builder, "name", hypervisor_vm_get_name(vm));
        add_string_member(builder, "uuid", hypervisor_vm_get_uuid(vm));
        add_string_member(builder, "state", hypervisor_vm_get_state(vm));
        add_string_member(builder, "state-reason", hypervisor_vm_get_state_reason(vm));
        add_string_member(builder, "engine", hypervisor_vm_get_engine(vm));
        add_int_member(builder, "vcpus", hypervisor_vm_get_vcpus(vm));
        add_int_member(builder, "memory", (gint64) hypervisor_vm_get_memory(vm));
        add_boolean_member(builder, "persistent", hypervisor_vm_get_persistent(vm));
        add_boolean_member(builder, "autostart", hypervisor_vm_get_autostart(vm));
        add_int_member(builder, "owner", hypervisor_vm_get_owner(vm));
        add_int_member(builder, "pid", hypervisor_vm_get_pid(vm));
        add_string_member(builder, "object-path", hypervisor_vm_get_object_path(vm));
        json_builder_end_object(builder);
        return json_builder_get_root(builder);
}

char *hvctl_format_memory(guint64 bytes) {
        if (bytes % (1024 * 1024 * 1024) == 0 && bytes > 0)
                return g_strdup_printf("%" G_GUINT64_FORMAT " GiB", bytes / (1024 * 1024 * 1024));
        if (bytes % (1024 * 1024) == 0)
                return g_strdup_printf("%" G_GUINT64_FORMAT " MiB", bytes / (1024 * 1024));
        return g_format_size_full(bytes, G_FORMAT_SIZE_IEC_UNITS);
}

/* rows: GPtrArray of GStrv, as many cells as headers. state_column: coloured by state, or -1. */
void hvctl_print_table(Hvctl *ctl, const char *const *headers, GPtrArray *rows, int state_column) {
        guint n_columns = g_strv_length((char **) headers);
        g_autofree size_t *widths = g_new0(size_t, n_columns);
        g_autoptr(GString) line = g_string_new(NULL);

        for (guint c = 0; c < n_columns; c++)
                widths[c] = g_utf8_strlen(headers[c], -1);
        for (guint r = 0; r < rows->len; r++) {
                char **cells = g_ptr_array_index(rows, r);
                for (guint c = 0; c < n_columns; c++)
                        widths[c] = MAX(widths[c], (size_t) g_utf8_strlen(cells[c] ? cells[c] : "", -1));
        }

        for (guint c = 0; c < n_columns; c++)
                g_string_append_printf(line, "%s%s%-*s%s", c ? "  " : "", hvctl_color_bold(ctl),
                                       c + 1 < n_columns ? (int) widths[c] : 0, headers[c], hvctl_color_reset(ctl));
        printf("%s\n", line->str);
        for (guint r = 0; r < rows->len; r++) {
                char **cells = g_ptr_array_index(rows, r);

                g_string_truncate(line, 0);
                for (guint c = 0; c < n_columns; c++) {
                        const char *cell = cells[c] ? cells[c] : "";
                        size_t pad = c + 1 < n_columns ? widths[c] - g_utf8_strlen(cell, -1) : 0;
                        gboolean colored = (int) c == state_column;

                        g_string_append_printf(line, "%s%s%s%s%*s", c ? "  " : "",
                                               colored ? hvctl_color_state(ctl, cell) : "", cell,
                                               colored ? hvctl_color_reset(ctl) : "", (int) pad, "");
                }
                printf("%s\n", line->str);
        }
}

void hvctl_print_variant_dict(GVariant *dict, int indent) {
        GVariantIter iter;
        const char *key;
        GVariant *value;

        g_variant_iter_init(&iter, dict);
        while (g_variant_iter_next(&iter, "{&sv}", &key, &value)) {
                if (g_variant_is_of_type(value, G_VARIANT_TYPE_VARDICT)) {
                        printf("%*s%s:\n", indent, "", key);
                        hvctl_print_variant_dict(value, indent + 2);
                } else if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
                        printf("%*s%s: %s\n", indent, "", key, g_variant_get_string(value, NULL));
                } else {
                        g_autofree char *text = g_variant_print(value, FALSE);
                        printf("%*s%s: %s\n", indent, "", key, text);
                }
                g_variant_unref(value);
        }
}

struct HvctlProgress {
        char *what;
        gint64 start;
        guint timer;
        guint frame;
};

static gboolean on_progress_tick(gpointer data) {
        static const char *const frames[] = { "|", "/", "-", "\\" };
        HvctlProgress *progress = data;
        double elapsed = (g_get_monotonic_time() - progress->start) / 1e6;

        fprintf(stderr, "\r%s %s... %.1fs ", frames[progress->frame++ % G_N_ELEMENTS(frames)], progress->what,
                elapsed);
        fflush(stderr);
        return G_SOURCE_CONTINUE;
}

HvctlProgress *hvctl_progress_start(Hvctl *ctl, const char *what) {
        HvctlProgress *progress = g_new0(HvctlProgress, 1);

        progress->what = g_strdup(what);
        progress->start = g_get_monotonic_time();
        /* A spinner only where someone watches; scripts get the result alone. */
        if (ctl->stderr_is_tty && !ctl->json)
                progress->timer = g_timeout_add(100, on_progress_tick, progress);
        return progress;
}

void hvctl_progress_stop(HvctlProgress *progress, gboolean success) {
        if (progress->timer) {
                g_source_remove(progress->timer);
                fprintf(stderr, "\r%s %s (%.1fs)        \n", success ? "done:" : "failed:", progress->what,
                        (g_get_monotonic_time() - progress->start) / 1e6);
        }
        g_free(progress->what);
        g_free(progress);
}

char *hvctl_replace(const char *text, const char *old, const char *replacement) {
        g_auto(GStrv) parts = g_strsplit(text, old, -1);

        return g_strjoinv(replacement, parts);
}

char *hvctl_format_details(GVariant *dict) {
        g_autoptr(GString) text = g_string_new(NULL);
        GVariantIter iter;
        const char *key;
        GVariant *value;

        /* key=value, strings as they are, other values as GVariant text. */
        g_variant_iter_init(&iter, dict);
        while (g_variant_iter_next(&iter, "{&sv}", &key, &value)) {
                if (text->len)
                        g_string_append_c(text, ' ');
                if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
                        g_string_append_printf(text, "%s=%s", key, g_variant_get_string(value, NULL));
                else {
                        g_autofree char *printed = g_variant_print(value, FALSE);
                        g_string_append_printf(text, "%s=%s", key, printed);
                }
                g_variant_unref(value);
        }
        return g_string_free(g_steal_pointer(&text), FALSE);
}
