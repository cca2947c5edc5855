/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Reading untrusted XML for service/domain-xml.c: hostile bytes into a libxml2 tree, and the
 * small vocabulary used to walk that tree against a list of what is understood. Every
 * xml_fail*() sets a GError (HV_ERROR domain) whose message starts with "line L: " and
 * quotes the user's words, shortened, and returns false.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <libxml/tree.h>

#include "hv-error.h"

#define XML_READ_MAX_DEPTH 32

#define XML_NODE_NAME(node) ((const char *) (node)->name)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlBuffer, xmlBufferFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlNode, xmlFreeNode)

/* At most max_size bytes of UTF-8 without NUL, no DOCTYPE (hence no entity, no DTD, no
 * network), elements nested at most XML_READ_MAX_DEPTH deep. Errors are HV_ERROR_INVALID_XML
 * with "line L, column C: " from libxml2; nothing is printed. Returns a document with a root. */
xmlDoc *xml_read_document(const char *xml, size_t length, size_t max_size, GError **error);

/* A user value for an error message: long ones are cut. */
char *xml_shorten(const char *value);
/* "'<name>'" or "'<prefix:name>'" */
char *xml_element_label(const xmlNode *node);

bool xml_fail(GError **error, const xmlNode *node, HvErrorCode code, const char *format, ...) G_GNUC_PRINTF(4, 5);
/* NotSupported: "'<graphics>' in '<devices>' is not supported" */
bool xml_fail_unsupported_element(GError **error, const xmlNode *node);
/* NotSupported naming attribute='value' (or the element's text when attribute is NULL). */
bool xml_fail_unsupported_value(GError **error, const xmlNode *node, const char *attribute, const char *value);
/* InvalidArgument: "invalid <what> '<value>' in '<element>': <rule>" */
bool xml_fail_bad_value(GError **error, const xmlNode *node, const char *what, const char *value, const char *rule);
/* InvalidXML: "'<node>' needs a '<child>'" */
bool xml_fail_missing(GError **error, const xmlNode *node, const char *child);

/* The line of node for the model's lines (VmLines, vm-problems.h); 0 for NULL or unknown. */
uint32_t xml_line(const xmlNode *node);

/* An element without namespace of that name. */
bool xml_is_element(const xmlNode *node, const char *name);
/* The attribute's value (no namespace), or NULL. */
char *xml_attr_value(const xmlNode *node, const char *name);

/* Any attribute not in allowed (NULL-terminated, or NULL for none) is NotSupported. */
bool xml_check_attributes(const xmlNode *node, const char *const *allowed, GError **error);
/* Content made of elements: white space, comments and processing instructions may go
 * anywhere, other text is InvalidXML. */
bool xml_check_element_content(const xmlNode *node, GError **error);
/* Sorts the element children of node into slots[i] by names[i] (NULL-terminated; NULL for
 * none): an unknown element is NotSupported, a repeated one InvalidXML. */
bool xml_collect_children(const xmlNode *node, const char *const *names, xmlNode **slots, GError **error);
/* Like xml_collect_children(), but the elements named in repeatable (NULL-terminated) may
 * appear more than once: their slot holds the first, and the caller walks the others. */
bool xml_collect_children_repeatable(const xmlNode *node, const char *const *names, xmlNode **slots,
                                     const char *const *repeatable, GError **error);
/* An element made of the allowed attributes only, like <source file='...'/>. */
bool xml_check_empty_element(const xmlNode *node, const char *const *attributes, GError **error);
/* The text of an element that holds text only (child elements are InvalidXML); strip for
 * tokens such as numbers. */
bool xml_element_text(const xmlNode *node, const char *const *attributes, bool strip, char **ret, GError **error);

/* A number attribute from min to max; absent leaves *ret alone; otherwise InvalidArgument naming
 * the attribute, its value and the range. */
bool xml_attr_uint32(const xmlNode *node, const char *attribute, uint32_t min, uint32_t max, uint32_t *ret,
                     GError **error);

/* Index of value in the NULL-terminated names, or -1. */
int xml_lookup_name(const char *const *names, const char *value);
/* An attribute with a fixed set of values: absent gives default_index, or is InvalidXML when
 * default_index < 0; a value not in names is NotSupported. */
bool xml_attr_choice(const xmlNode *node, const char *attribute, const char *const *names, int default_index, int *ret,
                     GError **error);
