/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ch-tap.h"
#include "hv-error.h"

static ChTapOpenFn tap_opener;
static void *tap_opener_userdata;

void ch_tap_set_opener(ChTapOpenFn opener, void *userdata) {
        tap_opener = opener;
        tap_opener_userdata = userdata;
}

static int tap_open_real(const char *name, GError **error) {
        struct ifreq request = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };

        if (name && strlen(name) >= IFNAMSIZ) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, "Tap device name '%s' is too long", name);
                return -1;
        }
        if (name)
                strcpy(request.ifr_name, name);

        int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot open /dev/net/tun: %s", g_strerror(errno));
                return -1;
        }
        if (ioctl(fd, TUNSETIFF, &request) < 0) {
                int e = errno;
                close(fd);
                g_set_error(error, HV_ERROR, e == EPERM ? HV_ERROR_ACCESS_DENIED : HV_ERROR_FAILED,
                            "Cannot open tap device '%s': %s", name ? name : "(new)", g_strerror(e));
                return -1;
        }
        return fd;
}

int ch_tap_open(const char *name, GError **error) {
        if (tap_opener)
                return tap_opener(name, tap_opener_userdata, error);
        return tap_open_real(name, error);
}
