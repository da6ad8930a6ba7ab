/* Canonical XML output helpers. */
#include "config.h"

#include "xml-writer.h"

static void
escape (GString *out, const char *text, gboolean in_attr)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      /* Parsers normalise CR away, and whitespace in attribute values to
       * spaces: character references keep them through a round trip. */
      if (*p == '\r' || (in_attr && (*p == '\n' || *p == '\t')))
        {
          g_string_append_printf (out, "&#%d;", *p);
          continue;
        }
      switch (*p)
        {
        case '<':
          g_string_append (out, "&lt;");
          break;
        case '>':
          g_string_append (out, "&gt;");
          break;
        case '&':
          g_string_append (out, "&amp;");
          break;
        case '\'':
          g_string_append (out, "&apos;");
          break;
        case '"':
          g_string_append (out, "&quot;");
          break;
        default:
          g_string_append_c (out, *p);
        }
    }
}

void
guestd_xml_escape (GString *out, const char *text)
{
  escape (out, text, FALSE);
}

void
guestd_xml_add_attr (GString *attrs, const char *name, const char *value)
{
  if (value == NULL)
    return;
  g_string_append_c (attrs, ' ');
  g_string_append (attrs, name);
  g_string_append (attrs, "='");
  escape (attrs, value, TRUE);
  g_string_append_c (attrs, '\'');
}

void
guestd_xml_add_attr_printf (GString *attrs, const char *name,
                            const char *fmt, ...)
{
  g_autofree char *value = NULL;
  va_list ap;

  va_start (ap, fmt);
  value = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  guestd_xml_add_attr (attrs, name, value);
}

static void
open_tag (GString *out, int indent, const char *name, GString *attrs)
{
  for (int i = 0; i < indent; i++)
    g_string_append_c (out, ' ');
  g_string_append_c (out, '<');
  g_string_append (out, name);
  if (attrs != NULL)
    g_string_append_len (out, attrs->str, attrs->len);
}

void
guestd_xml_add_element (GString *out, int indent, const char *name,
                        GString *attrs, GString *children)
{
  open_tag (out, indent, name, attrs);
  if (children == NULL || children->len == 0)
    {
      g_string_append (out, "/>\n");
      return;
    }
  g_string_append (out, ">\n");
  g_string_append_len (out, children->str, children->len);
  for (int i = 0; i < indent; i++)
    g_string_append_c (out, ' ');
  g_string_append_printf (out, "</%s>\n", name);
}

void
guestd_xml_add_text_element (GString *out, int indent, const char *name,
                             GString *attrs, const char *text)
{
  if (text == NULL)
    return;
  open_tag (out, indent, name, attrs);
  g_string_append_c (out, '>');
  guestd_xml_escape (out, text);
  g_string_append_printf (out, "</%s>\n", name);
}
