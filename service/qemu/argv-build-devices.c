/* Domain → QEMU command line: controllers, disks, NICs, character devices,
 * graphics, video, sound and the small devices. */
#include "config.h"

#include "argv-build-priv.h"

#include <string.h>

#include "util/error.h"
#include "util/net-port.h"
#include "util/i18n.h"

#define FAIL(code, ...)                                                       \
  do                                                                          \
    {                                                                         \
      g_set_error (error, GUESTD_ERROR, (code), __VA_ARGS__);                 \
      return FALSE;                                                           \
    }                                                                         \
  while (0)

const char *
guestd_qemu_usb_controller_device (const char *model)
{
  static const char *const map[][2] = {
    { "piix3-uhci", "piix3-usb-uhci" }, { "piix4-uhci", "piix4-usb-uhci" },
    { "ehci", "usb-ehci" },             { "ich9-ehci1", "ich9-usb-ehci1" },
    { "ich9-uhci1", "ich9-usb-uhci1" }, { "ich9-uhci2", "ich9-usb-uhci2" },
    { "ich9-uhci3", "ich9-usb-uhci3" }, { "vt82c686b-uhci", "vt82c686b-usb-uhci" },
    { "pci-ohci", "pci-ohci" },         { "nec-xhci", "nec-usb-xhci" },
    { "qemu-xhci", "qemu-xhci" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_strcmp0 (model, map[i][0]) == 0)
      return map[i][1];
  return NULL;
}

const char *
guestd_qemu_video_device (GuestdVideoModel model, gboolean primary)
{
  switch (model)
    {
    case GUESTD_VIDEO_VGA:
      return "VGA";
    case GUESTD_VIDEO_CIRRUS:
      return "cirrus-vga";
    case GUESTD_VIDEO_QXL:
      return primary ? "qxl-vga" : "qxl";
    case GUESTD_VIDEO_VIRTIO:
      return primary ? "virtio-vga" : "virtio-gpu-pci";
    case GUESTD_VIDEO_BOCHS:
      return "bochs-display";
    case GUESTD_VIDEO_RAMFB:
      return "ramfb";
    default:
      return NULL;
    }
}

const char *
guestd_qemu_sound_device (GuestdSoundModel model)
{
  switch (model)
    {
    case GUESTD_SOUND_ICH6:
      return "intel-hda";
    case GUESTD_SOUND_ICH9:
      return "ich9-intel-hda";
    case GUESTD_SOUND_AC97:
      return "AC97";
    case GUESTD_SOUND_ES1370:
      return "ES1370";
    case GUESTD_SOUND_SB16:
      return "sb16";
    case GUESTD_SOUND_USB:
      return "usb-audio";
    default:
      return NULL;
    }
}

const char *
guestd_qemu_net_device (const char *model)
{
  if (g_strcmp0 (model, "virtio") == 0)
    return "virtio-net-pci";
  if (g_strcmp0 (model, "virtio-transitional") == 0)
    return "virtio-net-pci-transitional";
  if (g_strcmp0 (model, "virtio-non-transitional") == 0)
    return "virtio-net-pci-non-transitional";
  return model;
}

static const char *
virtio_variant (const char *model, const char *base, char **tmp)
{
  /* virtio, virtio-transitional, virtio-non-transitional → base[-…]. */
  if (model == NULL || g_str_equal (model, "virtio"))
    return base;
  *tmp = g_strdup_printf ("%s-%s", base, model + strlen ("virtio-"));
  return *tmp;
}

static gboolean
add_device (GuestdQemuBuilder *b, GString *s, const GuestdDeviceInfo *info,
            GError **error)
{
  guint boot = guestd_qemu_builder_bootindex (b, info);

  guestd_qemu_opts_add (s, "id", info->alias);
  /* Drive addresses were written as bus=/unit= by the disk code. */
  if (info->addr.type != GUESTD_ADDR_DRIVE
      && !guestd_qemu_builder_address (b, s, info, error))
    return FALSE;
  if (boot > 0)
    guestd_qemu_opts_addf (s, "bootindex", "%u", boot);
  guestd_qemu_builder_add (b, "-device", s);
  return TRUE;
}

/* ---- controllers ---- */

static gboolean
build_pci_controller (GuestdQemuBuilder *b, GuestdControllerDef *c,
                      GString *s, GError **error)
{
  const char *m = c->model;

  if (g_str_equal (m, "pci-root") || g_str_equal (m, "pcie-root"))
    return TRUE;
  if (g_str_equal (m, "pcie-root-port"))
    {
      guestd_qemu_opts_add (s, NULL, "pcie-root-port");
      guestd_qemu_opts_addf (s, "port", "0x%x", c->target_port);
      guestd_qemu_opts_addf (s, "chassis", "%d", c->target_chassis);
    }
  else if (g_str_equal (m, "pci-bridge"))
    {
      guestd_qemu_opts_add (s, NULL, "pci-bridge");
      guestd_qemu_opts_addf (s, "chassis_nr", "%d", c->target_chassis);
    }
  else if (g_str_equal (m, "dmi-to-pci-bridge"))
    guestd_qemu_opts_add (s, NULL, "i82801b11-bridge");
  else if (g_str_equal (m, "pcie-to-pci-bridge"))
    guestd_qemu_opts_add (s, NULL, "pcie-pci-bridge");
  else if (g_str_equal (m, "pcie-switch-upstream-port"))
    guestd_qemu_opts_add (s, NULL, "x3130-upstream");
  else if (g_str_equal (m, "pcie-switch-downstream-port"))
    {
      guestd_qemu_opts_add (s, NULL, "xio3130-downstream");
      guestd_qemu_opts_addf (s, "port", "0x%x", MAX (c->target_port, 0));
      guestd_qemu_opts_addf (s, "chassis", "%d", MAX (c->target_chassis, 0));
    }
  else
    FAIL (GUESTD_ERROR_CONFIG_UNSUPPORTED,
          _("PCI controller model '%s' is not supported"), m);
  if ((g_str_equal (m, "pcie-root-port") || g_str_equal (m, "pcie-to-pci-bridge")
       || g_str_equal (m, "dmi-to-pci-bridge"))
      && !b->q35)
    FAIL (GUESTD_ERROR_CONFIG_UNSUPPORTED,
          _("PCI controller '%s' needs a q35 machine"), m);
  return add_device (b, s, &c->info, error);
}

static gboolean
build_usb_controller (GuestdQemuBuilder *b, GuestdControllerDef *c,
                      GString *s, GError **error)
{
  const char *dev;

  if (g_strcmp0 (c->model, "none") == 0)
    return TRUE;
  dev = guestd_qemu_usb_controller_device (c->model ? c->model
                                                    : (b->q35 ? "qemu-xhci"
                                                              : "piix3-uhci"));
  guestd_qemu_opts_add (s, NULL, dev);
  if (c->master_startport >= 0)
    {
      /* A UHCI companion shares its EHCI master's bus and id. */
      g_autofree char *alias = g_steal_pointer (&c->info.alias);

      c->info.alias = g_strdup_printf ("%s-companion%d", alias,
                                       c->master_startport);
      guestd_qemu_opts_addf (s, "masterbus", "%s.0", alias);
      guestd_qemu_opts_addf (s, "firstport", "%d", c->master_startport);
      guestd_qemu_opts_add (s, "id", c->info.alias);
      if (!guestd_qemu_builder_address (b, s, &c->info, error))
        return FALSE;
      guestd_qemu_builder_add (b, "-device", s);
      g_free (c->info.alias);
      c->info.alias = g_steal_pointer (&alias);
      return TRUE;
    }
  if (c->ports > 0 && g_str_has_suffix (dev, "xhci"))
    {
      guestd_qemu_opts_addf (s, "p2", "%u", c->ports);
      guestd_qemu_opts_addf (s, "p3", "%u", c->ports);
    }
  return add_device (b, s, &c->info, error);
}

static gboolean
build_controllers (GuestdQemuBuilder *b, gboolean pci, GError **error)
{
  for (guint i = 0; i < b->def->controllers->len; i++)
    {
      GuestdControllerDef *c = b->def->controllers->pdata[i];
      g_autoptr (GString) s = g_string_new (NULL);
      g_autofree char *tmp = NULL;
      gboolean ok = TRUE;

      if ((c->type == GUESTD_CONTROLLER_PCI) != pci)
        continue;
      switch (c->type)
        {
        case GUESTD_CONTROLLER_PCI:
          ok = build_pci_controller (b, c, s, error);
          break;
        case GUESTD_CONTROLLER_USB:
          ok = build_usb_controller (b, c, s, error);
          break;
        case GUESTD_CONTROLLER_IDE:
          if (b->q35 || c->index != 0)
            FAIL (GUESTD_ERROR_CONFIG_UNSUPPORTED,
                  _("IDE controller %d: only the built-in one of a pc "
                    "machine exists (use sata on q35)"),
                  c->index);
          break;
        case GUESTD_CONTROLLER_SATA:
          if (b->q35 && c->index == 0)
            break;
          guestd_qemu_opts_add (s, NULL, "ich9-ahci");
          ok = add_device (b, s, &c->info, error);
          break;
        case GUESTD_CONTROLLER_SCSI:
          if (g_strcmp0 (c->model, "lsilogic") == 0)
            guestd_qemu_opts_add (s, NULL, "lsi");
          else
            guestd_qemu_opts_add (s, NULL,
                                  virtio_variant (g_strcmp0 (c->model,
                                                             "virtio-scsi")
                                                      == 0
                                                    ? NULL
                                                    : c->model,
                                                  "virtio-scsi-pci", &tmp));
          if (c->queues > 0)
            guestd_qemu_opts_addf (s, "num_queues", "%u", c->queues);
          ok = add_device (b, s, &c->info, error);
          break;
        case GUESTD_CONTROLLER_VIRTIO_SERIAL:
          guestd_qemu_opts_add (s, NULL,
                                virtio_variant (c->model, "virtio-serial-pci",
                                                &tmp));
          if (c->ports > 0)
            guestd_qemu_opts_addf (s, "max_ports", "%u", c->ports);
          if (c->vectors > 0)
            guestd_qemu_opts_addf (s, "vectors", "%u", c->vectors);
          ok = add_device (b, s, &c->info, error);
          break;
        case GUESTD_CONTROLLER_FDC:
          if (b->q35)
            {
              guestd_qemu_opts_add (s, NULL, "isa-fdc");
              ok = add_device (b, s, &c->info, error);
            }
          break;
        default:
          break;
        }
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

/* ---- disks ---- */

static void
cache_flags (GuestdDiskCache cache, gboolean *direct, gboolean *no_flush,
             gboolean *write_cache)
{
  *direct = cache == GUESTD_DISK_CACHE_NONE
            || cache == GUESTD_DISK_CACHE_DIRECTSYNC;
  *no_flush = cache == GUESTD_DISK_CACHE_UNSAFE;
  *write_cache = cache != GUESTD_DISK_CACHE_WRITETHROUGH
                 && cache != GUESTD_DISK_CACHE_DIRECTSYNC;
}

static gboolean
build_blockdevs (GuestdQemuBuilder *b, GuestdDiskDef *d, guint n,
                 GError **error)
{
  g_autoptr (GString) s = g_string_new (NULL);
  gboolean direct, no_flush, wc;
  gboolean cdrom = d->device == GUESTD_DISK_DEVICE_CDROM;
  const char *fmt = d->format == GUESTD_DISK_FORMAT_NONE
                        || d->format == GUESTD_DISK_FORMAT_ISO
                      ? "raw"
                      : guestd_enum_to_string (&guestd_disk_format, d->format);

  cache_flags (d->cache, &direct, &no_flush, &wc);
  if (d->io == GUESTD_DISK_IO_NATIVE && !direct)
    FAIL (GUESTD_ERROR_CONFIG_UNSUPPORTED,
          _("disk '%s': io='native' needs cache='none' or 'directsync'"),
          d->target);

  guestd_qemu_opts_add (s, "driver",
                        d->type == GUESTD_DISK_TYPE_BLOCK
                          ? (cdrom ? "host_cdrom" : "host_device")
                          : "file");
  guestd_qemu_opts_add (s, "filename", d->src);
  guestd_qemu_opts_addf (s, "node-name", "disk%u-storage", n);
  if (d->io != GUESTD_DISK_IO_NONE)
    guestd_qemu_opts_add (s, "aio", guestd_enum_to_string (&guestd_disk_io,
                                                           d->io));
  if (d->cache != GUESTD_DISK_CACHE_NONE_GIVEN
      && d->cache != GUESTD_DISK_CACHE_DEFAULT)
    {
      guestd_qemu_opts_add (s, "cache.direct", direct ? "on" : "off");
      guestd_qemu_opts_add (s, "cache.no-flush", no_flush ? "on" : "off");
    }
  if (d->discard == GUESTD_DISK_DISCARD_UNMAP)
    guestd_qemu_opts_add (s, "discard", "unmap");
  guestd_qemu_opts_add (s, "auto-read-only", "on");
  guestd_qemu_builder_add (b, "-blockdev", s);

  g_string_truncate (s, 0);
  guestd_qemu_opts_addf (s, "node-name", "disk%u-format", n);
  guestd_qemu_opts_add (s, "read-only",
                        d->readonly || cdrom ? "on" : "off");
  guestd_qemu_opts_add (s, "driver", fmt);
  guestd_qemu_opts_addf (s, "file", "disk%u-storage", n);
  if (d->cache != GUESTD_DISK_CACHE_NONE_GIVEN
      && d->cache != GUESTD_DISK_CACHE_DEFAULT)
    {
      guestd_qemu_opts_add (s, "cache.direct", direct ? "on" : "off");
      guestd_qemu_opts_add (s, "cache.no-flush", no_flush ? "on" : "off");
    }
  if (d->discard == GUESTD_DISK_DISCARD_UNMAP)
    guestd_qemu_opts_add (s, "discard", "unmap");
  if (d->detect_zeroes != GUESTD_DISK_DETECT_ZEROES_NONE)
    guestd_qemu_opts_add (s, "detect-zeroes",
                          guestd_enum_to_string (&guestd_disk_detect_zeroes,
                                                 d->detect_zeroes));
  guestd_qemu_builder_add (b, "-blockdev", s);
  return TRUE;
}

static gboolean
build_disk (GuestdQemuBuilder *b, GuestdDiskDef *d, guint n, GError **error)
{
  g_autoptr (GString) s = g_string_new (NULL);
  const GuestdDeviceAddress *a = &d->info.addr;
  gboolean cdrom = d->device == GUESTD_DISK_DEVICE_CDROM;
  gboolean direct, no_flush, wc;
  GuestdControllerDef *c = NULL;

  if (d->src != NULL && !build_blockdevs (b, d, n, error))
    return FALSE;
  cache_flags (d->cache, &direct, &no_flush, &wc);

  if (a->type == GUESTD_ADDR_DRIVE)
    {
      GuestdControllerType ct = d->bus == GUESTD_DISK_BUS_IDE
                                  ? GUESTD_CONTROLLER_IDE
                                : d->bus == GUESTD_DISK_BUS_SATA
                                  ? GUESTD_CONTROLLER_SATA
                                : d->bus == GUESTD_DISK_BUS_SCSI
                                  ? GUESTD_CONTROLLER_SCSI
                                  : GUESTD_CONTROLLER_FDC;

      c = guestd_domain_def_find_controller (b->def, ct,
                                             (int) a->drive.controller);
      if (c == NULL && ct != GUESTD_CONTROLLER_FDC)
        FAIL (GUESTD_ERROR_CONFIG_UNSUPPORTED,
              _("disk '%s' needs %s controller %u, which is not defined"),
              d->target, guestd_enum_to_string (&guestd_controller_type, ct),
              a->drive.controller);
    }

  switch (d->bus)
    {
    case GUESTD_DISK_BUS_VIRTIO:
      guestd_qemu_opts_add (s, NULL, "virtio-blk-pci");
      break;
    case GUESTD_DISK_BUS_IDE:
      if (b->q35)
        FAIL (GUESTD_ERROR_CONFIG_UNSUPPORTED,
              _("disk '%s': q35 machines have no IDE bus; use "
                "bus='sata'"),
              d->target);
      guestd_qemu_opts_add (s, NULL, cdrom ? "ide-cd" : "ide-hd");
      guestd_qemu_opts_addf (s, "bus", "ide.%u", a->drive.bus);
      guestd_qemu_opts_addf (s, "unit", "%u", a->drive.unit);
      break;
    case GUESTD_DISK_BUS_SATA:
      guestd_qemu_opts_add (s, NULL, cdrom ? "ide-cd" : "ide-hd");
      guestd_qemu_opts_addf (s, "bus", "%s.%u", c->info.alias, a->drive.unit);
      break;
    case GUESTD_DISK_BUS_SCSI:
      guestd_qemu_opts_add (s, NULL,
                            cdrom ? "scsi-cd"
                            : d->device == GUESTD_DISK_DEVICE_LUN ? "scsi-block"
                                                                  : "scsi-hd");
      guestd_qemu_opts_addf (s, "bus", "%s.0", c->info.alias);
      guestd_qemu_opts_add (s, "channel", "0");
      guestd_qemu_opts_addf (s, "scsi-id", "%u", a->drive.target);
      guestd_qemu_opts_addf (s, "lun", "%u", a->drive.unit);
      break;
    case GUESTD_DISK_BUS_USB:
      guestd_qemu_opts_add (s, NULL, "usb-storage");
      if (d->removable != GUESTD_TRISTATE_ABSENT)
        guestd_qemu_opts_add (s, "removable",
                              d->removable == GUESTD_TRISTATE_YES ? "on"
                                                                  : "off");
      break;
    case GUESTD_DISK_BUS_FDC:
      guestd_qemu_opts_add (s, NULL, "floppy");
      guestd_qemu_opts_addf (s, "unit", "%u", a->drive.unit);
      break;
    default:
      FAIL (GUESTD_ERROR_CONFIG_UNSUPPORTED, _("disk '%s': unsupported bus"),
            d->target);
    }
  if (d->src != NULL)
    guestd_qemu_opts_addf (s, "drive", "disk%u-format", n);
  if (d->serial != NULL)
    guestd_qemu_opts_add (s, "serial", d->serial);
  if (d->has_driver && d->cache != GUESTD_DISK_CACHE_NONE_GIVEN
      && d->cache != GUESTD_DISK_CACHE_DEFAULT && !cdrom
      && d->bus != GUESTD_DISK_BUS_FDC && d->device != GUESTD_DISK_DEVICE_LUN)
    guestd_qemu_opts_add (s, "write-cache", wc ? "on" : "off");
  if (d->readonly && !cdrom && d->bus == GUESTD_DISK_BUS_IDE)
    FAIL (GUESTD_ERROR_CONFIG_UNSUPPORTED,
          _("disk '%s': IDE hard disks cannot be read-only; use a CD-ROM, "
            "virtio or scsi"),
          d->target);
  return add_device (b, s, &d->info, error);
}

/* ---- network ---- */

static gboolean
build_net (GuestdQemuBuilder *b, GuestdNetDef *n, guint i, GError **error)
{
  g_autoptr (GString) s = g_string_new (NULL);
  const GuestdQemuBuildOptions *o = b->opts;
  int fd = i < o->n_tap_fds ? o->tap_fds[i] : -1;
  g_autofree char *netdev = g_strdup_printf ("host%s", n->info.alias);
  const char *model = n->model ? n->model : (b->q35 ? "e1000e" : "e1000");

  switch (n->type)
    {
    case GUESTD_NET_USER:
      guestd_qemu_opts_add (s, NULL, "user");
      break;
    case GUESTD_NET_BRIDGE:
      if (fd >= 0)
        {
          guestd_qemu_opts_add (s, NULL, "tap");
          guestd_qemu_opts_addf (s, "fd", "%d", fd);
        }
      else
        {
          /* Without a TAP device from the service, QEMU asks the setuid
           * qemu-bridge-helper (allowed bridges: /etc/qemu/bridge.conf). */
          guestd_qemu_opts_add (s, NULL, "bridge");
          guestd_qemu_opts_add (s, "br", n->source);
          b->uses_spawn = TRUE;
        }
      break;
    case GUESTD_NET_ETHERNET:
      guestd_qemu_opts_add (s, NULL, "tap");
      if (fd >= 0)
        guestd_qemu_opts_addf (s, "fd", "%d", fd);
      else
        {
          if (n->target_dev == NULL)
            FAIL (GUESTD_ERROR_CONFIG_UNSUPPORTED,
                  _("interface %s: type='ethernet' needs <target dev='…'/> "
                    "naming an existing TAP device"),
                  n->mac);
          guestd_qemu_opts_add (s, "ifname", n->target_dev);
          guestd_qemu_opts_add (s, "script", "no");
          guestd_qemu_opts_add (s, "downscript", "no");
        }
      break;
    case GUESTD_NET_NETWORK:
      FAIL (GUESTD_ERROR_CONFIG_UNSUPPORTED,
            _("interface %s: guestd does not manage virtual networks "
              "('%s'); use type='user', or type='bridge' with the network's "
              "bridge (libvirt's 'default' network is bridge virbr0)"),
            n->mac, n->source);
    default:
      break;
    }
  if (g_strcmp0 (n->driver_name, "vhost") == 0)
    {
      /* vhost-net works on a TAP device QEMU holds; user networking has
       * none, and qemu-bridge-helper cannot ask for it. */
      if (n->type == GUESTD_NET_USER || (n->type == GUESTD_NET_BRIDGE && fd < 0))
        FAIL (GUESTD_ERROR_CONFIG_UNSUPPORTED,
              _("interface %s: <driver name='vhost'/> needs a TAP device: "
                "type='ethernet', or type='bridge' on the system "
                "instance"),
              n->mac);
      guestd_qemu_opts_add (s, "vhost", "on");
    }
  guestd_qemu_opts_add (s, "id", netdev);
  guestd_qemu_builder_add (b, "-netdev", s);

  g_string_truncate (s, 0);
  guestd_qemu_opts_add (s, NULL, guestd_qemu_net_device (model));
  guestd_qemu_opts_add (s, "netdev", netdev);
  guestd_qemu_opts_add (s, "mac", n->mac);
  if (n->mtu > 0)
    {
      if (!g_str_has_prefix (model, "virtio"))
        FAIL (GUESTD_ERROR_CONFIG_UNSUPPORTED,
              _("interface %s: <mtu> needs a virtio NIC"), n->mac);
      guestd_qemu_opts_addf (s, "host_mtu", "%u", n->mtu);
    }
  return add_device (b, s, &n->info, error);
}

/* ---- character devices ---- */

static gboolean
build_chardev (GuestdQemuBuilder *b, GuestdChrDef *c, const char *id,
               GError **error)
{
  g_autoptr (GString) s = g_string_new (NULL);

  switch (c->type)
    {
    case GUESTD_CHR_NULL:
    case GUESTD_CHR_VC:
    case GUESTD_CHR_PTY:
    case GUESTD_CHR_STDIO:
      guestd_qemu_opts_add (s, NULL, guestd_enum_to_string (&guestd_chr_type,
                                                            c->type));
      break;
    case GUESTD_CHR_DEV:
      guestd_qemu_opts_add (s, NULL,
                            c->device == GUESTD_CHR_DEV_PARALLEL ? "parallel"
                                                                 : "tty");
      guestd_qemu_opts_add (s, "path", c->path);
      break;
    case GUESTD_CHR_FILE:
      guestd_qemu_opts_add (s, NULL, "file");
      guestd_qemu_opts_add (s, "path", c->path);
      if (c->append != GUESTD_TRISTATE_ABSENT)
        guestd_qemu_opts_add (s, "append",
                              c->append == GUESTD_TRISTATE_YES ? "on" : "off");
      break;
    case GUESTD_CHR_PIPE:
      guestd_qemu_opts_add (s, NULL, "pipe");
      guestd_qemu_opts_add (s, "path", c->path);
      break;
    case GUESTD_CHR_UNIX:
      if (c->path == NULL)
        {
          if (b->opts->channel_dir == NULL)
            FAIL (GUESTD_ERROR_CONFIG_UNSUPPORTED,
                  _("%s '%s': a unix socket without a path needs the "
                    "service to choose one"),
                  guestd_enum_to_string (&guestd_chr_device, c->device),
                  c->info.alias);
          c->path = g_strdup_printf ("%s/%s", b->opts->channel_dir,
                                     c->target_name ? c->target_name
                                                    : c->info.alias);
          if (c->mode == GUESTD_CHR_MODE_NONE)
            c->mode = GUESTD_CHR_MODE_BIND;
        }
      guestd_qemu_opts_add (s, NULL, "socket");
      guestd_qemu_opts_add (s, "path", c->path);
      if (c->mode != GUESTD_CHR_MODE_CONNECT)
        {
          guestd_qemu_opts_add (s, "server", "on");
          guestd_qemu_opts_add (s, "wait", "off");
        }
      break;
    case GUESTD_CHR_TCP:
      guestd_qemu_opts_add (s, NULL, "socket");
      guestd_qemu_opts_add (s, "host", c->host ? c->host : "127.0.0.1");
      guestd_qemu_opts_add (s, "port", c->service);
      if (c->mode != GUESTD_CHR_MODE_CONNECT)
        {
          guestd_qemu_opts_add (s, "server", "on");
          guestd_qemu_opts_add (s, "wait", "off");
        }
      if (c->protocol == GUESTD_CHR_PROTOCOL_TELNET)
        guestd_qemu_opts_add (s, "telnet", "on");
      break;
    case GUESTD_CHR_SPICEVMC:
      guestd_qemu_opts_add (s, NULL, "spicevmc");
      guestd_qemu_opts_add (s, "name", "vdagent");
      break;
    case GUESTD_CHR_SPICEPORT:
      guestd_qemu_opts_add (s, NULL, "spiceport");
      guestd_qemu_opts_add (s, "name", c->channel);
      break;
    default:
      FAIL (GUESTD_ERROR_CONFIG_UNSUPPORTED,
            _("character device type is not supported"));
    }
  guestd_qemu_opts_add (s, "id", id);
  if (c->log_file != NULL)
    {
      guestd_qemu_opts_add (s, "logfile", c->log_file);
      if (c->log_append != GUESTD_TRISTATE_ABSENT)
        guestd_qemu_opts_add (s, "logappend",
                              c->log_append == GUESTD_TRISTATE_YES ? "on"
                                                                   : "off");
    }
  guestd_qemu_builder_add (b, "-chardev", s);
  return TRUE;
}

static gboolean
build_serial (GuestdQemuBuilder *b, GuestdChrDef *c, GError **error)
{
  g_autoptr (GString) s = g_string_new (NULL);
  g_autofree char *id = g_strdup_printf ("char%s", c->info.alias);

  if (!build_chardev (b, c, id, error))
    return FALSE;
  switch (c->target_type)
    {
    case GUESTD_CHR_TARGET_USB_SERIAL:
      guestd_qemu_opts_add (s, NULL, "usb-serial");
      break;
    case GUESTD_CHR_TARGET_PCI_SERIAL:
      guestd_qemu_opts_add (s, NULL, "pci-serial");
      break;
    default:
      guestd_qemu_opts_add (s, NULL, "isa-serial");
      guestd_qemu_opts_addf (s, "index", "%d", c->target_port);
    }
  guestd_qemu_opts_add (s, "chardev", id);
  return add_device (b, s, &c->info, error);
}

static gboolean
build_chrs (GuestdQemuBuilder *b, GError **error)
{
  GuestdDomainDef *def = b->def;

  for (guint i = 0; i < def->serials->len; i++)
    if (!build_serial (b, def->serials->pdata[i], error))
      return FALSE;

  for (guint i = 0; i < def->parallels->len; i++)
    {
      GuestdChrDef *c = def->parallels->pdata[i];
      g_autoptr (GString) s = g_string_new (NULL);
      g_autofree char *id = g_strdup_printf ("char%s", c->info.alias);

      if (!build_chardev (b, c, id, error))
        return FALSE;
      guestd_qemu_opts_add (s, NULL, "isa-parallel");
      guestd_qemu_opts_addf (s, "index", "%d", c->target_port);
      guestd_qemu_opts_add (s, "chardev", id);
      if (!add_device (b, s, &c->info, error))
        return FALSE;
    }

  for (guint i = 0; i < def->consoles->len; i++)
    {
      GuestdChrDef *c = def->consoles->pdata[i];
      g_autoptr (GString) s = g_string_new (NULL);
      g_autofree char *id = g_strdup_printf ("char%s", c->info.alias);

      /* The serial console is the serial port of that number, which
       * post-parse always pairs with it. */
      if (c->target_type == GUESTD_CHR_TARGET_SERIAL)
        continue;
      if (!build_chardev (b, c, id, error))
        return FALSE;
      guestd_qemu_opts_add (s, NULL, "virtconsole");
      guestd_qemu_opts_add (s, "chardev", id);
      if (c->info.addr.type == GUESTD_ADDR_NONE)
        guestd_qemu_opts_add (s, "bus", "virtio-serial0.0");
      if (!add_device (b, s, &c->info, error))
        return FALSE;
    }

  for (guint i = 0; i < def->channels->len; i++)
    {
      GuestdChrDef *c = def->channels->pdata[i];
      g_autoptr (GString) s = g_string_new (NULL);
      g_autofree char *id = g_strdup_printf ("char%s", c->info.alias);

      if (c->target_type == GUESTD_CHR_TARGET_GUESTFWD)
        FAIL (GUESTD_ERROR_CONFIG_UNSUPPORTED,
              _("guestfwd channels are not supported"));
      if (!build_chardev (b, c, id, error))
        return FALSE;
      guestd_qemu_opts_add (s, NULL, "virtserialport");
      if (c->info.addr.type == GUESTD_ADDR_NONE)
        guestd_qemu_opts_add (s, "bus", "virtio-serial0.0");
      guestd_qemu_opts_add (s, "chardev", id);
      guestd_qemu_opts_add (s, "name",
                            c->target_name ? c->target_name
                                           : "com.redhat.spice.0");
      if (!add_device (b, s, &c->info, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- input, graphics, video, sound ---- */

static gboolean
build_inputs (GuestdQemuBuilder *b, GError **error)
{
  for (guint i = 0; i < b->def->inputs->len; i++)
    {
      GuestdInputDef *in = b->def->inputs->pdata[i];
      g_autoptr (GString) s = g_string_new (NULL);
      static const char *const usb[] = { NULL, "usb-mouse", "usb-tablet",
                                         "usb-kbd" };
      static const char *const virtio[] = { NULL, "virtio-mouse-pci",
                                            "virtio-tablet-pci",
                                            "virtio-keyboard-pci" };

      if (in->bus == GUESTD_INPUT_BUS_PS2)
        continue; /* the i8042 every PC has */
      guestd_qemu_opts_add (s, NULL, in->bus == GUESTD_INPUT_BUS_USB
                                       ? usb[in->type]
                                       : virtio[in->type]);
      if (!add_device (b, s, &in->info, error))
        return FALSE;
    }
  return TRUE;
}

static void
add_listen (GString *s, const char *addr, const char *display)
{
  /* An IPv6 address needs brackets before the ":display". */
  if (strchr (addr, ':') != NULL)
    g_string_append_printf (s, "[%s]%s", addr, display);
  else
    g_string_append_printf (s, "%s%s", addr, display);
}

static gboolean
build_vnc (GuestdQemuBuilder *b, GuestdGraphicsDef *g, GError **error)
{
  g_autoptr (GString) s = g_string_new (NULL);
  const char *addr = g->listen ? g->listen : b->opts->vnc_listen;

  if (g->listen_type == GUESTD_LISTEN_SOCKET)
    {
      g_autoptr (GString) path = g_string_new (NULL);

      guestd_qemu_opts_add (path, NULL, g->listen);
      g_string_append_printf (s, "unix:%s", path->str);
    }
  else if (g->listen_type == GUESTD_LISTEN_NONE)
    g_string_append (s, "none");
  else if (g->autoport == GUESTD_TRISTATE_YES)
    {
      /* QEMU searches for a free display itself: no race with other
       * programs between choosing a port and binding it. */
      add_listen (s, addr, ":0");
      guestd_qemu_opts_add (s, "to", "99");
    }
  else
    {
      g_autofree char *disp = g_strdup_printf (":%d", g->port - 5900);

      add_listen (s, addr, disp);
    }
  if (g->websocket != 0)
    guestd_qemu_opts_addf (s, "websocket", "%d",
                           g->websocket > 0 ? g->websocket : 5700);
  if (g->passwd != NULL)
    {
      if (b->opts->native)
        {
          /* Inline so the pasted line works; never on a service's command
           * line, where every local user could read it. */
          g_autoptr (GString) sec = g_string_new (NULL);

          guestd_qemu_opts_add (sec, NULL, "secret");
          guestd_qemu_opts_add (sec, "id", "vnc-secret0");
          guestd_qemu_opts_add (sec, "data", g->passwd);
          guestd_qemu_builder_add (b, "-object", sec);
          guestd_qemu_opts_add (s, "password-secret", "vnc-secret0");
        }
      else
        guestd_qemu_opts_add (s, "password", "on");
    }
  if (b->def->sounds->len > 0)
    guestd_qemu_opts_add (s, "audiodev", b->audiodev);
  guestd_qemu_builder_add (b, "-vnc", s);
  if (g->keymap != NULL)
    guestd_qemu_command_add_pair (b->cmd, "-k", g->keymap);
  return TRUE;
}

static gboolean
build_spice (GuestdQemuBuilder *b, GuestdGraphicsDef *g, GError **error)
{
  g_autoptr (GString) s = g_string_new (NULL);

  if (g->listen_type == GUESTD_LISTEN_SOCKET)
    {
      guestd_qemu_opts_add (s, "unix", "on");
      guestd_qemu_opts_add (s, "addr", g->listen);
    }
  else if (g->listen_type != GUESTD_LISTEN_NONE)
    {
      const char *addr = g->listen ? g->listen : b->opts->vnc_listen;

      /* SPICE cannot search for a free port as VNC can: choose one now. */
      if (g->port <= 0)
        g->port = guestd_find_free_port (addr, 5900, 65535);
      if (g->port <= 0)
        FAIL (GUESTD_ERROR_OPERATION_FAILED,
              _("no free TCP port for SPICE on %s"), addr);
      guestd_qemu_opts_addf (s, "port", "%d", g->port);
      guestd_qemu_opts_add (s, "addr", addr);
    }
  if (g->passwd == NULL)
    guestd_qemu_opts_add (s, "disable-ticketing", "on");
  else if (b->opts->native)
    {
      g_autoptr (GString) sec = g_string_new (NULL);

      guestd_qemu_opts_add (sec, NULL, "secret");
      guestd_qemu_opts_add (sec, "id", "spice-secret0");
      guestd_qemu_opts_add (sec, "data", g->passwd);
      guestd_qemu_builder_add (b, "-object", sec);
      guestd_qemu_opts_add (s, "password-secret", "spice-secret0");
    }
  if (g->image_compression != GUESTD_SPICE_IMAGE_NONE)
    guestd_qemu_opts_add (s, "image-compression",
                          guestd_enum_to_string (&guestd_spice_image,
                                                 g->image_compression));
  if (g->gl == GUESTD_TRISTATE_YES)
    guestd_qemu_opts_add (s, "gl", "on");
  guestd_qemu_opts_add (s, "seamless-migration", "on");
  guestd_qemu_builder_add (b, "-spice", s);
  if (g->keymap != NULL)
    guestd_qemu_command_add_pair (b->cmd, "-k", g->keymap);
  return TRUE;
}

static gboolean
build_graphics (GuestdQemuBuilder *b, GError **error)
{
  GuestdDomainDef *def = b->def;
  gboolean display = FALSE;

  for (guint i = 0; i < def->graphics->len; i++)
    {
      GuestdGraphicsDef *g = def->graphics->pdata[i];

      switch (g->type)
        {
        case GUESTD_GRAPHICS_VNC:
          if (!build_vnc (b, g, error))
            return FALSE;
          break;
        case GUESTD_GRAPHICS_SPICE:
          if (!build_spice (b, g, error))
            return FALSE;
          break;
        case GUESTD_GRAPHICS_SDL:
          guestd_qemu_command_add_pair (b->cmd, "-display",
                                        g->gl == GUESTD_TRISTATE_YES
                                          ? "sdl,gl=on"
                                          : "sdl");
          display = TRUE;
          break;
        case GUESTD_GRAPHICS_EGL_HEADLESS:
          guestd_qemu_command_add_pair (b->cmd, "-display", "egl-headless");
          display = TRUE;
          break;
        case GUESTD_GRAPHICS_DBUS:
          guestd_qemu_command_add_pair (b->cmd, "-display", "dbus");
          display = TRUE;
          break;
        default:
          break;
        }
    }
  /* VNC and SPICE are not local displays; without one, say so, or QEMU
   * would try to open a window. */
  if (!display)
    guestd_qemu_command_add_pair (b->cmd, "-display", "none");
  return TRUE;
}

static gboolean
build_videos (GuestdQemuBuilder *b, GError **error)
{
  for (guint i = 0; i < b->def->videos->len; i++)
    {
      GuestdVideoDef *v = b->def->videos->pdata[i];
      g_autoptr (GString) s = g_string_new (NULL);
      gboolean primary = i == 0;
      const char *dev = guestd_qemu_video_device (v->model, primary);

      if (v->model == GUESTD_VIDEO_NONE)
        continue;
      if (dev == NULL)
        FAIL (GUESTD_ERROR_CONFIG_UNSUPPORTED,
              _("video model is not supported"));
      guestd_qemu_opts_add (s, NULL, dev);
      switch (v->model)
        {
        case GUESTD_VIDEO_QXL:
          if (v->ram)
            guestd_qemu_opts_addf (s, "ram_size", "%u", v->ram * 1024);
          if (v->vram)
            guestd_qemu_opts_addf (s, "vram_size", "%u", v->vram * 1024);
          if (v->vram64)
            guestd_qemu_opts_addf (s, "vram64_size_mb", "%u", v->vram64 / 1024);
          if (v->vgamem)
            guestd_qemu_opts_addf (s, "vgamem_mb", "%u", v->vgamem / 1024);
          if (v->heads)
            guestd_qemu_opts_addf (s, "max_outputs", "%u", v->heads);
          break;
        case GUESTD_VIDEO_VGA:
        case GUESTD_VIDEO_BOCHS:
          if (v->vram)
            guestd_qemu_opts_addf (s, "vgamem_mb", "%u", v->vram / 1024);
          break;
        case GUESTD_VIDEO_VIRTIO:
          if (v->heads)
            guestd_qemu_opts_addf (s, "max_outputs", "%u", v->heads);
          if (v->accel3d == GUESTD_TRISTATE_YES)
            FAIL (GUESTD_ERROR_CONFIG_UNSUPPORTED,
                  _("3D acceleration (virgl) is not supported"));
          break;
        default:
          break;
        }
      if (v->model == GUESTD_VIDEO_RAMFB)
        {
          guestd_qemu_opts_add (s, "id", v->info.alias);
          guestd_qemu_builder_add (b, "-device", s);
          continue;
        }
      if (!add_device (b, s, &v->info, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
build_sounds (GuestdQemuBuilder *b, GError **error)
{
  GuestdDomainDef *def = b->def;
  gboolean spice = FALSE;

  if (def->sounds->len == 0)
    return TRUE;
  for (guint i = 0; i < def->graphics->len; i++)
    spice |= ((GuestdGraphicsDef *) def->graphics->pdata[i])->type
             == GUESTD_GRAPHICS_SPICE;
  {
    g_autoptr (GString) s = g_string_new (NULL);

    /* Sound goes to the SPICE client when there is one; else nowhere, so
     * that QEMU never opens the host's audio devices. */
    guestd_qemu_opts_add (s, NULL, spice ? "spice" : "none");
    guestd_qemu_opts_add (s, "id", b->audiodev);
    guestd_qemu_builder_add (b, "-audiodev", s);
  }
  for (guint i = 0; i < def->sounds->len; i++)
    {
      GuestdSoundDef *snd = def->sounds->pdata[i];
      g_autoptr (GString) s = g_string_new (NULL);
      gboolean hda = snd->model == GUESTD_SOUND_ICH6
                     || snd->model == GUESTD_SOUND_ICH9;

      guestd_qemu_opts_add (s, NULL, guestd_qemu_sound_device (snd->model));
      if (!hda)
        guestd_qemu_opts_add (s, "audiodev", b->audiodev);
      if (!add_device (b, s, &snd->info, error))
        return FALSE;
      if (!hda)
        continue;
      for (guint c = 0; c < MAX (snd->codecs->len, 1); c++)
        {
          GuestdSoundCodec codec
            = snd->codecs->len > 0
                ? g_array_index (snd->codecs, GuestdSoundCodec, c)
                : GUESTD_CODEC_DUPLEX;

          g_string_truncate (s, 0);
          guestd_qemu_opts_addf (s, NULL, "hda-%s",
                                 guestd_enum_to_string (&guestd_sound_codec,
                                                        codec));
          guestd_qemu_opts_addf (s, "id", "%s-codec%u", snd->info.alias, c);
          guestd_qemu_opts_addf (s, "bus", "%s.0", snd->info.alias);
          guestd_qemu_opts_addf (s, "cad", "%u", c);
          guestd_qemu_opts_add (s, "audiodev", b->audiodev);
          guestd_qemu_builder_add (b, "-device", s);
        }
    }
  return TRUE;
}

/* ---- the rest ---- */

static gboolean
build_small_devices (GuestdQemuBuilder *b, GError **error)
{
  GuestdDomainDef *def = b->def;

  for (guint i = 0; i < def->redirdevs->len; i++)
    {
      GuestdRedirdevDef *r = def->redirdevs->pdata[i];
      g_autoptr (GString) s = g_string_new (NULL);
      g_autofree char *id = g_strdup_printf ("char%s", r->info.alias);

      if (r->type == GUESTD_CHR_TCP)
        {
          guestd_qemu_opts_add (s, NULL, "socket");
          guestd_qemu_opts_add (s, "host", r->host);
          guestd_qemu_opts_add (s, "port", r->service);
        }
      else
        {
          guestd_qemu_opts_add (s, NULL, "spicevmc");
          guestd_qemu_opts_add (s, "name", "usbredir");
        }
      guestd_qemu_opts_add (s, "id", id);
      guestd_qemu_builder_add (b, "-chardev", s);
      g_string_truncate (s, 0);
      guestd_qemu_opts_add (s, NULL, "usb-redir");
      guestd_qemu_opts_add (s, "chardev", id);
      if (!add_device (b, s, &r->info, error))
        return FALSE;
    }
  for (guint i = 0; i < def->watchdogs->len; i++)
    {
      GuestdWatchdogDef *w = def->watchdogs->pdata[i];
      g_autoptr (GString) s = g_string_new (NULL);
      const char *action = guestd_enum_to_string (&guestd_watchdog_action,
                                                  w->action);

      if (w->action == GUESTD_WATCHDOG_ACTION_DUMP)
        FAIL (GUESTD_ERROR_CONFIG_UNSUPPORTED,
              _("watchdog action 'dump' is not supported"));
      if (w->model == GUESTD_WATCHDOG_ITCO)
        {
          if (!b->q35)
            FAIL (GUESTD_ERROR_CONFIG_UNSUPPORTED,
                  _("the itco watchdog is part of q35 machines only"));
        }
      else
        {
          guestd_qemu_opts_add (s, NULL,
                                guestd_enum_to_string (&guestd_watchdog_model,
                                                       w->model));
          if (!add_device (b, s, &w->info, error))
            return FALSE;
        }
      if (action != NULL)
        {
          g_autofree char *a = g_strdup_printf ("watchdog=%s", action);

          guestd_qemu_command_add_pair (b->cmd, "-action", a);
        }
    }
  if (def->memballoon != NULL && def->memballoon->model == GUESTD_BALLOON_VIRTIO)
    {
      GuestdBalloonDef *bl = def->memballoon;
      g_autoptr (GString) s = g_string_new (NULL);

      guestd_qemu_opts_add (s, NULL, "virtio-balloon-pci");
      if (bl->autodeflate != GUESTD_TRISTATE_ABSENT)
        guestd_qemu_opts_add (s, "deflate-on-oom",
                              bl->autodeflate == GUESTD_TRISTATE_YES ? "on"
                                                                     : "off");
      if (bl->free_page_reporting != GUESTD_TRISTATE_ABSENT)
        guestd_qemu_opts_add (s, "free-page-reporting",
                              bl->free_page_reporting == GUESTD_TRISTATE_YES
                                ? "on"
                                : "off");
      if (!add_device (b, s, &bl->info, error))
        return FALSE;
    }
  for (guint i = 0; i < def->rngs->len; i++)
    {
      GuestdRngDef *r = def->rngs->pdata[i];
      g_autoptr (GString) s = g_string_new (NULL);
      g_autofree char *obj = g_strdup_printf ("obj%s", r->info.alias);
      g_autofree char *tmp = NULL;

      if (r->backend == GUESTD_RNG_BACKEND_RANDOM)
        {
          guestd_qemu_opts_add (s, NULL, "rng-random");
          guestd_qemu_opts_add (s, "id", obj);
          guestd_qemu_opts_add (s, "filename", r->device);
        }
      else
        {
          guestd_qemu_opts_add (s, NULL, "rng-builtin");
          guestd_qemu_opts_add (s, "id", obj);
        }
      guestd_qemu_builder_add (b, "-object", s);
      g_string_truncate (s, 0);
      guestd_qemu_opts_add (s, NULL, virtio_variant (r->model, "virtio-rng-pci",
                                                     &tmp));
      guestd_qemu_opts_add (s, "rng", obj);
      if (r->rate_bytes > 0)
        {
          guestd_qemu_opts_addf (s, "max-bytes", "%u", r->rate_bytes);
          guestd_qemu_opts_addf (s, "period", "%u",
                                 r->rate_period > 0 ? r->rate_period : 1000);
        }
      if (!add_device (b, s, &r->info, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
guestd_qemu_build_devices (GuestdQemuBuilder *b, GError **error)
{
  GuestdDomainDef *def = b->def;

  b->audiodev = g_strdup ("audio1");
  /* Buses before what plugs into them: PCI first, then the rest. */
  if (!build_controllers (b, TRUE, error)
      || !build_controllers (b, FALSE, error))
    return FALSE;
  for (guint i = 0; i < def->disks->len; i++)
    if (!build_disk (b, def->disks->pdata[i], i, error))
      return FALSE;
  for (guint i = 0; i < def->nets->len; i++)
    if (!build_net (b, def->nets->pdata[i], i, error))
      return FALSE;
  return build_chrs (b, error) && build_inputs (b, error)
         && build_graphics (b, error) && build_videos (b, error)
         && build_sounds (b, error) && build_small_devices (b, error);
}
