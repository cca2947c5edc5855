/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The org.example.Hypervisor.Manager interface and the ObjectManager at its path. */

#include <errno.h>
#include <string.h>

#include "authorize.h"
#include "bus-util.h"
#include "config.h"
#include "domain-xml.h"
#include "manager.h"
#include "vm.h"

static int property_get_version(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", PACKAGE_VERSION);
}

static int property_get_engines(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *manager = userdata;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "s");
        if (r < 0)
                return r;
        for (size_t i = 0; i < manager->n_engines; i++)
                if (manager->engines[i].probe.usable) {
                        r = sd_bus_message_append(reply, "s", manager->engines[i].ops->name);
                        if (r < 0)
                                return r;
                }
        return sd_bus_message_close_container(reply);
}

static int property_get_default_engine(sd_bus *bus, const char *path, const char *interface, const char *property,
                                       sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", ((Manager *) userdata)->settings.default_engine);
}

/* DefineVM and CreateVM share their start: options and authorization. Returns 1 to
 * go on, with the document, the engine asked for (or NULL) and the caller's uid. */
static int definition_call_begin(sd_bus_message *m, Manager *manager, bool persistent, const char **ret_xml,
                                 const char **ret_engine, int *ret_autostart, uid_t *ret_uid, sd_bus_error *error) {
        BusOption options[] = { { .key = "engine", .type = 's' }, { .key = "autostart", .type = 'b' } };
        const char *xml, *engine = NULL;
        int r;

        r = sd_bus_message_read(m, "s", &xml);
        if (r < 0)
                return r;
        r = bus_message_read_options(m, options, G_N_ELEMENTS(options), error);
        if (r < 0)
                return r;
        if (options[0].present) {
                engine = options[0].s;
                if (!manager_get_engine(manager, engine))
                        return bus_error_setf(error, HV_ERROR_INVALID_ARGUMENT, "Unknown engine '%s'", engine);
        }
        /* Redefining a VM of someone else's is refused by manager_define_vm(). */
        r = authorize_call(manager, m, persistent ? VM_VERB_DEFINE : VM_VERB_CREATE, NULL, ret_uid, error);
        if (r <= 0)
                return r;
        if (options[1].present && !persistent)
                return bus_error_setf(error, HV_ERROR_INVALID_ARGUMENT, "A transient VM cannot autostart");
        *ret_xml = xml;
        *ret_engine = engine;
        *ret_autostart = options[1].present ? options[1].b : -1;
        return 1;
}

/* A DefineVM call, kept until its definition is on disk. */
typedef struct {
        Manager *manager;
        sd_bus_message *call;
        char *xml;
        char *engine; /* or NULL */
        int autostart;
        uid_t uid;
} DefineVmCall;

static void define_vm_call_free(DefineVmCall *c) {
        sd_bus_message_unref(c->call);
        g_free(c->xml);
        g_free(c->engine);
        g_free(c);
}

/* The definition is on disk (or could not be written): answer. */
static void define_vm_call_done(Vm *vm, const GError *error, void *userdata) {
        DefineVmCall *c = userdata;
        int r;

        if (error)
                r = bus_reply_gerror(c->call, error);
        else
                r = sd_bus_reply_method_return(c->call, "o", vm->path);
        if (r < 0)
                g_warning("Cannot reply to DefineVM(): %s", g_strerror(-r));
        define_vm_call_free(c);
}

/* Define, or wait while the VM it names is being written and define then. */
static void define_vm_call_run(void *userdata) {
        DefineVmCall *c = userdata;
        g_autoptr(GError) error = NULL;
        Vm *saving;

        if (manager_define_vm(c->manager, c->xml, c->engine, c->uid, c->autostart, define_vm_call_done, c, &saving,
                              &error))
                return;
        if (saving) {
                vm_wait_for_save(saving, define_vm_call_run, c);
                return;
        }
        bus_reply_gerror(c->call, error);
        define_vm_call_free(c);
}

static int method_define_vm(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        DefineVmCall *c;
        const char *xml, *engine;
        int autostart;
        uid_t uid;
        int r;

        r = definition_call_begin(m, userdata, true, &xml, &engine, &autostart, &uid, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1; /* parked for polkit: this handler is called again */
        c = g_new0(DefineVmCall, 1);
        c->manager = userdata;
        c->call = sd_bus_message_ref(m);
        c->xml = g_strdup(xml);
        c->engine = g_strdup(engine);
        c->autostart = autostart;
        c->uid = uid;
        define_vm_call_run(c);
        return 1;
}

typedef struct {
        sd_bus_message *call;
        Manager *manager;
        uid_t uid; /* its boot counts as an operation in flight of the caller */
        char *path;
} CreateCall;

static void create_call_free(CreateCall *c) {
        manager_operation_end(c->manager, c->uid);
        sd_bus_message_unref(c->call);
        g_free(c->path);
        g_free(c);
}

static void create_booted(GVariant *result, const GError *error, void *userdata) {
        CreateCall *c = userdata;

        if (error)
                bus_reply_gerror(c->call, error);
        else
                sd_bus_reply_method_return(c->call, "o", c->path);
        create_call_free(c);
}

static int method_create_vm(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Manager *manager = userdata;
        g_autoptr(GError) gerror = NULL;
        const char *xml, *engine;
        CreateCall *c;
        int autostart;
        Vm *vm;
        uid_t uid;
        int r;

        r = definition_call_begin(m, manager, false, &xml, &engine, &autostart, &uid, error);
        if (r < 0)
                return r;
        if (r == 0)
                return 1; /* parked for polkit: this handler is called again */
        vm = manager_create_vm(manager, xml, engine, uid, &gerror);
        if (!vm)
                return bus_error_set_gerror(error, gerror);
        if (!manager_operation_begin(manager, uid, &gerror)) {
                manager_forget_vm(manager, vm);
                return bus_error_set_gerror(error, gerror);
        }
        c = g_new0(CreateCall, 1);
        c->call = sd_bus_message_ref(m);
        c->manager = manager;
        c->uid = uid;
        c->path = g_strdup(vm->path);
        if (!vm_boot(vm, create_booted, c, &gerror)) {
                create_call_free(c);
                manager_forget_vm(manager, vm);
                return bus_error_set_gerror(error, gerror);
        }
        return 1;
}

static int method_list_vms(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        g_autoptr(sd_bus_message) reply = NULL;
        const GString *paths;
        int r;

        r = BUS_READ_NO_OPTIONS(m, error);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_return(m, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(reply, 'a', "o");
        if (r < 0)
                return r;
        paths = manager_get_vm_paths(userdata);
        for (const char *p = paths->str; p < paths->str + paths->len; p += strlen(p) + 1) {
                r = sd_bus_message_append_basic(reply, 'o', p);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_get_vm_by_name(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *name;
        Vm *vm;
        int r;

        r = sd_bus_message_read(m, "s", &name);
        if (r < 0)
                return r;
        r = BUS_READ_NO_OPTIONS(m, error);
        if (r < 0)
                return r;
        vm = manager_find_vm_by_name(userdata, name);
        if (!vm)
                return bus_error_setf(error, HV_ERROR_NOT_FOUND, "No VM named '%s'", name);
        return sd_bus_reply_method_return(m, "o", vm->path);
}

static int method_get_vm_by_uuid(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        g_autofree char *lower = NULL;
        const char *uuid;
        Vm *vm;
        int r;

        r = sd_bus_message_read(m, "s", &uuid);
        if (r < 0)
                return r;
        r = BUS_READ_NO_OPTIONS(m, error);
        if (r < 0)
                return r;
        if (!vm_uuid_is_valid(uuid))
                return bus_error_setf(error, HV_ERROR_INVALID_ARGUMENT, "'%s' is not a UUID", uuid);
        lower = g_ascii_strdown(uuid, -1);
        vm = manager_find_vm_by_uuid(userdata, lower);
        if (!vm)
                return bus_error_setf(error, HV_ERROR_NOT_FOUND, "No VM with UUID '%s'", uuid);
        return sd_bus_reply_method_return(m, "o", vm->path);
}

static GVariant *engine_capabilities(const ManagerEngine *engine) {
        g_auto(GVariantBuilder) b = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_VARDICT);
        const EngineProbe *probe = &engine->probe;
        const char *const none[] = { NULL };

        g_variant_builder_add(&b, "{sv}", "usable", g_variant_new_boolean(probe->usable));
        if (probe->binary)
                g_variant_builder_add(&b, "{sv}", "binary", g_variant_new_string(probe->binary));
        if (probe->version)
                g_variant_builder_add(&b, "{sv}", "version", g_variant_new_string(probe->version));
        g_variant_builder_add(&b, "{sv}", "kvm", g_variant_new_boolean(probe->kvm));
        g_variant_builder_add(&b, "{sv}", "tcg", g_variant_new_boolean(probe->tcg));
        g_variant_builder_add(&b, "{sv}", "hotplug",
                              g_variant_new_strv(probe->hotplug ? (const char *const *) probe->hotplug : none, -1));
        if (probe->unusable_reason)
                g_variant_builder_add(&b, "{sv}", "unusable-reason", g_variant_new_string(probe->unusable_reason));
        return g_variant_builder_end(&b);
}

static int method_get_capabilities(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Manager *manager = userdata;
        g_auto(GVariantBuilder) caps = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_VARDICT);
        g_auto(GVariantBuilder) engines = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_VARDICT);
        g_auto(GVariantBuilder) accelerators = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_VARDICT);
        g_auto(GVariantBuilder) limits = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_VARDICT);
        g_autoptr(GVariant) result = NULL;
        g_autoptr(sd_bus_message) reply = NULL;
        bool kvm = false, tcg = false;
        int r;

        r = BUS_READ_NO_OPTIONS(m, error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < manager->n_engines; i++) {
                const ManagerEngine *engine = &manager->engines[i];
                g_variant_builder_add(&engines, "{sv}", engine->ops->name, engine_capabilities(engine));
                kvm = kvm || (engine->probe.usable && engine->probe.kvm);
                tcg = tcg || (engine->probe.usable && engine->probe.tcg);
        }
        g_variant_builder_add(&accelerators, "{sv}", "kvm", g_variant_new_boolean(kvm));
        g_variant_builder_add(&accelerators, "{sv}", "tcg", g_variant_new_boolean(tcg));
        g_variant_builder_add(&limits, "{sv}", "max-vms-per-user",
                              g_variant_new_uint32(manager->settings.max_vms_per_user));
        g_variant_builder_add(&limits, "{sv}", "max-xml-size", g_variant_new_uint32(DOMAIN_XML_MAX_SIZE));
        g_variant_builder_add(&limits, "{sv}", "max-vcpus", g_variant_new_uint32(VM_VCPUS_MAX));
        g_variant_builder_add(&limits, "{sv}", "min-memory", g_variant_new_uint64(VM_MEMORY_MIN));

        g_variant_builder_add(&caps, "{sv}", "version", g_variant_new_string(PACKAGE_VERSION));
        g_variant_builder_add(&caps, "{sv}", "engines", g_variant_builder_end(&engines));
        g_variant_builder_add(&caps, "{sv}", "accelerators", g_variant_builder_end(&accelerators));
        g_variant_builder_add(&caps, "{sv}", "limits", g_variant_builder_end(&limits));
        g_variant_builder_add(&caps, "{sv}", "default-engine",
                              g_variant_new_string(manager->settings.default_engine));
        result = g_variant_ref_sink(g_variant_builder_end(&caps));

        r = sd_bus_message_new_method_return(m, &reply);
        if (r >= 0)
                r = bus_message_append_gvariant(reply, result);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", property_get_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Engines", "as", property_get_engines, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("DefaultEngine", "s", property_get_default_engine, 0, SD_BUS_VTABLE_PROPERTY_CONST),

        SD_BUS_METHOD_WITH_ARGS("DefineVM", SD_BUS_ARGS("s", xml, "a{sv}", options), SD_BUS_RESULT("o", vm),
                                method_define_vm, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("CreateVM", SD_BUS_ARGS("s", xml, "a{sv}", options), SD_BUS_RESULT("o", vm),
                                method_create_vm, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("ListVMs", SD_BUS_ARGS("a{sv}", options), SD_BUS_RESULT("ao", vms),
                                method_list_vms, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetVMByName", SD_BUS_ARGS("s", name, "a{sv}", options), SD_BUS_RESULT("o", vm),
                                method_get_vm_by_name, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetVMByUUID", SD_BUS_ARGS("s", uuid, "a{sv}", options), SD_BUS_RESULT("o", vm),
                                method_get_vm_by_uuid, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("GetCapabilities", SD_BUS_ARGS("a{sv}", options), SD_BUS_RESULT("a{sv}", caps),
                                method_get_capabilities, SD_BUS_VTABLE_UNPRIVILEGED),

        SD_BUS_SIGNAL_WITH_ARGS("VMAdded", SD_BUS_ARGS("o", vm, "s", name), 0),
        SD_BUS_SIGNAL_WITH_ARGS("VMRemoved", SD_BUS_ARGS("o", vm, "s", name), 0),
        SD_BUS_VTABLE_END,
};

int manager_dbus_register(Manager *manager) {
        int r;

        r = sd_bus_add_object_vtable(manager->bus, NULL, HV_MANAGER_PATH, HV_MANAGER_INTERFACE, manager_vtable,
                                     manager);
        if (r < 0)
                return r;
        return sd_bus_add_object_manager(manager->bus, NULL, HV_MANAGER_PATH);
}

void manager_dbus_emit_vm_added(Manager *manager, Vm *vm) {
        if (!manager->bus)
                return;
        (void) sd_bus_emit_object_added(manager->bus, vm->path);
        (void) sd_bus_emit_signal(manager->bus, HV_MANAGER_PATH, HV_MANAGER_INTERFACE, "VMAdded", "os", vm->path,
                                  vm->config->name);
}

void manager_dbus_emit_vm_removed(Manager *manager, const char *path, const char *name) {
        if (!manager->bus)
                return;
        (void) sd_bus_emit_object_removed(manager->bus, path);
        (void) sd_bus_emit_signal(manager->bus, HV_MANAGER_PATH, HV_MANAGER_INTERFACE, "VMRemoved", "os", path,
                                  name);
}
