/* Connection URIs. */
#include "config.h"

#include "uri.h"

#include <string.h>

#include "util/error.h"
#include "util/i18n.h"

#define MAX_URI 4096

static gboolean
fail (GError **error, const char *text, const char *why)
{
  g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_INVALID_ARG,
               _("invalid URI '%s': %s"), text, why);
  return FALSE;
}

void
guestd_uri_free (GuestdUri *uri)
{
  if (uri == NULL)
    return;
  g_free (uri->driver);
  g_free (uri->user);
  g_free (uri->host);
  g_clear_pointer (&uri->params, g_hash_table_unref);
  g_free (uri);
}

static gboolean
valid_word (const char *s, const char *extra)
{
  if (*s == '\0')
    return FALSE;
  for (const char *p = s; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr (extra, *p) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
parse_query (GuestdUri *uri, const char *text, const char *query,
             GError **error)
{
  g_auto (GStrv) pairs = g_strsplit (query, "&", -1);

  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char *eq = strchr (pairs[i], '=');
      g_autofree char *name = NULL;
      g_autofree char *value = NULL;

      if (pairs[i][0] == '\0')
        continue;
      if (eq == NULL)
        return fail (error, text, _("a query parameter needs NAME=VALUE"));
      name = g_uri_unescape_segment (pairs[i], eq, NULL);
      value = g_uri_unescape_segment (eq + 1, NULL, NULL);
      if (name == NULL || value == NULL || !valid_word (name, "_-"))
        return fail (error, text, _("bad query parameter"));
      g_hash_table_insert (uri->params, g_steal_pointer (&name),
                           g_steal_pointer (&value));
    }
  return TRUE;
}

GuestdUri *
guestd_uri_parse (const char *text, GError **error)
{
  g_autoptr (GuestdUri) uri = g_new0 (GuestdUri, 1);
  g_autofree char *scheme = NULL;
  g_autofree char *authority = NULL;
  g_autofree char *path = NULL;
  const char *sep, *rest, *slash, *query;
  const char *plus;

  uri->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       g_free);
  if (text == NULL || strlen (text) > MAX_URI || !g_utf8_validate (text, -1, NULL))
    {
      fail (error, text ? "…" : "", _("not a usable string"));
      return NULL;
    }
  sep = strstr (text, "://");
  if (sep == NULL)
    {
      fail (error, text, _("expected DRIVER://HOST/PATH, e.g. qemu:///session"));
      return NULL;
    }
  scheme = g_strndup (text, sep - text);
  plus = strchr (scheme, '+');
  uri->driver = plus ? g_strndup (scheme, plus - scheme) : g_strdup (scheme);
  if (!g_str_equal (uri->driver, "qemu"))
    {
      fail (error, text, _("guestd drives QEMU only; use qemu:///session or "
                           "qemu:///system"));
      return NULL;
    }
  if (plus == NULL)
    uri->transport = GUESTD_TRANSPORT_LOCAL;
  else if (g_str_equal (plus + 1, "unix"))
    uri->transport = GUESTD_TRANSPORT_LOCAL;
  else if (g_str_equal (plus + 1, "ssh"))
    uri->transport = GUESTD_TRANSPORT_SSH;
  else if (g_str_equal (plus + 1, "tls"))
    uri->transport = GUESTD_TRANSPORT_TLS;
  else if (g_str_equal (plus + 1, "tcp"))
    uri->transport = GUESTD_TRANSPORT_TCP;
  else
    {
      fail (error, text, _("unknown transport (unix, ssh, tls or tcp)"));
      return NULL;
    }

  rest = sep + 3;
  slash = strchr (rest, '/');
  if (slash == NULL)
    {
      fail (error, text, _("the path is missing (/session or /system)"));
      return NULL;
    }
  authority = g_strndup (rest, slash - rest);
  query = strchr (slash, '?');
  path = query ? g_strndup (slash, query - slash) : g_strdup (slash);
  if (query != NULL && !parse_query (uri, text, query + 1, error))
    return NULL;

  if (*authority != '\0')
    {
      char *at = strrchr (authority, '@');
      const char *hostport = authority;
      const char *colon;

      if (at != NULL)
        {
          *at = '\0';
          uri->user = g_uri_unescape_string (authority, NULL);
          hostport = at + 1;
          if (uri->user == NULL || !valid_word (uri->user, "._-"))
            {
              fail (error, text, _("bad user name"));
              return NULL;
            }
        }
      colon = hostport[0] == '[' ? strstr (hostport, "]:") : strrchr (hostport, ':');
      if (colon != NULL)
        {
          guint64 port;
          const char *digits = colon + (hostport[0] == '[' ? 2 : 1);

          if (!g_ascii_string_to_unsigned (digits, 10, 1, 65535, &port, NULL))
            {
              fail (error, text, _("bad port"));
              return NULL;
            }
          uri->port = (int) port;
          uri->host = g_strndup (hostport, colon - hostport
                                             + (hostport[0] == '[' ? 1 : 0));
        }
      else
        uri->host = g_strdup (hostport);
      if (!valid_word (uri->host, ".-_[]:"))
        {
          fail (error, text, _("bad host name"));
          return NULL;
        }
    }

  if (g_str_equal (path, "/system"))
    uri->system = TRUE;
  else if (!g_str_equal (path, "/session"))
    {
      fail (error, text, _("the path must be /session or /system"));
      return NULL;
    }
  if (uri->transport == GUESTD_TRANSPORT_LOCAL && uri->host != NULL)
    {
      /* libvirt's qemu://host/ means TLS. */
      uri->transport = plus == NULL ? GUESTD_TRANSPORT_TLS
                                    : GUESTD_TRANSPORT_LOCAL;
      if (plus != NULL)
        {
          fail (error, text, _("qemu+unix:// takes no host"));
          return NULL;
        }
    }
  if (uri->transport != GUESTD_TRANSPORT_LOCAL && uri->host == NULL)
    {
      fail (error, text, _("a remote transport needs a host"));
      return NULL;
    }
  return g_steal_pointer (&uri);
}

char *
guestd_uri_to_string (const GuestdUri *uri)
{
  static const char *const transports[] = { "", "+ssh", "+tls", "+tcp" };
  g_autoptr (GString) s = g_string_new (uri->driver);

  if (uri->transport != GUESTD_TRANSPORT_TLS)
    g_string_append (s, transports[uri->transport]);
  g_string_append (s, "://");
  if (uri->user != NULL)
    g_string_append_printf (s, "%s@", uri->user);
  if (uri->host != NULL)
    g_string_append (s, uri->host);
  if (uri->port > 0)
    g_string_append_printf (s, ":%d", uri->port);
  g_string_append (s, uri->system ? "/system" : "/session");
  if (g_hash_table_size (uri->params) > 0)
    {
      g_autoptr (GList) keys = g_list_sort (g_hash_table_get_keys (uri->params),
                                            (GCompareFunc) g_strcmp0);

      for (GList *l = keys; l != NULL; l = l->next)
        {
          g_autofree char *v = g_uri_escape_string (
            g_hash_table_lookup (uri->params, l->data), NULL, FALSE);

          g_string_append_printf (s, "%c%s=%s", l == keys ? '?' : '&',
                                  (char *) l->data, v);
        }
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

const char *
guestd_uri_param (const GuestdUri *uri, const char *name)
{
  return g_hash_table_lookup (uri->params, name);
}
