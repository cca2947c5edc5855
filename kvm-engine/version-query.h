/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What a VM's own <emulator> says of its version (PROGRAM --version), asked as
 * the VM's owner and off the event loop, as libvirt probes each emulator. The
 * engine-wide probe at start-up only knows the configured binary; a VM may
 * name another one, which only its owner may be able to run, and which may be
 * another release.
 *
 * Answers are kept per (uid, program) for the daemon's life, so a VM asks once;
 * version_query_forget() drops one (e.g. when the program failed to start,
 * perhaps because it was replaced).
 */

#include <glib.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "engine.h"

/* Only so much of the program's output is kept. */
#define VERSION_QUERY_MAX_OUTPUT 4096

typedef struct VersionQuery VersionQuery;

/* output: what the program printed (at most VERSION_QUERY_MAX_OUTPUT bytes), or NULL and error. */
typedef void (*VersionQueryFn)(const char *output, const GError *error, void *userdata);

/* The kept answer for uid and program, or NULL. */
const char *version_query_lookup(uid_t uid, const char *program);
void version_query_forget(uid_t uid, const char *program);

/*
 * Runs "program --version" as uid/gid ((uid_t) -1: as the service), with the
 * environment envp, its output going to scratch_path (a file in a directory of
 * the service's own; replaced). done is called once, later, unless the query is
 * freed first. NULL and error when it cannot even be started.
 */
VersionQuery *version_query_start(sd_event *event, const char *program, uid_t uid, gid_t gid, const char *const *envp,
                                  const char *scratch_path, VersionQueryFn done, void *userdata, GError **error);
/* Cancels: done is not called. */
void version_query_free(VersionQuery *query);

/*
 * The engine-wide probe's part (EngineOps.probe): finds name in PATH and runs
 * "BINARY --version" with envp, synchronously (probe runs before the bus is
 * served); parse takes the version out of what it printed (NULL: none). Sets
 * ret's usable, binary, version, or unusable_reason.
 */
void version_query_probe(const char *name, const char *const *envp, char *(*parse)(const char *output),
                         EngineProbe *ret);
