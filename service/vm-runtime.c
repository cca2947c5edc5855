/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "hv-error.h"
#include "owner-dir.h"
#include "store.h"
#include "vm-config.h"
#include "vm-runtime.h"

#define GROUP "Runtime"
#define SUFFIX ".state"

void vm_runtime_free(VmRuntime *runtime) {
        if (!runtime)
                return;
        g_free(runtime->uuid);
        g_free(runtime->engine);
        g_free(runtime->state);
        g_free(runtime->live_xml);
        if (runtime->engine_facts)
                g_variant_unref(runtime->engine_facts);
        g_free(runtime);
}

bool vm_runtime_write(const char *dir, const VmRuntime *runtime, GError **error) {
        g_autoptr(GKeyFile) file = g_key_file_new();
        g_autofree char *facts = runtime->engine_facts ? g_variant_print(runtime->engine_facts, TRUE) : NULL;
        g_autofree char *name = g_strconcat(runtime->uuid, SUFFIX, NULL);
        g_autofree char *data = NULL;
        gsize length;

        g_key_file_set_string(file, GROUP, "Engine", runtime->engine);
        g_key_file_set_string(file, GROUP, "State", runtime->state);
        g_key_file_set_boolean(file, GROUP, "Persistent", runtime->persistent);
        g_key_file_set_uint64(file, GROUP, "Owner", runtime->owner);
        g_key_file_set_string(file, GROUP, "EngineFacts", facts ? facts : "");
        g_key_file_set_string(file, GROUP, "LiveXML", runtime->live_xml);
        g_key_file_set_boolean(file, GROUP, "DefinitionChanged", runtime->definition_changed);
        data = g_key_file_to_data(file, &length, NULL);
        return store_write_file_atomic(dir, name, data, length, 0600, error);
}

void vm_runtime_remove(const char *dir, const char *uuid) {
        g_autofree char *path = g_strdup_printf("%s/%s" SUFFIX, dir, uuid);

        if (unlink(path) < 0 && errno != ENOENT)
                g_warning("Cannot remove '%s': %s", path, g_strerror(errno));
}

void vm_runtime_remove_sockets(const char *dir, const char *uuid) {
        g_autofree char *path = g_build_filename(dir, uuid, NULL);
        g_autoptr(GDir) folder = g_dir_open(path, 0, NULL);
        const char *name;

        /* Sockets, fifos and the like of an engine that is gone, and the engine's own folder. */
        while (folder && (name = g_dir_read_name(folder))) {
                g_autofree char *entry = g_build_filename(path, name, NULL);
                if (unlink(entry) == 0 || errno == ENOENT)
                        continue;
                if (errno == EISDIR)
                        owner_dir_remove(entry); /* cloud-hypervisor's "engine" folder, the owner's */
                else
                        g_warning("Cannot remove '%s': %s", entry, g_strerror(errno));
        }
        if (folder && rmdir(path) < 0 && errno != ENOENT)
                g_warning("Cannot remove '%s': %s", path, g_strerror(errno));
}

static VmRuntime *load_one(const char *path, const char *uuid, GError **error) {
        g_autoptr(GKeyFile) file = g_key_file_new();
        g_autoptr(VmRuntime) runtime = g_new0(VmRuntime, 1);
        g_autofree char *facts = NULL;

        if (!g_key_file_load_from_file(file, path, G_KEY_FILE_NONE, error))
                return NULL;
        runtime->uuid = g_strdup(uuid);
        runtime->engine = g_key_file_get_string(file, GROUP, "Engine", error);
        if (!runtime->engine)
                return NULL;
        runtime->state = g_key_file_get_string(file, GROUP, "State", error);
        if (!runtime->state)
                return NULL;
        runtime->persistent = g_key_file_get_boolean(file, GROUP, "Persistent", NULL);
        runtime->owner = (uid_t) g_key_file_get_uint64(file, GROUP, "Owner", NULL);
        runtime->live_xml = g_key_file_get_string(file, GROUP, "LiveXML", error);
        if (!runtime->live_xml)
                return NULL;
        /* Absent from the files of older daemons: false. */
        runtime->definition_changed = g_key_file_get_boolean(file, GROUP, "DefinitionChanged", NULL);
        facts = g_key_file_get_string(file, GROUP, "EngineFacts", NULL);
        if (facts && *facts) {
                runtime->engine_facts = g_variant_parse(G_VARIANT_TYPE_VARDICT, facts, NULL, NULL, error);
                if (!runtime->engine_facts)
                        return NULL;
        }
        return g_steal_pointer(&runtime);
}

GPtrArray *vm_runtime_load_all(const char *dir) {
        GPtrArray *result = g_ptr_array_new_with_free_func((GDestroyNotify) vm_runtime_free);
        g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
        const char *name;

        while (d && (name = g_dir_read_name(d))) {
                g_autofree char *path = g_build_filename(dir, name, NULL);
                g_autofree char *uuid = NULL;
                g_autoptr(GError) error = NULL;
                VmRuntime *runtime;

                if (name[0] == '.' && g_str_has_suffix(name, ".tmp")) {
                        unlink(path);
                        continue;
                }
                if (!g_str_has_suffix(name, SUFFIX))
                        continue;
                uuid = g_strndup(name, strlen(name) - strlen(SUFFIX));
                if (!vm_uuid_is_valid(uuid))
                        continue;
                runtime = load_one(path, uuid, &error);
                if (!runtime) {
                        g_warning("Ignoring '%s': %s", path, error->message);
                        continue;
                }
                g_ptr_array_add(result, runtime);
        }
        return result;
}
