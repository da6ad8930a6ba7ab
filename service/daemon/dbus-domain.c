/* org.libvirt.Domain: a domain object's methods and properties. */
#include "config.h"

#include "dbus-priv.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon/process.h"
#include "util/error.h"
#include "util/i18n.h"

enum
{
  XML_SECURE = 1,
  XML_INACTIVE = 2,
  XML_UPDATE_CPU = 4,
  XML_MIGRATABLE = 8,
};

enum
{
  START_PAUSED = 1,
  DESTROY_GRACEFUL = 1,
  SHUTDOWN_ACPI_POWER_BTN = 1,
  UNDEFINE_MANAGED_SAVE = 1,
  UNDEFINE_SNAPSHOTS_METADATA = 2,
  UNDEFINE_NVRAM = 4,
  UNDEFINE_KEEP_NVRAM = 8,
  UNDEFINE_CHECKPOINTS_METADATA = 16,
  AFFECT_LIVE = 1,
  AFFECT_CONFIG = 2,
};

enum
{
  STATS_STATE = 1,
  STATS_CPU_TOTAL = 2,
  STATS_BALLOON = 4,
  STATS_VCPU = 8,
  STATS_INTERFACE = 16,
  STATS_BLOCK = 32,
};

#define SEND_KEY_MAX_KEYS 16

static void
finish_error (GDBusMethodInvocation *inv, GError *error)
{
  guestd_dbus_return_error (inv, error);
  g_error_free (error);
  g_object_unref (inv);
}

static void
finish_ok (GDBusMethodInvocation *inv)
{
  g_dbus_method_invocation_return_value (inv, NULL);
  g_object_unref (inv);
}

static GError *
not_running (GuestdDomainObj *obj)
{
  return g_error_new (GUESTD_ERROR, GUESTD_ERROR_OPERATION_INVALID,
                      _("domain '%s' is not running"), obj->def->name);
}

/* ---- lifecycle ---- */

static void
start_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GDBusMethodInvocation *inv = user_data;
  GError *error = NULL;

  if (guestd_process_start_finish (res, &error))
    finish_ok (inv);
  else
    finish_error (inv, error);
}

static void
handle_create (GuestdDBusService *svc, GuestdDomainObj *obj, GVariant *params,
               GDBusMethodInvocation *inv)
{
  guint flags;

  g_variant_get (params, "(u)", &flags);
  if (!guestd_dbus_check_flags (inv, flags, START_PAUSED))
    {
      g_object_unref (inv);
      return;
    }
  guestd_process_start_async (obj, flags & START_PAUSED, NULL, start_done,
                              inv);
}

static void
destroy_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GDBusMethodInvocation *inv = user_data;
  GError *error = NULL;

  if (guestd_process_destroy_finish (res, &error))
    finish_ok (inv);
  else
    finish_error (inv, error);
}

static void
handle_destroy (GuestdDBusService *svc, GuestdDomainObj *obj,
                GVariant *params, GDBusMethodInvocation *inv)
{
  guint flags;

  g_variant_get (params, "(u)", &flags);
  if (!guestd_dbus_check_flags (inv, flags, DESTROY_GRACEFUL))
    {
      g_object_unref (inv);
      return;
    }
  guestd_process_destroy_async (obj, flags & DESTROY_GRACEFUL, destroy_done,
                                inv);
}

static void
op_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GDBusMethodInvocation *inv = user_data;
  GError *error = NULL;

  if (guestd_process_op_finish (res, &error))
    finish_ok (inv);
  else
    finish_error (inv, error);
}

static void
handle_op (GuestdDBusService *svc, GuestdDomainObj *obj, GVariant *params,
           GDBusMethodInvocation *inv)
{
  const char *method = g_dbus_method_invocation_get_method_name (inv);
  GuestdProcessOp op;
  guint flags = 0;
  guint supported = 0;

  if (g_variant_n_children (params) > 0)
    g_variant_get (params, "(u)", &flags);
  if (g_str_equal (method, "Shutdown"))
    op = GUESTD_OP_SHUTDOWN, supported = SHUTDOWN_ACPI_POWER_BTN;
  else if (g_str_equal (method, "Reboot"))
    op = GUESTD_OP_REBOOT, supported = SHUTDOWN_ACPI_POWER_BTN;
  else if (g_str_equal (method, "Reset"))
    op = GUESTD_OP_RESET;
  else if (g_str_equal (method, "Suspend"))
    op = GUESTD_OP_SUSPEND;
  else
    op = GUESTD_OP_RESUME;
  if (!guestd_dbus_check_flags (inv, flags, supported))
    {
      g_object_unref (inv);
      return;
    }
  guestd_process_op_async (obj, op, op_done, inv);
}

static void
handle_undefine (GuestdDBusService *svc, GuestdDomainObj *obj,
                 GVariant *params, GDBusMethodInvocation *inv)
{
  guint flags;
  GError *error = NULL;

  g_variant_get (params, "(u)", &flags);
  /* guestd keeps no managed saves, snapshots or checkpoints, so asking to
   * remove them is fine; the UEFI store goes with NVRAM. */
  if (!guestd_dbus_check_flags (inv, flags,
                                UNDEFINE_MANAGED_SAVE
                                  | UNDEFINE_SNAPSHOTS_METADATA
                                  | UNDEFINE_NVRAM | UNDEFINE_KEEP_NVRAM
                                  | UNDEFINE_CHECKPOINTS_METADATA))
    {
      g_object_unref (inv);
      return;
    }
  if ((flags & UNDEFINE_NVRAM) && (flags & UNDEFINE_KEEP_NVRAM))
    {
      finish_error (inv, g_error_new (GUESTD_ERROR, GUESTD_ERROR_INVALID_ARG,
                                      _("NVRAM and KEEP_NVRAM exclude each "
                                        "other")));
      return;
    }
  {
    GuestdDomainDef *def = guestd_domain_obj_persistent_def (obj);

    if (def->os.nvram != NULL && !(flags & (UNDEFINE_NVRAM | UNDEFINE_KEEP_NVRAM))
        && g_file_test (def->os.nvram, G_FILE_TEST_EXISTS))
      {
        finish_error (inv, g_error_new (GUESTD_ERROR,
                                        GUESTD_ERROR_OPERATION_INVALID,
                                        _("cannot undefine domain with "
                                          "nvram")));
        return;
      }
    if ((flags & UNDEFINE_NVRAM) && def->os.nvram != NULL)
      g_unlink (def->os.nvram);
  }
  if (!guestd_driver_undefine (svc->driver, obj, flags, &error))
    finish_error (inv, error);
  else
    finish_ok (inv);
}

/* ---- reading ---- */

static void
handle_get_xml (GuestdDBusService *svc, GuestdDomainObj *obj,
                GVariant *params, GDBusMethodInvocation *inv)
{
  guint flags;
  g_autofree char *xml = NULL;

  g_variant_get (params, "(u)", &flags);
  if (!guestd_dbus_check_flags (inv, flags,
                                XML_SECURE | XML_INACTIVE | XML_UPDATE_CPU
                                  | XML_MIGRATABLE))
    {
      g_object_unref (inv);
      return;
    }
  xml = guestd_driver_format_xml (svc->driver, obj,
                                  (flags & XML_SECURE ? GUESTD_XML_SECURE : 0)
                                    | (flags & XML_INACTIVE
                                         ? GUESTD_XML_INACTIVE
                                         : 0));
  g_dbus_method_invocation_return_value (inv, g_variant_new ("(s)", xml));
  g_object_unref (inv);
}

static void
handle_get_state (GuestdDBusService *svc, GuestdDomainObj *obj,
                  GVariant *params, GDBusMethodInvocation *inv)
{
  guint flags;

  g_variant_get (params, "(u)", &flags);
  if (!guestd_dbus_check_flags (inv, flags, 0))
    {
      g_object_unref (inv);
      return;
    }
  g_dbus_method_invocation_return_value (
    inv, g_variant_new ("((ii))", (gint32) obj->state, (gint32) obj->reason));
  g_object_unref (inv);
}

/* libvirt-dbus's typed parameters: every value a variant in a variant. */
static void
stat_add (GVariantBuilder *b, const char *key, GVariant *value)
{
  g_variant_builder_add (b, "{sv}", key, g_variant_new_variant (value));
}

static gboolean
proc_cpu (GPid pid, guint64 *user_ns, guint64 *sys_ns)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  g_auto (GStrv) f = NULL;
  const char *p;
  long hz = sysconf (_SC_CLK_TCK);

  if (!g_file_get_contents (path, &text, NULL, NULL)
      || (p = strrchr (text, ')')) == NULL)
    return FALSE;
  f = g_strsplit (p + 2, " ", 0);
  if (g_strv_length (f) < 13 || hz <= 0)
    return FALSE;
  /* utime and stime are fields 14 and 15 of the whole line. */
  *user_ns = g_ascii_strtoull (f[11], NULL, 10) * (G_GUINT64_CONSTANT (1000000000) / hz);
  *sys_ns = g_ascii_strtoull (f[12], NULL, 10) * (G_GUINT64_CONSTANT (1000000000) / hz);
  return TRUE;
}

static guint64
proc_rss_kib (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *text = NULL;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL)
      || (p = strstr (text, "VmRSS:")) == NULL)
    return 0;
  return g_ascii_strtoull (p + strlen ("VmRSS:"), NULL, 10);
}

typedef struct
{
  GuestdDBusService *svc;
  GuestdDomainObj *obj;
  GDBusMethodInvocation *inv;
  guint stats;
} StatsCall;

static void
add_block_stats (GVariantBuilder *b, GuestdDomainObj *obj, JsonNode *blk)
{
  GuestdDomainDef *def = obj->def;
  JsonArray *a = blk && JSON_NODE_HOLDS_ARRAY (blk) ? json_node_get_array (blk)
                                                   : NULL;

  stat_add (b, "block.count", g_variant_new_uint32 (def->disks->len));
  for (guint i = 0; i < def->disks->len; i++)
    {
      GuestdDiskDef *d = def->disks->pdata[i];
      g_autofree char *name = g_strdup_printf ("block.%u.name", i);
      g_autofree char *path = g_strdup_printf ("block.%u.path", i);

      stat_add (b, name, g_variant_new_string (d->target));
      if (d->src != NULL)
        stat_add (b, path, g_variant_new_string (d->src));
      for (guint j = 0; a != NULL && j < json_array_get_length (a); j++)
        {
          JsonObject *o = json_array_get_object_element (a, j);
          const char *qdev = json_object_get_string_member_with_default (o, "qdev", "");
          JsonObject *st;
          static const struct
          {
            const char *qmp, *key;
          } keys[] = {
            { "rd_operations", "rd.reqs" }, { "rd_bytes", "rd.bytes" },
            { "rd_total_time_ns", "rd.times" },
            { "wr_operations", "wr.reqs" }, { "wr_bytes", "wr.bytes" },
            { "wr_total_time_ns", "wr.times" },
            { "flush_operations", "fl.reqs" },
            { "flush_total_time_ns", "fl.times" },
          };

          if (d->info.alias == NULL || !g_str_equal (qdev, d->info.alias)
              || !json_object_has_member (o, "stats"))
            continue;
          st = json_object_get_object_member (o, "stats");
          for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
            {
              g_autofree char *key = g_strdup_printf ("block.%u.%s", i,
                                                      keys[k].key);

              stat_add (b, key,
                        g_variant_new_uint64 (
                          json_object_get_int_member_with_default (
                            st, keys[k].qmp, 0)));
            }
        }
    }
}

static void
return_stats (StatsCall *c, JsonNode *blk)
{
  GuestdDomainObj *obj = c->obj;
  GuestdDomainDef *def = obj->def;
  gboolean active = guestd_domain_obj_is_active (obj) && obj->pid != 0;
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("a{sv}"));
  if (c->stats & STATS_STATE)
    {
      stat_add (&b, "state.state", g_variant_new_int32 (obj->state));
      stat_add (&b, "state.reason", g_variant_new_int32 (obj->reason));
    }
  if ((c->stats & STATS_CPU_TOTAL) && active)
    {
      guint64 user = 0, sys = 0;

      if (proc_cpu (obj->pid, &user, &sys))
        {
          stat_add (&b, "cpu.time", g_variant_new_uint64 (user + sys));
          stat_add (&b, "cpu.user", g_variant_new_uint64 (user));
          stat_add (&b, "cpu.system", g_variant_new_uint64 (sys));
        }
    }
  if (c->stats & STATS_BALLOON)
    {
      guint64 cur = active && obj->balloon_kib > 0
                      ? obj->balloon_kib
                      : guestd_domain_def_current_memory (def);

      stat_add (&b, "balloon.current", g_variant_new_uint64 (cur));
      stat_add (&b, "balloon.maximum", g_variant_new_uint64 (def->memory_kib));
      if (active)
        stat_add (&b, "balloon.rss", g_variant_new_uint64 (proc_rss_kib (obj->pid)));
    }
  if (c->stats & STATS_VCPU)
    {
      guint cur = def->vcpus_current ? def->vcpus_current : def->vcpus;

      stat_add (&b, "vcpu.current", g_variant_new_uint32 (active ? cur : 0));
      stat_add (&b, "vcpu.maximum", g_variant_new_uint32 (def->vcpus));
    }
  if ((c->stats & STATS_INTERFACE) && active)
    {
      stat_add (&b, "net.count", g_variant_new_uint32 (def->nets->len));
      for (guint i = 0; i < def->nets->len; i++)
        {
          GuestdNetDef *n = def->nets->pdata[i];
          g_autofree char *key = g_strdup_printf ("net.%u.name", i);

          stat_add (&b, key, g_variant_new_string (n->target_dev ? n->target_dev
                                                                 : n->info.alias));
        }
    }
  if ((c->stats & STATS_BLOCK) && active)
    add_block_stats (&b, obj, blk);
  g_dbus_method_invocation_return_value (c->inv,
                                         g_variant_new ("(a{sv})", &b));
  g_object_unref (c->inv);
  guestd_domain_obj_unref (c->obj);
  g_free (c);
}

static void
blockstats_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) blk = guestd_process_monitor_finish (res, &error);

  /* Without the monitor's numbers, the disks are still listed. */
  return_stats (user_data, blk);
}

static void
handle_get_stats (GuestdDBusService *svc, GuestdDomainObj *obj,
                  GVariant *params, GDBusMethodInvocation *inv)
{
  guint stats, flags;
  StatsCall *c;

  g_variant_get (params, "(uu)", &stats, &flags);
  c = g_new0 (StatsCall, 1);
  c->svc = svc;
  c->obj = guestd_domain_obj_ref (obj);
  c->inv = inv;
  c->stats = stats == 0 ? STATS_STATE | STATS_CPU_TOTAL | STATS_BALLOON
                            | STATS_VCPU | STATS_INTERFACE | STATS_BLOCK
                        : stats;
  if ((c->stats & STATS_BLOCK) && obj->qmp != NULL && !obj->starting)
    guestd_process_monitor_async (obj, "query-blockstats", NULL,
                                  blockstats_done, c);
  else
    return_stats (c, NULL);
}

static void
handle_interface_addresses (GuestdDBusService *svc, GuestdDomainObj *obj,
                            GVariant *params, GDBusMethodInvocation *inv)
{
  guint source, flags;

  g_variant_get (params, "(uu)", &source, &flags);
  if (!guestd_dbus_check_flags (inv, flags, 0))
    {
      g_object_unref (inv);
      return;
    }
  if (!guestd_domain_obj_is_active (obj))
    {
      finish_error (inv, not_running (obj));
      return;
    }
  if (source > 2)
    {
      finish_error (inv, g_error_new (GUESTD_ERROR, GUESTD_ERROR_INVALID_ARG,
                                      _("unknown address source %u"),
                                      source));
      return;
    }
  if (source == 1)
    {
      finish_error (inv, g_error_new (GUESTD_ERROR,
                                      GUESTD_ERROR_NO_SUPPORT,
                                      _("asking the guest agent for "
                                        "addresses is not supported yet")));
      return;
    }
  /* Leases and ARP: guestd runs no DHCP server and owns no bridge, so it
   * has none to report. */
  g_dbus_method_invocation_return_value (inv,
                                         g_variant_new ("(a(ssa(isu)))",
                                                        NULL));
  g_object_unref (inv);
}

/* ---- changing a running guest ---- */

static gboolean
keycode_to_qnum (guint codeset, guint code, guint *out)
{
  static const struct
  {
    guint16 linux_code, qnum;
  } extended[] = {
    { 96, 0x9c },  { 97, 0x9d },  { 98, 0xb5 },  { 99, 0x54 },
    { 100, 0xb8 }, { 102, 0xc7 }, { 103, 0xc8 }, { 104, 0xc9 },
    { 105, 0xcb }, { 106, 0xcd }, { 107, 0xcf }, { 108, 0xd0 },
    { 109, 0xd1 }, { 110, 0xd2 }, { 111, 0xd3 }, { 125, 0xdb },
    { 126, 0xdc }, { 127, 0xdd },
  };

  switch (codeset)
    {
    case 0: /* linux: keys 1-88 are the XT scan codes themselves */
      if (code >= 1 && code <= 88)
        {
          *out = code;
          return TRUE;
        }
      for (guint i = 0; i < G_N_ELEMENTS (extended); i++)
        if (extended[i].linux_code == code)
          {
            *out = extended[i].qnum;
            return TRUE;
          }
      return FALSE;
    case 1: /* xt */
    case 2: /* atset1: 0xe0XX for extended keys */
      if (code < 0x80)
        *out = code;
      else if ((code & 0xff00) == 0xe000)
        *out = 0x80 | (code & 0x7f);
      else
        return FALSE;
      return TRUE;
    case 9: /* qnum: QEMU's own numbers */
      *out = code;
      return code < 0x100;
    default:
      return FALSE;
    }
}

static void
monitor_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GDBusMethodInvocation *inv = user_data;
  GError *error = NULL;
  g_autoptr (JsonNode) ret = guestd_process_monitor_finish (res, &error);

  if (ret == NULL)
    finish_error (inv, error);
  else
    finish_ok (inv);
}

static void
handle_send_key (GuestdDBusService *svc, GuestdDomainObj *obj,
                 GVariant *params, GDBusMethodInvocation *inv)
{
  guint codeset, holdtime, flags;
  g_autoptr (GVariant) codes = NULL;
  g_autoptr (JsonBuilder) jb = json_builder_new ();
  gsize n;
  const guint32 *keys;

  g_variant_get (params, "(uu@auu)", &codeset, &holdtime, &codes, &flags);
  if (!guestd_dbus_check_flags (inv, flags, 0))
    {
      g_object_unref (inv);
      return;
    }
  keys = g_variant_get_fixed_array (codes, &n, sizeof (guint32));
  if (n == 0 || n > SEND_KEY_MAX_KEYS)
    {
      finish_error (inv, g_error_new (GUESTD_ERROR, GUESTD_ERROR_INVALID_ARG,
                                      _("between 1 and %d keycodes are "
                                        "needed"),
                                      SEND_KEY_MAX_KEYS));
      return;
    }
  json_builder_begin_object (jb);
  json_builder_set_member_name (jb, "keys");
  json_builder_begin_array (jb);
  for (gsize i = 0; i < n; i++)
    {
      guint q;

      if (!keycode_to_qnum (codeset, keys[i], &q))
        {
          finish_error (inv, g_error_new (GUESTD_ERROR,
                                          GUESTD_ERROR_INVALID_ARG,
                                          _("keycode %u of codeset %u is not "
                                            "supported"),
                                          keys[i], codeset));
          return;
        }
      json_builder_begin_object (jb);
      json_builder_set_member_name (jb, "type");
      json_builder_add_string_value (jb, "number");
      json_builder_set_member_name (jb, "data");
      json_builder_add_int_value (jb, q);
      json_builder_end_object (jb);
    }
  json_builder_end_array (jb);
  if (holdtime > 0)
    {
      json_builder_set_member_name (jb, "hold-time");
      json_builder_add_int_value (jb, holdtime);
    }
  json_builder_end_object (jb);
  guestd_process_monitor_async (obj, "send-key", json_builder_get_root (jb),
                                monitor_done, inv);
}

static void
handle_set_memory (GuestdDBusService *svc, GuestdDomainObj *obj,
                   GVariant *params, GDBusMethodInvocation *inv)
{
  guint64 kib;
  guint flags;
  GError *error = NULL;
  gboolean live, config;
  GuestdDomainDef *pdef = guestd_domain_obj_persistent_def (obj);

  g_variant_get (params, "(tu)", &kib, &flags);
  if (!guestd_dbus_check_flags (inv, flags, AFFECT_LIVE | AFFECT_CONFIG))
    {
      g_object_unref (inv);
      return;
    }
  /* "Current": the running guest if there is one, else the definition. */
  live = (flags & AFFECT_LIVE) || (flags == 0 && guestd_domain_obj_is_active (obj));
  config = (flags & AFFECT_CONFIG) || (flags == 0 && !live);
  if (live && !guestd_domain_obj_is_active (obj))
    {
      finish_error (inv, not_running (obj));
      return;
    }
  if (config && !obj->persistent)
    {
      finish_error (inv, g_error_new (GUESTD_ERROR,
                                      GUESTD_ERROR_OPERATION_INVALID,
                                      _("cannot change the persistent "
                                        "configuration of a transient "
                                        "domain")));
      return;
    }
  if (kib == 0 || kib > (live ? obj->def->memory_kib : pdef->memory_kib))
    {
      finish_error (inv, g_error_new (GUESTD_ERROR, GUESTD_ERROR_INVALID_ARG,
                                      _("cannot set memory higher than max "
                                        "memory (%llu KiB)"),
                                      (unsigned long long) (live ? obj->def->memory_kib
                                                                 : pdef->memory_kib)));
      return;
    }
  if (config)
    {
      pdef->current_memory_kib = kib;
      if (!guestd_driver_save_config (svc->driver, pdef, &error))
        {
          finish_error (inv, error);
          return;
        }
    }
  if (!live)
    {
      finish_ok (inv);
      return;
    }
  if (obj->def->memballoon == NULL
      || obj->def->memballoon->model != GUESTD_BALLOON_VIRTIO)
    {
      finish_error (inv, g_error_new (GUESTD_ERROR,
                                      GUESTD_ERROR_OPERATION_INVALID,
                                      _("domain '%s' has no balloon "
                                        "device"),
                                      obj->def->name));
      return;
    }
  obj->def->current_memory_kib = kib;
  guestd_process_monitor_async (obj, "balloon",
                                guestd_qmp_args ("value", G_TYPE_INT64,
                                                 (gint64) kib * 1024, NULL),
                                monitor_done, inv);
}

const GuestdDBusMethod guestd_dbus_domain_methods[] = {
  { "Create", handle_create, GUESTD_ACTION_LIFECYCLE },
  { "Destroy", handle_destroy, GUESTD_ACTION_LIFECYCLE },
  { "GetState", handle_get_state, GUESTD_ACTION_MONITOR },
  { "GetStats", handle_get_stats, GUESTD_ACTION_MONITOR },
  /* The secure XML carries display passwords: not for mere watchers. */
  { "GetXMLDesc", handle_get_xml, GUESTD_ACTION_MONITOR, XML_SECURE },
  { "InterfaceAddresses", handle_interface_addresses, GUESTD_ACTION_MONITOR },
  { "Reboot", handle_op, GUESTD_ACTION_LIFECYCLE },
  { "Reset", handle_op, GUESTD_ACTION_LIFECYCLE },
  { "Resume", handle_op, GUESTD_ACTION_LIFECYCLE },
  { "SendKey", handle_send_key, GUESTD_ACTION_LIFECYCLE },
  { "SetMemory", handle_set_memory, GUESTD_ACTION_LIFECYCLE },
  { "Shutdown", handle_op, GUESTD_ACTION_LIFECYCLE },
  { "Suspend", handle_op, GUESTD_ACTION_LIFECYCLE },
  { "Undefine", handle_undefine, GUESTD_ACTION_MANAGE },
  { NULL },
};

/* ---- properties ---- */

static GVariant *
get_active (GuestdDBusService *svc, GuestdDomainObj *obj, GError **error)
{
  return g_variant_new_boolean (guestd_domain_obj_is_active (obj));
}

static GVariant *
get_autostart (GuestdDBusService *svc, GuestdDomainObj *obj, GError **error)
{
  return g_variant_new_boolean (obj->autostart);
}

static gboolean
set_autostart (GuestdDBusService *svc, GuestdDomainObj *obj, GVariant *value,
               GError **error)
{
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                   _("Autostart takes a boolean"));
      return FALSE;
    }
  return guestd_driver_set_autostart (svc->driver, obj,
                                      g_variant_get_boolean (value), error);
}

static GVariant *
get_id (GuestdDBusService *svc, GuestdDomainObj *obj, GError **error)
{
  /* libvirt's virDomainGetID: (unsigned) -1 for an inactive domain. */
  return g_variant_new_uint32 (guestd_domain_obj_is_active (obj)
                                 ? (guint32) obj->def->id
                                 : G_MAXUINT32);
}

static GVariant *
get_name (GuestdDBusService *svc, GuestdDomainObj *obj, GError **error)
{
  return g_variant_new_string (obj->def->name);
}

static GVariant *
get_os_type (GuestdDBusService *svc, GuestdDomainObj *obj, GError **error)
{
  return g_variant_new_string (obj->def->os.type);
}

static GVariant *
get_persistent (GuestdDBusService *svc, GuestdDomainObj *obj, GError **error)
{
  return g_variant_new_boolean (obj->persistent);
}

static GVariant *
get_scheduler_type (GuestdDBusService *svc, GuestdDomainObj *obj,
                    GError **error)
{
  /* No cgroup CPU controller is used: as libvirt without one, there is no
   * scheduler to report (and GetAll leaves the property out). */
  g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_OPERATION_INVALID,
               _("CPU scheduler tuning is not available"));
  return NULL;
}

static GVariant *
get_updated (GuestdDBusService *svc, GuestdDomainObj *obj, GError **error)
{
  return g_variant_new_boolean (guestd_domain_obj_is_active (obj)
                                && obj->newdef != NULL && obj->updated);
}

static GVariant *
get_uuid (GuestdDBusService *svc, GuestdDomainObj *obj, GError **error)
{
  return g_variant_new_string (obj->def->uuid);
}

const GuestdDBusProperty guestd_dbus_domain_properties[] = {
  { "Active", get_active },
  { "Autostart", get_autostart, set_autostart, GUESTD_ACTION_MANAGE },
  { "Id", get_id },
  { "Name", get_name },
  { "OSType", get_os_type },
  { "Persistent", get_persistent },
  { "SchedulerType", get_scheduler_type },
  { "Updated", get_updated },
  { "UUID", get_uuid },
  { NULL },
};
