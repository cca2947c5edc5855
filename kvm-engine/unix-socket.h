/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The unix stream sockets between the daemon and its engines. */

#include <glib.h>

/*
 * A listening socket at @path, created by the daemon before an engine is
 * spawned and handed to it (QMP, console, cloud-hypervisor's API), so that
 * connections can be made at once: they wait in the backlog until the engine
 * accepts. A stale socket file at @path is replaced. Returns the descriptor
 * (close-on-exec), or -1 with @error set.
 */
int unix_socket_listen(const char *path, int backlog, GError **error);

/*
 * A connection to the engine's socket at @path, for a client: an ordinary
 * blocking stream (close-on-exec). The connect itself never blocks: a full
 * backlog is HV_ERROR_LIMITS_EXCEEDED. @description names the socket in the
 * error message ("console", "serial console").
 */
int unix_socket_connect(const char *path, const char *description, GError **error);
