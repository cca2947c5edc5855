/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * VmDisplay on QEMU 7.2's command line, the way libvirt's QEMU driver writes it:
 *
 *   <graphics type='vnc'>    -vnc none (no listener: clients come through QMP add_client),
 *                            or -vnc unix:PATH for the owner's socket; share=, power-control=,
 *                            audiodev= of its <audio id>
 *   <graphics type='spice'>  -spice port=0,disable-ticketing=on (no listener), or
 *                            unix=on,addr=PATH; agent-mouse=, image-compression=,
 *                            jpeg-wan-compression=, zlib-glz-wan-compression=,
 *                            playback-compression=, streaming-video=, disable-copy-paste=,
 *                            disable-agent-file-xfer=
 *   <video>                  virtio-vga / qxl-vga / VGA / bochs-display / cirrus-vga / ramfb
 *                            first, qxl / virtio-gpu-pci after it
 *   <input bus='usb'>        usb-tablet / usb-kbd / usb-mouse on a qemu-xhci controller
 *   <input bus='virtio'>     virtio-tablet-pci / virtio-keyboard-pci / virtio-mouse-pci, with <driver>'s
 *                            virtio options; type='passthrough': virtio-input-host-pci,evdev=
 *   <input type='evdev'>     -object input-linux (evdev, repeat, grab_all, grab-toggle)
 *   <input bus='ps2'>        the machine's own i8042: nothing to add
 *   <audio>                  -audiodev {"id":"audioN","driver":...} (none, spice, alsa, oss, pa,
 *                            sdl, jack, wav) with its "in" and "out"; SDL_AUDIODRIVER for sdl
 *   <sound>                  ich9-intel-hda / intel-hda + hda-duplex (or its <codec>s), AC97,
 *                            usb-audio, ES1370, sb16; pcspk: -machine pcspk-audiodev=
 *   <redirdev>               -chardev spicevmc,name=usbredir / socket (unix, tcp connect) +
 *                            usb-redir, with <redirfilter>'s filter
 *   <smartcard>              usb-ccid + ccid-card-emulated (host, host-certificates) or
 *                            ccid-card-passthru on -chardev spicevmc / socket
 *   <channel type='spicevmc'> -chardev spicevmc,name=vdagent + virtserialport
 *                            com.redhat.spice.0 on a virtio-serial-pci of its own
 */

#include <inttypes.h>
#include <string.h>

#include <json-glib/json-glib.h>

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

/* A USB device, as JSON: QEMU creates the -devices written as key=value before the JSON ones,
 * and the controller it sits on is JSON (qemu-argv-devices.c); port: where, when written
 * ("1.2" is behind the hub on port 1); key and value: one more property, or NULL. */
static void add_usb_device(GPtrArray *argv, const char *driver, const char *id, const char *usb_bus, const char *port,
                           const char *key, const char *value) {
        g_autoptr(JsonBuilder) builder = json_builder_new();
        g_autoptr(JsonGenerator) generator = json_generator_new();
        g_autofree char *bus = g_strdup_printf("%s.0", usb_bus);
        g_autoptr(JsonNode) root = NULL;

        json_builder_begin_object(builder);
        json_builder_set_member_name(builder, "driver");
        json_builder_add_string_value(builder, driver);
        json_builder_set_member_name(builder, "id");
        json_builder_add_string_value(builder, id);
        json_builder_set_member_name(builder, "bus");
        json_builder_add_string_value(builder, bus);
        if (port && *port) {
                json_builder_set_member_name(builder, "port");
                json_builder_add_string_value(builder, port);
        }
        if (key) {
                json_builder_set_member_name(builder, key);
                json_builder_add_string_value(builder, value);
        }
        json_builder_end_object(builder);
        root = json_builder_get_root(builder);
        json_generator_set_root(generator, root);
        g_ptr_array_add(argv, g_strdup("-device"));
        g_ptr_array_add(argv, json_generator_to_data(generator, NULL));
}

#define USB_HUB_PORTS 8     /* QEMU's usb-hub */
#define USB_PORT_DEPTH_MAX 4 /* libvirt's: a port path of at most four numbers */

/* The USB 1/2 ports of the controller the USB devices sit on, as QEMU makes it. */
static unsigned usb_root_ports(const VmDevice *usb, QemuMachineKind machine) {
        VmControllerModel model = usb ? usb->controller.model : VM_CONTROLLER_MODEL_QEMU_XHCI;

        if (model == VM_CONTROLLER_MODEL_DEFAULT)
                model = machine == QEMU_MACHINE_Q35 ? VM_CONTROLLER_MODEL_QEMU_XHCI : VM_CONTROLLER_MODEL_PIIX3_UHCI;
        switch (model) {
        case VM_CONTROLLER_MODEL_QEMU_XHCI:
        case VM_CONTROLLER_MODEL_NEC_XHCI:
                return usb && usb->controller.ports ? usb->controller.ports : 4; /* p2, QEMU's default 4 */
        case VM_CONTROLLER_MODEL_ICH9_EHCI1:
                return 6;
        default:
                return 2; /* UHCI */
        }
}

/* One written USB address (of a hub or an input): on bus 0, a port path of numbers in range,
 * behind a hub that is there, no other device on it. Else QEMU would refuse it at Boot. */
static void check_usb_address(const VmConfig *config, const VmAddress *address, const char *element, unsigned line,
                              unsigned root_ports, VmProblems *problems) {
        const VmDisplay *display = vm_config_display(config);
        g_auto(GStrv) parts = NULL;
        unsigned depth, users = 0;

        if (address->type != VM_ADDRESS_USB)
                return;
        if (address->bus != 0) {
                vm_problems_add(problems, line, HV_ERROR_NOT_SUPPORTED,
                                "<address type='usb' bus='%u'> of <%s>: the QEMU engine has one USB bus, 0",
                                (unsigned) address->bus, element);
                return;
        }
        if (!address->usb_port[0])
                return;
        parts = g_strsplit(address->usb_port, ".", -1);
        depth = g_strv_length(parts);
        for (unsigned i = 0; i < depth; i++) {
                unsigned max = i == 0 ? root_ports : USB_HUB_PORTS;
                uint64_t n = g_ascii_strtoull(parts[i], NULL, 10);
                if (depth > USB_PORT_DEPTH_MAX || n < 1 || n > max) {
                        vm_problems_add(problems, line, HV_ERROR_INVALID_ARGUMENT,
                                        "USB port '%s' of <%s> does not exist: %s", address->usb_port, element,
                                        depth > USB_PORT_DEPTH_MAX ? "a path has at most four ports"
                                        : i == 0                   ? "beyond the controller's ports"
                                                                   : "a hub has ports 1 to 8");
                        return;
                }
        }
        if (depth > 1) {
                g_autofree char *parent = g_strndup(address->usb_port, strrchr(address->usb_port, '.') -
                                                                                address->usb_port);
                bool found = false;
                for (unsigned i = 0; i < display->n_hubs; i++)
                        found |= g_str_equal(display->hubs[i].usb_port, parent);
                if (!found) {
                        vm_problems_add(problems, line, HV_ERROR_INVALID_ARGUMENT,
                                        "USB port '%s' of <%s> is behind a hub at port '%s', and there is none",
                                        address->usb_port, element, parent);
                        return;
                }
        }
        for (unsigned i = 0; i < display->n_hubs; i++)
                users += g_str_equal(display->hubs[i].usb_port, address->usb_port);
        for (unsigned i = 0; i < display->n_inputs; i++)
                users += g_str_equal(display->inputs[i].address.usb_port, address->usb_port);
        if (users > 1)
                vm_problems_add(problems, line, HV_ERROR_INVALID_ARGUMENT, "USB port '%s' has two devices",
                                address->usb_port);
}

/* The earlier of two lines, 0 being unknown. */
static unsigned earlier_line(unsigned a, unsigned b) {
        return !a || (b && b < a) ? b : a;
}

/* The line of the display's first element in the document (0: unknown). */
static unsigned display_first_line(const VmDisplay *d) {
        unsigned first = d->spice_agent_channel ? d->spice_agent_line : 0;

        for (guint i = 0; d->spiceports && i < d->spiceports->len; i++)
                first = earlier_line(first, ((const VmSpicePort *) d->spiceports->pdata[i])->line);
        for (unsigned i = 0; i < d->n_graphics; i++)
                first = earlier_line(first, d->graphics[i].line);
        for (unsigned i = 0; i < d->n_videos; i++)
                first = earlier_line(first, d->videos[i].line);
        for (unsigned i = 0; i < d->n_inputs; i++)
                first = earlier_line(first, d->inputs[i].line);
        for (unsigned i = 0; i < d->n_sounds; i++)
                first = earlier_line(first, d->sounds[i].line);
        for (unsigned i = 0; i < d->n_audios; i++)
                first = earlier_line(first, d->audios[i].line);
        for (unsigned i = 0; i < d->n_redirdevs; i++)
                first = earlier_line(first, d->redirdev_lines[i]);
        for (unsigned i = 0; i < d->n_hubs; i++)
                first = earlier_line(first, d->hub_lines[i]);
        return first;
}

void qemu_display_check(const VmConfig *config, QemuMachineKind machine, VmProblems *problems) {
        const VmDisplay *display = vm_config_display(config);

        if (machine == QEMU_MACHINE_MICROVM && !vm_display_is_empty(display)) {
                vm_problems_add(problems, display_first_line(display), HV_ERROR_NOT_SUPPORTED,
                                "<graphics>, <video>, <input>, <sound> and spice devices are not supported on the "
                                "microvm machine of the QEMU engine (it has no PCI display nor USB)");
                return;
        }
        const VmDevice *usb = qemu_usb_controller(config);
        if (vm_display_needs_usb(display) && usb && usb->controller.model == VM_CONTROLLER_MODEL_USB_NONE)
                vm_problems_add(problems, usb->line, HV_ERROR_NOT_SUPPORTED,
                                "A USB <input>, <sound> or <redirdev> needs USB, and <controller type='usb' "
                                "model='none'> leaves the VM without it");
        /* As for the other virtio devices (qemu-argv.c): QEMU takes iommu_platform=on only for a
         * virtio device without legacy support, which a virtio input the engine places is not. */
        for (unsigned i = 0; i < display->n_inputs; i++)
                if (display->inputs[i].virtio.iommu == VM_SWITCH_ON)
                        vm_problems_add(problems, display->inputs[i].line, HV_ERROR_NOT_SUPPORTED,
                                        "<input><driver iommu='on'> is not supported by the QEMU engine: QEMU takes "
                                        "it only for a virtio device without legacy support, on a PCIe root port, "
                                        "and the engine puts only a q35 machine's virtio disks there");
        /* <video><driver>: libvirt gives the virtio options to a secondary virtio-gpu-pci only and
         * drops them from the primary virtio-vga; the engine refuses what libvirt would drop. */
        for (unsigned i = 0; i < display->n_videos; i++) {
                const VmVideo *video = &display->videos[i];

                if (i == 0 && vm_virtio_options_set(&video->virtio))
                        vm_problems_add(problems, video->line, HV_ERROR_NOT_SUPPORTED,
                                        "<video><driver> of the primary video device is not supported by the QEMU "
                                        "engine: libvirt gives the virtio options to a secondary virtio video "
                                        "device only, not to the primary virtio-vga");
                if (video->virtio.iommu == VM_SWITCH_ON)
                        vm_problems_add(problems, video->line, HV_ERROR_NOT_SUPPORTED,
                                        "<video><driver iommu='on'> is not supported by the QEMU engine: QEMU takes "
                                        "it only for a virtio device without legacy support, on a PCIe root port, "
                                        "and the engine puts only a q35 machine's virtio disks there");
        }
        /* ramfb: QEMU has one (its fw_cfg file etc/ramfb), a <video> of model ramfb's or a vGPU's
         * (<hostdev type='mdev' ramfb='on'>). */
        unsigned n_ramfb = 0;
        for (unsigned i = 0; i < display->n_videos; i++)
                if (display->videos[i].model == VM_VIDEO_RAMFB && ++n_ramfb > 1)
                        vm_problems_add(problems, display->videos[i].line, HV_ERROR_NOT_SUPPORTED,
                                        "a second ramfb is not supported by the QEMU engine: QEMU has one");
        for (guint i = 0; i < config->devices->len; i++) {
                const VmDevice *device = config->devices->pdata[i];

                if (device->kind == VM_DEVICE_HOSTDEV && device->hostdev.type == VM_HOSTDEV_MDEV &&
                    device->hostdev.mdev_ramfb == VM_SWITCH_ON && ++n_ramfb > 1)
                        vm_problems_add(problems, device->line, HV_ERROR_NOT_SUPPORTED,
                                        "a second ramfb is not supported by the QEMU engine: QEMU has one");
        }
        /* What the documents write: hubs and inputs at USB ports. Quadratic in the at most
         * VM_DISPLAY_ITEMS_MAX of each. Not when the reader refused some: the hub or controller a
         * port needs may be one of them. */
        if (vm_problems_config_partial(problems))
                return;
        unsigned root_ports = usb_root_ports(usb, machine);
        for (unsigned i = 0; i < display->n_hubs; i++)
                check_usb_address(config, &display->hubs[i], "hub", display->hub_lines[i], root_ports,
                                  problems);
        for (unsigned i = 0; i < display->n_inputs; i++)
                if (display->inputs[i].bus == VM_INPUT_BUS_USB)
                        check_usb_address(config, &display->inputs[i].address, "input",
                                          display->inputs[i].line, root_ports, problems);
}

bool qemu_display_ports_chosen(const VmConfig *config, GError **error) {
        const VmDisplay *display = vm_config_display(config);

        for (unsigned i = 0; i < display->n_graphics; i++) {
                const VmGraphics *graphics = &display->graphics[i];
                if (graphics->listen == VM_LISTEN_ADDRESS && graphics->port < QEMU_VNC_BASE_PORT) {
                        g_set_error(error, HV_ERROR, HV_ERROR_FAILED,
                                    "<graphics type='%s'> on %s has no port (the service chooses one at boot)",
                                    vm_graphics_type_to_string(graphics->type), graphics->address);
                        return false;
                }
        }
        return true;
}

/* VNC's options after where it listens, in libvirt's order. */
static void append_vnc_options(GString *options, const VmGraphics *graphics) {
        static const char *const shares[] = {
                [VM_VNC_SHARE_DEFAULT] = NULL,
                [VM_VNC_SHARE_ALLOW_EXCLUSIVE] = "allow-exclusive",
                [VM_VNC_SHARE_FORCE_SHARED] = "force-shared",
                [VM_VNC_SHARE_IGNORE] = "ignore",
        };

        if (graphics->share_policy)
                g_string_append_printf(options, ",share=%s", shares[graphics->share_policy]);
        if (graphics->power_control)
                g_string_append_printf(options, ",power-control=%s",
                                       graphics->power_control == VM_SWITCH_ON ? "on" : "off");
        if (graphics->audio_id)
                g_string_append_printf(options, ",audiodev=audio%" PRIu32, graphics->audio_id);
}

/* SPICE's options after disable-ticketing, in libvirt's order. */
static void append_spice_options(GString *options, const VmGraphics *graphics) {
        if (graphics->image_compression)
                g_string_append_printf(options, ",image-compression=%s",
                                       vm_spice_image_compression_names[graphics->image_compression]);
        if (graphics->jpeg)
                g_string_append_printf(options, ",jpeg-wan-compression=%s",
                                       vm_spice_wan_compression_names[graphics->jpeg]);
        if (graphics->zlib)
                g_string_append_printf(options, ",zlib-glz-wan-compression=%s",
                                       vm_spice_wan_compression_names[graphics->zlib]);
        if (graphics->playback)
                g_string_append_printf(options, ",playback-compression=%s",
                                       graphics->playback == VM_SWITCH_ON ? "on" : "off");
        if (graphics->streaming)
                g_string_append_printf(options, ",streaming-video=%s",
                                       vm_spice_streaming_names[graphics->streaming]);
        /* As libvirt: only 'no' is written (copy and paste, file transfer are QEMU's default). */
        if (graphics->copypaste == VM_SWITCH_OFF)
                g_string_append(options, ",disable-copy-paste=on");
        if (graphics->filetransfer == VM_SWITCH_OFF)
                g_string_append(options, ",disable-agent-file-xfer=on");
}

static void add_graphics(GPtrArray *argv, const VmGraphics *graphics) {
        g_autofree char *socket = graphics->socket ? qemu_escape_opt(graphics->socket) : NULL;
        g_autoptr(GString) options = g_string_new(NULL);

        /* An address the administrator allowed, and a port the service chose (>= 5900). */
        bool ipv6 = graphics->listen == VM_LISTEN_ADDRESS && strchr(graphics->address, ':');

        if (graphics->type == VM_GRAPHICS_VNC) {
                if (graphics->listen == VM_LISTEN_SOCKET)
                        g_string_append_printf(options, "unix:%s", socket);
                else if (graphics->listen == VM_LISTEN_ADDRESS)
                        g_string_append_printf(options, "%s%s%s:%u", ipv6 ? "[" : "", graphics->address,
                                               ipv6 ? "]" : "", (unsigned) graphics->port - QEMU_VNC_BASE_PORT);
                else
                        g_string_append(options, "none");
                append_vnc_options(options, graphics);
                add(argv, "-vnc", "%s", options->str);
                return;
        }
        if (graphics->listen == VM_LISTEN_ADDRESS)
                g_string_append_printf(options, "addr=%s,%sport=%u", graphics->address, ipv6 ? "ipv6=on," : "ipv4=on,",
                                       (unsigned) graphics->port);
        else if (graphics->listen == VM_LISTEN_SOCKET)
                g_string_append_printf(options, "unix=on,addr=%s", socket);
        else
                g_string_append(options, "port=0");
        if (graphics->mouse)
                g_string_append_printf(options, ",agent-mouse=%s", graphics->mouse == VM_SPICE_MOUSE_CLIENT ? "on" : "off");
        g_string_append(options, ",disable-ticketing=on");
        append_spice_options(options, graphics);
        add(argv, "-spice", "%s", options->str);
}

static void append_virtio_options(GString *options, const VmVirtioOptions *virtio);

static void add_video(GPtrArray *argv, const VmVideo *video, unsigned index) {
        static const char *const primary_drivers[] = {
                [VM_VIDEO_VIRTIO] = "virtio-vga",   [VM_VIDEO_QXL] = "qxl-vga",       [VM_VIDEO_VGA] = "VGA",
                [VM_VIDEO_BOCHS] = "bochs-display", [VM_VIDEO_CIRRUS] = "cirrus-vga", [VM_VIDEO_NONE] = NULL,
                [VM_VIDEO_RAMFB] = "ramfb",
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
                if (video->vram64)
                        g_string_append_printf(options, ",vram64_size_mb=%" PRIu32, MAX(video->vram64 / 1024, 1));
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
        if (video->xres)
                g_string_append_printf(options, ",xres=%" PRIu32 ",yres=%" PRIu32, video->xres, video->yres);
        append_virtio_options(options, &video->virtio); /* a secondary virtio-gpu-pci only (checked) */
        add(argv, "-device", "%s", options->str);
}

/* JSON members, written when set (libvirt's "p:", "S:" and "T:"). */

static void json_add_uint(JsonBuilder *builder, const char *name, uint32_t value) {
        if (!value)
                return;
        json_builder_set_member_name(builder, name);
        json_builder_add_int_value(builder, value);
}

static void json_add_string(JsonBuilder *builder, const char *name, const char *value) {
        if (!value)
                return;
        json_builder_set_member_name(builder, name);
        json_builder_add_string_value(builder, value);
}

static void json_add_switch(JsonBuilder *builder, const char *name, VmSwitch value) {
        if (value == VM_SWITCH_DEFAULT)
                return;
        json_builder_set_member_name(builder, name);
        json_builder_add_boolean_value(builder, value == VM_SWITCH_ON);
}

/* As key=value: virtio's iommu_platform, ats and packed of <driver>. */
static void append_virtio_options(GString *options, const VmVirtioOptions *virtio) {
        if (virtio->iommu)
                g_string_append_printf(options, ",iommu_platform=%s", virtio->iommu == VM_SWITCH_ON ? "on" : "off");
        if (virtio->ats)
                g_string_append_printf(options, ",ats=%s", virtio->ats == VM_SWITCH_ON ? "on" : "off");
        if (virtio->packed)
                g_string_append_printf(options, ",packed=%s", virtio->packed == VM_SWITCH_ON ? "on" : "off");
}

/* <input type='evdev'>: QEMU's input-linux object reads the owner's device (opened as the
 * owner) and feeds the guest's keyboard and mouse, as libvirt writes it. */
static void add_input_linux(GPtrArray *argv, const VmInput *input, unsigned index) {
        static const char *const toggles[] = {
                [VM_GRAB_TOGGLE_DEFAULT] = NULL,
                [VM_GRAB_TOGGLE_CTRL_CTRL] = "ctrl-ctrl",
                [VM_GRAB_TOGGLE_ALT_ALT] = "alt-alt",
                [VM_GRAB_TOGGLE_SHIFT_SHIFT] = "shift-shift",
                [VM_GRAB_TOGGLE_META_META] = "meta-meta",
                [VM_GRAB_TOGGLE_SCROLLLOCK] = "scrolllock",
                [VM_GRAB_TOGGLE_CTRL_SCROLLLOCK] = "ctrl-scrolllock",
        };
        g_autoptr(JsonBuilder) builder = json_builder_new();
        g_autoptr(JsonGenerator) generator = json_generator_new();
        g_autofree char *id = g_strdup_printf("input%u", index);
        g_autoptr(JsonNode) root = NULL;

        json_builder_begin_object(builder);
        json_add_string(builder, "qom-type", "input-linux");
        json_add_string(builder, "id", id);
        json_add_string(builder, "evdev", input->evdev);
        json_add_switch(builder, "repeat", input->repeat);
        if (input->grab_all) {
                json_builder_set_member_name(builder, "grab_all");
                json_builder_add_boolean_value(builder, true);
        }
        json_add_string(builder, "grab-toggle", toggles[input->grab_toggle]);
        json_builder_end_object(builder);
        root = json_builder_get_root(builder);
        json_generator_set_root(generator, root);
        g_ptr_array_add(argv, g_strdup("-object"));
        g_ptr_array_add(argv, json_generator_to_data(generator, NULL));
}

static void add_input(GPtrArray *argv, const VmInput *input, unsigned index, const char *usb_bus) {
        static const char *const usb_drivers[] = {
                [VM_INPUT_TABLET] = "usb-tablet", [VM_INPUT_KEYBOARD] = "usb-kbd", [VM_INPUT_MOUSE] = "usb-mouse"};
        static const char *const virtio_drivers[] = {[VM_INPUT_TABLET] = "virtio-tablet-pci",
                                                     [VM_INPUT_KEYBOARD] = "virtio-keyboard-pci",
                                                     [VM_INPUT_MOUSE] = "virtio-mouse-pci",
                                                     [VM_INPUT_PASSTHROUGH] = "virtio-input-host-pci"};

        g_autofree char *id = g_strdup_printf("input%u", index);

        if (input->type == VM_INPUT_EVDEV) {
                add_input_linux(argv, input, index);
                return;
        }
        /* A USB port written in its <address> places it (on a hub: "1.2"), as libvirt does. */
        if (input->bus == VM_INPUT_BUS_USB) {
                add_usb_device(argv, usb_drivers[input->type], id, usb_bus, input->address.usb_port, NULL, NULL);
        } else if (input->bus == VM_INPUT_BUS_VIRTIO) {
                g_autoptr(GString) options = g_string_new(virtio_drivers[input->type]);
                g_autofree char *evdev = input->evdev ? qemu_escape_opt(input->evdev) : NULL;

                g_string_append_printf(options, ",id=%s", id);
                if (evdev)
                        g_string_append_printf(options, ",evdev=%s", evdev);
                append_virtio_options(options, &input->virtio);
                add(argv, "-device", "%s", options->str);
        }
        /* PS/2: the i8042 of pc and q35 is there already. */
}

static void add_sound(GPtrArray *argv, const VmSound *sound, unsigned index, const char *usb_bus) {
        g_autofree char *audiodev = g_strdup_printf("audio%" PRIu32, sound->audio_id);

        static const char *const codecs[] = {
                [VM_SOUND_CODEC_DUPLEX] = "hda-duplex",
                [VM_SOUND_CODEC_MICRO] = "hda-micro",
                [VM_SOUND_CODEC_OUTPUT] = "hda-output",
        };

        switch (sound->model) {
        case VM_SOUND_ICH9:
        case VM_SOUND_ICH6:
                add(argv, "-device", "%s,id=sound%u", sound->model == VM_SOUND_ICH9 ? "ich9-intel-hda" : "intel-hda",
                    index);
                /* Its codecs at addresses 0, 1...; none written: a duplex one, as libvirt. */
                for (unsigned j = 0; j < MAX(sound->n_codecs, 1u); j++)
                        add(argv, "-device", "%s,id=sound%u-codec%u,bus=sound%u.0,cad=%u,audiodev=%s",
                            codecs[sound->n_codecs ? sound->codecs[j] : VM_SOUND_CODEC_DUPLEX], index, j, index, j,
                            audiodev);
                break;
        case VM_SOUND_ES1370:
                add(argv, "-device", "ES1370,id=sound%u,audiodev=%s", index, audiodev);
                break;
        case VM_SOUND_SB16:
                add(argv, "-device", "sb16,id=sound%u,audiodev=%s", index, audiodev);
                break;
        case VM_SOUND_PCSPK:
                /* The machine's own: qemu_display_machine_options() gives it its backend. */
                break;
        case VM_SOUND_AC97:
                add(argv, "-device", "AC97,id=sound%u,audiodev=%s", index, audiodev);
                break;
        case VM_SOUND_USB: {
                g_autofree char *id = g_strdup_printf("sound%u", index);
                add_usb_device(argv, "usb-audio", id, usb_bus, NULL, "audiodev", audiodev);
                break;
        }
        }
}

/* "in" or "out": QEMU's AudiodevPerDirectionOptions and the backend's own. As libvirt: the
 * <settings> count only with fixedSettings='yes' (the reader refuses them otherwise). */
static void add_audio_stream(JsonBuilder *builder, const char *name, const VmAudioStream *stream) {
        static const char *const formats[] = {
                [VM_AUDIO_FORMAT_DEFAULT] = NULL, [VM_AUDIO_FORMAT_U8] = "u8",   [VM_AUDIO_FORMAT_S8] = "s8",
                [VM_AUDIO_FORMAT_U16] = "u16",    [VM_AUDIO_FORMAT_S16] = "s16", [VM_AUDIO_FORMAT_U32] = "u32",
                [VM_AUDIO_FORMAT_S32] = "s32",    [VM_AUDIO_FORMAT_F32] = "f32",
        };
        bool fixed = stream->fixed_settings == VM_SWITCH_ON;

        json_builder_set_member_name(builder, name);
        json_builder_begin_object(builder);
        json_add_switch(builder, "mixing-engine", stream->mixing_engine);
        json_add_switch(builder, "fixed-settings", stream->fixed_settings);
        json_add_uint(builder, "voices", stream->voices);
        json_add_uint(builder, "buffer-length", stream->buffer_length);
        json_add_uint(builder, "frequency", fixed ? stream->frequency : 0);
        json_add_uint(builder, "channels", fixed ? stream->channels : 0);
        json_add_string(builder, "format", fixed ? formats[stream->format] : NULL);
        /* The backend's: the reader lets each backend have only its own. */
        json_add_string(builder, "dev", stream->dev);
        json_add_uint(builder, "buffer-count", stream->buffer_count);
        json_add_switch(builder, "try-poll", stream->try_poll);
        json_add_string(builder, "name", stream->name);
        json_add_string(builder, "stream-name", stream->stream_name);
        json_add_uint(builder, "latency", stream->latency);
        json_add_string(builder, "server-name", stream->server_name);
        json_add_string(builder, "client-name", stream->client_name);
        json_add_string(builder, "connect-ports", stream->connect_ports);
        json_add_switch(builder, "exact-name", stream->exact_name);
        json_builder_end_object(builder);
}

static void add_audiodev(GPtrArray *argv, const VmAudio *audio) {
        static const char *const drivers[] = {
                [VM_AUDIO_NONE] = "none", [VM_AUDIO_SPICE] = "spice",   [VM_AUDIO_ALSA] = "alsa",
                [VM_AUDIO_OSS] = "oss",   [VM_AUDIO_PULSEAUDIO] = "pa", [VM_AUDIO_SDL] = "sdl",
                [VM_AUDIO_JACK] = "jack", [VM_AUDIO_FILE] = "wav",
        };
        g_autoptr(JsonBuilder) builder = json_builder_new();
        g_autoptr(JsonGenerator) generator = json_generator_new();
        g_autofree char *id = g_strdup_printf("audio%" PRIu32, audio->id);
        g_autoptr(JsonNode) root = NULL;

        json_builder_begin_object(builder);
        json_add_string(builder, "id", id);
        json_add_string(builder, "driver", drivers[audio->type]);
        json_add_uint(builder, "timer-period", audio->timer_period);
        json_add_switch(builder, "try-mmap", audio->try_mmap);
        json_add_switch(builder, "exclusive", audio->exclusive);
        if (audio->has_dsp_policy) {
                json_builder_set_member_name(builder, "dsp-policy");
                json_builder_add_int_value(builder, audio->dsp_policy);
        }
        json_add_string(builder, "server", audio->server_name);
        json_add_string(builder, "path", audio->path);
        if (audio->input)
                add_audio_stream(builder, "in", audio->input);
        if (audio->output)
                add_audio_stream(builder, "out", audio->output);
        json_builder_end_object(builder);
        root = json_builder_get_root(builder);
        json_generator_set_root(generator, root);
        g_ptr_array_add(argv, g_strdup("-audiodev"));
        g_ptr_array_add(argv, json_generator_to_data(generator, NULL));
}

char *qemu_display_machine_options(const VmConfig *config) {
        const VmDisplay *display = vm_config_display(config);

        /* QEMU 7.2 has no -soundhw (libvirt 9.0 still writes "-soundhw pcspk", which it refuses):
         * the PC speaker is the machine's, and its backend a machine property. */
        for (unsigned i = 0; i < display->n_sounds; i++)
                if (display->sounds[i].model == VM_SOUND_PCSPK)
                        return g_strdup_printf(",pcspk-audiodev=audio%" PRIu32, display->sounds[i].audio_id);
        return g_strdup("");
}

char **qemu_display_environment(const VmConfig *config) {
        static const char *const sdl_drivers[] = {
                [VM_SDL_AUDIO_DEFAULT] = NULL,
                [VM_SDL_AUDIO_ESD] = "esd",
                [VM_SDL_AUDIO_ALSA] = "alsa",
                [VM_SDL_AUDIO_ARTS] = "arts",
                [VM_SDL_AUDIO_PULSEAUDIO] = "pulseaudio",
        };
        const VmDisplay *display = vm_config_display(config);
        GPtrArray *env = g_ptr_array_new();

        /* As libvirt: SDL's audio driver is chosen by the environment (one per process: the
         * reader refuses two different ones). */
        for (unsigned i = 0; i < display->n_audios; i++)
                if (display->audios[i].type == VM_AUDIO_SDL && display->audios[i].sdl_driver) {
                        g_ptr_array_add(env, g_strdup_printf("SDL_AUDIODRIVER=%s",
                                                             sdl_drivers[display->audios[i].sdl_driver]));
                        break;
                }
        g_ptr_array_add(env, NULL);
        return (char **) g_ptr_array_free(env, false);
}

/* <redirfilter> as usb-redir's filter: class:vendor:product:version:allow rules joined by '|',
 * -1 for any, as libvirt writes it; NULL without one. */
static char *redirfilter_string(const VmDisplay *display) {
        GString *filter;

        if (!display->has_redirfilter)
                return NULL;
        filter = g_string_new(NULL);
        for (unsigned i = 0; i < display->n_redirfilter; i++) {
                const VmRedirFilterRule *rule = &display->redirfilter[i];
                const int32_t values[] = {rule->usb_class, rule->vendor, rule->product, rule->version};

                for (unsigned j = 0; j < G_N_ELEMENTS(values); j++) {
                        if (values[j] < 0)
                                g_string_append(filter, "-1:");
                        else
                                g_string_append_printf(filter, j == 0 ? "0x%02X:" : "0x%04X:", (unsigned) values[j]);
                }
                g_string_append_printf(filter, "%u|", rule->allow ? 1u : 0u);
        }
        if (filter->len > 0)
                g_string_truncate(filter, filter->len - 1);
        return g_string_free(filter, false);
}

/* <redirdev>: its chardev (spicevmc, the owner's unix socket, a TCP service QEMU connects to)
 * and a usb-redir on it, as JSON in libvirt's order. */
static void add_redirdev(GPtrArray *argv, const VmRedirdevSource *source, unsigned index, const char *usb_bus,
                         const char *filter) {
        g_autoptr(JsonBuilder) builder = json_builder_new();
        g_autoptr(JsonGenerator) generator = json_generator_new();
        g_autofree char *chardev = g_strdup_printf("charredir%u", index);
        g_autofree char *id = g_strdup_printf("redir%u", index);
        g_autofree char *bus = g_strdup_printf("%s.0", usb_bus);
        g_autoptr(JsonNode) root = NULL;

        if (source->type == VM_REDIRDEV_SPICEVMC) {
                add(argv, "-chardev", "spicevmc,id=%s,name=usbredir", chardev);
        } else if (source->type == VM_REDIRDEV_UNIX) {
                g_autofree char *path = qemu_escape_opt(source->path);
                add(argv, "-chardev", "socket,id=%s,path=%s%s", chardev, path,
                    source->bind ? ",server=on,wait=off" : "");
        } else {
                /* The reader let through a host without ',' and a port number. */
                add(argv, "-chardev", "socket,id=%s,host=%s,port=%s", chardev, source->host, source->service);
        }
        json_builder_begin_object(builder);
        json_add_string(builder, "driver", "usb-redir");
        json_add_string(builder, "chardev", chardev);
        json_add_string(builder, "id", id);
        json_add_string(builder, "filter", filter);
        json_add_string(builder, "bus", bus);
        json_builder_end_object(builder);
        root = json_builder_get_root(builder);
        json_generator_set_root(generator, root);
        g_ptr_array_add(argv, g_strdup("-device"));
        g_ptr_array_add(argv, json_generator_to_data(generator, NULL));
}

/* <smartcard>: a usb-ccid reader and its card, as JSON (the card sits on the reader's bus,
 * which QEMU must have made first), as libvirt writes them. What the card opens (the NSS
 * database, the socket) QEMU opens as the owner. */
static void add_smartcard(GPtrArray *argv, const VmSmartcard *card, const char *usb_bus) {
        g_autoptr(JsonBuilder) builder = json_builder_new();
        g_autoptr(JsonGenerator) generator = json_generator_new();
        g_autoptr(JsonNode) root = NULL;

        add_usb_device(argv, "usb-ccid", "ccid0", usb_bus, NULL, NULL, NULL);
        if (card->mode == VM_SMARTCARD_PASSTHROUGH) {
                g_autofree char *socket = card->socket ? qemu_escape_opt(card->socket) : NULL;

                if (card->spicevmc)
                        add(argv, "-chardev", "spicevmc,id=charsmartcard0,name=smartcard");
                else
                        add(argv, "-chardev", "socket,id=charsmartcard0,path=%s%s", socket,
                            card->socket_bind ? ",server=on,wait=off" : "");
        }
        json_builder_begin_object(builder);
        if (card->mode == VM_SMARTCARD_PASSTHROUGH) {
                json_add_string(builder, "driver", "ccid-card-passthru");
                json_add_string(builder, "chardev", "charsmartcard0");
        } else {
                json_add_string(builder, "driver", "ccid-card-emulated");
                json_add_string(builder, "backend", card->mode == VM_SMARTCARD_HOST ? "nss-emulated" : "certificates");
        }
        if (card->mode == VM_SMARTCARD_HOST_CERTIFICATES) {
                json_add_string(builder, "cert1", card->certificates[0]);
                json_add_string(builder, "cert2", card->certificates[1]);
                json_add_string(builder, "cert3", card->certificates[2]);
                json_add_string(builder, "db", card->database ? card->database : "/etc/pki/nssdb");
        }
        json_add_string(builder, "id", "smartcard0");
        json_add_string(builder, "bus", "ccid0.0");
        json_builder_end_object(builder);
        root = json_builder_get_root(builder);
        json_generator_set_root(generator, root);
        g_ptr_array_add(argv, g_strdup("-device"));
        g_ptr_array_add(argv, json_generator_to_data(generator, NULL));
}

void qemu_display_add_args(GPtrArray *argv, const VmConfig *config) {
        const VmDisplay *display = vm_config_display(config);
        /* USB devices go on the document's <controller type='usb'> (qemu-argv-devices.c makes
         * it); without one, on a qemu-xhci of ours, as libvirt adds one by default. */
        const VmDevice *usb = qemu_usb_controller(config);
        const char *usb_bus = usb ? usb->id : USB_CONTROLLER_ID;

        for (unsigned i = 0; i < display->n_graphics; i++)
                add_graphics(argv, &display->graphics[i]);
        /* keymap: QEMU's one keyboard layout (the reader let two graphics have only one). */
        for (unsigned i = 0; i < display->n_graphics; i++)
                if (display->graphics[i].keymap) {
                        add(argv, "-k", "%s", vm_keymap_names[display->graphics[i].keymap - 1]);
                        break;
                }
        for (unsigned i = 0; i < display->n_videos; i++)
                add_video(argv, &display->videos[i], i);
        /* One qemu-xhci of ours: made before the disks when a USB disk wanted it. */
        if (vm_display_needs_usb(display) && !usb && !qemu_usb_disks_need_controller(config))
                add(argv, "-device", "qemu-xhci,id=" USB_CONTROLLER_ID);
        /* Hubs first: what sits behind one names its port ("1.2"). */
        for (unsigned i = 0; i < display->n_hubs; i++) {
                g_autofree char *id = g_strdup_printf("hub%u", i);
                add_usb_device(argv, "usb-hub", id, usb_bus, display->hubs[i].usb_port, NULL, NULL);
        }
        for (unsigned i = 0; i < display->n_inputs; i++)
                add_input(argv, &display->inputs[i], i, usb_bus);
        for (unsigned i = 0; i < display->n_audios; i++)
                add_audiodev(argv, &display->audios[i]);
        for (unsigned i = 0; i < display->n_sounds; i++)
                add_sound(argv, &display->sounds[i], i, usb_bus);
        g_autofree char *filter = redirfilter_string(display);
        for (unsigned i = 0; i < display->n_redirdevs; i++)
                add_redirdev(argv, &display->redirdev_sources[i], i, usb_bus, filter);
        if (display->smartcard)
                add_smartcard(argv, display->smartcard, usb_bus);
        if (display->spice_agent_channel || display->spiceports)
                add(argv, "-device", "virtio-serial-pci,id=" SPICE_SERIAL_ID);
        if (display->spice_agent_channel) {
                add(argv, "-chardev", "spicevmc,id=charchannel-spice,name=vdagent");
                add(argv, "-device",
                    "virtserialport,bus=" SPICE_SERIAL_ID ".0,chardev=charchannel-spice,"
                    "id=channel-spice,name=com.redhat.spice.0");
        }
        /* <channel type='spiceport'>: the names are [A-Za-z0-9._-] (the reader's rule). */
        for (guint i = 0; display->spiceports && i < display->spiceports->len; i++) {
                const VmSpicePort *port = display->spiceports->pdata[i];

                add(argv, "-chardev", "spiceport,id=charspiceport%u,name=%s", i, port->channel);
                if (port->name)
                        add(argv, "-device", "virtserialport,bus=" SPICE_SERIAL_ID ".0,chardev=charspiceport%u,"
                                             "id=spiceport%u,name=%s", i, i, port->name);
                else
                        add(argv, "-device", "virtserialport,bus=" SPICE_SERIAL_ID ".0,chardev=charspiceport%u,"
                                             "id=spiceport%u", i, i);
        }
}
