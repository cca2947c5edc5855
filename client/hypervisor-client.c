/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * HypervisorClient: the connection to hypervisord. It watches the service's
 * ObjectManager, so that it holds one HypervisorVm per VM object and tells
 * when VMs appear and vanish, and it wraps the Manager's methods.
 */

#include "hypervisor-private.h"

/**
 * HypervisorClient:
 *
 * A connection to hypervisord. Create one with hypervisor_client_new_async()
 * (or hypervisor_client_new_for_connection_async() for a bus of your own);
 * it tracks the VMs of the service and emits #HypervisorClient::vm-added and
 * #HypervisorClient::vm-removed as they come and go. Use it from the thread
 * and main context that created it.
 *
 * Since: 0.1
 */
struct _HypervisorClient {
        GObject parent_instance;

        GBusType bus_type;
        GDBusConnection *connection;
        HypervisorDBusManager *manager;
        GDBusObjectManager *object_manager;
        GHashTable *vms; /* object path -> HypervisorVm (owned) */
};

static void hypervisor_client_initable_iface_init(GInitableIface *iface);
static void hypervisor_client_async_initable_iface_init(GAsyncInitableIface *iface);

G_DEFINE_TYPE_WITH_CODE(HypervisorClient, hypervisor_client, G_TYPE_OBJECT,
                        G_IMPLEMENT_INTERFACE(G_TYPE_INITABLE, hypervisor_client_initable_iface_init)
                        G_IMPLEMENT_INTERFACE(G_TYPE_ASYNC_INITABLE,
                                              hypervisor_client_async_initable_iface_init))

enum {
        PROP_0,
        PROP_BUS_TYPE,
        PROP_CONNECTION,
        PROP_VERSION,
        PROP_ENGINES,
        PROP_DEFAULT_ENGINE,
        N_PROPS
};
static GParamSpec *props[N_PROPS];

enum {
        SIGNAL_VM_ADDED,
        SIGNAL_VM_REMOVED,
        N_SIGNALS
};
static guint signals[N_SIGNALS];

/* The VM objects */

static HypervisorVm *add_vm_for_proxy(HypervisorClient *self, HypervisorDBusVM *proxy) {
        const char *path = g_dbus_proxy_get_object_path(G_DBUS_PROXY(proxy));
        HypervisorVm *vm = g_hash_table_lookup(self->vms, path);

        if (!vm) {
                vm = hypervisor_vm_new(proxy);
                g_hash_table_insert(self->vms, g_strdup(path), vm);
        }
        return vm;
}

static void on_object_added(GDBusObjectManager *manager, GDBusObject *object, gpointer user_data) {
        HypervisorClient *self = user_data;
        HypervisorDBusVM *proxy = hypervisor_dbus_object_peek_vm(HYPERVISOR_DBUS_OBJECT(object));
        HypervisorVm *vm;

        if (!proxy)
                return;
        /* It may be known already, when a method returned its path before the ObjectManager told. */
        vm = add_vm_for_proxy(self, proxy);
        g_signal_emit(self, signals[SIGNAL_VM_ADDED], 0, vm);
}

static void on_object_removed(GDBusObjectManager *manager, GDBusObject *object, gpointer user_data) {
        HypervisorClient *self = user_data;
        const char *path = g_dbus_object_get_object_path(object);
        g_autoptr(HypervisorVm) vm = NULL;
        g_autofree char *key = NULL;

        if (!g_hash_table_steal_extended(self->vms, path, (gpointer *) &key, (gpointer *) &vm))
                return;
        g_signal_emit(self, signals[SIGNAL_VM_REMOVED], 0, vm);
}

static void track_objects(HypervisorClient *self) {
        GList *objects = g_dbus_object_manager_get_objects(self->object_manager);

        for (GList *l = objects; l; l = l->next) {
                HypervisorDBusVM *proxy = hypervisor_dbus_object_peek_vm(HYPERVISOR_DBUS_OBJECT(l->data));

                if (proxy)
                        add_vm_for_proxy(self, proxy);
        }
        g_list_free_full(objects, g_object_unref);
        g_signal_connect_object(self->object_manager, "object-added", G_CALLBACK(on_object_added), self, 0);
        g_signal_connect_object(self->object_manager, "object-removed", G_CALLBACK(on_object_removed), self, 0);
}

/* Not reaching the bus at all is one more way of the service being unavailable. */
static GError *bus_error(GBusType bus_type, GError *error) {
        GError *converted = g_error_new(HYPERVISOR_ERROR, HYPERVISOR_ERROR_SERVICE_UNAVAILABLE,
                                        "Cannot connect to the %s bus: %s",
                                        bus_type == G_BUS_TYPE_SESSION ? "session" : "system", error->message);
        g_error_free(error);
        return converted;
}

static gboolean check_service(HypervisorClient *self, GError **error) {
        g_autofree char *owner = g_dbus_proxy_get_name_owner(G_DBUS_PROXY(self->manager));

        if (owner)
                return TRUE;
        g_set_error(error, HYPERVISOR_ERROR, HYPERVISOR_ERROR_SERVICE_UNAVAILABLE,
                    "The hypervisor service '%s' is not running on this bus", HYPERVISOR_BUS_NAME);
        return FALSE;
}

/* Initialization: GInitable and GAsyncInitable */

static gboolean hypervisor_client_initable_init(GInitable *initable, GCancellable *cancellable, GError **error) {
        HypervisorClient *self = HYPERVISOR_CLIENT(initable);
        g_autoptr(GError) local_error = NULL;

        if (!self->connection) {
                self->connection = g_bus_get_sync(self->bus_type, cancellable, &local_error);
                if (!self->connection) {
                        g_propagate_error(error, bus_error(self->bus_type, g_steal_pointer(&local_error)));
                        return FALSE;
                }
        }
        self->manager = hypervisor_dbus_manager_proxy_new_sync(self->connection, G_DBUS_PROXY_FLAGS_NONE,
                                                               HYPERVISOR_BUS_NAME, HYPERVISOR_MANAGER_PATH,
                                                               cancellable, &local_error);
        if (!self->manager)
                goto fail;
        if (!check_service(self, &local_error))
                goto fail;
        self->object_manager = hypervisor_dbus_object_manager_client_new_sync(
                self->connection, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE, HYPERVISOR_BUS_NAME,
                HYPERVISOR_MANAGER_PATH, cancellable, &local_error);
        if (!self->object_manager)
                goto fail;
        track_objects(self);
        return TRUE;

fail:
        hypervisor_error_convert(&local_error);
        g_propagate_error(error, g_steal_pointer(&local_error));
        return FALSE;
}

static void hypervisor_client_initable_iface_init(GInitableIface *iface) {
        iface->init = hypervisor_client_initable_init;
}

static void init_fail(GTask *task, GError *error) {
        hypervisor_error_convert(&error);
        g_task_return_error(task, error);
        g_object_unref(task);
}

static void on_object_manager_ready(GObject *source, GAsyncResult *result, gpointer user_data) {
        GTask *task = user_data;
        HypervisorClient *self = g_task_get_source_object(task);
        GError *error = NULL;

        self->object_manager = hypervisor_dbus_object_manager_client_new_finish(result, &error);
        if (!self->object_manager)
                return init_fail(task, error);
        track_objects(self);
        g_task_return_boolean(task, TRUE);
        g_object_unref(task);
}

static void on_manager_ready(GObject *source, GAsyncResult *result, gpointer user_data) {
        GTask *task = user_data;
        HypervisorClient *self = g_task_get_source_object(task);
        GError *error = NULL;

        self->manager = hypervisor_dbus_manager_proxy_new_finish(result, &error);
        if (!self->manager)
                return init_fail(task, error);
        if (!check_service(self, &error))
                return init_fail(task, error);
        hypervisor_dbus_object_manager_client_new(self->connection, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_NONE,
                                                  HYPERVISOR_BUS_NAME, HYPERVISOR_MANAGER_PATH,
                                                  g_task_get_cancellable(task), on_object_manager_ready, task);
}

static void create_manager(GTask *task) {
        HypervisorClient *self = g_task_get_source_object(task);

        hypervisor_dbus_manager_proxy_new(self->connection, G_DBUS_PROXY_FLAGS_NONE, HYPERVISOR_BUS_NAME,
                                          HYPERVISOR_MANAGER_PATH, g_task_get_cancellable(task), on_manager_ready,
                                          task);
}

static void on_bus_ready(GObject *source, GAsyncResult *result, gpointer user_data) {
        GTask *task = user_data;
        HypervisorClient *self = g_task_get_source_object(task);
        GError *error = NULL;

        self->connection = g_bus_get_finish(result, &error);
        if (!self->connection)
                return init_fail(task, bus_error(self->bus_type, error));
        create_manager(task);
}

static void hypervisor_client_init_async(GAsyncInitable *initable, int io_priority, GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data) {
        HypervisorClient *self = HYPERVISOR_CLIENT(initable);
        GTask *task = g_task_new(self, cancellable, callback, user_data);

        g_task_set_source_tag(task, hypervisor_client_init_async);
        if (self->connection)
                create_manager(task);
        else
                g_bus_get(self->bus_type, cancellable, on_bus_ready, task);
}

static gboolean hypervisor_client_init_finish(GAsyncInitable *initable, GAsyncResult *result, GError **error) {
        return g_task_propagate_boolean(G_TASK(result), error);
}

static void hypervisor_client_async_initable_iface_init(GAsyncInitableIface *iface) {
        iface->init_async = hypervisor_client_init_async;
        iface->init_finish = hypervisor_client_init_finish;
}

/* GObject */

static void hypervisor_client_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec) {
        HypervisorClient *self = HYPERVISOR_CLIENT(object);

        switch (prop_id) {
        case PROP_BUS_TYPE:
                g_value_set_enum(value, self->bus_type);
                break;
        case PROP_CONNECTION:
                g_value_set_object(value, self->connection);
                break;
        case PROP_VERSION:
                g_value_set_string(value, hypervisor_client_get_version(self));
                break;
        case PROP_ENGINES:
                g_value_set_boxed(value, hypervisor_client_get_engines(self));
                break;
        case PROP_DEFAULT_ENGINE:
                g_value_set_string(value, hypervisor_client_get_default_engine(self));
                break;
        default:
                G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        }
}

static void hypervisor_client_set_property(GObject *object, guint prop_id, const GValue *value,
                                           GParamSpec *pspec) {
        HypervisorClient *self = HYPERVISOR_CLIENT(object);

        switch (prop_id) {
        case PROP_BUS_TYPE:
                self->bus_type = g_value_get_enum(value);
                break;
        case PROP_CONNECTION:
                self->connection = g_value_dup_object(value);
                break;
        default:
                G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
        }
}

static void hypervisor_client_dispose(GObject *object) {
        HypervisorClient *self = HYPERVISOR_CLIENT(object);

        if (self->object_manager)
                g_signal_handlers_disconnect_by_data(self->object_manager, self);
        g_clear_object(&self->object_manager);
        g_clear_object(&self->manager);
        g_hash_table_remove_all(self->vms);
        G_OBJECT_CLASS(hypervisor_client_parent_class)->dispose(object);
}

static void hypervisor_client_finalize(GObject *object) {
        HypervisorClient *self = HYPERVISOR_CLIENT(object);

        g_hash_table_unref(self->vms);
        g_clear_object(&self->connection);
        G_OBJECT_CLASS(hypervisor_client_parent_class)->finalize(object);
}

static void hypervisor_client_class_init(HypervisorClientClass *klass) {
        GObjectClass *object_class = G_OBJECT_CLASS(klass);

        object_class->get_property = hypervisor_client_get_property;
        object_class->set_property = hypervisor_client_set_property;
        object_class->dispose = hypervisor_client_dispose;
        object_class->finalize = hypervisor_client_finalize;

        /* Register the error names before the first call can fail. */
        (void) hypervisor_error_quark();

        /**
         * HypervisorClient:bus-type:
         *
         * The bus to connect to when #HypervisorClient:connection is not set.
         *
         * Since: 0.1
         */
        props[PROP_BUS_TYPE] = g_param_spec_enum("bus-type", NULL, NULL, G_TYPE_BUS_TYPE, G_BUS_TYPE_SYSTEM,
                                                 G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                                         G_PARAM_STATIC_STRINGS);
        /**
         * HypervisorClient:connection:
         *
         * The D-Bus connection to the bus the service is on.
         *
         * Since: 0.1
         */
        props[PROP_CONNECTION] = g_param_spec_object("connection", NULL, NULL, G_TYPE_DBUS_CONNECTION,
                                                     G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                                             G_PARAM_STATIC_STRINGS);
        /**
         * HypervisorClient:version:
         *
         * The version of the running service.
         *
         * Since: 0.1
         */
        props[PROP_VERSION] = g_param_spec_string("version", NULL, NULL, NULL,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
        /**
         * HypervisorClient:engines:
         *
         * The engines usable on the service's host.
         *
         * Since: 0.1
         */
        props[PROP_ENGINES] = g_param_spec_boxed("engines", NULL, NULL, G_TYPE_STRV,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
        /**
         * HypervisorClient:default-engine:
         *
         * The engine used when a definition names none.
         *
         * Since: 0.1
         */
        props[PROP_DEFAULT_ENGINE] = g_param_spec_string("default-engine", NULL, NULL, NULL,
                                                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
        g_object_class_install_properties(object_class, N_PROPS, props);

        /**
         * HypervisorClient::vm-added:
         * @self: the client
         * @vm: the new VM
         *
         * Emitted when a VM appears on the service.
         *
         * Since: 0.1
         */
        signals[SIGNAL_VM_ADDED] = g_signal_new("vm-added", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                                NULL, NULL, G_TYPE_NONE, 1, HYPERVISOR_TYPE_VM);
        /**
         * HypervisorClient::vm-removed:
         * @self: the client
         * @vm: the VM that is gone
         *
         * Emitted when a VM disappears from the service.
         *
         * Since: 0.1
         */
        signals[SIGNAL_VM_REMOVED] = g_signal_new("vm-removed", G_TYPE_FROM_CLASS(klass), G_SIGNAL_RUN_LAST, 0,
                                                  NULL, NULL, NULL, G_TYPE_NONE, 1, HYPERVISOR_TYPE_VM);
}

static void hypervisor_client_init(HypervisorClient *self) {
        self->bus_type = G_BUS_TYPE_SYSTEM;
        self->vms = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
}

/* Construction */

/**
 * hypervisor_client_new_async:
 * @bus_type: %G_BUS_TYPE_SYSTEM, or %G_BUS_TYPE_SESSION for a service started with `--session`
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the client is ready
 * @user_data: (closure): data for @callback
 *
 * Connects to hypervisord on @bus_type and loads its VMs.
 *
 * Since: 0.1
 */
void hypervisor_client_new_async(GBusType bus_type, GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data) {
        g_async_initable_new_async(HYPERVISOR_TYPE_CLIENT, G_PRIORITY_DEFAULT, cancellable, callback, user_data,
                                   "bus-type", bus_type, NULL);
}

static HypervisorClient *client_new_finish(GAsyncResult *result, GError **error) {
        g_autoptr(GObject) source = g_async_result_get_source_object(result);
        GObject *object = g_async_initable_new_finish(G_ASYNC_INITABLE(source), result, error);

        return object ? HYPERVISOR_CLIENT(object) : NULL;
}

/**
 * hypervisor_client_new_finish:
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the client, %NULL on error
 * (%HYPERVISOR_ERROR_SERVICE_UNAVAILABLE when the service is not running)
 *
 * Since: 0.1
 */
HypervisorClient *hypervisor_client_new_finish(GAsyncResult *result, GError **error) {
        return client_new_finish(result, error);
}

/**
 * hypervisor_client_new_for_connection_async:
 * @connection: a #GDBusConnection to a message bus, e.g. a private one in tests
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the client is ready
 * @user_data: (closure): data for @callback
 *
 * Connects to hypervisord on the bus of @connection and loads its VMs.
 *
 * Since: 0.1
 */
void hypervisor_client_new_for_connection_async(GDBusConnection *connection, GCancellable *cancellable,
                                                GAsyncReadyCallback callback, gpointer user_data) {
        g_return_if_fail(G_IS_DBUS_CONNECTION(connection));
        g_async_initable_new_async(HYPERVISOR_TYPE_CLIENT, G_PRIORITY_DEFAULT, cancellable, callback, user_data,
                                   "connection", connection, NULL);
}

/**
 * hypervisor_client_new_for_connection_finish:
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the client, %NULL on error
 *
 * Since: 0.1
 */
HypervisorClient *hypervisor_client_new_for_connection_finish(GAsyncResult *result, GError **error) {
        return client_new_finish(result, error);
}

/* Properties */

/**
 * hypervisor_client_get_connection:
 * @self: a #HypervisorClient
 *
 * Returns: (transfer none): the D-Bus connection the client uses
 *
 * Since: 0.1
 */
GDBusConnection *hypervisor_client_get_connection(HypervisorClient *self) {
        g_return_val_if_fail(HYPERVISOR_IS_CLIENT(self), NULL);
        return self->connection;
}

/**
 * hypervisor_client_get_version:
 * @self: a #HypervisorClient
 *
 * Returns: (transfer none) (nullable): the version of the running service
 *
 * Since: 0.1
 */
const char *hypervisor_client_get_version(HypervisorClient *self) {
        g_return_val_if_fail(HYPERVISOR_IS_CLIENT(self), NULL);
        return self->manager ? hypervisor_dbus_manager_get_version(self->manager) : NULL;
}

/**
 * hypervisor_client_get_engines:
 * @self: a #HypervisorClient
 *
 * Returns: (transfer none) (array zero-terminated=1) (nullable): the engines usable on the host
 *
 * Since: 0.1
 */
const char *const *hypervisor_client_get_engines(HypervisorClient *self) {
        g_return_val_if_fail(HYPERVISOR_IS_CLIENT(self), NULL);
        return self->manager ? hypervisor_dbus_manager_get_engines(self->manager) : NULL;
}

/**
 * hypervisor_client_get_default_engine:
 * @self: a #HypervisorClient
 *
 * Returns: (transfer none) (nullable): the engine used when a definition names none
 *
 * Since: 0.1
 */
const char *hypervisor_client_get_default_engine(HypervisorClient *self) {
        g_return_val_if_fail(HYPERVISOR_IS_CLIENT(self), NULL);
        return self->manager ? hypervisor_dbus_manager_get_default_engine(self->manager) : NULL;
}

static int compare_vm_names(gconstpointer a, gconstpointer b) {
        HypervisorVm *vm_a = *(HypervisorVm **) a, *vm_b = *(HypervisorVm **) b;

        return g_strcmp0(hypervisor_vm_get_name(vm_a), hypervisor_vm_get_name(vm_b));
}

/**
 * hypervisor_client_get_vms:
 * @self: a #HypervisorClient
 *
 * The VMs the client knows of, without asking the service. On the system bus
 * this may include VMs that hypervisor_client_list_vms_async() would not
 * show to the caller.
 *
 * Returns: (transfer container) (element-type HypervisorVm): the VMs, sorted by name
 *
 * Since: 0.1
 */
GPtrArray *hypervisor_client_get_vms(HypervisorClient *self) {
        GPtrArray *vms;
        GHashTableIter iter;
        gpointer vm;

        g_return_val_if_fail(HYPERVISOR_IS_CLIENT(self), NULL);
        vms = g_ptr_array_new_full(g_hash_table_size(self->vms), g_object_unref);
        g_hash_table_iter_init(&iter, self->vms);
        while (g_hash_table_iter_next(&iter, NULL, &vm))
                g_ptr_array_add(vms, g_object_ref(vm));
        g_ptr_array_sort(vms, compare_vm_names);
        return vms;
}

/* Internal helpers shared with hypervisor-client-sync.c */

GDBusProxy *hypervisor_client_get_manager_proxy(HypervisorClient *self) {
        return G_DBUS_PROXY(self->manager);
}

HypervisorVm *hypervisor_client_vm_for_path_sync(HypervisorClient *self, const char *path,
                                                 GCancellable *cancellable, GError **error) {
        g_autoptr(HypervisorDBusVM) proxy = NULL;
        HypervisorVm *vm = g_hash_table_lookup(self->vms, path);

        if (vm) {
                /* Known, but its cache may wait for a main loop the caller never runs. */
                hypervisor_vm_refresh_sync(vm);
                return g_object_ref(vm);
        }
        /*
         * A blocking call returned before the ObjectManager's InterfacesAdded was
         * dispatched: build the VM from its own proxy. The ObjectManager will
         * announce it later.
         */
        proxy = hypervisor_dbus_vm_proxy_new_sync(self->connection, G_DBUS_PROXY_FLAGS_NONE, HYPERVISOR_BUS_NAME,
                                                  path, cancellable, error);
        if (!proxy) {
                hypervisor_error_convert(error);
                return NULL;
        }
        return g_object_ref(add_vm_for_proxy(self, proxy));
}

GPtrArray *hypervisor_client_vms_for_paths_sync(HypervisorClient *self, const char *const *paths,
                                                GCancellable *cancellable, GError **error) {
        g_autoptr(GPtrArray) vms = g_ptr_array_new_with_free_func(g_object_unref);

        for (size_t i = 0; paths[i]; i++) {
                HypervisorVm *vm = hypervisor_client_vm_for_path_sync(self, paths[i], cancellable, error);

                if (!vm)
                        return NULL;
                g_ptr_array_add(vms, vm);
        }
        return g_steal_pointer(&vms);
}

/*
 * The asynchronous Manager calls that answer with object paths: the task
 * completes with a GPtrArray of HypervisorVm once every path has its object.
 */

typedef struct {
        HypervisorVm **vms;
        guint n_vms;
        guint pending;
        gboolean failed;
} Resolution;

static void resolution_free(Resolution *r) {
        for (guint i = 0; i < r->n_vms; i++)
                g_clear_object(&r->vms[i]);
        g_free(r->vms);
        g_free(r);
}

static void resolution_complete(GTask *task) {
        Resolution *r = g_task_get_task_data(task);
        GPtrArray *vms = g_ptr_array_new_full(r->n_vms, g_object_unref);

        for (guint i = 0; i < r->n_vms; i++)
                g_ptr_array_add(vms, g_steal_pointer(&r->vms[i]));
        g_task_return_pointer(task, vms, (GDestroyNotify) g_ptr_array_unref);
}

typedef struct {
        GTask *task;
        guint index;
} ProxyRequest;

static void on_vm_proxy_ready(GObject *source, GAsyncResult *result, gpointer user_data) {
        ProxyRequest *request = user_data;
        g_autoptr(GTask) task = request->task;
        HypervisorClient *self = g_task_get_source_object(task);
        Resolution *r = g_task_get_task_data(task);
        g_autoptr(HypervisorDBusVM) proxy = NULL;
        g_autoptr(GError) error = NULL;
        guint index = request->index;

        g_free(request);
        r->pending--;
        proxy = hypervisor_dbus_vm_proxy_new_finish(result, &error);
        if (r->failed)
                return;
        if (!proxy) {
                r->failed = TRUE;
                hypervisor_error_convert(&error);
                g_task_return_error(task, g_steal_pointer(&error));
                return;
        }
        r->vms[index] = g_object_ref(add_vm_for_proxy(self, proxy));
        if (r->pending == 0)
                resolution_complete(task);
}

static void resolve_paths(GTask *task, const char *const *paths) {
        HypervisorClient *self = g_task_get_source_object(task);
        Resolution *r = g_new0(Resolution, 1);

        r->n_vms = g_strv_length((char **) paths);
        r->vms = g_new0(HypervisorVm *, r->n_vms + 1);
        g_task_set_task_data(task, r, (GDestroyNotify) resolution_free);
        for (guint i = 0; i < r->n_vms; i++) {
                HypervisorVm *vm = g_hash_table_lookup(self->vms, paths[i]);
                ProxyRequest *request;

                if (vm) {
                        r->vms[i] = g_object_ref(vm);
                        continue;
                }
                request = g_new0(ProxyRequest, 1);
                request->task = g_object_ref(task);
                request->index = i;
                r->pending++;
                hypervisor_dbus_vm_proxy_new(self->connection, G_DBUS_PROXY_FLAGS_NONE, HYPERVISOR_BUS_NAME,
                                             paths[i], g_task_get_cancellable(task), on_vm_proxy_ready, request);
        }
        if (r->pending == 0)
                resolution_complete(task);
}

static void on_paths_reply(GObject *source, GAsyncResult *result, gpointer user_data) {
        g_autoptr(GTask) task = user_data;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree const char **paths = NULL;

        reply = hypervisor_call_finish(G_DBUS_PROXY(source), result, NULL, &error);
        if (!reply) {
                g_task_return_error(task, g_steal_pointer(&error));
                return;
        }
        if (g_variant_is_of_type(reply, G_VARIANT_TYPE("(o)"))) {
                paths = g_new0(const char *, 2);
                g_variant_get(reply, "(&o)", &paths[0]);
        } else if (g_variant_is_of_type(reply, G_VARIANT_TYPE("(ao)"))) {
                g_autoptr(GVariant) array = g_variant_get_child_value(reply, 0);
                paths = g_variant_get_objv(array, NULL);
        } else {
                g_task_return_new_error(task, HYPERVISOR_ERROR, HYPERVISOR_ERROR_FAILED,
                                        "The service answered with type '%s', expected object paths",
                                        g_variant_get_type_string(reply));
                return;
        }
        resolve_paths(task, paths);
}

static void manager_call_for_vms(HypervisorClient *self, const char *method, GVariant *args,
                                 HypervisorCallKind kind, gpointer source_tag, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data) {
        GTask *task = g_task_new(self, cancellable, callback, user_data);

        g_task_set_source_tag(task, source_tag);
        hypervisor_call_async(G_DBUS_PROXY(self->manager), method, args, kind, cancellable, on_paths_reply, task);
}

static GPtrArray *finish_vms(HypervisorClient *self, GAsyncResult *result, gpointer source_tag, GError **error) {
        g_return_val_if_fail(g_task_is_valid(result, self), NULL);
        g_return_val_if_fail(g_task_get_source_tag(G_TASK(result)) == source_tag, NULL);
        return g_task_propagate_pointer(G_TASK(result), error);
}

static HypervisorVm *finish_one_vm(HypervisorClient *self, GAsyncResult *result, gpointer source_tag,
                                   GError **error) {
        g_autoptr(GPtrArray) vms = finish_vms(self, result, source_tag, error);

        if (!vms)
                return NULL;
        g_return_val_if_fail(vms->len == 1, NULL);
        return g_object_ref(g_ptr_array_index(vms, 0));
}

GVariant *hypervisor_client_define_args(const char *xml, const char *engine) {
        GVariantBuilder options;

        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        if (engine)
                g_variant_builder_add(&options, "{sv}", "engine", g_variant_new_string(engine));
        return g_variant_new("(sa{sv})", xml, &options);
}

/**
 * hypervisor_client_define_vm_async:
 * @self: a #HypervisorClient
 * @xml: the VM as libvirt-style domain XML
 * @engine: (nullable): "qemu" or "cloud-hypervisor" to override the engine the XML chooses
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the VM is defined
 * @user_data: (closure): data for @callback
 *
 * Defines a persistent VM, or updates the definition of the VM with the same
 * name or UUID.
 *
 * Since: 0.1
 */
void hypervisor_client_define_vm_async(HypervisorClient *self, const char *xml, const char *engine,
                                       GCancellable *cancellable, GAsyncReadyCallback callback,
                                       gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_CLIENT(self));
        g_return_if_fail(xml != NULL);
        manager_call_for_vms(self, "DefineVM", hypervisor_client_define_args(xml, engine),
                             HYPERVISOR_CALL_MAY_AUTHORIZE, hypervisor_client_define_vm_async, cancellable,
                             callback, user_data);
}

/**
 * hypervisor_client_define_vm_finish:
 * @self: a #HypervisorClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the defined VM, %NULL on error
 *
 * Since: 0.1
 */
HypervisorVm *hypervisor_client_define_vm_finish(HypervisorClient *self, GAsyncResult *result, GError **error) {
        return finish_one_vm(self, result, hypervisor_client_define_vm_async, error);
}

/**
 * hypervisor_client_create_vm_async:
 * @self: a #HypervisorClient
 * @xml: the VM as libvirt-style domain XML
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the VM runs
 * @user_data: (closure): data for @callback
 *
 * Defines a transient VM and boots it; it vanishes when it stops.
 *
 * Since: 0.1
 */
void hypervisor_client_create_vm_async(HypervisorClient *self, const char *xml, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_CLIENT(self));
        g_return_if_fail(xml != NULL);
        manager_call_for_vms(self, "CreateVM", hypervisor_client_define_args(xml, NULL),
                             HYPERVISOR_CALL_MAY_AUTHORIZE, hypervisor_client_create_vm_async, cancellable,
                             callback, user_data);
}

/**
 * hypervisor_client_create_vm_finish:
 * @self: a #HypervisorClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the running VM, %NULL on error
 *
 * Since: 0.1
 */
HypervisorVm *hypervisor_client_create_vm_finish(HypervisorClient *self, GAsyncResult *result, GError **error) {
        return finish_one_vm(self, result, hypervisor_client_create_vm_async, error);
}

/**
 * hypervisor_client_list_vms_async:
 * @self: a #HypervisorClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the VMs
 * @user_data: (closure): data for @callback
 *
 * Asks the service for the VMs visible to the caller.
 *
 * Since: 0.1
 */
void hypervisor_client_list_vms_async(HypervisorClient *self, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_CLIENT(self));
        manager_call_for_vms(self, "ListVMs", g_variant_new("(@a{sv})", hypervisor_options_empty()),
                             HYPERVISOR_CALL_READ, hypervisor_client_list_vms_async, cancellable, callback,
                             user_data);
}

/**
 * hypervisor_client_list_vms_finish:
 * @self: a #HypervisorClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type HypervisorVm) (nullable): the VMs, %NULL on error
 *
 * Since: 0.1
 */
GPtrArray *hypervisor_client_list_vms_finish(HypervisorClient *self, GAsyncResult *result, GError **error) {
        return finish_vms(self, result, hypervisor_client_list_vms_async, error);
}

/**
 * hypervisor_client_get_vm_by_name_async:
 * @self: a #HypervisorClient
 * @name: the VM's name
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the VM
 * @user_data: (closure): data for @callback
 *
 * Looks a VM up by name; fails with %HYPERVISOR_ERROR_NOT_FOUND when there is none.
 *
 * Since: 0.1
 */
void hypervisor_client_get_vm_by_name_async(HypervisorClient *self, const char *name, GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_CLIENT(self));
        g_return_if_fail(name != NULL);
        manager_call_for_vms(self, "GetVMByName", g_variant_new("(s@a{sv})", name, hypervisor_options_empty()),
                             HYPERVISOR_CALL_READ, hypervisor_client_get_vm_by_name_async, cancellable, callback,
                             user_data);
}

/**
 * hypervisor_client_get_vm_by_name_finish:
 * @self: a #HypervisorClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the VM, %NULL on error
 *
 * Since: 0.1
 */
HypervisorVm *hypervisor_client_get_vm_by_name_finish(HypervisorClient *self, GAsyncResult *result,
                                                      GError **error) {
        return finish_one_vm(self, result, hypervisor_client_get_vm_by_name_async, error);
}

/**
 * hypervisor_client_get_vm_by_uuid_async:
 * @self: a #HypervisorClient
 * @uuid: the VM's UUID
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the VM
 * @user_data: (closure): data for @callback
 *
 * Looks a VM up by UUID; fails with %HYPERVISOR_ERROR_NOT_FOUND when there is none.
 *
 * Since: 0.1
 */
void hypervisor_client_get_vm_by_uuid_async(HypervisorClient *self, const char *uuid, GCancellable *cancellable,
                                            GAsyncReadyCallback callback, gpointer user_data) {
        g_return_if_fail(HYPERVISOR_IS_CLIENT(self));
        g_return_if_fail(uuid != NULL);
        manager_call_for_vms(self, "GetVMByUUID", g_variant_new("(s@a{sv})", uuid, hypervisor_options_empty()),
                             HYPERVISOR_CALL_READ, hypervisor_client_get_vm_by_uuid_async, cancellable, callback,
                             user_data);
}

/**
 * hypervisor_client_get_vm_by_uuid_finish:
 * @self: a #HypervisorClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): the VM, %NULL on error
 *
 * Since: 0.1
 */
HypervisorVm *hypervisor_client_get_vm_by_uuid_finish(HypervisorClient *self, GAsyncResult *result,
                                                      GError **error) {
        return finish_one_vm(self, result, hypervisor_client_get_vm_by_uuid_async, error);
}

/**
 * hypervisor_client_get_capabilities_async:
 * @self: a #HypervisorClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the capabilities
 * @user_data: (closure): data for @callback
 *
 * Asks what the host offers: engines, accelerators, hot-pluggable devices, limits.
 * The a{sv} has the keys the GetCapabilities entry of
 * org.example.Hypervisor.Manager.xml documents: "version" and
 * "default-engine" (s), "engines" (one a{sv} per engine: "usable", "binary",
 * "version", "kvm", "tcg", "hotplug"), "accelerators" ("kvm", "tcg": b) and
 * "limits" ("max-vms-per-user", "max-xml-size", "max-vcpus": u;
 * "min-memory": t). From Python, `.unpack()` gives nested dicts.
 *
 * Since: 0.1
 */
void hypervisor_client_get_capabilities_async(HypervisorClient *self, GCancellable *cancellable,
                                              GAsyncReadyCallback callback, gpointer user_data) {
        GTask *task;

        g_return_if_fail(HYPERVISOR_IS_CLIENT(self));
        task = g_task_new(self, cancellable, callback, user_data);
        g_task_set_source_tag(task, hypervisor_client_get_capabilities_async);
        hypervisor_call_to_task(G_DBUS_PROXY(self->manager), "GetCapabilities",
                                g_variant_new("(@a{sv})", hypervisor_options_empty()), HYPERVISOR_CALL_READ,
                                "(a{sv})", task);
}

/**
 * hypervisor_client_get_capabilities_finish:
 * @self: a #HypervisorClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full) (nullable): an a{sv} dictionary, %NULL on error
 *
 * Since: 0.1
 */
GVariant *hypervisor_client_get_capabilities_finish(HypervisorClient *self, GAsyncResult *result,
                                                    GError **error) {
        g_return_val_if_fail(g_task_is_valid(result, self), NULL);
        g_return_val_if_fail(g_task_get_source_tag(G_TASK(result)) == hypervisor_client_get_capabilities_async,
                             NULL);
        return g_task_propagate_pointer(G_TASK(result), error);
}
