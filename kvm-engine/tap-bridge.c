/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The tap of an <interface type='bridge'> (or of a network mapped to a bridge)
 * joins its host bridge here, with the service's rights, before the engine gets
 * its descriptor. Which bridge a VM may join was decided by the service
 * (service/vm-net.c); the engine never names one. The tap leaves the bridge when
 * it goes, that is when the engine lets go of its descriptor.
 */

#include <errno.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hv-error.h"
#include "tap.h"

bool vm_interface_uses_tap(const VmInterface *net) {
        switch (net->type) {
        case VM_NET_ETHERNET:
        case VM_NET_BRIDGE:
                return true;
        case VM_NET_NETWORK:
                return net->bridge != NULL;
        case VM_NET_USER:
        case VM_NET_SERVER:
        case VM_NET_CLIENT:
        case VM_NET_MCAST:
        case VM_NET_UDP:
                return false;
        }
        return false;
}

/* By ioctl, not /sys: sysfs shows the network namespace of whoever mounted it. Whether
 * it is a bridge, SIOCBRADDIF says. */
static bool bridge_exists(const char *bridge) {
        return strlen(bridge) < IFNAMSIZ && if_nametoindex(bridge) != 0;
}

static bool tap_join_bridge(int tap_fd, const char *bridge, GError **error) {
        struct ifreq tap = { 0 }, request = { 0 };
        unsigned index;
        int sock, r = 0;

        if (ioctl(tap_fd, TUNGETIFF, &tap) < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot name the tap for bridge '%s': %s", bridge,
                            g_strerror(errno));
                return false;
        }
        index = if_nametoindex(tap.ifr_name);
        sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (index == 0 || sock < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot attach tap '%s' to bridge '%s': %s",
                            tap.ifr_name, bridge, g_strerror(errno));
                if (sock >= 0)
                        close(sock);
                return false;
        }
        strcpy(request.ifr_name, bridge);
        request.ifr_ifindex = (int) index;
        if (ioctl(sock, SIOCBRADDIF, &request) < 0)
                r = -errno;
        /* Up, as libvirt brings it: the bridge forwards only to ports that are up. */
        memset(&request, 0, sizeof(request));
        strcpy(request.ifr_name, tap.ifr_name);
        if (r == 0 && ioctl(sock, SIOCGIFFLAGS, &request) < 0)
                r = -errno;
        request.ifr_flags |= IFF_UP;
        if (r == 0 && ioctl(sock, SIOCSIFFLAGS, &request) < 0)
                r = -errno;
        close(sock);
        if (r == -EOPNOTSUPP || r == -EINVAL) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, "'%s' is not a bridge", bridge);
                return false;
        }
        if (r == -ENODEV) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_FOUND, "Bridge '%s' does not exist on this host", bridge);
                return false;
        }
        if (r < 0) {
                g_set_error(error, HV_ERROR, r == -EPERM ? HV_ERROR_ACCESS_DENIED : HV_ERROR_FAILED,
                            "Cannot attach tap '%s' to bridge '%s': %s", tap.ifr_name, bridge, g_strerror(-r));
                return false;
        }
        return true;
}

int tap_open_interface(const VmInterface *net, uid_t uid, gid_t gid, GError **error) {
        bool real = !tap_is_replaced();
        int fd;

        /* Before anything is made: a missing bridge leaves no tap behind. */
        if (real && net->bridge && !bridge_exists(net->bridge)) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_FOUND,
                            "Bridge '%s' of <interface type='%s'> does not exist on this host", net->bridge,
                            net->type == VM_NET_BRIDGE ? "bridge" : "network");
                return -1;
        }
        fd = net->target_unmanaged ? tap_open_existing(net->target_dev, uid, gid, error)
                                   : tap_open(net->target_dev, uid, gid, error);
        if (fd < 0 || !real || !net->bridge)
                return fd;
        if (!tap_join_bridge(fd, net->bridge, error)) {
                close(fd);
                return -1;
        }
        return fd;
}
