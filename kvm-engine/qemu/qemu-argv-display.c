/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * VmDisplay on QEMU 7.2's command line, the way libvirt's QEMU driver writes it:
 *
 *   <graphics type='vnc'>    -vnc none (no listener: clients come through QMP add_client),
 *                            or -vnc unix:PATH for the owner's socket
 *   <graphics type='spice'>  -spice port=0,disable-ticketing=on (no listener), or
 *                            unix=on,addr=PATH; image-compression=
 *   <video>                  virtio-vga / qxl-vga / VGA / bochs-display / cirrus-vga first,
 *                            qxl / virtio-gpu-pci after it
 *   <input bus='usb'>        usb-tablet / usb-kbd / usb-mouse on a qemu-xhci controller
 *   <input bus='virtio'>     virtio-tablet-pci / virtio-keyboard-pci / virtio-mouse-pci
 *   <input bus='ps2'>        the machine's own i8042: nothing to add
 *   <audio>                  -audiodev none|spice,id=audioN
 *   <sound>                  ich9-intel-hda / intel-hda + hda-duplex, AC97, usb-audio
 *   <redirdev>               -chardev spicevmc,name=usbredir + usb-redir
 *   <channel type='spicevmc'> -chardev spicevmc,name=vdagent + virtserialport
 *                            com.redhat.spice.0 on a virtio-serial-pci of its own
 */

#include <inttypes.h>

#include "qemu-argv.h"

#define USB_CONTROLLER_ID "hv-usb"
/* VNC display N listens on 5900 + N. */
#define QEMU_VNC_BASE_PORT 5900
#define SPICE_SERIAL_ID "hv-spice-serial"

static void add(GPtrArray *argv, const char *option, const char *format, ...) G_GNUC_PRINTF(3, 4);
static void add(GPtrArray *argv, const char *option, const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        g_ptr_array_add(argv, g_strdup(option));
        g_ptr_array_add(argv, g_strdup_vprintf(format, ap));
        va_end(ap);
}

/* The document's first USB controller (index 0), or NULL. */
static const VmDevice *first_usb_controller(const VmConfig *config) {
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];
                if (device->kind == VM_DEVICE_CONTROLLER && device->controller.type == VM_CONTROLLER_USB &&
                    device->controller.index == 0)
                        return device;
        }
        return NULL;
}

bool qemu_display_check(const VmConfig *config, QemuMachineKind machine, GError **error) {
        if (machine == QEMU_MACHINE_MICROVM && !vm_display_is_empty(&config->display)) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                            "<graphics>, <video>, <input>, <sound> and spice devices are not supported on the "
                            "microvm machine of the QEMU engine (it has no PCI display nor USB)");
                return false;
        }
        const VmDevice *usb = first_usb_controller(config);
        if (vm_display_needs_usb(&config->display) && usb && usb->controller.model == VM_CONTROLLER_MODEL_USB_NONE) {
                g_set_error(error, HV_ERROR, HV_ERROR_NOT_SUPPORTED,
                            "A USB <input>, <sound> or <redirdev> needs USB, and <controller type='usb' "
                            "model='none'> leaves the VM without it");
                return false;
        }
        return true;
}

bool qemu_display_ports_chosen(const VmConfig *config, GError **error) {
        for (unsigned i = 0; i < config->display.n_graphics; i++) {
                const VmGraphics *graphics = &config->display.graphics[i];
                if (graphics->listen == VM_LISTEN_ADDRESS && graphics->port < QEMU_VNC_BASE_PORT) {
                        g_set_error(error, HV_ERROR, HV_ERROR_FAILED,
                                    "<graphics type='%s'> on %s has no port (the service chooses one at boot)",
                                    vm_graphics_type_to_string(graphics->type), graphics->address);
                        return false;
                }
        }
        return true;
}

static void add_graphics(GPtrArray *argv, const VmGraphics *graphics) {
        g_autofree char *socket = graphics->socket ? qemu_escape_opt(graphics->socket) : NULL;
        const char *compression[] = {
                [VM_IMAGE_COMPRESSION_DEFAULT] = NULL,      [VM_IMAGE_COMPRESSION_AUTO_GLZ] = "auto_glz",
                [VM_IMAGE_COMPRESSION_AUTO_LZ] = "auto_lz", [VM_IMAGE_COMPRESSION_QUIC] = "quic",
                [VM_IMAGE_COMPRESSION_GLZ] = "glz",         [VM_IMAGE_COMPRESSION_LZ] = "lz",
                [VM_IMAGE_COMPRESSION_OFF] = "off",
        };
        const char *image = compression[graphics->image_compression];

        /* An address the administrator allowed, and a port the service chose (>= 5900). */
        bool ipv6 = graphics->listen == VM_LISTEN_ADDRESS && strchr(graphics->address, ':');

        if (graphics->type == VM_GRAPHICS_VNC) {
                if (graphics->listen == VM_LISTEN_SOCKET)
                        add(argv, "-vnc", "unix:%s", socket);
                else if (graphics->listen == VM_LISTEN_ADDRESS)
                        add(argv, "-vnc", "%s%s%s:%u", ipv6 ? "[" : "", graphics->address, ipv6 ? "]" : "",
                            (unsigned) graphics->port - QEMU_VNC_BASE_PORT);
                else
                        add(argv, "-vnc", "none");
                return;
        }
        if (graphics->listen == VM_LISTEN_ADDRESS)
                add(argv, "-spice", "addr=%s,%sport=%u,disable-ticketing=on%s%s", graphics->address,
                    ipv6 ? "ipv6=on," : "ipv4=on,", (unsigned) graphics->port, image ? ",image-compression=" : "",
                    image ? image : "");
        else
                add(argv, "-spice", "%s%s,disable-ticketing=on%s%s",
                    graphics->listen == VM_LISTEN_SOCKET ? "unix=on,addr=" : "port=0",
                    graphics->listen == VM_LISTEN_SOCKET ? socket : "", image ? ",image-compression=" : "",
                    image ? image : "");
}

static void add_video(GPtrArray *argv, const VmVideo *video, unsigned index) {
        static const char *const primary_drivers[] = {
                [VM_VIDEO_VIRTIO] = "virtio-vga",   [VM_VIDEO_QXL] = "qxl-vga",       [VM_VIDEO_VGA] = "VGA",
                [VM_VIDEO_BOCHS] = "bochs-display", [VM_VIDEO_CIRRUS] = "cirrus-vga", [VM_VIDEO_NONE] = NULL,
        };
        g_autoptr(GString) options = g_string_new(NULL);
        const char *driver;

        if (video->model == VM_VIDEO_NONE)
                return;
        if (index == 0)
                driver = primary_drivers[video->model];
        else
                driver = video->model == VM_VIDEO_QXL ? "qxl" : "virtio-gpu-pci";
        g_string_append_printf(options, "%s,id=video%u", driver, index);
        if (video->model == VM_VIDEO_QXL) {
                if (video->ram)
                        g_string_append_printf(options, ",ram_size=%" PRIu64, (uint64_t) video->ram * 1024);
                if (video->vram)
                        g_string_append_printf(options, ",vram_size=%" PRIu64, (uint64_t) video->vram * 1024);
                if (video->vgamem)
                        g_string_append_printf(options, ",vgamem_mb=%" PRIu32, MAX(video->vgamem / 1024, 1));
        } else if (video->model == VM_VIDEO_VGA && video->vram) {
                g_string_append_printf(options, ",vgamem_mb=%" PRIu32, MAX(video->vram / 1024, 1));
        } else if (video->model == VM_VIDEO_CIRRUS && video->vram) {
                g_string_append_printf(options, ",vgamem_mb=%" PRIu32, video->vram / 1024);
        } else if (video->model == VM_VIDEO_BOCHS && video->vram) {
                g_string_append_printf(options, ",vgamem=%" PRIu64, (uint64_t) video->vram * 1024);
        }
        if (video->heads && (video->model == VM_VIDEO_QXL || video->model == VM_VIDEO_VIRTIO))
                g_string_append_printf(options, ",max_outputs=%" PRIu32, video->heads);
        add(argv, "-device", "%s", options->str);
}

static void add_input(GPtrArray *argv, const VmInput *input, unsigned index, const char *usb_bus) {
        static const char *const usb_drivers[] = {
                [VM_INPUT_TABLET] = "usb-tablet", [VM_INPUT_KEYBOARD] = "usb-kbd", [VM_INPUT_MOUSE] = "usb-mouse"};
        static const char *const virtio_drivers[] = {[VM_INPUT_TABLET] = "virtio-tablet-pci",
                                                     [VM_INPUT_KEYBOARD] = "virtio-keyboard-pci",
                                                     [VM_INPUT_MOUSE] = "virtio-mouse-pci"};

        if (input->bus == VM_INPUT_BUS_USB)
                add(argv, "-device", "%s,id=input%u,bus=%s.0", usb_drivers[input->type], index, usb_bus);
        else if (input->bus == VM_INPUT_BUS_VIRTIO)
                add(argv, "-device", "%s,id=input%u", virtio_drivers[input->type], index);
        /* PS/2: the i8042 of pc and q35 is there already. */
}

static void add_sound(GPtrArray *argv, const VmSound *sound, unsigned index, const char *usb_bus) {
        g_autofree char *audiodev = g_strdup_printf("audio%" PRIu32, sound->audio_id);

        switch (sound->model) {
        case VM_SOUND_ICH9:
        case VM_SOUND_ICH6:
                add(argv, "-device", "%s,id=sound%u", sound->model == VM_SOUND_ICH9 ? "ich9-intel-hda" : "intel-hda",
                    index);
                add(argv, "-device", "hda-duplex,id=sound%u-codec0,bus=sound%u.0,cad=0,audiodev=%s", index, index,
                    audiodev);
                break;
        case VM_SOUND_AC97:
                add(argv, "-device", "AC97,id=sound%u,audiodev=%s", index, audiodev);
                break;
        case VM_SOUND_USB:
                add(argv, "-device", "usb-audio,id=sound%u,bus=%s.0,audiodev=%s", index, usb_bus, audiodev);
                break;
        }
}

void qemu_display_add_args(GPtrArray *argv, const VmConfig *config) {
        const VmDisplay *display = &config->display;
        /* USB devices go on the document's <controller type='usb'> (qemu-argv-devices.c makes
         * it); without one, on a qemu-xhci of ours, as libvirt adds one by default. */
        const VmDevice *usb = first_usb_controller(config);
        const char *usb_bus = usb ? usb->id : USB_CONTROLLER_ID;

        for (unsigned i = 0; i < display->n_graphics; i++)
                add_graphics(argv, &display->graphics[i]);
        for (unsigned i = 0; i < display->n_videos; i++)
                add_video(argv, &display->videos[i], i);
        if (vm_display_needs_usb(display) && !usb)
                add(argv, "-device", "qemu-xhci,id=" USB_CONTROLLER_ID);
        for (unsigned i = 0; i < display->n_inputs; i++)
                add_input(argv, &display->inputs[i], i, usb_bus);
        for (unsigned i = 0; i < display->n_audios; i++)
                add(argv, "-audiodev", "%s,id=audio%" PRIu32,
                    display->audios[i].type == VM_AUDIO_SPICE ? "spice" : "none", display->audios[i].id);
        for (unsigned i = 0; i < display->n_sounds; i++)
                add_sound(argv, &display->sounds[i], i, usb_bus);
        for (unsigned i = 0; i < display->n_redirdevs; i++) {
                add(argv, "-chardev", "spicevmc,id=charredir%u,name=usbredir", i);
                add(argv, "-device", "usb-redir,chardev=charredir%u,id=redir%u,bus=%s.0", i, i, usb_bus);
        }
        if (display->spice_agent_channel) {
                add(argv, "-device", "virtio-serial-pci,id=" SPICE_SERIAL_ID);
                add(argv, "-chardev", "spicevmc,id=charchannel-spice,name=vdagent");
                add(argv, "-device",
                    "virtserialport,bus=" SPICE_SERIAL_ID ".0,chardev=charchannel-spice,"
                    "id=channel-spice,name=com.redhat.spice.0");
        }
}
