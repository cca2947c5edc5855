/* SPDX-License-Identifier: LGPL-2.1-or-later */

/*
 * Hostile bytes into a libxml2 tree, and helpers to walk it (see domain-xml-reader.h).
 *
 * The parser context is private to the call and told to stop at the first DOCTYPE, so no
 * entity can ever be declared: no expansion bomb, no external entity, no DTD fetch. It never
 * uses the network, limits nesting, and reports errors to this call only (no global error
 * handler, nothing on stderr).
 */

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include "domain-xml-reader.h"
#include "vm-problems.h"

#define QUOTE_MAX_BYTES 64 /* of a user value quoted in an error message */

#if LIBXML_VERSION >= 21200
typedef const xmlError XmlErrorArg;
#else
typedef xmlError XmlErrorArg;
#endif

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlParserCtxt, xmlFreeParserCtxt)

/* ---- error messages ---- */

/* User values are quoted back in messages; a 1 MiB value would drown the message. The input
 * is valid UTF-8, so cutting at a character start keeps it valid. */
char *xml_shorten(const char *value) {
        size_t n = strlen(value);

        if (n <= QUOTE_MAX_BYTES)
                return g_strdup(value);
        n = QUOTE_MAX_BYTES;
        while (n > 0 && ((unsigned char) value[n] & 0xC0) == 0x80)
                n--;
        return g_strdup_printf("%.*s...", (int) n, value);
}

/* "'<name>'" or "'<prefix:name>'" */
char *xml_element_label(const xmlNode *node) {
        g_autofree char *name = NULL;

        if (node->ns && node->ns->prefix)
                name = g_strdup_printf("%s:%s", (const char *) node->ns->prefix, XML_NODE_NAME(node));
        else
                name = g_strdup(XML_NODE_NAME(node));
        g_autofree char *short_name = xml_shorten(name);
        return g_strdup_printf("'<%s>'", short_name);
}

bool xml_fail(GError **error, const xmlNode *node, HvErrorCode code, const char *format, ...) {
        g_autofree char *message = NULL;
        long line = node ? xmlGetLineNo(node) : -1;
        va_list ap;

        va_start(ap, format);
        message = g_strdup_vprintf(format, ap);
        va_end(ap);

        vm_problem_set_error(error, line > 0 ? (unsigned long) line : 0, code, message);
        return false;
}

bool xml_fail_unsupported_element(GError **error, const xmlNode *node) {
        g_autofree char *label = xml_element_label(node);

        if (node->parent && node->parent->type == XML_ELEMENT_NODE) {
                g_autofree char *parent = xml_element_label(node->parent);
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED, "%s in %s is not supported", label, parent);
        }
        return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED, "%s is not supported", label);
}

bool xml_fail_unsupported_value(GError **error, const xmlNode *node, const char *attribute, const char *value) {
        g_autofree char *label = xml_element_label(node);
        g_autofree char *quoted = xml_shorten(value);

        if (attribute)
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED, "%s='%s' of %s is not supported", attribute,
                                quoted, label);
        return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED, "value '%s' of %s is not supported", quoted, label);
}

bool xml_fail_bad_value(GError **error, const xmlNode *node, const char *what, const char *value, const char *rule) {
        g_autofree char *label = xml_element_label(node);
        g_autofree char *quoted = xml_shorten(value);

        return xml_fail(error, node, HV_ERROR_INVALID_ARGUMENT, "invalid %s '%s' in %s: %s", what, quoted, label,
                        rule);
}

/* ---- reading bytes into a tree ---- */

typedef struct {
        char *error; /* the first error, with its position */
        unsigned depth;
} XmlReader;

static XmlReader *reader_of(void *ctx) {
        return ((xmlParserCtxt *) ctx)->_private;
}

static void reader_stop(void *ctx, const char *what) {
        xmlParserCtxt *ctxt = ctx;
        XmlReader *reader = reader_of(ctx);

        if (!reader->error)
                reader->error = g_strdup_printf("line %d, column %d: %s", xmlSAX2GetLineNumber(ctx),
                                                xmlSAX2GetColumnNumber(ctx), what);
        xmlStopParser(ctxt);
}

static void on_xml_error(void *ctx, XmlErrorArg *e) {
        XmlReader *reader = reader_of(ctx);
        g_autofree char *message = NULL;

        /* Warnings (e.g. a relative namespace URI) do not make a document invalid. */
        if (!e || e->level == XML_ERR_WARNING || reader->error)
                return;
        message = g_utf8_make_valid(e->message ? e->message : "unknown error", -1);
        g_strchomp(message);
        if (e->line > 0 && e->int2 > 0)
                reader->error = g_strdup_printf("line %d, column %d: %s", e->line, e->int2, message);
        else if (e->line > 0)
                reader->error = g_strdup_printf("line %d: %s", e->line, message);
        else
                reader->error = g_steal_pointer(&message);
}

/* A DOCTYPE is where entities and external DTDs come from; none is needed for a domain. */
static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id, const xmlChar *system_id) {
        reader_stop(ctx, "a document type declaration (<!DOCTYPE>) is not allowed");
}

static void on_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *public_id,
                           const xmlChar *system_id, xmlChar *content) {
        reader_stop(ctx, "entity declarations are not allowed");
}

static void on_start_element(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                             int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
                             const xmlChar **attributes) {
        XmlReader *reader = reader_of(ctx);

        if (++reader->depth > XML_READ_MAX_DEPTH) {
                reader_stop(ctx, "elements are nested more than " G_STRINGIFY(XML_READ_MAX_DEPTH) " deep");
                return;
        }
        xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes, nb_defaulted,
                              attributes);
}

static void on_end_element(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri) {
        XmlReader *reader = reader_of(ctx);

        reader->depth--;
        xmlSAX2EndElementNs(ctx, localname, prefix, uri);
}

static bool fail_at_offset(GError **error, const char *xml, size_t offset, const char *what) {
        unsigned line = 1, column = 1;

        for (size_t i = 0; i < offset; i++) {
                if (xml[i] == '\n') {
                        line++;
                        column = 1;
                } else if (((unsigned char) xml[i] & 0xC0) != 0x80)
                        column++;
        }
        g_set_error(error, HV_ERROR, HV_ERROR_INVALID_XML, "line %u, column %u: %s", line, column, what);
        return false;
}

xmlDoc *xml_read_document(const char *xml, size_t length, size_t max_size, GError **error) {
        g_autoptr(xmlParserCtxt) ctxt = NULL;
        g_autoptr(xmlDoc) doc = NULL;
        XmlReader reader = {};
        const char *nul, *end;
        bool well_formed;

        if (length > max_size) {
                g_set_error(error, HV_ERROR, HV_ERROR_INVALID_XML,
                            "the document has %zu bytes, more than the limit of %zu", length, max_size);
                return NULL;
        }
        if (length == 0) {
                g_set_error_literal(error, HV_ERROR, HV_ERROR_INVALID_XML, "the document is empty");
                return NULL;
        }
        /* libxml2 would stop at a NUL or guess other encodings; D-Bus strings are UTF-8. */
        nul = memchr(xml, '\0', length);
        if (nul) {
                fail_at_offset(error, xml, nul - xml, "a NUL byte is not allowed");
                return NULL;
        }
        if (!g_utf8_validate_len(xml, length, &end)) {
                fail_at_offset(error, xml, end - xml, "the document is not valid UTF-8");
                return NULL;
        }

        xmlInitParser();
        ctxt = xmlCreateMemoryParserCtxt(xml, (int) length);
        if (!ctxt) {
                g_set_error_literal(error, HV_ERROR, HV_ERROR_FAILED, "cannot create an XML parser");
                return NULL;
        }
        xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC |
                                        XML_PARSE_BIG_LINES);
        /* These follow process-wide defaults; pin them so that no other code can change them. */
        ctxt->replaceEntities = 0;
        ctxt->loadsubset = 0;
        ctxt->validate = 0;
        ctxt->keepBlanks = 1;
        ctxt->_private = &reader;
        ctxt->sax->serror = on_xml_error;
        ctxt->sax->internalSubset = on_doctype;
        ctxt->sax->externalSubset = on_doctype;
        ctxt->sax->entityDecl = on_entity_decl;
        ctxt->sax->startElementNs = on_start_element;
        ctxt->sax->endElementNs = on_end_element;

        xmlParseDocument(ctxt);
        doc = g_steal_pointer(&ctxt->myDoc);
        well_formed = ctxt->wellFormed;
        g_clear_pointer(&ctxt, xmlFreeParserCtxt);

        if (reader.error || !well_formed || !doc) {
                g_set_error_literal(error, HV_ERROR, HV_ERROR_INVALID_XML,
                                    reader.error ? reader.error : "the document is not well-formed XML");
                g_free(reader.error);
                return NULL;
        }
        if (doc->intSubset || doc->extSubset) {
                g_set_error_literal(error, HV_ERROR, HV_ERROR_INVALID_XML,
                                    "a document type declaration (<!DOCTYPE>) is not allowed");
                return NULL;
        }
        if (!xmlDocGetRootElement(doc)) {
                g_set_error_literal(error, HV_ERROR, HV_ERROR_INVALID_XML, "the document has no element");
                return NULL;
        }
        return g_steal_pointer(&doc);
}

/* ---- tree helpers ---- */

uint32_t xml_line(const xmlNode *node) {
        long line = node ? xmlGetLineNo(node) : -1;

        return line > 0 && line <= UINT32_MAX ? (uint32_t) line : 0;
}

bool xml_is_element(const xmlNode *node, const char *name) {
        return node->type == XML_ELEMENT_NODE && !node->ns && strcmp(XML_NODE_NAME(node), name) == 0;
}

static bool is_blank(const xmlChar *text) {
        for (const xmlChar *p = text; p && *p; p++)
                if (!strchr(" \t\r\n", *p))
                        return false;
        return true;
}

char *xml_attr_value(const xmlNode *node, const char *name) {
        xmlChar *value = xmlGetNoNsProp(node, (const xmlChar *) name);
        char *copy = g_strdup((const char *) value);

        xmlFree(value);
        return copy;
}

bool xml_check_attributes(const xmlNode *node, const char *const *allowed, GError **error) {
        for (const xmlAttr *attr = node->properties; attr; attr = attr->next) {
                g_autofree char *label = NULL, *name = NULL;

                if (!attr->ns && allowed && g_strv_contains(allowed, (const char *) attr->name))
                        continue;
                label = xml_element_label(node);
                name = xml_shorten((const char *) attr->name);
                if (attr->ns && attr->ns->prefix)
                        return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED,
                                        "attribute '%s:%s' of %s is not supported", (const char *) attr->ns->prefix,
                                        name, label);
                return xml_fail(error, node, HV_ERROR_NOT_SUPPORTED, "attribute '%s' of %s is not supported", name,
                                label);
        }
        return true;
}

/* Content made of elements; white space, comments and processing instructions may go anywhere. */
bool xml_check_element_content(const xmlNode *node, GError **error) {
        for (const xmlNode *child = node->children; child; child = child->next) {
                g_autofree char *label = NULL, *text = NULL, *quoted = NULL;

                switch (child->type) {
                case XML_ELEMENT_NODE:
                case XML_COMMENT_NODE:
                case XML_PI_NODE:
                        continue;
                case XML_TEXT_NODE:
                case XML_CDATA_SECTION_NODE:
                        if (is_blank(child->content))
                                continue;
                        label = xml_element_label(node);
                        text = g_strstrip(g_strdup((const char *) child->content));
                        quoted = xml_shorten(text);
                        return xml_fail(error, child, HV_ERROR_INVALID_XML, "unexpected text '%s' in %s", quoted,
                                        label);
                default:
                        label = xml_element_label(node);
                        return xml_fail(error, child, HV_ERROR_INVALID_XML, "unexpected content in %s", label);
                }
        }
        return true;
}

/* Sorts the element children of node into slots[i] by names[i] (NULL-terminated; NULL for
 * none): an unknown element is NotSupported, a repeated one InvalidXML. */
bool xml_collect_children(const xmlNode *node, const char *const *names, xmlNode **slots, GError **error) {
        return xml_collect_children_repeatable(node, names, slots, NULL, error);
}

bool xml_collect_children_repeatable(const xmlNode *node, const char *const *names, xmlNode **slots,
                                     const char *const *repeatable, GError **error) {
        if (!xml_check_element_content(node, error))
                return false;
        for (xmlNode *child = node->children; child; child = child->next) {
                size_t i;

                if (child->type != XML_ELEMENT_NODE)
                        continue;
                for (i = 0; names && names[i]; i++)
                        if (xml_is_element(child, names[i]))
                                break;
                if (!names || !names[i])
                        return xml_fail_unsupported_element(error, child);
                if (slots[i] && repeatable && g_strv_contains(repeatable, names[i]))
                        continue;
                if (slots[i]) {
                        g_autofree char *label = xml_element_label(node);
                        return xml_fail(error, child, HV_ERROR_INVALID_XML, "'<%s>' appears more than once in %s",
                                        names[i], label);
                }
                slots[i] = child;
        }
        return true;
}

/* An element made of attributes only, like <source file='...'/>. */
bool xml_check_empty_element(const xmlNode *node, const char *const *attributes, GError **error) {
        return xml_check_attributes(node, attributes, error) && xml_collect_children(node, NULL, NULL, error);
}

/* The text of an element that holds text only; strip for tokens such as numbers. */
bool xml_element_text(const xmlNode *node, const char *const *attributes, bool strip, char **ret, GError **error) {
        xmlChar *content;
        char *text;

        if (!xml_check_attributes(node, attributes, error))
                return false;
        for (const xmlNode *child = node->children; child; child = child->next) {
                g_autofree char *label = NULL, *child_label = NULL;

                switch (child->type) {
                case XML_TEXT_NODE:
                case XML_CDATA_SECTION_NODE:
                case XML_COMMENT_NODE:
                case XML_PI_NODE:
                        continue;
                case XML_ELEMENT_NODE:
                        label = xml_element_label(node);
                        child_label = xml_element_label(child);
                        return xml_fail(error, child, HV_ERROR_INVALID_XML, "%s is not allowed inside %s", child_label,
                                        label);
                default:
                        label = xml_element_label(node);
                        return xml_fail(error, child, HV_ERROR_INVALID_XML, "unexpected content in %s", label);
                }
        }
        content = xmlNodeGetContent(node);
        text = g_strdup(content ? (const char *) content : "");
        xmlFree(content);
        *ret = strip ? g_strstrip(text) : text;
        return true;
}

int xml_lookup_name(const char *const *names, const char *value) {
        for (int i = 0; names[i]; i++)
                if (strcmp(names[i], value) == 0)
                        return i;
        return -1;
}

/* An attribute with a fixed set of values: absent gives default_index, or is an error when
 * default_index < 0; an unknown value is NotSupported. */
bool xml_attr_choice(const xmlNode *node, const char *attribute, const char *const *names, int default_index, int *ret,
                     GError **error) {
        g_autofree char *value = xml_attr_value(node, attribute);

        if (!value) {
                if (default_index < 0) {
                        g_autofree char *label = xml_element_label(node);
                        return xml_fail(error, node, HV_ERROR_INVALID_XML, "%s needs the attribute '%s'", label,
                                        attribute);
                }
                *ret = default_index;
                return true;
        }
        *ret = xml_lookup_name(names, value);
        if (*ret < 0)
                return xml_fail_unsupported_value(error, node, attribute, value);
        return true;
}

bool xml_fail_missing(GError **error, const xmlNode *node, const char *child) {
        g_autofree char *label = xml_element_label(node);

        return xml_fail(error, node, HV_ERROR_INVALID_XML, "%s needs a '<%s>'", label, child);
}

bool xml_attr_uint32(const xmlNode *node, const char *attribute, uint32_t min, uint32_t max, uint32_t *ret,
                     GError **error) {
        g_autofree char *value = xml_attr_value(node, attribute);
        g_autofree char *rule = NULL;
        char *end = NULL;
        guint64 number;

        if (!value)
                return true;
        number = g_ascii_strtoull(value, &end, 10);
        if (!g_ascii_isdigit(value[0]) || *end || number < min || number > max) {
                rule = g_strdup_printf("expected a number from %" PRIu32 " to %" PRIu32, min, max);
                return xml_fail_bad_value(error, node, attribute, value, rule);
        }
        *ret = (uint32_t) number;
        return true;
}
