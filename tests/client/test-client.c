/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * libhypervisor's C API against hypervisord on a private bus (the HvTest
 * fixture of tests/bus): construction, lookups, typed errors, signals and
 * notifications, the asynchronous variants, and a real boot of the test guest.
 */

#include <poll.h>
#include <unistd.h>

#include "hv-test.h"
#include "hypervisor.h"

typedef struct {
        HvTest t;
        HypervisorClient *client;
} Fixture;

static void fixture_setup(Fixture *f, gconstpointer data) {
        g_autoptr(GError) error = NULL;

        hv_test_setup(&f->t, NULL);
        f->client = hypervisor_client_new_for_connection_sync(f->t.connection, NULL, &error);
        g_assert_no_error(error);
        g_assert_nonnull(f->client);
}

static void fixture_teardown(Fixture *f, gconstpointer data) {
        g_clear_object(&f->client);
        hv_test_teardown(&f->t);
}

static char *guest_xml(const char *name) {
        g_autofree char *cmdline = NULL;
        g_autofree char *path = g_build_filename(HV_TEST_GUEST_DIR, "cmdline", NULL);
        g_autoptr(GError) error = NULL;

        g_assert_true(g_file_get_contents(path, &cmdline, NULL, &error));
        g_assert_no_error(error);
        g_strstrip(cmdline);
        return g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                               "<os><type arch='x86_64'>hvm</type><kernel>vmlinux</kernel>"
                               "<initrd>initramfs.cpio.gz</initrd><cmdline>%s</cmdline></os>"
                               "<devices><serial type='pty'/></devices></domain>",
                               name, cmdline);
}

static void test_properties(Fixture *f, gconstpointer data) {
        const char *const *engines = hypervisor_client_get_engines(f->client);
        g_autoptr(GVariant) caps = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *version = NULL;

        g_assert_cmpstr(hypervisor_client_get_version(f->client), ==, PACKAGE_VERSION_FOR_TEST);
        g_assert_nonnull(engines);
        g_assert_true(g_strv_contains(engines, "qemu"));
        g_assert_cmpstr(hypervisor_client_get_default_engine(f->client), ==, "qemu");
        g_object_get(f->client, "version", &version, NULL);
        g_assert_cmpstr(version, ==, hypervisor_client_get_version(f->client));
        g_assert_true(hypervisor_client_get_connection(f->client) == f->t.connection);

        caps = hypervisor_client_get_capabilities_sync(f->client, NULL, &error);
        g_assert_no_error(error);
        g_assert_true(g_variant_is_of_type(caps, G_VARIANT_TYPE_VARDICT));
}

static void test_define_lookup(Fixture *f, gconstpointer data) {
        g_autofree char *xml = guest_xml("c-one");
        g_autoptr(HypervisorVm) vm = NULL, by_name = NULL, by_uuid = NULL;
        g_autoptr(GPtrArray) vms = NULL;
        g_autoptr(GError) error = NULL;

        vms = hypervisor_client_list_vms_sync(f->client, NULL, &error);
        g_assert_no_error(error);
        g_assert_cmpuint(vms->len, ==, 0);

        vm = hypervisor_client_define_vm_sync(f->client, xml, NULL, NULL, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(hypervisor_vm_get_name(vm), ==, "c-one");
        g_assert_cmpstr(hypervisor_vm_get_state(vm), ==, "shutoff");
        g_assert_cmpuint(hypervisor_vm_get_memory(vm), ==, 256 * 1024 * 1024);
        g_assert_cmpuint(hypervisor_vm_get_vcpus(vm), ==, 1);
        g_assert_true(hypervisor_vm_get_persistent(vm));
        g_assert_cmpuint(hypervisor_vm_get_owner(vm), ==, getuid());
        g_assert_cmpuint(hypervisor_vm_get_pid(vm), ==, 0);

        by_name = hypervisor_client_get_vm_by_name_sync(f->client, "c-one", NULL, &error);
        g_assert_no_error(error);
        by_uuid = hypervisor_client_get_vm_by_uuid_sync(f->client, hypervisor_vm_get_uuid(vm), NULL, &error);
        g_assert_no_error(error);
        /* One object per VM. */
        g_assert_true(by_name == vm);
        g_assert_true(by_uuid == vm);

        g_clear_pointer(&vms, g_ptr_array_unref);
        vms = hypervisor_client_list_vms_sync(f->client, NULL, &error);
        g_assert_no_error(error);
        g_assert_cmpuint(vms->len, ==, 1);
        g_assert_true(g_ptr_array_index(vms, 0) == vm);
}

static void test_errors(Fixture *f, gconstpointer data) {
        g_autofree char *xml = guest_xml("c-err");
        g_autoptr(HypervisorVm) vm = NULL;
        g_autoptr(GError) error = NULL;

        g_assert_null(hypervisor_client_get_vm_by_name_sync(f->client, "web1", NULL, &error));
        g_assert_error(error, HYPERVISOR_ERROR, HYPERVISOR_ERROR_NOT_FOUND);
        /* The service's words, without the D-Bus error name. */
        g_assert_nonnull(strstr(error->message, "'web1'"));
        g_assert_null(strstr(error->message, "GDBus"));
        g_clear_error(&error);

        g_assert_null(hypervisor_client_define_vm_sync(f->client, "<domain", NULL, NULL, &error));
        g_assert_error(error, HYPERVISOR_ERROR, HYPERVISOR_ERROR_INVALID_XML);
        g_clear_error(&error);

        g_assert_null(hypervisor_client_define_vm_sync(f->client, xml, "no-such-engine", NULL, &error));
        g_assert_error(error, HYPERVISOR_ERROR, HYPERVISOR_ERROR_INVALID_ARGUMENT);
        g_clear_error(&error);

        vm = hypervisor_client_define_vm_sync(f->client, xml, NULL, NULL, &error);
        g_assert_no_error(error);
        g_assert_false(hypervisor_vm_resume_sync(vm, NULL, &error));
        g_assert_error(error, HYPERVISOR_ERROR, HYPERVISOR_ERROR_INVALID_STATE);
        g_clear_error(&error);
        g_assert_false(hypervisor_vm_remove_device_sync(vm, "ua-none", NULL, &error));
        g_assert_error(error, HYPERVISOR_ERROR, HYPERVISOR_ERROR_NOT_FOUND);
        g_assert_cmpstr(hypervisor_error_to_string(HYPERVISOR_ERROR_NOT_FOUND), ==, "not-found");
}

typedef struct {
        GPtrArray *added;
        GPtrArray *removed;
        guint vcpus_notified;
} SignalRecord;

static void on_vm_added(HypervisorClient *client, HypervisorVm *vm, SignalRecord *r) {
        g_ptr_array_add(r->added, g_strdup(hypervisor_vm_get_name(vm)));
}

static void on_vm_removed(HypervisorClient *client, HypervisorVm *vm, SignalRecord *r) {
        g_ptr_array_add(r->removed, g_strdup(hypervisor_vm_get_name(vm)));
}

static void on_vcpus_notify(GObject *object, GParamSpec *pspec, SignalRecord *r) {
        r->vcpus_notified++;
}

static gboolean has_n_added(gpointer data) {
        return ((SignalRecord *) data)->added->len >= 1;
}

static gboolean has_n_removed(gpointer data) {
        return ((SignalRecord *) data)->removed->len >= 1;
}

static gboolean vcpus_notified(gpointer data) {
        return ((SignalRecord *) data)->vcpus_notified >= 1;
}

static void test_signals(Fixture *f, gconstpointer data) {
        g_autofree char *xml = guest_xml("c-sig");
        g_autofree char *xml_two_cpus = NULL;
        g_autoptr(HypervisorVm) vm = NULL, again = NULL;
        g_autoptr(GError) error = NULL;
        SignalRecord r = { g_ptr_array_new_with_free_func(g_free), g_ptr_array_new_with_free_func(g_free), 0 };
        g_auto(GStrv) parts = NULL;

        g_signal_connect(f->client, "vm-added", G_CALLBACK(on_vm_added), &r);
        g_signal_connect(f->client, "vm-removed", G_CALLBACK(on_vm_removed), &r);
        vm = hypervisor_client_define_vm_sync(f->client, xml, NULL, NULL, &error);
        g_assert_no_error(error);
        hv_wait_until("vm-added", has_n_added, &r, 10000);
        g_assert_cmpstr(g_ptr_array_index(r.added, 0), ==, "c-sig");

        /* Redefining with two vCPUs changes the property and notifies. */
        g_signal_connect(vm, "notify::vcpus", G_CALLBACK(on_vcpus_notify), &r);
        parts = g_strsplit(xml, "<vcpu>1</vcpu>", 2);
        xml_two_cpus = g_strjoinv("<vcpu>2</vcpu>", parts);
        again = hypervisor_client_define_vm_sync(f->client, xml_two_cpus, NULL, NULL, &error);
        g_assert_no_error(error);
        g_assert_true(again == vm);
        hv_wait_until("notify::vcpus", vcpus_notified, &r, 10000);
        g_assert_cmpuint(hypervisor_vm_get_vcpus(vm), ==, 2);
        g_assert_cmpuint(r.added->len, ==, 1);

        g_assert_true(hypervisor_vm_delete_sync(vm, FALSE, NULL, &error));
        g_assert_no_error(error);
        hv_wait_until("vm-removed", has_n_removed, &r, 10000);
        g_assert_cmpstr(g_ptr_array_index(r.removed, 0), ==, "c-sig");
        g_signal_handlers_disconnect_by_data(f->client, &r);
        g_signal_handlers_disconnect_by_data(vm, &r);
        g_ptr_array_unref(r.added);
        g_ptr_array_unref(r.removed);
}

static void on_async_done(GObject *source, GAsyncResult *result, gpointer data) {
        *(GAsyncResult **) data = g_object_ref(result);
}

static gboolean result_arrived(gpointer data) {
        return *(GAsyncResult **) data != NULL;
}

static void test_async(Fixture *f, gconstpointer data) {
        g_autofree char *xml = guest_xml("c-async");
        g_autoptr(GAsyncResult) result = NULL;
        g_autoptr(HypervisorClient) client = NULL;
        g_autoptr(HypervisorVm) vm = NULL;
        g_autoptr(GPtrArray) vms = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *fetched = NULL;

        hypervisor_client_new_for_connection_async(f->t.connection, NULL, on_async_done, &result);
        hv_wait_until("the client", result_arrived, &result, 10000);
        client = hypervisor_client_new_for_connection_finish(result, &error);
        g_assert_no_error(error);
        g_clear_object(&result);

        hypervisor_client_define_vm_async(client, xml, NULL, NULL, on_async_done, &result);
        hv_wait_until("DefineVM", result_arrived, &result, 10000);
        vm = hypervisor_client_define_vm_finish(client, result, &error);
        g_assert_no_error(error);
        g_assert_cmpstr(hypervisor_vm_get_name(vm), ==, "c-async");
        g_clear_object(&result);

        hypervisor_vm_get_xml_async(vm, FALSE, NULL, on_async_done, &result);
        hv_wait_until("GetXML", result_arrived, &result, 10000);
        fetched = hypervisor_vm_get_xml_finish(vm, result, &error);
        g_assert_no_error(error);
        g_assert_nonnull(strstr(fetched, "<name>c-async</name>"));
        g_clear_object(&result);

        hypervisor_client_list_vms_async(client, NULL, on_async_done, &result);
        hv_wait_until("ListVMs", result_arrived, &result, 10000);
        vms = hypervisor_client_list_vms_finish(client, result, &error);
        g_assert_no_error(error);
        g_assert_cmpuint(vms->len, ==, 1);
        g_clear_object(&result);

        hypervisor_client_get_vm_by_name_async(client, "web1", NULL, on_async_done, &result);
        hv_wait_until("GetVMByName", result_arrived, &result, 10000);
        g_assert_null(hypervisor_client_get_vm_by_name_finish(client, result, &error));
        g_assert_error(error, HYPERVISOR_ERROR, HYPERVISOR_ERROR_NOT_FOUND);
}

typedef struct {
        HypervisorVm *vm;
        GPtrArray *states;
} StateRecord;

static void on_state_changed(HypervisorVm *vm, const char *state, const char *reason, StateRecord *r) {
        /* The property already holds the new state when the signal comes. */
        g_assert_cmpstr(hypervisor_vm_get_state(vm), ==, state);
        g_ptr_array_add(r->states, g_strdup_printf("%s/%s", state, reason));
}

static gboolean is_running(gpointer data) {
        return g_strcmp0(hypervisor_vm_get_state(data), "running") == 0;
}

static gboolean is_shutoff(gpointer data) {
        return g_strcmp0(hypervisor_vm_get_state(data), "shutoff") == 0;
}

/* The StateChanged signals came up to shutoff (the properties may say so before: boot_sync refreshes them). */
static gboolean signalled_shutoff(gpointer data) {
        StateRecord *r = data;

        return r->states->len > 0 && g_str_has_prefix(g_ptr_array_index(r->states, r->states->len - 1), "shutoff/");
}

static void link_guest_file(Fixture *f, const char *name) {
        g_autofree char *target = g_build_filename(HV_TEST_GUEST_DIR, name, NULL);
        g_autofree char *link = g_build_filename(f->t.dir, "firmware", name, NULL);

        g_assert_true(g_file_test(target, G_FILE_TEST_EXISTS));
        g_assert_cmpint(symlink(target, link), ==, 0);
}

static void test_boot_shutdown(Fixture *f, gconstpointer data) {
        g_autofree char *xml = guest_xml("c-boot");
        g_autoptr(HypervisorVm) vm = NULL;
        g_autoptr(GVariant) info = NULL;
        g_autoptr(GError) error = NULL;
        StateRecord r = { NULL, g_ptr_array_new_with_free_func(g_free) };
        int console;
        guint32 pid = 0;

        link_guest_file(f, "vmlinux");
        link_guest_file(f, "initramfs.cpio.gz");
        vm = hypervisor_client_define_vm_sync(f->client, xml, NULL, NULL, &error);
        g_assert_no_error(error);
        g_signal_connect(vm, "state-changed", G_CALLBACK(on_state_changed), &r);

        g_assert_true(hypervisor_vm_boot_sync(vm, NULL, &error));
        g_assert_no_error(error);
        hv_wait_until("running", is_running, vm, 60000);
        g_assert_cmpuint(hypervisor_vm_get_pid(vm), >, 0);
        info = hypervisor_vm_get_info_sync(vm, NULL, &error);
        g_assert_no_error(error);
        g_assert_true(g_variant_lookup(info, "pid", "u", &pid));
        g_assert_cmpuint(pid, ==, hypervisor_vm_get_pid(vm));

        console = hypervisor_vm_open_console_sync(vm, NULL, &error);
        g_assert_no_error(error);
        g_assert_cmpint(console, >=, 0);
        /* A power button pressed before the guest listens is lost: wait until it is ready. */
        {
                g_autoptr(GString) seen = g_string_new(NULL);
                gint64 deadline = g_get_monotonic_time() + 90 * G_USEC_PER_SEC;
                while (!strstr(seen->str, "HV-GUEST-READY")) {
                        struct pollfd p = { .fd = console, .events = POLLIN };
                        char buffer[1024];
                        ssize_t n;
                        if (g_get_monotonic_time() > deadline)
                                g_error("The guest did not get ready; its console showed:\n%s", seen->str);
                        if (poll(&p, 1, 100) <= 0)
                                continue;
                        n = read(console, buffer, sizeof(buffer));
                        g_assert_cmpint(n, >, 0);
                        g_string_append_len(seen, buffer, n);
                }
        }
        close(console);

        g_assert_true(hypervisor_vm_shutdown_sync(vm, 60, NULL, &error));
        g_assert_no_error(error);
        g_assert_true(is_shutoff(vm));
        hv_wait_until("StateChanged shutoff", signalled_shutoff, &r, 60000);
        g_assert_cmpuint(r.states->len, >=, 3);
        g_assert_cmpstr(g_ptr_array_index(r.states, 1), ==, "running/booted");
        g_assert_true(g_str_has_prefix(g_ptr_array_index(r.states, r.states->len - 1), "shutoff/"));
        g_test_message("shutdown reason: %s", hypervisor_vm_get_state_reason(vm));
        g_assert_cmpstr(hypervisor_vm_get_state_reason(vm), ==, "user"); /* the guest obeyed the button */
        g_signal_handlers_disconnect_by_data(vm, &r);
        g_ptr_array_unref(r.states);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add("/client/properties", Fixture, NULL, fixture_setup, test_properties, fixture_teardown);
        g_test_add("/client/define-lookup", Fixture, NULL, fixture_setup, test_define_lookup, fixture_teardown);
        g_test_add("/client/errors", Fixture, NULL, fixture_setup, test_errors, fixture_teardown);
        g_test_add("/client/signals", Fixture, NULL, fixture_setup, test_signals, fixture_teardown);
        g_test_add("/client/async", Fixture, NULL, fixture_setup, test_async, fixture_teardown);
        g_test_add("/client/boot-shutdown", Fixture, NULL, fixture_setup, test_boot_shutdown, fixture_teardown);
        return g_test_run();
}
