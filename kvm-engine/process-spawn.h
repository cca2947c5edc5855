/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The start of an engine process, off the event loop (internal to process.c).
 *
 * The child is started as posix_spawn() does, with clone(CLONE_VM|CLONE_VFORK):
 * the daemon's memory is not copied, and the thread that calls clone() waits,
 * suspended, until the child's execve() (or its failure). On a busy host that
 * wait lasts milliseconds (the child waits for a CPU, execve() for the disk),
 * so the clone() is made by a spawner thread, one start after the other, and
 * the loop learns the outcome from a pipe: spawn_job_get_fd() reads end of file
 * once the thread is done with the job, after the errno of a failed execve() if
 * there was one.
 */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "process.h"

typedef struct SpawnJob SpawnJob;

/* Takes devnull and log_fd (stdin and stdout/stderr of the child); duplicates
 * the descriptors of params, which stay the caller's. */
SpawnJob *spawn_job_start(const ProcessSpawnParams *params, const char *binary, int devnull, int log_fd,
                          GError **error);

/* Readable when the job has news; see spawn_job_collect(). */
int spawn_job_get_fd(const SpawnJob *job);

/*
 * Reads what is readable without waiting. False while the job is not done.
 * Once done: *ret_pid is the child (> 0, or 0 if clone() itself failed) and
 * *ret_errno why the program does not run (0: it runs). A child that could not
 * exec is reaped here.
 */
bool spawn_job_collect(SpawnJob *job, pid_t *ret_pid, int *ret_errno);

/* Waits until the job is done, then as spawn_job_collect(). */
void spawn_job_wait(SpawnJob *job, pid_t *ret_pid, int *ret_errno);

/* Only once done. */
void spawn_job_free(SpawnJob *job);

/* For tests: the spawner thread waits msec after each start before it reports it,
 * as a busy host can make it, so that the engine's first answers come first. */
void spawn_delay_reports_for_tests(unsigned msec);
