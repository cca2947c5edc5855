/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Durable VM definitions: one file per VM, <state>/vms/<uuid>.xml, written
 * atomically (temporary file, fsync, rename, fsync of the directory), so that
 * after a crash at any instant each file is either its old or its new content.
 *
 * A file is the normalised domain XML behind one header line that carries what
 * the domain XML has no place for:
 *   <?hypervisord owner="1000" engine="qemu" autostart="no"?>
 */

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

typedef struct {
        char *uuid;
        uid_t owner;
        char *engine;
        bool autostart;
        char *xml; /* the domain document, without the header */
} StoredVm;

void stored_vm_free(StoredVm *stored);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(StoredVm, stored_vm_free)

/* One change of a file in a folder: new contents, or removal when data is NULL. */
typedef struct {
        const char *name;
        const char *data;
        size_t length;
        GError *error; /* set when this change could not be made, or not made durable */
} StoreChange;

/* Make the n changes in dir, atomically and durably, with one sync of the folder
 * for them all: each new content goes to a temporary file that is fsync'd; then,
 * in the order given, each file is replaced by its temporary file or removed; then
 * the folder is fsync'd once. After a crash at any instant each file is its old or
 * its new content. No two changes may name the same file. A change that fails does
 * not stop the others; when the folder's sync fails, every change that was made
 * gets that error. Returns the number of changes that failed. */
unsigned store_apply_changes(const char *dir, StoreChange *changes, unsigned n, mode_t mode);

/* Write data to dir/name atomically and durably (one change); dir must exist. */
bool store_write_file_atomic(const char *dir, const char *name, const char *data, size_t length, mode_t mode,
                             GError **error);


/* The file of a VM in the definitions folder, and its contents. The daemon
 * writes them with a StoreWriter (store-writer.h), off the event loop. */
char *store_vm_file_name(const char *uuid);
char *store_format_vm(const StoredVm *stored);

/* Every definition in vms_dir; unreadable files are reported through warn_fn and skipped,
 * leftover temporary files are removed. */
GPtrArray *store_load_vms(const char *vms_dir, GError **error);

/* Parse one stored file's contents; exposed for tests. */
StoredVm *store_parse_vm(const char *uuid, const char *contents, GError **error);
