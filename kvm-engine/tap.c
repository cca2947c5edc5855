/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tap.h"
#include "hv-error.h"

static TapOpenFn tap_opener;
static void *tap_opener_userdata;

bool tap_is_replaced(void) {
        return tap_opener != NULL;
}

void tap_set_opener(TapOpenFn opener, void *userdata) {
        tap_opener = opener;
        tap_opener_userdata = userdata;
}

/* TUNSETIFF on a fresh /dev/net/tun descriptor; -errno on failure. */
static int tun_attach(const char *name, unsigned flags) {
        struct ifreq request = { .ifr_flags = (short) flags }; /* IFF_TUN_EXCL is its sign bit */
        int fd;

        if (name)
                strcpy(request.ifr_name, name);
        fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (ioctl(fd, TUNSETIFF, &request) < 0) {
                int e = errno;
                close(fd);
                return -e;
        }
        return fd;
}

/* A number from /sys/class/net/<name>/<attribute> (owner, group: -1 for none). */
static bool read_tun_id(const char *name, const char *attribute, long *ret) {
        g_autofree char *path = g_strdup_printf("/sys/class/net/%s/%s", name, attribute);
        g_autofree char *text = NULL;
        char *end;

        if (!g_file_get_contents(path, &text, NULL, NULL))
                return false;
        errno = 0;
        *ret = strtol(text, &end, 10);
        return errno == 0 && end != text && (*end == '\n' || *end == '\0');
}

/*
 * An existing tap may be attached for the VM only when its owner could attach
 * it itself: the tun owner is the VM's owner, or the tun group is the group
 * its engine runs with (the kernel's own rule for users without
 * CAP_NET_ADMIN). Root's right to attach any tap is not lent to the VM.
 */
static bool tap_usable_by(const char *name, uid_t uid, gid_t gid, GError **error) {
        long owner, group;

        /* (uid_t) -1: the engine runs as the service itself, whose VM this is. */
        if (uid == (uid_t) -1)
                return true;

        if (!read_tun_id(name, "owner", &owner) || !read_tun_id(name, "group", &group)) {
                g_set_error(error, HV_ERROR, HV_ERROR_ACCESS_DENIED,
                            "Cannot tell who owns tap device '%s' (/sys/class/net/%s/owner): not attached", name,
                            name);
                return false;
        }
        if ((owner != -1 && owner == (long) uid) || (group != -1 && group == (long) gid))
                return true;
        g_set_error(error, HV_ERROR, HV_ERROR_ACCESS_DENIED,
                    "Tap device '%s' belongs to uid %ld (group %ld), not to the VM's owner (uid %u): not attached",
                    name, owner, group, (unsigned) uid);
        return false;
}

/* Whether the network interface exists, by ioctl (the /sys of another namespace would lie). */
static bool interface_exists(const char *name) {
        struct ifreq request = { 0 };
        int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        bool exists;

        if (sock < 0)
                return true; /* cannot tell: attaching will say */
        g_strlcpy(request.ifr_name, name, sizeof(request.ifr_name));
        exists = ioctl(sock, SIOCGIFINDEX, &request) == 0;
        close(sock);
        return exists;
}

/* create: a name that is not there makes a new tap; else it must exist (<target managed='no'>). */
static int tap_open_real(const char *name, bool create, uid_t uid, gid_t gid, GError **error) {
        const unsigned flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
        int fd;

        if (name && strlen(name) >= IFNAMSIZ) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, "Tap device name '%s' is too long", name);
                return -1;
        }
        if (!create && !interface_exists(name)) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_FOUND,
                            "Tap device '%s' of <target managed='no'> does not exist: its owner creates it "
                            "(ip tuntap add dev %s mode tap user NAME) before Boot",
                            name, name);
                return -1;
        }
        /* A new tap, made now for this VM (it goes when the engine lets go of it). */
        fd = create ? tun_attach(name, flags | IFF_TUN_EXCL) : -EBUSY;
        if (fd >= 0 || !name || fd != -EBUSY) {
                if (fd < 0)
                        g_set_error(error, HV_ERROR, fd == -EPERM ? HV_ERROR_ACCESS_DENIED : HV_ERROR_FAILED,
                                    "Cannot open tap device '%s': %s", name ? name : "(new)", g_strerror(-fd));
                return fd < 0 ? -1 : fd;
        }

        /* It exists: only if it is the owner's. Checked again once attached, on the
         * device the descriptor holds, in case the name changed hands meanwhile. */
        if (!tap_usable_by(name, uid, gid, error))
                return -1;
        fd = tun_attach(name, flags);
        if (fd < 0) {
                g_set_error(error, HV_ERROR, fd == -EPERM ? HV_ERROR_ACCESS_DENIED : HV_ERROR_FAILED,
                            "Cannot open tap device '%s': %s", name, g_strerror(-fd));
                return -1;
        }
        {
                struct ifreq attached = { 0 };

                if (ioctl(fd, TUNGETIFF, &attached) < 0 || strncmp(attached.ifr_name, name, IFNAMSIZ) != 0 ||
                    !tap_usable_by(name, uid, gid, error)) {
                        if (error && !*error)
                                g_set_error(error, HV_ERROR, HV_ERROR_FAILED,
                                            "Tap device '%s' changed while it was attached", name);
                        close(fd);
                        return -1;
                }
        }
        return fd;
}

int tap_open(const char *name, uid_t uid, gid_t gid, GError **error) {
        if (tap_opener)
                return tap_opener(name, tap_opener_userdata, error);
        return tap_open_real(name, true, uid, gid, error);
}

int tap_open_existing(const char *name, uid_t uid, gid_t gid, GError **error) {
        if (tap_opener)
                return tap_opener(name, tap_opener_userdata, error);
        return tap_open_real(name, false, uid, gid, error);
}
