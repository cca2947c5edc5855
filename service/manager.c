/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The registry of VMs, the engines of this host, and the daemon's life on the bus. */

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "bus-util.h"
#include "domain-xml.h"
#include "manager.h"
#include "vm-nvram.h"
#include "vm-tpm.h"
#include "vm-net.h"
#include "polkit.h"
#include "store.h"
#include "vm-runtime.h"
#include "vm.h"

Manager *manager_new(Settings *settings) {
        Manager *manager = g_new0(Manager, 1);
        g_autoptr(GError) error = NULL;

        manager->settings = *settings;
        memset(settings, 0, sizeof(*settings));
        manager->vms_dir = g_build_filename(manager->settings.state_dir, "vms", NULL);
        manager->vms_by_uuid = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) vm_free);
        manager->vms_by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        manager->vms_per_owner = g_hash_table_new(g_direct_hash, g_direct_equal);
        manager->vms_defining = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify) vm_free);
        manager->senders = sender_cache_new();
        manager->polkit = polkit_registry_new(manager->settings.polkit_timeout_sec * G_USEC_PER_SEC,
                                              manager->settings.max_parked_bytes_per_user);
        manager->operations = g_hash_table_new(g_direct_hash, g_direct_equal);
        if (sd_event_default(&manager->event) < 0)
                g_error("Cannot create the event loop");
        /* Two: while one engine is spawned, the next waits at the spawner. */
        manager->launches = launch_queue_new(manager->event, 2, (LaunchFn) vm_launch_queued);
        if (!manager->launches)
                g_error("Cannot create the engine launch queue");
        manager->store = store_writer_new(manager->event, &error);
        if (!manager->store)
                g_error("Cannot start the definition writer: %s", error->message);
        return manager;
}

void manager_free(Manager *manager) {
        if (!manager)
                return;
        /* Definitions being written are finished first: their callers are answered. */
        store_writer_free(manager->store);
        /* VMs next: they may answer parked calls on the bus. Their engines keep running. */
        g_hash_table_unref(manager->vms_defining);
        g_hash_table_remove_all(manager->vms_by_name);
        g_hash_table_unref(manager->vms_by_uuid);
        g_hash_table_unref(manager->vms_by_name);
        g_hash_table_unref(manager->vms_per_owner);
        launch_queue_free(manager->launches); /* after the VMs: each leaves it when freed */
        sender_cache_free(manager->senders);
        if (manager->vm_paths)
                g_string_free(manager->vm_paths, TRUE);
        for (size_t i = 0; i < manager->n_engines; i++)
                engine_probe_clear(&manager->engines[i].probe);
        g_free(manager->engines);
        polkit_registry_free(manager->polkit);
        g_hash_table_unref(manager->operations);
        read_queue_free(manager->reads);
        sd_bus_flush_close_unref(manager->bus);
        sd_event_unref(manager->event);
        g_free(manager->vms_dir);
        settings_clear(&manager->settings);
        g_free(manager);
}

Vm *manager_find_vm_by_uuid(Manager *manager, const char *uuid) {
        return g_hash_table_lookup(manager->vms_by_uuid, uuid);
}

Vm *manager_find_vm_by_name(Manager *manager, const char *name) {
        return g_hash_table_lookup(manager->vms_by_name, name);
}

Vm *manager_find_vm_by_path(Manager *manager, const char *path) {
        g_autofree char *uuid = NULL;

        if (sd_bus_path_decode(path, HV_VM_PATH_PREFIX, &uuid) <= 0)
                return NULL;
        return manager_find_vm_by_uuid(manager, uuid);
}

unsigned manager_count_vms_of_owner(Manager *manager, uid_t owner) {
        return GPOINTER_TO_UINT(g_hash_table_lookup(manager->vms_per_owner, GUINT_TO_POINTER(owner)));
}

static void manager_count_owner(Manager *manager, uid_t owner, int delta) {
        unsigned n = manager_count_vms_of_owner(manager, owner);

        g_assert(delta > 0 || n > 0);
        n = (unsigned) ((int) n + delta);
        if (n == 0)
                g_hash_table_remove(manager->vms_per_owner, GUINT_TO_POINTER(owner));
        else
                g_hash_table_insert(manager->vms_per_owner, GUINT_TO_POINTER(owner), GUINT_TO_POINTER(n));
}

const ManagerEngine *manager_get_engine(Manager *manager, const char *name) {
        for (size_t i = 0; i < manager->n_engines; i++)
                if (g_str_equal(manager->engines[i].ops->name, name))
                        return &manager->engines[i];
        return NULL;
}

/* The keys are copies: a redefinition replaces vm->config but never its name or UUID. */
static void manager_add_vm(Manager *manager, Vm *vm) {
        g_hash_table_insert(manager->vms_by_uuid, g_strdup(vm->config->uuid), vm);
        g_hash_table_insert(manager->vms_by_name, g_strdup(vm->config->name), vm);
        manager_count_owner(manager, vm->owner, +1);
        if (manager->vm_paths)
                g_string_append_len(manager->vm_paths, vm->path, (gssize) strlen(vm->path) + 1);
}

/*
 * ListVMs with 10,000 VMs is dominated by memory: walking the hash table
 * touches every Vm and every path string, each a cache miss. One contiguous
 * copy of the paths is read sequentially instead. Appending keeps it current;
 * a removal makes it stale, and the next ListVMs rebuilds it.
 */
const GString *manager_get_vm_paths(Manager *manager) {
        GHashTableIter iter;
        gpointer value;

        if (manager->vm_paths)
                return manager->vm_paths;
        manager->vm_paths = g_string_sized_new(g_hash_table_size(manager->vms_by_uuid) * 80);
        g_hash_table_iter_init(&iter, manager->vms_by_uuid);
        while (g_hash_table_iter_next(&iter, NULL, &value)) {
                const char *path = ((Vm *) value)->path;
                g_string_append_len(manager->vm_paths, path, (gssize) strlen(path) + 1);
        }
        return manager->vm_paths;
}

unsigned manager_operations_in_flight(Manager *manager, uid_t uid) {
        return GPOINTER_TO_UINT(g_hash_table_lookup(manager->operations, GUINT_TO_POINTER(uid))) +
               polkit_registry_pending_for_uid(manager->polkit, uid);
}

bool manager_operation_begin(Manager *manager, uid_t uid, GError **error) {
        unsigned n = GPOINTER_TO_UINT(g_hash_table_lookup(manager->operations, GUINT_TO_POINTER(uid)));

        if (manager_operations_in_flight(manager, uid) >= manager->settings.max_operations_in_flight) {
                g_set_error(error, HV_ERROR, HV_ERROR_LIMITS_EXCEEDED,
                            "Too many operations in flight for uid %u (the limit is %u)", (unsigned) uid,
                            manager->settings.max_operations_in_flight);
                return false;
        }
        g_hash_table_insert(manager->operations, GUINT_TO_POINTER(uid), GUINT_TO_POINTER(n + 1));
        return true;
}

void manager_operation_end(Manager *manager, uid_t uid) {
        unsigned n = GPOINTER_TO_UINT(g_hash_table_lookup(manager->operations, GUINT_TO_POINTER(uid)));

        if (n <= 1)
                g_hash_table_remove(manager->operations, GUINT_TO_POINTER(uid));
        else
                g_hash_table_insert(manager->operations, GUINT_TO_POINTER(uid), GUINT_TO_POINTER(n - 1));
}

/* ---- start-up ---------------------------------------------------------------------- */

static void manager_probe_engines(Manager *manager) {
        const EngineOps *const *list = engine_list();
        size_t n = 0;

        while (list[n])
                n++;
        manager->engines = g_new0(ManagerEngine, n);
        manager->n_engines = n;
        for (size_t i = 0; i < n; i++) {
                g_autoptr(GError) error = NULL;
                ManagerEngine *engine = &manager->engines[i];

                engine->ops = list[i];
                if (!engine->ops->probe(settings_get_engine(&manager->settings, engine->ops->name), &engine->probe,
                                        &error)) {
                        engine->probe.usable = false;
                        if (!engine->probe.unusable_reason)
                                engine->probe.unusable_reason = g_strdup(error ? error->message : "probe failed");
                }
                if (engine->probe.usable)
                        g_info("Engine %s: %s %s%s", engine->ops->name, engine->probe.binary, engine->probe.version,
                               engine->probe.kvm ? " (KVM)" : "");
                else
                        g_info("Engine %s unusable: %s", engine->ops->name, engine->probe.unusable_reason);
        }
}

static DomainXmlPaths manager_xml_paths(Manager *manager) {
        return (DomainXmlPaths){
                .images_dir = manager->settings.images_dir,
                .firmware_dirs = (const char *const *) manager->settings.firmware_dirs,
        };
}

static void manager_load_definitions(Manager *manager, GPtrArray *stored_vms) {
        DomainXmlPaths paths = manager_xml_paths(manager);

        for (guint i = 0; i < stored_vms->len; i++) {
                StoredVm *stored = g_ptr_array_index(stored_vms, i);
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = domain_xml_parse(stored->xml, strlen(stored->xml), &paths, &error);
                Vm *vm;

                if (!config) {
                        g_warning("Ignoring the definition %s: %s", stored->uuid, error->message);
                        continue;
                }
                if (!g_str_equal(config->uuid, stored->uuid) || manager_find_vm_by_name(manager, config->name) ||
                    manager_find_vm_by_uuid(manager, config->uuid)) {
                        g_warning("Ignoring the definition %s: its name or UUID clashes", stored->uuid);
                        continue;
                }
                vm = vm_new(manager, g_steal_pointer(&config), stored->engine, stored->owner, true);
                vm->autostart = stored->autostart;
                manager_add_vm(manager, vm);
        }
}

/* Engines that kept running while the daemon was away are taken back. */
static void manager_reattach_vms(Manager *manager) {
        g_autofree char *dir = g_build_filename(manager->settings.runtime_dir, "vms", NULL);
        g_autoptr(GPtrArray) runtimes = NULL;
        DomainXmlPaths paths = manager_xml_paths(manager);
        unsigned attached = 0;

        g_mkdir_with_parents(dir, 0700);
        runtimes = vm_runtime_load_all(dir);
        for (guint i = 0; i < runtimes->len; i++) {
                VmRuntime *runtime = g_ptr_array_index(runtimes, i);
                Vm *vm = manager_find_vm_by_uuid(manager, runtime->uuid);
                g_autoptr(GError) error = NULL;

                if (!vm && !runtime->persistent) {
                        /* A transient VM lives only in its runtime file. */
                        g_autoptr(VmConfig) config = domain_xml_parse(runtime->live_xml, strlen(runtime->live_xml),
                                                                      &paths, &error);
                        if (!config || manager_find_vm_by_name(manager, config->name)) {
                                g_warning("Cannot take back transient VM %s: %s", runtime->uuid,
                                          config ? "its name is taken" : error->message);
                                continue;
                        }
                        vm = vm_new(manager, g_steal_pointer(&config), runtime->engine, runtime->owner, false);
                        manager_add_vm(manager, vm);
                }
                if (!vm) {
                        g_warning("A VM %s runs without a definition; leaving it alone", runtime->uuid);
                        continue;
                }
                if (g_str_equal(runtime->state, "starting")) {
                        /* A boot cut short by the daemon's death: its engine goes. */
                        vm_end_interrupted_start(vm, runtime->engine_facts);
                        if (!vm->persistent)
                                manager_delete_vm_later(manager, vm);
                        continue;
                }
                vm->definition_changed = runtime->definition_changed; /* before it may be written again */
                if (!vm_reattach(vm, runtime->live_xml, runtime->engine_facts,
                                 g_str_equal(runtime->state, "paused"), &error)) {
                        g_info("VM '%s' stopped while the daemon was away: %s", vm->config->name, error->message);
                        if (!vm->persistent)
                                manager_delete_vm_later(manager, vm);
                        continue;
                }
                attached++;
        }
        if (runtimes->len > 0)
                g_info("Re-attached %u of %u running VMs", attached, runtimes->len);
}

bool manager_load(Manager *manager, GError **error) {
        const char *const dirs[] = { manager->vms_dir, manager->settings.runtime_dir, manager->settings.logs_dir };
        g_autoptr(GPtrArray) stored_vms = NULL;

        for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++)
                if (g_mkdir_with_parents(dirs[i], 0700) < 0) {
                        g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot create '%s': %s", dirs[i],
                                    g_strerror(errno));
                        return false;
                }
        manager_probe_engines(manager);
        if (!manager_get_engine(manager, manager->settings.default_engine))
                g_warning("The default engine '%s' is not built in", manager->settings.default_engine);

        stored_vms = store_load_vms(manager->vms_dir, error);
        if (!stored_vms)
                return false;
        manager_load_definitions(manager, stored_vms);
        vm_net_give_loaded_vms_macs(manager);
        manager_reattach_vms(manager);
        g_info("%u VMs defined", g_hash_table_size(manager->vms_by_uuid));
        return true;
}

/* ---- define and delete ---------------------------------------------------------------- */

/* The engine a definition asks for: the option, else <emulator>, else what it had, else the default. */
static const char *choose_engine(Manager *manager, const VmConfig *config, const char *requested, Vm *existing) {
        if (requested)
                return requested;
        if (config->emulator) {
                g_autofree char *base = g_path_get_basename(config->emulator);
                if (g_str_has_prefix(base, "cloud-hypervisor"))
                        return "cloud-hypervisor";
                if (g_str_has_prefix(base, "qemu"))
                        return "qemu";
        }
        if (existing)
                return existing->engine;
        return manager->settings.default_engine;
}

/*
 * That the engine exists and could run this configuration on some host (a
 * machine type, a device kind it has not: NotSupported naming the element and
 * the engine). Whether it can run it on this host is checked at boot, where the
 * answer is current (a definition may name files, devices or an accelerator
 * that appear later).
 */
static bool check_engine_can_run(Manager *manager, const char *name, const VmConfig *config, VmProblems *problems,
                                 GError **error) {
        const ManagerEngine *engine = manager_get_engine(manager, name);

        if (!engine) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED, "Engine '%s' is not available", name);
                return false;
        }
        if (engine->ops->check)
                engine->ops->check(config, problems);
        /* Where its displays listen is the administrator's to allow. */
        vm_display_listen_problems(&manager->settings, config, problems);
        return true;
}

/*
 * A document the reader refused: what it could read goes to the engine's checks all the same,
 * so that the one error names the engine's problems too, sorted by line with the reader's
 * (vm-problems.h: the checks know the config is partial), and so do its interfaces' bridges
 * and networks.
 */
static void add_engine_problems(Manager *manager, VmConfig *config, const char *engine_name, uid_t owner,
                                VmProblems *problems) {
        Vm *existing = config->uuid_generated ? NULL : manager_find_vm_by_uuid(manager, config->uuid);
        /* Another user's VM says nothing of this one. */
        if (existing && existing->owner != owner && owner != 0)
                existing = NULL;

        vm_net_problems(&manager->settings, existing ? existing->owner : owner, config, problems);
        (void) check_engine_can_run(manager, choose_engine(manager, config, engine_name, existing), config, problems,
                                    NULL);
}

/* A new VM whose definition is being written, by name (few are, at any time). */
static Vm *find_vm_defining_by_name(Manager *manager, const char *name) {
        GHashTableIter iter;
        gpointer value;

        g_hash_table_iter_init(&iter, manager->vms_defining);
        while (g_hash_table_iter_next(&iter, NULL, &value))
                if (g_str_equal(((Vm *) value)->config->name, name))
                        return value;
        return NULL;
}

static unsigned count_vms_defining_of_owner(Manager *manager, uid_t owner) {
        GHashTableIter iter;
        gpointer value;
        unsigned n = 0;

        g_hash_table_iter_init(&iter, manager->vms_defining);
        while (g_hash_table_iter_next(&iter, NULL, &value))
                if (((Vm *) value)->owner == owner)
                        n++;
        return n;
}

/*
 * Parse a definition and check it against the VMs there are: the config, the
 * VM it redefines (*ret_existing, or NULL for a new one) and its engine.
 */
static VmConfig *prepare_definition(Manager *manager, const char *xml, const char *engine_name, uid_t owner,
                                    bool persistent, Vm **ret_existing, const char **ret_engine, Vm **ret_saving,
                                    GError **error) {
        DomainXmlPaths paths = manager_xml_paths(manager);
        g_autoptr(VmConfig) config = NULL;
        Vm *by_uuid, *by_name, *defining;
        const char *engine;

        if (strlen(xml) > DOMAIN_XML_MAX_SIZE) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_XML, "The domain XML is larger than %u bytes",
                            (unsigned) DOMAIN_XML_MAX_SIZE);
                return NULL;
        }
        g_autoptr(VmProblems) problems = vm_problems_new();
        config = domain_xml_read(xml, strlen(xml), &paths, problems, error);
        if (!config)
                return NULL;
        if (!vm_problems_is_empty(problems)) {
                add_engine_problems(manager, config, engine_name, owner, problems);
                vm_problems_report(problems, error);
                return NULL;
        }

        defining = find_vm_defining_by_name(manager, config->name);
        if (!defining)
                defining = g_hash_table_lookup(manager->vms_defining, config->uuid);
        if (defining && persistent) {
                *ret_saving = defining; /* this may redefine it: once it is written */
                return NULL;
        }
        if (defining) {
                g_set_error(error, HV_ERROR, HV_ERROR_ALREADY_EXISTS, "VM '%s' already exists", defining->config->name);
                return NULL;
        }
        by_name = manager_find_vm_by_name(manager, config->name);
        if (by_name && config->uuid_generated) {
                /* A document without <uuid> that names an existing VM redefines it. */
                memcpy(config->uuid, by_name->config->uuid, sizeof(config->uuid));
        }
        by_uuid = manager_find_vm_by_uuid(manager, config->uuid);
        if (by_name && by_name != by_uuid) {
                g_set_error(error, HV_ERROR, HV_ERROR_ALREADY_EXISTS, "A VM named '%s' already exists with UUID %s",
                            config->name, by_name->config->uuid);
                return NULL;
        }
        if (by_uuid && !g_str_equal(by_uuid->config->name, config->name)) {
                g_set_error(error, HV_ERROR, HV_ERROR_ALREADY_EXISTS,
                            "UUID %s already belongs to VM '%s' (VMs cannot be renamed by redefining them)",
                            config->uuid, by_uuid->config->name);
                return NULL;
        }
        if (by_uuid && by_uuid->owner != owner && owner != 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_ACCESS_DENIED, "VM '%s' belongs to uid %u, not to uid %u",
                            config->name, (unsigned) by_uuid->owner, (unsigned) owner);
                return NULL;
        }
        if (by_uuid && !persistent) {
                g_set_error(error, HV_ERROR, HV_ERROR_ALREADY_EXISTS, "VM '%s' already exists", config->name);
                return NULL;
        }

        /* Its bridges and networks for its owner, and a MAC address per interface (vm-net.h). */
        vm_net_problems(&manager->settings, by_uuid ? by_uuid->owner : owner, config, problems);
        vm_net_assign_macs(manager, config, by_uuid ? by_uuid->config : NULL);

        engine = choose_engine(manager, config, engine_name, by_uuid);
        if (!check_engine_can_run(manager, engine, config, problems, error) || !vm_problems_report(problems, error))
                return NULL;
        if (by_uuid) {
                if (by_uuid->engine_vm && !g_str_equal(engine, by_uuid->engine)) {
                        g_set_error(error, HV_ERROR, HV_ERROR_INVALID_STATE,
                                    "Cannot move VM '%s' to the %s engine while it runs", config->name, engine);
                        return NULL;
                }
                if (by_uuid->saving) {
                        *ret_saving = by_uuid;
                        return NULL;
                }
        } else if (manager_count_vms_of_owner(manager, owner) + count_vms_defining_of_owner(manager, owner) >=
                   manager->settings.max_vms_per_user) {
                g_set_error(error, HV_ERROR, HV_ERROR_LIMITS_EXCEEDED, "Too many VMs for uid %u (the limit is %u)",
                            (unsigned) owner, manager->settings.max_vms_per_user);
                return NULL;
        }
        *ret_existing = by_uuid;
        *ret_engine = engine;
        return g_steal_pointer(&config);
}

/* Who asked for a definition, to be told once it is on disk. */
typedef struct {
        ManagerDefineFn done;
        void *userdata;
} DefineCall;

static void define_call_finish(DefineCall *call, Vm *vm, const GError *error) {
        call->done(vm, error, call->userdata);
        g_free(call);
}

static void redefined(Vm *vm, const GError *error, void *userdata) {
        define_call_finish(userdata, error ? NULL : vm, error);
}

/* A new VM's first definition is written: it joins the others and is announced. */
static void new_vm_saved(Vm *vm, const GError *error, void *userdata) {
        Manager *manager = vm->manager;
        gpointer key = NULL;
        gboolean found = g_hash_table_steal_extended(manager->vms_defining, vm->config->uuid, &key, NULL);

        g_assert(found);
        g_free(key);
        if (error) {
                vm_free(vm);
                define_call_finish(userdata, NULL, error);
                return;
        }
        manager_add_vm(manager, vm);
        manager_dbus_emit_vm_added(manager, vm);
        define_call_finish(userdata, vm, NULL);
}

bool manager_define_vm(Manager *manager, const char *xml, const char *engine_name, uid_t owner, int autostart,
                       ManagerDefineFn done, void *userdata, Vm **ret_saving, GError **error) {
        Vm *existing;
        const char *engine;
        VmConfig *config;
        DefineCall *call;
        Vm *vm;

        *ret_saving = NULL;
        config = prepare_definition(manager, xml, engine_name, owner, true, &existing, &engine, ret_saving, error);
        if (!config)
                return false;
        call = g_new0(DefineCall, 1);
        call->done = done;
        call->userdata = userdata;
        if (existing) {
                vm_redefine(existing, config, engine, autostart, redefined, call);
                return true;
        }
        /* Until it is on disk, the new VM is only a name and a UUID that others cannot take. */
        vm = vm_new(manager, config, engine, owner, true);
        vm->autostart = autostart > 0;
        g_hash_table_insert(manager->vms_defining, g_strdup(vm->config->uuid), vm);
        vm_save(vm, new_vm_saved, call);
        return true;
}

Vm *manager_create_vm(Manager *manager, const char *xml, const char *engine_name, uid_t owner, GError **error) {
        Vm *existing, *saving = NULL;
        const char *engine;
        VmConfig *config = prepare_definition(manager, xml, engine_name, owner, false, &existing, &engine, &saving,
                                              error);
        Vm *vm;

        if (!config)
                return NULL;
        g_assert(!existing && !saving);
        vm = vm_new(manager, config, engine, owner, false);
        manager_add_vm(manager, vm);
        manager_dbus_emit_vm_added(manager, vm);
        return vm;
}

void manager_forget_vm(Manager *manager, Vm *vm) {
        g_autofree char *path = g_strdup(vm->path);
        g_autofree char *name = g_strdup(vm->config->name);
        const char *const log_suffixes[] = { ".log", ".log.1" }; /* the log and its rotated part */

        /* The engine log goes with the VM: a later VM with the same UUID starts a new one. */
        for (size_t i = 0; i < G_N_ELEMENTS(log_suffixes); i++) {
                g_autofree char *log_name = g_strconcat(vm->config->uuid, log_suffixes[i], NULL);
                g_autofree char *log_path = g_build_filename(manager->settings.logs_dir, log_name, NULL);

                if (unlink(log_path) < 0 && errno != ENOENT)
                        g_warning("Cannot remove the engine log '%s': %s", log_path, g_strerror(errno));
        }

        /* So do the UEFI variables and the TPM state the service kept for it. */
        vm_nvram_remove(manager->settings.state_dir, vm->config->uuid);
        vm_tpm_state_remove(manager->settings.state_dir, vm->config->uuid);

        /* Announced while the object still exists, so the ObjectManager can list its interfaces. */
        manager_dbus_emit_vm_removed(manager, path, name);
        g_hash_table_remove(manager->vms_by_name, name);
        manager_count_owner(manager, vm->owner, -1);
        if (manager->vm_paths) {
                g_string_free(manager->vm_paths, TRUE);
                manager->vm_paths = NULL;
        }
        g_hash_table_remove(manager->vms_by_uuid, vm->config->uuid); /* frees vm */
}

typedef struct {
        Manager *manager;
        char *uuid;
        ManagerDeleteFn done;
        void *userdata;
} DeleteCall;

static void definition_removed(const GError *error, void *userdata) {
        DeleteCall *call = userdata;
        Vm *vm = manager_find_vm_by_uuid(call->manager, call->uuid);
        GPtrArray *waiters;

        /* A VM being deleted is never freed before this: other changes wait for it. */
        g_assert(vm && vm->deleting);
        waiters = vm_steal_save_waiters(vm);
        vm->saving = false;
        vm->deleting = false;
        if (!error)
                manager_forget_vm(call->manager, vm);
        call->done(error, call->userdata);
        vm_run_save_waiters(waiters); /* after the VM is gone, they find it gone */
        g_free(call->uuid);
        g_free(call);
}

bool manager_delete_vm(Manager *manager, Vm *vm, ManagerDeleteFn done, void *userdata, GError **error) {
        g_autofree char *name = NULL;
        DeleteCall *call;

        if (!vm_check_not_saving(vm, VM_VERB_DELETE, error))
                return false;
        if (!vm->persistent) {
                manager_forget_vm(manager, vm);
                done(NULL, userdata);
                return true;
        }
        call = g_new0(DeleteCall, 1);
        call->manager = manager;
        call->uuid = g_strdup(vm->config->uuid);
        call->done = done;
        call->userdata = userdata;
        vm->saving = true;
        vm->deleting = true;
        name = store_vm_file_name(vm->config->uuid);
        store_writer_remove(manager->store, manager->vms_dir, name, definition_removed, call);
        return true;
}

typedef struct {
        Manager *manager;
        char *uuid;
} DeleteLater;

static int delete_later_run(sd_event_source *source, void *userdata) {
        DeleteLater *d = userdata;
        Vm *vm = manager_find_vm_by_uuid(d->manager, d->uuid);

        /* It may have been defined persistently or booted again meanwhile. */
        if (vm && !vm->persistent && !vm_is_active(vm))
                manager_forget_vm(d->manager, vm);
        g_free(d->uuid);
        g_free(d);
        sd_event_source_disable_unref(source);
        return 0;
}

void manager_delete_vm_later(Manager *manager, Vm *vm) {
        DeleteLater *d = g_new0(DeleteLater, 1);
        sd_event_source *source;

        d->manager = manager;
        d->uuid = g_strdup(vm->config->uuid);
        if (sd_event_add_defer(manager->event, &source, delete_later_run, d) < 0) {
                g_warning("Cannot schedule the removal of transient VM '%s'", vm->config->name);
                g_free(d->uuid);
                g_free(d);
        }
}

/* ---- the bus and the loop ------------------------------------------------------------ */

/* Boot the VMs that ask for it, now that their signals have somewhere to go. */
static void manager_autostart_vms(Manager *manager) {
        GHashTableIter iter;
        gpointer value;

        g_hash_table_iter_init(&iter, manager->vms_by_uuid);
        while (g_hash_table_iter_next(&iter, NULL, &value))
                if (((Vm *) value)->autostart)
                        vm_autostart(value);
}

static int on_name_acquired(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Manager *manager = userdata;
        const sd_bus_error *error = sd_bus_message_get_error(m);

        if (error) {
                g_warning("Cannot own %s: %s", HV_BUS_NAME, error->message);
                sd_event_exit(manager->event, EXIT_FAILURE);
                return 0;
        }
        g_info("Serving %s on the %s bus", HV_BUS_NAME, manager->settings.session ? "session" : "system");
        return 0;
}

static int on_exit_signal(sd_event_source *source, const struct signalfd_siginfo *si, void *userdata) {
        Manager *manager = userdata;

        /* VMs are left running; a restarted daemon takes them back. */
        g_info("Received %s, exiting", strsignal((int) si->ssi_signo));
        sd_event_exit(manager->event, 0);
        return 0;
}

bool manager_connect_bus(Manager *manager, GError **error) {
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        r = sd_event_add_signal(manager->event, NULL, SIGTERM, on_exit_signal, manager);
        if (r >= 0)
                r = sd_event_add_signal(manager->event, NULL, SIGINT, on_exit_signal, manager);
        if (r < 0)
                goto fail;

        r = manager->settings.session ? sd_bus_open_user(&manager->bus) : sd_bus_open_system(&manager->bus);
        if (r < 0) {
                g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot connect to the %s bus: %s",
                            manager->settings.session ? "session" : "system", g_strerror(-r));
                return false;
        }
        r = manager_dbus_register(manager);
        if (r >= 0)
                r = sender_cache_attach(manager->senders, manager->bus);
        if (r >= 0)
                r = polkit_registry_attach(manager->polkit, manager->bus);
        if (r >= 0)
                r = vm_dbus_register(manager);
        if (r >= 0)
                r = sd_bus_request_name_async(manager->bus, NULL, HV_BUS_NAME, 0, on_name_acquired, manager);
        if (r >= 0)
                r = sd_bus_attach_event(manager->bus, manager->event, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0) {
                manager->reads = read_queue_new(manager->bus, manager);
                if (!manager->reads)
                        r = -ENOMEM;
        }
        if (r < 0)
                goto fail;
        manager_autostart_vms(manager);
        return true;
fail:
        g_set_error(error, HV_ERROR, HV_ERROR_FAILED, "Cannot set up the bus: %s", g_strerror(-r));
        return false;
}

int manager_run(Manager *manager) {
        return sd_event_loop(manager->event);
}
