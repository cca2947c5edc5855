/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * VmDisplay: what a desktop user sees and touches of a VM, as libvirt's <graphics>,
 * <video>, <input>, <sound>, <audio>, <redirdev> and spicevmc <channel> describe it.
 * Part of VmConfig (its `display` member): plain data in fixed arrays, no strings but
 * the owner's socket paths, freed by vm_display_clear().
 *
 * A <graphics> is reached through OpenGraphics (a descriptor the service passes to the
 * engine) or the owner's own unix socket; it listens on a network address only where
 * the administrator allows that address ([display] ListenAddresses=).
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "vm-devices.h"

/* Of each kind, per VM. */
#define VM_DISPLAY_ITEMS_MAX 8

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

typedef struct {
        VmGraphicsType type;
        VmListenType listen;
        char *socket; /* VM_LISTEN_SOCKET: absolute path, the owner's */
        char *address; /* VM_LISTEN_ADDRESS: an IP address literal */
        uint16_t port; /* VM_LISTEN_ADDRESS: the TCP port; 0 = not chosen yet */
        bool autoport; /* VM_LISTEN_ADDRESS: the service chooses the port at each boot (libvirt's autoport) */
        VmImageCompression image_compression;
        uint32_t line; /* of its element, for problems (vm-problems.h); 0 = unknown */
} VmGraphics;

typedef enum {
        VM_VIDEO_VIRTIO,
        VM_VIDEO_QXL,
        VM_VIDEO_VGA,
        VM_VIDEO_BOCHS,
        VM_VIDEO_CIRRUS,
        VM_VIDEO_NONE,
} VmVideoModel;

typedef struct {
        VmVideoModel model;
        /* KiB, 0 = not written (the engine's default) */
        uint32_t ram, vram, vgamem;
        uint32_t heads; /* 0 = not written */
        bool primary;   /* the first video device is primary */
        VmAddress address; /* as written; the engine places the device itself */
        uint32_t line;     /* of its element, for problems (vm-problems.h); 0 = unknown */
} VmVideo;

typedef enum {
        VM_INPUT_TABLET,
        VM_INPUT_KEYBOARD,
        VM_INPUT_MOUSE,
} VmInputType;

typedef enum {
        VM_INPUT_BUS_USB,
        VM_INPUT_BUS_PS2,
        VM_INPUT_BUS_VIRTIO,
} VmInputBus;

typedef struct {
        VmInputType type;
        VmInputBus bus;
        VmAddress address;
        uint32_t line; /* of its element, for problems (vm-problems.h); 0 = unknown */
} VmInput;

typedef enum {
        VM_SOUND_ICH9,
        VM_SOUND_ICH6,
        VM_SOUND_AC97,
        VM_SOUND_USB,
} VmSoundModel;

typedef struct {
        VmSoundModel model;
        uint32_t audio_id; /* <audio id='N'/> inside <sound>: 0 = the first <audio> */
        VmAddress address;
        uint32_t line; /* of its element, for problems (vm-problems.h); 0 = unknown */
} VmSound;

typedef enum {
        VM_AUDIO_NONE,
        VM_AUDIO_SPICE,
} VmAudioType;

typedef struct {
        uint32_t id; /* >= 1 */
        VmAudioType type;
        uint32_t line; /* of its element, for problems (vm-problems.h); 0 = unknown */
} VmAudio;

typedef struct {
        VmGraphics graphics[VM_DISPLAY_ITEMS_MAX];
        unsigned n_graphics;
        VmVideo videos[VM_DISPLAY_ITEMS_MAX];
        unsigned n_videos;
        VmInput inputs[VM_DISPLAY_ITEMS_MAX];
        unsigned n_inputs;
        VmSound sounds[VM_DISPLAY_ITEMS_MAX];
        unsigned n_sounds;
        VmAudio audios[VM_DISPLAY_ITEMS_MAX];
        unsigned n_audios;
        unsigned n_redirdevs;     /* <redirdev bus='usb' type='spicevmc'/>, each a USB redirection */
        VmAddress redirdev_addresses[VM_DISPLAY_ITEMS_MAX];
        bool spice_agent_channel; /* <channel type='spicevmc'> to com.redhat.spice.0 */
        VmAddress spice_agent_address;
        /* <hub type='usb'>: USB hubs, in document order (a hub behind another comes after it);
         * their <address type='usb' port>, as that of an <input>, places them. */
        VmAddress hubs[VM_DISPLAY_ITEMS_MAX];
        unsigned n_hubs;
        /* Lines of the <redirdev>s, <hub>s and the spicevmc <channel>, for problems; 0 = unknown. */
        uint32_t redirdev_lines[VM_DISPLAY_ITEMS_MAX];
        uint32_t hub_lines[VM_DISPLAY_ITEMS_MAX];
        uint32_t spice_agent_line;
} VmDisplay;

void vm_display_clear(VmDisplay *display);
void vm_display_copy(VmDisplay *dest, const VmDisplay *src);

/* Whether anything of this was written (an engine without a display refuses it). */
bool vm_display_is_empty(const VmDisplay *display);
/* The graphics of that type, or NULL. */
const VmGraphics *vm_display_find_graphics(const VmDisplay *display, VmGraphicsType type);
/* Whether the guest needs a USB controller for these devices. */
bool vm_display_needs_usb(const VmDisplay *display);

const char *vm_graphics_type_to_string(VmGraphicsType type);
/* Whether the two list the same displays (what the Graphics property shows). */
bool vm_display_graphics_equal(const VmDisplay *a, const VmDisplay *b);
