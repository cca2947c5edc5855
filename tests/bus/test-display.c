/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Desktop VMs through D-Bus, on the real tiny guest under TCG with a VGA
 * display and the kernel console on tty0 as well as the serial port (the screenshot test
 * boots the bzImage through SeaBIOS, so the kernel's VGA console shows the boot; the
 * others boot by PVH, where tty0 is the dummy console):
 *
 *   - Screenshot: a PNG (signature, IHDR, decoded with GdkPixbuf) of the size the
 *     header says, not one flat colour, with the typed keys' glyphs on it afterwards;
 *   - SendKey: the keys reach the guest (a reader of tty1 prints them on the serial
 *     console);
 *   - OpenGraphics: an RFB 3.8 handshake over the descriptor (security None,
 *     ServerInit with the framebuffer's size) and a FramebufferUpdate;
 *   - a virt-install desktop document (SPICE, qxl, USB tablet, ich9 sound, spicevmc
 *     channel and USB redirection) defines, boots and shows its screen; its Graphics
 *     property lists the SPICE display;
 *   - cloud-hypervisor refuses display elements at DefineVM, naming them.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gunixfdlist.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "hv-test.h"

#define VM_IFACE "org.example.Hypervisor.VM"
#define BOOT_TIMEOUT_MS 90000
#define IO_TIMEOUT_MS 30000

/* Linux input keycodes (linux/input-event-codes.h) */
#define KEY_ENTER 28
#define KEY_Q 16
#define KEY_Z 44

typedef struct {
        HvTest t;
        char *path;
        int console;
        GString *output;
} DisplayTest;

static const char *guest_dir(void) {
        return hv_env_dir("HV_GUEST_DIR", "vmlinux");
}

/* The test guest with the kernel console on tty0 too (before ttyS0, which stays /dev/console). */
static char *display_guest_xml(const char *name, const char *devices) {
        g_autofree char *cmdline_path = g_build_filename(guest_dir(), "cmdline", NULL);
        g_autofree char *cmdline = NULL;

        g_assert_true(g_file_get_contents(cmdline_path, &cmdline, NULL, NULL));
        g_strstrip(cmdline);
        return g_strdup_printf("<domain type='qemu'><name>%s</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                               "<os><type arch='x86_64' machine='q35'>hvm</type><kernel>vmlinux</kernel>"
                               "<initrd>initramfs.cpio.gz</initrd><cmdline>console=tty0 %s</cmdline></os>"
                               "<devices>%s</devices></domain>",
                               name, cmdline, devices);
}

static void setup(DisplayTest *g, gconstpointer data) {
        g_autofree char *config = g_strdup_printf("FirmwareDirectories=%s\n", guest_dir());

        hv_test_setup(&g->t, config);
        g->console = -1;
        g->output = g_string_new(NULL);
}

static void teardown(DisplayTest *g, gconstpointer data) {
        if (g->path) {
                g_autoptr(GVariant) r =
                        hv_vm_call(&g->t, g->path, "PowerOff", g_variant_new("(a{sv})", NULL), NULL, NULL);
        }
        if (g->console >= 0)
                close(g->console);
        g_string_free(g->output, TRUE);
        g_free(g->path);
        hv_test_teardown(&g->t);
}

static void call_ok(DisplayTest *g, const char *method, GVariant *args) {
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply =
                hv_vm_call(&g->t, g->path, method, args ? args : g_variant_new("(a{sv})", NULL), NULL, &error);
        if (error)
                g_error("%s failed: %s", method, error->message);
}

/* A method answering (h): the descriptor. */
static int call_fd(DisplayTest *g, const char *method, GVariant *args, GError **error) {
        g_autoptr(GUnixFDList) fds = NULL;
        g_autoptr(GVariant) reply = NULL;
        int handle;

        reply = g_dbus_connection_call_with_unix_fd_list_sync(g->t.connection, "org.example.Hypervisor", g->path,
                                                              VM_IFACE, method, args, G_VARIANT_TYPE("(h)"),
                                                              G_DBUS_CALL_FLAGS_NONE, 60000, NULL, &fds, NULL, error);
        if (!reply)
                return -1;
        g_variant_get(reply, "(h)", &handle);
        return g_unix_fd_list_get(fds, handle, error);
}

static void console_wait(DisplayTest *g, const char *needle, gsize from) {
        gint64 deadline = g_get_monotonic_time() + (gint64) BOOT_TIMEOUT_MS * 1000;

        while (!strstr(g->output->str + MIN(from, g->output->len), needle)) {
                struct pollfd p = {.fd = g->console, .events = POLLIN};
                char buffer[4096];
                ssize_t n;

                if (g_get_monotonic_time() > deadline)
                        g_error("The console did not show '%s' within %d ms; it showed:\n%s", needle, BOOT_TIMEOUT_MS,
                                g->output->str);
                while (g_main_context_iteration(NULL, FALSE))
                        ;
                if (poll(&p, 1, 20) <= 0)
                        continue;
                n = read(g->console, buffer, sizeof(buffer));
                if (n == 0)
                        g_error("The console closed while waiting for '%s':\n%s", needle, g->output->str);
                if (n > 0)
                        g_string_append_len(g->output, buffer, n);
        }
}

static void console_type(DisplayTest *g, const char *line) {
        g_autofree char *text = g_strconcat(line, "\n", NULL);
        g_assert_cmpint(write(g->console, text, strlen(text)), ==, (gssize) strlen(text));
}

static void define_and_boot(DisplayTest *g, const char *xml) {
        g_autoptr(GError) error = NULL;

        g->path = hv_define(&g->t, xml);
        call_ok(g, "Boot", NULL);
        g->console = call_fd(g, "OpenConsole", g_variant_new("(a{sv})", NULL), &error);
        g_assert_no_error(error);
        fcntl(g->console, F_SETFL, fcntl(g->console, F_GETFL) | O_NONBLOCK);
        console_wait(g, "HV-GUEST-READY", 0);
}

/* ---- PNG ---- */

typedef struct {
        GBytes *bytes;
        guint32 width, height; /* from IHDR */
        unsigned lit;          /* pixels brighter than the background: the text on the screen */
} Png;

static void png_clear(Png *png) {
        g_clear_pointer(&png->bytes, g_bytes_unref);
}

static void read_all(int fd, GByteArray *out) {
        unsigned char buffer[65536];
        ssize_t n;

        while ((n = read(fd, buffer, sizeof(buffer))) > 0)
                g_byte_array_append(out, buffer, (guint) n);
        g_assert_cmpint(n, ==, 0);
}

/* Screenshot(0): the descriptor is a sealed memfd holding a PNG; checked and decoded. */
static void take_screenshot(DisplayTest *g, Png *png) {
        static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        g_autoptr(GError) error = NULL;
        g_autoptr(GByteArray) data = g_byte_array_new();
        g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new_with_type("png", &error);
        GdkPixbuf *pixbuf;
        int fd = call_fd(g, "Screenshot", g_variant_new("(ua{sv})", 0, NULL), &error);
        int seals;

        g_assert_no_error(error);
        /* Sealed: nobody can change what the service read. */
        seals = fcntl(fd, F_GET_SEALS);
        g_assert_cmpint(seals, >=, 0);
        g_assert_true(seals & F_SEAL_WRITE);
        read_all(fd, data);
        close(fd);

        g_assert_cmpuint(data->len, >, 33);
        g_assert_cmpmem(data->data, 8, signature, 8);
        g_assert_cmpmem(data->data + 12, 4, "IHDR", 4);
        png->width = ntohl(*(guint32 *) (data->data + 16));
        png->height = ntohl(*(guint32 *) (data->data + 20));
        g_assert_cmpuint(png->width, >=, 320);
        g_assert_cmpuint(png->height, >=, 200);

        g_assert_true(gdk_pixbuf_loader_write(loader, data->data, data->len, &error));
        g_assert_no_error(error);
        g_assert_true(gdk_pixbuf_loader_close(loader, &error));
        pixbuf = gdk_pixbuf_loader_get_pixbuf(loader);
        g_assert_nonnull(pixbuf);
        g_assert_cmpint(gdk_pixbuf_get_width(pixbuf), ==, (int) png->width);
        g_assert_cmpint(gdk_pixbuf_get_height(pixbuf), ==, (int) png->height);
        png->bytes = g_byte_array_free_to_bytes(g_steal_pointer(&data));

        /* Not one flat colour: the console's text is on it. */
        {
                const guint8 *pixels = gdk_pixbuf_read_pixels(pixbuf);
                int rowstride = gdk_pixbuf_get_rowstride(pixbuf), n_channels = gdk_pixbuf_get_n_channels(pixbuf);
                bool differs = false;

                for (int y = 0; y < gdk_pixbuf_get_height(pixbuf); y++)
                        for (int x = 0; x < gdk_pixbuf_get_width(pixbuf); x++) {
                                const guint8 *p = pixels + y * rowstride + x * n_channels;
                                differs |= memcmp(p, pixels, 3) != 0;
                                png->lit += p[0] > 64 || p[1] > 64 || p[2] > 64;
                        }
                if (!differs)
                        g_error("The screenshot (%ux%u) is one flat colour", png->width, png->height);
        }
}

static void send_key(DisplayTest *g, guint32 keycode) {
        call_ok(g, "SendKey", g_variant_new_parsed("([%u], @a{sv} {})", keycode));
}

/* ---- the tests ---- */

static const char vga_vnc[] = "<graphics type='vnc'/><video><model type='vga'/></video>";

static void test_screenshot_and_keys(DisplayTest *g, gconstpointer data) {
        g_autofree char *pvh = display_guest_xml("screen", vga_vnc);
        g_auto(GStrv) parts = g_strsplit(pvh, "<kernel>vmlinux</kernel>", 2);
        g_autofree char *xml = g_strjoinv("<kernel>vmlinuz</kernel>", parts);
        Png before = {0}, after = {0};
        gsize mark;

        /* The bzImage, booted by SeaBIOS: the kernel's VGA console (tty0, the foreground
         * tty1) shows the boot on the screen, and what the keys type appears there. */
        define_and_boot(g, xml);
        /* A reader of the keyboard's tty (tty1) that reports each line on the serial console. */
        console_type(g, "(exec </dev/tty1; echo HV-READER-STARTED; while read l; do echo \"KEYS:$l\"; "
                        "echo HV-SHOWN; done) &");
        console_wait(g, "HV-READER-STARTED\r", 0); /* not the echo of the command */
        take_screenshot(g, &before);

        mark = g->output->len;
        send_key(g, KEY_Q);
        send_key(g, KEY_Z);
        send_key(g, KEY_Q);
        send_key(g, KEY_Z);
        send_key(g, KEY_ENTER);
        console_wait(g, "KEYS:qzqz", mark);
        console_wait(g, "HV-SHOWN\r", mark);

        /* The typed line is echoed by tty1 on the screen: four more glyphs lit (about 30
         * pixels each; the blinking cursor alone is under 20). */
        take_screenshot(g, &after);
        g_test_message("lit pixels before the keys: %u, after: %u", before.lit, after.lit);
        g_assert_cmpuint(after.lit, >=, before.lit + 60);
        png_clear(&before);
        png_clear(&after);
}

static void test_send_key_errors(DisplayTest *g, gconstpointer data) {
        g_autofree char *xml = display_guest_xml("keys", vga_vnc);
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;

        g->path = hv_define(&g->t, xml);
        /* Not running: InvalidState. */
        reply = hv_vm_call(&g->t, g->path, "SendKey", g_variant_new_parsed("([%u], @a{sv} {})", (guint32) KEY_Q), NULL,
                           &error);
        hv_assert_error(error, "org.example.Hypervisor.Error.InvalidState", "shutoff");
        g_clear_error(&error);
        reply = hv_vm_call(&g->t, g->path, "Screenshot", g_variant_new("(ua{sv})", 0, NULL), NULL, &error);
        hv_assert_error(error, "org.example.Hypervisor.Error.InvalidState", "shutoff");
        g_clear_error(&error);
        /* Unknown option. */
        reply = hv_vm_call(&g->t, g->path, "Screenshot", g_variant_new_parsed("(@u 0, {'max-width': <@u 100>})"), NULL,
                           &error);
        hv_assert_error(error, "org.example.Hypervisor.Error.InvalidArgument", "max-width");
        g_clear_error(&error);

        call_ok(g, "Boot", NULL);
        reply = hv_vm_call(&g->t, g->path, "SendKey", g_variant_new_parsed("(@au [], @a{sv} {})"), NULL, &error);
        hv_assert_error(error, "org.example.Hypervisor.Error.InvalidArgument", "keycodes");
        g_clear_error(&error);
        reply = hv_vm_call(&g->t, g->path, "SendKey", g_variant_new_parsed("([@u 100000], @a{sv} {})"), NULL, &error);
        hv_assert_error(error, "org.example.Hypervisor.Error.InvalidArgument", "100000");
        g_clear_error(&error);
        reply = hv_vm_call(&g->t, g->path, "OpenGraphics", g_variant_new("(ua{sv})", 1, NULL), NULL, &error);
        hv_assert_error(error, "org.example.Hypervisor.Error.InvalidArgument", "no display number 1");
        g_clear_error(&error);
        /* Ctrl+Alt+Del with a hold time: QEMU takes it. */
        call_ok(g, "SendKey", g_variant_new_parsed("([@u 29, 56, 111], {'hold-time': <@u 50>})"));
}

/* Reads exactly n bytes within IO_TIMEOUT_MS. */
static void read_exactly(int fd, void *buffer, size_t n) {
        size_t done = 0;

        while (done < n) {
                struct pollfd p = {.fd = fd, .events = POLLIN};
                ssize_t r;

                if (poll(&p, 1, IO_TIMEOUT_MS) <= 0)
                        g_error("The VNC server sent %zu of %zu bytes", done, n);
                r = read(fd, (char *) buffer + done, n - done);
                if (r <= 0)
                        g_error("The VNC connection ended after %zu of %zu bytes", done, n);
                done += (size_t) r;
        }
}

static void write_all(int fd, const void *buffer, size_t n) {
        g_assert_cmpint(write(fd, buffer, n), ==, (gssize) n);
}

static void test_open_graphics_vnc(DisplayTest *g, gconstpointer data) {
        g_autofree char *xml = display_guest_xml("vnc", vga_vnc);
        g_autoptr(GError) error = NULL;
        char version[12];
        guint8 n_types, types[255], security = 1, shared = 1, pixel_format[16], header[4];
        guint32 result, name_length;
        guint16 width, height;
        int fd;

        define_and_boot(g, xml);
        fd = call_fd(g, "OpenGraphics", g_variant_new("(ua{sv})", 0, NULL), &error);
        g_assert_no_error(error);

        /* ProtocolVersion */
        read_exactly(fd, version, sizeof(version));
        g_assert_cmpmem(version, 4, "RFB ", 4);
        write_all(fd, "RFB 003.008\n", 12);
        /* Security: None is offered (the descriptor is the authorization) */
        read_exactly(fd, &n_types, 1);
        g_assert_cmpuint(n_types, >, 0);
        read_exactly(fd, types, n_types);
        g_assert_nonnull(memchr(types, 1, n_types));
        write_all(fd, &security, 1);
        read_exactly(fd, &result, 4);
        g_assert_cmpuint(ntohl(result), ==, 0);
        /* ClientInit, ServerInit */
        write_all(fd, &shared, 1);
        read_exactly(fd, &width, 2);
        read_exactly(fd, &height, 2);
        read_exactly(fd, pixel_format, sizeof(pixel_format));
        read_exactly(fd, &name_length, 4);
        g_assert_cmpuint(ntohl(name_length), <, 4096);
        {
                g_autofree char *name = g_malloc0(ntohl(name_length) + 1);
                read_exactly(fd, name, ntohl(name_length));
                g_test_message("VNC desktop '%s', %ux%u", name, ntohs(width), ntohs(height));
        }
        g_assert_cmpuint(ntohs(width), >=, 320);
        g_assert_cmpuint(ntohs(height), >=, 200);

        /* FramebufferUpdateRequest for the whole screen; the answer is a FramebufferUpdate. */
        {
                guint8 request[10] = {3, 0};
                guint16 w = width, h = height; /* network order already */
                memcpy(request + 6, &w, 2);
                memcpy(request + 8, &h, 2);
                write_all(fd, request, sizeof(request));
        }
        read_exactly(fd, header, sizeof(header));
        g_assert_cmpuint(header[0], ==, 0); /* FramebufferUpdate */
        g_assert_cmpuint((header[2] << 8) | header[3], >, 0);
        close(fd);
}

typedef struct {
        gboolean done;
        int fd;
        GError *error;
} FdCall;

static void on_fd_reply(GObject *source, GAsyncResult *result, gpointer userdata) {
        FdCall *call = userdata;
        g_autoptr(GUnixFDList) fds = NULL;
        g_autoptr(GVariant) reply =
                g_dbus_connection_call_with_unix_fd_list_finish(G_DBUS_CONNECTION(source), &fds, result, &call->error);
        int handle;

        call->fd = -1;
        if (reply) {
                g_variant_get(reply, "(h)", &handle);
                call->fd = g_unix_fd_list_get(fds, handle, &call->error);
        }
        call->done = TRUE;
}

static gboolean all_done(gpointer data) {
        FdCall *calls = data;
        for (int i = 0; i < 4; i++)
                if (!calls[i].done)
                        return FALSE;
        return TRUE;
}

/* Clients opened at the same time each get their own connection (a getfd name per call). */
static void test_open_graphics_concurrent(DisplayTest *g, gconstpointer data) {
        g_autofree char *xml = display_guest_xml("many", vga_vnc);
        FdCall calls[4] = {0};

        define_and_boot(g, xml);
        for (int i = 0; i < 4; i++)
                g_dbus_connection_call_with_unix_fd_list(g->t.connection, "org.example.Hypervisor", g->path, VM_IFACE,
                                                         "OpenGraphics", g_variant_new("(ua{sv})", 0, NULL),
                                                         G_VARIANT_TYPE("(h)"), G_DBUS_CALL_FLAGS_NONE, 60000, NULL,
                                                         NULL, on_fd_reply, &calls[i]);
        hv_wait_until("four OpenGraphics replies", all_done, calls, 60000);
        for (int i = 0; i < 4; i++) {
                char greeting[12];

                g_assert_no_error(calls[i].error);
                read_exactly(calls[i].fd, greeting, sizeof(greeting));
                g_assert_cmpmem(greeting, 4, "RFB ", 4);
                close(calls[i].fd);
        }
}

/* What virt-install 4.1 writes for a desktop install, trimmed to what the tiny guest boots. */
static const char desktop_devices[] =
        "<console type='pty'/>"
        "<channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0'/></channel>"
        "<input type='tablet' bus='usb'/>"
        "<graphics type='spice' port='-1' tlsPort='-1' autoport='yes'><image compression='off'/></graphics>"
        "<sound model='ich9'/>"
        "<video><model type='qxl'/></video>"
        "<redirdev bus='usb' type='spicevmc'/>"
        "<redirdev bus='usb' type='spicevmc'/>";

static void test_virt_install_desktop(DisplayTest *g, gconstpointer data) {
        g_autofree char *xml = display_guest_xml("desktop", desktop_devices);
        g_autoptr(GVariant) graphics = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;
        const char *text, *type;
        guint32 index;
        Png png = {0};
        int fd;

        define_and_boot(g, xml);
        /* GetXML keeps every element, and defines again. */
        reply = hv_vm_call(&g->t, g->path, "GetXML", g_variant_new("(a{sv})", NULL), "(s)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(&s)", &text);
        g_assert_nonnull(strstr(text, "<graphics type='spice'>"));
        g_assert_nonnull(strstr(text, "<listen type='none'/>"));
        g_assert_nonnull(strstr(text, "<image compression='off'/>"));
        g_assert_nonnull(strstr(text, "<model type='qxl' primary='yes'/>"));
        g_assert_nonnull(strstr(text, "<input type='tablet' bus='usb'/>"));
        g_assert_nonnull(strstr(text, "<sound model='ich9'>"));
        g_assert_nonnull(strstr(text, "<audio id='1' type='spice'/>"));
        g_assert_nonnull(strstr(text, "<channel type='spicevmc'>"));
        g_assert_nonnull(strstr(text, "<redirdev bus='usb' type='spicevmc'/>"));
        g_free(hv_define(&g->t, text));

        graphics = hv_get_property(&g->t, g->path, VM_IFACE, "Graphics");
        g_assert_cmpuint(g_variant_n_children(graphics), ==, 1);
        g_variant_get_child(graphics, 0, "(&su@a{sv})", &type, &index, NULL);
        g_assert_cmpstr(type, ==, "spice");
        g_assert_cmpuint(index, ==, 0);

        take_screenshot(g, &png);
        png_clear(&png);

        /* A SPICE client gets a connected descriptor; the server answers its link message. */
        fd = call_fd(g, "OpenGraphics", g_variant_new("(ua{sv})", 0, NULL), &error);
        g_assert_no_error(error);
        {
                /* SpiceLinkHeader (magic, major 2, minor 2, size) + SpiceLinkMess for the main channel */
                guint32 link[4 + 6] = {GUINT32_TO_LE(0x51444552),
                                       GUINT32_TO_LE(2),
                                       GUINT32_TO_LE(2),
                                       GUINT32_TO_LE(24),
                                       0,
                                       GUINT32_TO_LE(1),
                                       0,
                                       0,
                                       0,
                                       GUINT32_TO_LE(24)};
                guint32 reply_header[4];
                /* channel_type 1 (main) and id 0 sit in the second word as bytes */
                link[5] = GUINT32_TO_LE(1);
                write_all(fd, link, sizeof(link));
                read_exactly(fd, reply_header, sizeof(reply_header));
                g_assert_cmpuint(GUINT32_FROM_LE(reply_header[0]), ==, 0x51444552); /* "REDQ" */
        }
        close(fd);
}

/* What GNOME Boxes writes (its vm-configurator.vala): SPICE without OpenGL, the agent and the
 * webdav port its folder sharing uses, a smartcard and four USB redirections over SPICE, a
 * qemu-xhci with 15 ports, trimmed to what the tiny guest boots. QEMU takes it all; GetXML
 * keeps it and defines again. */
static const char boxes_devices[] =
        "<controller type='usb' index='0' model='qemu-xhci' ports='15'/>"
        "<controller type='virtio-serial' index='0'/>"
        "<console type='pty'/>"
        "<smartcard mode='passthrough' type='spicevmc'/>"
        "<channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0'/></channel>"
        "<channel type='spiceport'><source channel='org.spice-space.webdav.0'/>"
        "<target type='virtio' name='org.spice-space.webdav.0'/></channel>"
        "<input type='tablet' bus='usb'/><input type='mouse' bus='ps2'/><input type='keyboard' bus='ps2'/>"
        "<graphics type='spice' autoport='no'><listen type='address'/><image compression='off'/>"
        "<gl enable='no'/></graphics>"
        "<sound model='ich9'/>"
        "<video><model type='virtio' heads='1' primary='yes'/></video>"
        "<redirdev bus='usb' type='spicevmc'/><redirdev bus='usb' type='spicevmc'/>"
        "<redirdev bus='usb' type='spicevmc'/><redirdev bus='usb' type='spicevmc'/>";

static void test_gnome_boxes_desktop(DisplayTest *g, gconstpointer data) {
        g_autofree char *xml = display_guest_xml("boxes", boxes_devices);
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GError) error = NULL;
        const char *text;

        define_and_boot(g, xml);
        reply = hv_vm_call(&g->t, g->path, "GetXML", g_variant_new("(a{sv})", NULL), "(s)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(&s)", &text);
        g_assert_nonnull(strstr(text, "<gl enable='no'/>"));
        g_assert_nonnull(strstr(text, "<channel type='spiceport'>\n      <source channel='org.spice-space.webdav.0'/>\n"
                                      "      <target type='virtio' name='org.spice-space.webdav.0'/>"));
        g_assert_nonnull(strstr(text, "<smartcard mode='passthrough' type='spicevmc'/>"));
        g_free(hv_define(&g->t, text));
}

static void test_ch_refuses_display(DisplayTest *g, gconstpointer data) {
        static const char *const elements[][2] = {
                {"<graphics type='vnc'/>", "<graphics type='vnc'>"},
                {"<video><model type='vga'/></video>", "<video>"},
                {"<input type='tablet' bus='usb'/>", "<input>"},
                {"<sound model='ich9'/>", "<sound>"},
                {"<graphics type='spice'/><channel type='spiceport'><source channel='org.spice-space.webdav.0'/>"
                 "</channel>",
                 "line 1: <channel type='spiceport'> is not supported by the cloud-hypervisor engine"},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(elements); i++) {
                g_autofree char *xml = g_strdup_printf(
                        "<domain type='kvm'><name>ch%zu</name><memory unit='MiB'>256</memory><vcpu>1</vcpu>"
                        "<os><type arch='x86_64'>hvm</type><kernel>/nonexistent/vmlinux</kernel></os>"
                        "<devices>%s</devices></domain>",
                        i, elements[i][0]);
                g_autoptr(GError) error = NULL;
                g_autoptr(GVariant) reply = hv_manager_call(
                        &g->t, "DefineVM", g_variant_new_parsed("(%s, {'engine': <'cloud-hypervisor'>})", xml), "(o)",
                        &error);
                hv_assert_error(error, "org.example.Hypervisor.Error.NotSupported", elements[i][1]);
                g_assert_nonnull(strstr(error->message, "cloud-hypervisor"));
        }
}

/* A QEMU that writes something else than a PNG: the caller gets an error, not those bytes. */
static void test_screenshot_not_png(DisplayTest *g, gconstpointer data) {
        const char *fake = g_getenv("HV_FAKE_QEMU");
        g_autofree char *link = g_build_filename(g->t.dir, "qemu-fake-screenshot-not-png", NULL);
        g_autofree char *devices = NULL, *xml = NULL;
        g_autoptr(GError) error = NULL;
        int fd;

        if (!fake || !g_file_test(fake, G_FILE_TEST_IS_EXECUTABLE))
                g_error("HV_FAKE_QEMU does not name the built fake-qemu: run through meson test");
        g_assert_cmpint(symlink(fake, link), ==, 0);
        devices = g_strdup_printf("<emulator>%s</emulator>%s", link, vga_vnc);
        xml = display_guest_xml("notpng", devices);
        g->path = hv_define(&g->t, xml);
        call_ok(g, "Boot", NULL);
        fd = call_fd(g, "Screenshot", g_variant_new("(ua{sv})", 0, NULL), &error);
        g_assert_cmpint(fd, <, 0);
        hv_assert_error(error, "org.example.Hypervisor.Error.EngineFailed", "not a PNG");
}

/* After a daemon restart the re-attached VM still has its display, screen and keyboard. */
static void test_daemon_restart(DisplayTest *g, gconstpointer data) {
        g_autofree char *xml = display_guest_xml("survivor", vga_vnc);
        g_autoptr(GVariant) graphics = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *s = NULL;
        Png png = {0};
        char greeting[12];
        int fd;

        define_and_boot(g, xml);
        hv_test_stop_daemon(&g->t, SIGKILL);
        hv_test_start_daemon(&g->t);
        s = hv_vm_state(&g->t, g->path);
        g_assert_cmpstr(s, ==, "running");

        graphics = hv_get_property(&g->t, g->path, VM_IFACE, "Graphics");
        g_assert_cmpuint(g_variant_n_children(graphics), ==, 1);
        take_screenshot(g, &png);
        png_clear(&png);
        send_key(g, KEY_ENTER);
        fd = call_fd(g, "OpenGraphics", g_variant_new("(ua{sv})", 0, NULL), &error);
        g_assert_no_error(error);
        read_exactly(fd, greeting, sizeof(greeting));
        g_assert_cmpmem(greeting, 4, "RFB ", 4);
        close(fd);
}

/* The Graphics property follows the definition of a VM that is off, and says so. */
static void test_graphics_property(DisplayTest *g, gconstpointer data) {
        g_autofree char *plain = display_guest_xml("props", "");
        g_autofree char *with_vnc = display_guest_xml("props", vga_vnc);
        g_autoptr(GVariant) graphics = NULL;
        g_autoptr(GVariant) body = NULL;
        g_autoptr(GVariant) changed = NULL;
        g_autoptr(GVariant) value = NULL;
        g_autofree char *again = NULL;
        HvSignalLog log;

        g->path = hv_define(&g->t, plain);
        graphics = hv_get_property(&g->t, g->path, VM_IFACE, "Graphics");
        g_assert_cmpuint(g_variant_n_children(graphics), ==, 0);

        hv_signal_log_start(&log, &g->t, "org.freedesktop.DBus.Properties", g->path);
        again = hv_define(&g->t, with_vnc);
        g_assert_cmpstr(again, ==, g->path);
        body = hv_signal_log_wait(&log, "PropertiesChanged", g->path, 1, 30000);
        g_variant_get(body, "(&s@a{sv}@as)", NULL, &changed, NULL);
        value = g_variant_lookup_value(changed, "Graphics", G_VARIANT_TYPE("a(sua{sv})"));
        g_assert_nonnull(value);
        g_assert_cmpuint(g_variant_n_children(value), ==, 1);
        hv_signal_log_stop(&log);
}

/* The administrator allows displays on 127.0.0.1 only. */
static void setup_listen(DisplayTest *g, gconstpointer data) {
        g_autofree char *config =
                g_strdup_printf("FirmwareDirectories=%s\n[Display]\nListenAddresses=127.0.0.1\n", guest_dir());

        hv_test_setup(&g->t, config);
        g->console = -1;
        g->output = g_string_new(NULL);
}

static char *vm_xml(DisplayTest *g, bool live) {
        GVariantBuilder options;
        g_autoptr(GError) error = NULL;
        g_autoptr(GVariant) reply = NULL;
        char *xml;

        g_variant_builder_init(&options, G_VARIANT_TYPE_VARDICT);
        g_variant_builder_add(&options, "{sv}", "live", g_variant_new_boolean(live));
        reply = hv_vm_call(&g->t, g->path, "GetXML", g_variant_new("(a{sv})", &options), "(s)", &error);
        g_assert_no_error(error);
        g_variant_get(reply, "(s)", &xml);
        return xml;
}

/* A display listens on a network address only where [Display] ListenAddresses= allows
 * it; there it gets a port at boot (autoport), shown in Graphics and the live XML, and a
 * VNC client reaches it over TCP. */
static void test_listen_address(DisplayTest *g, gconstpointer data) {
        static const char allowed[] = "<graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'>"
                                      "<listen type='address' address='127.0.0.1'/></graphics>"
                                      "<video><model type='vga'/></video>";
        g_autofree char *other = display_guest_xml("elsewhere", "<graphics type='vnc' listen='127.0.0.2'/>");
        g_autofree char *xml = display_guest_xml("listener", allowed);
        g_autofree char *live = NULL, *inactive = NULL, *port_attr = NULL;
        g_autoptr(GVariant) reply = NULL;
        g_autoptr(GVariant) graphics = NULL;
        g_autoptr(GVariant) details = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(GSocketClient) client = g_socket_client_new();
        g_autoptr(GSocketConnection) connection = NULL;
        char banner[13] = {0};
        gsize got = 0;
        guint32 port = 0;

        reply = hv_manager_call(&g->t, "DefineVM", g_variant_new("(sa{sv})", other, NULL), "(o)", &error);
        hv_assert_error(error, "org.example.Hypervisor.Error.NotSupported", "ListenAddresses");
        g_clear_error(&error);

        g->path = hv_define(&g->t, xml);
        call_ok(g, "Boot", NULL);
        graphics = hv_get_property(&g->t, g->path, VM_IFACE, "Graphics");
        g_assert_cmpuint(g_variant_n_children(graphics), ==, 1);
        g_variant_get_child(graphics, 0, "(&su@a{sv})", NULL, NULL, &details);
        g_assert_true(g_variant_lookup(details, "port", "u", &port));
        g_assert_cmpuint(port, >=, 5900);

        connection = g_socket_client_connect_to_host(client, "127.0.0.1", (guint16) port, NULL, &error);
        g_assert_no_error(error);
        g_assert_true(g_input_stream_read_all(g_io_stream_get_input_stream(G_IO_STREAM(connection)), banner, 12, &got,
                                              NULL, &error));
        g_assert_no_error(error);
        g_assert_cmpstr(banner, ==, "RFB 003.008\n");

        live = vm_xml(g, true);
        port_attr = g_strdup_printf("port='%u' autoport='yes' listen='127.0.0.1'", port);
        g_assert_nonnull(strstr(live, port_attr));
        inactive = vm_xml(g, false);
        g_assert_nonnull(strstr(inactive, "port='-1' autoport='yes' listen='127.0.0.1'"));
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add(name, DisplayTest, NULL, setup, fn, teardown)
        ADD("/display/screenshot-and-keys", test_screenshot_and_keys);
        ADD("/display/send-key-errors", test_send_key_errors);
        ADD("/display/open-graphics-vnc", test_open_graphics_vnc);
        ADD("/display/virt-install-desktop", test_virt_install_desktop);
        ADD("/display/gnome-boxes-desktop", test_gnome_boxes_desktop);
        ADD("/display/ch-refuses-display", test_ch_refuses_display);
        ADD("/display/graphics-property", test_graphics_property);
        ADD("/display/daemon-restart", test_daemon_restart);
        ADD("/display/screenshot-not-png", test_screenshot_not_png);
        ADD("/display/open-graphics-concurrent", test_open_graphics_concurrent);
        g_test_add("/display/listen-address", DisplayTest, NULL, setup_listen, test_listen_address, teardown);
#undef ADD
        return g_test_run();
}
