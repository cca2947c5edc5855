/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The floor of the benchmarks: a trivial sd-bus service, in a child process,
 * on the same bus as hypervisord. It has one object with a read-only string
 * property State, and a method List(a{sv}) -> (ao) that answers a fixed list
 * of object paths, as ListVMs does. StartTicks(u n) starts a process that
 * writes n timestamps into a pipe, one every 5 ms, as the stand-in QEMU writes
 * events; the service reads each and sends it on as the signal Tick(t), the
 * time of its write (g_get_real_time()): the floor of an engine event's way to
 * a client.
 */

#include <gio/gio.h>
#include <sys/types.h>

#define BENCH_ECHO_NAME "org.example.HypervisorBenchEcho"
#define BENCH_ECHO_PATH "/echo"
#define BENCH_ECHO_INTERFACE "org.example.Echo"

/* paths: what List answers (copied by the fork), or NULL for an empty list. Returns
 * once the service owns its name. */
pid_t bench_echo_start(GDBusConnection *connection, const char *address, GPtrArray *paths);
void bench_echo_stop(pid_t pid);
