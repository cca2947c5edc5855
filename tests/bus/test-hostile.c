/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Random, hostile method calls at the running service: random methods on the Manager, on
 * real and made-up VM objects and on the standard interfaces, with random strings (huge,
 * deeply nested, broken XML), random options and wrong signatures, many in flight at once.
 * Afterwards the daemon must be alive, must not have leaked descriptors, and every
 * definition it wrote must load again after a restart.
 *
 * The seed is printed; replay a failure with HV_HOSTILE_SEED=<seed>. HV_HOSTILE_CALLS sets
 * the number of calls.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gunixfdlist.h>

#include "hv-test.h"

#define BUS_NAME "org.example.Hypervisor"
#define MANAGER_PATH "/org/example/Hypervisor"
#define MANAGER_IFACE "org.example.Hypervisor.Manager"
#define VM_IFACE "org.example.Hypervisor.VM"
#define VM_PATH_PREFIX "/org/example/Hypervisor/vm/"

#define DEFAULT_CALLS 3000
#define MAX_SECONDS 20
#define IN_FLIGHT 20
#define CALL_TIMEOUT_MS 30000
#define FD_SLACK 8
#define HUGE_SIZE (1536 * 1024)

typedef struct {
        HvTest *t;
        GRand *rand;
        GPtrArray *vm_paths;     /* char*: the VMs we last saw in ListVMs or got from DefineVM */
        GHashTable *replies;     /* reply or error name -> count (GUINT_TO_POINTER) */
        GPtrArray *bad_replies;  /* char*: descriptions of replies that break the contract */
        unsigned in_flight;
        unsigned sent;
        unsigned answered;
} Hostile;

typedef struct {
        Hostile *hostile;
        char *description;       /* "Interface.Method on path with signature", for bad-reply reports */
} PendingCall;

static unsigned pick(Hostile *h, unsigned n) {
        return (unsigned) g_rand_int_range(h->rand, 0, (gint32) n);
}

static gboolean chance(Hostile *h, double probability) {
        return g_rand_double(h->rand) < probability;
}

static const char *pick_string(Hostile *h, const char *const *strings, unsigned n) {
        return strings[pick(h, n)];
}

static void append_random_ascii(Hostile *h, GString *s, size_t length) {
        static const char alphabet[] = "abcxyzABC0123456789 <>&;'\"/.\\-_=?!%$#@*()[]{}|~`^+,:\n\t";

        for (size_t i = 0; i < length; i++)
                g_string_append_c(s, alphabet[pick(h, sizeof(alphabet) - 1)]);
}

/* Valid UTF-8 of random code points, no NUL (D-Bus strings cannot carry it). */
static void append_random_unicode(Hostile *h, GString *s, size_t length) {
        for (size_t i = 0; i < length; i++) {
                gunichar c;

                do
                        c = (gunichar) g_rand_int_range(h->rand, 1, 0x10FFFF);
                while (!g_unichar_validate(c));
                g_string_append_unichar(s, c);
        }
}

static char *random_name(Hostile *h) {
        /* A small pool so that redefinitions and name collisions happen. */
        static const char *const names[] = { "h0", "h1", "h2", "h3", "web", "db", "x", "a-b_c.d" };
        return g_strdup(pick_string(h, names, G_N_ELEMENTS(names)));
}

static char *random_uuid(Hostile *h) {
        static const char *const uuids[] = {
                "11111111-2222-3333-4444-555555555555", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
                "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE", "00000000-0000-0000-0000-000000000000",
                "11111111-2222-3333-4444-55555555555",  "zzzzzzzz-2222-3333-4444-555555555555",
        };
        return g_strdup(pick_string(h, uuids, G_N_ELEMENTS(uuids)));
}

static char *valid_domain_xml(Hostile *h) {
        g_autofree char *name = random_name(h);
        g_autofree char *uuid = chance(h, 0.5) ? random_uuid(h) : NULL;

        return hv_minimal_xml(h->t, name, uuid);
}

static char *device_xml(Hostile *h) {
        static const char *const devices[] = {
                "<disk type='file'><source file='disk.raw'/><target dev='vdb' bus='virtio'/></disk>",
                "<disk type='file'><source file='../../../etc/shadow'/><target dev='vdc' bus='virtio'/></disk>",
                "<disk type='file'><source file='/dev/sda'/><target dev='vda' bus='virtio'/></disk>",
                "<interface type='ethernet'><model type='virtio'/></interface>",
                "<interface type='network'><source network='default'/></interface>",
                "<hostdev mode='subsystem' type='pci'><source><address domain='0' bus='1' slot='2' "
                "function='3'/></source></hostdev>",
                "<vsock model='virtio'><cid auto='no' address='3'/></vsock>",
                "<disk type='file'><source file='a&amp;b'/><target dev='vd' bus='usb'/></disk>",
                "<disk>", "</disk>", "<serial type='pty'/>", "<console/>", "<memballoon model='none'/>",
        };
        return g_strdup(pick_string(h, devices, G_N_ELEMENTS(devices)));
}

static char *deep_nesting(Hostile *h) {
        unsigned depth = 1 + pick(h, chance(h, 0.2) ? 100000 : 300);
        g_autoptr(GString) s = g_string_new("<domain type='qemu'><name>deep</name><memory>1024</memory>");

        for (unsigned i = 0; i < depth; i++)
                g_string_append(s, "<a>");
        if (chance(h, 0.5))
                for (unsigned i = 0; i < depth; i++)
                        g_string_append(s, "</a>");
        g_string_append(s, "</domain>");
        return g_string_free(g_steal_pointer(&s), FALSE);
}

static char *huge_string(Hostile *h) {
        size_t size = HUGE_SIZE / 2 + pick(h, HUGE_SIZE / 2);
        g_autoptr(GString) s = g_string_sized_new(size + 256);

        switch (pick(h, 3)) {
        case 0: /* a domain whose description is huge */
                g_string_append(s, "<domain type='qemu'><name>huge</name><description>");
                while (s->len < size)
                        g_string_append(s, "lorem &amp; ipsum ");
                g_string_append(s, "</description><memory>1024</memory></domain>");
                break;
        case 1: /* a huge name */
                g_string_append(s, "<domain type='qemu'><name>");
                while (s->len < size)
                        g_string_append_c(s, 'n');
                g_string_append(s, "</name><memory>1024</memory></domain>");
                break;
        default:
                append_random_ascii(h, s, size);
        }
        return g_string_free(g_steal_pointer(&s), FALSE);
}

static char *random_string(Hostile *h) {
        static const char *const fixed[] = {
                "", ".", "..", "/", "//", "../../etc/passwd", "/etc/passwd", "/proc/self/mem", "/dev/zero",
                "/tmp", "a/b", "-", "--help", "%s%s%s%n", "&", "<", ">", "]]>", "<?xml version='1.0'?>",
                "<!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain type='qemu'><name>&x;</name>"
                "<memory>1024</memory></domain>",
                "<!DOCTYPE d [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>"
                "<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'><!ENTITY d '&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;'>]>"
                "<domain type='qemu'><name>&d;</name><memory>1024</memory></domain>",
                "<domain/>", "<domain type='kvm'></domain>", "<domain type='qemu'><name>x</name></domain>",
                "<domain type='qemu'><name>x</name><memory unit='EiB'>99999999999999999999</memory></domain>",
                "<domain type='qemu'><name>x</name><memory>1024</memory><vcpu>4294967296</vcpu></domain>",
                "<domain type='qemu'><name>x</name><memory>-1</memory></domain>",
                "<domain type='qemu'><name>../x</name><memory>1024</memory></domain>",
                "<domain type='qemu'><name>x</name><uuid>../../../../tmp/x</uuid><memory>1024</memory></domain>",
                "<domain type='qemu'><name>x</name><memory>1024</memory><os><kernel>/etc/passwd</kernel></os>"
                "</domain>",
                "<domain type='cloud-hypervisor'><name>chx</name><memory>1024</memory></domain>",
                "qemu", "cloud-hypervisor", "kvm", "tcg", "vda", "disk0", "net0", "h0", "web",
        };
        g_autoptr(GString) s = NULL;
        unsigned kind = pick(h, 1000);

        if (kind < 3)
                return huge_string(h);
        if (kind < 30)
                return deep_nesting(h);
        if (kind < 200)
                return valid_domain_xml(h);
        if (kind < 300) { /* a valid domain cut short or with a byte changed */
                g_autofree char *xml = valid_domain_xml(h);
                size_t length = strlen(xml);

                s = g_string_new(xml);
                if (chance(h, 0.5))
                        g_string_truncate(s, pick(h, (unsigned) length));
                else
                        s->str[pick(h, (unsigned) length)] = "<>&'\"/ x"[pick(h, 8)];
                return g_string_free(g_steal_pointer(&s), FALSE);
        }
        if (kind < 380)
                return device_xml(h);
        if (kind < 450)
                return random_name(h);
        if (kind < 500)
                return random_uuid(h);
        if (kind < 700)
                return g_strdup(pick_string(h, fixed, G_N_ELEMENTS(fixed)));
        s = g_string_new(NULL);
        if (kind < 850)
                append_random_ascii(h, s, pick(h, 200));
        else
                append_random_unicode(h, s, pick(h, 100));
        return g_string_free(g_steal_pointer(&s), FALSE);
}

static char *random_object_path(Hostile *h) {
        static const char *const paths[] = {
                "/", "/org", "/org/example", MANAGER_PATH, "/org/example/Hypervisor/vm",
                VM_PATH_PREFIX "0", VM_PATH_PREFIX "11111111_2d2222_2d3333_2d4444_2d555555555555",
                VM_PATH_PREFIX "does_not_exist", VM_PATH_PREFIX "a/b/c", "/org/freedesktop/DBus",
        };

        if (h->vm_paths->len > 0 && chance(h, 0.3))
                return g_strdup(h->vm_paths->pdata[pick(h, h->vm_paths->len)]);
        if (chance(h, 0.7))
                return g_strdup(pick_string(h, paths, G_N_ELEMENTS(paths)));
        {
                g_autoptr(GString) s = g_string_new(VM_PATH_PREFIX);
                unsigned length = 1 + pick(h, 60);

                for (unsigned i = 0; i < length; i++)
                        g_string_append_c(s, "abcdef0123456789_"[pick(h, 17)]);
                return g_string_free(g_steal_pointer(&s), FALSE);
        }
}

static GVariant *random_value(Hostile *h, unsigned depth);

static GVariant *random_vardict(Hostile *h, unsigned depth) {
        static const char *const keys[] = { "engine", "force", "live", "timeout", "stop", "resume", "",
                                             "Engine", "force ", "x-unknown", "interactive" };
        g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_VARDICT);
        unsigned n = chance(h, 0.5) ? 0 : 1 + pick(h, 4);

        for (unsigned i = 0; i < n; i++) {
                g_autofree char *key = chance(h, 0.8) ? g_strdup(pick_string(h, keys, G_N_ELEMENTS(keys)))
                                                      : random_string(h);
                GVariant *value;

                /* Mostly plausible types for the known keys, so the checks behind them are reached. */
                if (chance(h, 0.4))
                        value = chance(h, 0.5) ? g_variant_new_boolean(chance(h, 0.5))
                                               : g_variant_new_uint32(pick(h, 5) == 0 ? G_MAXUINT32 : pick(h, 3));
                else if (g_str_equal(key, "engine") && chance(h, 0.5))
                        value = g_variant_new_string(
                                pick_string(h, (const char *const[]) { "qemu", "cloud-hypervisor", "kvm", "" }, 4));
                else
                        value = random_value(h, depth + 1);
                g_variant_builder_add(&builder, "{sv}", key, value);
        }
        return g_variant_builder_end(&builder);
}

static GVariant *random_value(Hostile *h, unsigned depth) {
        unsigned kind = pick(h, depth > 20 ? 9 : 13);

        switch (kind) {
        case 0: return g_variant_new_boolean(chance(h, 0.5));
        case 1: return g_variant_new_uint32(g_rand_int(h->rand));
        case 2: return g_variant_new_int32((gint32) g_rand_int(h->rand));
        case 3: return g_variant_new_uint64(((guint64) g_rand_int(h->rand) << 32) | g_rand_int(h->rand));
        case 4: return g_variant_new_double(g_rand_double_range(h->rand, -1e300, 1e300));
        case 5: return g_variant_new_byte((guchar) pick(h, 256));
        case 6: {
                g_autofree char *path = random_object_path(h);
                return g_variant_new_object_path(path);
        }
        case 7: return g_variant_new_int16((gint16) pick(h, 65536));
        case 8: {
                g_autofree char *s = random_string(h);
                return g_variant_new_string(s);
        }
        case 9: return g_variant_new_variant(random_value(h, depth + 1));
        case 10: return random_vardict(h, depth + 1);
        case 11: {
                g_auto(GVariantBuilder) builder = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_STRING_ARRAY);
                unsigned n = pick(h, 5);

                for (unsigned i = 0; i < n; i++) {
                        g_autofree char *s = random_string(h);
                        g_variant_builder_add(&builder, "s", s);
                }
                return g_variant_builder_end(&builder);
        }
        default: {
                GVariant *children[2] = { random_value(h, depth + 1), random_value(h, depth + 1) };
                return g_variant_new_tuple(children, 2);
        }
        }
}

/* Arguments of the right signature ("s", "a{sv}", "o"... as a tuple signature). */
static GVariant *arguments_for(Hostile *h, const char *signature) {
        g_autoptr(GPtrArray) children = g_ptr_array_new();

        for (const char *p = signature; *p;) {
                if (g_str_has_prefix(p, "a{sv}")) {
                        g_ptr_array_add(children, random_vardict(h, 0));
                        p += 5;
                        continue;
                }
                if (g_str_has_prefix(p, "au")) { /* SendKey's keycodes: 0-20 of them, some out of range */
                        GVariantBuilder keys;
                        unsigned n = pick(h, 21);
                        g_variant_builder_init(&keys, G_VARIANT_TYPE("au"));
                        for (unsigned i = 0; i < n; i++)
                                g_variant_builder_add(&keys, "u", pick(h, 4) == 0 ? G_MAXUINT32 : pick(h, 300));
                        g_ptr_array_add(children, g_variant_builder_end(&keys));
                        p += 2;
                        continue;
                }
                switch (*p) {
                case 's': {
                        g_autofree char *s = random_string(h);
                        g_ptr_array_add(children, g_variant_new_string(s));
                        break;
                }
                case 'v':
                        g_ptr_array_add(children, g_variant_new_variant(random_value(h, 0)));
                        break;
                case 'u': /* a display or screen number */
                        g_ptr_array_add(children, g_variant_new_uint32(pick(h, 4) == 0 ? G_MAXUINT32 : pick(h, 3)));
                        break;
                default:
                        g_assert_not_reached();
                }
                p++;
        }
        return g_variant_new_tuple((GVariant *const *) children->pdata, children->len);
}

/* A tuple of 0-3 random values: most likely not what the method takes. */
static GVariant *random_arguments(Hostile *h) {
        GVariant *children[3];
        unsigned n = pick(h, 4);

        for (unsigned i = 0; i < n; i++)
                children[i] = random_value(h, 0);
        return g_variant_new_tuple(children, n);
}

typedef struct {
        const char *interface;
        const char *method;
        const char *signature;
} Method;

static const Method manager_methods[] = {
        { MANAGER_IFACE, "DefineVM", "sa{sv}" },      { MANAGER_IFACE, "CreateVM", "sa{sv}" },
        { MANAGER_IFACE, "ListVMs", "a{sv}" },        { MANAGER_IFACE, "GetVMByName", "sa{sv}" },
        { MANAGER_IFACE, "GetVMByUUID", "sa{sv}" },   { MANAGER_IFACE, "GetCapabilities", "a{sv}" },
        { MANAGER_IFACE, "Frobnicate", "a{sv}" },
        { "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", "" },
};

static const Method vm_methods[] = {
        { VM_IFACE, "Boot", "a{sv}" },           { VM_IFACE, "Shutdown", "a{sv}" },
        { VM_IFACE, "PowerOff", "a{sv}" },       { VM_IFACE, "Reboot", "a{sv}" },
        { VM_IFACE, "Pause", "a{sv}" },          { VM_IFACE, "Resume", "a{sv}" },
        { VM_IFACE, "Snapshot", "sa{sv}" },      { VM_IFACE, "Restore", "sa{sv}" },
        { VM_IFACE, "Delete", "a{sv}" },         { VM_IFACE, "AddDevice", "sa{sv}" },
        { VM_IFACE, "RemoveDevice", "sa{sv}" },  { VM_IFACE, "GetXML", "a{sv}" },
        { VM_IFACE, "GetInfo", "a{sv}" },        { VM_IFACE, "OpenConsole", "a{sv}" },
        { VM_IFACE, "OpenGraphics", "ua{sv}" },  { VM_IFACE, "Screenshot", "ua{sv}" },
        { VM_IFACE, "SendKey", "aua{sv}" },      { VM_IFACE, "Frobnicate", "" },
};

static const Method standard_methods[] = {
        { "org.freedesktop.DBus.Properties", "Get", "ss" },
        { "org.freedesktop.DBus.Properties", "GetAll", "s" },
        { "org.freedesktop.DBus.Properties", "Set", "ssv" },
        { "org.freedesktop.DBus.Introspectable", "Introspect", "" },
        { "org.freedesktop.DBus.Peer", "Ping", "" },
        { "org.freedesktop.DBus.Peer", "GetMachineId", "" },
};

/* Properties calls get plausible interface and property names most of the time. */
static GVariant *properties_arguments(Hostile *h, const Method *method) {
        static const char *const interfaces[] = { VM_IFACE, MANAGER_IFACE, "org.freedesktop.DBus.Peer", "", "x.y" };
        static const char *const names[] = { "Name", "UUID", "Engine", "State", "StateReason", "VCPUs", "Memory",
                                             "Persistent", "Autostart", "Owner", "PID", "Version", "Engines",
                                             "DefaultEngine", "", "Nope" };
        const char *interface = pick_string(h, interfaces, G_N_ELEMENTS(interfaces));
        const char *name = pick_string(h, names, G_N_ELEMENTS(names));

        if (g_str_equal(method->method, "GetAll"))
                return g_variant_new("(s)", interface);
        if (g_str_equal(method->method, "Get"))
                return g_variant_new("(ss)", interface, name);
        return g_variant_new("(ssv)", interface, name, random_value(h, 0));
}

static void count_reply(Hostile *h, const char *name) {
        unsigned count = GPOINTER_TO_UINT(g_hash_table_lookup(h->replies, name));
        g_hash_table_insert(h->replies, g_strdup(name), GUINT_TO_POINTER(count + 1));
}

static void remember_vm_paths(Hostile *h, GVariant *reply, const char *description) {
        if (g_str_has_prefix(description, MANAGER_IFACE ".ListVMs ") &&
            g_variant_is_of_type(reply, G_VARIANT_TYPE("(ao)"))) {
                g_autoptr(GVariant) array = g_variant_get_child_value(reply, 0);
                g_autofree const char **paths = g_variant_get_objv(array, NULL);

                g_ptr_array_set_size(h->vm_paths, 0);
                for (size_t i = 0; paths[i]; i++)
                        g_ptr_array_add(h->vm_paths, g_strdup(paths[i]));
        } else if (g_str_has_prefix(description, MANAGER_IFACE ".DefineVM ") &&
                   g_variant_is_of_type(reply, G_VARIANT_TYPE("(o)"))) {
                const char *path;

                g_variant_get(reply, "(&o)", &path);
                if (!g_ptr_array_find_with_equal_func(h->vm_paths, path, g_str_equal, NULL))
                        g_ptr_array_add(h->vm_paths, g_strdup(path));
        }
}

static void on_reply(GObject *source, GAsyncResult *result, gpointer data) {
        PendingCall *call = data;
        Hostile *h = call->hostile;
        g_autoptr(GError) error = NULL;
        g_autoptr(GUnixFDList) out_fds = NULL; /* closes whatever OpenConsole handed us */
        g_autoptr(GVariant) reply = g_dbus_connection_call_with_unix_fd_list_finish(G_DBUS_CONNECTION(source),
                                                                                    &out_fds, result, &error);

        h->in_flight--;
        h->answered++;
        if (reply) {
                count_reply(h, "(success)");
                remember_vm_paths(h, reply, call->description);
        } else {
                g_autofree char *remote = g_dbus_error_get_remote_error(error);
                g_autofree char *name = remote ? g_strdup(remote)
                                               : g_strdup_printf("(local %s %d)", g_quark_to_string(error->domain),
                                                                 error->code);
                gboolean bad;

                if (remote)
                        g_dbus_error_strip_remote_error(error);
                /* A vanished or silent service, or an error that explains nothing. */
                bad = !remote || g_str_equal(remote, "org.freedesktop.DBus.Error.NoReply") ||
                      g_str_equal(remote, "org.freedesktop.DBus.Error.ServiceUnknown") ||
                      g_str_equal(remote, "org.freedesktop.DBus.Error.NameHasNoOwner") ||
                      (g_str_equal(remote, "org.freedesktop.DBus.Error.Failed") && error->message[0] == '\0');
                count_reply(h, name);
                if (bad)
                        g_ptr_array_add(h->bad_replies,
                                        g_strdup_printf("%s -> %s: '%s'", call->description, name, error->message));
        }
        g_free(call->description);
        g_free(call);
}

static void send_random_call(Hostile *h) {
        const Method *method;
        g_autofree char *path = NULL;
        g_autoptr(GUnixFDList) fds = NULL;
        GVariant *args;
        PendingCall *call;
        unsigned target = pick(h, 100);

        if (target < 35) {
                method = &manager_methods[pick(h, G_N_ELEMENTS(manager_methods))];
                path = g_strdup(MANAGER_PATH);
        } else if (target < 80) {
                method = &vm_methods[pick(h, G_N_ELEMENTS(vm_methods))];
                if (h->vm_paths->len > 0 && chance(h, 0.7))
                        path = g_strdup(h->vm_paths->pdata[pick(h, h->vm_paths->len)]);
                else
                        path = random_object_path(h);
        } else {
                method = &standard_methods[pick(h, G_N_ELEMENTS(standard_methods))];
                path = chance(h, 0.3) ? g_strdup(MANAGER_PATH) : random_object_path(h);
        }

        if (chance(h, 0.15)) {
                args = random_arguments(h); /* the wrong signature, most of the time */
        } else if (g_str_equal(method->interface, "org.freedesktop.DBus.Properties") && chance(h, 0.8)) {
                args = properties_arguments(h, method);
        } else {
                args = arguments_for(h, method->signature);
        }
        if (chance(h, 0.03)) {
                /* A descriptor the service did not ask for: it must not keep it. */
                int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

                g_assert_cmpint(fd, >=, 0);
                fds = g_unix_fd_list_new_from_array(&fd, 1);
        }

        call = g_new0(PendingCall, 1);
        call->hostile = h;
        call->description = g_strdup_printf("%s.%s on %s with %.80s%s", method->interface, method->method, path,
                                            g_variant_get_type_string(args), fds ? " +fd" : "");
        h->in_flight++;
        h->sent++;
        g_dbus_connection_call_with_unix_fd_list(h->t->connection, BUS_NAME, path, method->interface,
                                                 method->method, args, NULL, G_DBUS_CALL_FLAGS_NONE,
                                                 CALL_TIMEOUT_MS, fds, NULL, on_reply, call);
}

static unsigned count_open_fds(GPid pid) {
        g_autofree char *path = g_strdup_printf("/proc/%d/fd", (int) pid);
        g_autoptr(GError) error = NULL;
        g_autoptr(GDir) dir = g_dir_open(path, 0, &error);
        unsigned n = 0;

        g_assert_no_error(error);
        while (g_dir_read_name(dir))
                n++;
        return n;
}

static unsigned count_stored_definitions(HvTest *t) {
        g_autofree char *path = g_build_filename(t->dir, "state", "vms", NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(GDir) dir = g_dir_open(path, 0, &error);
        const char *name;
        unsigned n = 0;

        g_assert_no_error(error);
        while ((name = g_dir_read_name(dir)))
                if (g_str_has_suffix(name, ".xml"))
                        n++;
        return n;
}

static char **list_vms(HvTest *t) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = hv_manager_call(t, "ListVMs", g_variant_new("(a{sv})", NULL), "(ao)", &error);
        g_autoptr(GVariant) array = NULL;

        g_assert_no_error(error);
        array = g_variant_get_child_value(reply, 0);
        return g_variant_dup_objv(array, NULL);
}

static void assert_daemon_running(HvTest *t) {
        int status;

        g_assert_cmpint(t->pid, >, 0);
        g_assert_cmpint(kill(t->pid, 0), ==, 0);
        /* A zombie passes kill(pid, 0); waitpid tells us it has not exited. */
        g_assert_cmpint(waitpid(t->pid, &status, WNOHANG), ==, 0);
}

static void print_histogram(Hostile *h) {
        g_autoptr(GList) names = g_list_sort(g_hash_table_get_keys(h->replies), (GCompareFunc) g_strcmp0);

        for (GList *l = names; l; l = l->next)
                g_test_message("  %6u  %s", GPOINTER_TO_UINT(g_hash_table_lookup(h->replies, l->data)),
                               (const char *) l->data);
}

static gboolean timeout_reached(gpointer data) {
        *(gboolean *) data = TRUE;
        return G_SOURCE_REMOVE;
}

static void test_random_calls(HvTest *t, gconstpointer data) {
        const char *calls_env = g_getenv("HV_HOSTILE_CALLS");
        const char *seed_env = g_getenv("HV_HOSTILE_SEED");
        unsigned max_calls = calls_env ? (unsigned) g_ascii_strtoull(calls_env, NULL, 10) : DEFAULT_CALLS;
        guint32 seed = seed_env ? (guint32) g_ascii_strtoull(seed_env, NULL, 10) : g_random_int();
        Hostile h = {
                .t = t,
                .rand = g_rand_new_with_seed(seed),
                .vm_paths = g_ptr_array_new_with_free_func(g_free),
                .replies = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
                .bad_replies = g_ptr_array_new_with_free_func(g_free),
        };
        gboolean out_of_time = FALSE, drain_timed_out = FALSE;
        g_autoptr(GTimer) timer = g_timer_new();
        g_auto(GStrv) before_restart = NULL, after_restart = NULL;
        g_autoptr(GVariant) version = NULL;
        unsigned fds_before, fds_after, stored;
        long rss_before, rss_after;
        guint drain_timeout;

        g_test_message("seed %u (replay with HV_HOSTILE_SEED=%u), at most %u calls or %d s", seed, seed, max_calls,
                       MAX_SECONDS);
        for (unsigned i = 0; i < 4; i++) {
                g_autofree char *name = g_strdup_printf("h%u", i);
                g_autofree char *xml = hv_minimal_xml(t, name, NULL);

                g_ptr_array_add(h.vm_paths, hv_define(t, xml));
        }
        /* The first calls open files and sockets the daemon keeps; count after a warm-up. */
        g_strfreev(list_vms(t));
        fds_before = count_open_fds(t->pid);
        rss_before = hv_process_status_kib(t->pid, "VmRSS:");

        /* After the first broken reply the rest is noise (a dead service answers nothing else). */
        while (h.sent < max_calls && !out_of_time && h.bad_replies->len == 0) {
                while (h.in_flight < IN_FLIGHT && h.sent < max_calls)
                        send_random_call(&h);
                g_main_context_iteration(NULL, TRUE);
                out_of_time = g_timer_elapsed(timer, NULL) > MAX_SECONDS;
        }
        drain_timeout = g_timeout_add(CALL_TIMEOUT_MS + 5000, timeout_reached, &drain_timed_out);
        while (h.in_flight > 0 && !drain_timed_out)
                g_main_context_iteration(NULL, TRUE);
        g_assert_false(drain_timed_out);
        g_source_remove(drain_timeout);

        g_test_message("%u hostile calls answered in %.1f s; replies:", h.answered, g_timer_elapsed(timer, NULL));
        print_histogram(&h);
        for (unsigned i = 0; i < MIN(h.bad_replies->len, 20u); i++)
                g_test_message("bad reply: %s", (const char *) h.bad_replies->pdata[i]);
        g_test_message("%u bad replies", h.bad_replies->len);

        assert_daemon_running(t);
        g_strfreev(list_vms(t));
        version = hv_get_property(t, MANAGER_PATH, MANAGER_IFACE, "Version");
        g_assert_cmpstr(g_variant_get_string(version, NULL), !=, "");
        fds_after = count_open_fds(t->pid);
        rss_after = hv_process_status_kib(t->pid, "VmRSS:");
        /* Only reported: the allocator keeps freed memory, so a bound would be guesswork. */
        g_test_message("daemon descriptors: %u before, %u after; VmRSS %ld KiB before, %ld KiB after", fds_before,
                       fds_after, rss_before, rss_after);
        g_assert_cmpuint(fds_after, <=, fds_before + FD_SLACK);
        g_assert_cmpuint(h.bad_replies->len, ==, 0);
        g_assert_cmpuint(h.answered, ==, h.sent);
        g_assert_cmpuint(h.sent, >, 0);

        /* Every definition the daemon wrote must load again. */
        before_restart = list_vms(t);
        hv_test_stop_daemon(t, SIGTERM);
        stored = count_stored_definitions(t);
        hv_test_start_daemon(t);
        after_restart = list_vms(t);
        g_test_message("%u VMs before the restart, %u definitions stored, %u VMs after",
                       g_strv_length(before_restart), stored, g_strv_length(after_restart));
        g_assert_cmpuint(g_strv_length(after_restart), ==, stored);
        g_assert_cmpuint(g_strv_length(after_restart), ==, g_strv_length(before_restart));
        for (size_t i = 0; after_restart[i]; i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) xml = hv_vm_call(t, after_restart[i], "GetXML", g_variant_new("(a{sv})", NULL),
                                                     "(s)", &error);

                g_assert_no_error(error);
                g_assert_true(g_strv_contains((const char *const *) before_restart, after_restart[i]));
        }

        g_rand_free(h.rand);
        g_ptr_array_unref(h.vm_paths);
        g_hash_table_unref(h.replies);
        g_ptr_array_unref(h.bad_replies);
}

/* ---- 200,000 nested elements ---------------------------------------------------------- */

#define DEEP_LEVELS 200000

/* before, @levels <a> (closed again when @closed) and after: what must fit in DefineVM's 1 MiB. */
static char *deep_xml(const char *before, int levels, gboolean closed, const char *after) {
        GString *xml = g_string_new(before);

        for (int i = 0; i < levels; i++)
                g_string_append(xml, "<a>");
        for (int i = 0; closed && i < levels; i++)
                g_string_append(xml, "</a>");
        g_string_append(xml, after);
        g_assert_cmpuint(xml->len, <, 1024 * 1024);
        return g_string_free(xml, FALSE);
}

static void assert_invalid_xml(HvTest *t, const char *path, const char *method, const char *xml) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        if (path)
                reply = hv_vm_call(t, path, method, g_variant_new("(sa{sv})", xml, NULL), "(s)", &error);
        else
                reply = hv_manager_call(t, method, g_variant_new("(sa{sv})", xml, NULL), "(o)", &error);
        g_assert_nonnull(error);
        g_test_message("%s with %zu bytes of nesting: %s", method, strlen(xml), error->message);
        hv_assert_error(error, "org.example.Hypervisor.Error.InvalidXML", "nested more than");
        g_assert_cmpint(kill(t->pid, 0), ==, 0);
}

/* The reader refuses more than 32 levels (and libxml2 itself would stop at 256, without
 * XML_PARSE_HUGE): DefineVM and AddDevice answer InvalidXML and the daemon lives. */
static void test_deep_xml(HvTest *t, gconstpointer data) {
        const char *domain = "<domain type='qemu'><name>deep</name><memory>1024</memory>";
        g_autofree char *open_define = deep_xml(domain, DEEP_LEVELS, FALSE, "</domain>");
        /* As many closed levels as fit in 1 MiB. */
        g_autofree char *closed_define = deep_xml(domain, 140000, TRUE, "</domain>");
        g_autofree char *open_device = deep_xml("<disk type='file' device='disk'>", DEEP_LEVELS, FALSE, "</disk>");
        g_autofree char *closed_device = deep_xml("<disk type='file' device='disk'>", 140000, TRUE, "</disk>");
        g_autofree char *path = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) list = NULL;

        assert_invalid_xml(t, NULL, "DefineVM", open_define);
        assert_invalid_xml(t, NULL, "DefineVM", closed_define);
        path = hv_define(t, "<domain type='qemu'><name>shallow</name><memory>1024</memory>"
                               "<os><type>hvm</type><kernel>/boot/vmlinuz</kernel></os></domain>");
        assert_invalid_xml(t, path, "AddDevice", open_device);
        assert_invalid_xml(t, path, "AddDevice", closed_device);

        list = hv_manager_call(t, "ListVMs", g_variant_new("(a{sv})", NULL), "(ao)", &error);
        g_assert_no_error(error);
        {
                g_autoptr(GVariant) array = g_variant_get_child_value(list, 0);
                g_assert_cmpuint(g_variant_n_children(array), ==, 1);
        }
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add("/hostile/random-calls", HvTest, NULL, hv_test_fixture_setup, test_random_calls,
                   hv_test_fixture_teardown);
        g_test_add("/hostile/deep-xml", HvTest, NULL, hv_test_fixture_setup, test_deep_xml, hv_test_fixture_teardown);
        return g_test_run();
}
