/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The state of a VM's emulated TPM (<tpm>): <state>/tpm/<uuid>/, made by the service at the
 * VM's first boot, 0700 and given to the VM's owner (swtpm runs as the owner and writes it),
 * kept across boots and daemon restarts, removed with the VM (docs/security.md, rule 7).
 * <state>/tpm stays root's and 0700: the engine gets the folder as an open descriptor and
 * swtpm reaches it through /proc/self/fd, so the owner needs no way through <state>.
 */

#include <glib.h>
#include <sys/types.h>

#include "vm-config.h"

/* Whether the VM has a <tpm>, whose state the service keeps. */
bool vm_tpm_is_wanted(const VmConfig *config);

/* The VM's TPM state folder, open (O_DIRECTORY, O_CLOEXEC), made and given to uid:gid when it
 * does not exist yet; -1 with error set, also when it exists and belongs to someone else. */
int vm_tpm_state_open(const char *state_dir, const VmConfig *config, uid_t uid, gid_t gid, GError **error);

/* Removes the VM's TPM state folder, if any (its definition is gone). What the owner put in it is
 * removed without following a symbolic link, up to a bound (VM_TPM_REMOVE_MAX entries). */
void vm_tpm_state_remove(const char *state_dir, const char *uuid);

/* swtpm writes a few files; more than this in a state folder is the owner's doing, and is left
 * (with a warning) rather than keeping the service busy. */
#define VM_TPM_REMOVE_MAX 1024
