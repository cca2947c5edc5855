/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A folder of the service's own state (<state>/nvram, <state>/tpm): made 0700 when missing,
 * and opened without following a link, so that what is made in it stays the service's. */

#include <glib.h>

/* The folder's descriptor (O_DIRECTORY), or -1 with error set. */
int state_dir_open(const char *dir, GError **error);
