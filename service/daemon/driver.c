/* The driver: directories, settings, the domain registry, definitions and
 * status files on disk, and event fan-out. */
#include "config.h"

#include "driver.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <libxml/tree.h>
#include <string.h>
#include <unistd.h>

#include "conf/xml-reader.h"
#include "conf/xml-writer.h"
#include "daemon/guest-host.h"
#include "daemon/process.h"
#include "util/error.h"
#include "util/file-util.h"
#include "util/i18n.h"

static GuestdDriver *
driver_new (gboolean privileged)
{
  GuestdDriver *d = g_new0 (GuestdDriver, 1);

  d->privileged = privileged;
  d->uri = g_strdup (privileged ? "qemu:///system" : "qemu:///session");
  d->domains = g_ptr_array_new_with_free_func (
    (GDestroyNotify) guestd_domain_obj_unref);
  d->by_uuid = g_hash_table_new (g_str_hash, g_str_equal);
  d->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  d->listeners = g_array_new (FALSE, TRUE, sizeof (GuestdDriverListener));
  d->next_id = 1;
  d->conf = guestd_qemu_conf_new ();
  /* Tests and ./run point at the build tree's helper. */
  d->launch = g_strdup (g_getenv ("GUESTD_LAUNCH") ? g_getenv ("GUESTD_LAUNCH")
                                                   : LIBEXECDIR "/guestd-launch");
  return d;
}

static gboolean
make_dirs (GuestdDriver *d, GError **error)
{
  const char *dirs[] = { d->config_dir, d->autostart_dir, d->run_dir,
                         d->lib_dir, d->cache_dir, d->log_dir };
  /* QEMU runs as another account in the system instance: it must pass
   * through the directories holding its own (its home, channel sockets,
   * UEFI variables), and nothing more. */
  const int modes[] = { 0700, 0700, d->privileged ? 0711 : 0700,
                        d->privileged ? 0711 : 0700, 0700, 0700 };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    if (g_mkdir_with_parents (dirs[i], modes[i]) < 0)
      {
        guestd_set_error_errno (error, errno, _("cannot create %s"), dirs[i]);
        return FALSE;
      }
  return TRUE;
}

GuestdDriver *
guestd_driver_new_session (GError **error)
{
  g_autoptr (GuestdDriver) d = driver_new (FALSE);
  const char *config = g_get_user_config_dir ();
  const char *cache = g_get_user_cache_dir ();
  const char *runtime = g_get_user_runtime_dir ();

  d->conf_file = g_build_filename (config, "guestd", "qemu.conf", NULL);
  d->config_dir = g_build_filename (config, "guestd", "qemu", NULL);
  d->autostart_dir = g_build_filename (d->config_dir, "autostart", NULL);
  d->lib_dir = g_build_filename (d->config_dir, "lib", NULL);
  d->run_dir = g_build_filename (runtime, "guestd", "qemu", NULL);
  d->cache_dir = g_build_filename (cache, "guestd", "qemu", NULL);
  d->log_dir = g_build_filename (d->cache_dir, "log", NULL);
  if (!make_dirs (d, error))
    return NULL;
  return g_steal_pointer (&d);
}

GuestdDriver *
guestd_driver_new_system (const char *root, GError **error)
{
  g_autoptr (GuestdDriver) d = driver_new (TRUE);
  const char *r = root != NULL && !g_str_equal (root, "/") ? root : "";

  d->conf_file = g_strconcat (r, SYSCONFDIR, "/guestd/qemu.conf", NULL);
  d->config_dir = g_strconcat (r, SYSCONFDIR, "/guestd/qemu", NULL);
  d->autostart_dir = g_strconcat (d->config_dir, "/autostart", NULL);
  d->run_dir = g_strconcat (r, RUNSTATEDIR, "/guestd/qemu", NULL);
  d->lib_dir = g_strconcat (r, LOCALSTATEDIR, "/lib/guestd/qemu", NULL);
  d->cache_dir = g_strconcat (r, LOCALSTATEDIR, "/cache/guestd/qemu", NULL);
  d->log_dir = g_strconcat (r, LOCALSTATEDIR, "/log/guestd/qemu", NULL);
  if (!make_dirs (d, error))
    return NULL;
  return g_steal_pointer (&d);
}

void
guestd_driver_free (GuestdDriver *d)
{
  if (d == NULL)
    return;
  g_ptr_array_unref (d->domains);
  g_hash_table_unref (d->by_uuid);
  g_hash_table_unref (d->by_name);
  g_array_unref (d->listeners);
  guestd_qemu_conf_free (d->conf);
  guestd_account_free (d->account);
  guestd_capabilities_free (d->caps);
  g_free (d->caps_problems);
  g_free (d->uri);
  g_free (d->conf_file);
  g_free (d->config_dir);
  g_free (d->autostart_dir);
  g_free (d->run_dir);
  g_free (d->lib_dir);
  g_free (d->cache_dir);
  g_free (d->log_dir);
  g_free (d->launch);
  g_free (d);
}

/* ---- events ---- */

void
guestd_driver_add_listener (GuestdDriver *d,
                            const GuestdDriverListener *listener)
{
  g_array_append_val (d->listeners, *listener);
}

void
guestd_driver_remove_listeners (GuestdDriver *d, gpointer data)
{
  for (guint i = d->listeners->len; i > 0; i--)
    if (g_array_index (d->listeners, GuestdDriverListener, i - 1).data == data)
      g_array_remove_index (d->listeners, i - 1);
}

void
guestd_driver_emit_event (GuestdDriver *d, GuestdDomainObj *obj,
                          GuestdEventType event, int detail)
{
  g_debug ("domain %s: event %d detail %d", obj->def->name, event, detail);
  for (guint i = 0; i < d->listeners->len; i++)
    {
      GuestdDriverListener *l = &g_array_index (d->listeners,
                                                GuestdDriverListener, i);

      if (l->event != NULL)
        l->event (d, obj, event, detail, l->data);
    }
}

void
guestd_driver_emit_signal (GuestdDriver *d, GuestdDomainObj *obj,
                           const char *name, GVariant *params)
{
  g_autoptr (GVariant) sunk = params ? g_variant_ref_sink (params) : NULL;

  for (guint i = 0; i < d->listeners->len; i++)
    {
      GuestdDriverListener *l = &g_array_index (d->listeners,
                                                GuestdDriverListener, i);

      if (l->signal != NULL)
        l->signal (d, obj, name, sunk, l->data);
    }
}

static void
notify_added (GuestdDriver *d, GuestdDomainObj *obj)
{
  for (guint i = 0; i < d->listeners->len; i++)
    {
      GuestdDriverListener *l = &g_array_index (d->listeners,
                                                GuestdDriverListener, i);

      if (l->added != NULL)
        l->added (d, obj, l->data);
    }
}

/* ---- registry ---- */

static void
registry_add (GuestdDriver *d, GuestdDomainObj *obj)
{
  g_ptr_array_add (d->domains, obj);
  g_hash_table_insert (d->by_uuid, obj->def->uuid, obj);
  g_hash_table_insert (d->by_name, obj->def->name, obj);
  notify_added (d, obj);
}

void
guestd_driver_remove (GuestdDriver *d, GuestdDomainObj *obj)
{
  if (obj->removed)
    return;
  obj->removed = TRUE;
  g_hash_table_remove (d->by_uuid, obj->def->uuid);
  g_hash_table_remove (d->by_name, obj->def->name);
  for (guint i = 0; i < d->listeners->len; i++)
    {
      GuestdDriverListener *l = &g_array_index (d->listeners,
                                                GuestdDriverListener, i);

      if (l->removed != NULL)
        l->removed (d, obj, l->data);
    }
  g_ptr_array_remove (d->domains, obj);
}

static void
not_found (GError **error, const char *what, const char *value)
{
  /* "Domain not found: no domain with matching name 'x'" is what clients
   * match on. */
  g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_NO_DOMAIN,
               _("no domain with matching %s '%s'"), what, value);
}

GuestdDomainObj *
guestd_driver_lookup_uuid (GuestdDriver *d, const char *uuid, GError **error)
{
  char canon[GUESTD_UUID_STRING_LEN + 1];
  GuestdDomainObj *obj = NULL;

  if (guestd_uuid_parse (uuid, canon))
    obj = g_hash_table_lookup (d->by_uuid, canon);
  if (obj == NULL)
    not_found (error, "uuid", uuid);
  return obj;
}

GuestdDomainObj *
guestd_driver_lookup_name (GuestdDriver *d, const char *name, GError **error)
{
  GuestdDomainObj *obj = g_hash_table_lookup (d->by_name, name);

  if (obj == NULL)
    not_found (error, "name", name);
  return obj;
}

GuestdDomainObj *
guestd_driver_lookup_id (GuestdDriver *d, int id, GError **error)
{
  for (guint i = 0; i < d->domains->len; i++)
    {
      GuestdDomainObj *obj = d->domains->pdata[i];

      if (guestd_domain_obj_is_active (obj) && obj->def->id == id)
        return obj;
    }
  g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_NO_DOMAIN,
               _("no domain with matching id %d"), id);
  return NULL;
}

static gboolean
matches (GuestdDomainObj *obj, GuestdListFlags flags)
{
  gboolean active = guestd_domain_obj_is_active (obj);

  if ((flags & (GUESTD_LIST_ACTIVE | GUESTD_LIST_INACTIVE))
      && !((flags & GUESTD_LIST_ACTIVE && active)
           || (flags & GUESTD_LIST_INACTIVE && !active)))
    return FALSE;
  if ((flags & (GUESTD_LIST_PERSISTENT | GUESTD_LIST_TRANSIENT))
      && !((flags & GUESTD_LIST_PERSISTENT && obj->persistent)
           || (flags & GUESTD_LIST_TRANSIENT && !obj->persistent)))
    return FALSE;
  if (flags & (GUESTD_LIST_RUNNING | GUESTD_LIST_PAUSED | GUESTD_LIST_SHUTOFF
               | GUESTD_LIST_OTHER))
    {
      gboolean ok = (flags & GUESTD_LIST_RUNNING
                     && obj->state == GUESTD_STATE_RUNNING)
                    || (flags & GUESTD_LIST_PAUSED
                        && obj->state == GUESTD_STATE_PAUSED)
                    || (flags & GUESTD_LIST_SHUTOFF
                        && obj->state == GUESTD_STATE_SHUTOFF)
                    || (flags & GUESTD_LIST_OTHER
                        && obj->state != GUESTD_STATE_RUNNING
                        && obj->state != GUESTD_STATE_PAUSED
                        && obj->state != GUESTD_STATE_SHUTOFF);
      if (!ok)
        return FALSE;
    }
  if ((flags & (GUESTD_LIST_AUTOSTART | GUESTD_LIST_NO_AUTOSTART))
      && !((flags & GUESTD_LIST_AUTOSTART && obj->autostart)
           || (flags & GUESTD_LIST_NO_AUTOSTART && !obj->autostart)))
    return FALSE;
  return TRUE;
}

GPtrArray *
guestd_driver_list (GuestdDriver *d, GuestdListFlags flags)
{
  GPtrArray *list = g_ptr_array_sized_new (d->domains->len);

  for (guint i = 0; i < d->domains->len; i++)
    if (matches (d->domains->pdata[i], flags))
      g_ptr_array_add (list, d->domains->pdata[i]);
  return list;
}

guint
guestd_driver_count_active (GuestdDriver *d)
{
  guint n = 0;

  for (guint i = 0; i < d->domains->len; i++)
    n += guestd_domain_obj_is_active (d->domains->pdata[i]);
  return n;
}

/* ---- files ---- */

char *
guestd_driver_config_path (GuestdDriver *d, const char *name)
{
  g_autofree char *file = g_strconcat (name, ".xml", NULL);

  return g_build_filename (d->config_dir, file, NULL);
}

static char *
autostart_path (GuestdDriver *d, const char *name)
{
  g_autofree char *file = g_strconcat (name, ".xml", NULL);

  return g_build_filename (d->autostart_dir, file, NULL);
}

char *
guestd_driver_status_path (GuestdDriver *d, const char *name)
{
  g_autofree char *file = g_strconcat (name, ".xml", NULL);

  return g_build_filename (d->run_dir, file, NULL);
}

char *
guestd_driver_log_path (GuestdDriver *d, const char *name)
{
  g_autofree char *file = g_strconcat (name, ".log", NULL);

  return g_build_filename (d->log_dir, file, NULL);
}

gboolean
guestd_driver_save_config (GuestdDriver *d, GuestdDomainDef *def,
                           GError **error)
{
  g_autofree char *path = guestd_driver_config_path (d, def->name);
  g_autofree char *xml = guestd_domain_def_format (
    def, GUESTD_DOMAIN_XML_INACTIVE | GUESTD_DOMAIN_XML_SECURE);

  /* Passwords are in there: only the owner may read definitions. */
  return guestd_file_write_atomic (path, xml, -1, 0600, error);
}

gboolean
guestd_driver_save_status (GuestdDriver *d, GuestdDomainObj *obj,
                           GError **error)
{
  g_autofree char *path = guestd_driver_status_path (d, obj->def->name);
  g_autofree char *live = guestd_domain_def_format (obj->def,
                                                    GUESTD_DOMAIN_XML_SECURE);
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GString) a = g_string_new (NULL);
  g_auto (GStrv) lines = NULL;

  guestd_xml_add_attr_printf (a, "state", "%d", obj->state);
  guestd_xml_add_attr_printf (a, "reason", "%d", obj->reason);
  guestd_xml_add_attr_printf (a, "pid", "%d", (int) obj->pid);
  guestd_xml_add_attr_printf (a, "starttime", "%" G_GUINT64_FORMAT,
                              obj->start_time);
  guestd_xml_add_attr (a, "monitor", obj->qmp_path);
  guestd_xml_add_attr (a, "fakereboot", obj->fake_reboot ? "yes" : "no");
  g_string_append_printf (out, "<domstatus%s>\n", a->str);
  lines = g_strsplit (live, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    g_string_append_printf (out, "  %s\n", lines[i]);
  g_string_append (out, "</domstatus>\n");
  return guestd_file_write_atomic (path, out->str, out->len, 0600, error);
}

void
guestd_driver_remove_status (GuestdDriver *d, GuestdDomainObj *obj)
{
  g_autofree char *path = guestd_driver_status_path (d, obj->def->name);

  if (g_unlink (path) < 0 && errno != ENOENT)
    g_warning ("cannot remove %s: %s", path, g_strerror (errno));
}

char *
guestd_driver_format_xml (GuestdDriver *d, GuestdDomainObj *obj, guint flags)
{
  GuestdDomainXmlFlags f = 0;
  GuestdDomainDef *def = obj->def;

  if (flags & GUESTD_XML_SECURE)
    f |= GUESTD_DOMAIN_XML_SECURE;
  if ((flags & GUESTD_XML_INACTIVE) || !guestd_domain_obj_is_active (obj))
    {
      f |= GUESTD_DOMAIN_XML_INACTIVE;
      def = guestd_domain_obj_persistent_def (obj);
    }
  return guestd_domain_def_format (def, f);
}

/* ---- definitions ---- */

GuestdDomainDef *
guestd_driver_parse_def (GuestdDriver *d, const char *xml, GError **error)
{
  g_autoptr (GuestdDomainDef) def = guestd_domain_def_parse (xml, -1, 0,
                                                             error);

  if (def == NULL)
    return NULL;
  if (!guestd_capabilities_complete_def (guestd_driver_get_caps (d), def,
                                         error))
    return NULL;
  return g_steal_pointer (&def);
}

/* libvirt's rules for a name and UUID that meet an existing domain. */
static gboolean
check_identity (GuestdDriver *d, GuestdDomainDef *def, gboolean for_define,
                GuestdDomainObj **existing, GError **error)
{
  GuestdDomainObj *by_uuid = g_hash_table_lookup (d->by_uuid, def->uuid);
  GuestdDomainObj *by_name = g_hash_table_lookup (d->by_name, def->name);

  *existing = NULL;
  if (by_uuid != NULL)
    {
      if (!g_str_equal (by_uuid->def->name, def->name))
        {
          g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_OPERATION_FAILED,
                       _("domain '%s' is already defined with uuid %s"),
                       by_uuid->def->name, def->uuid);
          return FALSE;
        }
      if (!for_define && guestd_domain_obj_is_active (by_uuid))
        {
          g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_OPERATION_INVALID,
                       _("domain '%s' is already active"), def->name);
          return FALSE;
        }
      *existing = by_uuid;
      return TRUE;
    }
  if (by_name != NULL)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_OPERATION_FAILED,
                   _("domain '%s' already exists with uuid %s"), def->name,
                   by_name->def->uuid);
      return FALSE;
    }
  return TRUE;
}

/* ---- authors (system instance) ---- */

/* Who wrote a persistent definition is kept beside the service's state,
 * not in the XML clients read: lib/authors/UUID holds the uid. */
static char *
author_path (GuestdDriver *d, const char *uuid)
{
  return g_build_filename (d->lib_dir, "authors", uuid, NULL);
}

static gboolean
save_author (GuestdDriver *d, GuestdDomainDef *def, GError **error)
{
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *text = NULL;

  if (!d->privileged)
    return TRUE;
  path = author_path (d, def->uuid);
  dir = g_path_get_dirname (path);
  text = g_strdup_printf ("%u\n", def->author);
  if (g_mkdir_with_parents (dir, 0700) < 0)
    {
      guestd_set_error_errno (error, errno, _("cannot create %s"), dir);
      return FALSE;
    }
  return guestd_file_write_atomic (path, text, -1, 0600, error);
}

/* A definition nobody recorded was put there by root (or predates the
 * record, which only root could write then). */
static uid_t
load_author (GuestdDriver *d, const char *uuid)
{
  g_autofree char *path = author_path (d, uuid);
  g_autofree char *text = NULL;
  guint64 v;

  if (!d->privileged || !g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  if (!g_ascii_string_to_unsigned (g_strstrip (text), 10, 0, G_MAXUINT32 - 1,
                                   &v, NULL))
    {
      g_warning (_("%s: not a uid; the definition is treated as nobody's"),
                 path);
      return (uid_t) -1;
    }
  return (uid_t) v;
}

GuestdDomainObj *
guestd_driver_define (GuestdDriver *d, const char *xml, uid_t author,
                      GError **error)
{
  g_autoptr (GuestdDomainDef) def = guestd_driver_parse_def (d, xml, error);
  GuestdDomainObj *obj;
  gboolean was_persistent;

  if (def == NULL || !check_identity (d, def, TRUE, &obj, error))
    return NULL;
  def->author = author;
  /* The author first: a definition on disk without its author would be
   * taken for root's at the next start of the service. */
  if (!save_author (d, def, error)
      || !guestd_driver_save_config (d, def, error))
    return NULL;
  if (obj == NULL)
    {
      obj = guestd_domain_obj_new (d, g_steal_pointer (&def));
      obj->persistent = TRUE;
      registry_add (d, obj);
      guestd_driver_emit_event (d, obj, GUESTD_EVENT_DEFINED,
                                GUESTD_DEFINED_ADDED);
      return obj;
    }
  was_persistent = obj->persistent;
  obj->persistent = TRUE;
  if (guestd_domain_obj_is_active (obj))
    {
      /* The running guest keeps its hardware; the new definition waits
       * for the next start (the Updated property says so). */
      g_clear_pointer (&obj->newdef, guestd_domain_def_free);
      obj->newdef = g_steal_pointer (&def);
      obj->updated = TRUE;
    }
  else
    {
      guestd_domain_def_free (obj->def);
      obj->def = g_steal_pointer (&def);
    }
  guestd_driver_emit_event (d, obj, GUESTD_EVENT_DEFINED,
                            was_persistent ? GUESTD_DEFINED_UPDATED
                                           : GUESTD_DEFINED_ADDED);
  return obj;
}

GuestdDomainObj *
guestd_driver_add_transient (GuestdDriver *d, GuestdDomainDef *def,
                             uid_t author, GError **error)
{
  GuestdDomainObj *obj;

  def->author = author;
  if (!check_identity (d, def, FALSE, &obj, error))
    {
      guestd_domain_def_free (def);
      return NULL;
    }
  if (obj != NULL)
    {
      /* Creating a defined, inactive domain starts it with this XML; the
       * definition it has stays for later. */
      g_clear_pointer (&obj->newdef, guestd_domain_def_free);
      obj->newdef = obj->def;
      obj->def = def;
      return obj;
    }
  obj = guestd_domain_obj_new (d, def);
  registry_add (d, obj);
  return obj;
}

gboolean
guestd_driver_undefine (GuestdDriver *d, GuestdDomainObj *obj, guint flags,
                        GError **error)
{
  g_autofree char *config = NULL;
  g_autofree char *link = NULL;
  GuestdDomainDef *def = guestd_domain_obj_persistent_def (obj);

  if (!obj->persistent)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_OPERATION_INVALID,
                   _("cannot undefine transient domain '%s'"),
                   obj->def->name);
      return FALSE;
    }
  config = guestd_driver_config_path (d, def->name);
  link = autostart_path (d, def->name);
  if (g_unlink (config) < 0 && errno != ENOENT)
    {
      guestd_set_error_errno (error, errno, _("cannot remove %s"), config);
      return FALSE;
    }
  if (g_unlink (link) < 0 && errno != ENOENT)
    g_warning ("cannot remove %s: %s", link, g_strerror (errno));
  if (d->privileged)
    {
      g_autofree char *author = author_path (d, def->uuid);

      g_unlink (author);
    }
  obj->persistent = FALSE;
  obj->autostart = FALSE;
  g_clear_pointer (&obj->newdef, guestd_domain_def_free);
  guestd_driver_emit_event (d, obj, GUESTD_EVENT_UNDEFINED,
                            GUESTD_UNDEFINED_REMOVED);
  /* A running guest lives on as a transient one until it stops. */
  if (!guestd_domain_obj_is_active (obj))
    guestd_driver_remove (d, obj);
  return TRUE;
}

gboolean
guestd_driver_set_autostart (GuestdDriver *d, GuestdDomainObj *obj,
                             gboolean on, GError **error)
{
  g_autofree char *link = NULL;
  g_autofree char *target = NULL;

  if (!obj->persistent)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_OPERATION_INVALID,
                   _("cannot set autostart for transient domain '%s'"),
                   obj->def->name);
      return FALSE;
    }
  if (obj->autostart == on)
    return TRUE;
  link = autostart_path (d, obj->def->name);
  target = guestd_driver_config_path (d, obj->def->name);
  if (on)
    {
      if (symlink (target, link) < 0 && errno != EEXIST)
        {
          guestd_set_error_errno (error, errno, _("cannot create %s"), link);
          return FALSE;
        }
    }
  else if (g_unlink (link) < 0 && errno != ENOENT)
    {
      guestd_set_error_errno (error, errno, _("cannot remove %s"), link);
      return FALSE;
    }
  obj->autostart = on;
  return TRUE;
}

/* ---- loading ---- */

static GuestdDomainDef *
load_config (GuestdDriver *d, const char *path)
{
  g_autofree char *xml = NULL;
  g_autoptr (GError) error = NULL;
  GuestdDomainDef *def;

  if (!g_file_get_contents (path, &xml, NULL, &error))
    {
      g_warning ("%s", error->message);
      return NULL;
    }
  /* Stored definitions are ours; the host may have changed since, so only
   * the XML is checked here, the host at start. */
  def = guestd_domain_def_parse (xml, -1, 0, &error);
  if (def == NULL)
    {
      g_warning (_("ignoring %s: %s"), path, error->message);
      return NULL;
    }
  {
    g_autofree char *base = g_path_get_basename (path);
    g_autofree char *want = g_strconcat (def->name, ".xml", NULL);

    if (!g_str_equal (base, want))
      {
        g_warning (_("ignoring %s: it defines domain '%s'"), path, def->name);
        guestd_domain_def_free (def);
        return NULL;
      }
  }
  return def;
}

static void
load_configs (GuestdDriver *d)
{
  g_autoptr (GDir) dir = g_dir_open (d->config_dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".xml"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (d->config_dir,
                                                names->pdata[i], NULL);
      GuestdDomainDef *def = load_config (d, path);
      GuestdDomainObj *obj;
      g_autofree char *link = NULL;

      if (def == NULL)
        continue;
      if (g_hash_table_contains (d->by_uuid, def->uuid))
        {
          g_warning (_("ignoring %s: uuid %s is already used"), path,
                     def->uuid);
          guestd_domain_def_free (def);
          continue;
        }
      obj = guestd_domain_obj_new (d, def);
      obj->persistent = TRUE;
      def->author = load_author (d, def->uuid);
      link = autostart_path (d, def->name);
      obj->autostart = g_file_test (link, G_FILE_TEST_EXISTS);
      registry_add (d, obj);
    }
}

/* <domstatus state= reason= pid= starttime= monitor= fakereboot=> */
static gboolean
read_status (GuestdDriver *d, const char *path, GuestdDomainDef **def_out,
             GuestdDomainState *state, int *reason, GPid *pid,
             guint64 *start_time, char **monitor, gboolean *fake_reboot,
             GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr (xmlDoc) doc = NULL;
  GuestdXmlReader r;
  xmlNode *root, *dom;
  guint st = 0, pidv = 0;
  int rs = 0;
  guint64 t = 0;
  gboolean ok;
  GuestdTristate fr = GUESTD_TRISTATE_ABSENT;

  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  doc = guestd_xml_parse (text, -1, error);
  if (doc == NULL)
    return FALSE;
  root = xmlDocGetRootElement (doc);
  guestd_xml_reader_init (&r, doc);
  ok = guestd_xml_attr_uint (&r, root, "state", 7, &st, NULL, error)
       && guestd_xml_attr_int (&r, root, "reason", 0, 100, &rs, error)
       && guestd_xml_attr_uint (&r, root, "pid", G_MAXINT, &pidv, NULL, error)
       && guestd_xml_attr_u64 (&r, root, "starttime", &t, NULL, error)
       && guestd_xml_attr_string (&r, root, "monitor", monitor, error)
       && guestd_xml_attr_yesno (&r, root, "fakereboot", &fr, error)
       && guestd_xml_child (&r, root, "domain", &dom, error);
  guestd_xml_reader_clear (&r);
  if (!ok)
    return FALSE;
  if (dom == NULL || pidv == 0 || *monitor == NULL)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_XML,
                   _("incomplete status file"));
      return FALSE;
    }
  *def_out = guestd_domain_def_parse_node (doc, dom, GUESTD_DOMAIN_XML_LIVE,
                                           error);
  if (*def_out == NULL)
    return FALSE;
  *state = st;
  *reason = rs;
  *pid = (GPid) pidv;
  *start_time = t;
  *fake_reboot = fr == GUESTD_TRISTATE_YES;
  return TRUE;
}

static gboolean
same_config (GuestdDomainDef *a, GuestdDomainDef *b)
{
  g_autofree char *x = guestd_domain_def_format (a, GUESTD_DOMAIN_XML_INACTIVE
                                                      | GUESTD_DOMAIN_XML_SECURE);
  g_autofree char *y = guestd_domain_def_format (b, GUESTD_DOMAIN_XML_INACTIVE
                                                      | GUESTD_DOMAIN_XML_SECURE);

  return g_str_equal (x, y);
}

static void
load_status_files (GuestdDriver *d)
{
  g_autoptr (GDir) dir = g_dir_open (d->run_dir, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree char *monitor = NULL;
      GuestdDomainDef *live = NULL;
      GuestdDomainState state;
      GuestdDomainObj *obj;
      gboolean fake_reboot;
      guint64 start_time;
      int reason;
      GPid pid;

      if (!g_str_has_suffix (name, ".xml"))
        continue;
      path = g_build_filename (d->run_dir, name, NULL);
      if (!read_status (d, path, &live, &state, &reason, &pid, &start_time,
                        &monitor, &fake_reboot, &error))
        {
          g_warning (_("ignoring status file %s: %s"), path, error->message);
          continue;
        }
      obj = g_hash_table_lookup (d->by_uuid, live->uuid);
      if (obj == NULL)
        {
          obj = guestd_domain_obj_new (d, live);
          registry_add (d, obj);
        }
      else
        {
          obj->updated = !same_config (obj->def, live);
          obj->newdef = obj->def;
          obj->def = live;
        }
      obj->fake_reboot = fake_reboot;
      if (obj->def->id >= d->next_id)
        d->next_id = obj->def->id + 1;
      /* A guest that died while nobody watched is cleaned up there. */
      guestd_process_reconnect (obj, pid, start_time, monitor, state, reason);
    }
}

gboolean
guestd_driver_load (GuestdDriver *d, GError **error)
{
  if (!guestd_qemu_conf_load (d->conf, d->conf_file, error))
    return FALSE;
  for (guint i = 0; i < d->conf->warnings->len; i++)
    g_warning ("%s", (char *) d->conf->warnings->pdata[i]);
  if (d->privileged)
    {
      d->account = guestd_account_resolve (d->conf->user, d->conf->group,
                                           d->conf_file, error);
      if (d->account == NULL)
        return FALSE;
      if (d->account->uid == 0)
        g_warning (_("%s: guests run as root (user = \"%s\"): a "
                     "compromised QEMU owns the host"),
                   d->conf_file, d->conf->user);
    }
  d->caps = guestd_capabilities_new (d->cache_dir,
                                     (const char *const *) d->conf->emulator_dirs,
                                     d->conf->kvm_device);
  load_configs (d);
  load_status_files (d);
  guestd_host_restore_stale (d);
  return TRUE;
}

#define CAPS_FRESH_USEC (5 * G_USEC_PER_SEC)

GuestdCapabilities *
guestd_driver_get_caps (GuestdDriver *d)
{
  gint64 now = g_get_monotonic_time ();
  g_autoptr (GString) problems = NULL;

  if (d->caps_checked != 0 && now - d->caps_checked < CAPS_FRESH_USEC)
    return d->caps;
  problems = g_string_new (NULL);
  guestd_capabilities_refresh (d->caps);
  d->caps_checked = now;
  /* Broken emulators are reported once, not at every refresh. */
  for (guint i = 0; i < d->caps->problems->len; i++)
    g_string_append_printf (problems, "%s\n",
                            (char *) d->caps->problems->pdata[i]);
  if (g_strcmp0 (problems->str, d->caps_problems) != 0)
    for (guint i = 0; i < d->caps->problems->len; i++)
      g_warning ("%s", (char *) d->caps->problems->pdata[i]);
  g_free (d->caps_problems);
  d->caps_problems = g_string_free (g_steal_pointer (&problems), FALSE);
  return d->caps;
}

static void
autostarted (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (GuestdDomainObj) obj = user_data;
  g_autoptr (GError) error = NULL;

  if (!guestd_process_start_finish (res, &error))
    g_warning (_("autostart of domain '%s' failed: %s"), obj->def->name,
               error->message);
}

void
guestd_driver_autostart (GuestdDriver *d)
{
  g_autofree char *marker = g_build_filename (d->run_dir, "autostarted", NULL);

  /* The run directory is per boot: guests the user shut down stay down
   * when the service restarts. */
  if (g_file_test (marker, G_FILE_TEST_EXISTS))
    return;
  g_file_set_contents (marker, "", 0, NULL);
  for (guint i = 0; i < d->domains->len; i++)
    {
      GuestdDomainObj *obj = d->domains->pdata[i];

      if (obj->autostart && !guestd_domain_obj_is_active (obj))
        guestd_process_start_async (obj, FALSE, NULL, autostarted,
                                    guestd_domain_obj_ref (obj));
    }
}
