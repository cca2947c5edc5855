/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The host CPUs an engine process may be pinned to: <vcpu cpuset> of a VmConfig becomes the
 * CPU affinity of the engine's process, set in the child before it runs the engine (as
 * libvirt does for a static cpuset without <cputune>), once Boot has checked that the host
 * has every CPU named.
 */

#include <glib.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>

#include "vm-config.h"

/* The kernel's CPU list ("0-3,8-11\n", as /sys/devices/system/cpu/online) into a bitmap of
 * VM_HOST_CPU_WORDS words; false when it does not read. CPUs from VM_HOST_CPUS_MAX on are
 * left out: no cpuset can name them. */
bool host_cpus_parse_list(const char *text, uint64_t *ret);

/* Whether every CPU of cpuset is in online (bitmaps as above); the error names the first
 * that is not, and the host's CPUs. */
bool host_cpus_check(const uint64_t *cpuset, const uint64_t *online, GError **error);

/* A <vcpu cpuset> as the affinity of the engine's process, checked against the host's
 * online CPUs (/sys/devices/system/cpu/online). False with HV_ERROR_INVALID_ARGUMENT when
 * the host lacks a CPU the cpuset names, HV_ERROR_FAILED when the list cannot be read. */
bool host_cpus_affinity(const uint64_t *cpuset, cpu_set_t *ret, GError **error);

/* Whether config asks for an affinity (<vcpu cpuset> was written). */
bool host_cpus_wanted(const uint64_t *cpuset);
