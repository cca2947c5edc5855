/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv-error.h"
#include "vm-tpm.h"
#include "state-dir.h"

#define REMOVE_MAX_DEPTH 8

bool vm_tpm_is_wanted(const VmConfig *config) {
        for (guint i = 0; i < config->devices->len; i++)
                if (((const VmDevice *) config->devices->pdata[i])->kind == VM_DEVICE_TPM)
                        return true;
        return false;
}

static char *tpm_dir(const char *state_dir) {
        return g_build_filename(state_dir, "tpm", NULL);
}

int vm_tpm_state_open(const char *state_dir, const VmConfig *config, uid_t uid, gid_t gid, GError **error) {
        g_autofree char *dir = tpm_dir(state_dir);
        struct stat st;
        int dir_fd, fd;

        dir_fd = state_dir_open(dir, error);
        if (dir_fd < 0)
                return -1;
        if (mkdirat(dir_fd, config->uuid, 0700) < 0 && errno != EEXIST) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot create the TPM state of VM '%s' in '%s': %s",
                            config->name, dir, g_strerror(errno));
                close(dir_fd);
                return -1;
        }
        fd = openat(dir_fd, config->uuid, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        close(dir_fd);
        if (fd < 0 || fstat(fd, &st) < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot open the TPM state of VM '%s' in '%s': %s",
                            config->name, dir, g_strerror(errno));
                if (fd >= 0)
                        close(fd);
                return -1;
        }
        /* Ours (just made, or made before the chown below failed): the owner's from now on. A
         * folder of another user is a leftover of an earlier VM with this UUID: never handed on. */
        if (st.st_uid == getuid() && st.st_uid != uid && fchown(fd, uid, gid) < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot give the TPM state of VM '%s' to uid %u: %s",
                            config->name, (unsigned) uid, g_strerror(errno));
                close(fd);
                return -1;
        }
        if (st.st_uid != getuid() && st.st_uid != uid) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED,
                            "The TPM state '%s/%s' of VM '%s' belongs to uid %u, not to the VM's owner (uid %u): it "
                            "is left from another VM; remove it",
                            dir, config->uuid, config->name, (unsigned) st.st_uid, (unsigned) uid);
                close(fd);
                return -1;
        }
        return fd;
}

/* Empties the folder dir_fd (which it closes): every entry unlinked where it is, a folder
 * emptied first; a symbolic link is removed, never followed. */
static void remove_entries(int dir_fd, unsigned depth, unsigned *budget) {
        DIR *dir = fdopendir(dir_fd);
        struct dirent *entry;

        if (!dir) {
                close(dir_fd);
                return;
        }
        while (*budget > 0 && (entry = readdir(dir))) {
                if (g_str_equal(entry->d_name, ".") || g_str_equal(entry->d_name, ".."))
                        continue;
                (*budget)--;
                if (unlinkat(dirfd(dir), entry->d_name, 0) == 0 || errno != EISDIR)
                        continue;
                if (depth < REMOVE_MAX_DEPTH) {
                        int child = openat(dirfd(dir), entry->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                        if (child >= 0)
                                remove_entries(child, depth + 1, budget);
                }
                (void) unlinkat(dirfd(dir), entry->d_name, AT_REMOVEDIR);
        }
        closedir(dir);
}

void vm_tpm_state_remove(const char *state_dir, const char *uuid) {
        g_autofree char *dir = tpm_dir(state_dir);
        unsigned budget = VM_TPM_REMOVE_MAX;
        int dir_fd, fd;

        dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dir_fd < 0)
                return; /* no VM ever had a TPM */
        fd = openat(dir_fd, uuid, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd >= 0)
                remove_entries(fd, 0, &budget);
        if (unlinkat(dir_fd, uuid, AT_REMOVEDIR) < 0 && errno != ENOENT)
                g_warning("Cannot remove the TPM state '%s/%s': %s%s", dir, uuid, g_strerror(errno),
                          budget == 0 ? " (it holds more than " G_STRINGIFY(VM_TPM_REMOVE_MAX) " entries)" : "");
        close(dir_fd);
}
