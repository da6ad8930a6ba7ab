/* Connecting guestctl to the service named by the URI. */
#include "config.h"

#include "client.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf/domain.h"
#include "util/error.h"
#include "util/i18n.h"
#include "util/uri.h"

#define CALL_TIMEOUT_MS (10 * 60 * 1000)

/* The URI parameters guestctl acts on (libvirt's names where libvirt has
 * one); anything else is a mistake worth saying. */
static const char *const known_params[] = {
  "via", "socket", "keyfile", "no_verify", "no_tty", NULL
};

static gboolean
check_params (GuestdUri *uri, const char *text, GError **error)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, uri->params);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_strv_contains (known_params, key))
      {
        g_autofree char *known = g_strjoinv (", ", (char **) known_params);

        g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_INVALID_ARG,
                     _("URI %s: unknown parameter '%s' (known: %s)"), text,
                     (char *) key, known);
        return FALSE;
      }
  if (guestd_uri_param (uri, "via") != NULL
      && !g_str_equal (guestd_uri_param (uri, "via"), "session"))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_INVALID_ARG,
                   _("URI %s: via=%s is not known; via=session goes through "
                     "the session instance"),
                   text, guestd_uri_param (uri, "via"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
param_true (GuestdUri *uri, const char *name)
{
  const char *v = guestd_uri_param (uri, name);

  return v != NULL && (g_str_equal (v, "1") || g_str_equal (v, "yes"));
}

/* D-Bus over SSH: ssh runs a stdio bridge to the remote host's bus
 * (systemd-stdio-bridge; ?socket= names another bus), and we speak D-Bus
 * on its standard input and output. */
static GPtrArray *
ssh_argv (GuestdUri *uri, gboolean system_bus)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  const char *socket = guestd_uri_param (uri, "socket");

  g_ptr_array_add (argv, g_strdup ("ssh"));
  g_ptr_array_add (argv, g_strdup ("-T"));
  g_ptr_array_add (argv, g_strdup ("-e"));
  g_ptr_array_add (argv, g_strdup ("none"));
  if (uri->port != 0)
    {
      g_ptr_array_add (argv, g_strdup ("-p"));
      g_ptr_array_add (argv, g_strdup_printf ("%d", uri->port));
    }
  if (guestd_uri_param (uri, "keyfile") != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("-i"));
      g_ptr_array_add (argv, g_strdup (guestd_uri_param (uri, "keyfile")));
    }
  if (param_true (uri, "no_verify"))
    {
      /* Not checked, so not remembered either. */
      g_ptr_array_add (argv, g_strdup ("-o"));
      g_ptr_array_add (argv, g_strdup ("StrictHostKeyChecking=no"));
      g_ptr_array_add (argv, g_strdup ("-o"));
      g_ptr_array_add (argv, g_strdup ("UserKnownHostsFile=/dev/null"));
    }
  if (param_true (uri, "no_tty"))
    {
      g_ptr_array_add (argv, g_strdup ("-o"));
      g_ptr_array_add (argv, g_strdup ("BatchMode=yes"));
    }
  /* After "--": a host name is never taken for an option. */
  g_ptr_array_add (argv, g_strdup ("--"));
  g_ptr_array_add (argv, uri->user != NULL
                           ? g_strdup_printf ("%s@%s", uri->user, uri->host)
                           : g_strdup (uri->host));
  g_ptr_array_add (argv, g_strdup ("systemd-stdio-bridge"));
  if (socket != NULL)
    {
      g_autofree char *quoted = g_shell_quote (socket);

      /* The remote shell reads this word. */
      g_ptr_array_add (argv, g_strdup_printf ("--bus-path=unix:path=%s",
                                              quoted));
    }
  else if (!system_bus)
    g_ptr_array_add (argv, g_strdup ("--user"));
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* What GDBus's unixexec: transport does (GLib 2.74 lacks it): the
 * command's standard input and output are one end of a socket pair. */
static GDBusConnection *
connect_command (GuestctlClient *c, GPtrArray *argv, GError **error)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketConnection) stream = NULL;
  int sv[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "socketpair: %s", g_strerror (errno));
      return NULL;
    }
  if (!g_spawn_async_with_pipes_and_fds (
        NULL, (const char *const *) argv->pdata, NULL,
        G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, sv[1],
        sv[1], -1, NULL, NULL, 0, &c->transport, NULL, NULL, NULL, error))
    {
      close (sv[0]);
      close (sv[1]);
      return NULL;
    }
  close (sv[1]);
  socket = g_socket_new_from_fd (sv[0], error);
  if (socket == NULL)
    {
      close (sv[0]);
      return NULL;
    }
  stream = g_socket_connection_factory_create_connection (socket);
  return g_dbus_connection_new_sync (
    G_IO_STREAM (stream), NULL,
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
      | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
    NULL, NULL, error);
}

/* In a terminal with nobody to ask for a password, polkit's text agent
 * asks there (as systemctl does); it is registered before we call. */
static void
start_tty_agent (GuestctlClient *c)
{
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  g_autofree char *program = g_find_program_in_path ("pkttyagent");
  g_autoptr (GError) error = NULL;
  int fds[2];
  char byte;
  GPid agent;

  if (!isatty (STDIN_FILENO) || !isatty (STDERR_FILENO)
      || program == NULL
      || pipe2 (fds, O_CLOEXEC) < 0)
    return;
  {
    g_autofree char *fd = g_strdup_printf ("%d", fds[1]);
    const char *argv[] = { "pkttyagent", "--process", pid, "--notify-fd", fd,
                           "--fallback", NULL };
    int source[] = { fds[1] };
    int target[] = { fds[1] };

    if (!g_spawn_async_with_pipes_and_fds (
          NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
          NULL, NULL, -1, -1, -1,
          source, target, 1, &agent, NULL, NULL, NULL, &error))
      {
        close (fds[0]);
        close (fds[1]);
        return;
      }
  }
  close (fds[1]);
  /* It closes its end once registered (or gone). */
  while (read (fds[0], &byte, 1) < 0 && errno == EINTR)
    ;
  close (fds[0]);
  c->agent = agent;
}

GuestctlClient *
guestctl_client_open (GuestctlContext *ctx, GError **error)
{
  g_autoptr (GuestdUri) uri = guestd_uri_parse (ctx->uri, error);
  g_autoptr (GuestctlClient) c = NULL;
  g_autoptr (GError) local = NULL;
  gboolean via_session;
  gboolean system_bus;

  if (uri == NULL || !check_params (uri, ctx->uri, error))
    return NULL;
  if (uri->transport == GUESTD_TRANSPORT_TLS
      || uri->transport == GUESTD_TRANSPORT_TCP)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_NO_SUPPORT,
                   _("%s: the %s transport is not supported; use "
                     "qemu+ssh://[USER@]%s/%s"),
                   ctx->uri,
                   uri->transport == GUESTD_TRANSPORT_TLS ? "TLS" : "TCP",
                   uri->host != NULL ? uri->host : "HOST",
                   uri->system ? "system" : "session");
      return NULL;
    }
  via_session = guestd_uri_param (uri, "via") != NULL;
  if (via_session && !uri->system)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_INVALID_ARG,
                   _("URI %s: via=session only makes sense for /system"),
                   ctx->uri);
      return NULL;
    }
  system_bus = uri->system && !via_session;
  c = g_new0 (GuestctlClient, 1);
  c->uri = guestd_uri_to_string (uri);
  c->name = "org.libvirt";
  /* Through the session instance, the system instance lives below its
   * own objects. */
  c->base = via_session ? "/org/libvirt/QEMU/system" : "/org/libvirt/QEMU";
  c->interactive = !ctx->no_ask_password;
  if (uri->transport == GUESTD_TRANSPORT_SSH)
    {
      g_autoptr (GPtrArray) argv = ssh_argv (uri, system_bus);

      c->bus = connect_command (c, argv, &local);
    }
  else
    c->bus = g_bus_get_sync (system_bus ? G_BUS_TYPE_SYSTEM
                                        : G_BUS_TYPE_SESSION,
                             NULL, &local);
  if (c->bus == NULL)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_NO_CONNECT,
                   _("cannot reach the %s bus for %s: %s"),
                   system_bus ? "system" : "session", c->uri,
                   local->message);
      return NULL;
    }
  /* polkit asks the caller's own session; a password for a direct call
   * to the local system instance can be asked in this terminal. */
  if (c->interactive && system_bus
      && uri->transport == GUESTD_TRANSPORT_LOCAL)
    start_tty_agent (c);
  return g_steal_pointer (&c);
}

void
guestctl_client_free (GuestctlClient *c)
{
  if (c == NULL)
    return;
  /* Closed, not only let go: ssh waits for its standard input's end. */
  if (c->bus != NULL && c->transport != 0)
    g_dbus_connection_close_sync (c->bus, NULL, NULL);
  g_clear_object (&c->bus);
  if (c->agent != 0)
    {
      kill (c->agent, SIGTERM);
      waitpid (c->agent, NULL, 0);
    }
  if (c->transport != 0)
    waitpid (c->transport, NULL, 0);
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
