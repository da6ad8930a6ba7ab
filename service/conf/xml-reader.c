/* Safe, strict XML reading: secure libxml2 setup and "everything used"
 * checking, so unknown input is refused instead of silently dropped. */
#include "config.h"

#include "xml-reader.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "util/error.h"
#include "util/i18n.h"

#define USED_PLAIN GINT_TO_POINTER (1)
#define USED_SUBTREE GINT_TO_POINTER (2)

typedef struct
{
  gboolean saw_dtd;
} ParseGuard;

static void
refuse_internal_subset (void *user_data, const xmlChar *name,
                        const xmlChar *external_id, const xmlChar *system_id)
{
  xmlParserCtxtPtr ctxt = user_data;
  ParseGuard *guard = ctxt->_private;

  /* A DTD is where entities, external references and expansion bombs
   * come from; domain XML never needs one. */
  guard->saw_dtd = TRUE;
  xmlStopParser (ctxt);
}

xmlDoc *
guestd_xml_parse (const char *text, gssize len, GError **error)
{
  g_autoptr (xmlDoc) doc = NULL;
  xmlParserCtxtPtr ctxt;
  ParseGuard guard = { FALSE };
  const xmlError *xerr;
  gsize size;

  if (text == NULL)
    {
      g_set_error_literal (error, GUESTD_ERROR, GUESTD_ERROR_XML,
                           _("no XML document given"));
      return NULL;
    }
  size = len < 0 ? strlen (text) : (gsize) len;
  if (size > GUESTD_XML_MAX_SIZE)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_XML,
                   _("document of %lu bytes is larger than the %d bytes "
                     "allowed"),
                   (unsigned long) size, GUESTD_XML_MAX_SIZE);
      return NULL;
    }
  if (memchr (text, '\0', size) != NULL)
    {
      g_set_error_literal (error, GUESTD_ERROR, GUESTD_ERROR_XML,
                           _("document contains a NUL byte"));
      return NULL;
    }

  ctxt = xmlNewParserCtxt ();
  if (ctxt == NULL)
    g_error ("out of memory");
  ctxt->_private = &guard;
  ctxt->sax->internalSubset = refuse_internal_subset;

  doc = xmlCtxtReadMemory (ctxt, text, (int) size, "domain.xml", NULL,
                           XML_PARSE_NONET | XML_PARSE_NOERROR
                           | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES
                           | XML_PARSE_NOCDATA);
  if (guard.saw_dtd)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_XML,
                   _("line %d: a <!DOCTYPE> is not allowed"),
                   ctxt->input != NULL ? ctxt->input->line : 1);
      xmlFreeParserCtxt (ctxt);
      return NULL;
    }
  xerr = xmlCtxtGetLastError (ctxt);
  if (doc == NULL || (xerr != NULL && xerr->level >= XML_ERR_ERROR)
      || !ctxt->wellFormed)
    {
      g_autofree char *msg = NULL;

      if (xerr != NULL && xerr->message != NULL)
        msg = g_strchomp (g_strdup (xerr->message));
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_XML,
                   _("line %d: malformed XML: %s"),
                   xerr != NULL ? xerr->line : 0,
                   msg != NULL ? msg : _("unknown parser error"));
      xmlFreeParserCtxt (ctxt);
      return NULL;
    }
  xmlFreeParserCtxt (ctxt);

  if (xmlDocGetRootElement (doc) == NULL)
    {
      g_set_error_literal (error, GUESTD_ERROR, GUESTD_ERROR_XML,
                           _("the document has no root element"));
      return NULL;
    }
  return g_steal_pointer (&doc);
}

void
guestd_xml_reader_init (GuestdXmlReader *r, xmlDoc *doc)
{
  r->doc = doc;
  r->used = g_hash_table_new (NULL, NULL);
}

void
guestd_xml_reader_clear (GuestdXmlReader *r)
{
  g_clear_pointer (&r->used, g_hash_table_unref);
}

void
guestd_xml_use (GuestdXmlReader *r, xmlNode *node)
{
  if (!g_hash_table_contains (r->used, node))
    g_hash_table_insert (r->used, node, USED_PLAIN);
}

void
guestd_xml_use_subtree (GuestdXmlReader *r, xmlNode *node)
{
  g_hash_table_insert (r->used, node, USED_SUBTREE);
}

void
guestd_xml_error (GError **error, xmlNode *node, const char *fmt, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_XML, _("line %ld: <%s>: %s"),
               xmlGetLineNo (node), (const char *) node->name, msg);
}

static gboolean
is_blank (const char *s)
{
  for (; *s != '\0'; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

static gboolean
check_node (GuestdXmlReader *r, xmlNode *node, GError **error)
{
  gpointer how = g_hash_table_lookup (r->used, node);

  if (how == NULL)
    {
      if (node->parent != NULL && node->parent->type == XML_ELEMENT_NODE)
        g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_XML,
                     _("line %ld: element <%s> is not supported inside <%s>"),
                     xmlGetLineNo (node), (const char *) node->name,
                     (const char *) node->parent->name);
      else
        g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_XML,
                     _("line %ld: element <%s> is not supported"),
                     xmlGetLineNo (node), (const char *) node->name);
      return FALSE;
    }
  if (how == USED_SUBTREE)
    return TRUE;

  for (xmlAttr *a = node->properties; a != NULL; a = a->next)
    if (!g_hash_table_contains (r->used, a))
      {
        g_autofree char *value = (char *) xmlNodeGetContent ((xmlNode *) a);

        guestd_xml_error (error, node,
                          _("attribute '%s' (value '%s') is not supported"),
                          (const char *) a->name, value ? value : "");
        return FALSE;
      }

  for (xmlNode *c = node->children; c != NULL; c = c->next)
    {
      switch (c->type)
        {
        case XML_ELEMENT_NODE:
          if (!check_node (r, c, error))
            return FALSE;
          break;
        case XML_TEXT_NODE:
        case XML_CDATA_SECTION_NODE:
          if (!g_hash_table_contains (r->used, c)
              && !is_blank ((const char *) c->content))
            {
              g_autofree char *text = g_strstrip (
                g_strndup ((const char *) c->content, 64));

              guestd_xml_error (error, node,
                                _("unexpected text '%s'"), text);
              return FALSE;
            }
          break;
        default:
          /* Comments and processing instructions carry no configuration. */
          break;
        }
    }
  return TRUE;
}

gboolean
guestd_xml_reader_check_used (GuestdXmlReader *r, xmlNode *root,
                              GError **error)
{
  return check_node (r, root, error);
}

static gboolean
node_is (xmlNode *n, const char *ns_href, const char *name)
{
  if (n->type != XML_ELEMENT_NODE || !xmlStrEqual (n->name, BAD_CAST name))
    return FALSE;
  if (ns_href == NULL)
    return n->ns == NULL;
  return n->ns != NULL && xmlStrEqual (n->ns->href, BAD_CAST ns_href);
}

gboolean
guestd_xml_child (GuestdXmlReader *r, xmlNode *node, const char *name,
                  xmlNode **out, GError **error)
{
  xmlNode *found = NULL;

  for (xmlNode *c = node->children; c != NULL; c = c->next)
    {
      if (!node_is (c, NULL, name))
        continue;
      if (found != NULL)
        {
          guestd_xml_error (error, c,
                            _("element <%s> may appear only once in <%s> "
                              "(first on line %ld)"),
                            name, (const char *) node->name,
                            xmlGetLineNo (found));
          return FALSE;
        }
      found = c;
    }
  if (found != NULL)
    guestd_xml_use (r, found);
  *out = found;
  return TRUE;
}

GPtrArray *
guestd_xml_children_ns (GuestdXmlReader *r, xmlNode *node,
                        const char *ns_href, const char *name)
{
  GPtrArray *list = g_ptr_array_new ();

  for (xmlNode *c = node->children; c != NULL; c = c->next)
    if (node_is (c, ns_href, name))
      {
        guestd_xml_use (r, c);
        g_ptr_array_add (list, c);
      }
  return list;
}

GPtrArray *
guestd_xml_children (GuestdXmlReader *r, xmlNode *node, const char *name)
{
  return guestd_xml_children_ns (r, node, NULL, name);
}

const char *
guestd_xml_text (GuestdXmlReader *r, xmlNode *node)
{
  xmlNode *text = NULL;

  /* Only the first piece of text is the value; a second one (text split
   * by a comment) stays unused, so the strict check reports it instead of
   * the value silently shrinking. */
  for (xmlNode *c = node->children; c != NULL; c = c->next)
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
      {
        if (text == NULL)
          text = c;
        if (text == c || is_blank ((const char *) c->content))
          guestd_xml_use (r, c);
      }
  return text != NULL ? (const char *) text->content : "";
}

gboolean
guestd_xml_text_required (GuestdXmlReader *r, xmlNode *node, char **out,
                          GError **error)
{
  g_autofree char *value = g_strstrip (g_strdup (guestd_xml_text (r, node)));

  if (*value == '\0')
    {
      guestd_xml_error (error, node, _("the element must not be empty"));
      return FALSE;
    }
  g_free (*out);
  *out = g_steal_pointer (&value);
  return TRUE;
}

gboolean
guestd_xml_child_text (GuestdXmlReader *r, xmlNode *node, const char *name,
                       char **out, GError **error)
{
  xmlNode *child;

  if (!guestd_xml_child (r, node, name, &child, error))
    return FALSE;
  if (child == NULL)
    return TRUE;
  return guestd_xml_text_required (r, child, out, error);
}

const char *
guestd_xml_attr (GuestdXmlReader *r, xmlNode *node, const char *name)
{
  xmlAttr *a = xmlHasNsProp (node, BAD_CAST name, NULL);

  if (a == NULL || a->ns != NULL)
    return NULL;
  g_hash_table_insert (r->used, a, USED_PLAIN);
  if (a->children == NULL || a->children->content == NULL)
    return "";
  return (const char *) a->children->content;
}

gboolean
guestd_xml_attr_string (GuestdXmlReader *r, xmlNode *node, const char *name,
                        char **out, GError **error)
{
  const char *value = guestd_xml_attr (r, node, name);

  if (value == NULL)
    return TRUE;
  if (*value == '\0')
    {
      guestd_xml_error (error, node, _("attribute '%s' must not be empty"),
                        name);
      return FALSE;
    }
  g_free (*out);
  *out = g_strdup (value);
  return TRUE;
}

gboolean
guestd_xml_attr_required (GuestdXmlReader *r, xmlNode *node,
                          const char *name, const char **out, GError **error)
{
  const char *value = guestd_xml_attr (r, node, name);

  if (value == NULL || *value == '\0')
    {
      guestd_xml_error (error, node, _("attribute '%s' is required"), name);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

gboolean
guestd_xml_attr_enum (GuestdXmlReader *r, xmlNode *node, const char *name,
                      const GuestdEnum *e, int *out, GError **error)
{
  const char *value = guestd_xml_attr (r, node, name);
  int v;

  if (value == NULL)
    return TRUE;
  v = guestd_enum_from_string (e, value);
  if (v < 0)
    {
      g_autofree char *accepted = guestd_enum_list (e);

      guestd_xml_error (error, node,
                        _("invalid value '%s' for attribute '%s' "
                          "(expected one of: %s)"),
                        value, name, accepted);
      return FALSE;
    }
  *out = v;
  return TRUE;
}

gboolean
guestd_parse_u64 (const char *str, guint64 *out)
{
  guint64 v;
  char *end = NULL;

  if (str == NULL || !g_ascii_isdigit (*str))
    return FALSE;
  errno = 0;
  v = g_ascii_strtoull (str, &end, 0);
  if (errno != 0 || end == str || *end != '\0')
    return FALSE;
  *out = v;
  return TRUE;
}

gboolean
guestd_xml_attr_u64 (GuestdXmlReader *r, xmlNode *node, const char *name,
                     guint64 *out, gboolean *present, GError **error)
{
  const char *value = guestd_xml_attr (r, node, name);

  if (value == NULL)
    return TRUE;
  if (!guestd_parse_u64 (value, out))
    {
      guestd_xml_error (error, node,
                        _("invalid value '%s' for attribute '%s' "
                          "(expected a non-negative integer)"),
                        value, name);
      return FALSE;
    }
  if (present != NULL)
    *present = TRUE;
  return TRUE;
}

gboolean
guestd_xml_attr_uint (GuestdXmlReader *r, xmlNode *node, const char *name,
                      guint max, guint *out, gboolean *present,
                      GError **error)
{
  const char *value = guestd_xml_attr (r, node, name);
  guint64 v;

  if (value == NULL)
    return TRUE;
  if (!guestd_parse_u64 (value, &v) || v > max)
    {
      guestd_xml_error (error, node,
                        _("invalid value '%s' for attribute '%s' "
                          "(expected an integer from 0 to %u)"),
                        value, name, max);
      return FALSE;
    }
  *out = (guint) v;
  if (present != NULL)
    *present = TRUE;
  return TRUE;
}

gboolean
guestd_xml_attr_int (GuestdXmlReader *r, xmlNode *node, const char *name,
                     int min, int max, int *out, GError **error)
{
  const char *value = guestd_xml_attr (r, node, name);
  gint64 v;

  if (value == NULL)
    return TRUE;
  if (!g_ascii_string_to_signed (value, 10, min, max, &v, NULL))
    {
      guestd_xml_error (error, node,
                        _("invalid value '%s' for attribute '%s' "
                          "(expected an integer from %d to %d)"),
                        value, name, min, max);
      return FALSE;
    }
  *out = (int) v;
  return TRUE;
}

static gboolean
attr_two_words (GuestdXmlReader *r, xmlNode *node, const char *name,
                const char *yes, const char *no, GuestdTristate *out,
                GError **error)
{
  const char *value = guestd_xml_attr (r, node, name);

  if (value == NULL)
    return TRUE;
  if (g_str_equal (value, yes))
    *out = GUESTD_TRISTATE_YES;
  else if (g_str_equal (value, no))
    *out = GUESTD_TRISTATE_NO;
  else
    {
      guestd_xml_error (error, node,
                        _("invalid value '%s' for attribute '%s' "
                          "(expected '%s' or '%s')"),
                        value, name, yes, no);
      return FALSE;
    }
  return TRUE;
}

gboolean
guestd_xml_attr_yesno (GuestdXmlReader *r, xmlNode *node, const char *name,
                       GuestdTristate *out, GError **error)
{
  return attr_two_words (r, node, name, "yes", "no", out, error);
}

gboolean
guestd_xml_attr_onoff (GuestdXmlReader *r, xmlNode *node, const char *name,
                       GuestdTristate *out, GError **error)
{
  return attr_two_words (r, node, name, "on", "off", out, error);
}
