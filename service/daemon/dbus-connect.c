/* org.libvirt.Connect: the connection object's methods and properties,
 * each a short translation to the driver. */
#include "config.h"

#include "dbus-priv.h"

#include <string.h>

#include "daemon/process.h"
#include "qemu/argv-build.h"
#include "qemu/argv-parse.h"
#include "util/error.h"
#include "util/i18n.h"

/* What guestd reports as libvirt's version: the one whose behaviour it
 * follows. Clients (cockpit-machines) turn features on by this number. */
#define LIBVIRT_COMPAT_VERSION G_GUINT64_CONSTANT (9000000)

#define CREATE_PAUSED 1

static void
return_path (GuestdDBusService *svc, GDBusMethodInvocation *inv,
             GuestdDomainObj *obj)
{
  const char *path = guestd_dbus_domain_path (svc, obj);

  g_dbus_method_invocation_return_value (inv, g_variant_new ("(o)", path));
}

static void
return_error_take (GDBusMethodInvocation *inv, GError *error)
{
  guestd_dbus_return_error (inv, error);
  g_error_free (error);
}

/* ---- methods ---- */

typedef struct
{
  GuestdDBusService *svc;
  GDBusMethodInvocation *inv;
  GuestdDomainObj *obj;
  gboolean was_new;
} CreateCall;

static void
created (GObject *source, GAsyncResult *res, gpointer user_data)
{
  CreateCall *c = user_data;
  GError *error = NULL;

  if (guestd_process_start_finish (res, &error))
    return_path (c->svc, c->inv, c->obj);
  else
    {
      /* A failed create leaves nothing behind. */
      if (c->was_new && !c->obj->persistent)
        guestd_driver_remove (c->svc->driver, c->obj);
      return_error_take (c->inv, error);
    }
  g_object_unref (c->inv);
  guestd_domain_obj_unref (c->obj);
  g_free (c);
}

static void
handle_create_xml (GuestdDBusService *svc, GuestdDomainObj *unused,
                   GVariant *params, GDBusMethodInvocation *inv)
{
  const char *xml;
  guint flags;
  GError *error = NULL;
  GuestdDomainDef *def;
  GuestdDomainObj *obj;
  CreateCall *c;
  gboolean known;

  g_variant_get (params, "(&su)", &xml, &flags);
  if (!guestd_dbus_check_flags (inv, flags, CREATE_PAUSED))
    {
      g_object_unref (inv);
      return;
    }
  def = guestd_driver_parse_def (svc->driver, xml, &error);
  known = def != NULL && g_hash_table_contains (svc->driver->by_uuid,
                                                def->uuid);
  obj = def != NULL ? guestd_driver_add_transient (
                        svc->driver, def, guestd_dbus_caller_uid (svc, inv),
                        &error)
                    : NULL;
  if (obj == NULL)
    {
      return_error_take (inv, error);
      g_object_unref (inv);
      return;
    }
  c = g_new0 (CreateCall, 1);
  c->svc = svc;
  c->inv = inv;
  c->obj = guestd_domain_obj_ref (obj);
  c->was_new = !known;
  guestd_process_start_async (obj, flags & CREATE_PAUSED, NULL, created, c);
}

static void
handle_define_xml (GuestdDBusService *svc, GuestdDomainObj *unused,
                   GVariant *params, GDBusMethodInvocation *inv)
{
  const char *xml;
  GError *error = NULL;
  GuestdDomainObj *obj;

  g_variant_get (params, "(&s)", &xml);
  obj = guestd_driver_define (svc->driver, xml,
                              guestd_dbus_caller_uid (svc, inv), &error);
  if (obj == NULL)
    return_error_take (inv, error);
  else
    return_path (svc, inv, obj);
  g_object_unref (inv);
}

static void
handle_lookup (GuestdDBusService *svc, GuestdDomainObj *unused,
               GVariant *params, GDBusMethodInvocation *inv)
{
  const char *method = g_dbus_method_invocation_get_method_name (inv);
  GError *error = NULL;
  GuestdDomainObj *obj;

  if (g_str_equal (method, "DomainLookupByID"))
    {
      gint32 id;

      g_variant_get (params, "(i)", &id);
      obj = guestd_driver_lookup_id (svc->driver, id, &error);
    }
  else
    {
      const char *key;

      g_variant_get (params, "(&s)", &key);
      obj = g_str_equal (method, "DomainLookupByName")
              ? guestd_driver_lookup_name (svc->driver, key, &error)
              : guestd_driver_lookup_uuid (svc->driver, key, &error);
    }
  if (obj == NULL)
    return_error_take (inv, error);
  else
    return_path (svc, inv, obj);
  g_object_unref (inv);
}

static gboolean
check_native_format (const char *format, GError **error)
{
  if (g_str_equal (format, "qemu-argv"))
    return TRUE;
  g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
               _("unsupported config type %s"), format);
  return FALSE;
}

static void
handle_from_native (GuestdDBusService *svc, GuestdDomainObj *unused,
                    GVariant *params, GDBusMethodInvocation *inv)
{
  const char *format, *config;
  guint flags;
  GError *error = NULL;
  g_autoptr (GuestdDomainDef) def = NULL;
  g_autofree char *xml = NULL;

  g_variant_get (params, "(&s&su)", &format, &config, &flags);
  if (!guestd_dbus_check_flags (inv, flags, 0))
    {
      g_object_unref (inv);
      return;
    }
  if (check_native_format (format, &error))
    def = guestd_qemu_parse_native (config, &error);
  if (def == NULL)
    return_error_take (inv, error);
  else
    {
      xml = guestd_domain_def_format (def, GUESTD_DOMAIN_XML_INACTIVE);
      g_dbus_method_invocation_return_value (inv, g_variant_new ("(s)", xml));
    }
  g_object_unref (inv);
}

static void
handle_to_native (GuestdDBusService *svc, GuestdDomainObj *unused,
                  GVariant *params, GDBusMethodInvocation *inv)
{
  GuestdDriver *d = svc->driver;
  const char *format, *xml;
  guint flags;
  GError *error = NULL;
  g_autoptr (GuestdDomainDef) def = NULL;
  g_autoptr (GuestdQemuCommand) cmd = NULL;
  g_autofree char *line = NULL;
  g_autofree char *qmp = NULL;
  g_autofree char *home = NULL;
  g_autofree char *nvram = NULL;
  GuestdQemuBuildOptions opts;

  g_variant_get (params, "(&s&su)", &format, &xml, &flags);
  if (!guestd_dbus_check_flags (inv, flags, 0))
    {
      g_object_unref (inv);
      return;
    }
  if (check_native_format (format, &error))
    def = guestd_driver_parse_def (d, xml, &error);
  if (def != NULL)
    {
      /* The line this instance would run, with its own paths. */
      qmp = g_strdup_printf ("%s/%s.qmp", d->run_dir, def->name);
      home = g_strdup_printf ("%s/domain-%s", d->lib_dir, def->name);
      nvram = g_build_filename (d->lib_dir, "nvram", NULL);
      guestd_qemu_build_options_init (&opts);
      opts.qmp_path = qmp;
      opts.home = home;
      opts.nvram_dir = nvram;
      opts.channel_dir = d->run_dir;
      opts.vnc_listen = d->conf->vnc_listen;
      opts.sandbox = d->conf->seccomp_sandbox;
      opts.native = TRUE;
      cmd = guestd_qemu_build_command (def, &opts, &error);
    }
  if (cmd == NULL)
    return_error_take (inv, error);
  else
    {
      line = guestd_qemu_command_to_string (cmd);
      g_dbus_method_invocation_return_value (inv, g_variant_new ("(s)", line));
    }
  g_object_unref (inv);
}

static void
handle_get_capabilities (GuestdDBusService *svc, GuestdDomainObj *unused,
                         GVariant *params, GDBusMethodInvocation *inv)
{
  GuestdDriver *d = svc->driver;
  g_autofree char *label = NULL;
  g_autofree char *xml = NULL;

  if (d->privileged)
    label = g_strdup_printf ("+%d:+%d", (int) getuid (), (int) getgid ());
  xml = guestd_capabilities_format (guestd_driver_get_caps (d), label);
  g_dbus_method_invocation_return_value (inv, g_variant_new ("(s)", xml));
  g_object_unref (inv);
}

static void
handle_get_domain_capabilities (GuestdDBusService *svc,
                                GuestdDomainObj *unused, GVariant *params,
                                GDBusMethodInvocation *inv)
{
  const char *emulator, *arch, *machine, *virttype;
  guint flags;
  GError *error = NULL;
  g_autofree char *xml = NULL;

  g_variant_get (params, "(&s&s&s&su)", &emulator, &arch, &machine, &virttype,
                 &flags);
  if (!guestd_dbus_check_flags (inv, flags, 0))
    {
      g_object_unref (inv);
      return;
    }
  xml = guestd_capabilities_format_domain (guestd_driver_get_caps (svc->driver),
                                           emulator, arch, machine, virttype,
                                           &error);
  if (xml == NULL)
    return_error_take (inv, error);
  else
    g_dbus_method_invocation_return_value (inv, g_variant_new ("(s)", xml));
  g_object_unref (inv);
}

static void
handle_list_domains (GuestdDBusService *svc, GuestdDomainObj *unused,
                     GVariant *params, GDBusMethodInvocation *inv)
{
  guint flags;
  g_autoptr (GPtrArray) list = NULL;
  GVariantBuilder b;

  g_variant_get (params, "(u)", &flags);
  list = guestd_driver_list (svc->driver, flags);
  g_variant_builder_init (&b, G_VARIANT_TYPE ("ao"));
  for (guint i = 0; i < list->len; i++)
    {
      const char *path = guestd_dbus_domain_path (svc, list->pdata[i]);

      g_variant_builder_add (&b, "o", path);
    }
  g_dbus_method_invocation_return_value (inv, g_variant_new ("(ao)", &b));
  g_object_unref (inv);
}

static void
handle_list_nothing (GuestdDBusService *svc, GuestdDomainObj *unused,
                     GVariant *params, GDBusMethodInvocation *inv)
{
  /* guestd manages no networks, pools, interfaces or node devices. */
  g_dbus_method_invocation_return_value (inv,
                                         g_variant_new ("(ao)", NULL));
  g_object_unref (inv);
}

static void
handle_node_memory_stats (GuestdDBusService *svc, GuestdDomainObj *unused,
                          GVariant *params, GDBusMethodInvocation *inv)
{
  gint32 cell;
  guint flags;
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  GVariantBuilder b;
  static const struct
  {
    const char *meminfo, *key;
  } keys[] = { { "MemTotal:", "total" }, { "MemFree:", "free" },
               { "Buffers:", "buffers" }, { "Cached:", "cached" } };

  g_variant_get (params, "(iu)", &cell, &flags);
  if (!guestd_dbus_check_flags (inv, flags, 0))
    {
      g_object_unref (inv);
      return;
    }
  if (cell != -1 && cell != 0)
    {
      g_autoptr (GError) error
        = g_error_new (GUESTD_ERROR, GUESTD_ERROR_INVALID_ARG,
                       _("cell %d does not exist (only 0, or -1 for all)"),
                       cell);

      guestd_dbus_return_error (inv, error);
      g_object_unref (inv);
      return;
    }
  g_file_get_contents ("/proc/meminfo", &text, NULL, NULL);
  lines = g_strsplit (text ? text : "", "\n", -1);
  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{st}"));
  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    for (guint i = 0; lines[i] != NULL; i++)
      if (g_str_has_prefix (lines[i], keys[k].meminfo))
        g_variant_builder_add (&b, "{st}", keys[k].key,
                               g_ascii_strtoull (lines[i]
                                                   + strlen (keys[k].meminfo),
                                                 NULL, 10));
  g_dbus_method_invocation_return_value (inv, g_variant_new ("(a{st})", &b));
  g_object_unref (inv);
}

static void
handle_security_model (GuestdDBusService *svc, GuestdDomainObj *unused,
                       GVariant *params, GDBusMethodInvocation *inv)
{
  /* No MAC driver yet: libvirt reports "none" then (DAC is not one). */
  g_dbus_method_invocation_return_value (inv,
                                         g_variant_new ("((ss))", "none", "0"));
  g_object_unref (inv);
}

const GuestdDBusMethod guestd_dbus_connect_methods[] = {
  /* Definitions name files: who wrote them decides whose may be used. */
  { "DomainCreateXML", handle_create_xml, GUESTD_ACTION_MANAGE, 0, TRUE },
  { "DomainDefineXML", handle_define_xml, GUESTD_ACTION_MANAGE, 0, TRUE },
  { "DomainLookupByID", handle_lookup, GUESTD_ACTION_MONITOR },
  { "DomainLookupByName", handle_lookup, GUESTD_ACTION_MONITOR },
  { "DomainLookupByUUID", handle_lookup, GUESTD_ACTION_MONITOR },
  { "DomainXMLFromNative", handle_from_native, GUESTD_ACTION_MONITOR },
  { "DomainXMLToNative", handle_to_native, GUESTD_ACTION_MONITOR },
  { "GetCapabilities", handle_get_capabilities, GUESTD_ACTION_MONITOR },
  { "GetDomainCapabilities", handle_get_domain_capabilities,
    GUESTD_ACTION_MONITOR },
  { "ListDomains", handle_list_domains, GUESTD_ACTION_MONITOR },
  { "ListInterfaces", handle_list_nothing, GUESTD_ACTION_MONITOR },
  { "ListNetworks", handle_list_nothing, GUESTD_ACTION_MONITOR },
  { "ListNodeDevices", handle_list_nothing, GUESTD_ACTION_MONITOR },
  { "ListStoragePools", handle_list_nothing, GUESTD_ACTION_MONITOR },
  { "NodeGetMemoryStats", handle_node_memory_stats, GUESTD_ACTION_MONITOR },
  { "NodeGetSecurityModel", handle_security_model, GUESTD_ACTION_MONITOR },
  { NULL },
};

/* ---- properties ---- */

static GVariant *
get_encrypted (GuestdDBusService *svc, GuestdDomainObj *obj, GError **error)
{
  return g_variant_new_boolean (FALSE);
}

static GVariant *
get_secure (GuestdDBusService *svc, GuestdDomainObj *obj, GError **error)
{
  /* Only local UNIX-socket buses carry these calls. */
  return g_variant_new_boolean (TRUE);
}

static GVariant *
get_hostname (GuestdDBusService *svc, GuestdDomainObj *obj, GError **error)
{
  return g_variant_new_string (g_get_host_name ());
}

static GVariant *
get_lib_version (GuestdDBusService *svc, GuestdDomainObj *obj,
                 GError **error)
{
  return g_variant_new_uint64 (LIBVIRT_COMPAT_VERSION);
}

static GVariant *
get_version (GuestdDBusService *svc, GuestdDomainObj *obj, GError **error)
{
  GuestdCapabilities *caps = guestd_driver_get_caps (svc->driver);
  guint64 major = 0, minor = 0, micro = 0;

  /* The hypervisor's version: the host architecture's QEMU. */
  for (guint i = 0; i < caps->emulators->len; i++)
    {
      GuestdQemuEmulator *e = caps->emulators->pdata[i];

      if (e->version != NULL && g_str_equal (e->arch, caps->host_arch))
        {
          sscanf (e->version, "%" G_GUINT64_FORMAT ".%" G_GUINT64_FORMAT
                              ".%" G_GUINT64_FORMAT,
                  &major, &minor, &micro);
          break;
        }
    }
  return g_variant_new_uint64 (major * 1000000 + minor * 1000 + micro);
}

const GuestdDBusProperty guestd_dbus_connect_properties[] = {
  { "Encrypted", get_encrypted },
  { "Hostname", get_hostname },
  { "LibVersion", get_lib_version },
  { "Secure", get_secure },
  { "Version", get_version },
  { NULL },
};
