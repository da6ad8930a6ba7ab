/* Reading XML safely and strictly: every element, attribute and text the
 * user wrote must be taken by the parser, or the document is refused. */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "util/enum.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (xmlDoc, xmlFreeDoc)

/* Domain XML is a few KiB; anything near this is hostile or a mistake. */
#define GUESTD_XML_MAX_SIZE (4 * 1024 * 1024)

typedef enum
{
  GUESTD_TRISTATE_ABSENT = 0,
  GUESTD_TRISTATE_YES,
  GUESTD_TRISTATE_NO,
} GuestdTristate;

typedef struct
{
  xmlDoc *doc;
  /* xmlNode and xmlAttr pointers the parser has taken; value 2 marks an
   * element kept verbatim, whose subtree is not checked. */
  GHashTable *used;
} GuestdXmlReader;

/* Parse @text: no network, no DTD, no entities, bounded size and depth.
 * Errors carry the line of the problem. */
xmlDoc *guestd_xml_parse (const char *text, gssize len, GError **error);

void guestd_xml_reader_init (GuestdXmlReader *r, xmlDoc *doc);
void guestd_xml_reader_clear (GuestdXmlReader *r);

/* Refuse anything under @root that no parser function took. */
gboolean guestd_xml_reader_check_used (GuestdXmlReader *r, xmlNode *root,
                                       GError **error);

void guestd_xml_use (GuestdXmlReader *r, xmlNode *node);
/* Take @node with everything inside it, unchecked (metadata). */
void guestd_xml_use_subtree (GuestdXmlReader *r, xmlNode *node);

/* Errors that name the line and the element. */
void guestd_xml_error (GError **error, xmlNode *node, const char *fmt, ...)
  G_GNUC_PRINTF (3, 4);

/* The one child element @name (no namespace) of @node, or NULL; an error
 * when it appears twice. */
gboolean guestd_xml_child (GuestdXmlReader *r, xmlNode *node,
                           const char *name, xmlNode **out, GError **error);
/* Every child element @name, in document order. */
GPtrArray *guestd_xml_children (GuestdXmlReader *r, xmlNode *node,
                                const char *name);
/* Every child element in namespace @ns_href named @name. */
GPtrArray *guestd_xml_children_ns (GuestdXmlReader *r, xmlNode *node,
                                   const char *ns_href, const char *name);

/* Text content of @node (takes its text children), never NULL. */
const char *guestd_xml_text (GuestdXmlReader *r, xmlNode *node);
/* Text content that must not be empty or only whitespace; trimmed. */
gboolean guestd_xml_text_required (GuestdXmlReader *r, xmlNode *node,
                                   char **out, GError **error);
/* Text of child @name, NULL when the child is absent. */
gboolean guestd_xml_child_text (GuestdXmlReader *r, xmlNode *node,
                                const char *name, char **out, GError **error);

/* Attributes. Absent attributes leave *out unchanged and succeed. */
const char *guestd_xml_attr (GuestdXmlReader *r, xmlNode *node,
                             const char *name);
gboolean guestd_xml_attr_string (GuestdXmlReader *r, xmlNode *node,
                                 const char *name, char **out,
                                 GError **error);
gboolean guestd_xml_attr_required (GuestdXmlReader *r, xmlNode *node,
                                   const char *name, const char **out,
                                   GError **error);
gboolean guestd_xml_attr_enum (GuestdXmlReader *r, xmlNode *node,
                               const char *name, const GuestdEnum *e,
                               int *out, GError **error);
gboolean guestd_xml_attr_uint (GuestdXmlReader *r, xmlNode *node,
                               const char *name, guint max, guint *out,
                               gboolean *present, GError **error);
gboolean guestd_xml_attr_int (GuestdXmlReader *r, xmlNode *node,
                              const char *name, int min, int max, int *out,
                              GError **error);
gboolean guestd_xml_attr_u64 (GuestdXmlReader *r, xmlNode *node,
                              const char *name, guint64 *out,
                              gboolean *present, GError **error);
/* yes/no */
gboolean guestd_xml_attr_yesno (GuestdXmlReader *r, xmlNode *node,
                                const char *name, GuestdTristate *out,
                                GError **error);
/* on/off */
gboolean guestd_xml_attr_onoff (GuestdXmlReader *r, xmlNode *node,
                                const char *name, GuestdTristate *out,
                                GError **error);

/* Number parsing shared with the argv and qemu.conf readers: decimal,
 * 0x hex or 0 octal, no sign, no trailing junk. */
gboolean guestd_parse_u64 (const char *str, guint64 *out);
