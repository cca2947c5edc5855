/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * <disk type='network'>: reading and writing (see domain-xml-disk-network.h). Every value is
 * bounded and checked for what its protocol needs (hosts, a name of the right shape), so that
 * the engine's JSON for QEMU's block driver is made from known parts.
 */

#include <inttypes.h>
#include <string.h>

#include "domain-xml-backing.h"
#include "domain-xml-disk-network.h"
#include "domain-xml-reader.h"
#include "domain-xml-writer.h"
#include "hv-error.h"

#define NAME_MAX_LENGTH 1024
#define HOST_MAX_LENGTH 255
#define UNIX_PATH_MAX_LENGTH 107

const char *const domain_xml_disk_protocol_names[] = {
        [VM_DISK_PROTOCOL_NBD] = "nbd",         [VM_DISK_PROTOCOL_ISCSI] = "iscsi",
        [VM_DISK_PROTOCOL_HTTP] = "http",       [VM_DISK_PROTOCOL_HTTPS] = "https",
        [VM_DISK_PROTOCOL_FTP] = "ftp",         [VM_DISK_PROTOCOL_FTPS] = "ftps",
        [VM_DISK_PROTOCOL_GLUSTER] = "gluster", [VM_DISK_PROTOCOL_RBD] = "rbd",
        [VM_DISK_PROTOCOL_NFS] = "nfs",         NULL,
};

enum {
        SRC_HOST,
        SRC_SNAPSHOT,
        SRC_CONFIG,
        SRC_INITIATOR,
        SRC_TIMEOUT,
        SRC_READAHEAD,
        SRC_SSL,
        SRC_IDENTITY,
        SRC_AUTH,
        SRC_COOKIES,
        _SRC_CHILD_MAX
};
static const char *const source_children[] = {
        [SRC_HOST] = "host",
        [SRC_SNAPSHOT] = "snapshot",
        [SRC_CONFIG] = "config",
        [SRC_INITIATOR] = "initiator",
        [SRC_TIMEOUT] = "timeout",
        [SRC_READAHEAD] = "readahead",
        [SRC_SSL] = "ssl",
        [SRC_IDENTITY] = "identity",
        [SRC_AUTH] = "auth",
        [SRC_COOKIES] = "cookies",
        NULL,
};

static bool is_curl(VmDiskProtocol protocol) {
        return protocol == VM_DISK_PROTOCOL_HTTP || protocol == VM_DISK_PROTOCOL_HTTPS ||
               protocol == VM_DISK_PROTOCOL_FTP || protocol == VM_DISK_PROTOCOL_FTPS;
}

/* Printable, without white space or control characters, at most max bytes. */
static bool is_plain_text(const char *text, size_t max) {
        size_t length = strlen(text);

        if (length == 0 || length > max)
                return false;
        for (const char *p = text; *p; p++)
                if ((unsigned char) *p <= ' ' || *p == 0x7f)
                        return false;
        return true;
}

static bool parse_host(const xmlNode *node, VmDiskProtocol protocol, VmDiskHost *host, GError **error) {
        static const char *const attributes[] = {"name", "port", "transport", "socket", NULL};
        static const char *const transports[] = {"tcp", "unix", NULL};
        g_autofree char *name = NULL, *port = NULL, *socket = NULL;
        int transport;

        if (!xml_check_empty_element(node, attributes, error) ||
            !xml_attr_choice(node, "transport", transports, 0, &transport, error))
                return false;
        name = xml_attr_value(node, "name");
        port = xml_attr_value(node, "port");
        socket = xml_attr_value(node, "socket");
        if (transport == 1) {
                if (protocol != VM_DISK_PROTOCOL_NBD && protocol != VM_DISK_PROTOCOL_GLUSTER)
                        return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                        "transport='unix' of '<host>' is not supported for protocol '%s' (nbd and "
                                        "gluster have it)",
                                        domain_xml_disk_protocol_names[protocol]);
                if (name || port)
                        return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                                        "a '<host transport='unix'>' has a 'socket', no 'name' or 'port'");
                if (!socket || !g_path_is_absolute(socket) || !is_plain_text(socket, UNIX_PATH_MAX_LENGTH))
                        return xml_fail_bad_value(error, node, "socket", socket ? socket : "",
                                                  "expected an absolute path of at most 107 bytes");
                host->socket = g_steal_pointer(&socket);
                return true;
        }
        if (socket)
                return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT, "'socket' of '<host>' needs transport='unix'");
        if (!name || !is_plain_text(name, HOST_MAX_LENGTH) ||
            strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_:") != strlen(name))
                return xml_fail_bad_value(error, node, "host name", name ? name : "",
                                          "expected a host name or an IP address");
        if (port) {
                guint64 number;
                if (!g_ascii_string_to_unsigned(port, 10, 1, 65535, &number, NULL))
                        return xml_fail_bad_value(error, node, "port", port, "expected a number from 1 to 65535");
        }
        host->name = g_steal_pointer(&name);
        host->port = g_steal_pointer(&port);
        return true;
}

/* The shape of <source name> each protocol needs. */
static bool check_name(const xmlNode *source, VmDiskNetwork *n, GError **error) {
        const char *slash = n->name ? strchr(n->name, '/') : NULL;

        switch (n->protocol) {
        case VM_DISK_PROTOCOL_NBD:
                return true;
        case VM_DISK_PROTOCOL_ISCSI:
                /* target[/lun] */
                if (slash) {
                        guint64 lun;
                        if (slash == n->name || !g_ascii_string_to_unsigned(slash + 1, 10, 0, 16383, &lun, NULL))
                                return xml_fail_bad_value(error, source, "iSCSI name", n->name,
                                                          "expected 'target' or 'target/lun'");
                }
                return true;
        case VM_DISK_PROTOCOL_GLUSTER:
        case VM_DISK_PROTOCOL_RBD:
                if (!slash || slash == n->name || !slash[1])
                        return xml_fail_bad_value(error, source, "name", n->name,
                                                  n->protocol == VM_DISK_PROTOCOL_RBD ? "expected 'pool/image'"
                                                                                      : "expected 'volume/path'");
                return true;
        default:
                return true;
        }
}

/* How many <host> each protocol takes. */
static bool check_hosts(const xmlNode *source, const VmDiskNetwork *n, GError **error) {
        const char *protocol = domain_xml_disk_protocol_names[n->protocol];

        switch (n->protocol) {
        case VM_DISK_PROTOCOL_GLUSTER:
                if (n->n_hosts == 0)
                        return xml_fail(error, source, HV_ERROR_INVALID_XML,
                                        "'<source protocol='gluster'>' needs a '<host>'");
                return true;
        case VM_DISK_PROTOCOL_RBD:
                /* None: the monitors of the Ceph configuration QEMU reads as the owner. */
                return true;
        default:
                if (n->n_hosts != 1)
                        return xml_fail(error, source, HV_ERROR_INVALID_XML,
                                        "'<source protocol='%s'>' needs one '<host>'", protocol);
                return true;
        }
}

/* <snapshot name>, <config file>, <initiator><iqn name>, <timeout seconds>, <readahead size>,
 * <ssl verify>, <identity user group>: each for the protocols whose driver has it. */
static bool parse_protocol_children(xmlNode **c, VmDiskNetwork *n, GError **error) {
        const bool allowed[] = {
                [SRC_SNAPSHOT] = n->protocol == VM_DISK_PROTOCOL_RBD,
                [SRC_CONFIG] = n->protocol == VM_DISK_PROTOCOL_RBD,
                [SRC_INITIATOR] = n->protocol == VM_DISK_PROTOCOL_ISCSI,
                [SRC_TIMEOUT] = is_curl(n->protocol),
                [SRC_READAHEAD] = is_curl(n->protocol),
                [SRC_SSL] = n->protocol == VM_DISK_PROTOCOL_HTTPS || n->protocol == VM_DISK_PROTOCOL_FTPS,
                [SRC_IDENTITY] = n->protocol == VM_DISK_PROTOCOL_NFS,
        };
        static const char *const name_attribute[] = {"name", NULL};
        static const char *const file_attribute[] = {"file", NULL};

        for (int i = SRC_SNAPSHOT; i <= SRC_IDENTITY; i++)
                if (c[i] && !allowed[i])
                        return xml_fail(error, c[i], HV_ERROR_NOT_SUPPORTED,
                                        "'<%s>' in '<source>' is not supported for protocol '%s'", source_children[i],
                                        domain_xml_disk_protocol_names[n->protocol]);
        if (c[SRC_SNAPSHOT]) {
                if (!xml_check_empty_element(c[SRC_SNAPSHOT], name_attribute, error))
                        return false;
                n->snapshot = xml_attr_value(c[SRC_SNAPSHOT], "name");
                if (!n->snapshot || !is_plain_text(n->snapshot, NAME_MAX_LENGTH))
                        return xml_fail_bad_value(error, c[SRC_SNAPSHOT], "snapshot name",
                                                  n->snapshot ? n->snapshot : "", "expected a name");
        }
        if (c[SRC_CONFIG]) {
                if (!xml_check_empty_element(c[SRC_CONFIG], file_attribute, error))
                        return false;
                n->config = xml_attr_value(c[SRC_CONFIG], "file");
                if (!n->config || !g_path_is_absolute(n->config) || !is_plain_text(n->config, NAME_MAX_LENGTH))
                        return xml_fail_bad_value(error, c[SRC_CONFIG], "config file", n->config ? n->config : "",
                                                  "expected an absolute path");
        }
        if (c[SRC_INITIATOR]) {
                xmlNode *iqn = NULL;
                static const char *const iqn_children[] = {"iqn", NULL};
                if (!xml_check_attributes(c[SRC_INITIATOR], NULL, error) ||
                    !xml_collect_children(c[SRC_INITIATOR], iqn_children, &iqn, error))
                        return false;
                if (!iqn)
                        return xml_fail_missing(error, c[SRC_INITIATOR], "iqn");
                if (!xml_check_empty_element(iqn, name_attribute, error))
                        return false;
                n->initiator = xml_attr_value(iqn, "name");
                if (!n->initiator || !is_plain_text(n->initiator, 223))
                        return xml_fail_bad_value(error, iqn, "iqn name", n->initiator ? n->initiator : "",
                                                  "expected an iSCSI qualified name");
        }
        if (c[SRC_TIMEOUT]) {
                static const char *const attributes[] = {"seconds", NULL};
                g_autofree char *value = NULL;
                guint64 seconds;
                if (!xml_check_empty_element(c[SRC_TIMEOUT], attributes, error))
                        return false;
                value = xml_attr_value(c[SRC_TIMEOUT], "seconds");
                if (!value || !g_ascii_string_to_unsigned(value, 10, 1, 3600, &seconds, NULL))
                        return xml_fail_bad_value(error, c[SRC_TIMEOUT], "timeout", value ? value : "",
                                                  "expected seconds from 1 to 3600");
                n->timeout = (uint32_t) seconds;
        }
        if (c[SRC_READAHEAD]) {
                static const char *const attributes[] = {"size", NULL};
                g_autofree char *value = NULL;
                guint64 size;
                if (!xml_check_empty_element(c[SRC_READAHEAD], attributes, error))
                        return false;
                value = xml_attr_value(c[SRC_READAHEAD], "size");
                /* libvirt: bytes, as QEMU's readahead. */
                if (!value || !g_ascii_string_to_unsigned(value, 10, 1, G_GUINT64_CONSTANT(1) << 32, &size, NULL))
                        return xml_fail_bad_value(error, c[SRC_READAHEAD], "readahead", value ? value : "",
                                                  "expected bytes from 1 to 4294967296");
                n->readahead = size;
        }
        if (c[SRC_SSL]) {
                static const char *const attributes[] = {"verify", NULL};
                static const char *const switches[] = {"yes", "no", NULL};
                int verify;
                if (!xml_check_empty_element(c[SRC_SSL], attributes, error) ||
                    !xml_attr_choice(c[SRC_SSL], "verify", switches, -1, &verify, error))
                        return false;
                n->ssl_verify = verify == 0 ? VM_SWITCH_ON : VM_SWITCH_OFF;
        }
        if (c[SRC_IDENTITY]) {
                static const char *const attributes[] = {"user", "group", NULL};
                const char *names[] = {"user", "group"};
                uint32_t *values[] = {&n->nfs_user, &n->nfs_group};
                if (!xml_check_empty_element(c[SRC_IDENTITY], attributes, error))
                        return false;
                /* libvirt takes a name or '+' and a number; a name would be the host's user, which
                 * the service does not look up for the owner: numbers only. */
                for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
                        g_autofree char *value = xml_attr_value(c[SRC_IDENTITY], names[i]);
                        guint64 number;
                        if (!value || value[0] != '+' ||
                            !g_ascii_string_to_unsigned(value + 1, 10, 0, UINT32_MAX - 1, &number, NULL))
                                return xml_fail_bad_value(error, c[SRC_IDENTITY], names[i], value ? value : "",
                                                          "expected '+' and a number (a name is not supported)");
                        *values[i] = (uint32_t) number;
                }
                n->has_identity = true;
        }
        return true;
}

bool domain_xml_parse_disk_network(const xmlNode *disk, const xmlNode *source, VmDisk *ret, GError **error) {
        static const char *const attributes[] = {"protocol", "name", "query", "tls", "index", NULL};
        xmlNode *c[_SRC_CHILD_MAX] = {};
        VmDiskNetwork *n;
        int protocol;

        if (!source)
                return xml_fail_missing(error, disk, "source");
        if (!xml_check_attributes(source, attributes, error) || !domain_xml_check_source_index(source, error))
                return false;
        {
                g_autofree char *tls = xml_attr_value(source, "tls");
                if (tls)
                        return xml_fail(error, source, HV_ERROR_NOT_SUPPORTED,
                                        "attribute 'tls' of '<source>' is not supported: QEMU would need the "
                                        "host's certificates, which the service does not hand to an owner's VM");
        }
        if (!xml_attr_choice(source, "protocol", domain_xml_disk_protocol_names, -1, &protocol, error) ||
            !xml_collect_children_repeatable(source, source_children, c, (const char *const[]){"host", NULL}, error))
                return false;
        if (c[SRC_AUTH])
                return xml_fail(error, c[SRC_AUTH], HV_ERROR_NOT_SUPPORTED,
                                "'<auth>' in '<source>' is not supported: its secret is libvirt's, and the service "
                                "keeps no secrets");
        if (c[SRC_COOKIES])
                return xml_fail(error, c[SRC_COOKIES], HV_ERROR_NOT_SUPPORTED,
                                "'<cookies>' in '<source>' is not supported: QEMU takes them as a secret, and the "
                                "service keeps no secrets");

        n = g_new0(VmDiskNetwork, 1);
        ret->network = n;
        n->protocol = protocol;
        n->name = xml_attr_value(source, "name");
        n->query = xml_attr_value(source, "query");
        if (n->name && !is_plain_text(n->name, NAME_MAX_LENGTH))
                return xml_fail_bad_value(error, source, "name", n->name,
                                          "expected at most 1024 bytes without spaces or control characters");
        if (!n->name && n->protocol != VM_DISK_PROTOCOL_NBD && n->protocol != VM_DISK_PROTOCOL_ISCSI)
                return xml_fail(error, source, HV_ERROR_INVALID_XML,
                                "'<source protocol='%s'>' needs the attribute 'name'",
                                domain_xml_disk_protocol_names[n->protocol]);
        if (n->protocol == VM_DISK_PROTOCOL_ISCSI && !n->name)
                return xml_fail(error, source, HV_ERROR_INVALID_XML,
                                "'<source protocol='iscsi'>' needs the attribute 'name'");
        if (n->query && (!is_curl(n->protocol) || !is_plain_text(n->query, NAME_MAX_LENGTH)))
                return xml_fail(error, source, HV_ERROR_NOT_SUPPORTED,
                                "attribute 'query' of '<source protocol='%s'>' is not supported (http, https, ftp "
                                "and ftps have it, without spaces)",
                                domain_xml_disk_protocol_names[n->protocol]);
        for (const xmlNode *child = source->children; child; child = child->next) {
                if (!xml_is_element(child, "host"))
                        continue;
                if (n->n_hosts == VM_DISK_HOSTS_MAX)
                        return xml_fail(error, child, HV_ERROR_LIMITS_EXCEEDED,
                                        "more than %d '<host>' in a '<source>'", VM_DISK_HOSTS_MAX);
                if (!parse_host(child, n->protocol, &n->hosts[n->n_hosts], error))
                        return false;
                n->n_hosts++;
        }
        return check_name(source, n, error) && check_hosts(source, n, error) && parse_protocol_children(c, n, error);
}

void domain_xml_format_disk_network(GString *out, unsigned level, const VmDiskNetwork *n) {
        domain_xml_append_indent(out, level);
        g_string_append_printf(out, "<source protocol='%s'", domain_xml_disk_protocol_names[n->protocol]);
        if (n->name)
                domain_xml_append_attr(out, "name", n->name);
        if (n->query)
                domain_xml_append_attr(out, "query", n->query);
        g_string_append(out, ">\n");
        for (unsigned i = 0; i < n->n_hosts; i++) {
                domain_xml_append_indent(out, level + 1);
                g_string_append(out, "<host");
                if (n->hosts[i].socket) {
                        g_string_append(out, " transport='unix'");
                        domain_xml_append_attr(out, "socket", n->hosts[i].socket);
                } else {
                        domain_xml_append_attr(out, "name", n->hosts[i].name);
                        if (n->hosts[i].port)
                                domain_xml_append_attr(out, "port", n->hosts[i].port);
                }
                g_string_append(out, "/>\n");
        }
        if (n->snapshot) {
                domain_xml_append_indent(out, level + 1);
                g_string_append(out, "<snapshot");
                domain_xml_append_attr(out, "name", n->snapshot);
                g_string_append(out, "/>\n");
        }
        if (n->config) {
                domain_xml_append_indent(out, level + 1);
                g_string_append(out, "<config");
                domain_xml_append_attr(out, "file", n->config);
                g_string_append(out, "/>\n");
        }
        if (n->initiator) {
                domain_xml_append_indent(out, level + 1);
                g_string_append(out, "<initiator>\n");
                domain_xml_append_indent(out, level + 2);
                g_string_append(out, "<iqn");
                domain_xml_append_attr(out, "name", n->initiator);
                g_string_append(out, "/>\n");
                domain_xml_append_indent(out, level + 1);
                g_string_append(out, "</initiator>\n");
        }
        if (n->timeout) {
                domain_xml_append_indent(out, level + 1);
                g_string_append_printf(out, "<timeout seconds='%" PRIu32 "'/>\n", n->timeout);
        }
        if (n->readahead) {
                domain_xml_append_indent(out, level + 1);
                g_string_append_printf(out, "<readahead size='%" PRIu64 "'/>\n", n->readahead);
        }
        if (n->ssl_verify) {
                domain_xml_append_indent(out, level + 1);
                g_string_append_printf(out, "<ssl verify='%s'/>\n", n->ssl_verify == VM_SWITCH_ON ? "yes" : "no");
        }
        if (n->has_identity) {
                domain_xml_append_indent(out, level + 1);
                g_string_append_printf(out, "<identity user='+%" PRIu32 "' group='+%" PRIu32 "'/>\n", n->nfs_user,
                                       n->nfs_group);
        }
        domain_xml_append_indent(out, level);
        g_string_append(out, "</source>\n");
}
