/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>

#include "hv-error.h"
#include "state-dir.h"

int state_dir_open(const char *dir, GError **error) {
        int fd;

        if (g_mkdir_with_parents(dir, 0700) < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot create '%s': %s", dir, g_strerror(errno));
                return -1;
        }
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot open '%s': %s", dir, g_strerror(errno));
        return fd;
}
