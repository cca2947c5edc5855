/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include <string.h>

#include "engine.h"

/* Each engine exports its table from its own folder. */

static const EngineOps *const engines[] = {
#ifdef HAVE_ENGINE_QEMU
        &engine_qemu_ops,
#endif
#ifdef HAVE_ENGINE_CLOUD_HYPERVISOR
        &engine_cloud_hypervisor_ops,
#endif
        NULL,
};

const EngineOps *const *engine_list(void) {
        return engines;
}
