/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * bench-client: how fast libhypervisor talks to hypervisord. Run it on a bus
 * where the service runs (e.g. under tests/client/with-hypervisord.sh with
 * HV_EXTRA_CONFIG=MaxVMsPerUser=2000); it defines N VMs (default 1000) and
 * prints calls per second for defining, looking up, reading XML (blocking
 * and with 64 calls in flight) and listing, then deletes them.
 */

#include <stdio.h>
#include <stdlib.h>

#include "hypervisor.h"

#define IN_FLIGHT 64

static double seconds_since(gint64 start) {
        return (g_get_monotonic_time() - start) / 1e6;
}

static void report(const char *what, unsigned calls, gint64 start) {
        double elapsed = seconds_since(start);

        printf("%-32s %6u calls in %7.3f s = %8.0f calls/s\n", what, calls, elapsed, calls / elapsed);
}

typedef struct {
        GPtrArray *vms;
        unsigned next;
        unsigned done;
        unsigned in_flight;
} Pipeline;

static void start_next(Pipeline *p);

static void on_xml(GObject *source, GAsyncResult *result, gpointer data) {
        Pipeline *p = data;
        g_autoptr(GError) error = NULL;
        g_autofree char *xml = hypervisor_vm_get_xml_finish(HYPERVISOR_VM(source), result, &error);

        if (!xml)
                g_error("GetXML failed: %s", error->message);
        p->done++;
        p->in_flight--;
        start_next(p);
}

static void start_next(Pipeline *p) {
        while (p->in_flight < IN_FLIGHT && p->next < p->vms->len) {
                p->in_flight++;
                hypervisor_vm_get_xml_async(g_ptr_array_index(p->vms, p->next++), FALSE, NULL, on_xml, p);
        }
}

int main(int argc, char **argv) {
        unsigned n = argc > 1 ? (unsigned) atoi(argv[1]) : 1000;
        g_autoptr(HypervisorClient) client = NULL;
        g_autoptr(GPtrArray) vms = g_ptr_array_new_with_free_func(g_object_unref);
        g_autoptr(GPtrArray) listed = NULL;
        g_autoptr(GError) error = NULL;
        Pipeline pipeline = { 0 };
        gint64 start;

        start = g_get_monotonic_time();
        client = hypervisor_client_new_sync(G_BUS_TYPE_SESSION, NULL, &error);
        if (!client)
                g_error("Cannot connect: %s", error->message);
        printf("%-32s %7.3f s (%u VMs known)\n", "connect", seconds_since(start),
               hypervisor_client_get_vms(client)->len);

        start = g_get_monotonic_time();
        for (unsigned i = 0; i < n; i++) {
                g_autofree char *xml = g_strdup_printf(
                        "<domain type='qemu'><name>bench-%u</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                        "<os><type arch='x86_64'>hvm</type><kernel>/nonexistent/vmlinux</kernel></os></domain>",
                        i);
                HypervisorVm *vm = hypervisor_client_define_vm_sync(client, xml, NULL, NULL, &error);

                if (!vm)
                        g_error("DefineVM failed: %s", error->message);
                g_ptr_array_add(vms, vm);
        }
        report("define_vm_sync", n, start);

        start = g_get_monotonic_time();
        for (unsigned i = 0; i < n; i++) {
                g_autofree char *name = g_strdup_printf("bench-%u", i);
                g_autoptr(HypervisorVm) vm = hypervisor_client_get_vm_by_name_sync(client, name, NULL, &error);

                if (!vm)
                        g_error("GetVMByName failed: %s", error->message);
        }
        report("get_vm_by_name_sync", n, start);

        start = g_get_monotonic_time();
        for (unsigned i = 0; i < n; i++) {
                g_autofree char *xml = hypervisor_vm_get_xml_sync(g_ptr_array_index(vms, i), FALSE, NULL, &error);

                if (!xml)
                        g_error("GetXML failed: %s", error->message);
        }
        report("get_xml_sync", n, start);

        pipeline.vms = vms;
        start = g_get_monotonic_time();
        start_next(&pipeline);
        while (pipeline.done < n)
                g_main_context_iteration(NULL, TRUE);
        report("get_xml_async (64 in flight)", n, start);

        start = g_get_monotonic_time();
        for (unsigned i = 0; i < 20; i++) {
                g_clear_pointer(&listed, g_ptr_array_unref);
                listed = hypervisor_client_list_vms_sync(client, NULL, &error);
                if (!listed)
                        g_error("ListVMs failed: %s", error->message);
        }
        report("list_vms_sync (all VMs)", 20, start);

        start = g_get_monotonic_time();
        for (unsigned i = 0; i < n; i++)
                if (!hypervisor_vm_delete_sync(g_ptr_array_index(vms, i), FALSE, NULL, &error))
                        g_error("Delete failed: %s", error->message);
        report("delete_sync", n, start);
        return 0;
}
