/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Requests to a running cloud-hypervisor: the one-call actions, snapshot,
 * hot-plug and removal, info.
 */

#include <dirent.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "engine-words.h"
#include "ch-vm.h"

/* The guest may take its time to release a device (ACPI eject). */
#define CH_REMOVE_TIMEOUT_MIN_MS 10000

JsonObject *ch_parse_object(JsonParser *parser, const ChHttpResponse *response) {
        if (!response->body_length ||
            !hv_json_parse(parser, response->body, response->body_length, "cloud-hypervisor", NULL) ||
            !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
                return NULL;
        return json_node_get_object(json_parser_get_root(parser));
}

JsonObject *ch_member_object(JsonObject *object, const char *name) {
        JsonNode *node = object ? json_object_get_member(object, name) : NULL;
        return node && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
}

static void ch_expected_undo(unsigned *expected) {
        if (*expected > 0)
                (*expected)--;
}

/* ---- one-call actions ---- */

/* A pause or resume that got no answer (the connection broke, the reply was
 * garbage) may still have been done: if its event came already, it was taken
 * for ours, and the service must hear of the change after all. */
static bool ch_simple_took_effect_anyway(ChVm *vm, const GError *no_answer, unsigned *expected, const char *state) {
        if (no_answer && g_strcmp0(vm->engine_state, state) == 0)
                return true;
        ch_expected_undo(expected);
        return false;
}

static void ch_simple_on_answer(ChOp *op, const ChHttpResponse *response, const GError *error) {
        ChVm *vm = ch_op_vm(op);
        g_autoptr(GError) failure = ch_op_answer_error(op, response, error);
        bool pause = g_str_equal(op->endpoint, "vm.pause"), resume = g_str_equal(op->endpoint, "vm.resume");
        bool took_effect = false;

        if (failure && pause)
                took_effect = ch_simple_took_effect_anyway(vm, error, &vm->expected_paused, "Paused");
        if (failure && resume)
                took_effect = ch_simple_took_effect_anyway(vm, error, &vm->expected_resumed, "Running");
        if (failure && g_str_equal(op->endpoint, "vm.reboot") && !error)
                ch_expected_undo(&vm->expected_reboots); /* refused: no reboot comes */
        /* cloud-hypervisor has no event for the button; the press itself is the news. */
        if (!failure && g_str_equal(op->endpoint, "vm.power-button"))
                ch_vm_emit_guest_event(vm, "powerdown", "vm.power-button", NULL, NULL);
        if (vm->base.freed)
                return;
        engine_vm_base_ref(&vm->base);
        engine_op_finish(&op->base, failure);
        if (took_effect && !vm->base.freed)
                engine_vm_base_emit_kind(&vm->base, pause ? ENGINE_EVENT_PAUSED : ENGINE_EVENT_RUNNING,
                                         pause ? "vm/paused" : "vm/resumed");
        engine_vm_base_unref(&vm->base);
}

void ch_vm_simple_op(ChVm *vm, const char *endpoint, EngineDoneFn done, void *userdata) {
        ChOp *op = ch_op_new(vm, ENGINE_OP_COMMAND, done, userdata);
        if (!ch_op_require_vmm(op))
                return;
        /* Our own pause/resume events are not news to the service. */
        if (g_str_equal(endpoint, "vm.pause"))
                vm->expected_paused++;
        if (g_str_equal(endpoint, "vm.resume"))
                vm->expected_resumed++;
        /* A reboot the service asked for is no guest reset: <on_reboot> does not apply. */
        if (g_str_equal(endpoint, "vm.reboot"))
                vm->expected_reboots++;
        ch_op_call(op, "PUT", endpoint, NULL, NULL, 0, ch_simple_on_answer);
}

void ch_vm_power_button(EngineVm *engine_vm, EngineDoneFn done, void *userdata) {
        ch_vm_simple_op((ChVm *) engine_vm, "vm.power-button", done, userdata);
}

void ch_vm_reboot(EngineVm *engine_vm, EngineDoneFn done, void *userdata) {
        ch_vm_simple_op((ChVm *) engine_vm, "vm.reboot", done, userdata);
}

void ch_vm_pause(EngineVm *engine_vm, EngineDoneFn done, void *userdata) {
        ch_vm_simple_op((ChVm *) engine_vm, "vm.pause", done, userdata);
}

void ch_vm_resume(EngineVm *engine_vm, EngineDoneFn done, void *userdata) {
        ch_vm_simple_op((ChVm *) engine_vm, "vm.resume", done, userdata);
}

/* ---- snapshot: pause if running, vm.snapshot, resume if it was running ---- */

static void ch_snapshot_on_resumed(ChOp *op, const ChHttpResponse *response, const GError *error) {
        g_autoptr(GError) failure = ch_op_answer_error(op, response, error);
        if (failure)
                ch_expected_undo(&ch_op_vm(op)->expected_resumed);
        /* The snapshot's own failure says more than the resume's. */
        g_autoptr(GError) answer = op->base.error ? g_steal_pointer(&op->base.error) : g_steal_pointer(&failure);
        engine_op_finish(&op->base, answer);
}

static void ch_snapshot_on_written(ChOp *op, const ChHttpResponse *response, const GError *error) {
        ChVm *vm = ch_op_vm(op);
        g_clear_error(&op->base.error);
        op->base.error = ch_op_answer_error(op, response, error);
        if (!op->base.was_running || !vm->http) {
                g_autoptr(GError) answer = g_steal_pointer(&op->base.error);
                engine_op_finish(&op->base, answer);
                return;
        }
        vm->expected_resumed++;
        ch_op_call(op, "PUT", "vm.resume", NULL, NULL, 0, ch_snapshot_on_resumed);
}

static void ch_snapshot_write(ChOp *op) {
        g_autofree char *url = g_strconcat("file://", op->base.directory, NULL);
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "destination_url");
        json_builder_add_string_value(b, url);
        json_builder_end_object(b);
        g_autoptr(JsonNode) root = json_builder_get_root(b);
        g_autofree char *body = ch_json_to_string(root, false);
        ch_op_call(op, "PUT", "vm.snapshot", body, NULL, 0, ch_snapshot_on_written);
}

static void ch_snapshot_on_paused(ChOp *op, const ChHttpResponse *response, const GError *error) {
        g_autoptr(GError) failure = ch_op_answer_error(op, response, error);
        if (failure) {
                ch_expected_undo(&ch_op_vm(op)->expected_paused);
                engine_op_finish(&op->base, failure);
                return;
        }
        ch_snapshot_write(op);
}

static void ch_snapshot_on_info(ChOp *op, const ChHttpResponse *response, const GError *error) {
        ChVm *vm = ch_op_vm(op);
        g_autoptr(GError) failure = ch_op_answer_error(op, response, error);
        if (failure) {
                engine_op_finish(&op->base, failure);
                return;
        }
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        JsonObject *info = ch_parse_object(parser, response);
        const char *state = info ? json_object_get_string_member_with_default(info, "state", "") : "";
        if (g_str_equal(state, "Running")) {
                op->base.was_running = true;
                vm->expected_paused++;
                ch_op_call(op, "PUT", "vm.pause", NULL, NULL, 0, ch_snapshot_on_paused);
        } else if (g_str_equal(state, "Paused"))
                ch_snapshot_write(op);
        else {
                g_autoptr(GError) e = g_error_new(HV_ERROR, HV_ERROR_INVALID_STATE,
                                                  "Cannot take a snapshot: the VM is '%s', not running", state);
                engine_op_finish(&op->base, e);
        }
}

void ch_vm_snapshot(EngineVm *engine_vm, const char *directory, EngineDoneFn done, void *userdata) {
        ChVm *vm = (ChVm *) engine_vm;
        ChOp *op = ch_op_new(vm, ENGINE_OP_SNAPSHOT, done, userdata);

        if (!ch_op_require_vmm(op))
                return;
        if (!g_path_is_absolute(directory) || !g_file_test(directory, G_FILE_TEST_IS_DIR)) {
                engine_op_fail_later(&op->base, g_error_new(HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                                                            "Snapshot directory '%s' does not exist", directory));
                return;
        }
        op->base.directory = g_strdup(directory);
        ch_op_call(op, "GET", "vm.info", NULL, NULL, 0, ch_snapshot_on_info);
}

/* ---- hot-plug ---- */

bool ch_op_add_net(ChOp *op, const VmDevice *device, ChOpStepFn next, GError **error) {
        g_autoptr(JsonNode) body = ch_config_build_device(device, op->base.vm->runtime_dir, error);
        if (!body)
                return false;
        int fd = tap_open_interface(&device->net, op->base.vm->uid, op->base.vm->gid, error);
        if (fd < 0)
                return false;
        g_autofree char *json = ch_json_to_string(body, false);
        ch_op_call(op, "PUT", "vm.add-net", json, &fd, 1, next);
        close(fd); /* the request holds its own copy until it is sent */
        return true;
}

static void ch_add_on_answer(ChOp *op, const ChHttpResponse *response, const GError *error) {
        ChVm *vm = ch_op_vm(op);
        g_autoptr(GError) failure = ch_op_answer_error(op, response, error);
        if (!failure) {
                /* 200 {"id","bdf"} when plugged into a running VM. */
                g_autoptr(JsonParser) parser = json_parser_new_immutable();
                JsonObject *info = ch_parse_object(parser, response);
                const char *bdf = info ? json_object_get_string_member_with_default(info, "bdf", NULL) : NULL;
                g_debug("Device '%s' plugged at %s", op->base.device_id, bdf ? bdf : "(not yet)");
                g_ptr_array_add(vm->base.config->devices, g_steal_pointer(&op->base.device));
        }
        engine_op_finish(&op->base, failure);
}

void ch_vm_add_device(EngineVm *engine_vm, const VmDevice *device, EngineDeviceFn done, void *userdata) {
        ChVm *vm = (ChVm *) engine_vm;
        ChOp *op = ch_op_new(vm, ENGINE_OP_ADD_DEVICE, NULL, userdata);
        g_autoptr(GError) error = NULL;

        op->base.device_done = done;
        op->base.device_id = g_strdup(device->id);
        op->base.device = vm_device_copy(device);
        if (!ch_op_require_vmm(op))
                return;
        if (!device->id) {
                engine_op_fail_later_literal(&op->base, HV_ERROR_INVALID_ARGUMENT, "The device has no id");
                return;
        }
        if (vm_config_find_device(vm->base.config, device->id)) {
                engine_op_fail_later(&op->base, g_error_new(HV_ERROR, HV_ERROR_ALREADY_EXISTS,
                                                            "A device '%s' exists already", device->id));
                return;
        }
        if (device->kind == VM_DEVICE_INTERFACE) {
                if (!ch_op_add_net(op, device, ch_add_on_answer, &error))
                        engine_op_fail_later(&op->base, g_steal_pointer(&error));
                return;
        }
        g_autoptr(JsonNode) body = ch_config_build_device(device, vm->base.runtime_dir, &error);
        if (!body) {
                engine_op_fail_later(&op->base, g_steal_pointer(&error));
                return;
        }
        g_autofree char *json = ch_json_to_string(body, false);
        ch_op_call(op, "PUT", ch_config_add_endpoint(device->kind), json, NULL, 0, ch_add_on_answer);
}

/* ---- removal: done on the guest's acknowledgement (vm/device-removed) ---- */

static void ch_remove_complete(ChOp *op) {
        ChVm *vm = ch_op_vm(op);
        VmDevice *device = vm_config_find_device(vm->base.config, op->base.device_id);
        if (device)
                g_ptr_array_remove(vm->base.config->devices, device);
        engine_op_finish(&op->base, NULL);
}

static int ch_remove_on_timeout(sd_event_source *source, uint64_t usec, void *userdata) {
        ChOp *op = userdata;
        g_autoptr(GError) error =
                g_error_new(HV_ERROR, HV_ERROR_TIMEOUT, "The guest did not release device '%s' within %u ms",
                            op->base.device_id, MAX(op->base.vm->timeout_ms, (unsigned) CH_REMOVE_TIMEOUT_MIN_MS));
        op->base.timer = sd_event_source_disable_unref(op->base.timer);
        engine_op_finish(&op->base, error);
        return 0;
}

static void ch_remove_on_answer(ChOp *op, const ChHttpResponse *response, const GError *error) {
        ChVm *vm = ch_op_vm(op);
        g_autoptr(GError) failure = ch_op_answer_error(op, response, error);
        if (failure) {
                engine_op_finish(&op->base, failure);
                return;
        }
        op->removal_asked = true;
        if (op->removed_early) {
                ch_remove_complete(op);
                return;
        }
        unsigned timeout_ms = MAX(vm->base.timeout_ms, (unsigned) CH_REMOVE_TIMEOUT_MIN_MS);
        (void) sd_event_add_time_relative(vm->base.event, &op->base.timer, CLOCK_MONOTONIC,
                                          (uint64_t) timeout_ms * 1000, 1000, ch_remove_on_timeout, op);
}

void ch_vm_on_device_removed(ChVm *vm, const char *id) {
        for (GList *l = vm->base.ops; l; l = l->next) {
                ChOp *op = l->data;
                if (op->base.kind != ENGINE_OP_REMOVE_DEVICE || op->removed_early ||
                    !g_str_equal(op->base.device_id, id))
                        continue;
                if (!op->removal_asked) {
                        /* The event overtook the answer: done when the answer comes. */
                        op->removed_early = true;
                        continue;
                }
                ch_remove_complete(op);
                return; /* the list changed under us; one removal per event */
        }
}

void ch_vm_remove_device(EngineVm *engine_vm, const char *id, EngineDoneFn done, void *userdata) {
        ChVm *vm = (ChVm *) engine_vm;
        ChOp *op = ch_op_new(vm, ENGINE_OP_REMOVE_DEVICE, done, userdata);

        op->base.device_id = g_strdup(id);
        if (!ch_op_require_vmm(op))
                return;
        g_autoptr(JsonBuilder) b = json_builder_new();
        json_builder_begin_object(b);
        json_builder_set_member_name(b, "id");
        json_builder_add_string_value(b, id);
        json_builder_end_object(b);
        g_autoptr(JsonNode) root = json_builder_get_root(b);
        g_autofree char *body = ch_json_to_string(root, false);
        ch_op_call(op, "PUT", "vm.remove-device", body, NULL, 0, ch_remove_on_answer);
}

/* ---- info ---- */

/* vCPU threads are named "vcpu0", "vcpu1", ...: their tids in vCPU order. */
static GVariant *ch_vcpu_threads(pid_t pid) {
        g_autofree char *task_dir = g_strdup_printf("/proc/%d/task", (int) pid);
        g_autoptr(GArray) tids = g_array_new(FALSE, TRUE, sizeof(guint32));
        DIR *dir = opendir(task_dir);

        for (struct dirent *entry; dir && (entry = readdir(dir));) {
                if (entry->d_name[0] == '.')
                        continue;
                g_autofree char *comm_path = g_strdup_printf("%s/%s/comm", task_dir, entry->d_name);
                g_autofree char *comm = NULL;
                if (!g_file_get_contents(comm_path, &comm, NULL, NULL) || !g_str_has_prefix(comm, "vcpu"))
                        continue;
                guint64 index = g_ascii_strtoull(comm + 4, NULL, 10);
                if (index >= 1024)
                        continue;
                if (index >= tids->len)
                        g_array_set_size(tids, (guint) index + 1);
                g_array_index(tids, guint32, index) = (guint32) g_ascii_strtoull(entry->d_name, NULL, 10);
        }
        if (dir)
                closedir(dir);
        return g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, tids->data, tids->len, sizeof(guint32));
}

static void ch_info_on_ping(ChOp *op, const ChHttpResponse *response, const GError *error) {
        ChVm *vm = ch_op_vm(op);
        g_autoptr(GError) failure = ch_op_answer_error(op, response, error);
        if (failure) {
                engine_op_finish(&op->base, failure);
                return;
        }
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        JsonObject *ping = ch_parse_object(parser, response);
        const char *version = ping ? json_object_get_string_member_with_default(ping, "build_version", NULL) : NULL;
        if (version || vm->base.version)
                g_variant_dict_insert(op->base.info, "engine-version", "s", version ? version : vm->base.version);
        JsonNode *features = ping ? json_object_get_member(ping, "features") : NULL;
        if (features && JSON_NODE_HOLDS_ARRAY(features)) {
                GVariantBuilder b;
                g_variant_builder_init(&b, G_VARIANT_TYPE_STRING_ARRAY);
                JsonArray *array = json_node_get_array(features);
                for (guint i = 0; i < json_array_get_length(array); i++) {
                        const char *f = json_array_get_string_element(array, i);
                        if (f)
                                g_variant_builder_add(&b, "s", f);
                }
                g_variant_dict_insert_value(op->base.info, "engine-features", g_variant_builder_end(&b));
        }
        if (vm->base.process) {
                pid_t pid = process_get_pid(vm->base.process);
                g_variant_dict_insert(op->base.info, "pid", "u", (guint32) pid);
                g_variant_dict_insert_value(op->base.info, "vcpu-threads", ch_vcpu_threads(pid));
        }
        g_variant_dict_insert(op->base.info, "api-socket", "s", vm->api_path);
        if (vm->serial_path)
                g_variant_dict_insert(op->base.info, "console-socket", "s", vm->serial_path);
        g_variant_dict_insert(op->base.info, "event-monitor", "b", vm->events != NULL);
        g_variant_dict_insert(op->base.info, "no-shutdown", "b", vm->no_shutdown);
        engine_op_finish(&op->base, NULL);
}

static void ch_info_on_vm_info(ChOp *op, const ChHttpResponse *response, const GError *error) {
        ChVm *vm = ch_op_vm(op);
        g_autoptr(GError) failure = ch_op_answer_error(op, response, error);
        if (failure) {
                engine_op_finish(&op->base, failure);
                return;
        }
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        JsonObject *info = ch_parse_object(parser, response);
        if (!info) {
                g_autofree char *start = engine_words_quote(response->body, (gssize) MIN(response->body_length, 80), 80);
                g_autoptr(GError) e = g_error_new(HV_ERROR, HV_ERROR_ENGINE_FAILED,
                                                  "cloud-hypervisor answered vm.info with something that is not a "
                                                  "JSON object: %s",
                                                  start);
                engine_op_finish(&op->base, e);
                return;
        }
        const char *state = json_object_get_string_member_with_default(info, "state", NULL);
        if (state) {
                ch_vm_set_engine_state(vm, state);
                g_variant_dict_insert(op->base.info, "engine-state", "s", state);
        }
        JsonObject *config = ch_member_object(info, "config");
        JsonObject *memory = ch_member_object(config, "memory");
        JsonObject *cpus = ch_member_object(config, "cpus");
        gint64 actual = json_object_get_int_member_with_default(info, "memory_actual_size", 0);
        if (actual <= 0 && memory)
                actual = json_object_get_int_member_with_default(memory, "size", 0);
        if (actual > 0)
                g_variant_dict_insert(op->base.info, "memory-actual", "t", (guint64) actual);
        if (cpus) {
                g_variant_dict_insert(op->base.info, "boot-vcpus", "u",
                                      (guint32) json_object_get_int_member_with_default(cpus, "boot_vcpus", 0));
                g_variant_dict_insert(op->base.info, "max-vcpus", "u",
                                      (guint32) json_object_get_int_member_with_default(cpus, "max_vcpus", 0));
        }
        JsonObject *tree = ch_member_object(info, "device_tree");
        if (tree) {
                GVariantBuilder b;
                g_variant_builder_init(&b, G_VARIANT_TYPE_STRING_ARRAY);
                g_autoptr(GList) ids = json_object_get_members(tree);
                for (GList *l = ids; l; l = l->next)
                        g_variant_builder_add(&b, "s", (const char *) l->data);
                g_variant_dict_insert_value(op->base.info, "engine-devices", g_variant_builder_end(&b));
        }
        ch_op_call(op, "GET", "vmm.ping", NULL, NULL, 0, ch_info_on_ping);
}

void ch_vm_info(EngineVm *engine_vm, EngineInfoFn done, void *userdata) {
        ChVm *vm = (ChVm *) engine_vm;
        ChOp *op = ch_op_new(vm, ENGINE_OP_INFO, NULL, userdata);

        op->base.info_done = done;
        op->base.info = g_variant_dict_new(NULL);
        if (!ch_op_require_vmm(op))
                return;
        /* cloud-hypervisor runs guests only under a hypervisor (KVM here), never emulated. */
        g_variant_dict_insert(op->base.info, "accelerator", "s", "kvm");
        ch_op_call(op, "GET", "vm.info", NULL, NULL, 0, ch_info_on_vm_info);
}
