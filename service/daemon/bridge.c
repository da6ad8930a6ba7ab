/* The session→system bridge. A message filter (GDBus's worker thread)
 * takes every method call for /org/libvirt/QEMU/system… off the session
 * connection and hands it to the main context, which sends it on the
 * system bus and the reply back; signals of guestd-system come the other
 * way. Nothing is interpreted but object paths. */
#include "config.h"

#include "bridge.h"

#include <string.h>

#include "util/file-util.h"
#include "util/i18n.h"

#define SYSTEM_NAME "org.libvirt"
#define SYSTEM_PATH "/org/libvirt/QEMU"
/* A call may wait for a password dialog. */
#define FORWARD_TIMEOUT_MS (10 * 60 * 1000)

struct _GuestdBridge
{
  gint refs;                /* the owner, the filter, each call on its way */
  GDBusConnection *session;
  GDBusConnection *system;  /* NULL until used, and after it closed */
  gboolean connecting;
  gboolean closing;         /* guestd_bridge_free() was called */
  GPtrArray *waiting;       /* GDBusMessage: calls until connected */
  guint filter;
  guint signals;            /* subscription on @system */
  gulong closed_handler;
  GMainContext *context;
  void (*activity) (const char *sender, gpointer data);
  gpointer data;
};

/* ---- object paths ---- */

static char *
swap_prefix (const char *path, const char *from, const char *to)
{
  return g_strconcat (to, path + strlen (from), NULL);
}

GVariant *
guestd_bridge_rewrite_paths (GVariant *value, const char *from,
                             const char *to)
{
  const char *type = g_variant_get_type_string (value);
  GVariantBuilder b;
  GVariantIter iter;
  GVariant *child;

  if (strchr (type, 'o') == NULL && strchr (type, 'v') == NULL)
    return g_variant_ref_sink (value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_OBJECT_PATH))
    {
      const char *path = g_variant_get_string (value, NULL);
      g_autofree char *swapped = NULL;

      if (!guestd_path_is_under (path, from))
        return g_variant_ref_sink (value);
      swapped = swap_prefix (path, from, to);
      return g_variant_ref_sink (g_variant_new_object_path (swapped));
    }
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_VARIANT))
    {
      g_autoptr (GVariant) inner = g_variant_get_variant (value);
      g_autoptr (GVariant) done = guestd_bridge_rewrite_paths (inner, from,
                                                               to);

      return g_variant_ref_sink (g_variant_new_variant (done));
    }
  /* Tuples, arrays, dictionaries, maybes: rebuilt child by child. */
  g_variant_builder_init (&b, g_variant_get_type (value));
  g_variant_iter_init (&iter, value);
  while ((child = g_variant_iter_next_value (&iter)) != NULL)
    {
      g_autoptr (GVariant) done = guestd_bridge_rewrite_paths (child, from,
                                                               to);

      g_variant_builder_add_value (&b, done);
      g_variant_unref (child);
    }
  return g_variant_ref_sink (g_variant_builder_end (&b));
}

static GVariant *
rewritten_body (GDBusMessage *msg, const char *from, const char *to)
{
  GVariant *body = g_dbus_message_get_body (msg);

  return body != NULL ? guestd_bridge_rewrite_paths (body, from, to) : NULL;
}

static GuestdBridge *
bridge_ref (GuestdBridge *b)
{
  g_atomic_int_inc (&b->refs);
  return b;
}

static void drop_system (GuestdBridge *b);

static void
bridge_unref (GuestdBridge *b)
{
  if (!g_atomic_int_dec_and_test (&b->refs))
    return;
  drop_system (b);
  g_ptr_array_unref (b->waiting);
  g_main_context_unref (b->context);
  g_object_unref (b->session);
  g_free (b);
}

/* ---- calls: session → system ---- */

typedef struct
{
  GuestdBridge *bridge;
  GDBusMessage *call;       /* as it came from the session bus */
} Forward;

static void
forward_free (Forward *f)
{
  g_object_unref (f->call);
  bridge_unref (f->bridge);
  g_free (f);
}

static void
answer_error (GuestdBridge *b, GDBusMessage *call, const char *name,
              const char *text)
{
  g_autoptr (GDBusMessage) reply = NULL;

  if (g_dbus_message_get_flags (call) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED)
    return;
  reply = g_dbus_message_new_method_error_literal (call, name, text);
  g_dbus_connection_send_message (b->session, reply,
                                  G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
}

/* The system side's answer goes back as it is, paths aside; only "nobody
 * there" gets words a user can act on. */
static void
got_reply (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Forward *f = user_data;
  GuestdBridge *b = f->bridge;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusMessage) answer = g_dbus_connection_send_message_with_reply_finish (
    G_DBUS_CONNECTION (source), res, &error);
  g_autoptr (GDBusMessage) reply = NULL;
  g_autoptr (GVariant) body = NULL;

  if (answer == NULL)
    {
      g_autofree char *name = g_dbus_error_get_remote_error (error);

      g_dbus_error_strip_remote_error (error);
      answer_error (b, f->call,
                    name != NULL ? name : "org.freedesktop.DBus.Error.NoReply",
                    error->message);
      forward_free (f);
      return;
    }
  if (g_dbus_message_get_message_type (answer) == G_DBUS_MESSAGE_TYPE_ERROR)
    {
      const char *name = g_dbus_message_get_error_name (answer);

      if (g_strcmp0 (name, "org.freedesktop.DBus.Error.ServiceUnknown") == 0
          || g_strcmp0 (name, "org.freedesktop.DBus.Error.NameHasNoOwner")
               == 0)
        {
          g_autofree char *text = g_strdup_printf (
            _("the system instance (guestd-system) is not running on the "
              "system bus: nobody owns %s there"),
            SYSTEM_NAME);

          answer_error (b, f->call, name, text);
          forward_free (f);
          return;
        }
      reply = g_dbus_message_new_method_error_literal (f->call, name, "");
    }
  else
    reply = g_dbus_message_new_method_reply (f->call);
  body = rewritten_body (answer, SYSTEM_PATH, GUESTD_BRIDGE_PATH);
  g_dbus_message_set_body (reply, body);
  g_dbus_message_set_unix_fd_list (reply,
                                   g_dbus_message_get_unix_fd_list (answer));
  g_dbus_connection_send_message (b->session, reply,
                                  G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL, NULL);
  forward_free (f);
}

static void
send_to_system (GuestdBridge *b, GDBusMessage *call)
{
  g_autofree char *path = swap_prefix (g_dbus_message_get_path (call),
                                       GUESTD_BRIDGE_PATH, SYSTEM_PATH);
  g_autoptr (GDBusMessage) out = g_dbus_message_new_method_call (
    SYSTEM_NAME, path, g_dbus_message_get_interface (call),
    g_dbus_message_get_member (call));
  g_autoptr (GVariant) body = rewritten_body (call, GUESTD_BRIDGE_PATH,
                                              SYSTEM_PATH);
  GDBusMessageFlags flags = g_dbus_message_get_flags (call);
  Forward *f;

  g_dbus_message_set_body (out, body);
  g_dbus_message_set_unix_fd_list (out, g_dbus_message_get_unix_fd_list (call));
  /* polkit may ask the user only if the caller said it may wait. */
  g_dbus_message_set_flags (
    out, flags
           & (G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION
              | G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED
              | G_DBUS_MESSAGE_FLAGS_NO_AUTO_START));
  if (flags & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED)
    {
      g_dbus_connection_send_message (b->system, out,
                                      G_DBUS_SEND_MESSAGE_FLAGS_NONE, NULL,
                                      NULL);
      return;
    }
  f = g_new0 (Forward, 1);
  f->bridge = bridge_ref (b);
  f->call = g_object_ref (call);
  g_dbus_connection_send_message_with_reply (
    b->system, out, G_DBUS_SEND_MESSAGE_FLAGS_NONE, FORWARD_TIMEOUT_MS, NULL,
    NULL, got_reply, f);
}

/* ---- signals: system → session ---- */

static void
on_system_signal (GDBusConnection *conn, const char *sender, const char *path,
                  const char *iface, const char *signal, GVariant *params,
                  gpointer user_data)
{
  GuestdBridge *b = user_data;
  g_autofree char *out_path = NULL;
  g_autoptr (GVariant) body = NULL;

  if (!guestd_path_is_under (path, SYSTEM_PATH))
    return;
  out_path = swap_prefix (path, SYSTEM_PATH, GUESTD_BRIDGE_PATH);
  body = params != NULL ? guestd_bridge_rewrite_paths (params, SYSTEM_PATH,
                                                       GUESTD_BRIDGE_PATH)
                        : NULL;
  g_dbus_connection_emit_signal (b->session, NULL, out_path, iface, signal,
                                 body, NULL);
}

static void
drop_system (GuestdBridge *b)
{
  if (b->system == NULL)
    return;
  g_dbus_connection_signal_unsubscribe (b->system, b->signals);
  g_signal_handler_disconnect (b->system, b->closed_handler);
  g_clear_object (&b->system);
  b->signals = 0;
}

static void
system_closed (GDBusConnection *conn, gboolean remote_peer_vanished,
               GError *error, gpointer user_data)
{
  /* The system bus restarted: connect again at the next call. */
  drop_system (user_data);
}

static void
fail_waiting (GuestdBridge *b, const char *why)
{
  g_autoptr (GPtrArray) waiting = g_steal_pointer (&b->waiting);
  g_autofree char *text = g_strdup_printf (
    _("cannot reach the system bus for qemu:///system: %s"), why);

  b->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiting->len; i++)
    answer_error (b, waiting->pdata[i],
                  "org.freedesktop.DBus.Error.Disconnected", text);
}

static void
got_system (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GuestdBridge *b = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) waiting = NULL;

  b->connecting = FALSE;
  b->system = g_dbus_connection_new_for_address_finish (res, &error);
  if (b->system == NULL || b->closing)
    {
      if (b->system == NULL)
        fail_waiting (b, error->message);
      g_clear_object (&b->system);
      bridge_unref (b);
      return;
    }
  g_dbus_connection_set_exit_on_close (b->system, FALSE);
  b->closed_handler = g_signal_connect (b->system, "closed",
                                        G_CALLBACK (system_closed), b);
  /* By name: the subscription follows guestd-system across restarts. */
  b->signals = g_dbus_connection_signal_subscribe (
    b->system, SYSTEM_NAME, NULL, NULL, NULL, NULL,
    G_DBUS_SIGNAL_FLAGS_NONE, on_system_signal, b, NULL);
  waiting = g_steal_pointer (&b->waiting);
  b->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiting->len; i++)
    send_to_system (b, waiting->pdata[i]);
  bridge_unref (b);
}

static void
connect_system (GuestdBridge *b)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *address = g_dbus_address_get_for_bus_sync (
    G_BUS_TYPE_SYSTEM, NULL, &error);

  if (address == NULL)
    {
      fail_waiting (b, error->message);
      return;
    }
  /* A connection of our own, not the process-wide singleton: its closing
   * must not end the session service. */
  b->connecting = TRUE;
  g_dbus_connection_new_for_address (
    address,
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
      | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
    NULL, NULL, got_system, bridge_ref (b));
}

/* ---- the filter ---- */

typedef struct
{
  GuestdBridge *bridge;
  GDBusMessage *call;
} Incoming;

static gboolean
take_call (gpointer user_data)
{
  Incoming *in = user_data;
  GuestdBridge *b = in->bridge;

  if (b->closing)
    return G_SOURCE_REMOVE;
  if (b->activity != NULL)
    b->activity (g_dbus_message_get_sender (in->call), b->data);
  if (b->system != NULL)
    send_to_system (b, in->call);
  else
    {
      g_ptr_array_add (b->waiting, g_object_ref (in->call));
      if (!b->connecting)
        connect_system (b);
    }
  return G_SOURCE_REMOVE;
}

static void
incoming_free (Incoming *in)
{
  g_object_unref (in->call);
  bridge_unref (in->bridge);
  g_free (in);
}

static GDBusMessage *
filter (GDBusConnection *conn, GDBusMessage *msg, gboolean incoming,
        gpointer user_data)
{
  GuestdBridge *b = user_data;
  Incoming *in;

  if (!incoming
      || g_dbus_message_get_message_type (msg)
           != G_DBUS_MESSAGE_TYPE_METHOD_CALL
      || !guestd_path_is_under (g_dbus_message_get_path (msg), GUESTD_BRIDGE_PATH))
    return msg;
  /* This is GDBus's thread: the main context does the rest. */
  in = g_new0 (Incoming, 1);
  in->bridge = bridge_ref (b);
  in->call = msg; /* the filter's reference */
  g_main_context_invoke_full (b->context, G_PRIORITY_DEFAULT, take_call, in,
                              (GDestroyNotify) incoming_free);
  return NULL;
}

GuestdBridge *
guestd_bridge_new (GDBusConnection *session,
                   void (*activity) (const char *sender, gpointer data),
                   gpointer data)
{
  GuestdBridge *b = g_new0 (GuestdBridge, 1);

  b->refs = 1;
  b->session = g_object_ref (session);
  b->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  b->context = g_main_context_ref_thread_default ();
  b->activity = activity;
  b->data = data;
  /* GDBus lets go of the filter's reference once it can no longer run. */
  b->filter = g_dbus_connection_add_filter (session, filter, bridge_ref (b),
                                            (GDestroyNotify) bridge_unref);
  return b;
}

void
guestd_bridge_free (GuestdBridge *b)
{
  if (b == NULL)
    return;
  /* Calls on their way keep the bridge until they are done; no new ones
   * are taken. */
  b->closing = TRUE;
  g_dbus_connection_remove_filter (b->session, b->filter);
  drop_system (b);
  bridge_unref (b);
}
