/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "owner-dir.h"

void owner_dir_remove(const char *path) {
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        DIR *listing = fd >= 0 ? fdopendir(fd) : NULL;
        struct dirent *entry;

        if (!listing) {
                if (fd >= 0)
                        close(fd);
                return;
        }
        while ((entry = readdir(listing)))
                if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
                        (void) unlinkat(fd, entry->d_name, 0);
        closedir(listing);
        if (rmdir(path) < 0 && errno != ENOENT && errno != ENOTEMPTY)
                g_warning("Cannot remove '%s': %s", path, g_strerror(errno));
}
