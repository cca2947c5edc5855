/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A folder that belongs to a VM's owner (cloud-hypervisor's "engine" folder in
 * the VM's runtime directory, where the engine binds its own sockets).
 */

/* Removes the folder's entries by name through a descriptor of the folder (no
 * link the owner left there is followed), then the folder itself. A folder that
 * is missing, or that the owner filled with subfolders, is left as it is. */
void owner_dir_remove(const char *path);
