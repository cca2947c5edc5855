/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Domain XML <-> VmDisplay (see domain-xml-display.h).
 *
 * No display listens on a network: a <graphics> without <listen>, with <listen
 * type='none'>, or with libvirt's default <listen type='address'/> (no address given) has
 * no listener at all and is reached through OpenGraphics; <listen type='socket'> is the
 * owner's unix socket, which the engine creates as the owner. A TCP port or an address is
 * refused, naming it: on a shared host any local user could connect to it.
 */

#include <inttypes.h>
#include <string.h>

#include "domain-xml-devices.h"
#include "domain-xml-display.h"
#include "domain-xml-reader.h"
#include "domain-xml-writer.h"
#include "hv-error.h"

#define VIDEO_MEMORY_MAX_KIB (1024u * 1024u) /* 1 GiB */
#define VIDEO_HEADS_MAX 16                   /* virtio-gpu's scanouts */
#define VIDEO_RESOLUTION_MAX 16384
#define SPICE_AGENT_CHANNEL "com.redhat.spice.0"

static const char *const graphics_type_names[] = {[VM_GRAPHICS_VNC] = "vnc", [VM_GRAPHICS_SPICE] = "spice", NULL};
static const char *const mouse_names[] = {
        [VM_SPICE_MOUSE_DEFAULT] = "", [VM_SPICE_MOUSE_SERVER] = "server", [VM_SPICE_MOUSE_CLIENT] = "client", NULL,
};
static const char *const share_policy_names[] = {
        [VM_VNC_SHARE_DEFAULT] = "",           [VM_VNC_SHARE_ALLOW_EXCLUSIVE] = "allow-exclusive",
        [VM_VNC_SHARE_FORCE_SHARED] = "force-shared", [VM_VNC_SHARE_IGNORE] = "ignore", NULL,
};
static const char *const switch_on_off_names[] = {
        [VM_SWITCH_DEFAULT] = "", [VM_SWITCH_ON] = "on", [VM_SWITCH_OFF] = "off", NULL};
static const char *const switch_yes_no_names[] = {
        [VM_SWITCH_DEFAULT] = "", [VM_SWITCH_ON] = "yes", [VM_SWITCH_OFF] = "no", NULL};
static const char *const video_model_names[] = {
        [VM_VIDEO_VIRTIO] = "virtio",
        [VM_VIDEO_QXL] = "qxl",
        [VM_VIDEO_VGA] = "vga",
        [VM_VIDEO_BOCHS] = "bochs",
        [VM_VIDEO_CIRRUS] = "cirrus",
        [VM_VIDEO_NONE] = "none",
        [VM_VIDEO_RAMFB] = "ramfb",
        NULL,
};
static const char *const input_type_names[] = {
        [VM_INPUT_TABLET] = "tablet",           [VM_INPUT_KEYBOARD] = "keyboard", [VM_INPUT_MOUSE] = "mouse",
        [VM_INPUT_PASSTHROUGH] = "passthrough", [VM_INPUT_EVDEV] = "evdev",       NULL};
static const char *const input_bus_names[] = {[VM_INPUT_BUS_USB] = "usb",
                                              [VM_INPUT_BUS_PS2] = "ps2",
                                              [VM_INPUT_BUS_VIRTIO] = "virtio",
                                              [VM_INPUT_BUS_NONE] = "none",
                                              NULL};
static const char *const grab_toggle_names[] = {
        [VM_GRAB_TOGGLE_DEFAULT] = "",
        [VM_GRAB_TOGGLE_CTRL_CTRL] = "ctrl-ctrl",
        [VM_GRAB_TOGGLE_ALT_ALT] = "alt-alt",
        [VM_GRAB_TOGGLE_SHIFT_SHIFT] = "shift-shift",
        [VM_GRAB_TOGGLE_META_META] = "meta-meta",
        [VM_GRAB_TOGGLE_SCROLLLOCK] = "scrolllock",
        [VM_GRAB_TOGGLE_CTRL_SCROLLLOCK] = "ctrl-scrolllock",
        NULL,
};
static const char *const sound_model_names[] = {
        [VM_SOUND_ICH9] = "ich9",     [VM_SOUND_ICH6] = "ich6", [VM_SOUND_AC97] = "ac97",   [VM_SOUND_USB] = "usb",
        [VM_SOUND_ES1370] = "es1370", [VM_SOUND_SB16] = "sb16", [VM_SOUND_PCSPK] = "pcspk", NULL};
static const char *const sound_codec_names[] = {[VM_SOUND_CODEC_DUPLEX] = "duplex",
                                                [VM_SOUND_CODEC_MICRO] = "micro",
                                                [VM_SOUND_CODEC_OUTPUT] = "output",
                                                NULL};
static const char *const usb_names[] = {"usb", NULL};
static const char *const virtio_names[] = {"virtio", NULL};
static const char *const minus_one_names[] = {"-1", NULL};
static const char *const yes_no_names[] = {"yes", "no", NULL};

static bool has_attribute(const xmlNode *node, const char *name) {
        g_autofree char *value = xml_attr_value(node, name);
        return value != NULL;
}

static bool too_many(GError **error, const xmlNode *node) {
        g_autofree char *label = xml_element_label(node);

        return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT, "a VM has at most %u %s elements",
                        (unsigned) VM_DISPLAY_ITEMS_MAX, label);
}

/* A number attribute in [min, max]; absent leaves *ret alone. */

/* ---- <graphics> ---- */

static bool refuse_network(GError **error, const xmlNode *node, const char *what, const char *value) {
        g_autofree char *shown = xml_shorten(value);

        return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                        "%s='%s' in '<graphics>' is not supported: a display listens only on an IP address "
                        "(one the administrator allows), a unix socket of yours, or nothing (OpenGraphics)",
                        what, shown);
}

/* An IP address literal, not a name: what the display listens on must be what was allowed. */
static bool set_listen_address(const xmlNode *node, VmGraphics *graphics, const char *address, GError **error) {
        if (!g_hostname_is_ip_address(address))
                return xml_fail_bad_value(error, node, "address", address, "expected an IP address");
        if (graphics->address && !g_str_equal(graphics->address, address))
                return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                                "'<listen address>' and the 'listen' attribute of '<graphics>' differ");
        if (graphics->listen == VM_LISTEN_SOCKET)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED, "a '<graphics>' listens on one address or socket");
        graphics->listen = VM_LISTEN_ADDRESS;
        g_free(graphics->address);
        graphics->address = g_strdup(address);
        return true;
}

static bool parse_listen(const xmlNode *node, VmGraphics *graphics, GError **error) {
        static const char *const attributes[] = {"type", "address", "socket", "network", "autoGenerated", NULL};
        static const char *const types[] = {"none", "socket", "address", NULL};
        g_autofree char *address = NULL, *socket = NULL, *network = NULL;
        int type;

        if (!xml_check_empty_element(node, attributes, error) ||
            !xml_attr_choice(node, "type", types, -1, &type, error))
                return false;
        address = xml_attr_value(node, "address");
        socket = xml_attr_value(node, "socket");
        network = xml_attr_value(node, "network");
        if (network)
                return refuse_network(error, node, "network", network);
        if (address && type != 2)
                return xml_fail_unsupported_value(error, node, "address", address);
        if (address)
                return set_listen_address(node, graphics, address, error);
        /* A socket the hypervisor chooses: libvirt's is in its own folder, for its clients; the
         * service's clients have OpenGraphics, and no socket is made (GetXML says type='none'). */
        if (type == 1 && !socket && graphics->listen != VM_LISTEN_SOCKET)
                return true;
        if (type == 1) {
                if (!socket)
                        socket = g_strdup(graphics->socket);
                if (!g_path_is_absolute(socket))
                        return xml_fail_bad_value(error, node, "socket", socket, "expected an absolute path");
                if (graphics->listen == VM_LISTEN_ADDRESS)
                        return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                        "a '<graphics>' listens on one address or socket");
                /* The 'socket' attribute of <graphics type='vnc'> says the same, or it differs. */
                if (graphics->socket && !g_str_equal(graphics->socket, socket))
                        return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                                        "'<listen socket>' and the 'socket' attribute of '<graphics>' differ");
                g_free(graphics->socket);
                graphics->listen = VM_LISTEN_SOCKET;
                graphics->socket = g_steal_pointer(&socket);
                return true;
        }
        if (socket)
                return xml_fail_unsupported_value(error, node, "socket", socket);
        if (type == 0 && graphics->listen == VM_LISTEN_SOCKET)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "'<listen type='none'>' and the 'socket' attribute of '<graphics>' differ");
        /* 'none', or libvirt's default 'address' without one: no listener, unless the
         * 'listen' attribute of <graphics> named an address. */
        return true;
}

/* An optional attribute, one of names[1...] (names[0], "", is "not written"): its index in
 * names, 0 when absent. */
static bool parse_optional_choice(const xmlNode *node, const char *attribute, const char *const *names, int *ret,
                                  GError **error) {
        int choice;

        *ret = 0;
        if (!has_attribute(node, attribute))
                return true;
        if (!xml_attr_choice(node, attribute, names + 1, -1, &choice, error))
                return false;
        *ret = choice + 1;
        return true;
}

enum {
        G_LISTEN,
        G_IMAGE,
        G_JPEG,
        G_ZLIB,
        G_PLAYBACK,
        G_STREAMING,
        G_MOUSE,
        G_CLIPBOARD,
        G_FILETRANSFER,
        G_AUDIO,
        G_GL,
        G_CHILDREN,
};

/* An empty child of a SPICE <graphics> with one attribute, one of names[1...]: its index in
 * names; not there: 0. */
static bool parse_spice_child(const xmlNode *child, const VmGraphics *graphics, const char *attribute,
                              const char *const *names, int *ret, GError **error) {
        const char *const attributes[] = {attribute, NULL};

        *ret = 0;
        if (!child)
                return true;
        if (graphics->type != VM_GRAPHICS_SPICE)
                return xml_fail_unsupported_element(error, child);
        if (!xml_check_empty_element(child, attributes, error))
                return false;
        if (!has_attribute(child, attribute)) {
                g_autofree char *label = xml_element_label(child);
                return xml_fail(error, child, HV_ERROR_INVALID_XML, "%s needs the attribute '%s'", label, attribute);
        }
        return parse_optional_choice(child, attribute, names, ret, error);
}

/* <image>, <jpeg>, <zlib>, <playback>, <streaming>, <mouse>, <clipboard> and <filetransfer> of
 * a SPICE display: QEMU's -spice options, as libvirt writes them. */
static bool parse_spice_options(xmlNode *const *c, VmGraphics *graphics, GError **error) {
        int image, jpeg, zlib, playback, streaming, mouse, copypaste, filetransfer, gl;

        if (!parse_spice_child(c[G_IMAGE], graphics, "compression", vm_spice_image_compression_names, &image, error) ||
            !parse_spice_child(c[G_JPEG], graphics, "compression", vm_spice_wan_compression_names, &jpeg, error) ||
            !parse_spice_child(c[G_ZLIB], graphics, "compression", vm_spice_wan_compression_names, &zlib, error) ||
            !parse_spice_child(c[G_PLAYBACK], graphics, "compression", switch_on_off_names, &playback, error) ||
            !parse_spice_child(c[G_STREAMING], graphics, "mode", vm_spice_streaming_names, &streaming, error) ||
            !parse_spice_child(c[G_MOUSE], graphics, "mode", mouse_names, &mouse, error) ||
            !parse_spice_child(c[G_CLIPBOARD], graphics, "copypaste", switch_yes_no_names, &copypaste, error) ||
            !parse_spice_child(c[G_FILETRANSFER], graphics, "enable", switch_yes_no_names, &filetransfer, error) ||
            !parse_spice_child(c[G_GL], graphics, "enable", switch_yes_no_names, &gl, error))
                return false;
        /* OpenGL would render on the host's GPU through a render node (/dev/dri/renderD*): QEMU
         * runs as the VM's owner without supplementary groups, and the node is the 'render'
         * group's. <gl enable='no'/> (what GNOME Boxes writes) says there is none. */
        if (gl == VM_SWITCH_ON)
                return xml_fail(error, c[G_GL], HV_ERROR_NOT_SUPPORTED,
                                "enable='yes' of '<gl>' is not supported: OpenGL needs the host's GPU render node, "
                                "which the VM's QEMU (running as you, without your groups) cannot open; "
                                "enable='no' draws without it");
        graphics->gl = (VmSwitch) gl;
        graphics->image_compression = (VmImageCompression) image;
        graphics->jpeg = (VmSpiceWanCompression) jpeg;
        graphics->zlib = (VmSpiceWanCompression) zlib;
        graphics->playback = (VmSwitch) playback;
        graphics->streaming = (VmSpiceStreaming) streaming;
        graphics->mouse = (VmSpiceMouse) mouse;
        graphics->copypaste = (VmSwitch) copypaste;
        graphics->filetransfer = (VmSwitch) filetransfer;
        return true;
}

/* sharePolicy, powerControl and <audio id> of a VNC display: QEMU's share=, power-control= and
 * audiodev= (domain_xml_finish_display checks that the audio is there). */
static bool parse_vnc_options(const xmlNode *node, const xmlNode *audio, VmGraphics *graphics, GError **error) {
        static const char *const vnc_attributes[] = {"sharePolicy", "powerControl", NULL};
        static const char *const audio_attributes[] = {"id", NULL};
        int share, power;

        if (graphics->type != VM_GRAPHICS_VNC) {
                for (unsigned i = 0; vnc_attributes[i]; i++)
                        if (has_attribute(node, vnc_attributes[i]))
                                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                                "attribute '%s' of '<graphics type='%s'>' is not supported: it is "
                                                "VNC's",
                                                vnc_attributes[i], graphics_type_names[graphics->type]);
                return !audio || xml_fail_unsupported_element(error, audio);
        }
        if (!parse_optional_choice(node, "sharePolicy", share_policy_names, &share, error) ||
            !parse_optional_choice(node, "powerControl", switch_yes_no_names, &power, error))
                return false;
        graphics->share_policy = (VmVncSharePolicy) share;
        graphics->power_control = (VmSwitch) power;
        if (audio) {
                if (!xml_check_empty_element(audio, audio_attributes, error))
                        return false;
                if (!has_attribute(audio, "id"))
                        return xml_fail(error, audio, HV_ERROR_INVALID_XML, "'<audio>' in '<graphics>' needs an 'id'");
                if (!xml_attr_uint32(audio, "id", 1, UINT32_MAX, &graphics->audio_id, error))
                        return false;
        }
        return true;
}

/* The old 'socket' attribute of <graphics type='vnc'>: as libvirt, the same as a <listen
 * type='socket'> of that path (the owner's, created by the engine as the owner); GetXML
 * writes it as that <listen>. */
static bool parse_socket_attribute(const xmlNode *node, VmGraphics *graphics, GError **error) {
        g_autofree char *socket = xml_attr_value(node, "socket");

        if (!socket)
                return true;
        if (graphics->type != VM_GRAPHICS_VNC)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "attribute 'socket' of '<graphics type='%s'>' is not supported: write '<listen "
                                "type='socket' socket>'",
                                graphics_type_names[graphics->type]);
        if (!g_path_is_absolute(socket))
                return xml_fail_bad_value(error, node, "socket", socket, "expected an absolute path");
        if (graphics->listen == VM_LISTEN_ADDRESS)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED, "a '<graphics>' listens on one address or socket");
        graphics->listen = VM_LISTEN_SOCKET;
        graphics->socket = g_steal_pointer(&socket);
        return true;
}

static bool parse_graphics(const xmlNode *node, VmDisplay *display, GError **error) {
        static const char *const attributes[] = {"type",   "port",   "tlsPort",     "autoport",     "listen",
                                                 "keymap", "socket", "sharePolicy", "powerControl", NULL};
        static const char *const children[] = {
                [G_LISTEN] = "listen",       [G_IMAGE] = "image",         [G_JPEG] = "jpeg",
                [G_ZLIB] = "zlib",           [G_PLAYBACK] = "playback",   [G_STREAMING] = "streaming",
                [G_MOUSE] = "mouse",         [G_CLIPBOARD] = "clipboard", [G_FILETRANSFER] = "filetransfer",
                [G_AUDIO] = "audio",         [G_GL] = "gl",               [G_CHILDREN] = NULL,
        };
        xmlNode *c[G_CHILDREN] = {NULL};
        g_autofree char *listen = NULL, *port = NULL, *tls_port = NULL;
        VmGraphics graphics = {0};
        int type, choice;

        if (display->n_graphics >= VM_DISPLAY_ITEMS_MAX)
                return too_many(error, node);
        if (!xml_check_attributes(node, attributes, error) || !xml_check_element_content(node, error) ||
            !xml_collect_children(node, children, c, error) ||
            !xml_attr_choice(node, "type", graphics_type_names, -1, &type, error))
                return false;
        graphics.type = (VmGraphicsType) type;
        if (vm_display_find_graphics(display, graphics.type))
                return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT, "a VM has at most one '<graphics type='%s'>'",
                                graphics_type_names[type]);
        listen = xml_attr_value(node, "listen");
        if (listen && !set_listen_address(node, &graphics, listen, error))
                return false;
        if (!parse_socket_attribute(node, &graphics, error))
                goto fail;
        /* virt-install writes port='-1' (choose one) and autoport='yes': the service chooses a
         * port at boot when the display listens on an address, and opens none otherwise. A live
         * definition names the port chosen. */
        port = xml_attr_value(node, "port");
        if (port && xml_lookup_name(minus_one_names, port) < 0) {
                uint32_t number = 0;
                if (!xml_attr_uint32(node, "port", 1024, 65535, &number, error))
                        goto fail;
                graphics.port = (uint16_t) number;
        }
        /* A TLS port: QEMU would serve the host's certificate with its private key (libvirt's
         * /etc/pki/libvirt-spice, root's), read by the owner's QEMU. */
        tls_port = xml_attr_value(node, "tlsPort");
        if (tls_port && xml_lookup_name(minus_one_names, tls_port) < 0) {
                g_autofree char *shown = xml_shorten(tls_port);
                xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                         "tlsPort='%s' of '<graphics>' is not supported: TLS would give the VM's QEMU, which runs as "
                         "you, the host's certificate and private key (root's /etc/pki/libvirt-spice); use a unix "
                         "socket of yours or OpenGraphics",
                         shown);
                goto fail;
        }
        /* As libvirt: a port given means autoport='no' unless the document says otherwise. */
        if (!xml_attr_choice(node, "autoport", yes_no_names, graphics.port ? 1 : 0, &choice, error))
                goto fail;
        graphics.autoport = choice == 0;
        if (c[G_LISTEN] && !parse_listen(c[G_LISTEN], &graphics, error))
                goto fail;
        /* keymap: QEMU's -k, for the whole VM (one layout). */
        if (has_attribute(node, "keymap")) {
                if (!xml_attr_choice(node, "keymap", vm_keymap_names, 0, &choice, error))
                        goto fail;
                graphics.keymap = (unsigned) choice + 1;
                for (unsigned i = 0; i < display->n_graphics; i++)
                        if (display->graphics[i].keymap && display->graphics[i].keymap != graphics.keymap) {
                                xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                         "two '<graphics>' with different keymaps are not supported: QEMU has one");
                                goto fail;
                        }
        }
        if (graphics.port && graphics.listen != VM_LISTEN_ADDRESS) {
                refuse_network(error, node, "port", port);
                goto fail;
        }
        if (graphics.listen == VM_LISTEN_ADDRESS && !graphics.autoport && !graphics.port) {
                xml_fail(error, node, HV_ERROR_INVALID_XML, "'<graphics autoport='no'>' needs a 'port'");
                goto fail;
        }
        if (!parse_spice_options(c, &graphics, error) || !parse_vnc_options(node, c[G_AUDIO], &graphics, error))
                goto fail;
        graphics.line = xml_line(node);
        *vm_display_add_graphics(display) = graphics;
        return true;

fail:
        g_free(graphics.socket);
        g_free(graphics.address);
        return false;
}

/* ---- <video> ---- */

#define VIDEO_ALIAS_MAX 64

/* <alias name>: as libvirt, a user's alias ("ua-" and up to 64 of [A-Za-z0-9_.-]) is kept;
 * libvirt's own names ("video0", as virsh dumpxml writes them) are not ids of ours and are
 * dropped, as libvirt drops them from an inactive definition. */
static bool parse_video_alias(const xmlNode *node, VmVideo *video, GError **error) {
        static const char *const attributes[] = {"name", NULL};
        g_autofree char *name = NULL;

        if (!xml_check_empty_element(node, attributes, error))
                return false;
        name = xml_attr_value(node, "name");
        if (!name)
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<alias>' needs the attribute 'name'");
        if (!g_str_has_prefix(name, "ua-"))
                return true;
        if (strlen(name) > VIDEO_ALIAS_MAX || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                                          "0123456789_.-") != strlen(name))
                return xml_fail_bad_value(error, node, "device alias", name,
                                          "'ua-' and up to 64 characters from [A-Za-z0-9_.-] in all");
        video->alias = g_steal_pointer(&name);
        return true;
}

static bool parse_video(const xmlNode *node, VmDisplay *display, GError **error) {
        static const char *const children[] = {"model", "address", "driver", "alias", NULL};
        static const char *const driver_attributes[] = {"iommu", "ats", "packed", NULL};
        static const char *const model_attributes[] = {"type",   "ram",   "vram",    "vram64",
                                                       "vgamem", "heads", "primary", NULL};
        static const char *const model_children[] = { "resolution", NULL };
        static const char *const resolution_attributes[] = { "x", "y", NULL };
        xmlNode *resolution[G_N_ELEMENTS(model_children)] = { NULL };
        xmlNode *c[G_N_ELEMENTS(children)] = { NULL };
        VmVideo video = { 0 };
        int choice;

        if (display->n_videos >= VM_DISPLAY_ITEMS_MAX)
                return too_many(error, node);
        if (!xml_check_attributes(node, NULL, error) || !xml_check_element_content(node, error) ||
            !xml_collect_children(node, children, c, error))
                return false;
        if (!c[0])
                return xml_fail_missing(error, node, "model");
        if (!xml_check_attributes(c[0], model_attributes, error) || !xml_check_element_content(c[0], error) ||
            !xml_collect_children(c[0], model_children, resolution, error) ||
            !xml_attr_choice(c[0], "type", video_model_names, -1, &choice, error) ||
            (c[1] && !domain_xml_parse_address(c[1], &video.address, error)))
                return false;
        video.model = (VmVideoModel) choice;
        if (!xml_attr_uint32(c[0], "ram", 1, VIDEO_MEMORY_MAX_KIB, &video.ram, error) ||
            !xml_attr_uint32(c[0], "vram", 1, VIDEO_MEMORY_MAX_KIB, &video.vram, error) ||
            !xml_attr_uint32(c[0], "vgamem", 1, VIDEO_MEMORY_MAX_KIB, &video.vgamem, error) ||
            !xml_attr_uint32(c[0], "vram64", 1, VIDEO_MEMORY_MAX_KIB, &video.vram64, error) ||
            !xml_attr_uint32(c[0], "heads", 1, VIDEO_HEADS_MAX, &video.heads, error) ||
            !xml_attr_choice(c[0], "primary", yes_no_names, 1, &choice, error))
                return false;
        video.primary = choice == 0;
        /* As QEMU's devices take them: qxl all three; vga, cirrus and bochs their vram, in the sizes
         * cirrus-vga (4, 8 or 16 MiB) and bochs-display (a power of two from 4 MiB to 256 MiB) have;
         * virtio none. */
        if (video.model != VM_VIDEO_QXL && (video.ram || video.vgamem))
                return xml_fail(error, c[0], HV_ERROR_NOT_SUPPORTED,
                                "'ram' and 'vgamem' are supported for '<model type='qxl'>' only");
        /* <resolution>: QEMU's xres and yres, which vga, qxl, virtio and bochs have (as libvirt). */
        if (resolution[0]) {
                if (video.model != VM_VIDEO_VGA && video.model != VM_VIDEO_QXL && video.model != VM_VIDEO_VIRTIO &&
                    video.model != VM_VIDEO_BOCHS)
                        return xml_fail(error, resolution[0], HV_ERROR_NOT_SUPPORTED,
                                        "'<resolution>' of '<model type='%s'>' is not supported (vga, qxl, virtio "
                                        "and bochs have one)",
                                        video_model_names[video.model]);
                if (!xml_check_empty_element(resolution[0], resolution_attributes, error) ||
                    !xml_attr_uint32(resolution[0], "x", 1, VIDEO_RESOLUTION_MAX, &video.xres, error) ||
                    !xml_attr_uint32(resolution[0], "y", 1, VIDEO_RESOLUTION_MAX, &video.yres, error))
                        return false;
                if (!video.xres || !video.yres)
                        return xml_fail(error, resolution[0], HV_ERROR_INVALID_XML, "'<resolution>' needs 'x' and 'y'");
        }
        /* As libvirt: several heads (QEMU's max_outputs) on qxl and virtio only; vram64 on qxl only. */
        if (video.heads > 1 && video.model != VM_VIDEO_QXL && video.model != VM_VIDEO_VIRTIO)
                return xml_fail(error, c[0], HV_ERROR_NOT_SUPPORTED,
                                "heads='%" PRIu32 "' of '<model type='%s'>' is not supported: only qxl and virtio "
                                "have more than one head",
                                video.heads, video_model_names[video.model]);
        if (video.model != VM_VIDEO_QXL && video.vram64)
                return xml_fail(error, c[0], HV_ERROR_NOT_SUPPORTED,
                                "'vram64' is supported for '<model type='qxl'>' only");
        if ((video.model == VM_VIDEO_VIRTIO || video.model == VM_VIDEO_RAMFB) && video.vram)
                return xml_fail(error, c[0], HV_ERROR_NOT_SUPPORTED,
                                "'vram' is supported for '<model type='qxl'>', 'vga', 'cirrus' and 'bochs' only");
        /* ramfb: a framebuffer in guest RAM that the firmware finds through fw_cfg, on no bus (as
         * libvirt, which refuses an address for it). */
        if (video.model == VM_VIDEO_RAMFB && c[1])
                return xml_fail(error, c[1], HV_ERROR_NOT_SUPPORTED,
                                "'<address>' of a '<video>' of model 'ramfb' is not supported: ramfb is on no bus");
        if (video.model == VM_VIDEO_CIRRUS && video.vram && video.vram != 4096 && video.vram != 8192 &&
            video.vram != 16384)
                return xml_fail(error, c[0], HV_ERROR_NOT_SUPPORTED,
                                "vram='%" PRIu32 "' of '<model type='cirrus'>' is not supported: "
                                "cirrus-vga has 4096, 8192 or 16384 KiB",
                                video.vram);
        if (video.model == VM_VIDEO_BOCHS && video.vram &&
            (video.vram < 4096 || video.vram > 262144 || (video.vram & (video.vram - 1)) != 0))
                return xml_fail(error, c[0], HV_ERROR_NOT_SUPPORTED,
                                "vram='%" PRIu32 "' of '<model type='bochs'>' is not supported: "
                                "bochs-display has a power of two from 4096 to 262144 KiB",
                                video.vram);
        /* <driver>: the virtio options of a virtio video device (as of <input>); its other
         * attributes (name='vhostuser', vgaconf) the reader refuses by name. */
        if (c[2] && video.model != VM_VIDEO_VIRTIO)
                return xml_fail(error, c[2], HV_ERROR_NOT_SUPPORTED,
                                "'<driver>' of a '<video>' is supported on '<model type='virtio'>' only (its virtio "
                                "options)");
        if (c[2] && (!xml_check_empty_element(c[2], driver_attributes, error) ||
                     !domain_xml_parse_virtio_options(c[2], &video.virtio, error)))
                return false;
        if (c[3] && !parse_video_alias(c[3], &video, error))
                return false;
        video.line = xml_line(node);
        *vm_display_add_video(display) = video;
        return true;
}

/* ---- <input>, <sound>, <audio>, <redirdev>, <channel type='spicevmc'> ---- */

/* <source> of a passthrough input (evdev) or of an evdev one (dev, grab, grabToggle, repeat): a
 * path of the owner's, which QEMU opens as the owner (the owner needs the rights on the device,
 * as the group 'input' gives). */
static bool parse_input_source(const xmlNode *node, VmInput *input, GError **error) {
        static const char *const passthrough_attributes[] = {"evdev", NULL};
        static const char *const evdev_attributes[] = {"dev", "grab", "grabToggle", "repeat", NULL};
        static const char *const grab_names[] = {"all", NULL};
        static const char *const on_off_names[] = {"on", "off", NULL};
        const char *path_attribute = input->type == VM_INPUT_EVDEV ? "dev" : "evdev";
        int choice;

        if (!xml_check_empty_element(node, input->type == VM_INPUT_EVDEV ? evdev_attributes : passthrough_attributes,
                                     error))
                return false;
        input->evdev = xml_attr_value(node, path_attribute);
        if (!input->evdev)
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<source>' of '<input type='%s'>' needs '%s'",
                                input_type_names[input->type], path_attribute);
        if (!g_path_is_absolute(input->evdev))
                return xml_fail_bad_value(error, node, path_attribute, input->evdev, "expected an absolute path");
        if (input->type != VM_INPUT_EVDEV)
                return true;
        if (has_attribute(node, "grab")) {
                if (!xml_attr_choice(node, "grab", grab_names, 0, &choice, error))
                        return false;
                input->grab_all = true;
        }
        if (has_attribute(node, "grabToggle")) {
                if (!xml_attr_choice(node, "grabToggle", grab_toggle_names + 1, 0, &choice, error))
                        return false;
                input->grab_toggle = (VmGrabToggle) (choice + 1);
        }
        if (has_attribute(node, "repeat")) {
                if (!xml_attr_choice(node, "repeat", on_off_names, 0, &choice, error))
                        return false;
                input->repeat = choice == 0 ? VM_SWITCH_ON : VM_SWITCH_OFF;
        }
        return true;
}

static bool parse_input(const xmlNode *node, VmDisplay *display, GError **error) {
        static const char *const attributes[] = { "type", "bus", NULL };
        static const char *const children[] = {"source", "driver", "address", NULL};
        static const char *const driver_attributes[] = {"iommu", "ats", "packed", NULL};
        enum { I_SOURCE, I_DRIVER, I_ADDRESS };
        xmlNode *c[G_N_ELEMENTS(children)] = { NULL };
        VmInput input = { 0 };
        int type, bus, default_bus;

        if (display->n_inputs >= VM_DISPLAY_ITEMS_MAX)
                return too_many(error, node);
        if (!xml_check_attributes(node, attributes, error) || !xml_check_element_content(node, error) ||
            !xml_collect_children(node, children, c, error) ||
            !xml_attr_choice(node, "type", input_type_names, -1, &type, error) ||
            (c[I_ADDRESS] && !domain_xml_parse_address(c[I_ADDRESS], &input.address, error)))
                return false;
        /* libvirt's x86 default: a tablet on USB, a mouse or keyboard on PS/2, a passthrough on
         * virtio, an evdev on none (it is no device of the guest). */
        default_bus = type == VM_INPUT_TABLET        ? VM_INPUT_BUS_USB
                      : type == VM_INPUT_PASSTHROUGH ? VM_INPUT_BUS_VIRTIO
                      : type == VM_INPUT_EVDEV       ? VM_INPUT_BUS_NONE
                                                     : VM_INPUT_BUS_PS2;
        if (!xml_attr_choice(node, "bus", input_bus_names, default_bus, &bus, error))
                return false;
        if (type == VM_INPUT_TABLET && bus == VM_INPUT_BUS_PS2)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED, "a tablet on bus 'ps2' is not supported");
        if ((type == VM_INPUT_PASSTHROUGH && bus != VM_INPUT_BUS_VIRTIO) ||
            (type == VM_INPUT_EVDEV && bus != VM_INPUT_BUS_NONE) ||
            (type != VM_INPUT_EVDEV && bus == VM_INPUT_BUS_NONE))
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "bus='%s' of '<input type='%s'>' is not supported (passthrough: virtio; evdev: none)",
                                input_bus_names[bus], input_type_names[type]);
        input.type = (VmInputType) type;
        input.bus = (VmInputBus) bus;
        if ((type == VM_INPUT_PASSTHROUGH || type == VM_INPUT_EVDEV) && !c[I_SOURCE])
                return xml_fail_missing(error, node, "source");
        if (c[I_SOURCE] && type != VM_INPUT_PASSTHROUGH && type != VM_INPUT_EVDEV)
                return xml_fail_unsupported_element(error, c[I_SOURCE]);
        if (c[I_DRIVER] && bus != VM_INPUT_BUS_VIRTIO)
                return xml_fail(error, c[I_DRIVER], HV_ERROR_NOT_SUPPORTED,
                                "'<driver>' of an '<input>' is supported on bus 'virtio' only (its virtio options)");
        if (c[I_DRIVER] && (!xml_check_empty_element(c[I_DRIVER], driver_attributes, error) ||
                            !domain_xml_parse_virtio_options(c[I_DRIVER], &input.virtio, error)))
                return false;
        if (c[I_SOURCE] && !parse_input_source(c[I_SOURCE], &input, error)) {
                g_free(input.evdev);
                return false;
        }
        input.line = xml_line(node);
        *vm_display_add_input(display) = input;
        return true;
}

static bool parse_sound(const xmlNode *node, VmDisplay *display, GError **error) {
        static const char *const attributes[] = { "model", NULL };
        static const char *const children[] = {"audio", "address", "codec", NULL};
        static const char *const repeatable[] = {"codec", NULL};
        static const char *const audio_attributes[] = { "id", NULL };
        static const char *const codec_attributes[] = {"type", NULL};
        xmlNode *c[G_N_ELEMENTS(children)] = { NULL };
        VmSound sound = { 0 };
        int model, codec;

        if (display->n_sounds >= VM_DISPLAY_ITEMS_MAX)
                return too_many(error, node);
        if (!xml_check_attributes(node, attributes, error) || !xml_check_element_content(node, error) ||
            !xml_collect_children_repeatable(node, children, c, repeatable, error) ||
            !xml_attr_choice(node, "model", sound_model_names, -1, &model, error))
                return false;
        sound.model = (VmSoundModel) model;
        for (xmlNode *child = c[2]; child; child = child->next) {
                if (!xml_is_element(child, "codec"))
                        continue;
                /* As libvirt: codecs are those of an HDA card. */
                if (sound.model != VM_SOUND_ICH6 && sound.model != VM_SOUND_ICH9)
                        return xml_fail(error, child, HV_ERROR_NOT_SUPPORTED,
                                        "'<codec>' is supported in '<sound model='ich6'>' and 'ich9' only");
                if (sound.n_codecs >= VM_SOUND_CODECS_MAX)
                        return xml_fail(error, child, HV_ERROR_INVALID_ARGUMENT,
                                        "a '<sound>' has at most %u '<codec>' elements",
                                        (unsigned) VM_SOUND_CODECS_MAX);
                if (!xml_check_empty_element(child, codec_attributes, error) ||
                    !xml_attr_choice(child, "type", sound_codec_names, -1, &codec, error))
                        return false;
                sound.codecs[sound.n_codecs++] = (VmSoundCodec) codec;
        }
        if (sound.model == VM_SOUND_PCSPK)
                for (unsigned i = 0; i < display->n_sounds; i++)
                        if (display->sounds[i].model == VM_SOUND_PCSPK)
                                return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                                                "a VM has one PC speaker: '<sound model='pcspk'>' appears twice");
        if (c[1] && !domain_xml_parse_address(c[1], &sound.address, error))
                return false;
        if (c[0]) {
                if (!xml_check_empty_element(c[0], audio_attributes, error))
                        return false;
                if (!has_attribute(c[0], "id"))
                        return xml_fail(error, c[0], HV_ERROR_INVALID_XML, "'<audio>' in '<sound>' needs an 'id'");
                if (!xml_attr_uint32(c[0], "id", 1, UINT32_MAX, &sound.audio_id, error))
                        return false;
        }
        sound.line = xml_line(node);
        *vm_display_add_sound(display) = sound;
        return true;
}

/* <source> and <protocol> of a <redirdev type='unix'> (the owner's socket: QEMU listens on it or
 * connects to it as the owner) or type='tcp' (a service QEMU connects to; listening on a TCP
 * port is refused, as for every display device). */
static bool parse_redirdev_source(const xmlNode *node, xmlNode *source, xmlNode *protocol, VmRedirdevSource *ret,
                                  GError **error) {
        static const char *const unix_attributes[] = {"mode", "path", NULL};
        static const char *const tcp_attributes[] = {"mode", "host", "service", NULL};
        static const char *const modes[] = {"bind", "connect", NULL};
        static const char *const protocol_attributes[] = {"type", NULL};
        static const char *const raw_names[] = {"raw", NULL};
        int choice;

        if (protocol && (!xml_check_empty_element(protocol, protocol_attributes, error) ||
                         !xml_attr_choice(protocol, "type", raw_names, 0, &choice, error)))
                return false;
        if (!source)
                return xml_fail_missing(error, node, "source");
        if (!xml_check_empty_element(source, ret->type == VM_REDIRDEV_UNIX ? unix_attributes : tcp_attributes,
                                     error) ||
            !xml_attr_choice(source, "mode", modes, ret->type == VM_REDIRDEV_UNIX ? 0 : 1, &choice, error))
                return false;
        ret->bind = choice == 0;
        if (ret->type == VM_REDIRDEV_TCP) {
                if (ret->bind)
                        return xml_fail(error, source, HV_ERROR_NOT_SUPPORTED,
                                        "mode='bind' of a '<redirdev type='tcp'>' is not supported: it would listen "
                                        "on a TCP port any local user could use; use a unix socket of yours");
                ret->host = xml_attr_value(source, "host");
                ret->service = xml_attr_value(source, "service");
                if (!ret->host || !ret->service)
                        return xml_fail(error, source, HV_ERROR_INVALID_XML,
                                        "'<source>' of a '<redirdev type='tcp'>' needs 'host' and 'service'");
                if (!*ret->host || strpbrk(ret->host, ",=[]") ||
                    strspn(ret->service, "0123456789") != strlen(ret->service) || !*ret->service ||
                    strlen(ret->service) > 5)
                        return xml_fail(error, source, HV_ERROR_INVALID_ARGUMENT,
                                        "'<source>' of a '<redirdev type='tcp'>' needs a host name or address and "
                                        "a port number");
                return true;
        }
        ret->path = xml_attr_value(source, "path");
        if (!ret->path)
                return xml_fail(error, source, HV_ERROR_INVALID_XML, "'<source>' needs the attribute 'path'");
        if (!g_path_is_absolute(ret->path) || strlen(ret->path) > 107)
                return xml_fail_bad_value(error, source, "path", ret->path,
                                          "expected an absolute path short enough for a unix socket");
        return true;
}

static bool parse_redirdev(const xmlNode *node, VmDisplay *display, GError **error) {
        static const char *const attributes[] = { "bus", "type", NULL };
        static const char *const children[] = {"source", "protocol", "address", NULL};
        static const char *const types[] = {
                [VM_REDIRDEV_SPICEVMC] = "spicevmc", [VM_REDIRDEV_UNIX] = "unix", [VM_REDIRDEV_TCP] = "tcp", NULL};
        enum { R_SOURCE, R_PROTOCOL, R_ADDRESS };
        xmlNode *c[G_N_ELEMENTS(children)] = { NULL };
        VmRedirdevSource source = {0};
        VmAddress address = {0};
        int choice;

        if (display->n_redirdevs >= VM_DISPLAY_ITEMS_MAX)
                return too_many(error, node);
        if (!xml_check_attributes(node, attributes, error) || !xml_check_element_content(node, error) ||
            !xml_collect_children(node, children, c, error) ||
            !xml_attr_choice(node, "bus", usb_names, 0, &choice, error) ||
            !xml_attr_choice(node, "type", types, -1, &choice, error) ||
            (c[R_ADDRESS] && !domain_xml_parse_address(c[R_ADDRESS], &address, error)))
                return false;
        source.type = (VmRedirdevType) choice;
        if (source.type == VM_REDIRDEV_SPICEVMC) {
                if (c[R_SOURCE])
                        return xml_fail_unsupported_element(error, c[R_SOURCE]);
                if (c[R_PROTOCOL])
                        return xml_fail_unsupported_element(error, c[R_PROTOCOL]);
        } else if (!parse_redirdev_source(node, c[R_SOURCE], c[R_PROTOCOL], &source, error)) {
                g_free(source.path);
                g_free(source.host);
                g_free(source.service);
                return false;
        }
        *vm_display_add_redirdev(display) = source;
        display->redirdev_addresses[display->n_redirdevs - 1] = address;
        display->redirdev_lines[display->n_redirdevs - 1] = xml_line(node);
        return true;
}

/* <redirfilter>: the <usbdev> rules QEMU's usb-redir applies, in order, to each device offered. */
static bool parse_usb_id(const xmlNode *node, const char *attribute, int32_t max, int32_t *ret, GError **error) {
        g_autofree char *value = xml_attr_value(node, attribute);
        char *end = NULL;
        gint64 number;

        *ret = -1;
        if (!value || g_str_equal(value, "-1"))
                return true;
        number = g_ascii_strtoll(value, &end, 0);
        if (!*value || *end || number < 0 || number > max)
                return xml_fail_bad_value(error, node, attribute, value, "expected -1 or a number (0x... in hex)");
        *ret = (int32_t) number;
        return true;
}

/* "major.minor" as libvirt reads it: each below 100, "9.4" is 9.40; USB's BCD, 1.10 is 0x0110. */
static bool parse_usb_version(const xmlNode *node, int32_t *ret, GError **error) {
        g_autofree char *value = xml_attr_value(node, "version");
        const char *dot;
        guint64 major, minor;
        char *end = NULL;

        *ret = -1;
        if (!value || g_str_equal(value, "-1"))
                return true;
        dot = strchr(value, '.');
        if (!dot || dot == value || !g_ascii_isdigit(dot[1]) || strspn(value, "0123456789") != (size_t) (dot - value))
                goto bad;
        major = g_ascii_strtoull(value, NULL, 10);
        minor = g_ascii_strtoull(dot + 1, &end, 10);
        if (*end || major >= 100 || minor >= 100)
                goto bad;
        if (strlen(dot + 1) == 1)
                minor *= 10;
        *ret = (int32_t) ((major / 10) << 12 | (major % 10) << 8 | (minor / 10) << 4 | (minor % 10));
        return true;
bad:
        return xml_fail_bad_value(error, node, "version", value, "expected major.minor, each below 100, or -1");
}

static bool parse_redirfilter(const xmlNode *node, VmDisplay *display, GError **error) {
        static const char *const children[] = {"usbdev", NULL};
        static const char *const repeatable[] = {"usbdev", NULL};
        static const char *const usbdev_attributes[] = {"class", "vendor", "product", "version", "allow", NULL};
        xmlNode *c[G_N_ELEMENTS(children)] = {NULL};
        unsigned n = 0;

        if (display->has_redirfilter)
                return xml_fail(error, node, HV_ERROR_INVALID_XML,
                                "'<redirfilter>' appears more than once in '<devices>'");
        if (!xml_check_attributes(node, NULL, error) || !xml_check_element_content(node, error) ||
            !xml_collect_children_repeatable(node, children, c, repeatable, error))
                return false;
        for (xmlNode *child = node->children; child; child = child->next)
                n += xml_is_element(child, "usbdev");
        if (n > VM_REDIRFILTER_RULES_MAX)
                return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT, "a '<redirfilter>' has at most %u '<usbdev>'",
                                (unsigned) VM_REDIRFILTER_RULES_MAX);
        g_autofree VmRedirFilterRule *rules = g_new0(VmRedirFilterRule, MAX(n, 1u));
        unsigned i = 0;
        for (xmlNode *child = node->children; child; child = child->next) {
                VmRedirFilterRule *rule = &rules[i];
                int allow;

                if (!xml_is_element(child, "usbdev"))
                        continue;
                if (!xml_check_empty_element(child, usbdev_attributes, error) ||
                    !parse_usb_id(child, "class", 0xff, &rule->usb_class, error) ||
                    !parse_usb_id(child, "vendor", 0xffff, &rule->vendor, error) ||
                    !parse_usb_id(child, "product", 0xffff, &rule->product, error) ||
                    !parse_usb_version(child, &rule->version, error) ||
                    !xml_attr_choice(child, "allow", yes_no_names, -1, &allow, error))
                        return false;
                rule->allow = allow == 0;
                i++;
        }
        display->redirfilter = g_steal_pointer(&rules);
        display->n_redirfilter = n;
        display->has_redirfilter = true;
        display->redirfilter_line = xml_line(node);
        return true;
}

/* <hub type='usb'>, as libvirt's usb-hub.xml: where it sits is its <address type='usb'>. */
static bool parse_hub(const xmlNode *node, VmDisplay *display, GError **error) {
        static const char *const attributes[] = { "type", NULL };
        static const char *const children[] = { "address", NULL };
        xmlNode *c[G_N_ELEMENTS(children)] = { NULL };
        VmAddress address = {0};
        int choice;

        if (display->n_hubs >= VM_DISPLAY_ITEMS_MAX)
                return too_many(error, node);
        if (!xml_check_attributes(node, attributes, error) || !xml_check_element_content(node, error) ||
            !xml_collect_children(node, children, c, error) ||
            !xml_attr_choice(node, "type", usb_names, -1, &choice, error) ||
            (c[0] && !domain_xml_parse_address(c[0], &address, error)))
                return false;
        if (address.type != VM_ADDRESS_NONE && address.type != VM_ADDRESS_USB)
                return xml_fail(error, c[0], HV_ERROR_INVALID_ARGUMENT, "a '<hub>' has a USB '<address>' only");
        *vm_display_add_hub(display) = address;
        display->hub_lines[display->n_hubs - 1] = xml_line(node);
        return true;
}

static bool parse_spice_channel(const xmlNode *node, VmDisplay *display, GError **error) {
        static const char *const attributes[] = { "type", NULL };
        static const char *const children[] = { "target", "address", NULL };
        static const char *const target_attributes[] = { "type", "name", NULL };
        static const char *const names[] = { SPICE_AGENT_CHANNEL, NULL };
        xmlNode *c[G_N_ELEMENTS(children)] = { NULL };
        int choice;

        if (!xml_check_attributes(node, attributes, error) || !xml_check_element_content(node, error) ||
            !xml_collect_children(node, children, c, error))
                return false;
        if (c[0] && (!xml_check_empty_element(c[0], target_attributes, error) ||
                     !xml_attr_choice(c[0], "type", virtio_names, 0, &choice, error) ||
                     !xml_attr_choice(c[0], "name", names, 0, &choice, error)))
                return false;
        if (display->spice_agent_channel)
                return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                                "a VM has at most one '<channel type='spicevmc'>'");
        if (c[1] && !domain_xml_parse_address(c[1], &display->spice_agent_address, error))
                return false;
        display->spice_agent_channel = true;
        display->spice_agent_line = xml_line(node);
        return true;
}

/* A SPICE port name: it goes into QEMU's options, and SPICE clients look it up as written. */
static bool spiceport_name_is_valid(const char *name) {
        size_t length = strlen(name);

        return length > 0 && length <= 128 &&
               strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == length;
}

/* <channel type='spiceport'><source channel/><target type='virtio' name/></channel> */
static bool parse_spiceport_channel(const xmlNode *node, VmDisplay *display, GError **error) {
        static const char *const attributes[] = {"type", NULL};
        static const char *const children[] = {"source", "target", "address", NULL};
        static const char *const source_attributes[] = {"channel", NULL};
        static const char *const target_attributes[] = {"type", "name", NULL};
        xmlNode *c[G_N_ELEMENTS(children)] = {NULL};
        g_autofree char *channel = NULL, *name = NULL;
        VmSpicePort *port;
        int choice;

        if (!xml_check_attributes(node, attributes, error) || !xml_check_element_content(node, error) ||
            !xml_collect_children(node, children, c, error))
                return false;
        if (!c[0])
                return xml_fail_missing(error, node, "source");
        if (!xml_check_empty_element(c[0], source_attributes, error))
                return false;
        channel = xml_attr_value(c[0], "channel");
        if (!channel)
                return xml_fail(error, c[0], HV_ERROR_INVALID_XML,
                                "the '<source>' of a '<channel type='spiceport'>' needs the attribute 'channel'");
        if (!spiceport_name_is_valid(channel))
                return xml_fail_bad_value(error, c[0], "SPICE port", channel,
                                          "1 to 128 characters from [A-Za-z0-9._-]");
        if (c[1] && (!xml_check_empty_element(c[1], target_attributes, error) ||
                     !xml_attr_choice(c[1], "type", virtio_names, 0, &choice, error)))
                return false;
        name = c[1] ? xml_attr_value(c[1], "name") : NULL;
        if (name && !spiceport_name_is_valid(name))
                return xml_fail_bad_value(error, c[1], "port name", name, "1 to 128 characters from [A-Za-z0-9._-]");
        if (display->spiceports && display->spiceports->len == VM_SPICEPORTS_MAX)
                return xml_fail(error, node, HV_ERROR_LIMITS_EXCEEDED,
                                "a VM has at most %u '<channel type='spiceport'>' elements",
                                (unsigned) VM_SPICEPORTS_MAX);
        port = vm_display_add_spiceport(display, g_steal_pointer(&channel), g_steal_pointer(&name));
        port->line = xml_line(node);
        return !c[2] || domain_xml_parse_address(c[2], &port->address, error);
}

/* ---- <smartcard> ---- */

/* <smartcard mode='passthrough' type>: spicevmc (needs SPICE graphics), or the owner's unix
 * socket (QEMU listens on it or connects to it as the owner); a TCP one would listen on a
 * network, which no display device does. */
static bool parse_smartcard_passthrough(const xmlNode *node, xmlNode *source, xmlNode *protocol, VmSmartcard *card,
                                        GError **error) {
        static const char *const types[] = {"spicevmc", "unix", NULL};
        static const char *const source_attributes[] = {"mode", "path", NULL};
        static const char *const modes[] = {"bind", "connect", NULL};
        static const char *const protocol_attributes[] = {"type", NULL};
        static const char *const raw_names[] = {"raw", NULL};
        g_autofree char *type = xml_attr_value(node, "type");
        int choice;

        if (type && g_str_equal(type, "tcp"))
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "type='tcp' of '<smartcard>' is not supported: it would listen on or reach a TCP "
                                "port any local user could use; use a unix socket of yours or spicevmc");
        if (!xml_attr_choice(node, "type", types, -1, &choice, error))
                return false;
        card->spicevmc = choice == 0;
        if (protocol && (!xml_check_empty_element(protocol, protocol_attributes, error) ||
                         !xml_attr_choice(protocol, "type", raw_names, 0, &choice, error)))
                return false;
        if (card->spicevmc) {
                if (source)
                        return xml_fail_unsupported_element(error, source);
                return true;
        }
        if (!source)
                return xml_fail_missing(error, node, "source");
        if (!xml_check_empty_element(source, source_attributes, error) ||
            !xml_attr_choice(source, "mode", modes, 0, &choice, error))
                return false;
        card->socket_bind = choice == 0;
        card->socket = xml_attr_value(source, "path");
        if (!card->socket)
                return xml_fail(error, source, HV_ERROR_INVALID_XML, "'<source>' needs the attribute 'path'");
        if (!g_path_is_absolute(card->socket) || strlen(card->socket) > 107)
                return xml_fail_bad_value(error, source, "path", card->socket,
                                          "expected an absolute path short enough for a unix socket");
        return true;
}

/* host-certificates: the three certificates (NSS nicknames) libvirt takes, and the owner's NSS
 * database directory (libvirt's default /etc/pki/nssdb). */
static bool parse_smartcard_certificates(const xmlNode *node, VmSmartcard *card, GError **error) {
        unsigned n = 0;

        for (xmlNode *child = node->children; child; child = child->next) {
                if (xml_is_element(child, "certificate")) {
                        if (n >= VM_SMARTCARD_CERTIFICATES)
                                return xml_fail(
                                        error, child, HV_ERROR_INVALID_ARGUMENT,
                                        "'<smartcard mode='host-certificates'>' has exactly 3 '<certificate>'");
                        if (!xml_element_text(child, NULL, true, &card->certificates[n], error))
                                return false;
                        if (!*card->certificates[n])
                                return xml_fail(error, child, HV_ERROR_INVALID_XML, "'<certificate>' is empty");
                        n++;
                } else if (xml_is_element(child, "database")) {
                        if (card->database)
                                return xml_fail(error, child, HV_ERROR_INVALID_XML,
                                                "'<database>' appears more than once in '<smartcard>'");
                        if (!xml_element_text(child, NULL, true, &card->database, error))
                                return false;
                        if (!g_path_is_absolute(card->database))
                                return xml_fail_bad_value(error, child, "database", card->database,
                                                          "expected an absolute path");
                }
        }
        if (n != VM_SMARTCARD_CERTIFICATES)
                return xml_fail(error, node, HV_ERROR_INVALID_XML,
                                "'<smartcard mode='host-certificates'>' has exactly 3 '<certificate>'");
        return true;
}

static bool parse_smartcard(const xmlNode *node, VmDisplay *display, GError **error) {
        static const char *const modes[] = {[VM_SMARTCARD_HOST] = "host",
                                            [VM_SMARTCARD_HOST_CERTIFICATES] = "host-certificates",
                                            [VM_SMARTCARD_PASSTHROUGH] = "passthrough",
                                            NULL};
        static const char *const host_children[] = {NULL};
        static const char *const certificate_children[] = {"certificate", "database", NULL};
        static const char *const certificate_repeatable[] = {"certificate", NULL};
        static const char *const passthrough_children[] = {"source", "protocol", NULL};
        static const char *const passthrough_attributes[] = {"mode", "type", NULL};
        static const char *const mode_attributes[] = {"mode", NULL};
        xmlNode *c[3] = {NULL};
        g_autoptr(GError) local = NULL;
        VmSmartcard *card;
        int mode;
        bool ok;

        if (display->smartcard)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "a second '<smartcard>' is not supported: a VM has one card reader");
        if (!xml_attr_choice(node, "mode", modes, -1, &mode, error) ||
            !xml_check_attributes(node, mode == VM_SMARTCARD_PASSTHROUGH ? passthrough_attributes : mode_attributes,
                                  error) ||
            !xml_check_element_content(node, error))
                return false;
        if (mode == VM_SMARTCARD_HOST && !xml_collect_children(node, host_children, c, error))
                return false;
        if (mode == VM_SMARTCARD_HOST_CERTIFICATES &&
            !xml_collect_children_repeatable(node, certificate_children, c, certificate_repeatable, error))
                return false;
        if (mode == VM_SMARTCARD_PASSTHROUGH && !xml_collect_children(node, passthrough_children, c, error))
                return false;
        card = g_new0(VmSmartcard, 1);
        card->mode = (VmSmartcardMode) mode;
        if (mode == VM_SMARTCARD_HOST_CERTIFICATES)
                ok = parse_smartcard_certificates(node, card, &local);
        else if (mode == VM_SMARTCARD_PASSTHROUGH)
                ok = parse_smartcard_passthrough(node, c[0], c[1], card, &local);
        else
                ok = true;
        if (!ok) {
                vm_smartcard_free(card);
                g_propagate_error(error, g_steal_pointer(&local));
                return false;
        }
        display->smartcard = card;
        display->smartcard_line = xml_line(node);
        return true;
}

static void append_smartcard(GString *out, const VmSmartcard *card) {
        if (card->mode == VM_SMARTCARD_HOST) {
                g_string_append(out, "    <smartcard mode='host'/>\n");
                return;
        }
        if (card->mode == VM_SMARTCARD_HOST_CERTIFICATES) {
                g_string_append(out, "    <smartcard mode='host-certificates'>\n");
                for (unsigned i = 0; i < VM_SMARTCARD_CERTIFICATES; i++)
                        domain_xml_append_text_element(out, 3, "certificate", card->certificates[i]);
                domain_xml_append_text_element(out, 3, "database", card->database);
                g_string_append(out, "    </smartcard>\n");
                return;
        }
        if (card->spicevmc) {
                g_string_append(out, "    <smartcard mode='passthrough' type='spicevmc'/>\n");
                return;
        }
        g_string_append_printf(out, "    <smartcard mode='passthrough' type='unix'>\n      <source mode='%s'",
                               card->socket_bind ? "bind" : "connect");
        domain_xml_append_attr(out, "path", card->socket);
        g_string_append(out, "/>\n      <protocol type='raw'/>\n    </smartcard>\n");
}

/* ---- the dispatch ---- */

/* A <channel> of SPICE's: its agent (spicevmc) or a named port (spiceport). */
static bool is_spice_channel(const xmlNode *node, const char *spice_type) {
        g_autofree char *type = NULL;

        if (!xml_is_element(node, "channel"))
                return false;
        type = xml_attr_value(node, "type");
        return type && g_str_equal(type, spice_type);
}

bool domain_xml_is_display_element(const xmlNode *node) {
        static const char *const names[] = {"graphics", "video", "input",     "sound",       "audio",
                                            "redirdev", "hub",   "smartcard", "redirfilter", NULL};

        for (size_t i = 0; names[i]; i++)
                if (xml_is_element(node, names[i]))
                        return true;
        return is_spice_channel(node, "spicevmc") || is_spice_channel(node, "spiceport");
}

bool domain_xml_parse_display_element(const xmlNode *node, VmDisplay *display, GError **error) {
        if (xml_is_element(node, "graphics"))
                return parse_graphics(node, display, error);
        if (xml_is_element(node, "video"))
                return parse_video(node, display, error);
        if (xml_is_element(node, "input"))
                return parse_input(node, display, error);
        if (xml_is_element(node, "sound"))
                return parse_sound(node, display, error);
        if (xml_is_element(node, "audio"))
                return domain_xml_parse_audio(node, display, error);
        if (xml_is_element(node, "redirdev"))
                return parse_redirdev(node, display, error);
        if (xml_is_element(node, "hub"))
                return parse_hub(node, display, error);
        if (xml_is_element(node, "smartcard"))
                return parse_smartcard(node, display, error);
        if (xml_is_element(node, "redirfilter"))
                return parse_redirfilter(node, display, error);
        if (is_spice_channel(node, "spicevmc"))
                return parse_spice_channel(node, display, error);
        if (is_spice_channel(node, "spiceport"))
                return parse_spiceport_channel(node, display, error);
        return xml_fail_unsupported_element(error, node);
}

static bool find_audio(const VmDisplay *display, uint32_t id) {
        for (unsigned i = 0; i < display->n_audios; i++)
                if (display->audios[i].id == id)
                        return true;
        return false;
}

/* The primary video device first, as QEMU's first display device is the VGA one. */
static bool order_videos(const xmlNode *devices, VmDisplay *display, GError **error) {
        unsigned primary = 0, n_primary = 0;

        for (unsigned i = 0; i < display->n_videos; i++)
                if (display->videos[i].primary) {
                        primary = i;
                        n_primary++;
                }
        if (n_primary > 1)
                return xml_fail(error, devices, HV_ERROR_INVALID_ARGUMENT, "only one '<video>' can be primary");
        if (primary > 0) {
                VmVideo first = display->videos[primary];
                memmove(&display->videos[1], &display->videos[0], primary * sizeof(VmVideo));
                display->videos[0] = first;
        }
        if (display->n_videos > 0)
                display->videos[0].primary = true;
        for (unsigned i = 0; i < display->n_videos; i++) {
                VmVideoModel model = display->videos[i].model;

                if (model == VM_VIDEO_NONE && display->n_videos > 1)
                        return xml_fail(error, devices, HV_ERROR_INVALID_ARGUMENT,
                                        "a '<video>' of model 'none' must be the only one");
                if (i > 0 && model != VM_VIDEO_QXL && model != VM_VIDEO_VIRTIO)
                        return xml_fail(error, devices, HV_ERROR_NOT_SUPPORTED,
                                        "a secondary '<video>' of model '%s' is not supported (qxl or virtio only)",
                                        video_model_names[model]);
        }
        return true;
}

bool domain_xml_finish_display(const xmlNode *devices, VmDisplay *display, GError **error) {
        bool spice = vm_display_find_graphics(display, VM_GRAPHICS_SPICE) != NULL;

        for (unsigned i = 0; i < display->n_redirdevs; i++)
                if (!spice && display->redirdev_sources[i].type == VM_REDIRDEV_SPICEVMC)
                        return xml_fail(error, devices, HV_ERROR_INVALID_ARGUMENT,
                                        "'<redirdev type='spicevmc'>' needs a '<graphics type='spice'>'");
        if (display->has_redirfilter && display->n_redirdevs == 0)
                return xml_fail(error, devices, HV_ERROR_INVALID_ARGUMENT,
                                "'<redirfilter>' needs a '<redirdev>' to filter");
        if (!spice && display->smartcard && display->smartcard->mode == VM_SMARTCARD_PASSTHROUGH &&
            display->smartcard->spicevmc)
                return xml_fail(error, devices, HV_ERROR_INVALID_ARGUMENT,
                                "'<smartcard type='spicevmc'>' needs a '<graphics type='spice'>'");
        if (!spice && display->spice_agent_channel)
                return xml_fail(error, devices, HV_ERROR_INVALID_ARGUMENT,
                                "'<channel type='spicevmc'>' needs a '<graphics type='spice'>'");
        if (!spice && display->spiceports)
                return xml_fail(error, devices, HV_ERROR_INVALID_ARGUMENT,
                                "'<channel type='spiceport'>' needs a '<graphics type='spice'>'");
        for (unsigned i = 0; i < display->n_audios; i++)
                if (!spice && display->audios[i].type == VM_AUDIO_SPICE)
                        return xml_fail(error, devices, HV_ERROR_INVALID_ARGUMENT,
                                        "'<audio type='spice'>' needs a '<graphics type='spice'>'");
        if (!order_videos(devices, display, error))
                return false;

        /* libvirt's defaults, written out: a display has a video device, a sound card an audio backend. */
        if (display->n_graphics > 0 && display->n_videos == 0)
                *vm_display_add_video(display) = (VmVideo){
                        .model = spice ? VM_VIDEO_QXL : VM_VIDEO_VGA,
                        .primary = true,
                };
        if (display->n_sounds > 0 && display->n_audios == 0)
                *vm_display_add_audio(display) = (VmAudio){
                        .id = 1,
                        .type = spice ? VM_AUDIO_SPICE : VM_AUDIO_NONE,
                };
        for (unsigned i = 0; i < display->n_graphics; i++)
                if (display->graphics[i].audio_id && !find_audio(display, display->graphics[i].audio_id))
                        return xml_fail(error, devices, HV_ERROR_INVALID_ARGUMENT,
                                        "'<graphics>' names audio id %" PRIu32 ", which no '<audio>' has",
                                        display->graphics[i].audio_id);
        for (unsigned i = 0; i < display->n_sounds; i++) {
                if (display->sounds[i].audio_id == 0 && display->n_audios > 0)
                        display->sounds[i].audio_id = display->audios[0].id;
                if (display->sounds[i].audio_id && !find_audio(display, display->sounds[i].audio_id))
                        return xml_fail(error, devices, HV_ERROR_INVALID_ARGUMENT,
                                        "'<sound>' names audio id %" PRIu32 ", which no '<audio>' has",
                                        display->sounds[i].audio_id);
        }
        return true;
}

/* ---- writing ---- */

static void append_graphics(GString *out, const VmGraphics *graphics) {
        const char *type = graphics_type_names[graphics->type];

        /* The address is an IP literal (checked when read): nothing to escape. As libvirt
         * writes it: the port once chosen (a live definition), else -1. */
        if (graphics->listen == VM_LISTEN_ADDRESS && graphics->port)
                g_string_append_printf(out, "    <graphics type='%s' port='%u' autoport='%s' listen='%s'", type,
                                       (unsigned) graphics->port, graphics->autoport ? "yes" : "no",
                                       graphics->address);
        else if (graphics->listen == VM_LISTEN_ADDRESS)
                g_string_append_printf(out, "    <graphics type='%s' port='-1' autoport='yes' listen='%s'", type,
                                       graphics->address);
        else
                g_string_append_printf(out, "    <graphics type='%s'", type);
        if (graphics->keymap)
                g_string_append_printf(out, " keymap='%s'", vm_keymap_names[graphics->keymap - 1]);
        if (graphics->share_policy)
                g_string_append_printf(out, " sharePolicy='%s'", share_policy_names[graphics->share_policy]);
        if (graphics->power_control)
                g_string_append_printf(out, " powerControl='%s'", switch_yes_no_names[graphics->power_control]);
        g_string_append(out, ">\n");

        if (graphics->listen == VM_LISTEN_ADDRESS) {
                g_string_append_printf(out, "      <listen type='address' address='%s'/>\n", graphics->address);
        } else if (graphics->listen == VM_LISTEN_SOCKET) {
                g_string_append(out, "      <listen type='socket'");
                domain_xml_append_attr(out, "socket", graphics->socket);
                g_string_append(out, "/>\n");
        } else {
                g_string_append(out, "      <listen type='none'/>\n");
        }
        if (graphics->image_compression != VM_IMAGE_COMPRESSION_DEFAULT)
                g_string_append_printf(out, "      <image compression='%s'/>\n",
                                       vm_spice_image_compression_names[graphics->image_compression]);
        /* As libvirt writes them, in its order. */
        if (graphics->jpeg)
                g_string_append_printf(out, "      <jpeg compression='%s'/>\n",
                                       vm_spice_wan_compression_names[graphics->jpeg]);
        if (graphics->zlib)
                g_string_append_printf(out, "      <zlib compression='%s'/>\n",
                                       vm_spice_wan_compression_names[graphics->zlib]);
        if (graphics->playback)
                g_string_append_printf(out, "      <playback compression='%s'/>\n",
                                       switch_on_off_names[graphics->playback]);
        if (graphics->streaming)
                g_string_append_printf(out, "      <streaming mode='%s'/>\n",
                                       vm_spice_streaming_names[graphics->streaming]);
        if (graphics->mouse)
                g_string_append_printf(out, "      <mouse mode='%s'/>\n", mouse_names[graphics->mouse]);
        if (graphics->copypaste)
                g_string_append_printf(out, "      <clipboard copypaste='%s'/>\n",
                                       switch_yes_no_names[graphics->copypaste]);
        if (graphics->filetransfer)
                g_string_append_printf(out, "      <filetransfer enable='%s'/>\n",
                                       switch_yes_no_names[graphics->filetransfer]);
        if (graphics->gl)
                g_string_append_printf(out, "      <gl enable='%s'/>\n", switch_yes_no_names[graphics->gl]);
        if (graphics->audio_id)
                g_string_append_printf(out, "      <audio id='%" PRIu32 "'/>\n", graphics->audio_id);
        g_string_append(out, "    </graphics>\n");
}

/* Ends an element whose attributes are written: empty, or with its <address> inside. */
static void append_address_and_close(GString *out, const VmAddress *address, const char *element) {
        if (address->type == VM_ADDRESS_NONE) {
                g_string_append(out, "/>\n");
                return;
        }
        g_string_append(out, ">\n");
        domain_xml_format_address(out, 3, address);
        g_string_append_printf(out, "    </%s>\n", element);
}

static void append_video(GString *out, const VmVideo *video) {
        g_string_append_printf(out, "    <video>\n      <model type='%s'", video_model_names[video->model]);
        if (video->ram)
                g_string_append_printf(out, " ram='%" PRIu32 "'", video->ram);
        if (video->vram)
                g_string_append_printf(out, " vram='%" PRIu32 "'", video->vram);
        if (video->vram64)
                g_string_append_printf(out, " vram64='%" PRIu32 "'", video->vram64);
        if (video->vgamem)
                g_string_append_printf(out, " vgamem='%" PRIu32 "'", video->vgamem);
        if (video->heads)
                g_string_append_printf(out, " heads='%" PRIu32 "'", video->heads);
        if (video->primary && video->model != VM_VIDEO_NONE)
                g_string_append(out, " primary='yes'");
        if (video->xres)
                g_string_append_printf(out, ">\n        <resolution x='%" PRIu32 "' y='%" PRIu32 "'/>\n      </model>\n",
                                       video->xres, video->yres);
        else
                g_string_append(out, "/>\n");
        if (vm_virtio_options_set(&video->virtio)) {
                g_string_append(out, "      <driver");
                domain_xml_format_virtio_options(out, &video->virtio);
                g_string_append(out, "/>\n");
        }
        if (video->alias)
                g_string_append_printf(out, "      <alias name='%s'/>\n", video->alias);
        domain_xml_format_address(out, 3, &video->address);
        g_string_append(out, "    </video>\n");
}

static void append_input(GString *out, const VmInput *input) {
        bool children =
                input->evdev || vm_virtio_options_set(&input->virtio) || input->address.type != VM_ADDRESS_NONE;

        /* As libvirt writes it: an evdev input without a bus. */
        g_string_append_printf(out, "    <input type='%s'", input_type_names[input->type]);
        if (input->bus != VM_INPUT_BUS_NONE)
                g_string_append_printf(out, " bus='%s'", input_bus_names[input->bus]);
        if (!children) {
                g_string_append(out, "/>\n");
                return;
        }
        g_string_append(out, ">\n");
        if (input->evdev) {
                g_string_append(out, "      <source");
                domain_xml_append_attr(out, input->type == VM_INPUT_EVDEV ? "dev" : "evdev", input->evdev);
                if (input->grab_all)
                        g_string_append(out, " grab='all'");
                if (input->grab_toggle != VM_GRAB_TOGGLE_DEFAULT)
                        g_string_append_printf(out, " grabToggle='%s'", grab_toggle_names[input->grab_toggle]);
                if (input->repeat != VM_SWITCH_DEFAULT)
                        g_string_append_printf(out, " repeat='%s'", input->repeat == VM_SWITCH_ON ? "on" : "off");
                g_string_append(out, "/>\n");
        }
        if (vm_virtio_options_set(&input->virtio)) {
                g_string_append(out, "      <driver");
                domain_xml_format_virtio_options(out, &input->virtio);
                g_string_append(out, "/>\n");
        }
        domain_xml_format_address(out, 3, &input->address);
        g_string_append(out, "    </input>\n");
}

static void append_redirdev(GString *out, const VmRedirdevSource *source, const VmAddress *address) {
        static const char *const types[] = {
                [VM_REDIRDEV_SPICEVMC] = "spicevmc", [VM_REDIRDEV_UNIX] = "unix", [VM_REDIRDEV_TCP] = "tcp"};

        g_string_append_printf(out, "    <redirdev bus='usb' type='%s'", types[source->type]);
        if (source->type == VM_REDIRDEV_SPICEVMC) {
                append_address_and_close(out, address, "redirdev");
                return;
        }
        g_string_append(out, ">\n");
        if (source->type == VM_REDIRDEV_UNIX) {
                g_string_append_printf(out, "      <source mode='%s'", source->bind ? "bind" : "connect");
                domain_xml_append_attr(out, "path", source->path);
        } else {
                g_string_append(out, "      <source mode='connect'");
                domain_xml_append_attr(out, "host", source->host);
                domain_xml_append_attr(out, "service", source->service);
        }
        g_string_append(out, "/>\n");
        g_string_append(out, "      <protocol type='raw'/>\n");
        domain_xml_format_address(out, 3, address);
        g_string_append(out, "    </redirdev>\n");
}

/* -1, or 0x and that many hex digits */
static void append_usb_id(GString *out, const char *name, int32_t value, int digits) {
        if (value < 0)
                g_string_append_printf(out, " %s='-1'", name);
        else
                g_string_append_printf(out, " %s='0x%0*x'", name, digits, (unsigned) value);
}

static void append_redirfilter(GString *out, const VmDisplay *display) {
        if (display->n_redirfilter == 0) {
                g_string_append(out, "    <redirfilter/>\n");
                return;
        }
        g_string_append(out, "    <redirfilter>\n");
        for (unsigned i = 0; i < display->n_redirfilter; i++) {
                const VmRedirFilterRule *rule = &display->redirfilter[i];

                g_string_append(out, "      <usbdev");
                append_usb_id(out, "class", rule->usb_class, 2);
                append_usb_id(out, "vendor", rule->vendor, 4);
                append_usb_id(out, "product", rule->product, 4);
                if (rule->version < 0)
                        g_string_append(out, " version='-1'");
                else
                        g_string_append_printf(out, " version='%x.%02x'", (unsigned) rule->version >> 8,
                                               (unsigned) rule->version & 0xff);
                g_string_append_printf(out, " allow='%s'/>\n", rule->allow ? "yes" : "no");
        }
        g_string_append(out, "    </redirfilter>\n");
}

void domain_xml_format_display(GString *out, const VmDisplay *display) {
        if (display->spice_agent_channel) {
                g_string_append(out, "    <channel type='spicevmc'>\n"
                                     "      <target type='virtio' name='" SPICE_AGENT_CHANNEL "'/>\n");
                domain_xml_format_address(out, 3, &display->spice_agent_address);
                g_string_append(out, "    </channel>\n");
        }
        for (guint i = 0; display->spiceports && i < display->spiceports->len; i++) {
                const VmSpicePort *port = display->spiceports->pdata[i];

                g_string_append_printf(out, "    <channel type='spiceport'>\n      <source channel='%s'/>\n",
                                       port->channel);
                if (port->name)
                        g_string_append_printf(out, "      <target type='virtio' name='%s'/>\n", port->name);
                else
                        g_string_append(out, "      <target type='virtio'/>\n");
                domain_xml_format_address(out, 3, &port->address);
                g_string_append(out, "    </channel>\n");
        }
        for (unsigned i = 0; i < display->n_inputs; i++) {
                const VmInput *input = &display->inputs[i];

                append_input(out, input);
        }
        for (unsigned i = 0; i < display->n_graphics; i++)
                append_graphics(out, &display->graphics[i]);
        for (unsigned i = 0; i < display->n_sounds; i++) {
                const VmSound *sound = &display->sounds[i];

                g_string_append_printf(out, "    <sound model='%s'", sound_model_names[sound->model]);
                if (!sound->audio_id && sound->n_codecs == 0) {
                        append_address_and_close(out, &sound->address, "sound");
                        continue;
                }
                g_string_append(out, ">\n");
                for (unsigned j = 0; j < sound->n_codecs; j++)
                        g_string_append_printf(out, "      <codec type='%s'/>\n", sound_codec_names[sound->codecs[j]]);
                if (sound->audio_id)
                        g_string_append_printf(out, "      <audio id='%" PRIu32 "'/>\n", sound->audio_id);
                domain_xml_format_address(out, 3, &sound->address);
                g_string_append(out, "    </sound>\n");
        }
        for (unsigned i = 0; i < display->n_audios; i++)
                domain_xml_format_audio(out, &display->audios[i]);
        for (unsigned i = 0; i < display->n_videos; i++)
                append_video(out, &display->videos[i]);
        for (unsigned i = 0; i < display->n_redirdevs; i++)
                append_redirdev(out, &display->redirdev_sources[i], &display->redirdev_addresses[i]);
        if (display->has_redirfilter)
                append_redirfilter(out, display);
        for (unsigned i = 0; i < display->n_hubs; i++) {
                g_string_append(out, "    <hub type='usb'");
                append_address_and_close(out, &display->hubs[i], "hub");
        }
        if (display->smartcard)
                append_smartcard(out, display->smartcard);
}
