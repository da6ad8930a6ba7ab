/* polkit on every call: map the call's action to a polkit check with the
 * caller's bus name as subject, and its answer to a D-Bus reply. */
#include "config.h"

#include "polkit-gate.h"

#include "daemon/dbus-priv.h"
#include "util/error.h"
#include "util/i18n.h"

typedef struct
{
  GTask *proceed;
  GDBusMethodInvocation *inv;
  char *action;
  gboolean interactive;
  gboolean need_caller;
} Check;

static void
check_free (Check *c)
{
  g_object_unref (c->inv);
  g_free (c->action);
  g_free (c);
}

static void
got_uid (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Check *c = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) r = g_dbus_connection_call_finish (
    G_DBUS_CONNECTION (source), res, &error);
  guint32 uid;

  if (r == NULL)
    g_task_return_new_error (c->proceed, GUESTD_ERROR,
                             GUESTD_ERROR_ACCESS_DENIED,
                             _("cannot learn who is calling: %s"),
                             error->message);
  else
    {
      g_variant_get (r, "(u)", &uid);
      guestd_dbus_set_caller_uid (c->inv, uid);
      g_task_return_boolean (c->proceed, TRUE);
    }
  g_object_unref (c->proceed);
  check_free (c);
}

/* Calls that define guests name files the service hands over for them:
 * their handlers need to know whose files may be given (the bus says,
 * as it says to polkit). */
static void
allow (Check *c)
{
  if (!c->need_caller)
    {
      g_task_return_boolean (c->proceed, TRUE);
      g_object_unref (c->proceed);
      check_free (c);
      return;
    }
  g_dbus_connection_call (
    g_dbus_method_invocation_get_connection (c->inv), "org.freedesktop.DBus",
    "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetConnectionUnixUser",
    g_variant_new ("(s)", g_dbus_method_invocation_get_sender (c->inv)),
    G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, got_uid, c);
}

/* For messages: what the action lets a caller do. */
static const char *
action_verb (const char *action)
{
  if (g_str_equal (action, GUESTD_ACTION_LIFECYCLE))
    return _("start, stop or control guests");
  if (g_str_equal (action, GUESTD_ACTION_MANAGE))
    return _("define, change or remove guests");
  return _("see guests");
}

static void
checked (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Check *c = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (PolkitAuthorizationResult) result
    = polkit_authority_check_authorization_finish (POLKIT_AUTHORITY (source),
                                                   res, &error);

  if (result == NULL)
    /* No answer is a no: polkitd down, or the caller left. */
    g_task_return_new_error (c->proceed, GUESTD_ERROR,
                             GUESTD_ERROR_ACCESS_DENIED,
                             _("cannot check authorization for %s: %s"),
                             c->action, error->message);
  else if (polkit_authorization_result_get_is_authorized (result))
    {
      allow (c);
      return;
    }
  else if (polkit_authorization_result_get_dismissed (result))
    g_task_return_new_error (c->proceed, GUESTD_ERROR,
                             GUESTD_ERROR_AUTH_CANCELLED,
                             _("authentication for %s was cancelled"),
                             c->action);
  else if (polkit_authorization_result_get_is_challenge (result)
           && !c->interactive)
    g_task_return_new_error (c->proceed, GUESTD_ERROR,
                             GUESTD_ERROR_AUTH_REQUIRED,
                             _("%s needs authentication; call again with "
                               "interactive authorization allowed"),
                             c->action);
  else
    g_task_return_new_error (c->proceed, GUESTD_ERROR,
                             GUESTD_ERROR_ACCESS_DENIED,
                             _("not authorized to %s (polkit action %s)"),
                             action_verb (c->action),
                             c->action);
  g_object_unref (c->proceed);
  check_free (c);
}

void
guestd_polkit_gate_authorize (GuestdDBusService *svc,
                              GDBusMethodInvocation *inv, const char *action,
                              GuestdDomainObj *obj, gboolean need_caller,
                              GTask *proceed, gpointer data)
{
  PolkitAuthority *authority = data;
  GDBusMessage *msg = g_dbus_method_invocation_get_message (inv);
  const char *sender = g_dbus_method_invocation_get_sender (inv);
  g_autoptr (PolkitSubject) subject = NULL;
  g_autoptr (PolkitDetails) details = polkit_details_new ();
  Check *c;

  if (sender == NULL)
    {
      /* A peer-to-peer connection has no bus name to ask about. */
      g_task_return_new_error (proceed, GUESTD_ERROR,
                               GUESTD_ERROR_ACCESS_DENIED,
                               _("calls without a bus name are not "
                                 "accepted"));
      g_object_unref (proceed);
      return;
    }
  subject = polkit_system_bus_name_new (sender);
  if (obj != NULL)
    {
      polkit_details_insert (details, "domain_name", obj->def->name);
      polkit_details_insert (details, "domain_uuid", obj->def->uuid);
    }
  c = g_new0 (Check, 1);
  c->proceed = proceed;
  c->inv = g_object_ref (inv);
  c->need_caller = need_caller;
  c->action = g_strdup (action);
  c->interactive = (g_dbus_message_get_flags (msg)
                    & G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION)
                   != 0;
  polkit_authority_check_authorization (
    authority, subject, action, details,
    c->interactive ? POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION
                   : POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE,
    NULL, checked, c);
}
