/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The swtpm process beside QEMU for a VM with a <tpm> (qemu-tpm.c).
 *
 * At each start the engine makes a listening socket (<runtime>/tpm.sock, the service's),
 * spawns `swtpm socket --tpm2` (without --tpm2 for a TPM 1.2) as the VM's owner with that socket as its control channel and
 * the TPM's state folder (the service's, given as a descriptor) as its state, and gives QEMU
 * an O_PATH descriptor of the socket to connect through (/proc/self/fd/N). swtpm ends when
 * QEMU closes the TPM's data channel (--terminate), so it goes with QEMU even when the daemon
 * is not there; if QEMU goes before it connected, qemu_tpm_stop() ends it.
 */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "vm-config.h"

#define QEMU_TPM_BINARY "swtpm"

typedef struct QemuTpm QemuTpm;

/* NULL when config has no <tpm>. state_fd: the TPM's state folder, open (O_DIRECTORY); it is
 * duplicated. uid (uid_t) -1: swtpm runs as the service. */
QemuTpm *qemu_tpm_new(sd_event *event, const VmConfig *config, int state_fd, const char *runtime_dir,
                      const char *log_path, uid_t uid, gid_t gid);
/* Neither stops swtpm nor calls back. */
void qemu_tpm_free(QemuTpm *tpm);

/* swtpm's arguments: its control channel and state folder are the descriptors ctrl_fd and
 * state_fd; --tpm2 for a TPM 2.0 (a TPM 1.2 is swtpm's default), as libvirt starts it. */
char **qemu_tpm_swtpm_argv(VmTpmVersion version, int ctrl_fd, int state_fd);

/* Before QEMU is spawned: a fresh control socket, swtpm on it, and for QEMU the socket's O_PATH
 * descriptor appended to fds (ProcessFd) at the first number above theirs, which *ret_target
 * gets (0 when tpm is NULL). */
bool qemu_tpm_start(QemuTpm *tpm, GArray *fds, int *ret_target, GError **error);

/* QEMU is gone, or was never started: swtpm goes too (it is signalled if it still runs), and
 * the socket's name is removed. NULL does nothing. */
void qemu_tpm_stop(QemuTpm *tpm);

/* The pid of the running swtpm, 0 when none (for tests and the log). */
pid_t qemu_tpm_get_pid(const QemuTpm *tpm);
