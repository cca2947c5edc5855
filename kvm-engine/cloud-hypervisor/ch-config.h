/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * VmConfig -> cloud-hypervisor's VmConfig JSON (the body of vm.create) and the
 * bodies of the hot-plug calls. Network interfaces are not part of vm.create:
 * cloud-hypervisor ignores fds there, so each one is added with vm.add-net and
 * its tap fd before vm.boot.
 */

#include <json-glib/json-glib.h>

#include "vm-config.h"

/* Sockets cloud-hypervisor binds itself (it takes no descriptor for them) go
 * into this subdirectory of the runtime directory, owned by the VM's owner: the
 * engine runs as the owner and cannot write the runtime directory itself. */
#define CH_ENGINE_DIR_NAME "engine"
#define CH_SERIAL_SOCKET_NAME "serial.sock"
#define CH_VSOCK_SOCKET_NAME "vsock.sock"

/* Can cloud-hypervisor run this? The message names what it cannot. */
bool ch_config_check(const VmConfig *config, GError **error);
/* An <interface> it can honour, else NotSupported naming it (ch-net.c). */
bool ch_check_interface(const VmInterface *net, GError **error);
/* The platform parts (ch-platform.c): refused naming the element and the engine. */
bool ch_platform_check(const VmConfig *config, GError **error);
bool ch_display_check(const VmConfig *config, GError **error);
/* The device parts of vm-devices.h it honours; the rest refused (ch-devices.c). */
bool ch_devices_check(const VmConfig *config, GError **error);

/* The vm.create body. runtime_dir holds the sockets we choose (serial, vsock). */
JsonNode *ch_config_build_vm(const VmConfig *config, const char *runtime_dir, GError **error);

/* The body of vm.add-disk, vm.add-net, vm.add-vsock or vm.add-device for one device. */
JsonNode *ch_config_build_device(const VmDevice *device, const char *runtime_dir, GError **error);
/* "vm.add-disk", ...; NULL for kinds that cannot be hot-plugged. */
const char *ch_config_add_endpoint(VmDeviceKind kind);

/* The unix socket the serial port listens on, which OpenConsole connects to;
 * NULL when the serial port goes to a file. */
char *ch_config_serial_socket(const VmConfig *config, const char *runtime_dir);

char *ch_json_to_string(JsonNode *node, bool pretty);
