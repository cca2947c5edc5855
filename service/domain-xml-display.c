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
#include "hv-error.h"

#define VIDEO_MEMORY_MAX_KIB (1024u * 1024u) /* 1 GiB */
#define SPICE_AGENT_CHANNEL "com.redhat.spice.0"

static const char *const graphics_type_names[] = {[VM_GRAPHICS_VNC] = "vnc", [VM_GRAPHICS_SPICE] = "spice", NULL};
static const char *const compression_names[] = {
        [VM_IMAGE_COMPRESSION_DEFAULT] = "",        [VM_IMAGE_COMPRESSION_AUTO_GLZ] = "auto_glz",
        [VM_IMAGE_COMPRESSION_AUTO_LZ] = "auto_lz", [VM_IMAGE_COMPRESSION_QUIC] = "quic",
        [VM_IMAGE_COMPRESSION_GLZ] = "glz",         [VM_IMAGE_COMPRESSION_LZ] = "lz",
        [VM_IMAGE_COMPRESSION_OFF] = "off",         NULL,
};
static const char *const video_model_names[] = {
        [VM_VIDEO_VIRTIO] = "virtio",
        [VM_VIDEO_QXL] = "qxl",
        [VM_VIDEO_VGA] = "vga",
        [VM_VIDEO_BOCHS] = "bochs",
        [VM_VIDEO_CIRRUS] = "cirrus",
        [VM_VIDEO_NONE] = "none",
        NULL,
};
static const char *const input_type_names[] = {
        [VM_INPUT_TABLET] = "tablet", [VM_INPUT_KEYBOARD] = "keyboard", [VM_INPUT_MOUSE] = "mouse", NULL};
static const char *const input_bus_names[] = {
        [VM_INPUT_BUS_USB] = "usb", [VM_INPUT_BUS_PS2] = "ps2", [VM_INPUT_BUS_VIRTIO] = "virtio", NULL};
static const char *const sound_model_names[] = {
        [VM_SOUND_ICH9] = "ich9", [VM_SOUND_ICH6] = "ich6", [VM_SOUND_AC97] = "ac97", [VM_SOUND_USB] = "usb", NULL};
static const char *const audio_type_names[] = {[VM_AUDIO_NONE] = "none", [VM_AUDIO_SPICE] = "spice", NULL};
static const char *const usb_names[] = {"usb", NULL};
static const char *const spicevmc_names[] = {"spicevmc", NULL};
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
static bool parse_number_attr(const xmlNode *node, const char *attribute, uint32_t min, uint32_t max, uint32_t *ret,
                              GError **error) {
        g_autofree char *value = xml_attr_value(node, attribute);
        g_autofree char *rule = NULL;
        char *end = NULL;
        guint64 number;

        if (!value)
                return true;
        number = g_ascii_strtoull(value, &end, 10);
        if (!g_ascii_isdigit(value[0]) || *end || number < min || number > max) {
                rule = g_strdup_printf("expected a number from %" PRIu32 " to %" PRIu32, min, max);
                return xml_fail_bad_value(error, node, attribute, value, rule);
        }
        *ret = (uint32_t) number;
        return true;
}

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
        if (type == 1) {
                if (!socket)
                        return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                        "'<listen type='socket'>' needs a 'socket' path (a socket the service "
                                        "would choose is not supported: use OpenGraphics)");
                if (!g_path_is_absolute(socket))
                        return xml_fail_bad_value(error, node, "socket", socket, "expected an absolute path");
                if (graphics->listen == VM_LISTEN_ADDRESS)
                        return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                        "a '<graphics>' listens on one address or socket");
                graphics->listen = VM_LISTEN_SOCKET;
                graphics->socket = g_steal_pointer(&socket);
                return true;
        }
        if (socket)
                return xml_fail_unsupported_value(error, node, "socket", socket);
        /* 'none', or libvirt's default 'address' without one: no listener, unless the
         * 'listen' attribute of <graphics> named an address. */
        return true;
}

static bool parse_graphics(const xmlNode *node, VmDisplay *display, GError **error) {
        static const char *const attributes[] = {"type", "port", "tlsPort", "autoport", "listen", NULL};
        static const char *const children[] = {"listen", "image", NULL};
        enum { G_LISTEN, G_IMAGE };
        xmlNode *c[G_N_ELEMENTS(children)] = {NULL};
        g_autofree char *listen = NULL, *port = NULL;
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
        /* virt-install writes port='-1' (choose one) and autoport='yes': the service chooses a
         * port at boot when the display listens on an address, and opens none otherwise. A live
         * definition names the port chosen. */
        port = xml_attr_value(node, "port");
        if (port && xml_lookup_name(minus_one_names, port) < 0) {
                uint32_t number = 0;
                if (!parse_number_attr(node, "port", 1024, 65535, &number, error))
                        goto fail;
                graphics.port = (uint16_t) number;
        }
        /* As libvirt: a port given means autoport='no' unless the document says otherwise. */
        if (!xml_attr_choice(node, "tlsPort", minus_one_names, 0, &choice, error) ||
            !xml_attr_choice(node, "autoport", yes_no_names, graphics.port ? 1 : 0, &choice, error))
                goto fail;
        graphics.autoport = choice == 0;
        if (c[G_LISTEN] && !parse_listen(c[G_LISTEN], &graphics, error))
                goto fail;
        if (graphics.port && graphics.listen != VM_LISTEN_ADDRESS) {
                refuse_network(error, node, "port", port);
                goto fail;
        }
        if (graphics.listen == VM_LISTEN_ADDRESS && !graphics.autoport && !graphics.port) {
                xml_fail(error, node, HV_ERROR_INVALID_XML, "'<graphics autoport='no'>' needs a 'port'");
                goto fail;
        }
        if (c[G_IMAGE]) {
                static const char *const image_attributes[] = {"compression", NULL};

                if (graphics.type != VM_GRAPHICS_SPICE) {
                        xml_fail_unsupported_element(error, c[G_IMAGE]);
                        goto fail;
                }
                if (!xml_check_empty_element(c[G_IMAGE], image_attributes, error) ||
                    !xml_attr_choice(c[G_IMAGE], "compression", compression_names + 1, -1, &choice, error))
                        goto fail;
                graphics.image_compression = (VmImageCompression) (choice + 1);
        }
        graphics.line = xml_line(node);
        display->graphics[display->n_graphics++] = graphics;
        return true;

fail:
        g_free(graphics.socket);
        g_free(graphics.address);
        return false;
}

/* ---- <video> ---- */

static bool parse_video(const xmlNode *node, VmDisplay *display, GError **error) {
        static const char *const children[] = { "model", "address", NULL };
        static const char *const model_attributes[] = { "type", "ram", "vram", "vgamem", "heads", "primary", NULL };
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
        if (!xml_check_empty_element(c[0], model_attributes, error) ||
            !xml_attr_choice(c[0], "type", video_model_names, -1, &choice, error) ||
            (c[1] && !domain_xml_parse_address(c[1], &video.address, error)))
                return false;
        video.model = (VmVideoModel) choice;
        if (!parse_number_attr(c[0], "ram", 1, VIDEO_MEMORY_MAX_KIB, &video.ram, error) ||
            !parse_number_attr(c[0], "vram", 1, VIDEO_MEMORY_MAX_KIB, &video.vram, error) ||
            !parse_number_attr(c[0], "vgamem", 1, VIDEO_MEMORY_MAX_KIB, &video.vgamem, error) ||
            !parse_number_attr(c[0], "heads", 1, 1, &video.heads, error) ||
            !xml_attr_choice(c[0], "primary", yes_no_names, 1, &choice, error))
                return false;
        video.primary = choice == 0;
        /* As QEMU's devices take them: qxl all three; vga, cirrus and bochs their vram, in the sizes
         * cirrus-vga (4, 8 or 16 MiB) and bochs-display (a power of two from 4 MiB to 256 MiB) have;
         * virtio none. */
        if (video.model != VM_VIDEO_QXL && (video.ram || video.vgamem))
                return xml_fail(error, c[0], HV_ERROR_NOT_SUPPORTED,
                                "'ram' and 'vgamem' are supported for '<model type='qxl'>' only");
        if (video.model == VM_VIDEO_VIRTIO && video.vram)
                return xml_fail(error, c[0], HV_ERROR_NOT_SUPPORTED,
                                "'vram' is supported for '<model type='qxl'>', 'vga', 'cirrus' and 'bochs' only");
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
        video.line = xml_line(node);
        display->videos[display->n_videos++] = video;
        return true;
}

/* ---- <input>, <sound>, <audio>, <redirdev>, <channel type='spicevmc'> ---- */

static bool parse_input(const xmlNode *node, VmDisplay *display, GError **error) {
        static const char *const attributes[] = { "type", "bus", NULL };
        static const char *const children[] = { "address", NULL };
        xmlNode *c[G_N_ELEMENTS(children)] = { NULL };
        VmInput input = { 0 };
        int type, bus;

        if (display->n_inputs >= VM_DISPLAY_ITEMS_MAX)
                return too_many(error, node);
        if (!xml_check_attributes(node, attributes, error) || !xml_check_element_content(node, error) ||
            !xml_collect_children(node, children, c, error) ||
            !xml_attr_choice(node, "type", input_type_names, -1, &type, error) ||
            (c[0] && !domain_xml_parse_address(c[0], &input.address, error)))
                return false;
        /* libvirt's x86 default: a tablet on USB, a mouse or keyboard on PS/2. */
        if (!xml_attr_choice(node, "bus", input_bus_names,
                             type == VM_INPUT_TABLET ? VM_INPUT_BUS_USB : VM_INPUT_BUS_PS2, &bus, error))
                return false;
        if (type == VM_INPUT_TABLET && bus == VM_INPUT_BUS_PS2)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED, "a tablet on bus 'ps2' is not supported");
        input.type = (VmInputType) type;
        input.bus = (VmInputBus) bus;
        input.line = xml_line(node);
        display->inputs[display->n_inputs++] = input;
        return true;
}

static bool parse_sound(const xmlNode *node, VmDisplay *display, GError **error) {
        static const char *const attributes[] = { "model", NULL };
        static const char *const children[] = { "audio", "address", NULL };
        static const char *const audio_attributes[] = { "id", NULL };
        xmlNode *c[G_N_ELEMENTS(children)] = { NULL };
        VmSound sound = { 0 };
        int model;

        if (display->n_sounds >= VM_DISPLAY_ITEMS_MAX)
                return too_many(error, node);
        if (!xml_check_attributes(node, attributes, error) || !xml_check_element_content(node, error) ||
            !xml_collect_children(node, children, c, error) ||
            !xml_attr_choice(node, "model", sound_model_names, -1, &model, error))
                return false;
        sound.model = (VmSoundModel) model;
        if (c[1] && !domain_xml_parse_address(c[1], &sound.address, error))
                return false;
        if (c[0]) {
                if (!xml_check_empty_element(c[0], audio_attributes, error))
                        return false;
                if (!has_attribute(c[0], "id"))
                        return xml_fail(error, c[0], HV_ERROR_INVALID_XML, "'<audio>' in '<sound>' needs an 'id'");
                if (!parse_number_attr(c[0], "id", 1, UINT32_MAX, &sound.audio_id, error))
                        return false;
        }
        sound.line = xml_line(node);
        display->sounds[display->n_sounds++] = sound;
        return true;
}

static bool parse_audio(const xmlNode *node, VmDisplay *display, GError **error) {
        static const char *const attributes[] = {"id", "type", NULL};
        VmAudio audio = {0};
        int type;

        if (display->n_audios >= VM_DISPLAY_ITEMS_MAX)
                return too_many(error, node);
        if (!xml_check_empty_element(node, attributes, error) ||
            !xml_attr_choice(node, "type", audio_type_names, -1, &type, error))
                return false;
        audio.type = (VmAudioType) type;
        if (!has_attribute(node, "id"))
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<audio>' needs an 'id'");
        if (!parse_number_attr(node, "id", 1, UINT32_MAX, &audio.id, error))
                return false;
        for (unsigned i = 0; i < display->n_audios; i++)
                if (display->audios[i].id == audio.id)
                        return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT, "audio id %" PRIu32 " is used twice",
                                        audio.id);
        audio.line = xml_line(node);
        display->audios[display->n_audios++] = audio;
        return true;
}

static bool parse_redirdev(const xmlNode *node, VmDisplay *display, GError **error) {
        static const char *const attributes[] = { "bus", "type", NULL };
        static const char *const children[] = { "address", NULL };
        xmlNode *c[G_N_ELEMENTS(children)] = { NULL };
        int choice;

        if (display->n_redirdevs >= VM_DISPLAY_ITEMS_MAX)
                return too_many(error, node);
        if (!xml_check_attributes(node, attributes, error) || !xml_check_element_content(node, error) ||
            !xml_collect_children(node, children, c, error) ||
            !xml_attr_choice(node, "bus", usb_names, 0, &choice, error) ||
            !xml_attr_choice(node, "type", spicevmc_names, -1, &choice, error) ||
            (c[0] && !domain_xml_parse_address(c[0], &display->redirdev_addresses[display->n_redirdevs], error)))
                return false;
        display->redirdev_lines[display->n_redirdevs++] = xml_line(node);
        return true;
}

/* <hub type='usb'>, as libvirt's usb-hub.xml: where it sits is its <address type='usb'>. */
static bool parse_hub(const xmlNode *node, VmDisplay *display, GError **error) {
        static const char *const attributes[] = { "type", NULL };
        static const char *const children[] = { "address", NULL };
        xmlNode *c[G_N_ELEMENTS(children)] = { NULL };
        VmAddress *address = &display->hubs[display->n_hubs];
        int choice;

        if (display->n_hubs >= VM_DISPLAY_ITEMS_MAX)
                return too_many(error, node);
        if (!xml_check_attributes(node, attributes, error) || !xml_check_element_content(node, error) ||
            !xml_collect_children(node, children, c, error) ||
            !xml_attr_choice(node, "type", usb_names, -1, &choice, error) ||
            (c[0] && !domain_xml_parse_address(c[0], address, error)))
                return false;
        if (address->type != VM_ADDRESS_NONE && address->type != VM_ADDRESS_USB)
                return xml_fail(error, c[0], HV_ERROR_INVALID_ARGUMENT, "a '<hub>' has a USB '<address>' only");
        display->hub_lines[display->n_hubs++] = xml_line(node);
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

/* ---- the dispatch ---- */

static bool is_spicevmc_channel(const xmlNode *node) {
        g_autofree char *type = NULL;

        if (!xml_is_element(node, "channel"))
                return false;
        type = xml_attr_value(node, "type");
        return type && g_str_equal(type, "spicevmc");
}

bool domain_xml_is_display_element(const xmlNode *node) {
        static const char *const names[] = {"graphics", "video", "input", "sound", "audio", "redirdev", "hub", NULL};

        for (size_t i = 0; names[i]; i++)
                if (xml_is_element(node, names[i]))
                        return true;
        return is_spicevmc_channel(node);
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
                return parse_audio(node, display, error);
        if (xml_is_element(node, "redirdev"))
                return parse_redirdev(node, display, error);
        if (xml_is_element(node, "hub"))
                return parse_hub(node, display, error);
        if (is_spicevmc_channel(node))
                return parse_spice_channel(node, display, error);
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

        if (!spice && display->n_redirdevs > 0)
                return xml_fail(error, devices, HV_ERROR_INVALID_ARGUMENT,
                                "'<redirdev type='spicevmc'>' needs a '<graphics type='spice'>'");
        if (!spice && display->spice_agent_channel)
                return xml_fail(error, devices, HV_ERROR_INVALID_ARGUMENT,
                                "'<channel type='spicevmc'>' needs a '<graphics type='spice'>'");
        for (unsigned i = 0; i < display->n_audios; i++)
                if (!spice && display->audios[i].type == VM_AUDIO_SPICE)
                        return xml_fail(error, devices, HV_ERROR_INVALID_ARGUMENT,
                                        "'<audio type='spice'>' needs a '<graphics type='spice'>'");
        if (!order_videos(devices, display, error))
                return false;

        /* libvirt's defaults, written out: a display has a video device, a sound card an audio backend. */
        if (display->n_graphics > 0 && display->n_videos == 0)
                display->videos[display->n_videos++] = (VmVideo){
                        .model = spice ? VM_VIDEO_QXL : VM_VIDEO_VGA,
                        .primary = true,
                };
        if (display->n_sounds > 0 && display->n_audios == 0)
                display->audios[display->n_audios++] = (VmAudio){
                        .id = 1,
                        .type = spice ? VM_AUDIO_SPICE : VM_AUDIO_NONE,
                };
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
                g_string_append_printf(out, "    <graphics type='%s' port='%u' autoport='%s' listen='%s'>\n", type,
                                       (unsigned) graphics->port, graphics->autoport ? "yes" : "no",
                                       graphics->address);
        else if (graphics->listen == VM_LISTEN_ADDRESS)
                g_string_append_printf(out, "    <graphics type='%s' port='-1' autoport='yes' listen='%s'>\n", type,
                                       graphics->address);
        else
                g_string_append_printf(out, "    <graphics type='%s'>\n", type);

        if (graphics->listen == VM_LISTEN_ADDRESS) {
                g_string_append_printf(out, "      <listen type='address' address='%s'/>\n", graphics->address);
        } else if (graphics->listen == VM_LISTEN_SOCKET) {
                g_autofree char *escaped = g_markup_escape_text(graphics->socket, -1);
                g_string_append_printf(out, "      <listen type='socket' socket='%s'/>\n", escaped);
        } else {
                g_string_append(out, "      <listen type='none'/>\n");
        }
        if (graphics->image_compression != VM_IMAGE_COMPRESSION_DEFAULT)
                g_string_append_printf(out, "      <image compression='%s'/>\n",
                                       compression_names[graphics->image_compression]);
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
        if (video->vgamem)
                g_string_append_printf(out, " vgamem='%" PRIu32 "'", video->vgamem);
        if (video->heads)
                g_string_append_printf(out, " heads='%" PRIu32 "'", video->heads);
        if (video->primary && video->model != VM_VIDEO_NONE)
                g_string_append(out, " primary='yes'");
        g_string_append(out, "/>\n");
        domain_xml_format_address(out, 3, &video->address);
        g_string_append(out, "    </video>\n");
}

void domain_xml_format_display(GString *out, const VmDisplay *display) {
        if (display->spice_agent_channel) {
                g_string_append(out, "    <channel type='spicevmc'>\n"
                                     "      <target type='virtio' name='" SPICE_AGENT_CHANNEL "'/>\n");
                domain_xml_format_address(out, 3, &display->spice_agent_address);
                g_string_append(out, "    </channel>\n");
        }
        for (unsigned i = 0; i < display->n_inputs; i++) {
                const VmInput *input = &display->inputs[i];

                g_string_append_printf(out, "    <input type='%s' bus='%s'", input_type_names[input->type],
                                       input_bus_names[input->bus]);
                append_address_and_close(out, &input->address, "input");
        }
        for (unsigned i = 0; i < display->n_graphics; i++)
                append_graphics(out, &display->graphics[i]);
        for (unsigned i = 0; i < display->n_sounds; i++) {
                const VmSound *sound = &display->sounds[i];

                g_string_append_printf(out, "    <sound model='%s'", sound_model_names[sound->model]);
                if (!sound->audio_id) {
                        append_address_and_close(out, &sound->address, "sound");
                        continue;
                }
                g_string_append_printf(out, ">\n      <audio id='%" PRIu32 "'/>\n", sound->audio_id);
                domain_xml_format_address(out, 3, &sound->address);
                g_string_append(out, "    </sound>\n");
        }
        for (unsigned i = 0; i < display->n_audios; i++)
                g_string_append_printf(out, "    <audio id='%" PRIu32 "' type='%s'/>\n", display->audios[i].id,
                                       audio_type_names[display->audios[i].type]);
        for (unsigned i = 0; i < display->n_videos; i++)
                append_video(out, &display->videos[i]);
        for (unsigned i = 0; i < display->n_redirdevs; i++) {
                g_string_append(out, "    <redirdev bus='usb' type='spicevmc'");
                append_address_and_close(out, &display->redirdev_addresses[i], "redirdev");
        }
        for (unsigned i = 0; i < display->n_hubs; i++) {
                g_string_append(out, "    <hub type='usb'");
                append_address_and_close(out, &display->hubs[i], "hub");
        }
}
