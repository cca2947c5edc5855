/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Domain XML <-> VmAudio: <audio> in <devices>, a backend of QEMU's sound (-audiodev), with its
 * <input> and <output> settings, as libvirt 9.0 reads them. Each backend takes its own attributes;
 * one of another backend is refused, as libvirt's schema does.
 *
 * QEMU runs as the VM's owner, outside the owner's desktop session: what a backend opens (an
 * OSS device, a file, a PulseAudio or JACK server) is opened by QEMU as the owner. A backend
 * that cannot reach its server makes QEMU fail at Boot, in QEMU's words.
 */

#include <inttypes.h>
#include <string.h>

#include "domain-xml-display.h"
#include "domain-xml-reader.h"
#include "domain-xml-writer.h"
#include "hv-error.h"

static const char *const audio_type_names[] = {
        [VM_AUDIO_NONE] = "none",
        [VM_AUDIO_SPICE] = "spice",
        [VM_AUDIO_ALSA] = "alsa",
        [VM_AUDIO_OSS] = "oss",
        [VM_AUDIO_PULSEAUDIO] = "pulseaudio",
        [VM_AUDIO_SDL] = "sdl",
        [VM_AUDIO_JACK] = "jack",
        [VM_AUDIO_FILE] = "file",
        NULL,
};
static const char *const format_names[] = {
        [VM_AUDIO_FORMAT_DEFAULT] = "", [VM_AUDIO_FORMAT_U8] = "u8",   [VM_AUDIO_FORMAT_S8] = "s8",
        [VM_AUDIO_FORMAT_U16] = "u16",  [VM_AUDIO_FORMAT_S16] = "s16", [VM_AUDIO_FORMAT_U32] = "u32",
        [VM_AUDIO_FORMAT_S32] = "s32",  [VM_AUDIO_FORMAT_F32] = "f32", NULL,
};
static const char *const sdl_driver_names[] = {
        [VM_SDL_AUDIO_DEFAULT] = "",
        [VM_SDL_AUDIO_ESD] = "esd",
        [VM_SDL_AUDIO_ALSA] = "alsa",
        [VM_SDL_AUDIO_ARTS] = "arts",
        [VM_SDL_AUDIO_PULSEAUDIO] = "pulseaudio",
        NULL,
};
/* VmSwitch, as libvirt's yes/no attributes */
static const char *const yes_no_names[] = {
        [VM_SWITCH_DEFAULT] = "", [VM_SWITCH_ON] = "yes", [VM_SWITCH_OFF] = "no", NULL};

static bool has_attribute(const xmlNode *node, const char *name) {
        g_autofree char *value = xml_attr_value(node, name);
        return value != NULL;
}


/* An attribute of names[1...]; absent gives 0 (names[0] is the "not written" one). */
static bool parse_optional_choice(const xmlNode *node, const char *attribute, const char *const *names, int *ret,
                                  GError **error) {
        int choice;

        *ret = 0;
        if (!has_attribute(node, attribute))
                return true;
        if (!xml_attr_choice(node, attribute, names + 1, 0, &choice, error))
                return false;
        *ret = choice + 1;
        return true;
}

/* yes/no: absent is VM_SWITCH_DEFAULT. */
static bool parse_yes_no(const xmlNode *node, const char *attribute, VmSwitch *ret, GError **error) {
        int choice;

        if (!parse_optional_choice(node, attribute, yes_no_names, &choice, error))
                return false;
        *ret = (VmSwitch) choice;
        return true;
}

/* The attributes an <input> or <output> of this backend takes. */
static const char *const *stream_attributes(VmAudioType type) {
        static const char *const common[] = {"mixingEngine", "fixedSettings", "voices", "bufferLength", NULL};
        static const char *const alsa[] = {"mixingEngine", "fixedSettings", "voices", "bufferLength", "dev", NULL};
        static const char *const oss[] = {"mixingEngine", "fixedSettings", "voices",  "bufferLength",
                                          "dev",          "bufferCount",   "tryPoll", NULL};
        static const char *const pulseaudio[] = {"mixingEngine", "fixedSettings", "voices",  "bufferLength",
                                                 "name",         "streamName",    "latency", NULL};
        static const char *const sdl[] = {"mixingEngine", "fixedSettings", "voices",
                                          "bufferLength", "bufferCount",   NULL};
        static const char *const jack[] = {"mixingEngine", "fixedSettings", "voices",
                                           "bufferLength", "serverName",    "clientName",
                                           "connectPorts", "exactName",     NULL};

        switch (type) {
        case VM_AUDIO_ALSA:
                return alsa;
        case VM_AUDIO_OSS:
                return oss;
        case VM_AUDIO_PULSEAUDIO:
                return pulseaudio;
        case VM_AUDIO_SDL:
                return sdl;
        case VM_AUDIO_JACK:
                return jack;
        default:
                return common;
        }
}

static bool parse_stream(const xmlNode *node, VmAudioType type, VmAudioStream *stream, GError **error) {
        static const char *const children[] = {"settings", NULL};
        static const char *const settings_attributes[] = {"frequency", "channels", "format", NULL};
        xmlNode *c[G_N_ELEMENTS(children)] = {NULL};
        int choice;

        if (!xml_check_attributes(node, stream_attributes(type), error) || !xml_check_element_content(node, error) ||
            !xml_collect_children(node, children, c, error) ||
            !parse_yes_no(node, "mixingEngine", &stream->mixing_engine, error) ||
            !parse_yes_no(node, "fixedSettings", &stream->fixed_settings, error) ||
            !xml_attr_uint32(node, "voices", 1, UINT32_MAX, &stream->voices, error) ||
            !xml_attr_uint32(node, "bufferLength", 1, UINT32_MAX, &stream->buffer_length, error))
                return false;
        /* As libvirt: QEMU fixes the settings only through its mixing engine. */
        if (stream->fixed_settings == VM_SWITCH_ON && stream->mixing_engine != VM_SWITCH_ON)
                return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT,
                                "fixedSettings='yes' needs mixingEngine='yes' (fixed audio settings go through "
                                "QEMU's mixing engine)");
        if (c[0]) {
                if (stream->fixed_settings != VM_SWITCH_ON)
                        return xml_fail(error, c[0], HV_ERROR_INVALID_ARGUMENT,
                                        "'<settings>' needs fixedSettings='yes' in its '<input>' or '<output>'");
                if (!xml_check_empty_element(c[0], settings_attributes, error) ||
                    !xml_attr_uint32(c[0], "frequency", 1, UINT32_MAX, &stream->frequency, error) ||
                    !xml_attr_uint32(c[0], "channels", 1, UINT32_MAX, &stream->channels, error) ||
                    !parse_optional_choice(c[0], "format", format_names, &choice, error))
                        return false;
                stream->format = (VmAudioFormat) choice;
        }
        stream->dev = xml_attr_value(node, "dev");
        stream->name = xml_attr_value(node, "name");
        stream->stream_name = xml_attr_value(node, "streamName");
        stream->server_name = xml_attr_value(node, "serverName");
        stream->client_name = xml_attr_value(node, "clientName");
        stream->connect_ports = xml_attr_value(node, "connectPorts");
        return xml_attr_uint32(node, "bufferCount", 0, UINT32_MAX, &stream->buffer_count, error) &&
               xml_attr_uint32(node, "latency", 0, UINT32_MAX, &stream->latency, error) &&
               parse_yes_no(node, "tryPoll", &stream->try_poll, error) &&
               parse_yes_no(node, "exactName", &stream->exact_name, error);
}

/* The attributes <audio> of this backend takes. */
static const char *const *audio_attributes(VmAudioType type) {
        static const char *const common[] = {"id", "type", "timerPeriod", NULL};
        static const char *const oss[] = {"id", "type", "timerPeriod", "tryMMap", "exclusive", "dspPolicy", NULL};
        static const char *const pulseaudio[] = {"id", "type", "timerPeriod", "serverName", NULL};
        static const char *const sdl[] = {"id", "type", "timerPeriod", "driver", NULL};
        static const char *const file[] = {"id", "type", "timerPeriod", "path", NULL};

        switch (type) {
        case VM_AUDIO_OSS:
                return oss;
        case VM_AUDIO_PULSEAUDIO:
                return pulseaudio;
        case VM_AUDIO_SDL:
                return sdl;
        case VM_AUDIO_FILE:
                return file;
        default:
                return common;
        }
}

/* The type, with the reason of those QEMU 7.2 of Debian has not. */
static bool parse_type(const xmlNode *node, VmAudioType *ret, GError **error) {
        g_autofree char *type = xml_attr_value(node, "type");
        int choice;

        if (type && g_str_equal(type, "coreaudio"))
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "type='coreaudio' of '<audio>' is not supported: QEMU has Core Audio on macOS only");
        if (type && g_str_equal(type, "dbus"))
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "type='dbus' of '<audio>' is not supported: it needs a '<graphics type='dbus'>', "
                                "which is not supported");
        if (!xml_attr_choice(node, "type", audio_type_names, -1, &choice, error))
                return false;
        *ret = (VmAudioType) choice;
        return true;
}

static bool parse_backend(const xmlNode *node, VmAudio *audio, GError **error) {
        static const char *const children[] = {"input", "output", NULL};
        xmlNode *c[G_N_ELEMENTS(children)] = {NULL};
        g_autofree char *policy = NULL;
        int choice;

        if (!parse_type(node, &audio->type, error) ||
            !xml_check_attributes(node, audio_attributes(audio->type), error) ||
            !xml_check_element_content(node, error) || !xml_collect_children(node, children, c, error))
                return false;
        if (!has_attribute(node, "id"))
                return xml_fail(error, node, HV_ERROR_INVALID_XML, "'<audio>' needs an 'id'");
        if (!xml_attr_uint32(node, "id", 1, UINT32_MAX, &audio->id, error) ||
            !xml_attr_uint32(node, "timerPeriod", 1, UINT32_MAX, &audio->timer_period, error))
                return false;
        if (c[0]) {
                audio->input = g_new0(VmAudioStream, 1);
                if (!parse_stream(c[0], audio->type, audio->input, error))
                        return false;
        }
        if (c[1]) {
                audio->output = g_new0(VmAudioStream, 1);
                if (!parse_stream(c[1], audio->type, audio->output, error))
                        return false;
        }
        audio->server_name = xml_attr_value(node, "serverName");
        audio->path = xml_attr_value(node, "path");
        if (audio->type == VM_AUDIO_FILE && !audio->path)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                "'<audio type='file'>' without a 'path' is not supported: QEMU would write qemu.wav "
                                "in its working directory, which is not yours; name an absolute path");
        if (audio->path && !g_path_is_absolute(audio->path))
                return xml_fail_bad_value(error, node, "path", audio->path,
                                          "expected an absolute path (QEMU's working directory is not yours)");
        policy = xml_attr_value(node, "dspPolicy");
        if (policy) {
                if (!xml_attr_uint32(node, "dspPolicy", 0, UINT32_MAX, &audio->dsp_policy, error))
                        return false;
                audio->has_dsp_policy = true;
        }
        if (!parse_yes_no(node, "tryMMap", &audio->try_mmap, error) ||
            !parse_yes_no(node, "exclusive", &audio->exclusive, error) ||
            !parse_optional_choice(node, "driver", sdl_driver_names, &choice, error))
                return false;
        audio->sdl_driver = (VmSdlAudioDriver) choice;
        return true;
}

bool domain_xml_parse_audio(const xmlNode *node, VmDisplay *display, GError **error) {
        VmAudio audio = {0};

        if (display->n_audios >= VM_DISPLAY_ITEMS_MAX) {
                g_autofree char *label = xml_element_label(node);
                return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT, "a VM has at most %u %s elements",
                                (unsigned) VM_DISPLAY_ITEMS_MAX, label);
        }
        if (!parse_backend(node, &audio, error))
                goto fail;
        for (unsigned i = 0; i < display->n_audios; i++) {
                if (display->audios[i].id == audio.id) {
                        xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT, "audio id %" PRIu32 " is used twice",
                                 audio.id);
                        goto fail;
                }
                /* SDL takes its driver from the environment of the whole QEMU process. */
                if (audio.type == VM_AUDIO_SDL && display->audios[i].type == VM_AUDIO_SDL &&
                    audio.sdl_driver != display->audios[i].sdl_driver) {
                        xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                 "two '<audio type='sdl'>' with different drivers are not supported: QEMU's "
                                 "SDL has one driver");
                        goto fail;
                }
        }
        *vm_display_add_audio(display) = audio;
        return true;

fail:
        vm_audio_clear(&audio);
        return false;
}

/* ---- writing ---- */

static void append_number_attribute(GString *out, const char *name, uint32_t value) {
        if (value)
                g_string_append_printf(out, " %s='%" PRIu32 "'", name, value);
}

static void append_switch_attribute(GString *out, const char *name, VmSwitch value) {
        if (value != VM_SWITCH_DEFAULT)
                g_string_append_printf(out, " %s='%s'", name, yes_no_names[value]);
}

static void append_stream(GString *out, const char *element, const VmAudioStream *stream) {
        bool settings = stream->frequency || stream->channels || stream->format != VM_AUDIO_FORMAT_DEFAULT;

        g_string_append_printf(out, "      <%s", element);
        append_switch_attribute(out, "mixingEngine", stream->mixing_engine);
        append_switch_attribute(out, "fixedSettings", stream->fixed_settings);
        append_number_attribute(out, "voices", stream->voices);
        append_number_attribute(out, "bufferLength", stream->buffer_length);
        domain_xml_append_attr(out, "dev", stream->dev);
        append_number_attribute(out, "bufferCount", stream->buffer_count);
        append_switch_attribute(out, "tryPoll", stream->try_poll);
        domain_xml_append_attr(out, "name", stream->name);
        domain_xml_append_attr(out, "streamName", stream->stream_name);
        append_number_attribute(out, "latency", stream->latency);
        domain_xml_append_attr(out, "serverName", stream->server_name);
        domain_xml_append_attr(out, "clientName", stream->client_name);
        domain_xml_append_attr(out, "connectPorts", stream->connect_ports);
        append_switch_attribute(out, "exactName", stream->exact_name);
        if (!settings) {
                g_string_append(out, "/>\n");
                return;
        }
        g_string_append(out, ">\n        <settings");
        append_number_attribute(out, "frequency", stream->frequency);
        append_number_attribute(out, "channels", stream->channels);
        if (stream->format != VM_AUDIO_FORMAT_DEFAULT)
                g_string_append_printf(out, " format='%s'", format_names[stream->format]);
        g_string_append_printf(out, "/>\n      </%s>\n", element);
}

void domain_xml_format_audio(GString *out, const VmAudio *audio) {
        g_string_append_printf(out, "    <audio id='%" PRIu32 "' type='%s'", audio->id, audio_type_names[audio->type]);
        append_number_attribute(out, "timerPeriod", audio->timer_period);
        append_switch_attribute(out, "tryMMap", audio->try_mmap);
        append_switch_attribute(out, "exclusive", audio->exclusive);
        if (audio->has_dsp_policy)
                g_string_append_printf(out, " dspPolicy='%" PRIu32 "'", audio->dsp_policy);
        domain_xml_append_attr(out, "serverName", audio->server_name);
        if (audio->sdl_driver != VM_SDL_AUDIO_DEFAULT)
                g_string_append_printf(out, " driver='%s'", sdl_driver_names[audio->sdl_driver]);
        domain_xml_append_attr(out, "path", audio->path);
        if (!audio->input && !audio->output) {
                g_string_append(out, "/>\n");
                return;
        }
        g_string_append(out, ">\n");
        if (audio->input)
                append_stream(out, "input", audio->input);
        if (audio->output)
                append_stream(out, "output", audio->output);
        g_string_append(out, "    </audio>\n");
}
