/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "hv-error.h"
#include "unix-socket.h"

int unix_socket_listen(const char *path, int backlog, GError **error) {
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(addr.sun_path)) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Socket path '%s' is too long", path);
                return -1;
        }
        strcpy(addr.sun_path, path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        /* Only root may connect by name, whatever the umask: a runtime directory may be
         * searchable by the engine's owner (cloud-hypervisor's, ch-start.c). Before
         * listen(), so that nobody connects in between. */
        if (fd < 0 || (unlink(path) < 0 && errno != ENOENT) || bind(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0 ||
            chmod(path, 0600) < 0 || listen(fd, backlog) < 0) {
                int e = errno;
                if (fd >= 0)
                        close(fd);
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot listen on '%s': %s", path, g_strerror(e));
                return -1;
        }
        return fd;
}

int unix_socket_connect(const char *path, const char *description, GError **error) {
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
                int e = errno;
                if (fd >= 0)
                        close(fd);
                g_set_error(error, HV_ERROR, e == EAGAIN ? HV_ERROR_LIMITS_EXCEEDED : HV_ERROR_ENGINE_FAILED,
                            "Cannot connect to the %s '%s': %s", description, path, g_strerror(e));
                return -1;
        }
        /* Whoever receives it expects an ordinary blocking stream. */
        (void) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        return fd;
}
