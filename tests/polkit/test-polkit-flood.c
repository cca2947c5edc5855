/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * An engine that floods events. The attacker hvtest1 boots
 * a VM whose <emulator> is the hostile stand-in qemu-fake-flood
 * (tests/faults/fake-qemu.c): once running it writes 200,001 STOP/RESUME
 * events as fast as the socket takes them. The victim hvtest2 has a VM of its
 * own. HV_FLOOD_EVENTS (odd, default 200001) changes the number of events, to
 * measure a smaller flood on a service that cannot take this one. The test
 * checks that
 *  - the victim's reads are answered during the flood (and reports their p99),
 *  - the signals a subscriber gets for the attacker's VM are a small part of the
 *    events (the service coalesces and rate-limits them),
 *  - the VM's final State is right (paused: the flood ends with a STOP), and the
 *    last StateChanged says so.
 */

#include <string.h>
#include <unistd.h>

#include "pk-test.h"

#define HV_BUS_NAME "org.example.Hypervisor"
#define HV_VM_INTERFACE "org.example.Hypervisor.VM"

#define FLOOD_EVENTS 200001
static unsigned flood_events = FLOOD_EVENTS;
/*
 * Far more than a service sends that passes a burst of 256 engine events and
 * then 128 a second (hypervisord(8)), coalescing the rest, for the whole flood
 * (which lasts a few seconds); far fewer than one signal per event.
 */
#define MAX_SIGNALS (2000 + flood_events / 20)
/* Reads of the victim's VM during the flood: this many, or fewer if the flood makes them slow. */
#define READS 400
#define READS_MAX_USEC (10 * G_USEC_PER_SEC)
/* Only a failing test waits this long. */
#define SETTLE_TIMEOUT_USEC (60 * G_USEC_PER_SEC)

typedef struct {
        unsigned state_changed;
        unsigned properties_changed;
        unsigned guest_events;
        unsigned dropped_told; /* the sum of "dropped-events" of the GuestEvents */
        char *last_state;
} Signals;

static unsigned signals_total(const Signals *s) {
        return s->state_changed + s->properties_changed + s->guest_events;
}

static void on_signal(GDBusConnection *connection, const char *sender, const char *path, const char *interface,
                      const char *member, GVariant *parameters, gpointer userdata) {
        Signals *s = userdata;

        if (g_str_equal(member, "StateChanged")) {
                const char *state;

                s->state_changed++;
                g_variant_get(parameters, "(&s&s)", &state, NULL);
                g_free(s->last_state);
                s->last_state = g_strdup(state);
        } else if (g_str_equal(member, "PropertiesChanged"))
                s->properties_changed++;
        else if (g_str_equal(member, "GuestEvent")) {
                g_autoptr(GVariant) details = g_variant_get_child_value(parameters, 1);
                guint32 dropped = 0;

                s->guest_events++;
                if (g_variant_lookup(details, "dropped-events", "u", &dropped))
                        s->dropped_told += dropped;
        }
        if (signals_total(s) > MAX_SIGNALS)
                g_error("More than %u signals for %u engine events: the flood reaches the bus "
                        "(%u StateChanged, %u PropertiesChanged, %u GuestEvent)",
                        MAX_SIGNALS, flood_events, s->state_changed, s->properties_changed, s->guest_events);
}

static char *flood_xml(PkTest *t, const char *name, const char *emulator) {
        const char *guest = g_getenv("HV_TEST_GUEST_DIR");
        g_autofree char *emulator_element =
                emulator ? g_strdup_printf("<devices><emulator>%s</emulator></devices>", emulator) : g_strdup("");

        if (!guest)
                g_error("HV_TEST_GUEST_DIR is not set: run through meson test");
        return g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                               "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>%s/vmlinux</kernel>"
                               "<initrd>%s/initramfs.cpio.gz</initrd><cmdline>console=ttyS0 quiet</cmdline></os>"
                               "%s</domain>",
                               name, guest, guest, emulator_element);
}

static char *define_xml_as(PkTest *t, const char *user, const char *xml) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = pk_manager_call_as(t, user, PK_CALL_NONE, "DefineVM",
                                                       g_variant_new("(sa{sv})", xml, NULL), &error);
        char *path;

        g_assert_no_error(error);
        g_variant_get(reply, "(o)", &path);
        return path;
}

static char *get_state(PkTest *t, const char *vm_path) {
        g_autoptr(GVariant) value = pk_get_vm_property(t, vm_path, "State");

        return g_variant_dup_string(value, NULL);
}

static int compare_usec(gconstpointer a, gconstpointer b) {
        gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

        return x < y ? -1 : x > y;
}

static void on_info_reply(GObject *source, GAsyncResult *result, gpointer userdata) {
        GVariant **reply = userdata;
        g_autoptr(GError) error = NULL;

        *reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);
        g_assert_no_error(error);
}

static void test_event_flood(void) {
        PkTest t;
        Signals s = {};
        const char *fake = g_getenv("HV_FAKE_QEMU");
        g_autofree char *emulator = NULL;
        g_autofree char *attacker_xml = NULL;
        g_autofree char *victim_xml = NULL;
        g_autofree char *attacker_vm = NULL;
        g_autofree char *victim_vm = NULL;
        g_autofree char *state = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GVariant) info = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GArray) reads = g_array_new(FALSE, FALSE, sizeof(gint64));
        gint64 started, deadline, booted_usec, reads_usec;
        guint subscription;

        if (!fake || !g_file_test(fake, G_FILE_TEST_IS_EXECUTABLE))
                g_error("HV_FAKE_QEMU does not name the built fake-qemu: run through meson test");
        pk_test_setup(&t, PK_POLKIT_MOCK, NULL);
        pk_mock_set_allowed(&t, PK_ACTION_CREATE, PK_ACTION_MANAGE_OWN, NULL);

        if (g_getenv("HV_FLOOD_EVENTS"))
                flood_events = (unsigned) g_ascii_strtoull(g_getenv("HV_FLOOD_EVENTS"), NULL, 10) | 1;
        g_test_message("%u events", flood_events);
        emulator = g_strdup_printf("%s/qemu-fake-flood-%u", t.dir, flood_events);
        g_assert_cmpint(symlink(fake, emulator), ==, 0);
        attacker_xml = flood_xml(&t, "flood1", emulator);
        attacker_vm = define_xml_as(&t, PK_USER1, attacker_xml);
        victim_xml = flood_xml(&t, "victim1", NULL);
        victim_vm = define_xml_as(&t, PK_USER2, victim_xml);

        subscription = g_dbus_connection_signal_subscribe(t.connection, HV_BUS_NAME, NULL, NULL, attacker_vm, NULL,
                                                          G_DBUS_SIGNAL_FLAGS_NONE, on_signal, &s, NULL);

        /* The flood starts as soon as Boot's "cont" is answered. */
        started = g_get_monotonic_time();
        reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, attacker_vm, "Boot", g_variant_new("(a{sv})", NULL), &error);
        g_assert_no_error(error);
        booted_usec = g_get_monotonic_time();

        /* The victim reads its own VM meanwhile: each read is answered. */
        deadline = g_get_monotonic_time() + READS_MAX_USEC;
        while (reads->len < READS && g_get_monotonic_time() < deadline) {
                gint64 before = g_get_monotonic_time(), usec;
                g_autoptr(GVariant) value = pk_get_vm_property(&t, victim_vm, "State");

                usec = g_get_monotonic_time() - before;
                g_assert_cmpstr(g_variant_get_string(value, NULL), ==, "shutoff");
                g_array_append_val(reads, usec);
        }
        reads_usec = g_get_monotonic_time() - booted_usec;
        g_clear_pointer(&reply, g_variant_unref);
        reply = pk_vm_call_as(&t, PK_USER2, PK_CALL_NONE, victim_vm, "GetXML", g_variant_new("(a{sv})", NULL),
                              &error);
        g_assert_no_error(error);
        g_array_sort(reads, compare_usec);
        g_test_message("%u reads of State in %.2f s during the flood: median %.2f ms, p99 %.2f ms, max %.2f ms", reads->len,
                       reads_usec / 1e6, g_array_index(reads, gint64, reads->len / 2) / 1000.0,
                       g_array_index(reads, gint64, (reads->len * 99) / 100) / 1000.0,
                       g_array_index(reads, gint64, reads->len - 1) / 1000.0);
        g_assert_cmpuint(reads->len, >=, 10);

        /* GetInfo goes through QMP after the flood's last event: once answered, all were read. */
        g_dbus_connection_call(t.connection, HV_BUS_NAME, attacker_vm, HV_VM_INTERFACE, "GetInfo",
                               g_variant_new("(a{sv})", NULL), NULL, G_DBUS_CALL_FLAGS_NONE, G_MAXINT, NULL,
                               on_info_reply, &info);
        deadline = g_get_monotonic_time() + SETTLE_TIMEOUT_USEC * 5;
        while (!info) {
                if (g_get_monotonic_time() > deadline)
                        g_error("GetInfo was not answered after the flood");
                g_main_context_iteration(NULL, TRUE);
        }
        g_test_message("The flood took %.1f s after Boot (Boot %.1f s)",
                       (g_get_monotonic_time() - booted_usec) / 1e6, (booted_usec - started) / 1e6);

        /* The final state is right at once, and the bus hears it within the coalescing window. */
        state = get_state(&t, attacker_vm);
        g_assert_cmpstr(state, ==, "paused");
        deadline = g_get_monotonic_time() + SETTLE_TIMEOUT_USEC;
        while (g_strcmp0(s.last_state, "paused") != 0) {
                if (g_get_monotonic_time() > deadline)
                        g_error("The last StateChanged says '%s', not 'paused'", s.last_state);
                g_main_context_iteration(NULL, FALSE);
                g_usleep(10 * 1000);
        }
        /* The runtime file, written once for many changes, ends right too. */
        {
                g_autoptr(GVariant) uuid = pk_get_vm_property(&t, attacker_vm, "UUID");
                g_autofree char *runtime = g_strdup_printf("%s/run/vms/%s.state", t.dir,
                                                           g_variant_get_string(uuid, NULL));

                deadline = g_get_monotonic_time() + SETTLE_TIMEOUT_USEC;
                for (;;) {
                        g_autofree char *text = NULL;

                        if (g_file_get_contents(runtime, &text, NULL, NULL) && strstr(text, "\nState=paused\n"))
                                break;
                        if (g_get_monotonic_time() > deadline)
                                g_error("The runtime file %s does not say State=paused:\n%s", runtime, text);
                        g_usleep(10 * 1000);
                }
        }

        /* Let late signals come, then count. */
        deadline = g_get_monotonic_time() + 300 * 1000;
        while (g_get_monotonic_time() < deadline)
                if (!g_main_context_iteration(NULL, FALSE))
                        g_usleep(10 * 1000);
        g_test_message("Signals for %u events: %u StateChanged, %u PropertiesChanged, %u GuestEvent "
                       "(which told of %u dropped)",
                       flood_events, s.state_changed, s.properties_changed, s.guest_events, s.dropped_told);
        g_assert_cmpuint(signals_total(&s), <=, MAX_SIGNALS);
        g_assert_cmpstr(s.last_state, ==, "paused");
        g_assert_cmpuint(s.guest_events, >, 0);
        g_assert_cmpuint(s.dropped_told, >, 0);

        g_dbus_connection_signal_unsubscribe(t.connection, subscription);
        g_clear_pointer(&reply, g_variant_unref);
        reply = pk_vm_call_as(&t, PK_USER1, PK_CALL_NONE, attacker_vm, "PowerOff", g_variant_new("(a{sv})", NULL),
                              &error);
        g_assert_no_error(error);
        g_free(s.last_state);
        pk_test_teardown(&t);
}

int main(int argc, char **argv) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/flood/engine-events", test_event_flood);
        return g_test_run();
}
