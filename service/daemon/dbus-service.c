/* Exporting the driver on D-Bus: object registration, the one dispatch
 * path every call takes (activity, authorization, handler), our own
 * org.freedesktop.DBus.Properties (libvirt-dbus's wire format), signals
 * from driver events, and client tracking for the idle timeout. */
#include "config.h"

#include "dbus-priv.h"

#include <unistd.h>

#include "util/error.h"
#include "util/i18n.h"

#define CONNECT_IFACE "org.libvirt.Connect"
#define DOMAIN_IFACE "org.libvirt.Domain"
#define PROPS_IFACE "org.freedesktop.DBus.Properties"

typedef struct
{
  char *path;
  guint ids[2];
} DomainReg;

/* ---- errors and small helpers ---- */

void
guestd_dbus_return_error (GDBusMethodInvocation *inv, const GError *error)
{
  g_autofree char *msg = guestd_error_format (error);

  if (g_error_matches (error, GUESTD_ERROR, GUESTD_ERROR_ACCESS_DENIED))
    g_dbus_method_invocation_return_dbus_error (
      inv, "org.freedesktop.DBus.Error.AccessDenied", error->message);
  else if (g_error_matches (error, GUESTD_ERROR, GUESTD_ERROR_AUTH_REQUIRED))
    g_dbus_method_invocation_return_dbus_error (
      inv, "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired",
      error->message);
  else if (error->domain == G_DBUS_ERROR)
    g_dbus_method_invocation_return_gerror (inv, error);
  else
    g_dbus_method_invocation_return_dbus_error (inv, "org.libvirt.Error", msg);
}

gboolean
guestd_dbus_check_flags (GDBusMethodInvocation *inv, guint flags,
                         guint supported)
{
  g_autoptr (GError) error = NULL;

  if ((flags & ~supported) == 0)
    return TRUE;
  error = g_error_new (GUESTD_ERROR, GUESTD_ERROR_INVALID_ARG,
                       _("unsupported flags (0x%x) in function %s"),
                       flags & ~supported,
                       g_dbus_method_invocation_get_method_name (inv));
  guestd_dbus_return_error (inv, error);
  return FALSE;
}

const char *
guestd_dbus_domain_path (GuestdDBusService *svc, GuestdDomainObj *obj)
{
  return guestd_domain_obj_path (svc->base, obj);
}

/* ---- clients ---- */

static void
client_vanished (GDBusConnection *conn, const char *name, gpointer user_data)
{
  GuestdDBusService *svc = user_data;

  g_hash_table_remove (svc->clients, name);
  svc->last_activity = g_get_monotonic_time ();
}

static void
unwatch (gpointer id)
{
  g_bus_unwatch_name (GPOINTER_TO_UINT (id));
}

void
guestd_dbus_service_note_client (GuestdDBusService *svc, const char *sender)
{
  svc->last_activity = g_get_monotonic_time ();
  if (sender == NULL || g_hash_table_contains (svc->clients, sender))
    return;
  g_hash_table_insert (svc->clients, g_strdup (sender),
                       GUINT_TO_POINTER (g_bus_watch_name_on_connection (
                         svc->conn, sender, G_BUS_NAME_WATCHER_FLAGS_NONE,
                         NULL, client_vanished, svc, NULL)));
}

GDBusConnection *
guestd_dbus_service_get_connection (GuestdDBusService *svc)
{
  return svc->conn;
}

guint
guestd_dbus_service_client_count (GuestdDBusService *svc)
{
  return g_hash_table_size (svc->clients);
}

gint64
guestd_dbus_service_last_activity (GuestdDBusService *svc)
{
  return svc->last_activity;
}

/* ---- properties ---- */

static const GuestdDBusProperty *
find_property (const GuestdDBusProperty *props, const char *name)
{
  for (guint i = 0; props[i].name != NULL; i++)
    if (g_str_equal (props[i].name, name))
      return &props[i];
  return NULL;
}

typedef struct
{
  GuestdDBusService *svc;
  GuestdDomainObj *obj;
  const GuestdDBusMethod *method;   /* NULL for Properties */
  const GuestdDBusProperty *props;
  GVariant *params;
  GDBusMethodInvocation *inv;
  char *prop_method;                /* Get, GetAll or Set */
} Call;

static void
call_free (Call *c)
{
  if (c->obj != NULL)
    guestd_domain_obj_unref (c->obj);
  g_variant_unref (c->params);
  g_object_unref (c->inv);
  g_free (c->prop_method);
  g_free (c);
}

static void
handle_properties (Call *c)
{
  GuestdDBusService *svc = c->svc;
  const char *iface;
  const char *name;
  const GuestdDBusProperty *p;
  g_autoptr (GError) error = NULL;

  if (g_str_equal (c->prop_method, "GetAll"))
    {
      GVariantBuilder b;

      g_variant_get (c->params, "(&s)", &iface);
      g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
      for (guint i = 0; c->props[i].name != NULL; i++)
        {
          g_autoptr (GError) local = NULL;
          /* Floating: g_variant_new_variant() takes it. */
          GVariant *v = c->props[i].get (svc, c->obj, &local);

          /* libvirt-dbus leaves out what it cannot read, and wraps each
           * value in a variant inside the variant. */
          if (v == NULL)
            continue;
          g_variant_builder_add (&b, "{sv}", c->props[i].name,
                                 g_variant_new_variant (v));
        }
      g_dbus_method_invocation_return_value (c->inv,
                                             g_variant_new ("(a{sv})", &b));
      return;
    }
  if (g_str_equal (c->prop_method, "Get"))
    {
      GVariant *v;

      g_variant_get (c->params, "(&s&s)", &iface, &name);
      p = find_property (c->props, name);
      if (p == NULL)
        {
          g_dbus_method_invocation_return_error (
            c->inv, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY,
            _("No such property '%s'"), name);
          return;
        }
      v = p->get (svc, c->obj, &error);
      if (v == NULL)
        guestd_dbus_return_error (c->inv, error);
      else
        g_dbus_method_invocation_return_value (c->inv,
                                               g_variant_new ("(v)", v));
      return;
    }
  {
    g_autoptr (GVariant) value = NULL;

    g_variant_get (c->params, "(&s&sv)", &iface, &name, &value);
    p = find_property (c->props, name);
    if (p == NULL || p->set == NULL)
      {
        g_dbus_method_invocation_return_error (
          c->inv, G_DBUS_ERROR, G_DBUS_ERROR_PROPERTY_READ_ONLY,
          _("Property '%s' is not writable"), name);
        return;
      }
    if (!p->set (svc, c->obj, value, &error))
      guestd_dbus_return_error (c->inv, error);
    else
      g_dbus_method_invocation_return_value (c->inv, NULL);
  }
}

/* ---- dispatch ---- */

/* After the gate: the handler, or the gate's refusal. */
static void
run_call (Call *c, GError *refused)
{
  if (refused != NULL)
    guestd_dbus_return_error (c->inv, refused);
  else if (c->obj != NULL && c->obj->removed)
    {
      g_autoptr (GError) gone = g_error_new (GUESTD_ERROR,
                                             GUESTD_ERROR_NO_DOMAIN,
                                             _("no domain with matching uuid "
                                               "'%s'"),
                                             c->obj->def->uuid);
      guestd_dbus_return_error (c->inv, gone);
    }
  else if (c->method != NULL)
    c->method->func (c->svc, c->obj, c->params, g_object_ref (c->inv));
  else
    handle_properties (c);
  call_free (c);
}

static void
authorized (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  /* Only a TRUE lets the call through. */
  if (!g_task_propagate_boolean (G_TASK (res), &error) && error == NULL)
    error = g_error_new (GUESTD_ERROR, GUESTD_ERROR_ACCESS_DENIED,
                         _("access denied"));
  run_call (user_data, error);
}

static const char *
property_action (Call *c)
{
  const GuestdDBusProperty *p;
  const char *iface, *name;

  if (!g_str_equal (c->prop_method, "Set"))
    return GUESTD_ACTION_MONITOR;
  g_variant_get (c->params, "(&s&s*)", &iface, &name, NULL);
  p = find_property (c->props, name);
  return p != NULL && p->set_action != NULL ? p->set_action
                                            : GUESTD_ACTION_MANAGE;
}

static void
dispatch (GuestdDBusService *svc, GuestdDomainObj *obj,
          const GuestdDBusMethod *methods, const GuestdDBusProperty *props,
          const char *iface, const char *method_name, GVariant *params,
          GDBusMethodInvocation *inv)
{
  Call *c = g_new0 (Call, 1);
  GTask *proceed;
  const char *action;

  guestd_dbus_service_note_client (svc,
                                   g_dbus_method_invocation_get_sender (inv));
  c->svc = svc;
  c->obj = obj != NULL ? guestd_domain_obj_ref (obj) : NULL;
  c->props = props;
  c->params = g_variant_ref (params);
  c->inv = g_object_ref (inv);
  if (g_str_equal (iface, PROPS_IFACE))
    {
      const char *target;

      c->prop_method = g_strdup (method_name);
      g_variant_get_child (params, 0, "&s", &target);
      /* GetAll("") means every interface, and we have one. */
      if (*target != '\0' && !g_str_equal (target, obj ? DOMAIN_IFACE
                                                       : CONNECT_IFACE))
        {
          g_dbus_method_invocation_return_error (
            inv, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE,
            _("No such interface '%s'"), target);
          call_free (c);
          return;
        }
      action = property_action (c);
    }
  else
    {
      for (guint i = 0; methods[i].name != NULL && c->method == NULL; i++)
        if (g_str_equal (methods[i].name, method_name))
          c->method = &methods[i];
      if (c->method == NULL)
        {
          g_dbus_method_invocation_return_error (
            inv, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
            _("No such method '%s'"), method_name);
          call_free (c);
          return;
        }
      action = c->method->action;
      if (c->method->secret_flags != 0)
        {
          guint flags = 0;

          g_variant_get_child (params, 0, "u", &flags);
          if (flags & c->method->secret_flags)
            action = GUESTD_ACTION_MANAGE;
        }
    }

  /* Arguments were checked by GDBus against the introspection; now the
   * gate (none on the session bus: the caller is the user), then the
   * handler. */
  if (svc->authorize == NULL)
    {
      run_call (c, NULL);
      return;
    }
  proceed = g_task_new (NULL, NULL, authorized, c);
  svc->authorize (svc, inv, action, obj,
                  c->method != NULL && c->method->needs_caller, proceed,
                  svc->authorize_data);
}

static void
connect_method_call (GDBusConnection *conn, const char *sender,
                     const char *path, const char *iface, const char *method,
                     GVariant *params, GDBusMethodInvocation *inv,
                     gpointer user_data)
{
  dispatch (user_data, NULL, guestd_dbus_connect_methods,
            guestd_dbus_connect_properties, iface, method, params, inv);
}

/* What a domain object's registration carries. */
typedef struct
{
  GuestdDBusService *svc;
  GuestdDomainObj *obj;
} DomainHandle;

static DomainHandle *
domain_handle_new (GuestdDBusService *svc, GuestdDomainObj *obj)
{
  DomainHandle *h = g_new0 (DomainHandle, 1);

  h->svc = svc;
  h->obj = guestd_domain_obj_ref (obj);
  return h;
}

static void
domain_handle_free (gpointer data)
{
  DomainHandle *h = data;

  guestd_domain_obj_unref (h->obj);
  g_free (h);
}

static void
domain_method_call (GDBusConnection *conn, const char *sender,
                    const char *path, const char *iface, const char *method,
                    GVariant *params, GDBusMethodInvocation *inv,
                    gpointer user_data)
{
  DomainHandle *h = user_data;

  dispatch (h->svc, h->obj, guestd_dbus_domain_methods,
            guestd_dbus_domain_properties, iface, method, params, inv);
}

static const GDBusInterfaceVTable connect_vtable = { connect_method_call };
static const GDBusInterfaceVTable domain_vtable = { domain_method_call };

/* ---- domain objects ---- */

static void
domain_reg_free (gpointer data)
{
  DomainReg *r = data;

  g_free (r->path);
  g_free (r);
}

static void
register_domain (GuestdDBusService *svc, GuestdDomainObj *obj)
{
  DomainReg *r = g_new0 (DomainReg, 1);
  g_autoptr (GError) error = NULL;

  r->path = g_strdup (guestd_dbus_domain_path (svc, obj));
  r->ids[0] = g_dbus_connection_register_object (
    svc->conn, r->path, svc->domain_info->interfaces[0], &domain_vtable,
    domain_handle_new (svc, obj), domain_handle_free, &error);
  if (r->ids[0] != 0)
    r->ids[1] = g_dbus_connection_register_object (
      svc->conn, r->path, svc->props_info->interfaces[0], &domain_vtable,
      domain_handle_new (svc, obj), domain_handle_free, &error);
  if (error != NULL)
    g_warning ("cannot export %s: %s", r->path, error->message);
  g_hash_table_insert (svc->domain_regs, obj, r);
}

static void
unregister_domain (GuestdDBusService *svc, GuestdDomainObj *obj)
{
  DomainReg *r = g_hash_table_lookup (svc->domain_regs, obj);

  if (r == NULL)
    return;
  for (guint i = 0; i < 2; i++)
    if (r->ids[i] != 0)
      g_dbus_connection_unregister_object (svc->conn, r->ids[i]);
  g_hash_table_remove (svc->domain_regs, obj);
}

/* ---- driver listener ---- */

static void
on_added (GuestdDriver *d, GuestdDomainObj *obj, gpointer data)
{
  register_domain (data, obj);
}

static void
on_removed (GuestdDriver *d, GuestdDomainObj *obj, gpointer data)
{
  unregister_domain (data, obj);
}

static void
on_event (GuestdDriver *d, GuestdDomainObj *obj, GuestdEventType event,
          int detail, gpointer data)
{
  GuestdDBusService *svc = data;
  const char *path = guestd_dbus_domain_path (svc, obj);

  g_dbus_connection_emit_signal (svc->conn, NULL, svc->base, CONNECT_IFACE,
                                 "DomainEvent",
                                 g_variant_new ("(oii)", path, (gint32) event,
                                                (gint32) detail),
                                 NULL);
}

static void
on_signal (GuestdDriver *d, GuestdDomainObj *obj, const char *name,
           GVariant *params, gpointer data)
{
  GuestdDBusService *svc = data;
  const char *path = guestd_dbus_domain_path (svc, obj);

  g_dbus_connection_emit_signal (svc->conn, NULL, path, DOMAIN_IFACE, name,
                                 params, NULL);
}

/* ---- life ---- */

static GDBusNodeInfo *
load_info (const char *name, GError **error)
{
  g_autofree char *path = g_strconcat ("/org/guestd/dbus/", name, NULL);
  g_autoptr (GBytes) bytes = g_resources_lookup_data (path, 0, error);

  if (bytes == NULL)
    return NULL;
  return g_dbus_node_info_new_for_xml (g_bytes_get_data (bytes, NULL), error);
}

GuestdDBusService *
guestd_dbus_service_new (GDBusConnection *conn, GuestdDriver *driver,
                         const char *base_path,
                         GuestdDBusAuthorizeFunc authorize,
                         gpointer authorize_data, GError **error)
{
  g_autoptr (GuestdDBusService) svc = NULL;
  GuestdDriverListener l = { on_added, on_removed, on_event, on_signal, NULL };

  if (driver->privileged && authorize == NULL)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_INTERNAL,
                   _("the system instance needs an authorization gate"));
      return NULL;
    }
  svc = g_new0 (GuestdDBusService, 1);
  svc->authorize = authorize;
  svc->authorize_data = authorize_data;
  svc->conn = g_object_ref (conn);
  svc->driver = driver;
  svc->base = g_strdup (base_path);
  svc->domain_regs = g_hash_table_new_full (NULL, NULL, NULL,
                                            domain_reg_free);
  svc->clients = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        unwatch);
  svc->last_activity = g_get_monotonic_time ();
  svc->connect_info = load_info ("org.libvirt.Connect.xml", error);
  svc->domain_info = svc->connect_info
                       ? load_info ("org.libvirt.Domain.xml", error)
                       : NULL;
  svc->props_info = svc->domain_info
                      ? load_info ("org.freedesktop.DBus.Properties.xml",
                                   error)
                      : NULL;
  if (svc->props_info == NULL)
    return NULL;

  svc->connect_ids[0] = g_dbus_connection_register_object (
    conn, base_path, svc->connect_info->interfaces[0], &connect_vtable, svc,
    NULL, error);
  if (svc->connect_ids[0] == 0)
    return NULL;
  svc->connect_ids[1] = g_dbus_connection_register_object (
    conn, base_path, svc->props_info->interfaces[0], &connect_vtable, svc,
    NULL, error);
  if (svc->connect_ids[1] == 0)
    return NULL;
  for (guint i = 0; i < driver->domains->len; i++)
    register_domain (svc, driver->domains->pdata[i]);
  l.data = svc;
  guestd_driver_add_listener (driver, &l);
  return g_steal_pointer (&svc);
}

#define CALLER_UID_KEY "guestd-caller-uid"

void
guestd_dbus_set_caller_uid (GDBusMethodInvocation *inv, uid_t uid)
{
  /* Stored plus one: NULL means nobody said. */
  g_object_set_data (G_OBJECT (inv), CALLER_UID_KEY,
                     GSIZE_TO_POINTER ((gsize) uid + 1));
}

uid_t
guestd_dbus_caller_uid (GuestdDBusService *svc, GDBusMethodInvocation *inv)
{
  gsize v = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (inv),
                                                 CALLER_UID_KEY));

  if (v != 0)
    return (uid_t) (v - 1);
  return svc->authorize == NULL ? getuid () : (uid_t) -1;
}


void
guestd_dbus_service_free (GuestdDBusService *svc)
{
  GHashTableIter it;
  gpointer obj;

  if (svc == NULL)
    return;
  guestd_driver_remove_listeners (svc->driver, svc);
  if (svc->domain_regs != NULL)
    {
      g_autoptr (GPtrArray) objs = g_ptr_array_new ();

      g_hash_table_iter_init (&it, svc->domain_regs);
      while (g_hash_table_iter_next (&it, &obj, NULL))
        g_ptr_array_add (objs, obj);
      for (guint i = 0; i < objs->len; i++)
        unregister_domain (svc, objs->pdata[i]);
      g_hash_table_unref (svc->domain_regs);
    }
  for (guint i = 0; i < 2; i++)
    if (svc->connect_ids[i] != 0)
      g_dbus_connection_unregister_object (svc->conn, svc->connect_ids[i]);
  if (svc->clients != NULL)
    g_hash_table_unref (svc->clients);
  g_clear_pointer (&svc->connect_info, g_dbus_node_info_unref);
  g_clear_pointer (&svc->domain_info, g_dbus_node_info_unref);
  g_clear_pointer (&svc->props_info, g_dbus_node_info_unref);
  g_clear_object (&svc->conn);
  g_free (svc->base);
  g_free (svc);
}
