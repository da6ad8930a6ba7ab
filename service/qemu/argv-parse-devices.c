/* QEMU command line → domain: -device and the back-ends it names
 * (-blockdev, -drive, -netdev, -chardev, -object), and the legacy disk,
 * network and serial options. */
#include "config.h"

#include "argv-parse-priv.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "conf/units.h"
#include "qemu/argv-build.h"
#include "util/error.h"
#include "util/i18n.h"

#define DEV "-device"

/* ---- back-ends ---- */

static gboolean
flatten_json (JsonObject *obj, const char *prefix, GuestdQemuOpts *o,
              GError **error)
{
  g_autoptr (GList) members = json_object_get_members (obj);

  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *n = json_object_get_member (obj, name);
      g_autofree char *key = prefix ? g_strdup_printf ("%s.%s", prefix, name)
                                    : g_strdup (name);
      GuestdQemuOpt *opt;

      if (JSON_NODE_HOLDS_OBJECT (n))
        {
          if (!flatten_json (json_node_get_object (n), key, o, error))
            return FALSE;
          continue;
        }
      if (!JSON_NODE_HOLDS_VALUE (n))
        {
          g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_NATIVE,
                       _("member '%s' must be a string, number or boolean"),
                       key);
          return FALSE;
        }
      opt = g_new0 (GuestdQemuOpt, 1);
      opt->key = g_steal_pointer (&key);
      switch (json_node_get_value_type (n))
        {
        case G_TYPE_BOOLEAN:
          opt->value = g_strdup (json_node_get_boolean (n) ? "on" : "off");
          break;
        case G_TYPE_INT64:
          opt->value = g_strdup_printf ("%" G_GINT64_FORMAT,
                                        json_node_get_int (n));
          break;
        case G_TYPE_STRING:
          opt->value = g_strdup (json_node_get_string (n));
          break;
        default:
          opt->value = g_strdup_printf ("%g", json_node_get_double (n));
        }
      g_ptr_array_add (o->opts, opt);
    }
  return TRUE;
}

static void
opt_free (GuestdQemuOpt *opt)
{
  g_free (opt->key);
  g_free (opt->value);
  g_free (opt);
}

gboolean
guestd_argv_blockdev (GuestdArgvParser *p, const char *arg, char **node_out,
                      GError **error)
{
  g_autoptr (GuestdQemuOpts) o = NULL;
  const char *node;

  if (arg[0] == '{')
    {
      g_autoptr (JsonParser) jp = json_parser_new ();
      g_autoptr (GError) local = NULL;
      JsonNode *root;

      if (!json_parser_load_from_data (jp, arg, -1, &local)
          || (root = json_parser_get_root (jp)) == NULL
          || !JSON_NODE_HOLDS_OBJECT (root))
        return guestd_argv_error (error, "-blockdev", arg,
                                  _("invalid JSON: %s"),
                                  local ? local->message
                                        : _("not an object"));
      o = g_new0 (GuestdQemuOpts, 1);
      o->opts = g_ptr_array_new_with_free_func ((GDestroyNotify) opt_free);
      if (!flatten_json (json_node_get_object (root), NULL, o, &local))
        return guestd_argv_error (error, "-blockdev", arg, "%s",
                                  local->message);
    }
  else
    {
      o = guestd_qemu_opts_parse (arg, NULL, error);
      if (o == NULL)
        return FALSE;
    }
  node = guestd_qemu_opts_get (o, "node-name");
  if (node == NULL)
    return guestd_argv_error (error, "-blockdev", arg,
                              _("a 'node-name' is needed"));
  if (g_hash_table_contains (p->blockdevs, node))
    return guestd_argv_error (error, "-blockdev", arg,
                              _("node-name '%s' is used twice"), node);
  *node_out = g_strdup (node);
  g_hash_table_insert (p->blockdevs, g_strdup (node), g_steal_pointer (&o));
  return TRUE;
}

/* What a disk device needs from its back-end, whichever option gave it. */
typedef struct
{
  char *file;
  gboolean block;
  GuestdDiskFormat format;
  GuestdDiskCache cache;
  gboolean has_cache_flags;
  gboolean direct, no_flush;
  gboolean readonly;
  GuestdDiskIo io;
  GuestdDiskDiscard discard;
  GuestdDiskDetectZeroes detect_zeroes;
  char *serial;
  gboolean cdrom;
} Backend;

static void
backend_clear (Backend *b)
{
  g_free (b->file);
  g_free (b->serial);
}

static gboolean
read_format (const char *opt, const char *arg, const char *v, Backend *b,
             GError **error)
{
  int f;

  if (v == NULL)
    return TRUE;
  f = guestd_enum_from_string (&guestd_disk_format, v);
  if (f <= 0)
    return guestd_argv_error (error, opt, arg,
                              _("image format '%s' is not supported"), v);
  b->format = f;
  return TRUE;
}

static gboolean
read_common (GuestdQemuOpts *o, const char *opt, const char *arg, Backend *b,
             GError **error)
{
  const char *aio = guestd_qemu_opts_get (o, "aio");
  const char *discard = guestd_qemu_opts_get (o, "discard");
  const char *dz = guestd_qemu_opts_get (o, "detect-zeroes");
  const char *direct = guestd_qemu_opts_get (o, "cache.direct");
  const char *no_flush = guestd_qemu_opts_get (o, "cache.no-flush");
  const char *ro = guestd_qemu_opts_get (o, "read-only");
  const char *readonly = guestd_qemu_opts_get (o, "readonly");
  gboolean v;

  if (aio != NULL)
    {
      int i = guestd_enum_from_string (&guestd_disk_io, aio);

      if (i < 0)
        return guestd_argv_error (error, opt, arg, _("unknown aio '%s'"), aio);
      b->io = i;
    }
  if (discard != NULL)
    b->discard = g_str_equal (discard, "unmap") || g_str_equal (discard, "on")
                   ? GUESTD_DISK_DISCARD_UNMAP
                   : GUESTD_DISK_DISCARD_IGNORE;
  if (dz != NULL)
    {
      int i = guestd_enum_from_string (&guestd_disk_detect_zeroes, dz);

      if (i < 0)
        return guestd_argv_error (error, opt, arg,
                                  _("unknown detect-zeroes '%s'"), dz);
      b->detect_zeroes = i;
    }
  if (direct != NULL || no_flush != NULL)
    {
      b->has_cache_flags = TRUE;
      if ((direct && !guestd_argv_parse_bool (direct, &b->direct))
          || (no_flush && !guestd_argv_parse_bool (no_flush, &b->no_flush)))
        return guestd_argv_error (error, opt, arg, _("bad cache flags"));
    }
  if ((ro && guestd_argv_parse_bool (ro, &v) && v)
      || (readonly && guestd_argv_parse_bool (readonly, &v) && v))
    b->readonly = TRUE;
  return TRUE;
}

/* Follow a -device drive= to the file, through a format node when there
 * is one. */
static gboolean
resolve_blockdev (GuestdArgvParser *p, const char *node, Backend *b,
                  GError **error)
{
  GuestdQemuOpts *fmt = g_hash_table_lookup (p->blockdevs, node);
  GuestdQemuOpts *file = fmt;
  const char *driver, *child;

  driver = guestd_qemu_opts_get (fmt, "driver");
  if (driver == NULL)
    return guestd_argv_error (error, "-blockdev", node,
                              _("a 'driver' is needed"));
  g_hash_table_add (p->used_backends, g_strdup (node));
  if (!g_str_equal (driver, "file") && !g_str_equal (driver, "host_device")
      && !g_str_equal (driver, "host_cdrom"))
    {
      if (!read_format ("-blockdev", node, driver, b, error)
          || !read_common (fmt, "-blockdev", node, b, error))
        return FALSE;
      child = guestd_qemu_opts_get (fmt, "file");
      if (child == NULL || !g_hash_table_contains (p->blockdevs, child))
        return guestd_argv_error (error, "-blockdev", node,
                                  _("format node needs 'file' naming "
                                    "another -blockdev"));
      file = g_hash_table_lookup (p->blockdevs, child);
      g_hash_table_add (p->used_backends, g_strdup (child));
      driver = guestd_qemu_opts_get (file, "driver");
      if (!guestd_argv_check_used (fmt, "-blockdev", node, error))
        return FALSE;
      node = child;
    }
  else
    b->format = GUESTD_DISK_FORMAT_RAW;
  if (g_strcmp0 (driver, "file") != 0 && g_strcmp0 (driver, "host_device") != 0
      && g_strcmp0 (driver, "host_cdrom") != 0)
    return guestd_argv_error (error, "-blockdev", node,
                              _("protocol driver '%s' is not supported "
                                "(file, host_device, host_cdrom)"),
                              driver ? driver : "");
  b->block = !g_str_equal (driver, "file");
  b->file = g_strdup (guestd_qemu_opts_get (file, "filename"));
  /* auto-read-only lets QEMU open read-only files; guestd sets it. */
  guestd_qemu_opts_get (file, "auto-read-only");
  if (b->file == NULL || !g_path_is_absolute (b->file))
    return guestd_argv_error (error, "-blockdev", node,
                              _("'filename' must be an absolute path"));
  if (!read_common (file, "-blockdev", node, b, error))
    return FALSE;
  return guestd_argv_check_used (file, "-blockdev", node, error);
}

static gboolean
read_drive_opts (GuestdQemuOpts *o, const char *arg, Backend *b,
                 GError **error)
{
  const char *file = guestd_qemu_opts_get (o, "file");
  const char *cache = guestd_qemu_opts_get (o, "cache");
  const char *media = guestd_qemu_opts_get (o, "media");
  const char *serial = guestd_qemu_opts_get (o, "serial");

  if (file != NULL && *file != '\0')
    {
      if (!g_path_is_absolute (file))
        return guestd_argv_error (error, "-drive", arg,
                                  _("'file' must be an absolute path"));
      b->file = g_strdup (file);
      b->block = g_str_has_prefix (file, "/dev/");
    }
  if (!read_format ("-drive", arg, guestd_qemu_opts_get (o, "format"), b,
                    error)
      || !read_common (o, "-drive", arg, b, error))
    return FALSE;
  if (cache != NULL)
    {
      int c = guestd_enum_from_string (&guestd_disk_cache, cache);

      if (c <= 0)
        return guestd_argv_error (error, "-drive", arg,
                                  _("unknown cache mode '%s'"), cache);
      b->cache = c;
    }
  if (media != NULL && !g_str_equal (media, "disk")
      && !g_str_equal (media, "cdrom"))
    return guestd_argv_error (error, "-drive", arg,
                              _("media is disk or cdrom"));
  b->cdrom = g_strcmp0 (media, "cdrom") == 0;
  b->serial = g_strdup (serial);
  return TRUE;
}

/* ---- disks ---- */

static gboolean
target_taken (GuestdDomainDef *def, const char *target)
{
  for (guint i = 0; i < def->disks->len; i++)
    if (g_str_equal (((GuestdDiskDef *) def->disks->pdata[i])->target, target))
      return TRUE;
  return FALSE;
}

static char *
free_target (GuestdDomainDef *def, const char *prefix, int from)
{
  for (int i = MAX (from, 0);; i++)
    {
      g_autofree char *t = guestd_disk_target_name (prefix, i);

      if (!target_taken (def, t))
        return g_steal_pointer (&t);
    }
}

static GuestdDiskDef *
add_disk (GuestdArgvParser *p, Backend *b, GuestdDiskBus bus,
          GuestdDiskDevice device, const char *prefix, int index)
{
  GuestdDiskDef *d = guestd_disk_def_new ();

  d->type = b->block ? GUESTD_DISK_TYPE_BLOCK : GUESTD_DISK_TYPE_FILE;
  d->device = device;
  d->bus = bus;
  d->src = g_steal_pointer (&b->file);
  d->serial = g_steal_pointer (&b->serial);
  d->readonly = b->readonly && device != GUESTD_DISK_DEVICE_CDROM;
  if (device == GUESTD_DISK_DEVICE_CDROM)
    d->readonly = TRUE;
  d->format = b->format == GUESTD_DISK_FORMAT_RAW ? GUESTD_DISK_FORMAT_NONE
                                                  : b->format;
  d->cache = b->cache;
  d->io = b->io;
  d->discard = b->discard;
  d->detect_zeroes = b->detect_zeroes;
  if (b->format == GUESTD_DISK_FORMAT_RAW)
    d->format = GUESTD_DISK_FORMAT_RAW;
  d->has_driver = d->format != GUESTD_DISK_FORMAT_NONE
                  || d->cache != GUESTD_DISK_CACHE_NONE_GIVEN
                  || d->io != GUESTD_DISK_IO_NONE
                  || d->discard != GUESTD_DISK_DISCARD_NONE
                  || d->detect_zeroes != GUESTD_DISK_DETECT_ZEROES_NONE;
  if (d->has_driver)
    d->driver_name = g_strdup ("qemu");
  {
    g_autofree char *want = guestd_disk_target_name (prefix, MAX (index, 0));

    d->target = index >= 0 && !target_taken (p->def, want)
                  ? g_steal_pointer (&want)
                  : free_target (p->def, prefix, 0);
  }
  g_ptr_array_add (p->def->disks, d);
  return d;
}

gboolean
guestd_argv_legacy_drive (GuestdArgvParser *p, const char *opt,
                          const char *arg, GError **error)
{
  Backend b = { 0 };
  GuestdDiskDef *d;
  gboolean ok = TRUE;

  if (!g_path_is_absolute (arg))
    return guestd_argv_error (error, opt, arg,
                              _("needs an absolute path (domain XML has no "
                                "working directory)"));
  b.file = g_strdup (arg);
  b.block = g_str_has_prefix (arg, "/dev/");
  if (g_str_equal (opt, "-cdrom"))
    d = add_disk (p, &b, GUESTD_DISK_BUS_NONE, GUESTD_DISK_DEVICE_CDROM,
                  "hd", 2);
  else if (g_str_has_prefix (opt, "-fd"))
    d = add_disk (p, &b, GUESTD_DISK_BUS_FDC, GUESTD_DISK_DEVICE_FLOPPY,
                  "fd", opt[3] - 'a');
  else
    d = add_disk (p, &b, GUESTD_DISK_BUS_NONE, GUESTD_DISK_DEVICE_DISK, "hd",
                  opt[3] - 'a');
  /* -hdX, -cdrom and -fdX name fixed slots: a clash is an error. */
  if (g_str_equal (opt, "-cdrom") ? !g_str_equal (d->target, "hdc")
                                  : d->target[2] != opt[3])
    ok = guestd_argv_error (error, opt, arg, _("that drive is already in "
                                               "use"));
  backend_clear (&b);
  return ok;
}

gboolean
guestd_argv_drive (GuestdArgvParser *p, const char *arg, GError **error)
{
  g_autoptr (GuestdQemuOpts) o = guestd_qemu_opts_parse (arg, "file", error);
  Backend b = { 0 };
  const char *iface, *index, *bus, *unit, *id;
  guint64 idx = 0;
  gboolean has_idx = FALSE, ok;
  GuestdDiskDef *d;

  if (o == NULL)
    return FALSE;
  iface = guestd_qemu_opts_get (o, "if");
  id = guestd_qemu_opts_get (o, "id");
  index = guestd_qemu_opts_get (o, "index");
  bus = guestd_qemu_opts_get (o, "bus");
  unit = guestd_qemu_opts_get (o, "unit");
  if (iface == NULL)
    iface = "ide";

  if (g_str_equal (iface, "none"))
    {
      if (id == NULL)
        return guestd_argv_error (error, "-drive", arg,
                                  _("if=none needs an 'id' for -device "
                                    "drive= to name"));
      g_hash_table_insert (p->drives, g_strdup (id), g_steal_pointer (&o));
      return TRUE;
    }
  if (g_str_equal (iface, "pflash"))
    {
      GuestdOsDef *os = &p->def->os;
      const char *file = guestd_qemu_opts_get (o, "file");
      gboolean ro = FALSE;

      guestd_qemu_opts_get (o, "format");
      if (guestd_qemu_opts_get (o, "readonly"))
        ro = TRUE;
      if (!guestd_argv_check_used (o, "-drive", arg, error))
        return FALSE;
      if (file == NULL || !g_path_is_absolute (file))
        return guestd_argv_error (error, "-drive", arg,
                                  _("'file' must be an absolute path"));
      if (g_strcmp0 (unit, "1") == 0 || os->loader != NULL)
        os->nvram = g_strdup (file);
      else
        {
          os->loader = g_strdup (file);
          os->loader_type = GUESTD_LOADER_PFLASH;
          os->loader_readonly = ro ? GUESTD_TRISTATE_YES : GUESTD_TRISTATE_ABSENT;
        }
      return TRUE;
    }

  if (!read_drive_opts (o, arg, &b, error))
    {
      backend_clear (&b);
      return FALSE;
    }
  if (index != NULL)
    {
      if (!guestd_parse_u64 (index, &idx) || idx > 1000)
        {
          backend_clear (&b);
          return guestd_argv_error (error, "-drive", arg, _("bad index"));
        }
      has_idx = TRUE;
    }
  else if (bus != NULL || unit != NULL)
    {
      guint64 bn = 0, un = 0;

      if ((bus && !guestd_parse_u64 (bus, &bn))
          || (unit && !guestd_parse_u64 (unit, &un)) || bn > 100 || un > 100)
        {
          backend_clear (&b);
          return guestd_argv_error (error, "-drive", arg,
                                    _("bad bus or unit"));
        }
      idx = bn * 2 + un;
      has_idx = TRUE;
    }
  if (g_str_equal (iface, "ide"))
    d = add_disk (p, &b, GUESTD_DISK_BUS_NONE,
                  b.cdrom ? GUESTD_DISK_DEVICE_CDROM : GUESTD_DISK_DEVICE_DISK,
                  "hd", has_idx ? (int) idx : -1);
  else if (g_str_equal (iface, "virtio"))
    d = add_disk (p, &b, GUESTD_DISK_BUS_VIRTIO, GUESTD_DISK_DEVICE_DISK, "vd",
                  has_idx ? (int) idx : -1);
  else if (g_str_equal (iface, "scsi"))
    d = add_disk (p, &b, GUESTD_DISK_BUS_SCSI,
                  b.cdrom ? GUESTD_DISK_DEVICE_CDROM : GUESTD_DISK_DEVICE_DISK,
                  "sd", has_idx ? (int) idx : -1);
  else if (g_str_equal (iface, "floppy"))
    d = add_disk (p, &b, GUESTD_DISK_BUS_FDC, GUESTD_DISK_DEVICE_FLOPPY, "fd",
                  has_idx ? (int) idx : -1);
  else
    {
      backend_clear (&b);
      return guestd_argv_error (error, "-drive", arg,
                                _("interface '%s' is not supported (ide, "
                                  "virtio, scsi, floppy, pflash, none)"),
                                iface);
    }
  backend_clear (&b);
  if (d->src == NULL && d->device == GUESTD_DISK_DEVICE_DISK)
    return guestd_argv_error (error, "-drive", arg, _("a 'file' is needed"));
  ok = guestd_argv_check_used (o, "-drive", arg, error);
  return ok;
}

/* ---- devices ---- */

typedef struct
{
  GuestdArgvParser *p;
  GuestdQemuOpts *o;
  const char *arg;
  const char *driver;
} Dev;

static gboolean
dev_uint (Dev *d, const char *key, guint max, guint *out, gboolean *has,
          GError **error)
{
  const char *v = guestd_qemu_opts_get (d->o, key);
  guint64 n;

  if (v == NULL)
    return TRUE;
  if (!guestd_parse_u64 (v, &n) || n > max)
    return guestd_argv_error (error, DEV, d->arg,
                              _("'%s' must be a number up to %u"), key, max);
  *out = (guint) n;
  if (has != NULL)
    *has = TRUE;
  return TRUE;
}

static int
index_from_id (const char *id, const char *prefix)
{
  guint64 n;

  if (id == NULL || !g_str_has_prefix (id, prefix))
    return -1;
  if (id[strlen (prefix)] == '\0')
    return 0;
  if (!guestd_parse_u64 (id + strlen (prefix), &n) || n > 255)
    return -1;
  return (int) n;
}

static gboolean
parse_pci_addr (const char *addr, unsigned *slot, unsigned *fn)
{
  g_auto (GStrv) parts = g_strsplit (addr, ".", 3);
  guint64 v[2] = { 0, 0 };

  if (parts[0] == NULL || (parts[1] != NULL && parts[2] != NULL))
    return FALSE;
  for (guint i = 0; i < 2 && parts[i] != NULL; i++)
    {
      const char *digits = g_str_has_prefix (parts[i], "0x") ? parts[i] + 2
                                                             : parts[i];

      if (!g_ascii_string_to_unsigned (digits, 16, 0, i == 0 ? 31 : 7, &v[i],
                                       NULL))
        return FALSE;
    }
  *slot = (unsigned) v[0];
  *fn = (unsigned) v[1];
  return TRUE;
}

/* id=, bus=, addr=, port= (USB), nr=, bootindex=, multifunction=.
 * Disks read their own bus= (ide.1, scsi0.0): @own_bus. */
static gboolean
dev_info_full (Dev *d, GuestdDeviceInfo *info, gboolean own_bus,
               GError **error)
{
  const char *id = guestd_qemu_opts_get (d->o, "id");
  const char *bus = own_bus ? NULL : guestd_qemu_opts_get (d->o, "bus");
  const char *addr = guestd_qemu_opts_get (d->o, "addr");
  const char *mf = guestd_qemu_opts_get (d->o, "multifunction");
  const char *port = NULL, *nr = NULL;
  guint boot = 0;
  gboolean has_boot = FALSE;

  if (!dev_uint (d, "bootindex", 65535, &boot, &has_boot, error))
    return FALSE;
  if (has_boot)
    info->boot_order = boot + (boot == 0);
  if (id != NULL && g_str_has_prefix (id, "ua-"))
    info->alias = g_strdup (id);

  if (addr != NULL)
    {
      unsigned slot = 0, fn = 0;

      if (!parse_pci_addr (addr, &slot, &fn))
        return guestd_argv_error (error, DEV, d->arg,
                                  _("bad PCI address '%s' (expected SLOT or "
                                    "SLOT.FUNCTION, e.g. 0x3 or 0x1.0x2)"),
                                  addr);
      info->addr.type = GUESTD_ADDR_PCI;
      info->addr.pci.slot = slot;
      info->addr.pci.function = fn;
      if (bus != NULL && !g_str_equal (bus, "pci.0")
          && !g_str_equal (bus, "pcie.0"))
        {
          int b = index_from_id (bus, "pci.");

          if (b < 0)
            return guestd_argv_error (error, DEV, d->arg,
                                      _("unknown PCI bus '%s'"), bus);
          info->addr.pci.bus = (guint) b;
        }
      if (mf != NULL)
        {
          gboolean on;

          if (!guestd_argv_parse_bool (mf, &on))
            return guestd_argv_error (error, DEV, d->arg,
                                      _("bad 'multifunction'"));
          info->addr.pci.multifunction = on ? GUESTD_TRISTATE_YES
                                            : GUESTD_TRISTATE_NO;
        }
      return TRUE;
    }
  if (mf != NULL)
    return guestd_argv_error (error, DEV, d->arg,
                              _("'multifunction' needs 'addr'"));
  if (bus == NULL)
    return TRUE;
  if (g_str_has_prefix (bus, "usb"))
    port = guestd_qemu_opts_get (d->o, "port");
  if (g_str_has_prefix (bus, "virtio-serial"))
    nr = guestd_qemu_opts_get (d->o, "nr");
  if (g_str_equal (bus, "pci.0") || g_str_equal (bus, "pcie.0"))
    return TRUE;
  if (g_str_has_prefix (bus, "usb") && g_str_has_suffix (bus, ".0"))
    {
      g_autofree char *ctl = g_strndup (bus, strlen (bus) - 2);
      int idx = index_from_id (ctl, "usb");

      if (idx < 0)
        return guestd_argv_error (error, DEV, d->arg,
                                  _("unknown USB bus '%s'"), bus);
      if (port == NULL && idx == 0)
        return TRUE;
      info->addr.type = GUESTD_ADDR_USB;
      info->addr.usb.bus = (guint) idx;
      info->addr.usb.port = g_strdup (port ? port : "1");
      return TRUE;
    }
  if (g_str_has_prefix (bus, "virtio-serial"))
    {
      unsigned c = 0, b = 0;
      guint64 n = 0;

      if (sscanf (bus, "virtio-serial%u.%u", &c, &b) != 2
          || (nr != NULL && (!guestd_parse_u64 (nr, &n) || n > 30)))
        return guestd_argv_error (error, DEV, d->arg,
                                  _("bad virtio-serial bus '%s'"), bus);
      if (nr == NULL && c == 0 && b == 0)
        return TRUE;
      info->addr.type = GUESTD_ADDR_VIRTIO_SERIAL;
      info->addr.vioser.controller = c;
      info->addr.vioser.bus = b;
      info->addr.vioser.port = (guint) n;
      return TRUE;
    }
  return guestd_argv_error (error, DEV, d->arg,
                            _("bus '%s' without 'addr' is not supported"),
                            bus);
}

static gboolean
dev_info (Dev *d, GuestdDeviceInfo *info, GError **error)
{
  return dev_info_full (d, info, FALSE, error);
}

static gboolean
dev_backend (Dev *d, Backend *b, GError **error)
{
  GuestdArgvParser *p = d->p;
  const char *drive = guestd_qemu_opts_get (d->o, "drive");
  GuestdQemuOpts *dr;

  if (drive == NULL)
    return TRUE;
  if (g_hash_table_contains (p->used_backends, drive))
    return guestd_argv_error (error, DEV, d->arg,
                              _("drive '%s' is used by two devices"), drive);
  dr = g_hash_table_lookup (p->drives, drive);
  if (dr != NULL)
    {
      g_hash_table_add (p->used_backends, g_strdup (drive));
      guestd_qemu_opts_get (dr, "if");
      guestd_qemu_opts_get (dr, "id");
      return read_drive_opts (dr, drive, b, error)
             && guestd_argv_check_used (dr, "-drive", drive, error);
    }
  if (!g_hash_table_contains (p->blockdevs, drive))
    return guestd_argv_error (error, DEV, d->arg,
                              _("drive '%s' names no -drive or -blockdev"),
                              drive);
  return resolve_blockdev (p, drive, b, error);
}

static gboolean
device_disk (Dev *d, GError **error)
{
  GuestdArgvParser *p = d->p;
  const char *drv = d->driver;
  const char *id = guestd_qemu_opts_get (d->o, "id");
  const char *bus = guestd_qemu_opts_get (d->o, "bus");
  const char *wc = guestd_qemu_opts_get (d->o, "write-cache");
  const char *serial = guestd_qemu_opts_get (d->o, "serial");
  const char *removable = guestd_qemu_opts_get (d->o, "removable");
  gboolean cdrom = g_str_has_suffix (drv, "-cd");
  Backend b = { 0 };
  GuestdDiskDef *disk = NULL;
  guint unit = 0, scsi_id = 0, channel = 0;
  gboolean ok;

  if (!dev_backend (d, &b, error))
    {
      backend_clear (&b);
      return FALSE;
    }
  if (serial != NULL)
    {
      g_free (b.serial);
      b.serial = g_strdup (serial);
    }
  if (b.has_cache_flags || wc != NULL)
    {
      gboolean w = TRUE;

      if (wc != NULL && !guestd_argv_parse_bool (wc, &w))
        {
          backend_clear (&b);
          return guestd_argv_error (error, DEV, d->arg, _("bad write-cache"));
        }
      if (b.no_flush)
        b.cache = GUESTD_DISK_CACHE_UNSAFE;
      else if (b.direct)
        b.cache = w ? GUESTD_DISK_CACHE_NONE : GUESTD_DISK_CACHE_DIRECTSYNC;
      else
        b.cache = w ? GUESTD_DISK_CACHE_WRITEBACK : GUESTD_DISK_CACHE_WRITETHROUGH;
    }
  if (!dev_uint (d, "unit", 16383, &unit, NULL, error)
      || !dev_uint (d, "scsi-id", 255, &scsi_id, NULL, error)
      || !dev_uint (d, "lun", 16383, &unit, NULL, error)
      || !dev_uint (d, "channel", 0, &channel, NULL, error))
    {
      backend_clear (&b);
      return FALSE;
    }

  if (g_str_has_prefix (drv, "virtio-blk"))
    {
      disk = add_disk (p, &b, GUESTD_DISK_BUS_VIRTIO, GUESTD_DISK_DEVICE_DISK,
                       "vd", index_from_id (id, "virtio-disk"));
      ok = dev_info (d, &disk->info, error);
    }
  else if (g_str_has_prefix (drv, "ide-"))
    {
      g_autofree char *ctl = NULL;
      const char *dot = bus ? strrchr (bus, '.') : NULL;
      guint64 n = 0;

      if (dot == NULL || !guestd_parse_u64 (dot + 1, &n) || n > 5)
        {
          backend_clear (&b);
          return guestd_argv_error (error, DEV, d->arg,
                                    _("needs bus=ide.N or bus=sataC.N"));
        }
      ctl = g_strndup (bus, dot - bus);
      if (g_str_equal (ctl, "ide") && !guestd_domain_def_is_q35 (p->def))
        {
          disk = add_disk (p, &b, GUESTD_DISK_BUS_IDE,
                           cdrom ? GUESTD_DISK_DEVICE_CDROM
                                 : GUESTD_DISK_DEVICE_DISK,
                           "hd", (int) (n * 2 + unit));
          disk->info.addr.type = GUESTD_ADDR_DRIVE;
          disk->info.addr.drive.bus = (guint) n;
          disk->info.addr.drive.unit = unit;
        }
      else
        {
          int c = g_str_equal (ctl, "ide") ? 0 : index_from_id (ctl, "sata");

          if (c < 0)
            {
              backend_clear (&b);
              return guestd_argv_error (error, DEV, d->arg,
                                        _("unknown bus '%s'"), bus);
            }
          disk = add_disk (p, &b, GUESTD_DISK_BUS_SATA,
                           cdrom ? GUESTD_DISK_DEVICE_CDROM
                                 : GUESTD_DISK_DEVICE_DISK,
                           "sd", (int) (c * 6 + n));
          disk->info.addr.type = GUESTD_ADDR_DRIVE;
          disk->info.addr.drive.controller = (guint) c;
          disk->info.addr.drive.unit = (guint) n;
        }
      ok = dev_info_full (d, &disk->info, TRUE, error);
    }
  else if (g_str_has_prefix (drv, "scsi-"))
    {
      g_autofree char *ctl = bus && g_str_has_suffix (bus, ".0")
                               ? g_strndup (bus, strlen (bus) - 2)
                               : NULL;
      int c = ctl != NULL ? index_from_id (ctl, "scsi") : (bus == NULL ? 0 : -1);

      if (c < 0)
        {
          backend_clear (&b);
          return guestd_argv_error (error, DEV, d->arg,
                                    _("needs bus=scsiN.0"));
        }
      disk = add_disk (p, &b, GUESTD_DISK_BUS_SCSI,
                       cdrom ? GUESTD_DISK_DEVICE_CDROM
                       : g_str_equal (drv, "scsi-block") ? GUESTD_DISK_DEVICE_LUN
                                                         : GUESTD_DISK_DEVICE_DISK,
                       "sd", scsi_id == 0 ? (int) (c * 16384 + unit) : -1);
      disk->info.addr.type = GUESTD_ADDR_DRIVE;
      disk->info.addr.drive.controller = (guint) c;
      disk->info.addr.drive.target = scsi_id;
      disk->info.addr.drive.unit = unit;
      ok = dev_info_full (d, &disk->info, TRUE, error);
    }
  else if (g_str_equal (drv, "usb-storage"))
    {
      disk = add_disk (p, &b, GUESTD_DISK_BUS_USB, GUESTD_DISK_DEVICE_DISK,
                       "sd", index_from_id (id, "usb-disk"));
      if (removable != NULL)
        {
          gboolean r;

          if (!guestd_argv_parse_bool (removable, &r))
            {
              backend_clear (&b);
              return guestd_argv_error (error, DEV, d->arg,
                                        _("bad 'removable'"));
            }
          disk->removable = r ? GUESTD_TRISTATE_YES : GUESTD_TRISTATE_NO;
        }
      ok = dev_info (d, &disk->info, error);
    }
  else
    {
      disk = add_disk (p, &b, GUESTD_DISK_BUS_FDC, GUESTD_DISK_DEVICE_FLOPPY,
                       "fd", (int) unit);
      disk->info.addr.type = GUESTD_ADDR_DRIVE;
      disk->info.addr.drive.unit = unit;
      ok = dev_info_full (d, &disk->info, TRUE, error);
    }
  backend_clear (&b);
  if (ok && disk->src == NULL && disk->device == GUESTD_DISK_DEVICE_DISK)
    ok = guestd_argv_error (error, DEV, d->arg,
                            _("a disk needs drive= naming its image"));
  return ok;
}

static gboolean
device_nic (Dev *d, const char *model, GError **error)
{
  GuestdArgvParser *p = d->p;
  const char *netdev = guestd_qemu_opts_get (d->o, "netdev");
  const char *mac = guestd_qemu_opts_get (d->o, "mac");
  GuestdNetDef *n = guestd_net_def_new ();
  GuestdQemuOpts *nd;
  const char *type;
  guint mtu = 0;

  g_ptr_array_add (p->def->nets, n);
  n->model = g_strdup (model);
  if (mac != NULL && !guestd_mac_parse (mac, n->mac))
    return guestd_argv_error (error, DEV, d->arg, _("bad MAC address '%s'"),
                              mac);
  if (!dev_uint (d, "host_mtu", 65535, &mtu, NULL, error)
      || !dev_info (d, &n->info, error))
    return FALSE;
  n->mtu = mtu;
  if (netdev == NULL || (nd = g_hash_table_lookup (p->netdevs, netdev)) == NULL)
    return guestd_argv_error (error, DEV, d->arg,
                              _("netdev= must name a -netdev"));
  if (g_hash_table_contains (p->used_backends, netdev))
    return guestd_argv_error (error, DEV, d->arg,
                              _("netdev '%s' is used by two NICs"), netdev);
  g_hash_table_add (p->used_backends, g_strdup (netdev));
  type = guestd_qemu_opts_get (nd, "type");
  if (g_strcmp0 (type, "user") == 0)
    n->type = GUESTD_NET_USER;
  else if (g_strcmp0 (type, "bridge") == 0)
    {
      n->type = GUESTD_NET_BRIDGE;
      n->source = g_strdup (guestd_qemu_opts_get (nd, "br"));
      if (n->source == NULL)
        n->source = g_strdup ("br0"); /* qemu-bridge-helper's default */
    }
  else if (g_strcmp0 (type, "tap") == 0)
    {
      const char *ifname = guestd_qemu_opts_get (nd, "ifname");
      const char *script = guestd_qemu_opts_get (nd, "script");
      const char *down = guestd_qemu_opts_get (nd, "downscript");
      const char *vhost = guestd_qemu_opts_get (nd, "vhost");

      n->type = GUESTD_NET_ETHERNET;
      n->target_dev = g_strdup (ifname);
      if ((script && !g_str_equal (script, "no"))
          || (down && !g_str_equal (down, "no")))
        return guestd_argv_error (error, "-netdev", netdev,
                                  _("tap scripts are not supported; create "
                                    "the TAP device first and use "
                                    "script=no"));
      if (vhost != NULL && g_str_equal (vhost, "on"))
        n->driver_name = g_strdup ("vhost");
      if (ifname == NULL)
        return guestd_argv_error (error, "-netdev", netdev,
                                  _("a tap netdev needs ifname= (an fd= "
                                    "exists only while its parent runs)"));
    }
  else
    return guestd_argv_error (error, "-netdev", netdev,
                              _("network back-end '%s' is not supported "
                                "(user, bridge, tap)"),
                              type ? type : "");
  return guestd_argv_check_used (nd, "-netdev", netdev, error);
}

static gboolean
chardev_source (GuestdArgvParser *p, const char *id, GuestdChrDef *c,
                GError **error)
{
  GuestdQemuOpts *o = g_hash_table_lookup (p->chardevs, id);
  const char *backend, *path, *server, *host, *port, *telnet, *name;
  const char *logfile, *logappend, *append;
  gboolean on;

  if (o == NULL)
    return guestd_argv_error (error, "-chardev", id,
                              _("no -chardev has this id"));
  if (g_hash_table_contains (p->used_backends, id))
    return guestd_argv_error (error, "-chardev", id,
                              _("used by two devices"));
  g_hash_table_add (p->used_backends, g_strdup (id));
  backend = guestd_qemu_opts_get (o, "backend");
  path = guestd_qemu_opts_get (o, "path");
  server = guestd_qemu_opts_get (o, "server");
  host = guestd_qemu_opts_get (o, "host");
  port = guestd_qemu_opts_get (o, "port");
  telnet = guestd_qemu_opts_get (o, "telnet");
  name = guestd_qemu_opts_get (o, "name");
  logfile = guestd_qemu_opts_get (o, "logfile");
  logappend = guestd_qemu_opts_get (o, "logappend");
  append = guestd_qemu_opts_get (o, "append");
  guestd_qemu_opts_get (o, "wait");

  if (g_strcmp0 (backend, "socket") == 0)
    {
      c->type = path ? GUESTD_CHR_UNIX : GUESTD_CHR_TCP;
      c->path = g_strdup (path);
      c->host = g_strdup (host);
      c->service = g_strdup (port);
      c->mode = server && guestd_argv_parse_bool (server, &on) && on
                  ? GUESTD_CHR_MODE_BIND
                  : GUESTD_CHR_MODE_CONNECT;
      if (telnet && guestd_argv_parse_bool (telnet, &on) && on)
        c->protocol = GUESTD_CHR_PROTOCOL_TELNET;
      if (c->type == GUESTD_CHR_TCP && port == NULL)
        return guestd_argv_error (error, "-chardev", id,
                                  _("a socket needs path= or port="));
    }
  else if (g_strcmp0 (backend, "tty") == 0 || g_strcmp0 (backend, "serial") == 0
           || g_strcmp0 (backend, "parallel") == 0)
    {
      c->type = GUESTD_CHR_DEV;
      c->path = g_strdup (path);
    }
  else if (g_strcmp0 (backend, "spicevmc") == 0)
    c->type = GUESTD_CHR_SPICEVMC;
  else if (g_strcmp0 (backend, "spiceport") == 0)
    {
      c->type = GUESTD_CHR_SPICEPORT;
      c->channel = g_strdup (name);
    }
  else
    {
      int t = guestd_enum_from_string (&guestd_chr_type, backend);

      if (t <= 0 || t == GUESTD_CHR_UNIX || t == GUESTD_CHR_TCP)
        return guestd_argv_error (error, "-chardev", id,
                                  _("back-end '%s' is not supported"),
                                  backend ? backend : "");
      c->type = t;
      c->path = g_strdup (path);
    }
  if ((c->type == GUESTD_CHR_FILE || c->type == GUESTD_CHR_PIPE
       || c->type == GUESTD_CHR_DEV)
      && (c->path == NULL || !g_path_is_absolute (c->path)))
    return guestd_argv_error (error, "-chardev", id,
                              _("needs an absolute path="));
  if (append != NULL)
    {
      if (!guestd_argv_parse_bool (append, &on))
        return guestd_argv_error (error, "-chardev", id, _("bad append"));
      c->append = on ? GUESTD_TRISTATE_YES : GUESTD_TRISTATE_NO;
    }
  if (logfile != NULL)
    {
      c->log_file = g_strdup (logfile);
      if (logappend != NULL)
        c->log_append = g_str_equal (logappend, "on") ? GUESTD_TRISTATE_YES
                                                      : GUESTD_TRISTATE_NO;
    }
  /* spicevmc's name= is the channel kind, implied by the device. */
  if (c->type != GUESTD_CHR_SPICEVMC && name != NULL
      && c->type != GUESTD_CHR_SPICEPORT)
    return guestd_argv_error (error, "-chardev", id,
                              _("property 'name' is not supported"));
  return guestd_argv_check_used (o, "-chardev", id, error);
}

static gboolean
device_chr (Dev *d, GError **error)
{
  GuestdArgvParser *p = d->p;
  const char *drv = d->driver;
  const char *chardev = guestd_qemu_opts_get (d->o, "chardev");
  const char *name = guestd_qemu_opts_get (d->o, "name");
  GuestdChrDef *c;
  GPtrArray *list;
  guint index = 0;
  gboolean has_index = FALSE;

  if (g_str_equal (drv, "isa-parallel"))
    c = guestd_chr_def_new (GUESTD_CHR_DEV_PARALLEL), list = p->def->parallels;
  else if (g_str_equal (drv, "virtconsole"))
    {
      c = guestd_chr_def_new (GUESTD_CHR_DEV_CONSOLE), list = p->def->consoles;
      c->target_type = GUESTD_CHR_TARGET_VIRTIO;
    }
  else if (g_str_equal (drv, "virtserialport"))
    {
      c = guestd_chr_def_new (GUESTD_CHR_DEV_CHANNEL), list = p->def->channels;
      c->target_type = GUESTD_CHR_TARGET_VIRTIO;
      c->target_name = g_strdup (name);
    }
  else
    {
      c = guestd_chr_def_new (GUESTD_CHR_DEV_SERIAL), list = p->def->serials;
      c->target_type = g_str_equal (drv, "usb-serial")
                         ? GUESTD_CHR_TARGET_USB_SERIAL
                       : g_str_equal (drv, "pci-serial")
                         ? GUESTD_CHR_TARGET_PCI_SERIAL
                         : GUESTD_CHR_TARGET_ISA_SERIAL;
    }
  g_ptr_array_add (list, c);
  if (!dev_uint (d, "index", 3, &index, &has_index, error)
      || !dev_info (d, &c->info, error))
    return FALSE;
  if (has_index)
    c->target_port = (int) index;
  if (chardev == NULL)
    return guestd_argv_error (error, DEV, d->arg, _("chardev= is needed"));
  if (!chardev_source (p, chardev, c, error))
    return FALSE;
  if (c->type == GUESTD_CHR_SPICEVMC && c->device != GUESTD_CHR_DEV_CHANNEL)
    return guestd_argv_error (error, DEV, d->arg,
                              _("spicevmc only feeds channels"));
  if (c->device == GUESTD_CHR_DEV_CHANNEL && c->target_name == NULL
      && c->type != GUESTD_CHR_SPICEVMC)
    return guestd_argv_error (error, DEV, d->arg, _("name= is needed"));
  if (c->device == GUESTD_CHR_DEV_CHANNEL && c->type == GUESTD_CHR_SPICEVMC
      && g_strcmp0 (c->target_name, "com.redhat.spice.0") != 0)
    return guestd_argv_error (error, DEV, d->arg,
                              _("a spicevmc channel is com.redhat.spice.0"));
  return TRUE;
}

static gboolean
device_controller (Dev *d, GuestdControllerType type, const char *model,
                   GError **error)
{
  GuestdArgvParser *p = d->p;
  const char *id = guestd_qemu_opts_get (d->o, "id");
  GuestdControllerDef *c = guestd_controller_def_new ();
  const char *prefix = type == GUESTD_CONTROLLER_PCI ? "pci."
                       : type == GUESTD_CONTROLLER_USB ? "usb"
                       : type == GUESTD_CONTROLLER_SCSI ? "scsi"
                       : type == GUESTD_CONTROLLER_SATA ? "sata"
                       : type == GUESTD_CONTROLLER_FDC ? "fdc"
                                                       : "virtio-serial";
  guint v = 0;
  gboolean has = FALSE;

  c->type = type;
  c->model = g_strdup (model);
  g_ptr_array_add (p->def->controllers, c);
  c->index = index_from_id (id, prefix);
  if (type == GUESTD_CONTROLLER_PCI)
    {
      if (!dev_uint (d, "port", 255, &v, &has, error))
        return FALSE;
      if (has)
        c->target_port = (int) v;
      has = FALSE;
      if (!dev_uint (d, "chassis", 255, &v, &has, error)
          || !dev_uint (d, "chassis_nr", 255, &v, &has, error))
        return FALSE;
      if (has)
        c->target_chassis = (int) v;
    }
  if (type == GUESTD_CONTROLLER_USB)
    {
      const char *master = guestd_qemu_opts_get (d->o, "masterbus");

      if (!dev_uint (d, "p2", 15, &c->ports, NULL, error)
          || !dev_uint (d, "p3", 15, &v, NULL, error))
        return FALSE;
      if (master != NULL)
        {
          g_autofree char *ctl = g_strndup (master, strcspn (master, "."));

          if (!dev_uint (d, "firstport", 15, &v, NULL, error))
            return FALSE;
          c->master_startport = (int) v;
          c->index = index_from_id (ctl, "usb");
        }
    }
  if (type == GUESTD_CONTROLLER_SCSI
      && !dev_uint (d, "num_queues", 1024, &c->queues, NULL, error))
    return FALSE;
  if (type == GUESTD_CONTROLLER_VIRTIO_SERIAL
      && (!dev_uint (d, "max_ports", 31, &c->ports, NULL, error)
          || !dev_uint (d, "vectors", 1024, &c->vectors, NULL, error)))
    return FALSE;
  return dev_info (d, &c->info, error);
}

static gboolean
device_sound (Dev *d, GuestdSoundModel model, GError **error)
{
  GuestdArgvParser *p = d->p;
  GuestdSoundDef *s = guestd_sound_def_new ();

  s->model = model;
  guestd_qemu_opts_get (d->o, "audiodev");
  g_ptr_array_add (p->def->sounds, s);
  return dev_info (d, &s->info, error);
}

static gboolean
device_codec (Dev *d, GError **error)
{
  GuestdArgvParser *p = d->p;
  const char *kind = d->driver + strlen ("hda-");
  int codec = guestd_enum_from_string (&guestd_sound_codec, kind);
  GuestdSoundDef *s;

  guestd_qemu_opts_get (d->o, "id");
  guestd_qemu_opts_get (d->o, "bus");
  guestd_qemu_opts_get (d->o, "cad");
  guestd_qemu_opts_get (d->o, "audiodev");
  if (codec <= 0)
    return guestd_argv_error (error, DEV, d->arg, _("unknown codec"));
  if (p->def->sounds->len == 0)
    return guestd_argv_error (error, DEV, d->arg,
                              _("a codec needs an HDA sound card before it"));
  s = p->def->sounds->pdata[p->def->sounds->len - 1];
  /* One duplex codec is what the builder adds when none is listed. */
  g_array_append_val (s->codecs, codec);
  return TRUE;
}

static gboolean
device_video (Dev *d, GuestdVideoModel model, GError **error)
{
  GuestdVideoDef *v = guestd_video_def_new ();
  guint n = 0;
  gboolean has = FALSE;

  v->model = model;
  g_ptr_array_add (d->p->def->videos, v);
  if (!dev_uint (d, "vgamem_mb", 1024, &n, &has, error))
    return FALSE;
  if (has)
    {
      if (model == GUESTD_VIDEO_QXL)
        v->vgamem = n * 1024;
      else
        v->vram = n * 1024;
    }
  has = FALSE;
  if (!dev_uint (d, "ram_size", G_MAXUINT, &n, &has, error))
    return FALSE;
  if (has)
    v->ram = n / 1024;
  has = FALSE;
  if (!dev_uint (d, "vram_size", G_MAXUINT, &n, &has, error))
    return FALSE;
  if (has)
    v->vram = n / 1024;
  has = FALSE;
  if (!dev_uint (d, "vram64_size_mb", 1 << 20, &n, &has, error))
    return FALSE;
  if (has)
    v->vram64 = n * 1024;
  if (!dev_uint (d, "max_outputs", 16, &v->heads, NULL, error))
    return FALSE;
  return dev_info (d, &v->info, error);
}

static gboolean
device_input (Dev *d, GuestdInputType type, GuestdInputBus bus,
              GError **error)
{
  GuestdInputDef *in = guestd_input_def_new ();

  in->type = type;
  in->bus = bus;
  g_ptr_array_add (d->p->def->inputs, in);
  return dev_info (d, &in->info, error);
}

static gboolean
device_misc (Dev *d, gboolean *modelled, GError **error)
{
  GuestdArgvParser *p = d->p;
  const char *drv = d->driver;

  if (g_str_equal (drv, "virtio-balloon-pci"))
    {
      GuestdBalloonDef *b = guestd_balloon_def_new ();
      const char *defl = guestd_qemu_opts_get (d->o, "deflate-on-oom");
      const char *fpr = guestd_qemu_opts_get (d->o, "free-page-reporting");
      gboolean on;

      b->model = GUESTD_BALLOON_VIRTIO;
      if (p->def->memballoon != NULL)
        {
          g_free (b);
          return guestd_argv_error (error, DEV, d->arg,
                                    _("only one balloon"));
        }
      p->def->memballoon = b;
      if (defl != NULL)
        {
          if (!guestd_argv_parse_bool (defl, &on))
            return guestd_argv_error (error, DEV, d->arg, _("bad value"));
          b->autodeflate = on ? GUESTD_TRISTATE_YES : GUESTD_TRISTATE_NO;
        }
      if (fpr != NULL)
        {
          if (!guestd_argv_parse_bool (fpr, &on))
            return guestd_argv_error (error, DEV, d->arg, _("bad value"));
          b->free_page_reporting = on ? GUESTD_TRISTATE_YES : GUESTD_TRISTATE_NO;
        }
      return dev_info (d, &b->info, error);
    }
  if (g_str_has_prefix (drv, "virtio-rng-pci"))
    {
      GuestdRngDef *r = guestd_rng_def_new ();
      const char *obj = guestd_qemu_opts_get (d->o, "rng");
      GuestdQemuOpts *o = obj ? g_hash_table_lookup (p->objects, obj) : NULL;
      const char *type = o ? guestd_qemu_opts_get (o, "qom-type") : NULL;

      g_ptr_array_add (p->def->rngs, r);
      if (g_str_equal (drv, "virtio-rng-pci"))
        r->model = g_strdup ("virtio");
      else
        r->model = g_strdup_printf ("virtio-%s",
                                    drv + strlen ("virtio-rng-pci-"));
      if (g_strcmp0 (type, "rng-random") == 0)
        {
          r->backend = GUESTD_RNG_BACKEND_RANDOM;
          r->device = g_strdup (guestd_qemu_opts_get (o, "filename"));
          if (r->device == NULL)
            r->device = g_strdup ("/dev/urandom");
        }
      else if (g_strcmp0 (type, "rng-builtin") == 0)
        r->backend = GUESTD_RNG_BACKEND_BUILTIN;
      else
        return guestd_argv_error (error, DEV, d->arg,
                                  _("rng= must name an -object rng-random "
                                    "or rng-builtin"));
      g_hash_table_add (p->used_backends, g_strdup (obj));
      if (!guestd_argv_check_used (o, "-object", obj, error)
          || !dev_uint (d, "max-bytes", G_MAXUINT, &r->rate_bytes, NULL,
                        error)
          || !dev_uint (d, "period", G_MAXUINT, &r->rate_period, NULL, error))
        return FALSE;
      return dev_info (d, &r->info, error);
    }
  if (g_str_equal (drv, "usb-redir"))
    {
      GuestdRedirdevDef *r = guestd_redirdev_def_new ();
      const char *chr = guestd_qemu_opts_get (d->o, "chardev");
      GuestdChrDef tmp = { 0 };
      gboolean ok;

      g_ptr_array_add (p->def->redirdevs, r);
      if (chr == NULL)
        return guestd_argv_error (error, DEV, d->arg, _("chardev= is needed"));
      ok = chardev_source (p, chr, &tmp, error);
      r->type = tmp.type;
      r->host = g_steal_pointer (&tmp.host);
      r->service = g_steal_pointer (&tmp.service);
      g_free (tmp.path);
      g_free (tmp.channel);
      g_free (tmp.log_file);
      if (!ok)
        return FALSE;
      if (r->type != GUESTD_CHR_SPICEVMC && r->type != GUESTD_CHR_TCP)
        return guestd_argv_error (error, DEV, d->arg,
                                  _("usb-redir needs a spicevmc or TCP "
                                    "chardev"));
      return dev_info (d, &r->info, error);
    }
  if (g_str_equal (drv, "i6300esb") || g_str_equal (drv, "ib700"))
    {
      GuestdWatchdogDef *w = guestd_watchdog_def_new ();

      w->model = guestd_enum_from_string (&guestd_watchdog_model, drv);
      g_ptr_array_add (p->def->watchdogs, w);
      return dev_info (d, &w->info, error);
    }
  if (g_str_equal (drv, "sga"))
    {
      p->def->os.bios_useserial = GUESTD_TRISTATE_YES;
      return TRUE;
    }
  *modelled = FALSE;
  return TRUE;
}

static const char *
usb_model_from_device (const char *drv)
{
  static const char *const models[] = {
    "piix3-uhci", "piix4-uhci", "ehci", "ich9-ehci1", "ich9-uhci1",
    "ich9-uhci2", "ich9-uhci3", "vt82c686b-uhci", "pci-ohci", "nec-xhci",
    "qemu-xhci",
  };

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    if (g_str_equal (guestd_qemu_usb_controller_device (models[i]), drv))
      return models[i];
  return NULL;
}

static gboolean
dispatch_device (Dev *d, gboolean *modelled, GError **error)
{
  const char *drv = d->driver;
  const char *usb = usb_model_from_device (drv);
  static const char *const nics[] = {
    "virtio-net-pci", "virtio-net-pci-transitional",
    "virtio-net-pci-non-transitional", "e1000", "e1000-82540em", "e1000e",
    "rtl8139", "ne2k_pci", "pcnet", "i82551", "i82557b", "i82559er",
    "vmxnet3", NULL
  };
  static const struct
  {
    const char *drv;
    GuestdVideoModel model;
  } videos[] = {
    { "VGA", GUESTD_VIDEO_VGA },        { "cirrus-vga", GUESTD_VIDEO_CIRRUS },
    { "qxl-vga", GUESTD_VIDEO_QXL },    { "qxl", GUESTD_VIDEO_QXL },
    { "virtio-vga", GUESTD_VIDEO_VIRTIO },
    { "virtio-gpu-pci", GUESTD_VIDEO_VIRTIO },
    { "bochs-display", GUESTD_VIDEO_BOCHS },
    { "ramfb", GUESTD_VIDEO_RAMFB },
  };

  *modelled = TRUE;
  if (g_str_has_prefix (drv, "virtio-blk") || g_str_equal (drv, "ide-hd")
      || g_str_equal (drv, "ide-cd") || g_str_equal (drv, "scsi-hd")
      || g_str_equal (drv, "scsi-cd") || g_str_equal (drv, "scsi-block")
      || g_str_equal (drv, "usb-storage") || g_str_equal (drv, "floppy"))
    return device_disk (d, error);
  if (g_strv_contains (nics, drv))
    {
      const char *model = drv;

      if (g_str_has_prefix (drv, "virtio-net-pci"))
        model = g_str_equal (drv, "virtio-net-pci")
                  ? "virtio"
                  : g_str_has_suffix (drv, "non-transitional")
                      ? "virtio-non-transitional"
                      : "virtio-transitional";
      return device_nic (d, model, error);
    }
  if (g_str_equal (drv, "isa-serial") || g_str_equal (drv, "usb-serial")
      || g_str_equal (drv, "pci-serial") || g_str_equal (drv, "isa-parallel")
      || g_str_equal (drv, "virtconsole") || g_str_equal (drv, "virtserialport"))
    return device_chr (d, error);
  if (usb != NULL)
    return device_controller (d, GUESTD_CONTROLLER_USB, usb, error);
  if (g_str_equal (drv, "pcie-root-port"))
    return device_controller (d, GUESTD_CONTROLLER_PCI, "pcie-root-port",
                              error);
  if (g_str_equal (drv, "pci-bridge"))
    return device_controller (d, GUESTD_CONTROLLER_PCI, "pci-bridge", error);
  if (g_str_equal (drv, "i82801b11-bridge"))
    return device_controller (d, GUESTD_CONTROLLER_PCI, "dmi-to-pci-bridge",
                              error);
  if (g_str_equal (drv, "pcie-pci-bridge"))
    return device_controller (d, GUESTD_CONTROLLER_PCI, "pcie-to-pci-bridge",
                              error);
  if (g_str_equal (drv, "x3130-upstream"))
    return device_controller (d, GUESTD_CONTROLLER_PCI,
                              "pcie-switch-upstream-port", error);
  if (g_str_equal (drv, "xio3130-downstream"))
    return device_controller (d, GUESTD_CONTROLLER_PCI,
                              "pcie-switch-downstream-port", error);
  if (g_str_has_prefix (drv, "virtio-scsi-pci"))
    return device_controller (d, GUESTD_CONTROLLER_SCSI,
                              g_str_equal (drv, "virtio-scsi-pci")
                                ? "virtio-scsi"
                                : g_str_has_suffix (drv, "non-transitional")
                                    ? "virtio-non-transitional"
                                    : "virtio-transitional",
                              error);
  if (g_str_equal (drv, "lsi"))
    return device_controller (d, GUESTD_CONTROLLER_SCSI, "lsilogic", error);
  if (g_str_has_prefix (drv, "virtio-serial-pci"))
    return device_controller (d, GUESTD_CONTROLLER_VIRTIO_SERIAL,
                              g_str_equal (drv, "virtio-serial-pci")
                                ? NULL
                                : g_str_has_suffix (drv, "non-transitional")
                                    ? "virtio-non-transitional"
                                    : "virtio-transitional",
                              error);
  if (g_str_equal (drv, "ich9-ahci"))
    return device_controller (d, GUESTD_CONTROLLER_SATA, NULL, error);
  if (g_str_equal (drv, "isa-fdc"))
    return device_controller (d, GUESTD_CONTROLLER_FDC, NULL, error);
  for (int m = GUESTD_SOUND_ICH6; m <= GUESTD_SOUND_USB; m++)
    if (g_str_equal (drv, guestd_qemu_sound_device (m)))
      return device_sound (d, m, error);
  if (g_str_has_prefix (drv, "hda-"))
    return device_codec (d, error);
  for (guint i = 0; i < G_N_ELEMENTS (videos); i++)
    if (g_str_equal (drv, videos[i].drv))
      return device_video (d, videos[i].model, error);
  if (g_str_equal (drv, "usb-tablet"))
    return device_input (d, GUESTD_INPUT_TABLET, GUESTD_INPUT_BUS_USB, error);
  if (g_str_equal (drv, "usb-mouse"))
    return device_input (d, GUESTD_INPUT_MOUSE, GUESTD_INPUT_BUS_USB, error);
  if (g_str_equal (drv, "usb-kbd"))
    return device_input (d, GUESTD_INPUT_KEYBOARD, GUESTD_INPUT_BUS_USB,
                         error);
  if (g_str_equal (drv, "virtio-tablet-pci"))
    return device_input (d, GUESTD_INPUT_TABLET, GUESTD_INPUT_BUS_VIRTIO,
                         error);
  if (g_str_equal (drv, "virtio-mouse-pci"))
    return device_input (d, GUESTD_INPUT_MOUSE, GUESTD_INPUT_BUS_VIRTIO,
                         error);
  if (g_str_equal (drv, "virtio-keyboard-pci"))
    return device_input (d, GUESTD_INPUT_KEYBOARD, GUESTD_INPUT_BUS_VIRTIO,
                         error);
  return device_misc (d, modelled, error);
}

gboolean
guestd_argv_device (GuestdArgvParser *p, const char *arg, gboolean *modelled,
                    GError **error)
{
  g_autoptr (GuestdQemuOpts) o = guestd_qemu_opts_parse (arg, "driver",
                                                         error);
  Dev d = { p, NULL, arg, NULL };

  if (o == NULL)
    return FALSE;
  d.o = o;
  d.driver = guestd_qemu_opts_get (o, "driver");
  if (d.driver == NULL)
    return guestd_argv_error (error, DEV, arg, _("a driver is needed"));
  if (!dispatch_device (&d, modelled, error))
    return FALSE;
  if (!*modelled)
    return TRUE;
  /* The id was read as the alias (or dropped as libvirt drops its own). */
  guestd_qemu_opts_get (o, "id");
  return guestd_argv_check_used (o, DEV, arg, error);
}

/* ---- legacy -net / -nic and -serial / -parallel ---- */

gboolean
guestd_argv_legacy_net (GuestdArgvParser *p, const char *opt,
                        const char *arg, GError **error)
{
  GuestdQemuOpts *o = guestd_qemu_opts_parse (arg, "type", error);
  const char *type;

  if (o == NULL)
    return FALSE;
  type = guestd_qemu_opts_get (o, "type");
  if (type == NULL)
    {
      guestd_qemu_opts_free (o);
      return guestd_argv_error (error, opt, arg,
                                _("expected a type first (nic, user, tap, "
                                  "bridge or none)"));
    }
  if (g_str_equal (type, "none"))
    {
      guestd_qemu_opts_free (o);
      return TRUE;
    }
  if (g_str_equal (opt, "-nic"))
    {
      /* -nic TYPE,model=,mac= is a back-end and a NIC in one. */
      GuestdQemuOpts *nic = g_new0 (GuestdQemuOpts, 1);
      GuestdQemuOpt *t;

      nic->opts = g_ptr_array_new_with_free_func ((GDestroyNotify) opt_free);
      for (guint i = 0; i < o->opts->len; i++)
        {
          GuestdQemuOpt *src = o->opts->pdata[i];

          if (g_str_equal (src->key, "model") || g_str_equal (src->key, "mac"))
            {
              GuestdQemuOpt *copy = g_new0 (GuestdQemuOpt, 1);

              copy->key = g_strdup (g_str_equal (src->key, "mac") ? "macaddr"
                                                                  : "model");
              copy->value = g_strdup (src->value);
              src->used = TRUE;
              g_ptr_array_add (nic->opts, copy);
            }
        }
      t = g_new0 (GuestdQemuOpt, 1);
      t->key = g_strdup ("type");
      t->value = g_strdup ("nic");
      t->used = TRUE;
      g_ptr_array_add (nic->opts, t);
      g_ptr_array_add (p->legacy_nics, nic);
      g_ptr_array_add (p->legacy_nets, o);
      return TRUE;
    }
  if (g_str_equal (type, "nic"))
    g_ptr_array_add (p->legacy_nics, o);
  else
    g_ptr_array_add (p->legacy_nets, o);
  return TRUE;
}

gboolean
guestd_argv_finish_legacy_nets (GuestdArgvParser *p, GError **error)
{
  /* Pairs in order: the Nth "-net nic" uses the Nth back-end (QEMU's hub
   * would connect them all; nobody meant that). A lone "-net nic" gets
   * user networking, as QEMU gives it. */
  for (guint i = 0; i < p->legacy_nics->len; i++)
    {
      GuestdQemuOpts *nic = p->legacy_nics->pdata[i];
      GuestdQemuOpts *be = i < p->legacy_nets->len ? p->legacy_nets->pdata[i]
                                                   : NULL;
      GuestdNetDef *n = guestd_net_def_new ();
      const char *mac = guestd_qemu_opts_get (nic, "macaddr");
      const char *model = guestd_qemu_opts_get (nic, "model");
      const char *type = be ? guestd_qemu_opts_get (be, "type") : "user";

      g_ptr_array_add (p->def->nets, n);
      guestd_qemu_opts_get (nic, "vlan");
      guestd_qemu_opts_get (nic, "type");
      n->model = g_strdup (model);
      if (mac != NULL && !guestd_mac_parse (mac, n->mac))
        return guestd_argv_error (error, "-net", "nic",
                                  _("bad MAC address '%s'"), mac);
      if (!guestd_argv_check_used (nic, "-net", "nic", error))
        return FALSE;
      if (g_str_equal (type, "user"))
        n->type = GUESTD_NET_USER;
      else if (g_str_equal (type, "bridge"))
        {
          n->type = GUESTD_NET_BRIDGE;
          n->source = g_strdup (guestd_qemu_opts_get (be, "br"));
          if (n->source == NULL)
            n->source = g_strdup ("br0");
        }
      else if (g_str_equal (type, "tap"))
        {
          const char *script = guestd_qemu_opts_get (be, "script");

          n->type = GUESTD_NET_ETHERNET;
          n->target_dev = g_strdup (guestd_qemu_opts_get (be, "ifname"));
          guestd_qemu_opts_get (be, "downscript");
          if (n->target_dev == NULL || (script && !g_str_equal (script, "no")))
            return guestd_argv_error (error, "-net", "tap",
                                      _("needs ifname= of an existing TAP "
                                        "device and script=no"));
        }
      else
        return guestd_argv_error (error, "-net", type,
                                  _("network type '%s' is not supported"),
                                  type);
      if (be != NULL)
        {
          guestd_qemu_opts_get (be, "vlan");
          guestd_qemu_opts_get (be, "id");
          if (!guestd_argv_check_used (be, "-net", type, error))
            return FALSE;
        }
    }
  if (p->legacy_nets->len > p->legacy_nics->len)
    return guestd_argv_error (error, "-net", NULL,
                              _("a network back-end without a '-net nic'"));
  return TRUE;
}

gboolean
guestd_argv_legacy_chr (GuestdArgvParser *p, const char *opt,
                        const char *arg, GError **error)
{
  gboolean serial = g_str_equal (opt, "-serial");
  GPtrArray *list = serial ? p->def->serials : p->def->parallels;
  GuestdChrDef *c;
  const char *colon = strchr (arg, ':');
  g_autofree char *kind = colon ? g_strndup (arg, colon - arg)
                                : g_strdup (arg);

  if (g_str_equal (arg, "none"))
    return TRUE;
  c = guestd_chr_def_new (serial ? GUESTD_CHR_DEV_SERIAL
                                 : GUESTD_CHR_DEV_PARALLEL);
  g_ptr_array_add (list, c);
  if (serial)
    c->target_type = GUESTD_CHR_TARGET_ISA_SERIAL;
  if (g_str_equal (arg, "pty") || g_str_equal (arg, "null")
      || g_str_equal (arg, "vc") || g_str_equal (arg, "stdio"))
    c->type = guestd_enum_from_string (&guestd_chr_type, arg);
  else if (g_str_equal (kind, "file") || g_str_equal (kind, "pipe"))
    {
      c->type = guestd_enum_from_string (&guestd_chr_type, kind);
      c->path = g_strdup (colon + 1);
    }
  else if (g_str_equal (kind, "unix"))
    {
      g_auto (GStrv) parts = g_strsplit (colon + 1, ",", -1);

      c->type = GUESTD_CHR_UNIX;
      c->path = g_strdup (parts[0]);
      c->mode = GUESTD_CHR_MODE_CONNECT;
      for (guint i = 1; parts[i] != NULL; i++)
        if (g_str_equal (parts[i], "server") || g_str_equal (parts[i], "server=on"))
          c->mode = GUESTD_CHR_MODE_BIND;
        else if (!g_str_equal (parts[i], "nowait") && !g_str_equal (parts[i], "wait=off"))
          return guestd_argv_error (error, opt, arg,
                                    _("option '%s' is not supported"),
                                    parts[i]);
    }
  else if (g_str_has_prefix (arg, "/dev/"))
    {
      c->type = GUESTD_CHR_DEV;
      c->path = g_strdup (arg);
    }
  else
    return guestd_argv_error (error, opt, arg,
                              _("expected pty, null, vc, stdio, file:PATH, "
                                "pipe:PATH, unix:PATH[,server,nowait], "
                                "/dev/… or none"));
  if (c->path != NULL && !g_path_is_absolute (c->path))
    return guestd_argv_error (error, opt, arg, _("needs an absolute path"));
  return TRUE;
}
