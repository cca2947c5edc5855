/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The protocol node of a network disk (<disk type='network'>), as libvirt 9.0's
 * qemu_block.c writes it for QEMU 7.2: the driver of the protocol with its server(s), the
 * export, volume and path, pool and image, or URL. QEMU connects, as the VM's owner; the
 * service opens nothing. Ports left unwritten get the protocol's default, as libvirt gives it.
 */

#include <string.h>

#include "qemu-argv.h"

static const char *default_port(VmDiskProtocol protocol) {
        switch (protocol) {
        case VM_DISK_PROTOCOL_NBD:
                return "10809";
        case VM_DISK_PROTOCOL_ISCSI:
                return "3260";
        case VM_DISK_PROTOCOL_HTTP:
                return "80";
        case VM_DISK_PROTOCOL_HTTPS:
                return "443";
        case VM_DISK_PROTOCOL_FTP:
                return "21";
        case VM_DISK_PROTOCOL_FTPS:
                return "990";
        case VM_DISK_PROTOCOL_GLUSTER:
                return "24007";
        default:
                return NULL; /* rbd: Ceph's own; nfs: the portmapper's */
        }
}

static const char *host_port(const VmDiskNetwork *n, const VmDiskHost *host) {
        return host->port ? host->port : default_port(n->protocol);
}

/* QEMU's SocketAddress: {"type":"inet","host","port"} or {"type":"unix","path"}. */
static JsonNode *socket_address(const VmDiskNetwork *n, const VmDiskHost *host) {
        JsonObject *o = json_object_new();
        JsonNode *node = json_node_new(JSON_NODE_OBJECT);

        if (host->socket) {
                json_object_set_string_member(o, "type", "unix");
                json_object_set_string_member(o, "path", host->socket);
        } else {
                json_object_set_string_member(o, "type", "inet");
                json_object_set_string_member(o, "host", host->name);
                json_object_set_string_member(o, "port", host_port(n, host));
        }
        json_node_take_object(node, o);
        return node;
}

/* "host:port", an IPv6 address in brackets. */
static char *host_and_port(const VmDiskNetwork *n, const VmDiskHost *host) {
        bool ipv6 = strchr(host->name, ':') != NULL;

        return g_strdup_printf("%s%s%s:%s", ipv6 ? "[" : "", host->name, ipv6 ? "]" : "", host_port(n, host));
}

static void add_curl(JsonObject *o, const VmDiskNetwork *n) {
        const char *protocol = n->protocol == VM_DISK_PROTOCOL_HTTP    ? "http"
                               : n->protocol == VM_DISK_PROTOCOL_HTTPS ? "https"
                               : n->protocol == VM_DISK_PROTOCOL_FTP   ? "ftp"
                                                                       : "ftps";
        g_autofree char *server = host_and_port(n, &n->hosts[0]);
        g_autofree char *url = g_strdup_printf("%s://%s%s%s%s%s", protocol, server, n->name[0] == '/' ? "" : "/",
                                               n->name, n->query ? "?" : "", n->query ? n->query : "");

        json_object_set_string_member(o, "driver", protocol);
        json_object_set_string_member(o, "url", url);
        if (n->timeout)
                json_object_set_int_member(o, "timeout", n->timeout);
        if (n->readahead)
                json_object_set_int_member(o, "readahead", (gint64) n->readahead);
        if (n->ssl_verify)
                json_object_set_boolean_member(o, "sslverify", n->ssl_verify == VM_SWITCH_ON);
}

JsonObject *qemu_disk_network_blockdev(const VmDiskNetwork *n) {
        JsonObject *o = json_object_new();
        const char *slash = n->name ? strchr(n->name, '/') : NULL;
        JsonArray *servers;

        switch (n->protocol) {
        case VM_DISK_PROTOCOL_NBD:
                json_object_set_string_member(o, "driver", "nbd");
                json_object_set_member(o, "server", socket_address(n, &n->hosts[0]));
                if (n->name)
                        json_object_set_string_member(o, "export", n->name);
                break;
        case VM_DISK_PROTOCOL_ISCSI: {
                g_autofree char *portal = host_and_port(n, &n->hosts[0]);
                g_autofree char *target = slash ? g_strndup(n->name, (gsize) (slash - n->name)) : g_strdup(n->name);
                json_object_set_string_member(o, "driver", "iscsi");
                json_object_set_string_member(o, "portal", portal);
                json_object_set_string_member(o, "target", target);
                json_object_set_int_member(o, "lun", slash ? g_ascii_strtoll(slash + 1, NULL, 10) : 0);
                json_object_set_string_member(o, "transport", "tcp");
                if (n->initiator)
                        json_object_set_string_member(o, "initiator-name", n->initiator);
                break;
        }
        case VM_DISK_PROTOCOL_HTTP:
        case VM_DISK_PROTOCOL_HTTPS:
        case VM_DISK_PROTOCOL_FTP:
        case VM_DISK_PROTOCOL_FTPS:
                add_curl(o, n);
                break;
        case VM_DISK_PROTOCOL_GLUSTER: {
                g_autofree char *volume = g_strndup(n->name, (gsize) (slash - n->name));
                json_object_set_string_member(o, "driver", "gluster");
                json_object_set_string_member(o, "volume", volume);
                json_object_set_string_member(o, "path", slash + 1);
                servers = json_array_new();
                for (unsigned i = 0; i < n->n_hosts; i++)
                        json_array_add_element(servers, socket_address(n, &n->hosts[i]));
                json_object_set_array_member(o, "server", servers);
                /* libvirt's gluster_debug_level default (qemu.conf). */
                json_object_set_int_member(o, "debug", 4);
                break;
        }
        case VM_DISK_PROTOCOL_RBD: {
                g_autofree char *pool = g_strndup(n->name, (gsize) (slash - n->name));
                json_object_set_string_member(o, "driver", "rbd");
                json_object_set_string_member(o, "pool", pool);
                json_object_set_string_member(o, "image", slash + 1);
                if (n->snapshot)
                        json_object_set_string_member(o, "snapshot", n->snapshot);
                if (n->n_hosts) {
                        servers = json_array_new();
                        for (unsigned i = 0; i < n->n_hosts; i++) {
                                JsonObject *server = json_object_new();
                                json_object_set_string_member(server, "host", n->hosts[i].name);
                                if (n->hosts[i].port)
                                        json_object_set_string_member(server, "port", n->hosts[i].port);
                                json_array_add_object_element(servers, server);
                        }
                        json_object_set_array_member(o, "server", servers);
                }
                if (n->config)
                        json_object_set_string_member(o, "conf", n->config);
                break;
        }
        case VM_DISK_PROTOCOL_NFS: {
                JsonObject *server = json_object_new();
                json_object_set_string_member(server, "host", n->hosts[0].name);
                json_object_set_string_member(server, "type", "inet");
                json_object_set_string_member(o, "driver", "nfs");
                json_object_set_object_member(o, "server", server);
                json_object_set_string_member(o, "path", n->name);
                if (n->has_identity) {
                        json_object_set_int_member(o, "user", n->nfs_user);
                        json_object_set_int_member(o, "group", n->nfs_group);
                }
                break;
        }
        }
        return o;
}
