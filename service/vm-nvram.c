/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv-error.h"
#include "vm-nvram.h"
#include "state-dir.h"

bool vm_nvram_is_ours(const VmConfig *config) {
        return config->platform.firmware.efi && !config->platform.firmware.nvram;
}

static char *nvram_dir(const char *state_dir) {
        return g_build_filename(state_dir, "nvram", NULL);
}

static char *nvram_name(const char *uuid) {
        return g_strconcat(uuid, "_VARS.fd", NULL);
}

static bool copy_all(int from, int to, GError **error) {
        char buffer[64 * 1024];

        for (;;) {
                ssize_t n = read(from, buffer, sizeof(buffer));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot read the UEFI variables template: %s",
                                    g_strerror(errno));
                        return false;
                }
                if (n == 0)
                        return true;
                for (ssize_t done = 0; done < n;) {
                        ssize_t w = write(to, buffer + done, (size_t) (n - done));
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0) {
                                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot write the UEFI variables: %s",
                                            g_strerror(errno));
                                return false;
                        }
                        done += w;
                }
        }
}

/* The template named, else the one of the firmware libvirt would choose (that of Debian's
 * descriptor the code comes from); *ret NULL beside a <loader> of no descriptor. false with
 * error set when no firmware can be chosen. */
static bool template_path(const VmConfig *config, const char **ret, GError **error) {
        VmFirmwareChoice choice;

        if (config->platform.firmware.nvram_template)
                *ret = config->platform.firmware.nvram_template;
        else if (config->loader)
                *ret = vm_firmware_template_of_code(config->loader);
        else if (vm_firmware_select(&config->platform, vm_config_machine_is_q35(config), &choice, error))
                *ret = choice.vars_template;
        else
                return false;
        return true;
}

/* The template, by the service: only a regular file in the system's OVMF folder (the
 * domain XML reader allows nothing else), never through a symlink. */
static int open_template_at(const char *path, GError **error) {
        struct stat st;
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

        if (fd < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_FOUND,
                            "Cannot open the UEFI variables template '%s': %s (is the 'ovmf' package installed?)", path,
                            g_strerror(errno));
                return -1;
        }
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > VM_NVRAM_TEMPLATE_MAX) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                            "'%s' is not a UEFI variables template (a regular file of at most %u bytes)", path,
                            (unsigned) VM_NVRAM_TEMPLATE_MAX);
                close(fd);
                return -1;
        }
        return fd;
}

/* The variables the service keeps: beside a <loader> of no descriptor, Debian's empty ones. */
static int open_template(const VmConfig *config, GError **error) {
        const char *path;

        if (!template_path(config, &path, error))
                return -1;
        return open_template_at(path ? path : VM_NVRAM_DEFAULT_TEMPLATE, error);
}

int vm_nvram_owner_template_open(const VmConfig *config, GError **error) {
        const char *path;

        if (!config->platform.firmware.nvram || !vm_firmware_uses_pflash(&config->platform.firmware))
                return 0;
        if (!template_path(config, &path, error))
                return -1;
        return path ? open_template_at(path, error) : 0;
}

/* Made under a temporary name and renamed, so that a crash never leaves half a file. */
static bool create_from_template(int dir_fd, const char *name, const VmConfig *config, GError **error) {
        g_autofree char *temporary = g_strconcat(".", name, ".new", NULL);
        int template_fd, fd;
        bool ok;

        template_fd = open_template(config, error);
        if (template_fd < 0)
                return false;
        (void) unlinkat(dir_fd, temporary, 0);
        fd = openat(dir_fd, temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot create the UEFI variables of VM '%s': %s",
                            config->name, g_strerror(errno));
                close(template_fd);
                return false;
        }
        ok = copy_all(template_fd, fd, error);
        if (ok && fsync(fd) < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot write the UEFI variables: %s", g_strerror(errno));
                ok = false;
        }
        close(fd);
        close(template_fd);
        if (ok && renameat(dir_fd, temporary, dir_fd, name) < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot create the UEFI variables of VM '%s': %s",
                            config->name, g_strerror(errno));
                ok = false;
        }
        if (!ok)
                (void) unlinkat(dir_fd, temporary, 0);
        return ok;
}

int vm_nvram_open(const char *state_dir, const VmConfig *config, GError **error) {
        g_autofree char *dir = nvram_dir(state_dir);
        g_autofree char *name = nvram_name(config->uuid);
        int dir_fd, fd;

        dir_fd = state_dir_open(dir, error);
        if (dir_fd < 0)
                return -1;
        fd = openat(dir_fd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 && errno == ENOENT) {
                /* The first boot: made from the template (error set when that fails). */
                if (!create_from_template(dir_fd, name, config, error)) {
                        close(dir_fd);
                        return -1;
                }
                fd = openat(dir_fd, name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        }
        if (fd < 0)
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot open the UEFI variables of VM '%s': %s",
                            config->name, g_strerror(errno));
        close(dir_fd);
        return fd;
}

void vm_nvram_remove(const char *state_dir, const char *uuid) {
        g_autofree char *dir = nvram_dir(state_dir);
        g_autofree char *name = nvram_name(uuid);
        g_autofree char *path = g_build_filename(dir, name, NULL);

        if (unlink(path) < 0 && errno != ENOENT)
                g_warning("Cannot remove the UEFI variables '%s': %s", path, g_strerror(errno));
}
