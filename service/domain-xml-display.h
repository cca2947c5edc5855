/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The display parts of domain XML (VmDisplay): <graphics>, <video>, <input>, <sound>,
 * <audio>, <redirdev> and <channel type='spicevmc'> in <devices>. Read and written here;
 * service/domain-xml.c hands each such element over and calls the final check.
 */

#include <stdbool.h>

#include <glib.h>
#include <libxml/tree.h>

#include "vm-config.h"

/* Whether node, a child of <devices>, is read here. */
bool domain_xml_is_display_element(const xmlNode *node);
bool domain_xml_parse_display_element(const xmlNode *node, VmDisplay *display, GError **error);
/* Once every device was read: what the elements ask of each other, and the defaults made
 * explicit (a <video> for a <graphics>, an <audio> for a <sound>), as libvirt does. */
bool domain_xml_finish_display(const xmlNode *devices, VmDisplay *display, GError **error);

/* <audio> (domain-xml-audio.c): one backend, appended to display->audios. */
bool domain_xml_parse_audio(const xmlNode *node, VmDisplay *display, GError **error);
void domain_xml_format_audio(GString *out, const VmAudio *audio);

/* The elements, inside <devices> (two levels deep). */
void domain_xml_format_display(GString *out, const VmDisplay *display);
