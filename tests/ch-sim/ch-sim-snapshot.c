/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vm.snapshot and vm.restore. The directory layout is the real one
 * (config.json, state.json, memory-ranges); state.json and memory-ranges
 * hold our own content: the guest counter, and a little pretend RAM.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ch-sim.h"

#define STATE_MAGIC "ch-sim-snapshot-1"

/* "file:///dir" -> "/dir", which must be an existing directory */
static char *url_to_directory(const char *url, const char *what, GError **error)
{
        struct stat st;

        if (!g_str_has_prefix(url, "file://")) {
                g_set_error(error, CH_ERROR, CH_ERROR_INTERNAL,
                            "%s\nInvalid URL scheme: '%s'", what, url);
                return NULL;
        }
        if (stat(url + strlen("file://"), &st) < 0 || !S_ISDIR(st.st_mode)) {
                g_set_error(error, CH_ERROR, CH_ERROR_INTERNAL,
                            "%s\nURL '%s' is not a directory", what, url);
                return NULL;
        }
        return g_strdup(url + strlen("file://"));
}

static gboolean write_file(const char *dir, const char *name, const char *data, gsize length,
                           GError **error)
{
        g_autofree char *path = g_build_filename(dir, name, NULL);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        gboolean ok;

        if (fd < 0) {
                g_set_error(error, CH_ERROR, CH_ERROR_INTERNAL,
                            "Failed to snapshot VM\nCannot create '%s'\n%s (os error %d)",
                            path, g_strerror(errno), errno);
                return FALSE;
        }
        ok = write(fd, data, length) == (ssize_t) length;
        close(fd);
        if (!ok)
                g_set_error(error, CH_ERROR, CH_ERROR_INTERNAL,
                            "Failed to snapshot VM\nCannot write '%s'", path);
        return ok;
}

gboolean ch_snapshot(const char *destination_url, GError **error)
{
        g_autofree char *dir = NULL;
        g_autofree char *config_text = NULL;
        g_autofree char *state_text = NULL;
        g_autofree char *memory = NULL;
        g_autoptr(JsonNode) config_node = json_node_new(JSON_NODE_OBJECT);

        switch (ch_vm_state()) {
        case CH_VM_NONE:
        case CH_VM_CREATED:
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is not running");
                return FALSE;
        case CH_VM_RUNNING:
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL,
                                    "Error from the VM\nFailed to snapshot VM\n"
                                    "Trying to snapshot while VM is running");
                return FALSE;
        case CH_VM_PAUSED:
                break;
        }
        dir = url_to_directory(destination_url, "Error parsing the destination URL", error);
        if (!dir)
                return FALSE;

        ch_event("vm", "snapshotting", NULL);
        json_node_set_object(config_node, ch_vm_config());
        config_text = ch_json_to_string(config_node, FALSE);
        state_text = g_strdup_printf("{\"magic\":\"%s\",\"counter\":%" G_GUINT64_FORMAT "}",
                                     STATE_MAGIC, ch_vm_counter());
        memory = g_strdup_printf("%s memory counter=%" G_GUINT64_FORMAT "\n",
                                 STATE_MAGIC, ch_vm_counter());
        if (!write_file(dir, "config.json", config_text, strlen(config_text), error) ||
            !write_file(dir, "state.json", state_text, strlen(state_text), error) ||
            !write_file(dir, "memory-ranges", memory, strlen(memory), error))
                return FALSE;
        ch_event("vm", "snapshotted", NULL);
        return TRUE;
}

static JsonObject *load_object(const char *dir, const char *name, GError **error)
{
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autoptr(JsonParser) parser = json_parser_new();
        g_autoptr(GError) local = NULL;
        JsonNode *root;

        if (!json_parser_load_from_file(parser, path, &local)) {
                g_set_error(error, CH_ERROR, CH_ERROR_INTERNAL,
                            "Error restoring VM\nCannot read '%s'\n%s", path, local->message);
                return NULL;
        }
        root = json_parser_get_root(parser);
        if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
                g_set_error(error, CH_ERROR, CH_ERROR_INTERNAL,
                            "Error restoring VM\nInvalid content in '%s'", path);
                return NULL;
        }
        return json_object_ref(json_node_get_object(root));
}

/* Fds written in config.json are stale: they must come again as net_fds. */
static gboolean replace_net_fds(JsonObject *config, JsonObject *restore, GArray *fds,
                                GError **error)
{
        JsonArray *nets = json_object_has_member(config, "net") &&
                          JSON_NODE_HOLDS_ARRAY(json_object_get_member(config, "net"))
                          ? json_object_get_array_member(config, "net") : NULL;
        JsonArray *net_fds = json_object_has_member(restore, "net_fds") &&
                             JSON_NODE_HOLDS_ARRAY(json_object_get_member(restore, "net_fds"))
                             ? json_object_get_array_member(restore, "net_fds") : NULL;
        guint next_fd = 0;

        for (guint i = 0; nets && i < json_array_get_length(nets); i++) {
                JsonObject *net = json_array_get_object_element(nets, i);
                const char *id = json_object_get_string_member_with_default(net, "id", "");
                gint64 count = -1;
                JsonArray *numbers;

                for (guint j = 0; net_fds && j < json_array_get_length(net_fds); j++) {
                        JsonObject *e = json_array_get_object_element(net_fds, j);

                        if (e && g_strcmp0(json_object_get_string_member_with_default(e, "id", NULL),
                                           id) == 0)
                                count = json_object_get_int_member_with_default(e, "num_fds", 0);
                }
                if (count < 0) {
                        if (json_object_has_member(net, "fds")) {
                                g_set_error(error, CH_ERROR, CH_ERROR_INTERNAL,
                                            "Error restoring VM\nNet device '%s' uses fds, "
                                            "but none were given in net_fds", id);
                                return FALSE;
                        }
                        continue;
                }
                numbers = json_array_new();
                for (gint64 k = 0; k < count && next_fd < fds->len; k++)
                        json_array_add_int_element(numbers, g_array_index(fds, int, next_fd++));
                json_object_set_array_member(net, "fds", numbers);
        }
        return TRUE;
}

gboolean ch_restore(JsonObject *restore, GArray *fds, GError **error)
{
        const char *url = json_object_get_string_member_with_default(restore, "source_url", "");
        g_autofree char *dir = NULL;
        g_autofree char *memory_path = NULL;
        g_autoptr(JsonObject) config = NULL;
        g_autoptr(JsonObject) state = NULL;
        JsonObject *memory;

        if (ch_vm_state() != CH_VM_NONE) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL, "VM is already created");
                return FALSE;
        }
        dir = url_to_directory(url, "Error parsing the source URL", error);
        if (!dir)
                return FALSE;
        config = load_object(dir, "config.json", error);
        if (!config)
                return FALSE;
        state = load_object(dir, "state.json", error);
        if (!state)
                return FALSE;
        if (g_strcmp0(json_object_get_string_member_with_default(state, "magic", NULL),
                      STATE_MAGIC) != 0) {
                g_set_error_literal(error, CH_ERROR, CH_ERROR_INTERNAL,
                                    "Error restoring VM\nCannot deserialize the VM state");
                return FALSE;
        }
        memory = json_object_has_member(config, "memory") &&
                 JSON_NODE_HOLDS_OBJECT(json_object_get_member(config, "memory"))
                 ? json_object_get_object_member(config, "memory") : NULL;
        memory_path = g_build_filename(dir, "memory-ranges", NULL);
        if (!(memory && json_object_get_boolean_member_with_default(memory, "shared", FALSE)) &&
            !g_file_test(memory_path, G_FILE_TEST_IS_REGULAR)) {
                g_set_error(error, CH_ERROR, CH_ERROR_INTERNAL,
                            "Error restoring VM\nCannot open '%s'\n"
                            "No such file or directory (os error 2)", memory_path);
                return FALSE;
        }
        if (!replace_net_fds(config, restore, fds, error))
                return FALSE;

        ch_vm_adopt_fds(fds);
        g_array_set_size(fds, 0);
        ch_vm_restore_from(config,
                           (guint64) json_object_get_int_member_with_default(state, "counter", 0),
                           json_object_get_boolean_member_with_default(restore, "resume", FALSE));
        return TRUE;
}
