/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * VmDisplay: what a desktop user sees and touches of a VM, as libvirt's <graphics>,
 * <video>, <input>, <sound>, <audio>, <redirdev> and spicevmc <channel> describe it.
 * Part of VmConfig (its `display` member, on the heap): plain data in heap arrays sized
 * to what the document has, freed with their items' strings by vm_display_clear().
 *
 * A <graphics> is reached through OpenGraphics (a descriptor the service passes to the
 * engine) or the owner's own unix socket; it listens on a network address only where
 * the administrator allows that address ([display] ListenAddresses=).
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "vm-devices.h"
#include "vm-platform.h"

/* Of each kind, per VM. */
#define VM_DISPLAY_ITEMS_MAX 16

typedef enum {
        VM_GRAPHICS_VNC,
        VM_GRAPHICS_SPICE,
} VmGraphicsType;

typedef enum {
        VM_LISTEN_NONE,   /* no listener: OpenGraphics only */
        VM_LISTEN_SOCKET, /* the owner's unix socket, created by the engine as the owner */
        VM_LISTEN_ADDRESS, /* a TCP port on an IP address the administrator allows */
} VmListenType;

/* <image compression>: SPICE only. */
typedef enum {
        VM_IMAGE_COMPRESSION_DEFAULT,
        VM_IMAGE_COMPRESSION_AUTO_GLZ,
        VM_IMAGE_COMPRESSION_AUTO_LZ,
        VM_IMAGE_COMPRESSION_QUIC,
        VM_IMAGE_COMPRESSION_GLZ,
        VM_IMAGE_COMPRESSION_LZ,
        VM_IMAGE_COMPRESSION_OFF,
} VmImageCompression;

/* <jpeg compression> and <zlib compression>: SPICE only, over a WAN link. */
typedef enum {
        VM_SPICE_WAN_DEFAULT,
        VM_SPICE_WAN_AUTO,
        VM_SPICE_WAN_NEVER,
        VM_SPICE_WAN_ALWAYS,
} VmSpiceWanCompression;

/* <streaming mode>: SPICE only (QEMU's streaming-video). */
typedef enum {
        VM_SPICE_STREAMING_DEFAULT,
        VM_SPICE_STREAMING_FILTER,
        VM_SPICE_STREAMING_ALL,
        VM_SPICE_STREAMING_OFF,
} VmSpiceStreaming;

/* <mouse mode>: SPICE only (QEMU's agent-mouse). */
typedef enum {
        VM_SPICE_MOUSE_DEFAULT,
        VM_SPICE_MOUSE_SERVER,
        VM_SPICE_MOUSE_CLIENT,
} VmSpiceMouse;

/* <graphics type='vnc' sharePolicy>: QEMU's share=. */
typedef enum {
        VM_VNC_SHARE_DEFAULT,
        VM_VNC_SHARE_ALLOW_EXCLUSIVE,
        VM_VNC_SHARE_FORCE_SHARED,
        VM_VNC_SHARE_IGNORE,
} VmVncSharePolicy;

typedef struct {
        VmGraphicsType type;
        VmListenType listen;
        char *socket; /* VM_LISTEN_SOCKET: absolute path, the owner's */
        char *address; /* VM_LISTEN_ADDRESS: an IP address literal */
        uint16_t port; /* VM_LISTEN_ADDRESS: the TCP port; 0 = not chosen yet */
        bool autoport; /* VM_LISTEN_ADDRESS: the service chooses the port at each boot (libvirt's autoport) */
        VmImageCompression image_compression;
        /* SPICE: <jpeg>, <zlib>, <playback compression>, <streaming>, <mouse>,
         * <clipboard copypaste> and <filetransfer enable>; 0 = not written */
        VmSpiceWanCompression jpeg, zlib;
        VmSwitch playback;
        VmSpiceStreaming streaming;
        VmSpiceMouse mouse;
        VmSwitch copypaste, filetransfer;
        VmSwitch gl; /* SPICE <gl enable>: only 'no' is taken (no OpenGL, QEMU's default) */
        /* VNC: sharePolicy, powerControl and <audio id> (0 = none written) */
        VmVncSharePolicy share_policy;
        VmSwitch power_control;
        uint32_t audio_id;
        unsigned keymap; /* 1 + index in vm_keymap_names (QEMU's -k), 0 = not written */
        uint32_t line; /* of its element, for problems (vm-problems.h); 0 = unknown */
} VmGraphics;

/* The keyboard layouts QEMU 7.2 has (/usr/share/qemu/keymaps), NULL-terminated. */
extern const char *const vm_keymap_names[];
/* The SPICE options' values by enum, "" for the default (not written), NULL-terminated: the
 * words of libvirt's XML, which are QEMU's -spice values too. */
extern const char *const vm_spice_image_compression_names[];
extern const char *const vm_spice_wan_compression_names[];
extern const char *const vm_spice_streaming_names[];

typedef enum {
        VM_VIDEO_VIRTIO,
        VM_VIDEO_QXL,
        VM_VIDEO_VGA,
        VM_VIDEO_BOCHS,
        VM_VIDEO_CIRRUS,
        VM_VIDEO_NONE,
        VM_VIDEO_RAMFB, /* a framebuffer in guest RAM the firmware sets up (fw_cfg), no PCI device */
} VmVideoModel;

typedef struct {
        VmVideoModel model;
        /* KiB, 0 = not written (the engine's default) */
        uint32_t ram, vram, vgamem;
        uint32_t vram64; /* KiB, qxl's 64-bit bar; 0 = not written */
        uint32_t xres, yres; /* <resolution x y>: the guest's preferred mode; 0 = not written */
        uint32_t heads; /* 0 = not written */
        bool primary;   /* the first video device is primary */
        VmAddress address; /* as written; the engine places the device itself */
        VmVirtioOptions virtio; /* <driver iommu ats packed>, model virtio only */
        /* <alias name='ua-...'>: the user's, kept for GetXML; NULL = none. QEMU's id stays videoN
         * (Screenshot names the screens by it). */
        char *alias;
        uint32_t line;     /* of its element, for problems (vm-problems.h); 0 = unknown */
} VmVideo;

typedef enum {
        VM_INPUT_TABLET,
        VM_INPUT_KEYBOARD,
        VM_INPUT_MOUSE,
        VM_INPUT_PASSTHROUGH, /* a host evdev device handed to the guest (virtio-input-host) */
        VM_INPUT_EVDEV,       /* a host evdev device feeding QEMU's own input (input-linux) */
} VmInputType;

typedef enum {
        VM_INPUT_BUS_USB,
        VM_INPUT_BUS_PS2,
        VM_INPUT_BUS_VIRTIO,
        VM_INPUT_BUS_NONE, /* type evdev: no device in the guest */
} VmInputBus;

/* <source grabToggle> of an evdev input: QEMU's input-linux grab-toggle. */
typedef enum {
        VM_GRAB_TOGGLE_DEFAULT,
        VM_GRAB_TOGGLE_CTRL_CTRL,
        VM_GRAB_TOGGLE_ALT_ALT,
        VM_GRAB_TOGGLE_SHIFT_SHIFT,
        VM_GRAB_TOGGLE_META_META,
        VM_GRAB_TOGGLE_SCROLLLOCK,
        VM_GRAB_TOGGLE_CTRL_SCROLLLOCK,
} VmGrabToggle;

typedef struct {
        VmInputType type;
        VmInputBus bus;
        VmAddress address;
        VmVirtioOptions virtio; /* <driver iommu ats packed>, bus virtio only */
        /* passthrough and evdev: the owner's /dev/input/event* path, which QEMU opens as the owner */
        char *evdev;
        bool grab_all;            /* evdev: <source grab='all'> */
        VmGrabToggle grab_toggle; /* evdev */
        VmSwitch repeat;          /* evdev */
        uint32_t line; /* of its element, for problems (vm-problems.h); 0 = unknown */
} VmInput;

typedef enum {
        VM_SOUND_ICH9,
        VM_SOUND_ICH6,
        VM_SOUND_AC97,
        VM_SOUND_USB,
        VM_SOUND_ES1370,
        VM_SOUND_SB16,
        VM_SOUND_PCSPK, /* the machine's PC speaker: at most one */
} VmSoundModel;

/* <codec type> of an HDA sound card (ich6, ich9) */
typedef enum {
        VM_SOUND_CODEC_DUPLEX,
        VM_SOUND_CODEC_MICRO,
        VM_SOUND_CODEC_OUTPUT,
} VmSoundCodec;

#define VM_SOUND_CODECS_MAX 4

typedef struct {
        VmSoundModel model;
        VmSoundCodec codecs[VM_SOUND_CODECS_MAX]; /* none written: one duplex, as libvirt */
        unsigned n_codecs;
        uint32_t audio_id; /* <audio id='N'/> inside <sound>: 0 = the first <audio> */
        VmAddress address;
        uint32_t line; /* of its element, for problems (vm-problems.h); 0 = unknown */
} VmSound;

/* <audio type>: QEMU's -audiodev drivers (file is QEMU's wav, pulseaudio its pa). */
typedef enum {
        VM_AUDIO_NONE,
        VM_AUDIO_SPICE,
        VM_AUDIO_ALSA,
        VM_AUDIO_OSS,
        VM_AUDIO_PULSEAUDIO,
        VM_AUDIO_SDL,
        VM_AUDIO_JACK,
        VM_AUDIO_FILE,
} VmAudioType;

/* <settings format> */
typedef enum {
        VM_AUDIO_FORMAT_DEFAULT,
        VM_AUDIO_FORMAT_U8,
        VM_AUDIO_FORMAT_S8,
        VM_AUDIO_FORMAT_U16,
        VM_AUDIO_FORMAT_S16,
        VM_AUDIO_FORMAT_U32,
        VM_AUDIO_FORMAT_S32,
        VM_AUDIO_FORMAT_F32,
} VmAudioFormat;

/* <audio type='sdl' driver>: SDL's SDL_AUDIODRIVER. */
typedef enum {
        VM_SDL_AUDIO_DEFAULT,
        VM_SDL_AUDIO_ESD,
        VM_SDL_AUDIO_ALSA,
        VM_SDL_AUDIO_ARTS,
        VM_SDL_AUDIO_PULSEAUDIO,
} VmSdlAudioDriver;

/* <input> or <output> of an <audio>: 0, NULL and VM_SWITCH_DEFAULT are "not written". The
 * strings are QEMU's to use as the owner (a device path, a server or stream name). */
typedef struct {
        VmSwitch mixing_engine, fixed_settings;
        uint32_t voices, buffer_length; /* buffer_length in microseconds */
        uint32_t frequency, channels;   /* <settings>: only with fixedSettings='yes' */
        VmAudioFormat format;
        char *dev;                                       /* alsa: an ALSA device name; oss: a device path */
        uint32_t buffer_count;                           /* oss, sdl */
        VmSwitch try_poll;                               /* oss */
        char *name, *stream_name;                        /* pulseaudio */
        uint32_t latency;                                /* pulseaudio, microseconds */
        char *server_name, *client_name, *connect_ports; /* jack */
        VmSwitch exact_name;                             /* jack */
} VmAudioStream;

typedef struct {
        uint32_t id; /* >= 1 */
        VmAudioType type;
        uint32_t timer_period;         /* microseconds, 0 = not written */
        VmAudioStream *input, *output; /* on the heap; NULL = not written */
        char *path;                    /* file: the owner's absolute path, written by QEMU as the owner */
        char *server_name;             /* pulseaudio */
        VmSwitch try_mmap, exclusive;  /* oss */
        bool has_dsp_policy;           /* oss */
        uint32_t dsp_policy;
        VmSdlAudioDriver sdl_driver;
        uint32_t line; /* of its element, for problems (vm-problems.h); 0 = unknown */
} VmAudio;

/* <redirdev type>: where a USB redirection's usbredir stream goes. */
typedef enum {
        VM_REDIRDEV_SPICEVMC, /* the SPICE client's */
        VM_REDIRDEV_UNIX,     /* the owner's unix socket: QEMU listens (bind) or connects */
        VM_REDIRDEV_TCP,      /* a TCP service QEMU connects to (never listens: no network listener) */
} VmRedirdevType;

typedef struct {
        VmRedirdevType type;
        char *path;           /* unix: absolute */
        bool bind;            /* unix: QEMU listens */
        char *host, *service; /* tcp: mode='connect' */
} VmRedirdevSource;

/* <redirfilter><usbdev>: -1 = any; version as USB's BCD (1.10 is 0x0110). */
typedef struct {
        int32_t usb_class, vendor, product, version;
        bool allow;
} VmRedirFilterRule;

#define VM_REDIRFILTER_RULES_MAX 32

/* <smartcard mode>: a card in a usb-ccid reader. */
typedef enum {
        VM_SMARTCARD_HOST,              /* the host's cards through NSS (ccid-card-emulated nss-emulated) */
        VM_SMARTCARD_HOST_CERTIFICATES, /* three certificates of an NSS database (backend certificates) */
        VM_SMARTCARD_PASSTHROUGH,       /* a remote card over a channel (ccid-card-passthru) */
} VmSmartcardMode;

#define VM_SMARTCARD_CERTIFICATES 3

typedef struct {
        VmSmartcardMode mode;
        char *certificates[VM_SMARTCARD_CERTIFICATES]; /* host-certificates: NSS nicknames */
        char *database;   /* host-certificates: the owner's directory, NULL = /etc/pki/nssdb */
        bool spicevmc;    /* passthrough: over SPICE; else the owner's unix socket */
        char *socket;     /* passthrough type='unix': absolute path */
        bool socket_bind; /* the socket's mode: QEMU listens (bind) or connects */
} VmSmartcard;

/* <channel type='spiceport'>: a virtio serial port a SPICE client reaches by its name (GNOME
 * Boxes shares folders through org.spice-space.webdav.0). */
typedef struct {
        char *channel;     /* <source channel>: the name the SPICE client knows */
        char *name;        /* <target name>: the guest's port name; NULL = none */
        VmAddress address; /* as written; the engine places the port itself */
        uint32_t line;
} VmSpicePort;

#define VM_SPICEPORTS_MAX 8

typedef struct {
        /* Each kind on the heap, exactly n_* items (NULL when none), grown one at a time by
         * vm_display_add_*() and freed by vm_display_clear(). */
        VmGraphics *graphics;
        unsigned n_graphics;
        VmVideo *videos;
        unsigned n_videos;
        VmInput *inputs;
        unsigned n_inputs;
        VmSound *sounds;
        unsigned n_sounds;
        VmAudio *audios;
        unsigned n_audios;
        /* <redirdev bus='usb'>, each a USB redirection: three arrays of n_redirdevs, with
         * their lines (for problems; 0 = unknown). */
        unsigned n_redirdevs;
        VmAddress *redirdev_addresses;
        VmRedirdevSource *redirdev_sources;
        uint32_t *redirdev_lines;
        VmRedirFilterRule *redirfilter; /* <redirfilter>: on the heap, applied to every <redirdev> */
        unsigned n_redirfilter;
        bool has_redirfilter;
        bool spice_agent_channel; /* <channel type='spicevmc'> to com.redhat.spice.0 */
        VmAddress spice_agent_address;
        /* <hub type='usb'>: USB hubs, in document order (a hub behind another comes after it);
         * their <address type='usb' port>, as that of an <input>, places them. Two arrays of
         * n_hubs, with their lines. */
        VmAddress *hubs;
        uint32_t *hub_lines;
        unsigned n_hubs;
        VmSmartcard *smartcard; /* on the heap; NULL = none (at most one) */
        /* Lines of the spicevmc <channel>, the <smartcard> and the <redirfilter>, for
         * problems; 0 = unknown. */
        uint32_t spice_agent_line;
        uint32_t smartcard_line;
        uint32_t redirfilter_line;
        GPtrArray *spiceports; /* VmSpicePort*: <channel type='spiceport'>s; NULL = none */
} VmDisplay;

/* Frees what the display holds (its arrays and their items' strings) and zeroes it. */
void vm_display_clear(VmDisplay *display);
void vm_audio_stream_free(VmAudioStream *stream);
/* Frees what an audio holds and zeroes it. */
void vm_audio_clear(VmAudio *audio);
void vm_smartcard_free(VmSmartcard *smartcard);
void vm_spiceport_free(VmSpicePort *port);
/* Adds a <channel type='spiceport'>, taking the strings. */
VmSpicePort *vm_display_add_spiceport(VmDisplay *display, char *channel, char *name);
/* A deep copy into dest (whose previous contents are not freed). */
void vm_display_copy(VmDisplay *dest, const VmDisplay *src);

/* Each appends a zeroed item of its kind (growing its array by one) and returns it; the
 * caller checks VM_DISPLAY_ITEMS_MAX first. vm_display_add_redirdev() also appends a
 * zeroed address and line (at n_redirdevs - 1), vm_display_add_hub() a zeroed line. */
VmGraphics *vm_display_add_graphics(VmDisplay *display);
VmVideo *vm_display_add_video(VmDisplay *display);
VmInput *vm_display_add_input(VmDisplay *display);
VmSound *vm_display_add_sound(VmDisplay *display);
VmAudio *vm_display_add_audio(VmDisplay *display);
VmRedirdevSource *vm_display_add_redirdev(VmDisplay *display);
VmAddress *vm_display_add_hub(VmDisplay *display);

/* Whether anything of this was written (an engine without a display refuses it). */
bool vm_display_is_empty(const VmDisplay *display);
/* The graphics of that type, or NULL. */
const VmGraphics *vm_display_find_graphics(const VmDisplay *display, VmGraphicsType type);
/* Whether the guest needs a USB controller for these devices. */
bool vm_display_needs_usb(const VmDisplay *display);

const char *vm_graphics_type_to_string(VmGraphicsType type);
/* Whether the two list the same displays (what the Graphics property shows). */
bool vm_display_graphics_equal(const VmDisplay *a, const VmDisplay *b);
