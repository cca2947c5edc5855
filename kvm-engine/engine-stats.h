/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * GetStats: the counters of a running VM, one a{sv} whose keys both engines
 * fill the same way (the contract XML, org.example.Hypervisor.VM.xml, lists
 * them):
 *
 *   cpu-time, cpu-user, cpu-system   t  ns of CPU the engine process used
 *                                       (vCPUs and device emulation)
 *   memory-maximum                   t  bytes, <memory>
 *   memory-actual                    t  bytes the guest has now
 *   memory-balloon                   t  bytes the balloon took back (0 without one)
 *   block                        aa{sv} per disk: id, read-bytes, write-bytes,
 *                                       read-requests, write-requests (t)
 *   net                          aa{sv} per interface, as the guest sees it:
 *                                       id, rx-bytes, tx-bytes, rx-packets, tx-packets (t)
 *
 * Also what the host's kernel counts, read by the service itself: the engine
 * process's CPU time (/proc/PID/stat) and a tap device's packets
 * (/proc/self/net/dev). Both are the kernel's files, never a path that a
 * user named.
 */

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <json-glib/json-glib.h>

/* cpu-time, cpu-user and cpu-system of process pid; nothing when it cannot be read. */
void engine_stats_add_cpu(GVariantDict *stats, pid_t pid);
/* Parses the text of /proc/PID/stat: utime and stime in clock ticks. */
bool engine_stats_parse_proc_stat(const char *text, uint64_t *ret_utime, uint64_t *ret_stime);

/* memory-maximum, memory-actual and memory-balloon; actual is capped at maximum. */
void engine_stats_add_memory(GVariantDict *stats, uint64_t maximum, uint64_t actual);

/* One entry of "block" or "net" (floating a{sv}). */
GVariant *engine_stats_block_entry(const char *id, uint64_t read_bytes, uint64_t write_bytes, uint64_t read_requests,
                                   uint64_t write_requests);
GVariant *engine_stats_net_entry(const char *id, uint64_t rx_bytes, uint64_t tx_bytes, uint64_t rx_packets,
                                 uint64_t tx_packets);
/* Parses the text of /proc/net/dev: interface's rx bytes, rx packets, tx bytes, tx packets. */
bool engine_stats_parse_net_dev(const char *text, const char *interface, uint64_t ret[4]);
/* The net entry of a tap device, from the host's side swapped to the guest's; NULL when unreadable. */
GVariant *engine_stats_tap_entry(const char *id, const char *tap);

/* Ends the arrays (possibly empty) into "block" and "net". */
void engine_stats_add_devices(GVariantDict *stats, GVariantBuilder *block, GVariantBuilder *net);

/* A counter in the engine's JSON: the member's integer when it is one above 0, else 0. */
uint64_t engine_stats_member_u64(JsonObject *object, const char *name);
