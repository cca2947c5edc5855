/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The /api/v1 routes: method and body rules, JSON decoding, and the mapping
 * from internal errors to status codes per imitated release.
 */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ch-sim.h"

G_DEFINE_QUARK(ch-sim-error-quark, ch_error)

typedef enum {
        BODY_NONE,              /* a body is a 400 */
        BODY_REQUIRED,
        BODY_IGNORED,
} BodyRule;

typedef ChResponse (*Handler)(ChRequest *request, JsonObject *body, const char *what);

typedef struct {
        const char *name;
        const char *method;
        BodyRule body;
        Handler handler;
        const char *what;       /* second entry of the error chain */
        const char *const *required;    /* fields serde insists on */
} Endpoint;

int ch_error_status(const GError *error)
{
        switch ((ChErrorKind) error->code) {
        case CH_ERROR_NOT_CREATED:
                return ch_sim.profile >= CH_PROFILE_V53 ? 404 : 500;
        case CH_ERROR_UNKNOWN_DEVICE:
                return ch_sim.profile >= CH_PROFILE_HEAD ? 404 : 500;
        case CH_ERROR_DUPLICATE:
                return ch_sim.profile >= CH_PROFILE_HEAD ? 409 : 500;
        case CH_ERROR_INVALID:
                return ch_sim.profile >= CH_PROFILE_HEAD ? 400 : 500;
        case CH_ERROR_BAD_REQUEST:
                return 400;
        case CH_ERROR_INTERNAL:
        default:
                return 500;
        }
}

static char *string_array_body(const char *first, ...) G_GNUC_NULL_TERMINATED;

static char *strv_body(const char *const *items)
{
        g_autoptr(JsonBuilder) builder = json_builder_new();
        g_autoptr(JsonNode) root = NULL;

        json_builder_begin_array(builder);
        for (guint i = 0; items[i]; i++)
                json_builder_add_string_value(builder, items[i]);
        json_builder_end_array(builder);
        root = json_builder_get_root(builder);
        return ch_json_to_string(root, FALSE);
}

static char *string_array_body(const char *first, ...)
{
        g_autoptr(GPtrArray) items = g_ptr_array_new();
        va_list ap;

        va_start(ap, first);
        for (const char *s = first; s; s = va_arg(ap, const char *))
                g_ptr_array_add(items, (gpointer) s);
        va_end(ap);
        g_ptr_array_add(items, NULL);
        return strv_body((const char *const *) items->pdata);
}

static ChResponse respond(int status, char *body)
{
        return (ChResponse) { .status = status, .body = body };
}

static ChResponse respond_json(int status, JsonNode *node)
{
        return respond(status, ch_json_to_string(node, FALSE));
}

/* ["Error from API", what, <chain of the error, one entry per line>] */
static ChResponse respond_error(const GError *error, const char *what)
{
        g_auto(GStrv) chain = g_strsplit(error->message, "\n", -1);
        g_autoptr(GPtrArray) items = g_ptr_array_new();

        if (error->code == CH_ERROR_BAD_REQUEST)
                return respond(400, strv_body((const char *const *) chain));

        g_ptr_array_add(items, (gpointer) "Error from API");
        g_ptr_array_add(items, (gpointer) what);
        for (guint i = 0; chain[i]; i++)
                g_ptr_array_add(items, chain[i]);
        g_ptr_array_add(items, NULL);
        return respond(ch_error_status(error), strv_body((const char *const *) items->pdata));
}

static ChResponse respond_result(gboolean ok, const GError *error, const char *what)
{
        return ok ? respond(204, NULL) : respond_error(error, what);
}

static ChResponse handle_ping(ChRequest *request, JsonObject *body, const char *what)
{
        g_autoptr(JsonBuilder) builder = json_builder_new();
        g_autoptr(JsonNode) root = NULL;

        json_builder_begin_object(builder);
        json_builder_set_member_name(builder, "build_version");
        json_builder_add_string_value(builder, ch_sim.build_version);
        json_builder_set_member_name(builder, "version");
        json_builder_add_string_value(builder, ch_sim.version);
        json_builder_set_member_name(builder, "pid");
        json_builder_add_int_value(builder, getpid());
        json_builder_set_member_name(builder, "features");
        json_builder_begin_array(builder);
        json_builder_add_string_value(builder, "io_uring");
        json_builder_add_string_value(builder, "kvm");
        json_builder_end_array(builder);
        json_builder_end_object(builder);
        root = json_builder_get_root(builder);
        return respond_json(200, root);
}

static ChResponse handle_vmm_shutdown(ChRequest *request, JsonObject *body, const char *what)
{
        ChResponse response;

        ch_log(CH_LOG_INFO, "API request event: VmmShutdown");
        ch_vm_delete();
        ch_event("vmm", "shutdown", NULL);
        /* 200 with an empty body (the spec says 204), then the process exits */
        response = respond(200, g_strdup(""));
        response.exit_after = TRUE;
        return response;
}

/* vm.create ignores fd numbers: they can only come with vm.add-net. */
static void drop_fds(JsonObject *config, const char *list)
{
        JsonArray *entries;

        if (!json_object_has_member(config, list) ||
            !JSON_NODE_HOLDS_ARRAY(json_object_get_member(config, list)))
                return;
        entries = json_object_get_array_member(config, list);
        for (guint i = 0; i < json_array_get_length(entries); i++) {
                JsonNode *entry = json_array_get_element(entries, i);

                if (JSON_NODE_HOLDS_OBJECT(entry) &&
                    json_object_has_member(json_node_get_object(entry), "fds"))
                        json_object_remove_member(json_node_get_object(entry), "fds");
        }
}

static gboolean check_member_object(JsonObject *config, const char *member,
                                    const char *const *required, GError **error)
{
        JsonNode *node;
        JsonObject *object;

        if (!json_object_has_member(config, member))
                return TRUE;
        node = json_object_get_member(config, member);
        if (JSON_NODE_HOLDS_NULL(node))
                return TRUE;
        if (!JSON_NODE_HOLDS_OBJECT(node)) {
                g_set_error(error, CH_ERROR, CH_ERROR_BAD_REQUEST,
                            "Failed to deserialize JSON\ninvalid type: expected struct for `%s`",
                            member);
                return FALSE;
        }
        object = json_node_get_object(node);
        for (guint i = 0; required[i]; i++)
                if (!json_object_has_member(object, required[i])) {
                        g_set_error(error, CH_ERROR, CH_ERROR_BAD_REQUEST,
                                    "Failed to deserialize JSON\nmissing field `%s`", required[i]);
                        return FALSE;
                }
        return TRUE;
}

/* Its PlatformConfig's strings and string list, as serde reads them. */
static gboolean check_platform_types(JsonObject *config, GError **error)
{
        static const char *const strings[] = { "serial_number", "system_serial_number", "uuid", "system_uuid", NULL };
        JsonObject *platform;
        JsonNode *node;

        if (!json_object_has_member(config, "platform") ||
            JSON_NODE_HOLDS_NULL(json_object_get_member(config, "platform")))
                return TRUE;
        platform = json_object_get_object_member(config, "platform");
        for (guint i = 0; strings[i]; i++) {
                node = json_object_get_member(platform, strings[i]);
                if (node && !JSON_NODE_HOLDS_NULL(node) &&
                    !(JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == G_TYPE_STRING)) {
                        g_set_error(error, CH_ERROR, CH_ERROR_BAD_REQUEST,
                                    "Failed to deserialize JSON\ninvalid type: expected a string for `%s`", strings[i]);
                        return FALSE;
                }
        }
        node = json_object_get_member(platform, "oem_strings");
        if (!node || JSON_NODE_HOLDS_NULL(node))
                return TRUE;
        if (JSON_NODE_HOLDS_ARRAY(node)) {
                JsonArray *array = json_node_get_array(node);
                guint i;

                for (i = 0; i < json_array_get_length(array); i++) {
                        JsonNode *e = json_array_get_element(array, i);
                        if (!JSON_NODE_HOLDS_VALUE(e) || json_node_get_value_type(e) != G_TYPE_STRING)
                                break;
                }
                if (i == json_array_get_length(array))
                        return TRUE;
        }
        g_set_error_literal(error, CH_ERROR, CH_ERROR_BAD_REQUEST,
                            "Failed to deserialize JSON\ninvalid type: expected a sequence of strings for `oem_strings`");
        return FALSE;
}

static ChResponse handle_create(ChRequest *request, JsonObject *body, const char *what)
{
        static const char *const cpus_required[] = { "boot_vcpus", "max_vcpus", NULL };
        static const char *const memory_required[] = { "size", NULL };
        static const char *const no_required[] = { NULL };
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonObject) config = ch_json_object_copy(body);
        gboolean ok;

        if (!check_member_object(config, "cpus", cpus_required, &error) ||
            !check_member_object(config, "memory", memory_required, &error) ||
            !check_member_object(config, "platform", no_required, &error) || !check_platform_types(config, &error))
                return respond_error(error, what);
        drop_fds(config, "net");
        drop_fds(config, "devices");
        ok = ch_vm_create(config, &error);
        return respond_result(ok, error, what);
}

static ChResponse handle_delete(ChRequest *request, JsonObject *body, const char *what)
{
        ch_vm_delete();
        return respond(204, NULL);
}

#define SIMPLE_HANDLER(name, call)                                                      \
        static ChResponse name(ChRequest *request, JsonObject *body, const char *what) \
        {                                                                               \
                g_autoptr(GError) error = NULL;                                         \
                gboolean ok = call(&error);                                             \
                return respond_result(ok, error, what);                                 \
        }

SIMPLE_HANDLER(handle_boot, ch_vm_boot)
SIMPLE_HANDLER(handle_shutdown, ch_vm_shutdown)
SIMPLE_HANDLER(handle_pause, ch_vm_pause)
SIMPLE_HANDLER(handle_resume, ch_vm_resume)
SIMPLE_HANDLER(handle_reboot, ch_vm_reboot)
SIMPLE_HANDLER(handle_power_button, ch_vm_power_button)
SIMPLE_HANDLER(handle_nmi, ch_vm_nmi)

static ChResponse handle_info(ChRequest *request, JsonObject *body, const char *what)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonNode) info = ch_vm_info(&error);

        return info ? respond_json(200, info) : respond_error(error, what);
}

static ChResponse handle_counters(ChRequest *request, JsonObject *body, const char *what)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonNode) counters = ch_vm_counters(&error);

        return counters ? respond_json(200, counters) : respond_error(error, what);
}

static gboolean fds_are_open(GArray *fds)
{
        for (guint i = 0; i < fds->len; i++) {
                struct stat st;

                if (fstat(g_array_index(fds, int, i), &st) < 0)
                        return FALSE;
        }
        return TRUE;
}

static ChResponse add_device(ChRequest *request, JsonObject *body, const char *what,
                             const char *list)
{
        g_autoptr(GError) error = NULL;
        g_autoptr(JsonObject) entry = ch_json_object_copy(body);
        g_autoptr(JsonNode) info = NULL;
        GArray *fds = NULL;

        if (json_object_has_member(entry, "fds"))
                json_object_remove_member(entry, "fds");
        if (g_str_equal(list, "net") && request->fds->len > 0) {
                if (!fds_are_open(request->fds))
                        return respond(400, string_array_body("Bad Request", NULL));
                fds = request->fds;
        } else if (g_str_equal(list, "devices") && request->fds->len > 0) {
                if (request->fds->len > 1)
                        return respond(400, string_array_body("Bad Request", NULL));
                fds = request->fds;
        } else if (g_str_equal(list, "devices") && !json_object_has_member(entry, "path")) {
                return respond(400, string_array_body("Failed to deserialize JSON",
                                                      "missing field `path`", NULL));
        }

        info = ch_vm_add_device(list, entry, fds, &error);
        if (error)
                return respond_error(error, what);
        if (fds)
                g_array_set_size(fds, 0);       /* the VM holds them now */
        return info ? respond_json(200, info) : respond(204, NULL);
}

#define ADD_HANDLER(name, list)                                                         \
        static ChResponse name(ChRequest *request, JsonObject *body, const char *what) \
        {                                                                               \
                return add_device(request, body, what, list);                           \
        }

ADD_HANDLER(handle_add_disk, "disks")
ADD_HANDLER(handle_add_net, "net")
ADD_HANDLER(handle_add_fs, "fs")
ADD_HANDLER(handle_add_pmem, "pmem")
ADD_HANDLER(handle_add_vsock, "vsock")
ADD_HANDLER(handle_add_vdpa, "vdpa")
ADD_HANDLER(handle_add_device, "devices")
ADD_HANDLER(handle_add_user_device, "user_devices")
ADD_HANDLER(handle_add_generic_vhost_user, "generic_vhost_user")

static ChResponse handle_remove_device(ChRequest *request, JsonObject *body, const char *what)
{
        g_autoptr(GError) error = NULL;
        gboolean ok = ch_vm_remove_device(json_object_get_string_member_with_default(body, "id", ""),
                                          &error);

        return respond_result(ok, error, what);
}

static ChResponse handle_resize(ChRequest *request, JsonObject *body, const char *what)
{
        g_autoptr(GError) error = NULL;
        gboolean ok = ch_vm_resize(body, &error);

        return respond_result(ok, error, what);
}

static ChResponse handle_resize_disk(ChRequest *request, JsonObject *body, const char *what)
{
        g_autoptr(GError) error = NULL;

        switch (ch_vm_state()) {
        case CH_VM_NONE:
                g_set_error_literal(&error, CH_ERROR, CH_ERROR_NOT_CREATED, "VM is not created");
                return respond_error(error, what);
        case CH_VM_CREATED:
                g_set_error_literal(&error, CH_ERROR, CH_ERROR_INTERNAL, "VM is not running");
                return respond_error(error, what);
        default:
                return respond(204, NULL);
        }
}

static ChResponse handle_resize_zone(ChRequest *request, JsonObject *body, const char *what)
{
        g_autoptr(GError) error = NULL;

        if (ch_vm_state() == CH_VM_NONE) {
                g_set_error_literal(&error, CH_ERROR, CH_ERROR_NOT_CREATED, "VM is not created");
                return respond_error(error, what);
        }
        g_set_error_literal(&error, CH_ERROR, CH_ERROR_INTERNAL,
                            "Invalid memory zone identifier");
        return respond_error(error, what);
}

static ChResponse handle_snapshot(ChRequest *request, JsonObject *body, const char *what)
{
        g_autoptr(GError) error = NULL;
        gboolean ok = ch_snapshot(json_object_get_string_member_with_default(body,
                                                                             "destination_url",
                                                                             ""),
                                  &error);

        return respond_result(ok, error, what);
}

static guint sum_num_fds(JsonObject *body, const char *member)
{
        JsonArray *array;
        guint sum = 0;

        if (!json_object_has_member(body, member) ||
            !JSON_NODE_HOLDS_ARRAY(json_object_get_member(body, member)))
                return 0;
        array = json_object_get_array_member(body, member);
        for (guint i = 0; i < json_array_get_length(array); i++) {
                JsonNode *element = json_array_get_element(array, i);

                if (JSON_NODE_HOLDS_OBJECT(element))
                        sum += json_object_get_int_member_with_default(json_node_get_object(element),
                                                                       "num_fds", 0);
        }
        return sum;
}

static ChResponse handle_restore(ChRequest *request, JsonObject *body, const char *what)
{
        g_autoptr(GError) error = NULL;
        guint expected = sum_num_fds(body, "net_fds") + sum_num_fds(body, "vfio_fds");
        gboolean ok;

        if (expected != request->fds->len || !fds_are_open(request->fds))
                return respond(400, string_array_body("Bad Request", NULL));
        ok = ch_restore(body, request->fds, &error);
        return respond_result(ok, error, what);
}

static ChResponse handle_send_migration(ChRequest *request, JsonObject *body, const char *what)
{
        g_autoptr(GError) error = NULL;

        if (ch_vm_state() == CH_VM_RUNNING || ch_vm_state() == CH_VM_PAUSED)
                g_set_error_literal(&error, CH_ERROR, CH_ERROR_INTERNAL,
                                    "Error migrating VM\nConnection refused (os error 111)");
        else
                g_set_error_literal(&error, CH_ERROR, CH_ERROR_INTERNAL, "VM is not running");
        return respond_error(error, what);
}

static ChResponse handle_receive_migration(ChRequest *request, JsonObject *body, const char *what)
{
        g_autoptr(GError) error = NULL;

        if (ch_vm_state() != CH_VM_NONE)
                g_set_error_literal(&error, CH_ERROR, CH_ERROR_INTERNAL, "VM is already created");
        else
                g_set_error_literal(&error, CH_ERROR, CH_ERROR_INTERNAL,
                                    "Error receiving migration\nConnection refused (os error 111)");
        return respond_error(error, what);
}

static const char *const no_fields[] = { NULL };
static const char *const vsock_fields[] = { "cid", "socket", NULL };
static const char *const fs_fields[] = { "tag", "socket", NULL };
static const char *const pmem_fields[] = { "file", NULL };
static const char *const path_fields[] = { "path", NULL };
static const char *const socket_fields[] = { "socket", NULL };
static const char *const id_fields[] = { "id", NULL };
static const char *const resize_disk_fields[] = { "id", "desired_size", NULL };
static const char *const resize_zone_fields[] = { "id", "desired_ram", NULL };
static const char *const restore_fields[] = { "source_url", NULL };
static const char *const send_fields[] = { "destination_url", NULL };
static const char *const receive_fields[] = { "receiver_url", NULL };

static const Endpoint endpoints[] = {
        { "vmm.ping", "GET", BODY_IGNORED, handle_ping, "", no_fields },
        { "vmm.shutdown", "PUT", BODY_IGNORED, handle_vmm_shutdown, "The VMM could not shutdown", no_fields },
        { "vm.info", "GET", BODY_IGNORED, handle_info, "The VM info is not available", no_fields },
        { "vm.counters", "GET", BODY_IGNORED, handle_counters, "The VM counters could not be retrieved", no_fields },
        { "vm.create", "PUT", BODY_REQUIRED, handle_create, "The VM could not be created", no_fields },
        { "vm.delete", "PUT", BODY_NONE, handle_delete, "The VM could not be deleted", no_fields },
        { "vm.boot", "PUT", BODY_NONE, handle_boot, "The VM could not boot", no_fields },
        { "vm.shutdown", "PUT", BODY_NONE, handle_shutdown, "The VM could not shutdown", no_fields },
        { "vm.pause", "PUT", BODY_NONE, handle_pause, "The VM could not be paused", no_fields },
        { "vm.resume", "PUT", BODY_NONE, handle_resume, "The VM could not resume", no_fields },
        { "vm.reboot", "PUT", BODY_NONE, handle_reboot, "The VM could not reboot", no_fields },
        { "vm.power-button", "PUT", BODY_NONE, handle_power_button, "The VM could not be powered off", no_fields },
        { "vm.nmi", "PUT", BODY_NONE, handle_nmi, "Error triggering NMI", no_fields },
        { "vm.resize", "PUT", BODY_REQUIRED, handle_resize, "The VM could not be resized", no_fields },
        { "vm.resize-disk", "PUT", BODY_REQUIRED, handle_resize_disk, "The disk could not be resized", resize_disk_fields },
        { "vm.resize-zone", "PUT", BODY_REQUIRED, handle_resize_zone, "The memory zone could not be resized", resize_zone_fields },
        { "vm.add-disk", "PUT", BODY_REQUIRED, handle_add_disk, "The disk could not be added to the VM", no_fields },
        { "vm.add-net", "PUT", BODY_REQUIRED, handle_add_net, "The network device could not be added to the VM", no_fields },
        { "vm.add-fs", "PUT", BODY_REQUIRED, handle_add_fs, "The fs could not be added to the VM", fs_fields },
        { "vm.add-pmem", "PUT", BODY_REQUIRED, handle_add_pmem, "The pmem device could not be added to the VM", pmem_fields },
        { "vm.add-vsock", "PUT", BODY_REQUIRED, handle_add_vsock, "The vsock device could not be added to the VM", vsock_fields },
        { "vm.add-vdpa", "PUT", BODY_REQUIRED, handle_add_vdpa, "The vDPA device could not be added to the VM", path_fields },
        { "vm.add-device", "PUT", BODY_REQUIRED, handle_add_device, "The device could not be added to the VM", no_fields },
        { "vm.add-user-device", "PUT", BODY_REQUIRED, handle_add_user_device, "The user device could not be added to the VM", socket_fields },
        { "vm.add-generic-vhost-user", "PUT", BODY_REQUIRED, handle_add_generic_vhost_user, "The generic vhost-user device could not be added to the VM", socket_fields },
        { "vm.remove-device", "PUT", BODY_REQUIRED, handle_remove_device, "The device could not be removed from the VM", id_fields },
        { "vm.snapshot", "PUT", BODY_REQUIRED, handle_snapshot, "The VM could not be snapshotted", no_fields },
        { "vm.restore", "PUT", BODY_REQUIRED, handle_restore, "The VM could not be restored", restore_fields },
        { "vm.send-migration", "PUT", BODY_REQUIRED, handle_send_migration, "The VM could not be migrated", send_fields },
        { "vm.receive-migration", "PUT", BODY_REQUIRED, handle_receive_migration, "The VM migration could not be received", receive_fields },
};

/* These four answer a wrong method with ["Bad Request"] even for PATCH/DELETE. */
static gboolean has_own_method_check(const Endpoint *endpoint)
{
        return g_str_equal(endpoint->name, "vm.create") || g_str_equal(endpoint->name, "vm.info") ||
               g_str_equal(endpoint->name, "vmm.ping") || g_str_equal(endpoint->name, "vmm.shutdown");
}

ChResponse ch_api_dispatch(ChRequest *request)
{
        const Endpoint *endpoint = NULL;
        g_autoptr(JsonParser) parser = NULL;
        g_autoptr(GError) error = NULL;
        JsonObject *body = NULL;

        if (g_str_has_prefix(request->path, "/api/v1/")) {
                const char *name = request->path + strlen("/api/v1/");

                for (guint i = 0; i < G_N_ELEMENTS(endpoints); i++)
                        if (g_str_equal(endpoints[i].name, name))
                                endpoint = &endpoints[i];
        }
        if (!endpoint)
                return respond(404, string_array_body("Not Found", NULL));

        ch_log(CH_LOG_DEBUG, "API request: %s %s", request->method, request->path);

        if (!g_str_equal(request->method, endpoint->method)) {
                if (!has_own_method_check(endpoint) &&
                    (g_str_equal(request->method, "PATCH") || g_str_equal(request->method, "DELETE")))
                        return respond(400, g_strdup(""));
                return respond(400, string_array_body("Bad Request", NULL));
        }

        if (endpoint->body == BODY_NONE && request->body)
                return respond(400, string_array_body("Bad Request", NULL));
        if (endpoint->body == BODY_REQUIRED && !request->body) {
                if (g_str_equal(endpoint->name, "vm.create"))
                        return respond(400, g_strdup(""));
                return respond(400, string_array_body("Bad Request", NULL));
        }

        if (endpoint->body == BODY_REQUIRED) {
                gsize length;
                const char *text = g_bytes_get_data(request->body, &length);
                JsonNode *root;

                parser = json_parser_new_immutable();
                if (!json_parser_load_from_data(parser, text, length, &error))
                        return respond(400, string_array_body("Failed to deserialize JSON",
                                                              error->message, NULL));
                root = json_parser_get_root(parser);
                if (!root || !JSON_NODE_HOLDS_OBJECT(root))
                        return respond(400, string_array_body("Failed to deserialize JSON",
                                                              "invalid type: expected a map",
                                                              NULL));
                body = json_node_get_object(root);
                for (guint i = 0; endpoint->required[i]; i++)
                        if (!json_object_has_member(body, endpoint->required[i])) {
                                g_autofree char *message = g_strdup_printf(
                                        "missing field `%s` at line 1 column %zu",
                                        endpoint->required[i], length);

                                return respond(400, string_array_body("Failed to deserialize JSON",
                                                                      message, NULL));
                        }
        }

        return endpoint->handler(request, body, endpoint->what);
}
