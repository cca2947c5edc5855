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
#include "vm-problems.h"

/* Sockets cloud-hypervisor binds itself (it takes no descriptor for them) go
 * into this subdirectory of the runtime directory, owned by the VM's owner: the
 * engine runs as the owner and cannot write the runtime directory itself. */
#define CH_ENGINE_DIR_NAME "engine"
#define CH_SERIAL_SOCKET_NAME "serial.sock"
#define CH_VSOCK_SOCKET_NAME "vsock.sock"

/* Every problem of config cloud-hypervisor cannot run, each naming the element and the engine,
 * with its line (vm-problems.h): what the engine refuses at DefineVM (and again at Boot). */
void ch_config_problems(const VmConfig *config, VmProblems *problems);
/* The same as one error (code of the first problem). */
bool ch_config_check(const VmConfig *config, GError **error);
/* An <interface> it can honour, else a problem naming it (ch-net.c). */
void ch_check_interface(const VmDevice *device, VmProblems *problems);
/* A problem of the element at line: "<what> is not supported by the cloud-hypervisor engine". */
void ch_refuse(VmProblems *problems, unsigned line, const char *what);
/* The platform parts (ch-platform.c): refused naming the element and the engine. */
void ch_platform_check(const VmConfig *config, VmProblems *problems);
void ch_display_check(const VmConfig *config, VmProblems *problems);
/* <sysinfo> (ch-sysinfo.c): its platform's SMBIOS fields. The check refuses what it cannot
 * give; the build writes vm.create's "platform" (always: the VM's UUID is its system UUID). */
void ch_sysinfo_check(const VmConfig *config, VmProblems *problems);
void ch_sysinfo_build(JsonBuilder *b, const VmConfig *config);
/* At Boot, with the release's version and major number (0: unknown): false with error when
 * it would ignore a field to give (before v26 all, before v53 all but the serial and OEM
 * strings). */
bool ch_sysinfo_check_version(const VmConfig *config, const char *version, unsigned major, GError **error);
/* The device parts of vm-devices.h it honours; the rest refused (ch-devices.c). */
void ch_devices_check(const VmConfig *config, VmProblems *problems);

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
