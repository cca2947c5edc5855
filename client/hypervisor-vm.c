/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * HypervisorVm: one VM of the service, a thin GObject over the generated
 * org.example.Hypervisor.VM proxy. Properties come from the proxy's cache
 * (kept current by PropertiesChanged); the state is also taken from the
 * StateChanged signal so that a state-changed handler reads the new state.
 */

#include <unistd.h>

#include "hypervisor-private.h"

/**
 * HypervisorVm:
 *
 * One virtual machine known to hypervisord. Get one from #HypervisorClient;
 * the properties follow the service and emit #GObject::notify when they
 * change. Every operation has an asynchronous variant (`_async` / `_finish`)
 * and a blocking one (`_sync`). A `_sync` call that succeeded leaves the
 * properties as current as its reply, without a main loop. Cancelling an
 * operation abandons its reply, never the operation itself (see
 * hypervisor_vm_boot_async()). Any call on a VM that was deleted since fails
 * with %HYPERVISOR_ERROR_NOT_FOUND.
 *
 * Since: 0.1
 */
struct _HypervisorVm {
        GObject parent_instance;

        HypervisorDBusVM *proxy;
        char *state;
        char *state_reason;
};

G_DEFINE_TYPE(HypervisorVm, hypervisor_vm, G_TYPE_OBJECT)

G_DEFINE_FLAGS_TYPE(HypervisorDeviceFlags, hypervisor_device_flags,
        G_DEFINE_ENUM_VALUE(HYPERVISOR_DEVICE_CURRENT, "current"),
        G_DEFINE_ENUM_VALUE(HYPERVISOR_DEVICE_LIVE, "live"),
        G_DEFINE_ENUM_VALUE(HYPERVISOR_DEVICE_CONFIG, "config"),
        G_DEFINE_ENUM_VALUE(HYPERVISOR_DEVICE_PERSISTENT, "persistent"))

enum {
        PROP_0,
        PROP_OBJECT_PATH,
        PROP_NAME,
        PROP_UUID,
        PROP_ENGINE,
        PROP_STATE,
        PROP_STATE_REASON,
        PROP_VCPUS,
        PROP_MEMORY,
        PROP_PERSISTENT,
        PROP_AUTOSTART,
        PROP_OWNER,
        PROP_PID,
        N_PROPS
};
static GParamSpec *props[N_PROPS];

enum {
        SIGNAL_STATE_CHANGED,
        SIGNAL_GUEST_EVENT,
        SIGNAL_DEVICE_ADDED,
        SIGNAL_DEVICE_REMOVED,
        N_SIGNALS
};
static guint signals[N_SIGNALS];

/* D-Bus property name -> GObject property. */
static const struct {
        const char *dbus_name;
        guint prop;
} property_map[] = {
        { "Name", PROP_NAME },           { "UUID", PROP_UUID },
        { "Engine", PROP_ENGINE },       { "State", PROP_STATE },
        { "StateReason", PROP_STATE_REASON }, { "VCPUs", PROP_VCPUS },
        { "Memory", PROP_MEMORY },       { "Persistent", PROP_PERSISTENT },
        { "Autostart", PROP_AUTOSTART }, { "Owner", PROP_OWNER },
        { "PID", PROP_PID },
};

static gboolean set_string(char **field, const char *value) {
        if (g_strcmp0(*field, value) == 0)
                return FALSE;
        g_free(*field);
        *field = g_strdup(value);
        return TRUE;
}

static void update_state(HypervisorVm *self, const char *state, const char *reason) {
        gboolean state_changed, reason_changed;

        state_changed = state && set_string(&self->state, state);
        reason_changed = reason && set_string(&self->state_reason, reason);
        if (state_changed)
                g_object_notify_by_pspec(G_OBJECT(self), props[PROP_STATE]);
        if (reason_changed)
                g_object_notify_by_pspec(G_OBJECT(self), props[PROP_STATE_REASON]);
}

static void notify_dbus_property(HypervisorVm *self, const char *dbus_name) {
        for (size_t i = 0; i < G_N_ELEMENTS(property_map); i++) {
                if (!g_str_equal(property_map[i].dbus_name, dbus_name))
                        continue;
                if (property_map[i].prop == PROP_STATE || property_map[i].prop == PROP_STATE_REASON)
                        update_state(self, hypervisor_dbus_vm_get_state(self->proxy),
                                     hypervisor_dbus_vm_get_state_reason(self->proxy));
                else
                        g_object_notify_by_pspec(G_OBJECT(self), props[property_map[i].prop]);
                return;
        }
}

static void on_properties_changed(GDBusProxy *proxy, GVariant *changed, const char *const *invalidated,
                                  gpointer user_data) {
        HypervisorVm *self = user_data;
        GVariantIter iter;
        const char *key;

        g_object_freeze_notify(G_OBJECT(self));
        g_variant_iter_init(&iter, changed);
        while (g_variant_iter_next(&iter, "{&sv}", &key, NULL))
                notify_dbus_property(self, key);
        for (size_t i = 0; invalidated && invalidated[i]; i++)
                notify_dbus_property(self, invalidated[i]);
        g_object_thaw_notify(G_OBJECT(self));
}

void hypervisor_vm_apply_properties(HypervisorVm *self, GVariant *properties) {
        GDBusProxy *proxy = G_DBUS_PROXY(self->proxy);
        g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func(g_free);
        GVariantIter iter;
        const char *key;
        GVariant *value;

        g_variant_iter_init(&iter, properties);
        while (g_variant_iter_next(&iter, "{&sv}", &key, &value)) {
                g_autoptr(GVariant) cached = g_dbus_proxy_get_cached_property(proxy, key);

                if (!cached || !g_variant_equal(cached, value)) {
                        g_dbus_proxy_set_cached_property(proxy, key, value);
                        g_ptr_array_add(changed, g_strdup(key));
                }
                g_variant_unref(value);
        }
        g_object_freeze_notify(G_OBJECT(self));
        for (guint i = 0; i < changed->len; i++)
                notify_dbus_property(self, g_ptr_array_index(changed, i));
        g_object_thaw_notify(G_OBJECT(self));
}

static void on_state_changed(HypervisorDBusVM *proxy, const char *state, const char *reason, gpointer user_data) {
        HypervisorVm *self = user_data;

        update_state(self, state, reason);
        g_signal_emit(self, signals[SIGNAL_STATE_CHANGED], 0, state, reason);
}

static void on_guest_event(HypervisorDBusVM *proxy, const char *event, GVariant *details, gpointer user_data) {
        g_signal_emit(user_data, signals[SIGNAL_GUEST_EVENT], 0, event, details);
}

static void on_device_added(HypervisorDBusVM *proxy, const char *id, gpointer user_data) {
        g_signal_emit(user_data, signals[SIGNAL_DEVICE_ADDED], 0, id);
}

static void on_device_removed(HypervisorDBusVM *proxy, const char *id, gpointer user_data) {
        g_signal_emit(user_data, signals[SIGNAL_DEVICE_REMOVED], 0, id);
}

HypervisorVm *hypervisor_vm_new(HypervisorDBusVM *proxy) {
        HypervisorVm *self = g_object_new(HYPERVISOR_TYPE_VM, NULL);

        self->proxy = g_object_ref(proxy);
        self->state = g_strdup(hypervisor_dbus_vm_get_state(proxy));
        self->state_reason = g_strdup(hypervisor_dbus_vm_get_state_reason(proxy));
        g_signal_connect_object(proxy, "g-properties-changed", G_CALLBACK(on_properties_changed), self, 0);
        g_signal_connect_object(proxy, "state-changed", G_CALLBACK(on_state_changed), self, 0);
        g_signal_connect_object(proxy, "guest-event", G_CALLBACK(on_guest_event), self, 0);
        g_signal_connect_object(proxy, "device-added", G_CALLBACK(on_device_added), self, 0);
        g_signal_connect_object(proxy, "device-removed", G_CALLBACK(on_device_removed), self, 0);
        return self;
}

HypervisorDBusVM *hypervisor_vm_get_proxy(HypervisorVm *self) {
        return self->proxy;
}

static void hypervisor_vm_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec) {
        HypervisorVm *self = HYPERVISOR_VM(object);

        switch (prop_id) {
        case PROP_OBJECT_PATH:
                g_value_set_string(value, hypervisor_vm_get_object_path(self));
                break;
        case PROP_NAME:
                g_value_set_string(value, hypervisor_vm_get_name(self));
                break;
        case PROP_UUID:
                g_value_set_string(value, hypervisor_vm_get_uuid(self));
                break;
        case PROP_ENGINE:
                g_value_set_string(value, hypervisor_vm_get_engine(self));
                break;
        case PROP_STATE:
                g_value_set_string(value, hypervisor_vm_get_state(self));
                break;
        case PROP_STATE_REASON:
                g_value_set_string(value, hypervisor_vm_get_state_reason(self));
                break;
        case PROP_VCPUS:
                g_value_set_uint(value, hypervisor_vm_get_vcpus(self));
                break;
        case PROP_MEMORY:
                g_value_set_uint64(value, hypervisor_vm_get_memory(self));
                break;
        case PROP_PERSISTENT:
                g_value_set_boolean(value, hypervisor_vm_get_persistent(self));
                break;
        case PROP_AUTOSTART:
                g_value_set_boolean(value, hypervisor_vm_get_autostart(self));
                break;
        case PROP_OWNER:
                g_value_set_uint(value, hypervisor_vm_get_owner(self));
                break;
        case PROP_PID:
                g_value_set_uint(value, hypervisor_vm_get_pid(self));
                break;
        default:
                G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        }
}

static void hypervisor_vm_finalize(GObject *object) {
        HypervisorVm *self = HYPERVISOR_VM(object);

        g_clear_object(&self->proxy);
        g_free(self->state);
        g_free(self->state_reason);
        G_OBJECT_CLASS(hypervisor_vm_parent_class)->finalize(object);
}

static void hypervisor_vm_class_init(HypervisorVmClass *klass) {
        GObjectClass *object_class = G_OBJECT_CLASS(klass);
        const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

        object_class->get_property = hypervisor_vm_get_property;
        object_class->finalize = hypervisor_vm_finalize;

        /**
         * HypervisorVm:object-path:
         *
         * The D-Bus object path of the VM.
         *
         * Since: 0.1
         */
        props[PROP_OBJECT_PATH] = g_param_spec_string("object-path", NULL, NULL, NULL, flags);
        /**
         * HypervisorVm:name:
         *
         * The VM's name, unique on the host.
         *
         * Since: 0.1
         */
        props[PROP_NAME] = g_param_spec_string("name", NULL, NULL, NULL, flags);
        /**
         * HypervisorVm:uuid:
         *
         * The VM's UUID in its textual form.
         *
         * Since: 0.1
         */
        props[PROP_UUID] = g_param_spec_string("uuid", NULL, NULL, NULL, flags);
        /**
         * HypervisorVm:engine:
         *
         * The engine that runs the VM: "qemu" or "cloud-hypervisor".
         *
         * Since: 0.1
         */
        props[PROP_ENGINE] = g_param_spec_string("engine", NULL, NULL, NULL, flags);
        /**
         * HypervisorVm:state:
         *
         * "shutoff", "starting", "running", "paused", "shutting-down" or "crashed".
         *
         * Since: 0.1
         */
        props[PROP_STATE] = g_param_spec_string("state", NULL, NULL, NULL, flags);
        /**
         * HypervisorVm:state-reason:
         *
         * Why the VM is in its state: "booted", "user", "guest", "timeout", "engine-crashed", ...
         *
         * Since: 0.1
         */
        props[PROP_STATE_REASON] = g_param_spec_string("state-reason", NULL, NULL, NULL, flags);
        /**
         * HypervisorVm:vcpus:
         *
         * The number of vCPUs of the VM: of what runs while it runs, of its
         * definition when it is off. A redefinition of a running VM shows at its
         * next boot; hypervisor_vm_get_info_async() gives `next-boot-vcpus` meanwhile.
         *
         * Since: 0.1
         */
        props[PROP_VCPUS] = g_param_spec_uint("vcpus", NULL, NULL, 0, G_MAXUINT, 0, flags);
        /**
         * HypervisorVm:memory:
         *
         * The VM's memory in bytes: of what runs while it runs, of its
         * definition when it is off (see #HypervisorVm:vcpus).
         *
         * Since: 0.1
         */
        props[PROP_MEMORY] = g_param_spec_uint64("memory", NULL, NULL, 0, G_MAXUINT64, 0, flags);
        /**
         * HypervisorVm:persistent:
         *
         * Whether the definition is stored (false for VMs made with hypervisor_client_create_vm_async()).
         *
         * Since: 0.1
         */
        props[PROP_PERSISTENT] = g_param_spec_boolean("persistent", NULL, NULL, FALSE, flags);
        /**
         * HypervisorVm:autostart:
         *
         * Whether the VM boots when the service starts.
         *
         * Since: 0.1
         */
        props[PROP_AUTOSTART] = g_param_spec_boolean("autostart", NULL, NULL, FALSE, flags);
        /**
         * HypervisorVm:owner:
         *
         * The uid of the user who defined the VM.
         *
         * Since: 0.1
         */
        props[PROP_OWNER] = g_param_spec_uint("owner", NULL, NULL, 0, G_MAXUINT, 0, flags);
        /**
         * HypervisorVm:pid:
         *
         * The engine process id, 0 when there is none.
         *
         * Since: 0.1
         */
        props[PROP_PID] = g_param_spec_uint("pid", NULL, NULL, 0, G_MAXUINT, 0, flags);
        g_object_class_install_properties(object_class, N_PROPS, props);

        /**
         * HypervisorVm::state-changed:
         * @self: the VM
         * @state: the new state
         * @reason: why
         *
         * Emitted on every state transition, in order. #HypervisorVm:state
         * already holds @state when it is emitted.
         *
         * Since: 0.1
         */
        signals[SIGNAL_STATE_CHANGED] = g_signal_new("state-changed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST,
                                                     0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING,
                                                     G_TYPE_STRING);
        /**
         * HypervisorVm::guest-event:
         * @self: the VM
         * @event: what happened: "booted", "restored", "stop", "resume", "powerdown", "shutdown",
         *   "reset", "panicked", "device-removed" (the same names for every engine), ...
         * @details: an a{sv} dictionary; "engine-event" holds the engine's own name of the event
         *
         * Emitted for events from the guest or the engine.
         *
         * Since: 0.1
         */
        signals[SIGNAL_GUEST_EVENT] = g_signal_new("guest-event", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                                   NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING,
                                                   G_TYPE_VARIANT);
        /**
         * HypervisorVm::device-added:
         * @self: the VM
         * @id: the id of the new device
         *
         * Emitted when a device was added.
         *
         * Since: 0.1
         */
        signals[SIGNAL_DEVICE_ADDED] = g_signal_new("device-added", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                                    NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
        /**
         * HypervisorVm::device-removed:
         * @self: the VM
         * @id: the id of the device that is gone
         *
         * Emitted when a device was removed.
         *
         * Since: 0.1
         */
        signals[SIGNAL_DEVICE_REMOVED] = g_signal_new("device-removed", G_TYPE_FROM_CLASS(klass),
                                                      G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                                      G_TYPE_STRING);
}

static void hypervisor_vm_init(HypervisorVm *self) {
}

/**
 * hypervisor_vm_get_object_path:
 * @self: a #HypervisorVm
 *
 * Returns: (transfer none): the VM's D-Bus object path
 *
 * Since: 0.1
 */
const char *hypervisor_vm_get_object_path(HypervisorVm *self) {
        g_return_val_if_fail(HYPERVISOR_IS_VM(self), NULL);
        return g_dbus_proxy_get_object_path(G_DBUS_PROXY(self->proxy));
}

/**
 * hypervisor_vm_get_name:
 * @self: a #HypervisorVm
 *
 * Returns: (transfer none) (nullable): the VM's name, %NULL when the service did not say
 *
 * Since: 0.1
 */
const char *hypervisor_vm_get_name(HypervisorVm *self) {
        g_return_val_if_fail(HYPERVISOR_IS_VM(self), NULL);
        return hypervisor_dbus_vm_get_name(self->proxy);
}

/**
 * hypervisor_vm_get_uuid:
 * @self: a #HypervisorVm
 *
 * Returns: (transfer none) (nullable): the VM's UUID
 *
 * Since: 0.1
 */
const char *hypervisor_vm_get_uuid(HypervisorVm *self) {
        g_return_val_if_fail(HYPERVISOR_IS_VM(self), NULL);
        return hypervisor_dbus_vm_get_uuid(self->proxy);
}

/**
 * hypervisor_vm_get_engine:
 * @self: a #HypervisorVm
 *
 * Returns: (transfer none) (nullable): "qemu" or "cloud-hypervisor"
 *
 * Since: 0.1
 */
const char *hypervisor_vm_get_engine(HypervisorVm *self) {
        g_return_val_if_fail(HYPERVISOR_IS_VM(self), NULL);
        return hypervisor_dbus_vm_get_engine(self->proxy);
}

/**
 * hypervisor_vm_get_state:
 * @self: a #HypervisorVm
 *
 * Returns: (transfer none) (nullable): the VM's state, e.g. "running"
 *
 * Since: 0.1
 */
const char *hypervisor_vm_get_state(HypervisorVm *self) {
        g_return_val_if_fail(HYPERVISOR_IS_VM(self), NULL);
        return self->state;
}

/**
 * hypervisor_vm_get_state_reason:
 * @self: a #HypervisorVm
 *
 * Returns: (transfer none) (nullable): why the VM is in its state, e.g. "booted"
 *
 * Since: 0.1
 */
const char *hypervisor_vm_get_state_reason(HypervisorVm *self) {
        g_return_val_if_fail(HYPERVISOR_IS_VM(self), NULL);
        return self->state_reason;
}

/**
 * hypervisor_vm_get_vcpus:
 * @self: a #HypervisorVm
 *
 * Returns: the number of vCPUs
 *
 * Since: 0.1
 */
guint hypervisor_vm_get_vcpus(HypervisorVm *self) {
        g_return_val_if_fail(HYPERVISOR_IS_VM(self), 0);
        return hypervisor_dbus_vm_get_vcpus(self->proxy);
}

/**
 * hypervisor_vm_get_memory:
 * @self: a #HypervisorVm
 *
 * Returns: the memory size in bytes
 *
 * Since: 0.1
 */
guint64 hypervisor_vm_get_memory(HypervisorVm *self) {
        g_return_val_if_fail(HYPERVISOR_IS_VM(self), 0);
        return hypervisor_dbus_vm_get_memory(self->proxy);
}

/**
 * hypervisor_vm_get_persistent:
 * @self: a #HypervisorVm
 *
 * Returns: whether the definition is stored
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_get_persistent(HypervisorVm *self) {
        g_return_val_if_fail(HYPERVISOR_IS_VM(self), FALSE);
        return hypervisor_dbus_vm_get_persistent(self->proxy);
}

/**
 * hypervisor_vm_get_autostart:
 * @self: a #HypervisorVm
 *
 * Returns: whether the VM boots when the service starts
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_get_autostart(HypervisorVm *self) {
        g_return_val_if_fail(HYPERVISOR_IS_VM(self), FALSE);
        return hypervisor_dbus_vm_get_autostart(self->proxy);
}

/**
 * hypervisor_vm_get_owner:
 * @self: a #HypervisorVm
 *
 * Returns: the uid of the VM's owner
 *
 * Since: 0.1
 */
guint hypervisor_vm_get_owner(HypervisorVm *self) {
        g_return_val_if_fail(HYPERVISOR_IS_VM(self), 0);
        return hypervisor_dbus_vm_get_owner(self->proxy);
}

/**
 * hypervisor_vm_get_pid:
 * @self: a #HypervisorVm
 *
 * Returns: the engine process id, 0 when there is none
 *
 * Since: 0.1
 */
guint hypervisor_vm_get_pid(HypervisorVm *self) {
        g_return_val_if_fail(HYPERVISOR_IS_VM(self), 0);
        return hypervisor_dbus_vm_get_pid(self->proxy);
}

/* Argument tuples, shared with hypervisor-vm-sync.c. */

static GVariant *options_args(void) {
        return g_variant_new("(@a{sv})", hypervisor_options_empty());
}

GVariant *hypervisor_vm_shutdown_args(guint timeout_seconds) {
        GVariantBuilder options;

        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        if (timeout_seconds > 0)
                g_variant_builder_add(&options, "{sv}", "timeout", g_variant_new_uint32(timeout_seconds));
        return g_variant_new("(a{sv})", &options);
}

static GVariant *directory_args(const char *directory, const char *key, gboolean value) {
        GVariantBuilder options;

        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        if (value)
                g_variant_builder_add(&options, "{sv}", key, g_variant_new_boolean(TRUE));
        return g_variant_new("(sa{sv})", directory, &options);
}

GVariant *hypervisor_vm_snapshot_args(const char *directory, gboolean stop) {
        return directory_args(directory, "stop", stop);
}

GVariant *hypervisor_vm_restore_args(const char *directory, gboolean resume) {
        return directory_args(directory, "resume", resume);
}

static GVariant *flag_args(const char *key, gboolean value) {
        GVariantBuilder options;

        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        if (value)
                g_variant_builder_add(&options, "{sv}", key, g_variant_new_boolean(TRUE));
        return g_variant_new("(a{sv})", &options);
}

GVariant *hypervisor_vm_delete_args(gboolean force) {
        return flag_args("force", force);
}

GVariant *hypervisor_vm_get_xml_args(gboolean live) {
        return flag_args("live", live);
}

GVariant *hypervisor_vm_device_args(const char *argument, HypervisorDeviceFlags flags) {
        GVariantBuilder options;

        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        if (flags & HYPERVISOR_DEVICE_LIVE)
                g_variant_builder_add(&options, "{sv}", "live", g_variant_new_boolean(TRUE));
        if (flags & HYPERVISOR_DEVICE_CONFIG)
                g_variant_builder_add(&options, "{sv}", "config", g_variant_new_boolean(TRUE));
        return g_variant_new("(sa{sv})", argument, &options);
}

int hypervisor_vm_take_console_fd(GVariant *reply, GUnixFDList *fd_list, GError **error) {
        gint32 handle;
        int fd;

        g_variant_get(reply, "(h)", &handle);
        if (!fd_list || handle < 0 || handle >= g_unix_fd_list_get_length(fd_list)) {
                g_set_error(error, HYPERVISOR_ERROR, HYPERVISOR_ERROR_FAILED,
                            "The service did not pass a console file descriptor");
                return -1;
        }
        fd = g_unix_fd_list_get(fd_list, handle, error);
        if (fd < 0)
                hypervisor_error_convert(error);
        return fd;
}

/* The asynchronous operations: one GTask each, completed by hypervisor_call_to_task(). */

static void vm_call(HypervisorVm *self, const char *method, GVariant *args, HypervisorCallKind kind,
                    const char *reply_type, gpointer source_tag, GCancellable *cancellable,
                    GAsyncReadyCallback callback, gpointer user_data) {
        GTask *task = g_task_new(self, cancellable, callback, user_data);

        g_task_set_source_tag(task, source_tag);
        hypervisor_call_to_task(G_DBUS_PROXY(self->proxy), method, args, kind, reply_type, task);
}

static gboolean vm_finish_boolean(HypervisorVm *self, GAsyncResult *result, gpointer source_tag, GError **error) {
        g_return_val_if_fail(g_task_is_valid(result, self), FALSE);
        g_return_val_if_fail(g_task_get_source_tag(G_TASK(result)) == source_tag, FALSE);
        return g_task_propagate_boolean(G_TASK(result), error);
}

static char *vm_finish_string(HypervisorVm *self, GAsyncResult *result, gpointer source_tag, GError **error) {
        g_autoptr(GVariant) value = NULL;

        g_return_val_if_fail(g_task_is_valid(result, self), NULL);
        g_return_val_if_fail(g_task_get_source_tag(G_TASK(result)) == source_tag, NULL);
        value = g_task_propagate_pointer(G_TASK(result), error);
        return value ? g_variant_dup_string(value, NULL) : NULL;
}

/**
 * hypervisor_vm_boot_async:
 * @self: a #HypervisorVm
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the VM runs or booting failed
 * @user_data: (closure): data for @callback
 *
 * Boots the VM (from "shutoff" or "crashed"). The call completes when the
 * engine reports the VM running.
 *
 * Cancelling @cancellable stops the waiting, not the boot: the request has
 * reached the service, which has no way to withdraw it, so the VM goes on
 * booting and is normally "running" soon after; the finish function then
 * fails with %G_IO_ERROR_CANCELLED. Read #HypervisorVm:state to know where the
 * VM ended, and call hypervisor_vm_poweroff_async() to undo the boot. The same
 * holds for every operation of #HypervisorVm: cancelling abandons the reply.
 *
 * Since: 0.1
 */
void hypervisor_vm_boot_async(HypervisorVm *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_VM(self));
        vm_call(self, "Boot", options_args(), HYPERVISOR_CALL_MAY_AUTHORIZE, "()", hypervisor_vm_boot_async,
                cancellable, callback, user_data);
}

/**
 * hypervisor_vm_boot_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the VM was booted
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_boot_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        return vm_finish_boolean(self, result, hypervisor_vm_boot_async, error);
}

/**
 * hypervisor_vm_shutdown_async:
 * @self: a #HypervisorVm
 * @timeout_seconds: 0 to return once the guest was asked to power off; otherwise
 *   wait until it is off and force it off after this many seconds
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when done
 * @user_data: (closure): data for @callback
 *
 * Asks the guest to shut down (an ACPI power-button press).
 *
 * Since: 0.1
 */
void hypervisor_vm_shutdown_async(HypervisorVm *self, guint timeout_seconds, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_VM(self));
        vm_call(self, "Shutdown", hypervisor_vm_shutdown_args(timeout_seconds), HYPERVISOR_CALL_MAY_AUTHORIZE,
                "()", hypervisor_vm_shutdown_async, cancellable, callback, user_data);
}

/**
 * hypervisor_vm_shutdown_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_shutdown_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        return vm_finish_boolean(self, result, hypervisor_vm_shutdown_async, error);
}

/**
 * hypervisor_vm_poweroff_async:
 * @self: a #HypervisorVm
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the VM is off
 * @user_data: (closure): data for @callback
 *
 * Stops the VM at once, without asking the guest.
 *
 * Since: 0.1
 */
void hypervisor_vm_poweroff_async(HypervisorVm *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_VM(self));
        vm_call(self, "PowerOff", options_args(), HYPERVISOR_CALL_MAY_AUTHORIZE, "()", hypervisor_vm_poweroff_async,
                cancellable, callback, user_data);
}

/**
 * hypervisor_vm_poweroff_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_poweroff_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        return vm_finish_boolean(self, result, hypervisor_vm_poweroff_async, error);
}

/**
 * hypervisor_vm_reboot_async:
 * @self: a #HypervisorVm
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when done
 * @user_data: (closure): data for @callback
 *
 * Resets the running guest.
 *
 * Since: 0.1
 */
void hypervisor_vm_reboot_async(HypervisorVm *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_VM(self));
        vm_call(self, "Reboot", options_args(), HYPERVISOR_CALL_MAY_AUTHORIZE, "()", hypervisor_vm_reboot_async,
                cancellable, callback, user_data);
}

/**
 * hypervisor_vm_reboot_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_reboot_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        return vm_finish_boolean(self, result, hypervisor_vm_reboot_async, error);
}

/**
 * hypervisor_vm_pause_async:
 * @self: a #HypervisorVm
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when done
 * @user_data: (closure): data for @callback
 *
 * Stops the guest's vCPUs, keeping its memory.
 *
 * Since: 0.1
 */
void hypervisor_vm_pause_async(HypervisorVm *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_VM(self));
        vm_call(self, "Pause", options_args(), HYPERVISOR_CALL_MAY_AUTHORIZE, "()", hypervisor_vm_pause_async,
                cancellable, callback, user_data);
}

/**
 * hypervisor_vm_pause_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_pause_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        return vm_finish_boolean(self, result, hypervisor_vm_pause_async, error);
}

/**
 * hypervisor_vm_resume_async:
 * @self: a #HypervisorVm
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when done
 * @user_data: (closure): data for @callback
 *
 * Lets a paused guest run again.
 *
 * Since: 0.1
 */
void hypervisor_vm_resume_async(HypervisorVm *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_VM(self));
        vm_call(self, "Resume", options_args(), HYPERVISOR_CALL_MAY_AUTHORIZE, "()", hypervisor_vm_resume_async,
                cancellable, callback, user_data);
}

/**
 * hypervisor_vm_resume_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_resume_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        return vm_finish_boolean(self, result, hypervisor_vm_resume_async, error);
}

/**
 * hypervisor_vm_snapshot_async:
 * @self: a #HypervisorVm
 * @directory: absolute path of a directory to create for the snapshot
 * @stop: power the VM off once the snapshot is written
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the snapshot is written
 * @user_data: (closure): data for @callback
 *
 * Writes the state and memory of a running or paused VM to @directory.
 *
 * Since: 0.1
 */
void hypervisor_vm_snapshot_async(HypervisorVm *self, const char *directory, gboolean stop,
                                  GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_VM(self));
        g_return_if_fail(directory != NULL);
        vm_call(self, "Snapshot", hypervisor_vm_snapshot_args(directory, stop), HYPERVISOR_CALL_MAY_AUTHORIZE, "()",
                hypervisor_vm_snapshot_async, cancellable, callback, user_data);
}

/**
 * hypervisor_vm_snapshot_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_snapshot_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        return vm_finish_boolean(self, result, hypervisor_vm_snapshot_async, error);
}

/**
 * hypervisor_vm_restore_async:
 * @self: a #HypervisorVm
 * @directory: absolute path of a directory written by hypervisor_vm_snapshot_async()
 * @resume: let the guest run once restored (otherwise it stays paused)
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the VM is restored
 * @user_data: (closure): data for @callback
 *
 * Starts a shut-off VM from a snapshot.
 *
 * Since: 0.1
 */
void hypervisor_vm_restore_async(HypervisorVm *self, const char *directory, gboolean resume,
                                 GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_VM(self));
        g_return_if_fail(directory != NULL);
        vm_call(self, "Restore", hypervisor_vm_restore_args(directory, resume), HYPERVISOR_CALL_MAY_AUTHORIZE, "()",
                hypervisor_vm_restore_async, cancellable, callback, user_data);
}

/**
 * hypervisor_vm_restore_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_restore_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        return vm_finish_boolean(self, result, hypervisor_vm_restore_async, error);
}

/**
 * hypervisor_vm_delete_async:
 * @self: a #HypervisorVm
 * @force: power the VM off first when it runs
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the VM is gone
 * @user_data: (closure): data for @callback
 *
 * Removes the VM and its stored definition. Disk images are left alone.
 *
 * Since: 0.1
 */
void hypervisor_vm_delete_async(HypervisorVm *self, gboolean force, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_VM(self));
        vm_call(self, "Delete", hypervisor_vm_delete_args(force), HYPERVISOR_CALL_MAY_AUTHORIZE, "()",
                hypervisor_vm_delete_async, cancellable, callback, user_data);
}

/**
 * hypervisor_vm_delete_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_delete_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        return vm_finish_boolean(self, result, hypervisor_vm_delete_async, error);
}

/**
 * hypervisor_vm_add_device_async:
 * @self: a #HypervisorVm
 * @xml: one libvirt device element, e.g. `<disk>...</disk>`
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the device was added
 * @user_data: (closure): data for @callback
 *
 * Hot-plugs a device into a running VM (its definition does not change: the
 * device is gone once the VM stops), or adds it to the definition of a
 * shut-off one. hypervisor_vm_add_device_with_flags_async() chooses.
 *
 * Since: 0.1
 */
void hypervisor_vm_add_device_async(HypervisorVm *self, const char *xml, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_VM(self));
        g_return_if_fail(xml != NULL);
        vm_call(self, "AddDevice", hypervisor_vm_device_args(xml, HYPERVISOR_DEVICE_CURRENT),
                HYPERVISOR_CALL_MAY_AUTHORIZE, "(s)", hypervisor_vm_add_device_async, cancellable, callback,
                user_data);
}

/**
 * hypervisor_vm_add_device_with_flags_async:
 * @self: a #HypervisorVm
 * @xml: one libvirt device element, e.g. `<disk>...</disk>`
 * @flags: which configurations get the device: the running VM, the definition, or both
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the device was added
 * @user_data: (closure): data for @callback
 *
 * Adds a device as virsh attach-device does with `--live`, `--config` or
 * `--persistent`: %HYPERVISOR_DEVICE_CONFIG on a running VM adds it to the
 * definition only, for the next boot; %HYPERVISOR_DEVICE_PERSISTENT
 * hot-plugs it and keeps it in the definition. With
 * %HYPERVISOR_DEVICE_CURRENT this is hypervisor_vm_add_device_async().
 *
 * Since: 0.1
 */
void hypervisor_vm_add_device_with_flags_async(HypervisorVm *self, const char *xml, HypervisorDeviceFlags flags,
                                               GCancellable *cancellable, GAsyncReadyCallback callback,
                                               gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_VM(self));
        g_return_if_fail(xml != NULL);
        vm_call(self, "AddDevice", hypervisor_vm_device_args(xml, flags), HYPERVISOR_CALL_MAY_AUTHORIZE, "(s)",
                hypervisor_vm_add_device_with_flags_async, cancellable, callback, user_data);
}

/**
 * hypervisor_vm_add_device_with_flags_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the id of the new device, %NULL on error
 *
 * Since: 0.1
 */
char *hypervisor_vm_add_device_with_flags_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        return vm_finish_string(self, result, hypervisor_vm_add_device_with_flags_async, error);
}

/**
 * hypervisor_vm_add_device_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the id of the new device, %NULL on error
 *
 * Since: 0.1
 */
char *hypervisor_vm_add_device_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        return vm_finish_string(self, result, hypervisor_vm_add_device_async, error);
}

/**
 * hypervisor_vm_remove_device_async:
 * @self: a #HypervisorVm
 * @id: the device id
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the device is gone
 * @user_data: (closure): data for @callback
 *
 * Unplugs a device from a running VM (its definition keeps it), or removes
 * it from the definition of a shut-off one.
 * hypervisor_vm_remove_device_with_flags_async() chooses.
 *
 * Since: 0.1
 */
void hypervisor_vm_remove_device_async(HypervisorVm *self, const char *id, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_VM(self));
        g_return_if_fail(id != NULL);
        vm_call(self, "RemoveDevice", hypervisor_vm_device_args(id, HYPERVISOR_DEVICE_CURRENT),
                HYPERVISOR_CALL_MAY_AUTHORIZE, "()", hypervisor_vm_remove_device_async, cancellable, callback,
                user_data);
}

/**
 * hypervisor_vm_remove_device_with_flags_async:
 * @self: a #HypervisorVm
 * @id: the device id
 * @flags: which configurations lose the device: the running VM, the definition, or both
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the device is gone
 * @user_data: (closure): data for @callback
 *
 * Removes a device as virsh detach-device does with `--live`, `--config` or
 * `--persistent`. With %HYPERVISOR_DEVICE_CURRENT this is
 * hypervisor_vm_remove_device_async().
 *
 * Since: 0.1
 */
void hypervisor_vm_remove_device_with_flags_async(HypervisorVm *self, const char *id, HypervisorDeviceFlags flags,
                                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                                  gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_VM(self));
        g_return_if_fail(id != NULL);
        vm_call(self, "RemoveDevice", hypervisor_vm_device_args(id, flags), HYPERVISOR_CALL_MAY_AUTHORIZE, "()",
                hypervisor_vm_remove_device_with_flags_async, cancellable, callback, user_data);
}

/**
 * hypervisor_vm_remove_device_with_flags_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_remove_device_with_flags_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        return vm_finish_boolean(self, result, hypervisor_vm_remove_device_with_flags_async, error);
}

/**
 * hypervisor_vm_update_device_async:
 * @self: a #HypervisorVm
 * @xml: one libvirt `<disk device='cdrom'>` element naming a cdrom of the VM by its `<target dev>`
 * @flags: which configurations change: the running VM, the definition, or both
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the device has changed
 * @user_data: (closure): data for @callback
 *
 * Changes a device as virsh update-device does, with `--live`, `--config` or
 * `--persistent`; for now the medium of a cdrom: with a `<source>` it is
 * inserted (or swapped for the one in the drive), without one the drive is
 * ejected. Anything else of the cdrom that differs fails with
 * %HYPERVISOR_ERROR_INVALID_ARGUMENT naming it; an engine without cdroms
 * (cloud-hypervisor) with %HYPERVISOR_ERROR_NOT_SUPPORTED.
 *
 * Since: 0.1
 */
void hypervisor_vm_update_device_async(HypervisorVm *self, const char *xml, HypervisorDeviceFlags flags,
                                       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_VM(self));
        g_return_if_fail(xml != NULL);
        vm_call(self, "UpdateDevice", hypervisor_vm_device_args(xml, flags), HYPERVISOR_CALL_MAY_AUTHORIZE, "()",
                hypervisor_vm_update_device_async, cancellable, callback, user_data);
}

/**
 * hypervisor_vm_update_device_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_update_device_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        return vm_finish_boolean(self, result, hypervisor_vm_update_device_async, error);
}

/**
 * hypervisor_vm_remove_device_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE on success
 *
 * Since: 0.1
 */
gboolean hypervisor_vm_remove_device_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        return vm_finish_boolean(self, result, hypervisor_vm_remove_device_async, error);
}

/**
 * hypervisor_vm_get_xml_async:
 * @self: a #HypervisorVm
 * @live: the running configuration (with hot-plugged devices) rather than the definition
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the XML
 * @user_data: (closure): data for @callback
 *
 * Gets the VM as domain XML.
 *
 * Since: 0.1
 */
void hypervisor_vm_get_xml_async(HypervisorVm *self, gboolean live, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_VM(self));
        vm_call(self, "GetXML", hypervisor_vm_get_xml_args(live), HYPERVISOR_CALL_READ, "(s)",
                hypervisor_vm_get_xml_async, cancellable, callback, user_data);
}

/**
 * hypervisor_vm_get_xml_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the domain XML, %NULL on error
 *
 * Since: 0.1
 */
char *hypervisor_vm_get_xml_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        return vm_finish_string(self, result, hypervisor_vm_get_xml_async, error);
}

/**
 * hypervisor_vm_get_info_async:
 * @self: a #HypervisorVm
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the facts
 * @user_data: (closure): data for @callback
 *
 * Gets live facts from the engine, an a{sv} whose keys the GetInfo entry of
 * org.example.Hypervisor.VM.xml documents: "state", "state-reason" and
 * "engine" (s) always; with an engine process "pid" (u), "vcpu-threads" (au),
 * "engine-version", "api-socket", "engine-state" and "accelerator" ("kvm" or
 * "tcg") (s), "memory-actual" (t, bytes), and "accelerator-fallback" (s) when
 * a VM that asks for KVM runs under TCG; "log-tail" (s) after the engine
 * stopped unexpectedly. From Python, `.unpack()` gives a dict. Keys may be
 * added; ignore those you do not know.
 *
 * Since: 0.1
 */
void hypervisor_vm_get_info_async(HypervisorVm *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_VM(self));
        vm_call(self, "GetInfo", options_args(), HYPERVISOR_CALL_READ, "(a{sv})", hypervisor_vm_get_info_async,
                cancellable, callback, user_data);
}

/**
 * hypervisor_vm_get_info_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): an a{sv} dictionary, %NULL on error
 *
 * Since: 0.1
 */
GVariant *hypervisor_vm_get_info_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        g_return_val_if_fail(g_task_is_valid(result, self), NULL);
        g_return_val_if_fail(g_task_get_source_tag(G_TASK(result)) == hypervisor_vm_get_info_async, NULL);
        return g_task_propagate_pointer(G_TASK(result), error);
}

/**
 * hypervisor_vm_get_stats_async:
 * @self: a #HypervisorVm
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the counters
 * @user_data: (closure): data for @callback
 *
 * Gets the counters of a running VM: "cpu-time" (t, ns), "memory-maximum",
 * "memory-actual", "memory-balloon" (t, bytes), and "block" and "net" (aa{sv},
 * one dictionary per device with its "id"), as the GetStats entry of
 * org.example.Hypervisor.VM.xml documents them. Fails with
 * %HYPERVISOR_ERROR_INVALID_STATE when the VM does not run.
 *
 * Since: 0.1
 */
void hypervisor_vm_get_stats_async(HypervisorVm *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_VM(self));
        vm_call(self, "GetStats", options_args(), HYPERVISOR_CALL_READ, "(a{sv})", hypervisor_vm_get_stats_async,
                cancellable, callback, user_data);
}

/**
 * hypervisor_vm_get_stats_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): an a{sv} dictionary, %NULL on error
 *
 * Since: 0.1
 */
GVariant *hypervisor_vm_get_stats_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        g_return_val_if_fail(g_task_is_valid(result, self), NULL);
        g_return_val_if_fail(g_task_get_source_tag(G_TASK(result)) == hypervisor_vm_get_stats_async, NULL);
        return g_task_propagate_pointer(G_TASK(result), error);
}

static void on_console_opened(GObject *source, GAsyncResult *result, gpointer user_data) {
        g_autoptr(GTask) task = user_data;
        g_autoptr(GUnixFDList) fd_list = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;
        int fd;

        reply = hypervisor_call_finish(G_DBUS_PROXY(source), result, &fd_list, &error);
        if (!reply) {
                g_task_return_error(task, g_steal_pointer(&error));
                return;
        }
        fd = hypervisor_vm_take_console_fd(reply, fd_list, &error);
        if (fd < 0) {
                g_task_return_error(task, g_steal_pointer(&error));
                return;
        }
        g_task_return_int(task, fd);
}

/**
 * hypervisor_vm_open_console_async:
 * @self: a #HypervisorVm
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the console
 * @user_data: (closure): data for @callback
 *
 * Opens the VM's serial console.
 *
 * Since: 0.1
 */
void hypervisor_vm_open_console_async(HypervisorVm *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data) {
        GTask *task;

        g_return_if_fail(HYPERVISOR_IS_VM(self));
        task = g_task_new(self, cancellable, callback, user_data);
        g_task_set_source_tag(task, hypervisor_vm_open_console_async);
        hypervisor_call_async(G_DBUS_PROXY(self->proxy), "OpenConsole", options_args(),
                              HYPERVISOR_CALL_MAY_AUTHORIZE, cancellable, on_console_opened, task);
}

/**
 * hypervisor_vm_open_console_finish:
 * @self: a #HypervisorVm
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: a file descriptor connected to the serial console (a socket or a
 *   pty) that the caller owns and closes, or -1 on error
 *
 * Since: 0.1
 */
int hypervisor_vm_open_console_finish(HypervisorVm *self, GAsyncResult *result, GError **error) {
        g_autoptr(GError) local_error = NULL;
        gssize fd;

        g_return_val_if_fail(g_task_is_valid(result, self), -1);
        g_return_val_if_fail(g_task_get_source_tag(G_TASK(result)) == hypervisor_vm_open_console_async, -1);
        fd = g_task_propagate_int(G_TASK(result), &local_error);
        if (local_error) {
                g_propagate_error(error, g_steal_pointer(&local_error));
                return -1;
        }
        return (int) fd;
}
