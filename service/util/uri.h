/* libvirt connection URIs: driver[+transport]://[user@][host][:port]/path
 * [?name=value&…], as guestd understands them. */
#pragma once

#include <glib.h>

typedef enum
{
  GUESTD_TRANSPORT_LOCAL, /* qemu:///… or qemu+unix:///… */
  GUESTD_TRANSPORT_SSH,
  GUESTD_TRANSPORT_TLS,   /* qemu://host/… */
  GUESTD_TRANSPORT_TCP,
} GuestdTransport;

typedef struct
{
  char *driver;     /* "qemu" */
  GuestdTransport transport;
  char *user;       /* NULL when not given */
  char *host;       /* NULL for local */
  int port;         /* 0 when not given */
  gboolean system;  /* /system, else /session */
  GHashTable *params; /* name → value */
} GuestdUri;

/* Parse and check @text; errors say what is wrong and what would work. */
GuestdUri *guestd_uri_parse (const char *text, GError **error);
void guestd_uri_free (GuestdUri *uri);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GuestdUri, guestd_uri_free)

/* The canonical spelling, e.g. "qemu:///session". */
char *guestd_uri_to_string (const GuestdUri *uri);
const char *guestd_uri_param (const GuestdUri *uri, const char *name);
