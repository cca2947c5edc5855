/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include "vm-display.h"

const char *const vm_keymap_names[] = {
        "ar", "bepo",  "cz",    "da",    "de",    "de-ch", "en-gb", "en-us", "es", "et", "fi", "fo",
        "fr", "fr-be", "fr-ca", "fr-ch", "hr",    "hu",    "is",    "it",    "ja", "lt", "lv", "mk",
        "nl", "no",    "pl",    "pt",    "pt-br", "ru",    "sl",    "sv",    "th", "tr", NULL,
};

const char *const vm_spice_image_compression_names[] = {
        [VM_IMAGE_COMPRESSION_DEFAULT] = "",        [VM_IMAGE_COMPRESSION_AUTO_GLZ] = "auto_glz",
        [VM_IMAGE_COMPRESSION_AUTO_LZ] = "auto_lz", [VM_IMAGE_COMPRESSION_QUIC] = "quic",
        [VM_IMAGE_COMPRESSION_GLZ] = "glz",         [VM_IMAGE_COMPRESSION_LZ] = "lz",
        [VM_IMAGE_COMPRESSION_OFF] = "off",         NULL,
};
const char *const vm_spice_wan_compression_names[] = {
        [VM_SPICE_WAN_DEFAULT] = "", [VM_SPICE_WAN_AUTO] = "auto", [VM_SPICE_WAN_NEVER] = "never",
        [VM_SPICE_WAN_ALWAYS] = "always", NULL,
};
const char *const vm_spice_streaming_names[] = {
        [VM_SPICE_STREAMING_DEFAULT] = "", [VM_SPICE_STREAMING_FILTER] = "filter", [VM_SPICE_STREAMING_ALL] = "all",
        [VM_SPICE_STREAMING_OFF] = "off",  NULL,
};

void vm_audio_stream_free(VmAudioStream *stream) {
        if (!stream)
                return;
        g_free(stream->dev);
        g_free(stream->name);
        g_free(stream->stream_name);
        g_free(stream->server_name);
        g_free(stream->client_name);
        g_free(stream->connect_ports);
        g_free(stream);
}

static VmAudioStream *audio_stream_copy(const VmAudioStream *src) {
        VmAudioStream *copy;

        if (!src)
                return NULL;
        copy = g_memdup2(src, sizeof(*src));
        copy->dev = g_strdup(src->dev);
        copy->name = g_strdup(src->name);
        copy->stream_name = g_strdup(src->stream_name);
        copy->server_name = g_strdup(src->server_name);
        copy->client_name = g_strdup(src->client_name);
        copy->connect_ports = g_strdup(src->connect_ports);
        return copy;
}

void vm_audio_clear(VmAudio *audio) {
        vm_audio_stream_free(audio->input);
        vm_audio_stream_free(audio->output);
        g_free(audio->path);
        g_free(audio->server_name);
        memset(audio, 0, sizeof(*audio));
}

void vm_smartcard_free(VmSmartcard *smartcard) {
        if (!smartcard)
                return;
        for (unsigned i = 0; i < VM_SMARTCARD_CERTIFICATES; i++)
                g_free(smartcard->certificates[i]);
        g_free(smartcard->database);
        g_free(smartcard->socket);
        g_free(smartcard);
}

static VmSmartcard *smartcard_copy(const VmSmartcard *src) {
        VmSmartcard *copy;

        if (!src)
                return NULL;
        copy = g_memdup2(src, sizeof(*src));
        for (unsigned i = 0; i < VM_SMARTCARD_CERTIFICATES; i++)
                copy->certificates[i] = g_strdup(src->certificates[i]);
        copy->database = g_strdup(src->database);
        copy->socket = g_strdup(src->socket);
        return copy;
}

void vm_spiceport_free(VmSpicePort *port) {
        if (!port)
                return;
        g_free(port->channel);
        g_free(port->name);
        g_free(port);
}

VmSpicePort *vm_display_add_spiceport(VmDisplay *display, char *channel, char *name) {
        VmSpicePort *port = g_new0(VmSpicePort, 1);

        if (!display->spiceports)
                display->spiceports = g_ptr_array_new_with_free_func((GDestroyNotify) vm_spiceport_free);
        port->channel = channel;
        port->name = name;
        g_ptr_array_add(display->spiceports, port);
        return port;
}

void vm_display_clear(VmDisplay *display) {
        if (display->spiceports)
                g_ptr_array_unref(display->spiceports);
        vm_smartcard_free(display->smartcard);
        g_free(display->redirfilter);
        for (unsigned i = 0; i < display->n_redirdevs; i++) {
                g_free(display->redirdev_sources[i].path);
                g_free(display->redirdev_sources[i].host);
                g_free(display->redirdev_sources[i].service);
        }
        g_free(display->redirdev_sources);
        g_free(display->redirdev_addresses);
        g_free(display->redirdev_lines);
        for (unsigned i = 0; i < display->n_graphics; i++) {
                g_free(display->graphics[i].socket);
                g_free(display->graphics[i].address);
        }
        g_free(display->graphics);
        for (unsigned i = 0; i < display->n_audios; i++)
                vm_audio_clear(&display->audios[i]);
        g_free(display->audios);
        for (unsigned i = 0; i < display->n_inputs; i++)
                g_free(display->inputs[i].evdev);
        g_free(display->inputs);
        for (unsigned i = 0; i < display->n_videos; i++)
                g_free(display->videos[i].alias);
        g_free(display->videos);
        g_free(display->sounds);
        g_free(display->hubs);
        g_free(display->hub_lines);
        memset(display, 0, sizeof(*display));
}

/* A copy of the n items of size `size` at src, NULL when there are none. */
static void *items_copy(const void *src, unsigned n, size_t size) {
        return n > 0 ? g_memdup2(src, n * size) : NULL;
}

void vm_display_copy(VmDisplay *dest, const VmDisplay *src) {
        *dest = *src;
        dest->spiceports = NULL;
        for (guint i = 0; src->spiceports && i < src->spiceports->len; i++) {
                const VmSpicePort *port = src->spiceports->pdata[i];
                VmSpicePort *copy = vm_display_add_spiceport(dest, g_strdup(port->channel), g_strdup(port->name));

                copy->address = port->address;
                copy->line = port->line;
        }
        dest->graphics = items_copy(src->graphics, src->n_graphics, sizeof(VmGraphics));
        for (unsigned i = 0; i < dest->n_graphics; i++) {
                dest->graphics[i].socket = g_strdup(src->graphics[i].socket);
                dest->graphics[i].address = g_strdup(src->graphics[i].address);
        }
        dest->inputs = items_copy(src->inputs, src->n_inputs, sizeof(VmInput));
        for (unsigned i = 0; i < dest->n_inputs; i++)
                dest->inputs[i].evdev = g_strdup(src->inputs[i].evdev);
        dest->videos = items_copy(src->videos, src->n_videos, sizeof(VmVideo));
        for (unsigned i = 0; i < dest->n_videos; i++)
                dest->videos[i].alias = g_strdup(src->videos[i].alias);
        dest->sounds = items_copy(src->sounds, src->n_sounds, sizeof(VmSound));
        dest->hubs = items_copy(src->hubs, src->n_hubs, sizeof(VmAddress));
        dest->hub_lines = items_copy(src->hub_lines, src->n_hubs, sizeof(uint32_t));
        dest->smartcard = smartcard_copy(src->smartcard);
        dest->redirfilter =
                src->redirfilter ? g_memdup2(src->redirfilter, src->n_redirfilter * sizeof(VmRedirFilterRule)) : NULL;
        dest->redirdev_addresses = items_copy(src->redirdev_addresses, src->n_redirdevs, sizeof(VmAddress));
        dest->redirdev_lines = items_copy(src->redirdev_lines, src->n_redirdevs, sizeof(uint32_t));
        dest->redirdev_sources = items_copy(src->redirdev_sources, src->n_redirdevs, sizeof(VmRedirdevSource));
        for (unsigned i = 0; i < dest->n_redirdevs; i++) {
                dest->redirdev_sources[i].path = g_strdup(src->redirdev_sources[i].path);
                dest->redirdev_sources[i].host = g_strdup(src->redirdev_sources[i].host);
                dest->redirdev_sources[i].service = g_strdup(src->redirdev_sources[i].service);
        }
        dest->audios = items_copy(src->audios, src->n_audios, sizeof(VmAudio));
        for (unsigned i = 0; i < dest->n_audios; i++) {
                dest->audios[i].input = audio_stream_copy(src->audios[i].input);
                dest->audios[i].output = audio_stream_copy(src->audios[i].output);
                dest->audios[i].path = g_strdup(src->audios[i].path);
                dest->audios[i].server_name = g_strdup(src->audios[i].server_name);
        }
}

VmGraphics *vm_display_add_graphics(VmDisplay *display) {
        display->graphics = g_renew(VmGraphics, display->graphics, display->n_graphics + 1);
        memset(&display->graphics[display->n_graphics], 0, sizeof(VmGraphics));
        return &display->graphics[display->n_graphics++];
}

VmVideo *vm_display_add_video(VmDisplay *display) {
        display->videos = g_renew(VmVideo, display->videos, display->n_videos + 1);
        memset(&display->videos[display->n_videos], 0, sizeof(VmVideo));
        return &display->videos[display->n_videos++];
}

VmInput *vm_display_add_input(VmDisplay *display) {
        display->inputs = g_renew(VmInput, display->inputs, display->n_inputs + 1);
        memset(&display->inputs[display->n_inputs], 0, sizeof(VmInput));
        return &display->inputs[display->n_inputs++];
}

VmSound *vm_display_add_sound(VmDisplay *display) {
        display->sounds = g_renew(VmSound, display->sounds, display->n_sounds + 1);
        memset(&display->sounds[display->n_sounds], 0, sizeof(VmSound));
        return &display->sounds[display->n_sounds++];
}

VmAudio *vm_display_add_audio(VmDisplay *display) {
        display->audios = g_renew(VmAudio, display->audios, display->n_audios + 1);
        memset(&display->audios[display->n_audios], 0, sizeof(VmAudio));
        return &display->audios[display->n_audios++];
}

VmRedirdevSource *vm_display_add_redirdev(VmDisplay *display) {
        unsigned n = display->n_redirdevs;

        display->redirdev_sources = g_renew(VmRedirdevSource, display->redirdev_sources, n + 1);
        display->redirdev_addresses = g_renew(VmAddress, display->redirdev_addresses, n + 1);
        display->redirdev_lines = g_renew(uint32_t, display->redirdev_lines, n + 1);
        memset(&display->redirdev_sources[n], 0, sizeof(VmRedirdevSource));
        memset(&display->redirdev_addresses[n], 0, sizeof(VmAddress));
        display->redirdev_lines[n] = 0;
        display->n_redirdevs = n + 1;
        return &display->redirdev_sources[n];
}

VmAddress *vm_display_add_hub(VmDisplay *display) {
        unsigned n = display->n_hubs;

        display->hubs = g_renew(VmAddress, display->hubs, n + 1);
        display->hub_lines = g_renew(uint32_t, display->hub_lines, n + 1);
        memset(&display->hubs[n], 0, sizeof(VmAddress));
        display->hub_lines[n] = 0;
        display->n_hubs = n + 1;
        return &display->hubs[n];
}

bool vm_display_is_empty(const VmDisplay *display) {
        return display->n_graphics == 0 && display->n_videos == 0 && display->n_inputs == 0 &&
               display->n_sounds == 0 && display->n_audios == 0 && display->n_redirdevs == 0 &&
               !display->spice_agent_channel && !display->spiceports && display->n_hubs == 0 && !display->smartcard &&
               !display->has_redirfilter;
}

const VmGraphics *vm_display_find_graphics(const VmDisplay *display, VmGraphicsType type) {
        for (unsigned i = 0; i < display->n_graphics; i++)
                if (display->graphics[i].type == type)
                        return &display->graphics[i];
        return NULL;
}

bool vm_display_needs_usb(const VmDisplay *display) {
        if (display->n_redirdevs > 0 || display->n_hubs > 0 || display->smartcard)
                return true;
        for (unsigned i = 0; i < display->n_inputs; i++)
                if (display->inputs[i].bus == VM_INPUT_BUS_USB)
                        return true;
        for (unsigned i = 0; i < display->n_sounds; i++)
                if (display->sounds[i].model == VM_SOUND_USB)
                        return true;
        return false;
}

const char *vm_graphics_type_to_string(VmGraphicsType type) {
        return type == VM_GRAPHICS_SPICE ? "spice" : "vnc";
}

bool vm_display_graphics_equal(const VmDisplay *a, const VmDisplay *b) {
        if (a->n_graphics != b->n_graphics)
                return false;
        for (unsigned i = 0; i < a->n_graphics; i++)
                if (a->graphics[i].type != b->graphics[i].type || a->graphics[i].listen != b->graphics[i].listen ||
                    g_strcmp0(a->graphics[i].socket, b->graphics[i].socket) != 0 ||
                    g_strcmp0(a->graphics[i].address, b->graphics[i].address) != 0 ||
                    a->graphics[i].port != b->graphics[i].port)
                        return false;
        return true;
}
