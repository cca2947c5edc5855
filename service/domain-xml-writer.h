/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What every domain XML writer (domain-xml-format.c and the domain-xml-*.c beside it)
 * writes text with: indentation, and the one escaping that makes GetXML read back as it
 * was. Besides the markup characters, it writes CR always, and tab and newline inside
 * attribute values, as character references: a parser would otherwise turn them into
 * something else (a path with a newline into one with a space).
 */

#include <stdbool.h>

#include <glib.h>

/* Two spaces per level. */
void domain_xml_append_indent(GString *out, unsigned level);

/* text escaped for an attribute value (quoted with ' or ") or for element content. */
void domain_xml_append_escaped(GString *out, const char *text, bool attribute);

/* " name='value'", escaped; nothing when value is NULL. */
void domain_xml_append_attr(GString *out, const char *name, const char *value);

/* "<name>text</name>\n" at level, escaped; nothing when text is NULL. */
void domain_xml_append_text_element(GString *out, unsigned level, const char *name, const char *text);
