/* Rules a complete definition must follow that no single element can check
 * alone: unique targets, MACs, ports and boot orders; devices on buses that
 * can carry them; settings that only make sense together. */
#include "config.h"

#include "domain.h"

#include "util/error.h"
#include "util/i18n.h"

#define FAIL(...)                                                             \
  do                                                                          \
    {                                                                         \
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_XML, __VA_ARGS__);       \
      return FALSE;                                                           \
    }                                                                         \
  while (0)

static gboolean
validate_disks (const GuestdDomainDef *def, GError **error)
{
  for (guint i = 0; i < def->disks->len; i++)
    {
      const GuestdDiskDef *d = def->disks->pdata[i];
      GuestdAddressType want = GUESTD_ADDR_NONE;

      for (guint j = 0; j < i; j++)
        {
          const GuestdDiskDef *o = def->disks->pdata[j];

          if (g_str_equal (d->target, o->target))
            FAIL (_("two disks use target '%s'"), d->target);
          if (d->bus == o->bus && d->info.addr.type == GUESTD_ADDR_DRIVE
              && o->info.addr.type == GUESTD_ADDR_DRIVE
              && d->info.addr.drive.controller == o->info.addr.drive.controller
              && d->info.addr.drive.bus == o->info.addr.drive.bus
              && d->info.addr.drive.target == o->info.addr.drive.target
              && d->info.addr.drive.unit == o->info.addr.drive.unit)
            FAIL (_("disks '%s' and '%s' have the same drive address"),
                  o->target, d->target);
        }
      if ((d->device == GUESTD_DISK_DEVICE_CDROM
           || d->device == GUESTD_DISK_DEVICE_FLOPPY)
          && d->bus == GUESTD_DISK_BUS_VIRTIO)
        FAIL (_("disk '%s': a %s cannot be on the virtio bus (use sata, "
                "scsi or ide)"),
              d->target, guestd_enum_to_string (&guestd_disk_device,
                                                d->device));
      if ((d->device == GUESTD_DISK_DEVICE_FLOPPY)
          != (d->bus == GUESTD_DISK_BUS_FDC))
        FAIL (_("disk '%s': floppies and only floppies go on the fdc bus"),
              d->target);
      if (d->device == GUESTD_DISK_DEVICE_LUN
          && (d->bus != GUESTD_DISK_BUS_SCSI || d->type != GUESTD_DISK_TYPE_BLOCK))
        FAIL (_("disk '%s': a lun must be a block device on the scsi bus"),
              d->target);
      if (d->src == NULL && d->device != GUESTD_DISK_DEVICE_CDROM
          && d->device != GUESTD_DISK_DEVICE_FLOPPY)
        FAIL (_("disk '%s' needs a <source> (only CD-ROM and floppy drives "
                "may be empty)"),
              d->target);
      if (d->tray != GUESTD_DISK_TRAY_NONE
          && d->device != GUESTD_DISK_DEVICE_CDROM
          && d->device != GUESTD_DISK_DEVICE_FLOPPY)
        FAIL (_("disk '%s': only removable media have a tray"), d->target);
      if (d->removable != GUESTD_TRISTATE_ABSENT
          && d->bus != GUESTD_DISK_BUS_USB)
        FAIL (_("disk '%s': 'removable' is only for usb disks"), d->target);
      if (d->readonly && d->shareable)
        FAIL (_("disk '%s' cannot be both <readonly/> and <shareable/>"),
              d->target);

      switch (d->bus)
        {
        case GUESTD_DISK_BUS_VIRTIO:
          want = GUESTD_ADDR_PCI;
          break;
        case GUESTD_DISK_BUS_USB:
          want = GUESTD_ADDR_USB;
          break;
        default:
          want = GUESTD_ADDR_DRIVE;
        }
      if (d->info.addr.type != GUESTD_ADDR_NONE && d->info.addr.type != want)
        FAIL (_("disk '%s' on bus %s needs a '%s' address, not '%s'"),
              d->target, guestd_enum_to_string (&guestd_disk_bus, d->bus),
              guestd_enum_to_string (&guestd_address_type, want),
              guestd_enum_to_string (&guestd_address_type,
                                     d->info.addr.type));
      if (d->bus == GUESTD_DISK_BUS_IDE && d->info.addr.type == GUESTD_ADDR_DRIVE
          && (d->info.addr.drive.bus > 1 || d->info.addr.drive.unit > 1))
        FAIL (_("disk '%s': an IDE controller has buses 0-1 and units 0-1"),
              d->target);
      if (d->bus == GUESTD_DISK_BUS_SATA
          && d->info.addr.type == GUESTD_ADDR_DRIVE
          && (d->info.addr.drive.bus != 0 || d->info.addr.drive.unit > 5))
        FAIL (_("disk '%s': a SATA controller has bus 0 and units 0-5"),
              d->target);
      if (d->bus == GUESTD_DISK_BUS_FDC
          && d->info.addr.type == GUESTD_ADDR_DRIVE
          && d->info.addr.drive.unit > 1)
        FAIL (_("disk '%s': the floppy controller has units 0-1"), d->target);
    }
  return TRUE;
}

static gboolean
validate_controllers (const GuestdDomainDef *def, GError **error)
{
  for (guint i = 0; i < def->controllers->len; i++)
    {
      const GuestdControllerDef *c = def->controllers->pdata[i];
      const char *type = guestd_enum_to_string (&guestd_controller_type,
                                                c->type);

      for (guint j = 0; j < i; j++)
        {
          const GuestdControllerDef *o = def->controllers->pdata[j];

          /* USB companions share their master's index. */
          if (o->type == c->type && o->index == c->index
              && !(c->type == GUESTD_CONTROLLER_USB
                   && (c->master_startport >= 0 || o->master_startport >= 0)))
            FAIL (_("two %s controllers have index %d"), type, c->index);
        }
      if (c->type == GUESTD_CONTROLLER_PCI && c->model != NULL)
        {
          gboolean root = g_str_equal (c->model, "pci-root")
                          || g_str_equal (c->model, "pcie-root");

          if (root != (c->index == 0))
            FAIL (_("PCI controller %d: index 0 is the root (pci-root or "
                    "pcie-root), and only index 0"),
                  c->index);
          if (g_str_equal (c->model, guestd_domain_def_is_q35 (def)
                                       ? "pci-root"
                                       : "pcie-root"))
            FAIL (_("PCI root '%s' does not match machine '%s'"), c->model,
                  guestd_domain_def_machine (def));
        }
    }
  return TRUE;
}

static gboolean
validate_nets (const GuestdDomainDef *def, GError **error)
{
  for (guint i = 0; i < def->nets->len; i++)
    {
      const GuestdNetDef *n = def->nets->pdata[i];

      for (guint j = 0; j < i; j++)
        if (g_str_equal (n->mac, ((GuestdNetDef *) def->nets->pdata[j])->mac))
          FAIL (_("two interfaces use MAC address %s"), n->mac);
      if (n->info.addr.type != GUESTD_ADDR_NONE
          && n->info.addr.type != GUESTD_ADDR_PCI)
        FAIL (_("interface %s needs a 'pci' address"), n->mac);
    }
  return TRUE;
}

static gboolean
validate_chrs (GPtrArray *list, GError **error)
{
  for (guint i = 0; i < list->len; i++)
    {
      const GuestdChrDef *c = list->pdata[i];

      if (c->device == GUESTD_CHR_DEV_CHANNEL
          || c->device == GUESTD_CHR_DEV_CONSOLE)
        continue;
      for (guint j = 0; j < i; j++)
        {
          const GuestdChrDef *o = list->pdata[j];

          if (o->target_port == c->target_port
              && o->target_type == c->target_type)
            FAIL (_("two %s devices use port %d"),
                  guestd_enum_to_string (&guestd_chr_device, c->device),
                  c->target_port);
        }
    }
  return TRUE;
}

static gboolean
validate_channels (const GuestdDomainDef *def, GError **error)
{
  for (guint i = 0; i < def->channels->len; i++)
    {
      const GuestdChrDef *c = def->channels->pdata[i];

      for (guint j = 0; j < i; j++)
        {
          const GuestdChrDef *o = def->channels->pdata[j];

          if (c->target_name != NULL && o->target_name != NULL
              && g_str_equal (c->target_name, o->target_name))
            FAIL (_("two channels are named '%s'"), c->target_name);
        }
    }
  for (guint i = 0; i < def->consoles->len; i++)
    {
      const GuestdChrDef *c = def->consoles->pdata[i];

      if (i > 0 && c->target_type == GUESTD_CHR_TARGET_SERIAL)
        FAIL (_("only the first console may be a serial console"));
    }
  return TRUE;
}

static gboolean
check_boot_orders (const GuestdDomainDef *def, GPtrArray *devices,
                   GHashTable *orders, GError **error)
{
  /* Every device struct starts with its GuestdDeviceInfo. */
  for (guint i = 0; i < devices->len; i++)
    {
      const GuestdDeviceInfo *info = devices->pdata[i];

      if (info->boot_order == 0)
        continue;
      if (def->os.n_boot > 0)
        FAIL (_("per-device <boot order='…'/> cannot be combined with "
                "<os><boot dev='…'/>"));
      if (!g_hash_table_add (orders, GUINT_TO_POINTER (info->boot_order)))
        FAIL (_("boot order %u is used by two devices"), info->boot_order);
    }
  return TRUE;
}

static gboolean
validate_boot (const GuestdDomainDef *def, GError **error)
{
  g_autoptr (GHashTable) orders = g_hash_table_new (NULL, NULL);

  return check_boot_orders (def, def->disks, orders, error)
         && check_boot_orders (def, def->nets, orders, error)
         && check_boot_orders (def, def->redirdevs, orders, error);
}

static gboolean
validate_aliases (const GuestdDomainDef *def, GError **error)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *lists[] = { def->disks, def->controllers, def->nets,
                         def->inputs, def->videos, def->sounds, def->serials,
                         def->parallels, def->channels, def->rngs,
                         def->redirdevs, def->watchdogs };

  /* Every device struct starts with its GuestdDeviceInfo. */
  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      {
        const GuestdDeviceInfo *info = lists[l]->pdata[i];

        if (info->alias == NULL)
          continue;
        if (!g_hash_table_add (seen, info->alias))
          FAIL (_("two devices use alias '%s'"), info->alias);
      }
  return TRUE;
}

gboolean
guestd_domain_def_validate (const GuestdDomainDef *def, GError **error)
{
  const GuestdOsDef *o = &def->os;
  const GuestdCpuDef *cpu = &def->cpu;

  if ((o->initrd != NULL || o->cmdline != NULL || o->dtb != NULL)
      && o->kernel == NULL)
    FAIL (_("<initrd>, <cmdline> and <dtb> need a <kernel>"));
  if (cpu->sockets > 0)
    {
      guint64 total = (guint64) cpu->sockets * cpu->dies * cpu->cores
                      * cpu->threads;

      if (total != def->vcpus)
        FAIL (_("CPU topology %u sockets × %u dies × %u cores × %u threads "
                "= %llu does not match <vcpu> %u"),
              cpu->sockets, cpu->dies, cpu->cores, cpu->threads,
              (unsigned long long) total, def->vcpus);
    }
  if (cpu->mode == GUESTD_CPU_MODE_HOST_PASSTHROUGH
      && def->virt_type == GUESTD_VIRT_QEMU)
    FAIL (_("CPU mode 'host-passthrough' needs a kvm domain (use "
            "'maximum' for emulated guests)"));
  if (o->loader_secure == GUESTD_TRISTATE_YES && def->features.smm
      != GUESTD_TRISTATE_YES)
    FAIL (_("a secure boot loader needs <features><smm state='on'/>"));

  for (guint i = 0; i < def->graphics->len; i++)
    for (guint j = 0; j < i; j++)
      if (((GuestdGraphicsDef *) def->graphics->pdata[i])->type
          == ((GuestdGraphicsDef *) def->graphics->pdata[j])->type)
        FAIL (_("only one <graphics type='%s'> is supported"),
              guestd_enum_to_string (&guestd_graphics_type,
                                     ((GuestdGraphicsDef *)
                                        def->graphics->pdata[i])->type));

  return validate_disks (def, error) && validate_controllers (def, error)
         && validate_nets (def, error)
         && validate_chrs (def->serials, error)
         && validate_chrs (def->parallels, error)
         && validate_channels (def, error) && validate_boot (def, error)
         && validate_aliases (def, error);
}
