/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A disk's <backingStore> chain: the images below the disk's own, each a <backingStore
 * type='file|block|network'> with its <format type> and <source>, nested, the nearest first;
 * an empty <backingStore/> ends the chain (QEMU then opens no backing file an image names).
 * Also <metadata_cache><max_size> (qcow2's cache-size) in a disk's <driver> and a layer's
 * <format>, and the 'index' of a <source> or <backingStore>, which `virsh dumpxml` writes for a
 * running domain and libvirt's define reads past: so does the service, and GetXML leaves it out.
 */

#include <glib.h>
#include <libxml/tree.h>

#include "domain-xml.h"
#include "vm-config.h"

/* index='N' of a <source> or <backingStore>, when there: a number, else InvalidArgument. */
bool domain_xml_check_source_index(const xmlNode *node, GError **error);

/* <metadata_cache> (node) of an image in format: its <max_size unit>, in bytes (0 when none). */
bool domain_xml_parse_metadata_cache(const xmlNode *node, VmDiskFormat format, uint64_t *bytes, GError **error);
/* The <metadata_cache> lines at level, nothing for 0. */
void domain_xml_format_metadata_cache(GString *out, unsigned level, uint64_t bytes);

/* The <backingStore> child (node) of a <disk> of disk's format: the chain into disk->backing,
 * n_backing and backing_end. Paths as the disk's own (relative ones under images_dir). */
bool domain_xml_parse_disk_backing(const xmlNode *node, const DomainXmlPaths *paths, VmDisk *disk, GError **error);
/* The chain's nested <backingStore> elements at level, nothing when none was written. */
void domain_xml_format_disk_backing(GString *out, unsigned level, const VmDisk *disk);
