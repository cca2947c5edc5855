/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The UEFI variables the service keeps for a VM whose <os firmware='efi'> names no
 * <nvram> of the owner's: <state>/nvram/<uuid>_VARS.fd, made from the template
 * (<nvram template>, only the system's OVMF files, or Debian's default) at the
 * VM's first boot, kept across boots and daemon restarts, removed with the VM.
 * The file is the service's (0600 in a 0700 folder): the engine, running as the
 * owner, gets it as an open descriptor, never a path.
 */

#include <glib.h>

#include "vm-config.h"

/* Debian's OVMF (package ovmf): the variables template that matches OVMF_CODE_4M.fd. */
#define VM_NVRAM_DEFAULT_TEMPLATE "/usr/share/OVMF/OVMF_VARS_4M.fd"
/* A template larger than this is not one (OVMF's are 128 KiB to 4 MiB). */
#define VM_NVRAM_TEMPLATE_MAX (16 * 1024 * 1024)

/* Whether the service keeps this VM's variables. */
bool vm_nvram_is_ours(const VmConfig *config);

/* For a VM whose <nvram> is a path of the owner's, of UEFI in flash: its template, open read-only (O_CLOEXEC),
 * from which the engine makes that file as the owner when it does not exist at a start, as
 * libvirt does. The template is <nvram template>, else that of Debian's firmware the
 * <loader> is (or that <os firmware='efi'> chooses). 0 when there is none to use (the
 * path must then exist); -1 with error set when it cannot be opened. */
int vm_nvram_owner_template_open(const VmConfig *config, GError **error);

/* The VM's variables file, open read-write (O_CLOEXEC), made from its template
 * when it does not exist yet; -1 with error set. */
int vm_nvram_open(const char *state_dir, const VmConfig *config, GError **error);

/* Removes the VM's variables file, if any (its definition is gone). */
void vm_nvram_remove(const char *state_dir, const char *uuid);
