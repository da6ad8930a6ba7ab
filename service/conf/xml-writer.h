/* Writing canonical XML: libvirt's layout (two-space indent, single-quoted
 * attributes, empty elements closed with "/>"). */
#pragma once

#include <glib.h>

/* Append " name='value'" (escaped); nothing when @value is NULL. */
void guestd_xml_add_attr (GString *attrs, const char *name,
                          const char *value);
void guestd_xml_add_attr_printf (GString *attrs, const char *name,
                                 const char *fmt, ...) G_GNUC_PRINTF (3, 4);

/* Append <name attrs/> or <name attrs>\n children </name> at @indent.
 * @attrs and @children may be NULL or empty; @children is expected to be
 * formatted at @indent + 2. */
void guestd_xml_add_element (GString *out, int indent, const char *name,
                             GString *attrs, GString *children);
/* <name attrs>text</name>; nothing when @text is NULL. */
void guestd_xml_add_text_element (GString *out, int indent, const char *name,
                                  GString *attrs, const char *text);

/* XML-escape @text into @out. */
void guestd_xml_escape (GString *out, const char *text);
