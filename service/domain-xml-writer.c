/* SPDX-License-Identifier: LGPL-2.1-or-later */

#include "domain-xml-writer.h"

void domain_xml_append_indent(GString *out, unsigned level) {
        for (unsigned i = 0; i < level; i++)
                g_string_append(out, "  ");
}

void domain_xml_append_escaped(GString *out, const char *text, bool attribute) {
        for (const char *p = text; *p; p++)
                switch (*p) {
                case '&':
                        g_string_append(out, "&amp;");
                        break;
                case '<':
                        g_string_append(out, "&lt;");
                        break;
                case '>':
                        g_string_append(out, "&gt;");
                        break;
                case '\r':
                        g_string_append(out, "&#13;");
                        break;
                case '\'':
                        g_string_append(out, attribute ? "&apos;" : "'");
                        break;
                case '"':
                        g_string_append(out, attribute ? "&quot;" : "\"");
                        break;
                case '\t':
                        g_string_append(out, attribute ? "&#9;" : "\t");
                        break;
                case '\n':
                        g_string_append(out, attribute ? "&#10;" : "\n");
                        break;
                default:
                        g_string_append_c(out, *p);
                }
}

void domain_xml_append_attr(GString *out, const char *name, const char *value) {
        if (!value)
                return;
        g_string_append_printf(out, " %s='", name);
        domain_xml_append_escaped(out, value, true);
        g_string_append_c(out, '\'');
}

void domain_xml_append_text_element(GString *out, unsigned level, const char *name, const char *text) {
        if (!text)
                return;
        domain_xml_append_indent(out, level);
        g_string_append_printf(out, "<%s>", name);
        domain_xml_append_escaped(out, text, false);
        g_string_append_printf(out, "</%s>\n", name);
}
