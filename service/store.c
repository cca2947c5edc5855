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

/* Where a change's new content waits for its rename: .name.tmp, which store_load_vms() removes. */
static char *temp_name_of(const StoreChange *change) {
        return g_strconcat(".", change->name, TEMP_SUFFIX, NULL);
}

static void remove_temp(int dir_fd, const StoreChange *change) {
        g_autofree char *temp_name = temp_name_of(change);

        unlinkat(dir_fd, temp_name, 0);
}

/* Phase one of a write: the new bytes in .name.tmp, their write to the disk started. Returns
 * the open file, or -1 with change->error set. */
static int write_temp(int dir_fd, const char *dir, StoreChange *change, mode_t mode) {
        g_autofree char *temp_name = temp_name_of(change);
        g_autofree char *path = g_build_filename(dir, change->name, NULL);
        int fd, errnum;

        fd = openat(dir_fd, temp_name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0) {
                set_errno_error(&change->error, errno, "create", path);
                return -1;
        }
        if (!write_all(fd, change->data, change->length)) {
                errnum = errno;
                close(fd);
                remove_temp(dir_fd, change);
                set_errno_error(&change->error, errnum, "write", path);
                return -1;
        }
        /* Only a hint: every file's blocks are then given out before the first fsync(), whose
         * journal commit then covers them all, and the later fsync() calls find little to do. */
        sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
        return fd;
}

/* Phase one, end: the temporary file is on disk. Closes fd. */
static bool sync_temp(int dir_fd, const char *dir, StoreChange *change, int fd) {
        g_autofree char *path = g_build_filename(dir, change->name, NULL);
        int errnum;

        if (fsync(fd) < 0) {
                errnum = errno;
                close(fd);
                remove_temp(dir_fd, change);
                return set_errno_error(&change->error, errnum, "write", path);
        }
        close(fd);
        return true;
}

/* Phase two: the file takes its new content, or goes. */
static bool replace_or_remove(int dir_fd, const char *dir, StoreChange *change) {
        g_autofree char *path = g_build_filename(dir, change->name, NULL);
        g_autofree char *temp_name = NULL;
        int errnum;

        if (!change->data) {
                if (unlinkat(dir_fd, change->name, 0) < 0 && errno != ENOENT)
                        return set_errno_error(&change->error, errno, "remove", path);
                return true;
        }
        temp_name = temp_name_of(change);
        if (renameat(dir_fd, temp_name, dir_fd, change->name) < 0) {
                errnum = errno;
                remove_temp(dir_fd, change);
                return set_errno_error(&change->error, errnum, "replace", path);
        }
        return true;
}

unsigned store_apply_changes(const char *dir, StoreChange *changes, unsigned n, mode_t mode) {
        g_autofree int *fds = g_new(int, n);
        unsigned failed = 0, made = 0;
        int dir_fd, errnum;

        dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0) {
                errnum = errno;
                for (unsigned i = 0; i < n; i++)
                        set_errno_error(&changes[i].error, errnum, "open directory", dir);
                return n;
        }
        for (unsigned i = 0; i < n; i++)
                fds[i] = changes[i].data ? write_temp(dir_fd, dir, &changes[i], mode) : -1;
        for (unsigned i = 0; i < n; i++)
                if (fds[i] >= 0)
                        sync_temp(dir_fd, dir, &changes[i], fds[i]);
        for (unsigned i = 0; i < n; i++)
                if (!changes[i].error && replace_or_remove(dir_fd, dir, &changes[i]))
                        made++;
        /* The renames and removals are durable only once the directory is; one sync serves them all. */
        if (made > 0 && fsync(dir_fd) < 0) {
                errnum = errno;
                for (unsigned i = 0; i < n; i++)
                        if (!changes[i].error)
                                set_errno_error(&changes[i].error, errnum, "sync directory", dir);
        }
        close(dir_fd);
        for (unsigned i = 0; i < n; i++)
                if (changes[i].error)
                        failed++;
        return failed;
}

/* One change alone, its error handed on. */
static bool apply_one(const char *dir, StoreChange *change, mode_t mode, GError **error) {
        if (store_apply_changes(dir, change, 1, mode) == 0)
                return true;
        g_propagate_error(error, change->error);
        return false;
}

bool store_write_file_atomic(const char *dir, const char *name, const char *data, size_t length, mode_t mode,
                             GError **error) {
        StoreChange change = { .name = name, .data = data, .length = length };

        return apply_one(dir, &change, mode, error);
}

char *store_vm_file_name(const char *uuid) {
        return g_strconcat(uuid, ".xml", NULL);
}

char *store_format_vm(const StoredVm *stored) {
        return g_strdup_printf(HEADER_START "owner=\"%u\" engine=\"%s\" autostart=\"%s\"" HEADER_END "%s",
                               (unsigned) stored->owner, stored->engine, stored->autostart ? "yes" : "no",
                               stored->xml);
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
