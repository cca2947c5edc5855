/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * The display parts of domain XML (service/domain-xml-display.c): what virt-install and
 * virsh dumpxml write is read, the defaults come out explicit, GetXML's text defines again
 * unchanged, and every way to listen on a network is refused by name.
 */

#include <glib.h>
#include <string.h>

#include "domain-xml-test-util.h"
#include "domain-xml.h"
#include "hv-error.h"

/* virt-install's desktop devices, and virsh dumpxml's spellings of the same. */
static void test_parse_desktop(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(
                "<channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0'/></channel>"
                "<input type='tablet' bus='usb'/><input type='mouse' bus='ps2'/><input type='keyboard'/>"
                "<graphics type='spice' port='-1' tlsPort='-1' autoport='yes'><listen type='address'/>"
                "<image compression='off'/></graphics>"
                "<sound model='ich9'/>"
                "<video><model type='qxl' ram='65536' vram='65536' vgamem='16384' heads='1' primary='yes'/></video>"
                "<redirdev bus='usb' type='spicevmc'/><redirdev type='spicevmc'/>",
                &error);
        const VmDisplay *d;
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        d = vm_config_display(config);
        g_assert_cmpuint(d->n_graphics, ==, 1);
        g_assert_cmpint(d->graphics[0].type, ==, VM_GRAPHICS_SPICE);
        g_assert_cmpint(d->graphics[0].listen, ==, VM_LISTEN_NONE);
        g_assert_cmpint(d->graphics[0].image_compression, ==, VM_IMAGE_COMPRESSION_OFF);
        g_assert_cmpuint(d->n_inputs, ==, 3);
        g_assert_cmpint(d->inputs[2].bus, ==, VM_INPUT_BUS_PS2); /* libvirt's default for a keyboard */
        g_assert_cmpuint(d->n_videos, ==, 1);
        g_assert_cmpuint(d->videos[0].vgamem, ==, 16384);
        g_assert_cmpuint(d->n_sounds, ==, 1);
        /* The default audio backend of a SPICE VM, made explicit. */
        g_assert_cmpuint(d->n_audios, ==, 1);
        g_assert_cmpint(d->audios[0].type, ==, VM_AUDIO_SPICE);
        g_assert_cmpuint(d->sounds[0].audio_id, ==, 1);
        g_assert_cmpuint(d->n_redirdevs, ==, 2);
        g_assert_true(d->spice_agent_channel);

        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<graphics type='spice'>\n      <listen type='none'/>\n"
                                     "      <image compression='off'/>\n    </graphics>"));
        g_assert_nonnull(strstr(out, "<model type='qxl' ram='65536' vram='65536' vgamem='16384' heads='1' "
                                     "primary='yes'/>"));
        g_assert_nonnull(strstr(out, "<sound model='ich9'>\n      <audio id='1'/>\n    </sound>"));
        domain_xml_test_assert_round_trip(config);
}

static void test_defaults(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) vnc = domain_xml_test_parse_devices("<graphics type='vnc'/><sound model='ac97'/>", &error);
        g_autoptr(VmConfig) socket = NULL;
        g_autoptr(VmConfig) videos = NULL;

        g_assert_no_error(error);
        /* A display gets a video card (VGA for VNC), a sound card an audio backend (none without SPICE). */
        g_assert_cmpuint(vm_config_display(vnc)->n_videos, ==, 1);
        g_assert_cmpint(vm_config_display(vnc)->videos[0].model, ==, VM_VIDEO_VGA);
        g_assert_cmpint(vm_config_display(vnc)->audios[0].type, ==, VM_AUDIO_NONE);
        domain_xml_test_assert_round_trip(vnc);

        socket = domain_xml_test_parse_devices("<graphics type='vnc'><listen type='socket' socket='/home/u/vnc.sock'/></graphics>",
                               &error);
        g_assert_no_error(error);
        g_assert_cmpint(vm_config_display(socket)->graphics[0].listen, ==, VM_LISTEN_SOCKET);
        g_assert_cmpstr(vm_config_display(socket)->graphics[0].socket, ==, "/home/u/vnc.sock");
        domain_xml_test_assert_round_trip(socket);

        /* The primary video card goes first. */
        videos = domain_xml_test_parse_devices("<video><model type='qxl'/></video><video><model type='virtio' primary='yes'/></video>",
                               &error);
        g_assert_no_error(error);
        g_assert_cmpint(vm_config_display(videos)->videos[0].model, ==, VM_VIDEO_VIRTIO);
        g_assert_true(vm_config_display(videos)->videos[0].primary);
        g_assert_cmpint(vm_config_display(videos)->videos[1].model, ==, VM_VIDEO_QXL);
        domain_xml_test_assert_round_trip(videos);
}

/* libvirt's documents give a cirrus card 16 MiB, which cirrus-vga has (vgamem_mb=16). */
static void test_video_memory(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) cirrus =
                domain_xml_test_parse_devices("<video><model type='cirrus' vram='16384' heads='1' primary='yes'/></video>", &error);
        g_autoptr(VmConfig) bochs = NULL;
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        g_assert_cmpint(vm_config_display(cirrus)->videos[0].model, ==, VM_VIDEO_CIRRUS);
        g_assert_cmpuint(vm_config_display(cirrus)->videos[0].vram, ==, 16384);
        out = domain_xml_format(cirrus);
        g_assert_nonnull(strstr(out, "<model type='cirrus' vram='16384' heads='1' primary='yes'/>"));
        domain_xml_test_assert_round_trip(cirrus);

        /* Heads and vram64 of qxl, as libvirt's video-qxl-heads.xml and video-qxl-device-vram64.xml. */
        g_autoptr(VmConfig) qxl = domain_xml_test_parse_devices(
                "<video><model type='qxl' ram='65536' vram='65536' vram64='131072' vgamem='8192' heads='1' "
                "primary='yes'/></video><video><model type='qxl' heads='3'/></video>"
                "<video><model type='virtio' heads='7'><resolution x='1280' y='720'/></model></video>",
                &error);
        g_assert_no_error(error);
        g_assert_cmpuint(vm_config_display(qxl)->videos[0].vram64, ==, 131072);
        g_assert_cmpuint(vm_config_display(qxl)->videos[1].heads, ==, 3);
        g_assert_cmpuint(vm_config_display(qxl)->videos[2].heads, ==, 7);
        g_assert_cmpuint(vm_config_display(qxl)->videos[2].xres, ==, 1280);
        domain_xml_test_assert_round_trip(qxl);
        g_autofree char *qxl_xml = domain_xml_format(qxl);
        domain_xml_test_assert_valid_libvirt(qxl_xml, "<video><model vram64 heads>");

        bochs = domain_xml_test_parse_devices("<video><model type='bochs' vram='65536'/></video>", &error);
        g_assert_no_error(error);
        g_assert_cmpuint(vm_config_display(bochs)->videos[0].vram, ==, 65536);
        domain_xml_test_assert_round_trip(bochs);
}

/* <hub type='usb'>, as libvirt's usb-ports.xml: a hub and what sits behind it. */
static void test_hubs(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices("<controller type='usb' index='0'/>"
                                                   "<hub type='usb'><address type='usb' bus='0' port='1'/></hub>"
                                                   "<input type='mouse' bus='usb'><address type='usb' bus='0' "
                                                   "port='1.1'/></input><hub type='usb'/>",
                                                   &error);
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        g_assert_cmpuint(vm_config_display(config)->n_hubs, ==, 2);
        g_assert_cmpstr(vm_config_display(config)->hubs[0].usb_port, ==, "1");
        g_assert_cmpint(vm_config_display(config)->hubs[1].type, ==, VM_ADDRESS_NONE);
        g_assert_true(vm_display_needs_usb(vm_config_display(config)));
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<hub type='usb'>\n      <address type='usb' bus='0' port='1'/>\n    </hub>"));
        g_assert_nonnull(strstr(out, "<hub type='usb'/>"));
        domain_xml_test_assert_round_trip(config);

        g_clear_pointer(&config, vm_config_free);
        config = domain_xml_test_parse_devices("<hub type='usb'><address type='pci' bus='0' slot='3'/></hub>", &error);
        g_assert_null(config);
        g_assert_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
        g_clear_error(&error);
        config = domain_xml_test_parse_devices("<hub type='pci'/>", &error);
        g_assert_null(config);
        g_assert_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED);
}

/* VNC's sharePolicy, powerControl and <audio id> (libvirt's graphics-vnc-policy.xml,
 * graphics-vnc-power.xml and audio-many-backends.xml): kept, written back, valid for libvirt. */
static void test_vnc_options(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(
                "<graphics type='vnc' sharePolicy='force-shared' powerControl='yes'><audio id='2'/></graphics>"
                "<sound model='ac97'/><audio id='1' type='none'/><audio id='2' type='alsa'/>",
                &error);
        const VmGraphics *g;
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        g = &vm_config_display(config)->graphics[0];
        g_assert_cmpint(g->share_policy, ==, VM_VNC_SHARE_FORCE_SHARED);
        g_assert_cmpint(g->power_control, ==, VM_SWITCH_ON);
        g_assert_cmpuint(g->audio_id, ==, 2);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<graphics type='vnc' sharePolicy='force-shared' powerControl='yes'>\n"
                                     "      <listen type='none'/>\n      <audio id='2'/>\n    </graphics>"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(out, "<graphics sharePolicy powerControl><audio>");

        g_clear_pointer(&config, vm_config_free);
        config = domain_xml_test_parse_devices("<graphics type='vnc' sharePolicy='allow-exclusive' powerControl='no'/>",
                                               &error);
        g_assert_no_error(error);
        g_assert_cmpint(vm_config_display(config)->graphics[0].share_policy, ==, VM_VNC_SHARE_ALLOW_EXCLUSIVE);
        g_assert_cmpint(vm_config_display(config)->graphics[0].power_control, ==, VM_SWITCH_OFF);
        g_assert_cmpuint(vm_config_display(config)->graphics[0].audio_id, ==, 0);
        domain_xml_test_assert_round_trip(config);
}

/* SPICE's <image>, <jpeg>, <zlib>, <playback>, <streaming>, <mouse>, <clipboard> and
 * <filetransfer> (libvirt's graphics-spice-compression.xml and graphics-spice.xml). */
/* What GNOME Boxes writes beside SPICE: <gl enable='no'/> (no OpenGL: taken and written back;
 * 'yes' refused, QEMU could not open the render node as the owner) and the webdav
 * <channel type='spiceport'> of its folder sharing. */
static void test_boxes_spice(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(
                "<graphics type='spice' autoport='no'><listen type='address'/><image compression='off'/>"
                "<gl enable='no'/></graphics>"
                "<channel type='spiceport'><source channel='org.spice-space.webdav.0'/>"
                "<target type='virtio' name='org.spice-space.webdav.0'/>"
                "<address type='virtio-serial' controller='0' bus='0' port='2'/></channel>"
                "<channel type='spiceport'><source channel='org.spice-space.stream.0'/></channel>",
                &error);
        const VmDisplay *d;
        const VmSpicePort *port;
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        d = vm_config_display(config);
        g_assert_cmpint(d->graphics[0].gl, ==, VM_SWITCH_OFF);
        g_assert_cmpuint(d->spiceports->len, ==, 2);
        port = d->spiceports->pdata[0];
        g_assert_cmpstr(port->channel, ==, "org.spice-space.webdav.0");
        g_assert_cmpstr(port->name, ==, "org.spice-space.webdav.0");
        g_assert_cmpuint(port->address.port, ==, 2);
        port = d->spiceports->pdata[1];
        g_assert_null(port->name);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "      <gl enable='no'/>\n"));
        g_assert_nonnull(strstr(out, "<channel type='spiceport'>\n      <source channel='org.spice-space.stream.0'/>\n"
                                     "      <target type='virtio'/>\n    </channel>"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(out, "GNOME Boxes' SPICE elements");

        static const struct {
                const char *devices;
                int code;
                const char *fragment;
        } refused[] = {
                {"<graphics type='spice'><gl enable='yes'/></graphics>", HV_ERROR_NOT_SUPPORTED, "render node"},
                {"<graphics type='spice'><gl enable='no' rendernode='/dev/dri/renderD128'/></graphics>",
                 HV_ERROR_NOT_SUPPORTED, "'rendernode'"},
                {"<graphics type='vnc'><gl enable='no'/></graphics>", HV_ERROR_NOT_SUPPORTED, "'<gl>'"},
                {"<channel type='spiceport'><source channel='org.spice-space.webdav.0'/></channel>",
                 HV_ERROR_INVALID_ARGUMENT, "needs a '<graphics type='spice'>'"},
                {"<graphics type='spice'/><channel type='spiceport'><source channel='a,b'/></channel>",
                 HV_ERROR_INVALID_ARGUMENT, "'a,b'"},
                {"<graphics type='spice'/><channel type='spiceport'><source/></channel>", HV_ERROR_INVALID_XML,
                 "'channel'"},
                {"<graphics type='spice'/><channel type='spiceport'/>", HV_ERROR_INVALID_XML, "'<source>'"},
        };
        for (size_t i = 0; i < G_N_ELEMENTS(refused); i++) {
                g_autoptr(GError) e = NULL;
                g_autoptr(VmConfig) c = domain_xml_test_parse_devices(refused[i].devices, &e);

                g_assert_null(c);
                g_assert_error(e, HV_ERROR, refused[i].code);
                if (!strstr(e->message, refused[i].fragment))
                        g_error("'%s' does not name %s", e->message, refused[i].fragment);
        }
}

static void test_spice_options(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(
                "<graphics type='spice'><image compression='auto_glz'/><jpeg compression='auto'/>"
                "<zlib compression='never'/><playback compression='on'/><streaming mode='filter'/>"
                "<mouse mode='client'/><clipboard copypaste='no'/><filetransfer enable='no'/></graphics>",
                &error);
        const VmGraphics *g;
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        g = &vm_config_display(config)->graphics[0];
        g_assert_cmpint(g->image_compression, ==, VM_IMAGE_COMPRESSION_AUTO_GLZ);
        g_assert_cmpint(g->jpeg, ==, VM_SPICE_WAN_AUTO);
        g_assert_cmpint(g->zlib, ==, VM_SPICE_WAN_NEVER);
        g_assert_cmpint(g->playback, ==, VM_SWITCH_ON);
        g_assert_cmpint(g->streaming, ==, VM_SPICE_STREAMING_FILTER);
        g_assert_cmpint(g->mouse, ==, VM_SPICE_MOUSE_CLIENT);
        g_assert_cmpint(g->copypaste, ==, VM_SWITCH_OFF);
        g_assert_cmpint(g->filetransfer, ==, VM_SWITCH_OFF);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "      <image compression='auto_glz'/>\n      <jpeg compression='auto'/>\n"
                                     "      <zlib compression='never'/>\n      <playback compression='on'/>\n"
                                     "      <streaming mode='filter'/>\n      <mouse mode='client'/>\n"
                                     "      <clipboard copypaste='no'/>\n      <filetransfer enable='no'/>\n"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(out, "<graphics type='spice'> options");

        g_clear_pointer(&config, vm_config_free);
        config = domain_xml_test_parse_devices("<graphics type='spice'><jpeg compression='always'/>"
                                               "<zlib compression='auto'/><playback compression='off'/>"
                                               "<streaming mode='all'/><mouse mode='server'/>"
                                               "<clipboard copypaste='yes'/><filetransfer enable='yes'/></graphics>",
                                               &error);
        g_assert_no_error(error);
        g = &vm_config_display(config)->graphics[0];
        g_assert_cmpint(g->jpeg, ==, VM_SPICE_WAN_ALWAYS);
        g_assert_cmpint(g->playback, ==, VM_SWITCH_OFF);
        g_assert_cmpint(g->streaming, ==, VM_SPICE_STREAMING_ALL);
        g_assert_cmpint(g->mouse, ==, VM_SPICE_MOUSE_SERVER);
        g_assert_cmpint(g->copypaste, ==, VM_SWITCH_ON);
        domain_xml_test_assert_round_trip(config);
}

/* The old 'socket' attribute of <graphics type='vnc'> (libvirt's
 * graphics-vnc-remove-generated-socket.xml): a <listen type='socket'> of that path, which
 * GetXML writes. libvirt's own spelling, the attribute and the <listen>, reads the same. */
static void test_vnc_socket_attribute(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config =
                domain_xml_test_parse_devices("<graphics type='vnc' socket='/home/u/vnc.sock'/>", &error);
        g_autoptr(VmConfig) both = NULL;
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        g_assert_cmpint(vm_config_display(config)->graphics[0].listen, ==, VM_LISTEN_SOCKET);
        g_assert_cmpstr(vm_config_display(config)->graphics[0].socket, ==, "/home/u/vnc.sock");
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<graphics type='vnc'>\n      <listen type='socket' socket='/home/u/vnc.sock'/>"));
        domain_xml_test_assert_round_trip(config);

        both = domain_xml_test_parse_devices("<graphics type='vnc' socket='/home/u/vnc.sock'>"
                                             "<listen type='socket' socket='/home/u/vnc.sock'/></graphics>",
                                             &error);
        g_assert_no_error(error);
        g_assert_cmpstr(vm_config_display(both)->graphics[0].socket, ==, "/home/u/vnc.sock");

        /* <listen type='socket'/> without a path (libvirt's graphics-vnc-auto-socket): a socket
         * of the hypervisor's, which libvirt's clients reach through libvirt; here OpenGraphics
         * reaches the display, and no socket is made. */
        g_autoptr(VmConfig) automatic =
                domain_xml_test_parse_devices("<graphics type='vnc'><listen type='socket'/></graphics>", &error);
        g_autofree char *automatic_xml = NULL;
        g_assert_no_error(error);
        g_assert_cmpint(vm_config_display(automatic)->graphics[0].listen, ==, VM_LISTEN_NONE);
        automatic_xml = domain_xml_format(automatic);
        g_assert_nonnull(strstr(automatic_xml, "<listen type='none'/>"));
        domain_xml_test_assert_round_trip(automatic);
}

/* <video><model type='ramfb'> (libvirt's video-ramfb-display-device.xml). */
static void test_video_ramfb(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices("<video><model type='ramfb'/></video>", &error);
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        g_assert_cmpint(vm_config_display(config)->videos[0].model, ==, VM_VIDEO_RAMFB);
        g_assert_true(vm_config_display(config)->videos[0].primary);
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<model type='ramfb' primary='yes'/>"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(out, "<video><model type='ramfb'>");
}

/* A <video>'s user alias (libvirt's video-none-device.xml) is kept; libvirt's own names
 * (virsh dumpxml's "video0") are dropped, as libvirt drops them. */
static void test_video_alias(void) {
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(
                "<graphics type='vnc'/><video><model type='none'/><alias name='ua-user-video-alias'/></video>", &error);
        g_autoptr(VmConfig) dumped = NULL;
        g_autofree char *out = NULL;

        g_assert_no_error(error);
        g_assert_cmpstr(vm_config_display(config)->videos[0].alias, ==, "ua-user-video-alias");
        out = domain_xml_format(config);
        g_assert_nonnull(strstr(out, "<model type='none'/>\n      <alias name='ua-user-video-alias'/>\n    </video>"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(out, "<video><alias>");

        dumped = domain_xml_test_parse_devices("<video><model type='vga'/><alias name='video0'/></video>", &error);
        g_assert_no_error(error);
        g_assert_null(vm_config_display(dumped)->videos[0].alias);
}

static void test_refused(void) {
        static const struct {
                const char *devices;
                int code;
                const char *fragment;
        } table[] = {
                {"<graphics type='vnc' port='5900'/>", HV_ERROR_NOT_SUPPORTED, "listens only on an IP address"},
                {"<graphics type='vnc' listen='localhost'/>", HV_ERROR_INVALID_ARGUMENT, "expected an IP address"},
                {"<graphics type='spice'><listen type='address' address='host.example'/></graphics>",
                 HV_ERROR_INVALID_ARGUMENT, "expected an IP address"},
                {"<graphics type='vnc' listen='127.0.0.1'><listen type='address' address='::1'/></graphics>",
                 HV_ERROR_INVALID_ARGUMENT, "differ"},
                {"<graphics type='vnc' autoport='no' listen='127.0.0.1'/>", HV_ERROR_INVALID_XML, "needs a 'port'"},
                {"<graphics type='vnc'><listen type='network' network='default'/></graphics>", HV_ERROR_NOT_SUPPORTED,
                 "network"},
                {"<graphics type='vnc' passwd='x'/>", HV_ERROR_NOT_SUPPORTED, "'passwd'"},
                {"<graphics type='sdl'/>", HV_ERROR_NOT_SUPPORTED, "type='sdl'"},
                {"<graphics type='vnc'/><graphics type='vnc'/>", HV_ERROR_INVALID_ARGUMENT, "at most one"},
                {"<graphics type='vnc'><image compression='off'/></graphics>", HV_ERROR_NOT_SUPPORTED, "'<image>'"},
                {"<graphics type='vnc'><jpeg compression='auto'/></graphics>", HV_ERROR_NOT_SUPPORTED, "'<jpeg>'"},
                {"<graphics type='spice'><zlib compression='sometimes'/></graphics>", HV_ERROR_NOT_SUPPORTED,
                 "'sometimes'"},
                {"<graphics type='spice'><streaming/></graphics>", HV_ERROR_INVALID_XML, "needs the attribute 'mode'"},
                {"<graphics type='spice' sharePolicy='ignore'/>", HV_ERROR_NOT_SUPPORTED, "it is VNC's"},
                {"<graphics type='spice'><audio id='1'/></graphics><audio id='1' type='spice'/>",
                 HV_ERROR_NOT_SUPPORTED, "'<audio>'"},
                {"<graphics type='spice' socket='/home/u/s.sock'/>", HV_ERROR_NOT_SUPPORTED, "'<listen type='socket'"},
                {"<graphics type='spice' port='5903' tlsPort='5904' listen='127.0.0.1'/>", HV_ERROR_NOT_SUPPORTED,
                 "private key"},
                {"<graphics type='vnc' powerControl='maybe'/>", HV_ERROR_NOT_SUPPORTED, "'maybe'"},
                {"<graphics type='vnc' sharePolicy='all'/>", HV_ERROR_NOT_SUPPORTED, "'all'"},
                {"<graphics type='vnc'><audio id='3'/></graphics><audio id='1' type='none'/>",
                 HV_ERROR_INVALID_ARGUMENT, "names audio id 3"},
                {"<graphics type='vnc'><audio/></graphics>", HV_ERROR_INVALID_XML, "needs an 'id'"},
                {"<graphics type='vnc' socket='vnc.sock'/>", HV_ERROR_INVALID_ARGUMENT, "absolute path"},
                {"<graphics type='vnc' socket='/home/u/a.sock'><listen type='socket' socket='/home/u/b.sock'/>"
                 "</graphics>",
                 HV_ERROR_INVALID_ARGUMENT, "differ"},
                {"<graphics type='vnc' listen='127.0.0.1' socket='/home/u/a.sock'/>", HV_ERROR_NOT_SUPPORTED,
                 "one address or socket"},
                {"<graphics type='vnc' socket='/home/u/a.sock'><listen type='address' address='127.0.0.1'/>"
                 "</graphics>",
                 HV_ERROR_NOT_SUPPORTED, "one address or socket"},
                {"<video><model type='ramfb' vram='16384'/></video>", HV_ERROR_NOT_SUPPORTED, "'vram'"},
                {"<video><model type='vga'/><alias name='ua-a b'/></video>", HV_ERROR_INVALID_ARGUMENT, "'ua-a b'"},
                {"<video><model type='vga'/><alias/></video>", HV_ERROR_INVALID_XML, "needs the attribute 'name'"},
                {"<video><model type='vga' primary='yes'/><alias name='ua-v'/></video>"
                 "<video><model type='qxl'/><alias name='ua-v'/></video>",
                 HV_ERROR_INVALID_ARGUMENT, "device alias 'ua-v' is used twice"},
                {"<video><model type='vga'/><alias name='ua-v'/></video><rng model='virtio'>"
                 "<backend model='random'>/dev/urandom</backend><alias name='ua-v'/></rng>",
                 HV_ERROR_INVALID_ARGUMENT, "device alias 'ua-v' is used twice"},
                {"<video><model type='ramfb'/><address type='pci' bus='0' slot='2'/></video>", HV_ERROR_NOT_SUPPORTED,
                 "ramfb is on no bus"},
                {"<video><model type='vga'/></video><video><model type='ramfb'/></video>", HV_ERROR_NOT_SUPPORTED,
                 "secondary '<video>' of model 'ramfb'"},
                {"<graphics type='spice'><gl enable='yes'/></graphics>", HV_ERROR_NOT_SUPPORTED, "'<gl>'"},
                {"<video><model type='vmvga'/></video>", HV_ERROR_NOT_SUPPORTED, "type='vmvga'"},
                {"<video><model type='cirrus' heads='2'/></video>", HV_ERROR_NOT_SUPPORTED, "only qxl and virtio"},
                {"<video><model type='bochs' vram='12288'/></video>", HV_ERROR_NOT_SUPPORTED,
                 "vram='12288' of '<model type='bochs'>'"},
                {"<video><model type='cirrus' vram='32768'/></video>", HV_ERROR_NOT_SUPPORTED,
                 "vram='32768' of '<model type='cirrus'>'"},
                {"<video><model type='virtio' vram='16384'/></video>", HV_ERROR_NOT_SUPPORTED, "'vram'"},
                {"<video><model type='vga'/></video><video><model type='vga'/></video>", HV_ERROR_NOT_SUPPORTED,
                 "secondary"},
                {"<video/>", HV_ERROR_INVALID_XML, "'<model>'"},
                {"<video><driver ats='on'/><model type='qxl'/></video>", HV_ERROR_NOT_SUPPORTED,
                 "'<model type='virtio'>' only"},
                {"<video><driver name='vhostuser'/><model type='virtio'/></video>", HV_ERROR_NOT_SUPPORTED, "'name'"},
                {"<video><driver vgaconf='io'/><model type='virtio'/></video>", HV_ERROR_NOT_SUPPORTED, "'vgaconf'"},
                {"<input type='tablet' bus='ps2'/>", HV_ERROR_NOT_SUPPORTED, "ps2"},
                {"<sound model='sb16'><codec type='micro'/></sound>", HV_ERROR_NOT_SUPPORTED, "'ich9' only"},
                {"<sound model='pcspk'/><sound model='pcspk'/>", HV_ERROR_INVALID_ARGUMENT, "one PC speaker"},
                {"<sound model='ich9'><codec type='line'/></sound>", HV_ERROR_NOT_SUPPORTED, "type='line'"},
                {"<sound model='ich9'><audio id='2'/></sound><audio id='1' type='none'/>", HV_ERROR_INVALID_ARGUMENT,
                 "audio id 2"},
                {"<input type='passthrough' bus='virtio'/>", HV_ERROR_INVALID_XML, "needs a '<source>'"},
                {"<input type='passthrough' bus='usb'><source evdev='/dev/input/event1'/></input>",
                 HV_ERROR_NOT_SUPPORTED, "bus='usb'"},
                {"<input type='evdev'><source dev='event1'/></input>", HV_ERROR_INVALID_ARGUMENT, "absolute path"},
                {"<input type='evdev'><source dev='/dev/input/event1' grabToggle='f1'/></input>",
                 HV_ERROR_NOT_SUPPORTED, "grabToggle='f1'"},
                {"<input type='mouse' bus='ps2'><driver ats='on'/></input>", HV_ERROR_NOT_SUPPORTED,
                 "on bus 'virtio' only"},
                {"<input type='mouse' bus='virtio'><source evdev='/dev/input/event1'/></input>",
                 HV_ERROR_NOT_SUPPORTED, "'<source>'"},
                {"<video><model type='vga' heads='2'/></video>", HV_ERROR_NOT_SUPPORTED, "only qxl and virtio"},
                {"<video><model type='virtio' heads='17'/></video>", HV_ERROR_INVALID_ARGUMENT, "heads '17'"},
                {"<video><model type='virtio' vram64='65536'/></video>", HV_ERROR_NOT_SUPPORTED, "'vram64'"},
                {"<smartcard mode='passthrough' type='tcp'><source mode='bind' host='127.0.0.1' service='2001'/>"
                 "</smartcard>",
                 HV_ERROR_NOT_SUPPORTED, "type='tcp'"},
                {"<smartcard mode='passthrough' type='spicevmc'/>", HV_ERROR_INVALID_ARGUMENT, "needs a '<graphics"},
                {"<smartcard mode='host-certificates'><certificate>a</certificate></smartcard>", HV_ERROR_INVALID_XML,
                 "exactly 3"},
                {"<smartcard mode='host'/><smartcard mode='host'/>", HV_ERROR_NOT_SUPPORTED, "second '<smartcard>'"},
                {"<smartcard mode='passthrough' type='unix'><source path='sc.sock'/></smartcard>",
                 HV_ERROR_INVALID_ARGUMENT, "absolute path"},
                {"<audio id='1' type='coreaudio'/>", HV_ERROR_NOT_SUPPORTED, "Core Audio on macOS only"},
                {"<audio id='1' type='dbus'/>", HV_ERROR_NOT_SUPPORTED, "type='dbus'"},
                {"<audio id='1' type='file'/>", HV_ERROR_NOT_SUPPORTED, "without a 'path'"},
                {"<audio id='1' type='file' path='audio.wav'/>", HV_ERROR_INVALID_ARGUMENT, "absolute path"},
                {"<audio id='1' type='none' serverName='x'/>", HV_ERROR_NOT_SUPPORTED, "'serverName'"},
                {"<audio id='1' type='pulseaudio'><input dev='/dev/dsp'/></audio>", HV_ERROR_NOT_SUPPORTED, "'dev'"},
                {"<audio id='1' type='none'><input fixedSettings='yes'/></audio>", HV_ERROR_INVALID_ARGUMENT,
                 "needs mixingEngine='yes'"},
                {"<audio id='1' type='none'><input><settings frequency='44100'/></input></audio>",
                 HV_ERROR_INVALID_ARGUMENT, "needs fixedSettings='yes'"},
                {"<audio id='1' type='none' timerPeriod='0'/>", HV_ERROR_INVALID_ARGUMENT, "timerPeriod"},
                {"<audio id='1' type='sdl' driver='alsa'/><audio id='2' type='sdl'/>", HV_ERROR_NOT_SUPPORTED,
                 "different drivers"},
                {"<audio id='1' type='spice'/>", HV_ERROR_INVALID_ARGUMENT, "needs a '<graphics type='spice'>'"},
                {"<redirdev bus='usb' type='spicevmc'/>", HV_ERROR_INVALID_ARGUMENT, "needs a '<graphics"},
                {"<redirdev bus='usb' type='tcp'><source mode='bind' host='127.0.0.1' service='4000'/></redirdev>",
                 HV_ERROR_NOT_SUPPORTED, "mode='bind'"},
                {"<redirdev bus='usb' type='unix'><source mode='bind' path='x.sock'/></redirdev>",
                 HV_ERROR_INVALID_ARGUMENT, "absolute path"},
                {"<redirfilter><usbdev allow='no'/></redirfilter>", HV_ERROR_INVALID_ARGUMENT, "needs a '<redirdev>'"},
                {"<redirdev bus='usb' type='unix'><source path='/x.sock'/></redirdev>"
                 "<redirfilter><usbdev version='1.100' allow='no'/></redirfilter>",
                 HV_ERROR_INVALID_ARGUMENT, "version"},
                {"<redirdev bus='usb' type='pty'/>", HV_ERROR_NOT_SUPPORTED, "type='pty'"},
                {"<graphics type='vnc' keymap='xx'/>", HV_ERROR_NOT_SUPPORTED, "keymap='xx'"},
                {"<video><model type='cirrus'><resolution x='800' y='600'/></model></video>", HV_ERROR_NOT_SUPPORTED,
                 "'<resolution>' of '<model type='cirrus'>'"},
                {"<video><model type='vga'><resolution x='800'/></model></video>", HV_ERROR_INVALID_XML,
                 "needs 'x' and 'y'"},
                {"<graphics type='vnc' keymap='fr'/><graphics type='spice' keymap='de'/>", HV_ERROR_NOT_SUPPORTED,
                 "different keymaps"},
                {"<channel type='spicevmc'/>", HV_ERROR_INVALID_ARGUMENT, "needs a '<graphics"},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(table); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = domain_xml_test_parse_devices(table[i].devices, &error);

                if (config)
                        g_error("'%s' was accepted", table[i].devices);
                g_assert_error(error, HV_ERROR, table[i].code);
                if (!strstr(error->message, table[i].fragment))
                        g_error("refusing '%s': '%s' does not say '%s'", table[i].devices, error->message,
                                table[i].fragment);
        }
}

/* <smartcard> in each mode libvirt's smartcard-*.xml write, kept in GetXML. */
static void test_smartcards(void) {
        static const char *const documents[] = {
                "<smartcard mode='host'/>",
                "<smartcard mode='host-certificates'><certificate>cert1</certificate><certificate>cert2</certificate>"
                "<certificate>cert3</certificate><database>/home/u/nssdb</database></smartcard>",
                "<smartcard mode='passthrough' type='spicevmc'/><graphics type='spice'/>",
                "<smartcard mode='passthrough' type='unix'><source mode='bind' path='/home/u/smartcard.sock'/>"
                "<protocol type='raw'/></smartcard>",
        };

        for (size_t i = 0; i < G_N_ELEMENTS(documents); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = domain_xml_test_parse_devices(documents[i], &error);
                g_autofree char *xml = NULL;

                g_assert_no_error(error);
                g_assert_nonnull(vm_config_display(config)->smartcard);
                xml = domain_xml_format(config);
                domain_xml_test_assert_round_trip(config);
                domain_xml_test_assert_valid_libvirt(xml, "<smartcard>");
        }
}

/* <redirdev> over a unix socket or to a TCP service, and <redirfilter>, as libvirt's
 * usb-redir-unix.xml, usb-redir.xml and usb-redir-filter-version.xml. */
static void test_redirdevs(void) {
        static const char *const devices =
                "<redirdev bus='usb' type='unix'><source mode='connect' path='/tmp/connect.socket'/>"
                "<protocol type='raw'/></redirdev>"
                "<redirdev bus='usb' type='unix'><source mode='bind' path='/tmp/listen.socket'/>"
                "<protocol type='raw'/></redirdev>"
                "<redirdev bus='usb' type='tcp'><source mode='connect' host='localhost' service='4000'/>"
                "<protocol type='raw'/></redirdev>"
                "<redirfilter><usbdev class='0x08' vendor='0x15E1' product='0x2007' version='1.09' allow='yes'/>"
                "<usbdev class='0x08' vendor='0x15E1' product='0x2007' version='9.4' allow='yes'/>"
                "<usbdev allow='no'/></redirfilter>";
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(devices, &error);
        const VmDisplay *d;
        g_autofree char *xml = NULL;

        g_assert_no_error(error);
        d = vm_config_display(config);
        g_assert_cmpuint(d->n_redirdevs, ==, 3);
        g_assert_false(d->redirdev_sources[0].bind);
        g_assert_true(d->redirdev_sources[1].bind);
        g_assert_cmpstr(d->redirdev_sources[2].host, ==, "localhost");
        g_assert_cmpuint(d->n_redirfilter, ==, 3);
        g_assert_cmpint(d->redirfilter[0].version, ==, 0x0109);
        g_assert_cmpint(d->redirfilter[1].version, ==, 0x0940);
        g_assert_cmpint(d->redirfilter[1].vendor, ==, 0x15e1);
        g_assert_cmpint(d->redirfilter[2].usb_class, ==, -1);
        xml = domain_xml_format(config);
        g_assert_nonnull(strstr(xml, "<usbdev class='0x08' vendor='0x15e1' product='0x2007' version='9.40' "
                                     "allow='yes'/>"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(xml, "<redirdev>, <redirfilter>");
}

/* <video><driver> with virtio options on a virtio model, as libvirt's
 * virtio-options-video-*.xml write it (there with name='vhostuser', which stays refused). */
static void test_video_driver(void) {
        static const char *const devices =
                "<video><model type='virtio' primary='yes'/></video>"
                "<video><driver ats='on' packed='on' iommu='off'/><model type='virtio' heads='1'/></video>";
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(devices, &error);
        g_autofree char *xml = NULL;

        g_assert_no_error(error);
        g_assert_cmpuint(vm_config_display(config)->n_videos, ==, 2);
        g_assert_false(vm_virtio_options_set(&vm_config_display(config)->videos[0].virtio));
        g_assert_cmpint(vm_config_display(config)->videos[1].virtio.ats, ==, VM_SWITCH_ON);
        g_assert_cmpint(vm_config_display(config)->videos[1].virtio.packed, ==, VM_SWITCH_ON);
        g_assert_cmpint(vm_config_display(config)->videos[1].virtio.iommu, ==, VM_SWITCH_OFF);
        xml = domain_xml_format(config);
        g_assert_nonnull(strstr(xml, "<driver iommu='off' ats='on' packed='on'/>"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(xml, "<video><driver>");
}

/* The sound cards of libvirt's sound-device.xml: every model, HDA codecs, one backend. */
static void test_sounds(void) {
        static const char *const devices =
                "<sound model='pcspk'/><sound model='es1370'/><sound model='sb16'/><sound model='ac97'/>"
                "<sound model='ich6'><codec type='micro'/><codec type='duplex'/><codec type='output'/></sound>"
                "<sound model='ich9'/><sound model='usb'/>";
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(devices, &error);
        g_autofree char *xml = NULL;

        g_assert_no_error(error);
        g_assert_cmpuint(vm_config_display(config)->n_sounds, ==, 7);
        g_assert_cmpint(vm_config_display(config)->sounds[0].model, ==, VM_SOUND_PCSPK);
        g_assert_cmpuint(vm_config_display(config)->sounds[4].n_codecs, ==, 3);
        g_assert_cmpint(vm_config_display(config)->sounds[4].codecs[0], ==, VM_SOUND_CODEC_MICRO);
        g_assert_cmpuint(vm_config_display(config)->sounds[0].audio_id, ==, 1);
        xml = domain_xml_format(config);
        g_assert_nonnull(strstr(xml, "<sound model='ich6'>\n      <codec type='micro'/>\n"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(xml, "<sound>");
}

/* <input> with virtio options, a passed-through evdev device, and an evdev feeding QEMU's
 * input, as libvirt's virtio-options-input-ats.xml, virtio-input-passthrough.xml and
 * input-linux.xml write them. */
static void test_inputs(void) {
        static const char *const devices =
                "<input type='mouse' bus='virtio'><driver ats='on' packed='off'/>"
                "<address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/></input>"
                "<input type='passthrough' bus='virtio'><source evdev='/dev/input/event1234'/></input>"
                "<input type='evdev'><source dev='/dev/input/event1234' grab='all' grabToggle='alt-alt' "
                "repeat='on'/></input>";
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(devices, &error);
        const VmInput *in;
        g_autofree char *xml = NULL;

        g_assert_no_error(error);
        in = vm_config_display(config)->inputs;
        g_assert_cmpint(in[0].virtio.ats, ==, VM_SWITCH_ON);
        g_assert_cmpint(in[0].virtio.packed, ==, VM_SWITCH_OFF);
        g_assert_cmpint(in[1].type, ==, VM_INPUT_PASSTHROUGH);
        g_assert_cmpint(in[1].bus, ==, VM_INPUT_BUS_VIRTIO);
        g_assert_cmpstr(in[1].evdev, ==, "/dev/input/event1234");
        g_assert_cmpint(in[2].bus, ==, VM_INPUT_BUS_NONE);
        g_assert_true(in[2].grab_all);
        g_assert_cmpint(in[2].grab_toggle, ==, VM_GRAB_TOGGLE_ALT_ALT);
        g_assert_cmpint(in[2].repeat, ==, VM_SWITCH_ON);
        xml = domain_xml_format(config);
        g_assert_nonnull(strstr(xml, "<input type='evdev'>\n      <source dev='/dev/input/event1234' grab='all' "
                                     "grabToggle='alt-alt' repeat='on'/>\n    </input>\n"));
        domain_xml_test_assert_round_trip(config);
        domain_xml_test_assert_valid_libvirt(xml, "<input>");

        /* keymap of a <graphics>, as libvirt's pci-bridge.xml. */
        g_autoptr(VmConfig) keymap = domain_xml_test_parse_devices("<graphics type='vnc' keymap='de-ch'/>", &error);
        g_assert_no_error(error);
        g_assert_cmpstr(vm_keymap_names[vm_config_display(keymap)->graphics[0].keymap - 1], ==, "de-ch");
        domain_xml_test_assert_round_trip(keymap);
}

/* <audio> backends with their <input> and <output>, as libvirt's audio-*-full.xml write them:
 * every attribute kept in GetXML (which virt-xml-validate takes); each backend its own. */
static void test_audio(void) {
        static const char *const documents[] = {
                "<audio id='1' type='alsa' timerPeriod='50'>"
                "<input mixingEngine='yes' fixedSettings='yes' voices='1' bufferLength='100' dev='/dev/dsp0'>"
                "<settings frequency='44100' channels='2' format='s16'/></input>"
                "<output mixingEngine='yes' fixedSettings='yes' voices='2' bufferLength='200' dev='/dev/dsp1'>"
                "<settings frequency='22050' channels='4' format='f32'/></output></audio>",
                "<audio id='1' type='oss' tryMMap='yes' exclusive='yes' dspPolicy='3'>"
                "<input mixingEngine='yes' voices='1' dev='/dev/dsp0' bufferCount='50' tryPoll='yes'/>"
                "<output dev='/dev/dsp1' bufferCount='30' tryPoll='no'/></audio>",
                "<audio id='1' type='pulseaudio' serverName='acme.example.org'>"
                "<input name='fish' streamName='food' latency='100'/></audio>",
                "<audio id='1' type='jack'><output serverName='fish' clientName='food' connectPorts='yum' "
                "exactName='yes'/></audio>",
                "<audio id='1' type='sdl' driver='pulseaudio'><output bufferCount='50'/></audio>",
                "<audio id='1' type='file' path='/home/u/audio.wav'/>",
                "<audio id='1' type='none' timerPeriod='50'/>",
        };

        for (size_t i = 0; i < G_N_ELEMENTS(documents); i++) {
                g_autoptr(GError) error = NULL;
                g_autoptr(VmConfig) config = domain_xml_test_parse_devices(documents[i], &error);
                g_autofree char *xml = NULL;

                g_assert_no_error(error);
                g_assert_cmpuint(vm_config_display(config)->n_audios, ==, 1);
                xml = domain_xml_format(config);
                domain_xml_test_assert_round_trip(config);
                domain_xml_test_assert_valid_libvirt(xml, "<audio>");
        }

        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) alsa = domain_xml_test_parse_devices(documents[0], &error);
        const VmAudio *a = &vm_config_display(alsa)->audios[0];
        g_autofree char *out = domain_xml_format(alsa);

        g_assert_no_error(error);
        g_assert_cmpint(a->type, ==, VM_AUDIO_ALSA);
        g_assert_cmpuint(a->timer_period, ==, 50);
        g_assert_cmpint(a->input->fixed_settings, ==, VM_SWITCH_ON);
        g_assert_cmpuint(a->input->frequency, ==, 44100);
        g_assert_cmpint(a->output->format, ==, VM_AUDIO_FORMAT_F32);
        g_assert_cmpstr(a->output->dev, ==, "/dev/dsp1");
        g_assert_nonnull(strstr(out, "<audio id='1' type='alsa' timerPeriod='50'>\n"
                                     "      <input mixingEngine='yes' fixedSettings='yes' voices='1' "
                                     "bufferLength='100' dev='/dev/dsp0'>\n"
                                     "        <settings frequency='44100' channels='2' format='s16'/>\n"
                                     "      </input>\n"));
}

/* virsh dumpxml writes an <address> in each of these: kept in GetXML. */
static void test_addresses(void) {
        static const char *const devices =
                "<channel type='spicevmc'><target type='virtio' name='com.redhat.spice.0'/>"
                "<address type='virtio-serial' controller='0' bus='0' port='2'/></channel>"
                "<input type='tablet' bus='usb'><address type='usb' bus='0' port='1'/></input>"
                "<graphics type='spice'/>"
                "<sound model='ich9'><address type='pci' domain='0x0000' bus='0x00' slot='0x1b' "
                "function='0x0'/></sound>"
                "<audio id='1' type='spice'/>"
                "<video><model type='qxl'/>"
                "<address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x0'/></video>"
                "<redirdev bus='usb' type='spicevmc'><address type='usb' bus='0' port='2'/></redirdev>";
        g_autoptr(GError) error = NULL;
        g_autoptr(VmConfig) config = domain_xml_test_parse_devices(devices, &error);
        g_autofree char *xml = NULL;

        g_assert_no_error(error);
        xml = domain_xml_format(config);
        g_assert_nonnull(strstr(xml, "<address type='virtio-serial' controller='0' bus='0' port='2'/>"));
        g_assert_nonnull(strstr(xml, "<input type='tablet' bus='usb'>\n      <address type='usb' bus='0' port='1'/>\n"
                                     "    </input>\n"));
        g_assert_nonnull(strstr(xml, "slot='0x1b'"));
        g_assert_nonnull(strstr(xml, "slot='0x01'"));
        g_assert_nonnull(strstr(xml, "<address type='usb' bus='0' port='2'/>"));
        domain_xml_test_assert_round_trip(config);
}

/* Each kind of display item is held in an array sized to what the document has: up to
 * VM_DISPLAY_ITEMS_MAX of each (libvirt's sound-device.xml has 9 <sound>s) are read, copied
 * and written back; one more is refused by name. */
static void test_items_limit(void) {
        static const char *const kinds[] = {"sound", "input", "redirdev", "hub", "audio"};

        for (unsigned k = 0; k < G_N_ELEMENTS(kinds); k++) {
                for (unsigned n = VM_DISPLAY_ITEMS_MAX; n <= VM_DISPLAY_ITEMS_MAX + 1; n++) {
                        g_autoptr(GString) devices = g_string_new("<graphics type='spice'/>");
                        g_autoptr(GError) error = NULL;
                        g_autoptr(VmConfig) config = NULL;
                        g_autofree char *expected = NULL;

                        for (unsigned i = 0; i < n; i++) {
                                if (g_str_equal(kinds[k], "sound"))
                                        g_string_append(devices, "<sound model='ich9'/>");
                                else if (g_str_equal(kinds[k], "input"))
                                        g_string_append(devices, "<input type='tablet' bus='usb'/>");
                                else if (g_str_equal(kinds[k], "redirdev"))
                                        g_string_append(devices, "<redirdev bus='usb' type='spicevmc'/>");
                                else if (g_str_equal(kinds[k], "hub"))
                                        g_string_append(devices, "<hub type='usb'/>");
                                else
                                        g_string_append_printf(devices, "<audio id='%u' type='none'/>", i + 1);
                        }
                        config = domain_xml_test_parse_devices(devices->str, &error);
                        if (n > VM_DISPLAY_ITEMS_MAX) {
                                g_assert_null(config);
                                g_assert_error(error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
                                expected = g_strdup_printf("at most %u", (unsigned) VM_DISPLAY_ITEMS_MAX);
                                g_assert_nonnull(strstr(error->message, expected));
                                g_assert_nonnull(strstr(error->message, kinds[k]));
                                continue;
                        }
                        g_assert_no_error(error);
                        const VmDisplay *d = vm_config_display(config);
                        unsigned counts[] = {d->n_sounds, d->n_inputs, d->n_redirdevs, d->n_hubs, d->n_audios};
                        g_assert_cmpuint(counts[k], ==, n);
                        g_assert_cmpuint(d->n_graphics, ==, 1);
                        g_assert_cmpuint(d->n_videos, ==, 1); /* the reader's default */

                        /* A copy owns arrays of its own: the same document, after the original is gone. */
                        g_autofree char *out = domain_xml_format(config);
                        g_autoptr(VmConfig) copy = vm_config_copy(config);
                        const VmDisplay *c = vm_config_display(copy);
                        const void *arrays[] = {d->sounds, d->inputs, d->redirdev_sources, d->hubs, d->audios};
                        const void *copied[] = {c->sounds, c->inputs, c->redirdev_sources, c->hubs, c->audios};
                        g_assert_nonnull(copied[k]);
                        g_assert_true(copied[k] != arrays[k]);
                        g_clear_pointer(&config, vm_config_free);
                        g_autofree char *copy_out = domain_xml_format(copy);
                        g_assert_cmpstr(copy_out, ==, out);
                        domain_xml_test_assert_round_trip(copy);
                }
        }
}

int main(int argc, char *argv[]) {
        g_test_init(&argc, &argv, NULL);
        g_test_add_func("/domain-xml-display/parse-desktop", test_parse_desktop);
        g_test_add_func("/domain-xml-display/defaults", test_defaults);
        g_test_add_func("/domain-xml-display/video-memory", test_video_memory);
        g_test_add_func("/domain-xml-display/hubs", test_hubs);
        g_test_add_func("/domain-xml-display/refused", test_refused);
        g_test_add_func("/domain-xml-display/vnc-options", test_vnc_options);
        g_test_add_func("/domain-xml-display/spice-options", test_spice_options);
        g_test_add_func("/domain-xml-display/boxes-spice", test_boxes_spice);
        g_test_add_func("/domain-xml-display/vnc-socket-attribute", test_vnc_socket_attribute);
        g_test_add_func("/domain-xml-display/video-ramfb", test_video_ramfb);
        g_test_add_func("/domain-xml-display/video-alias", test_video_alias);
        g_test_add_func("/domain-xml-display/addresses", test_addresses);
        g_test_add_func("/domain-xml-display/audio", test_audio);
        g_test_add_func("/domain-xml-display/inputs", test_inputs);
        g_test_add_func("/domain-xml-display/video-driver", test_video_driver);
        g_test_add_func("/domain-xml-display/sounds", test_sounds);
        g_test_add_func("/domain-xml-display/smartcards", test_smartcards);
        g_test_add_func("/domain-xml-display/redirdevs", test_redirdevs);
        g_test_add_func("/domain-xml-display/items-limit", test_items_limit);
        return g_test_run();
}
