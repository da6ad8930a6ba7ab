/* Connecting guestctl to the service named by the URI. */
#include "config.h"

#include "client.h"

#include "conf/domain.h"
#include "util/error.h"
#include "util/i18n.h"
#include "util/uri.h"

#define CALL_TIMEOUT_MS (10 * 60 * 1000)

GuestctlClient *
guestctl_client_open (GuestctlContext *ctx, GError **error)
{
  g_autoptr (GuestdUri) uri = guestd_uri_parse (ctx->uri, error);
  g_autoptr (GuestctlClient) c = NULL;
  g_autoptr (GError) local = NULL;

  if (uri == NULL)
    return NULL;
  if (uri->transport != GUESTD_TRANSPORT_LOCAL)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_NO_SUPPORT,
                   _("remote URIs (%s) are not supported yet; run guestctl "
                     "on the host"),
                   ctx->uri);
      return NULL;
    }
  c = g_new0 (GuestctlClient, 1);
  c->uri = guestd_uri_to_string (uri);
  c->name = "org.libvirt";
  c->base = "/org/libvirt/QEMU";
  c->interactive = !ctx->no_ask_password;
  c->bus = g_bus_get_sync (uri->system ? G_BUS_TYPE_SYSTEM : G_BUS_TYPE_SESSION,
                           NULL, &local);
  if (c->bus == NULL)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_NO_CONNECT,
                   _("cannot reach the %s bus for %s: %s"),
                   uri->system ? "system" : "session", c->uri,
                   local->message);
      return NULL;
    }
  return g_steal_pointer (&c);
}

void
guestctl_client_free (GuestctlClient *c)
{
  if (c == NULL)
    return;
  g_clear_object (&c->bus);
  g_free (c->uri);
  g_free (c);
}

GVariant *
guestctl_call (GuestctlClient *c, const char *path, const char *iface,
               const char *method, GVariant *params, const char *reply_type,
               GError **error)
{
  g_autoptr (GError) local = NULL;
  GVariant *ret;

  ret = g_dbus_connection_call_sync (
    c->bus, c->name, path ? path : c->base, iface, method, params,
    reply_type ? G_VARIANT_TYPE (reply_type) : NULL,
    c->interactive ? G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION
                   : G_DBUS_CALL_FLAGS_NONE,
    CALL_TIMEOUT_MS, NULL, &local);
  if (ret != NULL)
    return ret;
  if (g_dbus_error_is_remote_error (local))
    {
      g_autofree char *name = g_dbus_error_get_remote_error (local);

      g_dbus_error_strip_remote_error (local);
      if (g_strcmp0 (name, "org.freedesktop.DBus.Error.ServiceUnknown") == 0
          || g_strcmp0 (name, "org.freedesktop.DBus.Error.NameHasNoOwner") == 0)
        {
          g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_NO_CONNECT,
                       _("no guestd service answers for %s (is guestd "
                         "installed and its D-Bus activation file in "
                         "place?)"),
                       c->uri);
          return NULL;
        }
    }
  /* The message is complete; keep it as it is. */
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, local->message);
  return NULL;
}

GVariant *
guestctl_get_property (GuestctlClient *c, const char *path, const char *name,
                       GError **error)
{
  g_autoptr (GVariant) ret = guestctl_call (
    c, path, "org.freedesktop.DBus.Properties", "Get",
    g_variant_new ("(ss)", "org.libvirt.Domain", name), "(v)", error);
  GVariant *v;

  if (ret == NULL)
    return NULL;
  g_variant_get (ret, "(v)", &v);
  return v;
}

char *
guestctl_lookup (GuestctlClient *c, const char *dom, GError **error)
{
  g_autoptr (GVariant) ret = NULL;
  g_autoptr (GError) local = NULL;
  char uuid[GUESTD_UUID_STRING_LEN + 1];
  gint64 id;
  char *path = NULL;

  if (g_ascii_string_to_signed (dom, 10, 0, G_MAXINT32, &id, NULL))
    ret = guestctl_call (c, NULL, "org.libvirt.Connect", "DomainLookupByID",
                         g_variant_new ("(i)", (gint32) id), "(o)", &local);
  if (ret == NULL && guestd_uuid_parse (dom, uuid))
    {
      g_clear_error (&local);
      ret = guestctl_call (c, NULL, "org.libvirt.Connect",
                           "DomainLookupByUUID", g_variant_new ("(s)", uuid),
                           "(o)", &local);
    }
  if (ret == NULL)
    {
      g_clear_error (&local);
      ret = guestctl_call (c, NULL, "org.libvirt.Connect",
                           "DomainLookupByName", g_variant_new ("(s)", dom),
                           "(o)", &local);
    }
  if (ret == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  g_variant_get (ret, "(o)", &path);
  return path;
}
