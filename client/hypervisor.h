/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* libhypervisor: the client library of hypervisord. Include only this header. */

#include "hypervisor-error.h"
#include "hypervisor-vm.h"
#include "hypervisor-client.h"
