/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hv-error.h"
#include "store.h"
#include "vm-config.h"

#define HEADER_START "<?hypervisord "
#define HEADER_END "?>\n"
#define TEMP_SUFFIX ".tmp"

void stored_vm_free(StoredVm *stored) {
        if (!stored)
                return;
        g_free(stored->uuid);
        g_free(stored->engine);
        g_free(stored->xml);
        g_free(stored);
}

static bool set_errno_error(GError **error, int errnum, const char *what, const char *path) {
        g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot %s '%s': %s", what, path, g_strerror(errnum));
        return false;
}

static bool write_all(int fd, const char *data, size_t length) {
        while (length > 0) {
                ssize_t n = write(fd, data, length);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return false;
                }
                data += n;
                length -= (size_t) n;
        }
        return true;
}

bool store_write_file_atomic(const char *dir, const char *name, const char *data, size_t length, mode_t mode,
                             GError **error) {
        g_autofree char *temp_name = g_strconcat(".", name, TEMP_SUFFIX, NULL);
        g_autofree char *path = g_build_filename(dir, name, NULL);
        int dir_fd, fd, errnum;

        dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return set_errno_error(error, errno, "open directory", dir);

        fd = openat(dir_fd, temp_name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0) {
                errnum = errno;
                close(dir_fd);
                return set_errno_error(error, errnum, "create", path);
        }
        if (!write_all(fd, data, length) || fsync(fd) < 0) {
                errnum = errno;
                close(fd);
                unlinkat(dir_fd, temp_name, 0);
                close(dir_fd);
                return set_errno_error(error, errnum, "write", path);
        }
        close(fd);
        if (renameat(dir_fd, temp_name, dir_fd, name) < 0) {
                errnum = errno;
                unlinkat(dir_fd, temp_name, 0);
                close(dir_fd);
                return set_errno_error(error, errnum, "replace", path);
        }
        /* The rename is durable only once the directory is. */
        if (fsync(dir_fd) < 0) {
                errnum = errno;
                close(dir_fd);
                return set_errno_error(error, errnum, "sync directory", dir);
        }
        close(dir_fd);
        return true;
}

char *store_vm_file_name(const char *uuid) {
        return g_strconcat(uuid, ".xml", NULL);
}

char *store_format_vm(const StoredVm *stored) {
        return g_strdup_printf(HEADER_START "owner=\"%u\" engine=\"%s\" autostart=\"%s\"" HEADER_END "%s",
                               (unsigned) stored->owner, stored->engine, stored->autostart ? "yes" : "no",
                               stored->xml);
}

bool store_remove_file(const char *dir, const char *name, GError **error) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        int dir_fd;

        if (unlink(path) < 0 && errno != ENOENT)
                return set_errno_error(error, errno, "remove", path);
        /* The removal is durable only once the directory is. */
        dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return set_errno_error(error, errno, "open directory", dir);
        if (fsync(dir_fd) < 0) {
                int errnum = errno;
                close(dir_fd);
                return set_errno_error(error, errnum, "sync directory", dir);
        }
        close(dir_fd);
        return true;
}

/* The value of key="value" inside the header, or NULL. */
static char *header_value(const char *header, const char *key) {
        g_autofree char *needle = g_strconcat(" ", key, "=\"", NULL);
        const char *start = strstr(header, needle);
        const char *end;

        if (!start)
                return NULL;
        start += strlen(needle);
        end = strchr(start, '"');
        if (!end)
                return NULL;
        return g_strndup(start, (gsize) (end - start));
}

StoredVm *store_parse_vm(const char *uuid, const char *contents, GError **error) {
        g_autoptr(StoredVm) stored = g_new0(StoredVm, 1);
        g_autofree char *header = NULL;
        g_autofree char *owner = NULL;
        g_autofree char *autostart = NULL;
        const char *end;
        guint64 n;

        if (!g_str_has_prefix(contents, HEADER_START) || !(end = strstr(contents, HEADER_END))) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_XML, "Definition of '%s' has no header", uuid);
                return NULL;
        }
        header = g_strndup(contents + strlen(HEADER_START) - 1, (gsize) (end - contents) - strlen(HEADER_START) + 1);
        owner = header_value(header, "owner");
        stored->engine = header_value(header, "engine");
        autostart = header_value(header, "autostart");
        if (!owner || !g_ascii_string_to_unsigned(owner, 10, 0, G_MAXUINT32 - 1, &n, NULL) || !stored->engine ||
            !autostart) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_XML, "Definition of '%s' has a bad header", uuid);
                return NULL;
        }
        stored->owner = (uid_t) n;
        stored->autostart = g_str_equal(autostart, "yes");
        stored->uuid = g_strdup(uuid);
        stored->xml = g_strdup(end + strlen(HEADER_END));
        return g_steal_pointer(&stored);
}

GPtrArray *store_load_vms(const char *vms_dir, GError **error) {
        g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func((GDestroyNotify) stored_vm_free);
        g_autoptr(GDir) dir = NULL;
        const char *name;

        dir = g_dir_open(vms_dir, 0, error);
        if (!dir)
                return NULL;
        while ((name = g_dir_read_name(dir))) {
                g_autofree char *path = g_build_filename(vms_dir, name, NULL);
                g_autofree char *contents = NULL;
                g_autofree char *uuid = NULL;
                g_autoptr(GError) local = NULL;
                StoredVm *stored;

                if (name[0] == '.' && g_str_has_suffix(name, TEMP_SUFFIX)) {
                        /* A write that a crash interrupted; the old file is intact. */
                        unlink(path);
                        continue;
                }
                if (!g_str_has_suffix(name, ".xml"))
                        continue;
                uuid = g_strndup(name, strlen(name) - strlen(".xml"));
                if (!vm_uuid_is_valid(uuid)) {
                        g_warning("Ignoring '%s': not named by a UUID", path);
                        continue;
                }
                if (!g_file_get_contents(path, &contents, NULL, &local)) {
                        g_warning("Ignoring '%s': %s", path, local->message);
                        continue;
                }
                stored = store_parse_vm(uuid, contents, &local);
                if (!stored) {
                        g_warning("Ignoring '%s': %s", path, local->message);
                        continue;
                }
                g_ptr_array_add(result, stored);
        }
        return g_steal_pointer(&result);
}
