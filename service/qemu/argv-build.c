/* Domain → QEMU command line: the machine, its CPUs, memory, clock,
 * firmware and boot order, and the management plumbing (monitor, sandbox,
 * environment). Devices are in argv-build-devices.c. */
#include "config.h"

#include "argv-build-priv.h"

#include <string.h>

#include "util/error.h"
#include "util/i18n.h"

#define SANDBOX_OPTS "on,obsolete=deny,elevateprivileges=deny,spawn=%s,resourcecontrol=deny"

void
guestd_qemu_build_options_init (GuestdQemuBuildOptions *opts)
{
  memset (opts, 0, sizeof *opts);
  opts->qmp_fd = -1;
  opts->sandbox = TRUE;
  opts->vnc_listen = "127.0.0.1";
}

void
guestd_qemu_builder_add (GuestdQemuBuilder *b, const char *opt,
                         GString *value)
{
  guestd_qemu_command_add_pair (b->cmd, opt, value->str);
}

static void
set_alias (GuestdDeviceInfo *info, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
set_alias (GuestdDeviceInfo *info, const char *fmt, ...)
{
  va_list ap;

  if (info->alias != NULL)
    return;
  va_start (ap, fmt);
  info->alias = g_strdup_vprintf (fmt, ap);
  va_end (ap);
}

static void
alias_list (GPtrArray *list, const char *prefix)
{
  for (guint i = 0; i < list->len; i++)
    set_alias (list->pdata[i], "%s%u", prefix, i);
}

void
guestd_qemu_assign_aliases (GuestdDomainDef *def)
{
  gboolean q35 = guestd_domain_def_is_q35 (def);

  for (guint i = 0; i < def->disks->len; i++)
    {
      GuestdDiskDef *d = def->disks->pdata[i];
      const GuestdDeviceAddress *a = &d->info.addr;
      int idx = guestd_disk_target_index (d->target);

      switch (d->bus)
        {
        case GUESTD_DISK_BUS_VIRTIO:
          set_alias (&d->info, "virtio-disk%d", idx);
          break;
        case GUESTD_DISK_BUS_USB:
          set_alias (&d->info, "usb-disk%d", idx);
          break;
        case GUESTD_DISK_BUS_IDE:
          set_alias (&d->info, "ide%u-%u-%u", a->drive.controller,
                     a->drive.bus, a->drive.unit);
          break;
        case GUESTD_DISK_BUS_SATA:
          set_alias (&d->info, "sata%u-0-%u", a->drive.controller,
                     a->drive.unit);
          break;
        case GUESTD_DISK_BUS_SCSI:
          set_alias (&d->info, "scsi%u-0-%u-%u", a->drive.controller,
                     a->drive.target, a->drive.unit);
          break;
        case GUESTD_DISK_BUS_FDC:
          set_alias (&d->info, "fdc0-0-%u", a->drive.unit);
          break;
        default:
          set_alias (&d->info, "disk%u", i);
        }
    }
  for (guint i = 0; i < def->controllers->len; i++)
    {
      GuestdControllerDef *c = def->controllers->pdata[i];

      switch (c->type)
        {
        case GUESTD_CONTROLLER_USB:
          if (c->index == 0)
            set_alias (&c->info, "usb");
          else
            set_alias (&c->info, "usb%d", c->index);
          break;
        case GUESTD_CONTROLLER_PCI:
          if (c->index == 0 && q35)
            set_alias (&c->info, "pcie.0");
          else
            set_alias (&c->info, "pci.%d", c->index);
          break;
        case GUESTD_CONTROLLER_SATA:
          /* q35's built-in AHCI is what QEMU calls "ide". */
          if (c->index == 0 && q35)
            set_alias (&c->info, "ide");
          else
            set_alias (&c->info, "sata%d", c->index);
          break;
        case GUESTD_CONTROLLER_IDE:
          set_alias (&c->info, "ide");
          break;
        default:
          set_alias (&c->info, "%s%d",
                     guestd_enum_to_string (&guestd_controller_type, c->type),
                     c->index);
        }
    }
  alias_list (def->nets, "net");
  alias_list (def->inputs, "input");
  alias_list (def->videos, "video");
  alias_list (def->sounds, "sound");
  alias_list (def->serials, "serial");
  alias_list (def->parallels, "parallel");
  alias_list (def->consoles, "console");
  alias_list (def->channels, "channel");
  alias_list (def->rngs, "rng");
  alias_list (def->redirdevs, "redir");
  alias_list (def->watchdogs, "watchdog");
  if (def->memballoon != NULL)
    set_alias (&def->memballoon->info, "balloon0");
}

static const char *
root_bus (GuestdQemuBuilder *b)
{
  return b->q35 ? "pcie.0" : "pci.0";
}

gboolean
guestd_qemu_builder_address (GuestdQemuBuilder *b, GString *s,
                             const GuestdDeviceInfo *info, GError **error)
{
  const GuestdDeviceAddress *a = &info->addr;

  switch (a->type)
    {
    case GUESTD_ADDR_PCI:
      if (a->pci.domain != 0)
        {
          g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                       _("device '%s': PCI domain %u does not exist (only "
                         "domain 0)"),
                       info->alias, a->pci.domain);
          return FALSE;
        }
      if (a->pci.bus == 0)
        guestd_qemu_opts_add (s, "bus", root_bus (b));
      else
        {
          if (guestd_domain_def_find_controller (b->def, GUESTD_CONTROLLER_PCI,
                                                 (int) a->pci.bus)
              == NULL)
            {
              g_set_error (error, GUESTD_ERROR,
                           GUESTD_ERROR_CONFIG_UNSUPPORTED,
                           _("device '%s' is on PCI bus %u, but no PCI "
                             "controller has index %u"),
                           info->alias, a->pci.bus, a->pci.bus);
              return FALSE;
            }
          guestd_qemu_opts_addf (s, "bus", "pci.%u", a->pci.bus);
        }
      if (a->pci.function != 0)
        guestd_qemu_opts_addf (s, "addr", "0x%x.0x%x", a->pci.slot,
                               a->pci.function);
      else
        guestd_qemu_opts_addf (s, "addr", "0x%x", a->pci.slot);
      if (a->pci.multifunction == GUESTD_TRISTATE_YES)
        guestd_qemu_opts_add (s, "multifunction", "on");
      break;
    case GUESTD_ADDR_USB:
      {
        GuestdControllerDef *c = guestd_domain_def_find_controller (
          b->def, GUESTD_CONTROLLER_USB, (int) a->usb.bus);

        if (c == NULL)
          {
            g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                         _("device '%s' is on USB bus %u, but no USB "
                           "controller has index %u"),
                         info->alias, a->usb.bus, a->usb.bus);
            return FALSE;
          }
        guestd_qemu_opts_addf (s, "bus", "%s.0", c->info.alias);
        guestd_qemu_opts_add (s, "port", a->usb.port);
        break;
      }
    case GUESTD_ADDR_VIRTIO_SERIAL:
      guestd_qemu_opts_addf (s, "bus", "virtio-serial%u.%u",
                             a->vioser.controller, a->vioser.bus);
      if (a->vioser.port > 0)
        guestd_qemu_opts_addf (s, "nr", "%u", a->vioser.port);
      break;
    case GUESTD_ADDR_ISA:
      if (a->isa.has_iobase)
        guestd_qemu_opts_addf (s, "iobase", "0x%x", a->isa.iobase);
      if (a->isa.has_irq)
        guestd_qemu_opts_addf (s, "irq", "%u", a->isa.irq);
      break;
    default:
      break;
    }
  return TRUE;
}

static GHashTable *
compute_boot_indexes (GuestdDomainDef *def)
{
  GHashTable *map = g_hash_table_new (NULL, NULL);

  /* <os><boot dev='…'/> becomes a boot index on the first device of each
   * kind, the way libvirt translates it: QEMU's -boot order= only works
   * for the legacy BIOS interfaces. */
  for (guint i = 0; i < def->os.n_boot; i++)
    {
      GuestdDeviceInfo *info = NULL;

      switch (def->os.boot[i])
        {
        case GUESTD_BOOT_NETWORK:
          if (def->nets->len > 0)
            info = &((GuestdNetDef *) def->nets->pdata[0])->info;
          break;
        default:
          for (guint j = 0; j < def->disks->len && info == NULL; j++)
            {
              GuestdDiskDef *d = def->disks->pdata[j];
              GuestdDiskDevice want
                = def->os.boot[i] == GUESTD_BOOT_CDROM
                    ? GUESTD_DISK_DEVICE_CDROM
                    : def->os.boot[i] == GUESTD_BOOT_FD
                        ? GUESTD_DISK_DEVICE_FLOPPY
                        : GUESTD_DISK_DEVICE_DISK;

              if (d->device == want
                  || (want == GUESTD_DISK_DEVICE_DISK
                      && d->device == GUESTD_DISK_DEVICE_LUN))
                info = &d->info;
            }
        }
      if (info != NULL && !g_hash_table_contains (map, info))
        g_hash_table_insert (map, info, GUINT_TO_POINTER (i + 1));
    }
  return map;
}

guint
guestd_qemu_builder_bootindex (GuestdQemuBuilder *b,
                               const GuestdDeviceInfo *info)
{
  if (info->boot_order > 0)
    return info->boot_order;
  return GPOINTER_TO_UINT (g_hash_table_lookup (b->bootindex, info));
}

static gboolean
build_machine (GuestdQemuBuilder *b, GError **error)
{
  GuestdDomainDef *def = b->def;
  g_autoptr (GString) s = g_string_new (NULL);
  const GuestdFeaturesDef *f = &def->features;
  gboolean hpet_off = FALSE;

  guestd_qemu_opts_add (s, NULL, guestd_domain_def_machine (def));
  guestd_qemu_opts_add (s, "usb", "off");
  if (f->vmport != GUESTD_TRISTATE_ABSENT)
    guestd_qemu_opts_add (s, "vmport",
                          f->vmport == GUESTD_TRISTATE_YES ? "on" : "off");
  if (f->smm != GUESTD_TRISTATE_ABSENT)
    guestd_qemu_opts_add (s, "smm",
                          f->smm == GUESTD_TRISTATE_YES ? "on" : "off");
  /* As in libvirt, a guest has ACPI only with <features><acpi/>. */
  guestd_qemu_opts_add (s, "acpi", f->acpi ? "on" : "off");
  guestd_qemu_opts_add (s, "dump-guest-core", "off");
  for (guint i = 0; i < def->clock.timers->len; i++)
    {
      const GuestdTimerDef *t
        = &g_array_index (def->clock.timers, GuestdTimerDef, i);

      if (t->name == GUESTD_TIMER_HPET && t->present == GUESTD_TRISTATE_NO)
        hpet_off = TRUE;
    }
  if (hpet_off)
    guestd_qemu_opts_add (s, "hpet", "off");
  /* SeaBIOS's messages go to the serial port instead of the screen. */
  if (def->os.bios_useserial == GUESTD_TRISTATE_YES)
    guestd_qemu_opts_add (s, "graphics", "off");
  guestd_qemu_builder_add (b, "-machine", s);

  g_string_truncate (s, 0);
  guestd_qemu_opts_add (s, NULL, b->kvm ? "kvm" : "tcg");
  guestd_qemu_builder_add (b, "-accel", s);
  return TRUE;
}

static const char *
hyperv_qemu_name (GuestdHypervFeature f)
{
  switch (f)
    {
    case GUESTD_HYPERV_RELAXED:
      return "hv-relaxed";
    case GUESTD_HYPERV_VAPIC:
      return "hv-vapic";
    case GUESTD_HYPERV_SPINLOCKS:
      return "hv-spinlocks";
    case GUESTD_HYPERV_VPINDEX:
      return "hv-vpindex";
    case GUESTD_HYPERV_RUNTIME:
      return "hv-runtime";
    case GUESTD_HYPERV_SYNIC:
      return "hv-synic";
    case GUESTD_HYPERV_STIMER:
      return "hv-stimer";
    case GUESTD_HYPERV_RESET:
      return "hv-reset";
    case GUESTD_HYPERV_VENDOR_ID:
      return "hv-vendor-id";
    case GUESTD_HYPERV_FREQUENCIES:
      return "hv-frequencies";
    case GUESTD_HYPERV_REENLIGHTENMENT:
      return "hv-reenlightenment";
    case GUESTD_HYPERV_TLBFLUSH:
      return "hv-tlbflush";
    case GUESTD_HYPERV_IPI:
      return "hv-ipi";
    case GUESTD_HYPERV_EVMCS:
      return "hv-evmcs";
    default:
      return NULL;
    }
}

static gboolean
build_cpu (GuestdQemuBuilder *b, GError **error)
{
  GuestdDomainDef *def = b->def;
  const GuestdCpuDef *cpu = &def->cpu;
  const GuestdFeaturesDef *f = &def->features;
  g_autoptr (GString) s = g_string_new (NULL);
  const char *model = NULL;

  switch (cpu->mode)
    {
    case GUESTD_CPU_MODE_HOST_PASSTHROUGH:
      model = "host";
      break;
    case GUESTD_CPU_MODE_HOST_MODEL:
      /* Under TCG there is no host CPU to copy: the closest is the richest
       * CPU TCG emulates. */
      model = b->kvm ? "host" : "max";
      break;
    case GUESTD_CPU_MODE_MAXIMUM:
      model = "max";
      break;
    case GUESTD_CPU_MODE_CUSTOM:
      model = cpu->model;
      break;
    default:
      break;
    }
  if (model != NULL)
    for (const char *c = model; *c != '\0'; c++)
      if (!g_ascii_isalnum (*c) && strchr ("-_.", *c) == NULL)
        {
          g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                       _("invalid CPU model '%s'"), model);
          return FALSE;
        }

  for (guint i = 0; i < cpu->features->len; i++)
    {
      const GuestdCpuFeature *ft
        = &g_array_index (cpu->features, GuestdCpuFeature, i);
      gboolean on = ft->policy != GUESTD_CPU_POLICY_DISABLE
                    && ft->policy != GUESTD_CPU_POLICY_FORBID;

      guestd_qemu_opts_add (s, ft->name, on ? "on" : "off");
    }
  if (f->has_hyperv && !b->kvm)
    {
      g_set_error_literal (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                           _("Hyper-V enlightenments (<features><hyperv>) "
                             "need a kvm domain; remove them for an "
                             "emulated guest"));
      return FALSE;
    }
  if (f->has_hyperv)
    for (int i = 0; i < GUESTD_HYPERV_LAST; i++)
      {
        if (f->hyperv[i] != GUESTD_TRISTATE_YES)
          continue;
        if (i == GUESTD_HYPERV_SPINLOCKS)
          guestd_qemu_opts_addf (s, hyperv_qemu_name (i), "0x%x",
                                 f->hyperv_spinlock_retries);
        else if (i == GUESTD_HYPERV_VENDOR_ID)
          guestd_qemu_opts_add (s, hyperv_qemu_name (i), f->hyperv_vendor_id);
        else
          guestd_qemu_opts_add (s, hyperv_qemu_name (i), "on");
      }
  for (guint i = 0; i < def->clock.timers->len; i++)
    {
      const GuestdTimerDef *t
        = &g_array_index (def->clock.timers, GuestdTimerDef, i);

      if (t->name == GUESTD_TIMER_HYPERVCLOCK
          && t->present == GUESTD_TRISTATE_YES)
        guestd_qemu_opts_add (s, "hv-time", "on");
      if (t->name == GUESTD_TIMER_KVMCLOCK
          && t->present != GUESTD_TRISTATE_ABSENT)
        guestd_qemu_opts_add (s, "kvmclock",
                              t->present == GUESTD_TRISTATE_YES ? "on" : "off");
    }
  if (f->kvm_hidden == GUESTD_TRISTATE_YES)
    guestd_qemu_opts_add (s, "kvm", "off");

  if (model == NULL && s->len == 0)
    return TRUE;
  {
    /* Features alone need a model to modify: QEMU's default one. */
    g_autoptr (GString) full = g_string_new (model ? model : "qemu64");

    if (s->len > 0)
      g_string_append_printf (full, ",%s", s->str);
    guestd_qemu_builder_add (b, "-cpu", full);
  }
  return TRUE;
}

static void
build_memory_smp (GuestdQemuBuilder *b)
{
  GuestdDomainDef *def = b->def;
  const GuestdCpuDef *cpu = &def->cpu;
  g_autoptr (GString) s = g_string_new (NULL);
  guint cur = def->vcpus_current > 0 ? def->vcpus_current : def->vcpus;

  guestd_qemu_opts_addf (s, "size", "%" G_GUINT64_FORMAT "k",
                         def->memory_kib);
  if (def->max_memory_kib > 0)
    {
      guestd_qemu_opts_addf (s, "slots", "%u", def->max_memory_slots);
      guestd_qemu_opts_addf (s, "maxmem", "%" G_GUINT64_FORMAT "k",
                             def->max_memory_kib);
    }
  guestd_qemu_builder_add (b, "-m", s);

  g_string_truncate (s, 0);
  g_string_append_printf (s, "%u", cur);
  if (cur != def->vcpus)
    guestd_qemu_opts_addf (s, "maxcpus", "%u", def->vcpus);
  if (cpu->sockets > 0)
    {
      guestd_qemu_opts_addf (s, "sockets", "%u", cpu->sockets);
      guestd_qemu_opts_addf (s, "dies", "%u", cpu->dies);
      guestd_qemu_opts_addf (s, "cores", "%u", cpu->cores);
      guestd_qemu_opts_addf (s, "threads", "%u", cpu->threads);
    }
  else
    {
      guestd_qemu_opts_addf (s, "sockets", "%u", def->vcpus);
      guestd_qemu_opts_add (s, "cores", "1");
      guestd_qemu_opts_add (s, "threads", "1");
    }
  guestd_qemu_builder_add (b, "-smp", s);
}

static gboolean
build_clock (GuestdQemuBuilder *b, GError **error)
{
  GuestdDomainDef *def = b->def;
  const GuestdClockDef *clk = &def->clock;
  g_autoptr (GString) s = g_string_new (NULL);
  GuestdTickPolicy rtc = GUESTD_TICKPOLICY_NONE;

  switch (clk->offset)
    {
    case GUESTD_CLOCK_LOCALTIME:
      guestd_qemu_opts_add (s, "base", "localtime");
      break;
    case GUESTD_CLOCK_TIMEZONE:
      guestd_qemu_opts_add (s, "base", "localtime");
      guestd_qemu_command_add_env (b->cmd, "TZ", clk->timezone);
      break;
    case GUESTD_CLOCK_VARIABLE:
      {
        g_autoptr (GDateTime) now
          = clk->basis == GUESTD_CLOCK_BASIS_LOCALTIME ? g_date_time_new_now_local ()
                                                        : g_date_time_new_now_utc ();
        g_autoptr (GDateTime) then
          = g_date_time_add_seconds (now, (double) clk->adjustment);
        g_autofree char *when = NULL;

        if (then == NULL)
          {
            g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                         _("clock adjustment %lld s is out of range"),
                         (long long) clk->adjustment);
            return FALSE;
          }
        when = g_date_time_format (then, "%Y-%m-%dT%H:%M:%S");
        guestd_qemu_opts_add (s, "base", when);
        break;
      }
    default:
      guestd_qemu_opts_add (s, "base", "utc");
    }
  for (guint i = 0; i < clk->timers->len; i++)
    {
      const GuestdTimerDef *t = &g_array_index (clk->timers, GuestdTimerDef, i);

      if (t->name == GUESTD_TIMER_RTC)
        {
          rtc = t->tickpolicy;
          if (t->track == GUESTD_TIMER_TRACK_GUEST)
            guestd_qemu_opts_add (s, "clock", "vm");
          else if (t->track == GUESTD_TIMER_TRACK_WALL)
            guestd_qemu_opts_add (s, "clock", "host");
          else if (t->track == GUESTD_TIMER_TRACK_REALTIME)
            guestd_qemu_opts_add (s, "clock", "rt");
        }
      if (t->name == GUESTD_TIMER_PIT && b->kvm
          && t->tickpolicy != GUESTD_TICKPOLICY_NONE)
        {
          const char *pol = t->tickpolicy == GUESTD_TICKPOLICY_CATCHUP
                              ? "slew"
                            : t->tickpolicy == GUESTD_TICKPOLICY_DISCARD
                              ? "discard"
                              : "delay";
          g_autofree char *g = g_strdup_printf ("kvm-pit.lost_tick_policy=%s",
                                                pol);

          guestd_qemu_command_add_pair (b->cmd, "-global", g);
        }
    }
  /* catchup is QEMU's "slew"; the other policies are its default. */
  if (rtc == GUESTD_TICKPOLICY_CATCHUP)
    guestd_qemu_opts_add (s, "driftfix", "slew");
  guestd_qemu_builder_add (b, "-rtc", s);
  return TRUE;
}

static void
build_pm_lifecycle (GuestdQemuBuilder *b)
{
  GuestdDomainDef *def = b->def;
  const char *lpc = b->q35 ? "ICH9-LPC" : "PIIX4_PM";

  if (def->pm_suspend_to_mem != GUESTD_TRISTATE_ABSENT)
    {
      g_autofree char *g = g_strdup_printf (
        "%s.disable_s3=%d", lpc, def->pm_suspend_to_mem == GUESTD_TRISTATE_NO);

      guestd_qemu_command_add_pair (b->cmd, "-global", g);
    }
  if (def->pm_suspend_to_disk != GUESTD_TRISTATE_ABSENT)
    {
      g_autofree char *g = g_strdup_printf (
        "%s.disable_s4=%d", lpc, def->pm_suspend_to_disk == GUESTD_TRISTATE_NO);

      guestd_qemu_command_add_pair (b->cmd, "-global", g);
    }
  /* QEMU exits on power-off unless told to stay; staying is what lets the
   * service restart or preserve a guest. A reboot that must end the guest
   * makes QEMU exit instead of resetting. */
  if (def->on_poweroff != GUESTD_LIFECYCLE_DESTROY
      || b->opts->manage_lifecycle)
    guestd_qemu_command_add (b->cmd, "-no-shutdown");
  if (def->on_reboot == GUESTD_LIFECYCLE_DESTROY)
    guestd_qemu_command_add (b->cmd, "-no-reboot");
}

static char *
find_efi_firmware (GError **error)
{
  static const char *const candidates[][2] = {
    { "/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd" },
    { "/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd" },
    { "/usr/share/edk2/ovmf/OVMF_CODE.fd", "/usr/share/edk2/ovmf/OVMF_VARS.fd" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (g_file_test (candidates[i][0], G_FILE_TEST_IS_REGULAR))
      return g_strdup (candidates[i][0]);
  g_set_error_literal (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                       _("no UEFI firmware found for firmware='efi' (looked "
                         "for OVMF_CODE in /usr/share/OVMF); install the "
                         "'ovmf' package or give <loader> yourself"));
  return NULL;
}

static gboolean
build_firmware_boot (GuestdQemuBuilder *b, GError **error)
{
  GuestdDomainDef *def = b->def;
  GuestdOsDef *o = &def->os;
  g_autoptr (GString) s = g_string_new (NULL);
  g_autofree char *loader = g_strdup (o->loader);
  GuestdLoaderType type = o->loader_type;

  if (loader == NULL && o->firmware == GUESTD_FIRMWARE_EFI)
    {
      loader = find_efi_firmware (error);
      if (loader == NULL)
        return FALSE;
      type = GUESTD_LOADER_PFLASH;
    }
  if (loader != NULL && type == GUESTD_LOADER_PFLASH)
    {
      g_autofree char *nvram = g_strdup (o->nvram);

      guestd_qemu_opts_add (s, "if", "pflash");
      guestd_qemu_opts_add (s, "format", "raw");
      guestd_qemu_opts_add (s, "unit", "0");
      guestd_qemu_opts_add (s, "file", loader);
      if (o->loader_readonly != GUESTD_TRISTATE_NO)
        guestd_qemu_opts_add (s, "readonly", "on");
      guestd_qemu_builder_add (b, "-drive", s);
      if (nvram == NULL && b->opts->nvram_dir != NULL)
        nvram = g_strdup_printf ("%s/%s_VARS.fd", b->opts->nvram_dir,
                                 def->name);
      if (nvram != NULL)
        {
          g_string_truncate (s, 0);
          guestd_qemu_opts_add (s, "if", "pflash");
          guestd_qemu_opts_add (s, "format", "raw");
          guestd_qemu_opts_add (s, "unit", "1");
          guestd_qemu_opts_add (s, "file", nvram);
          guestd_qemu_builder_add (b, "-drive", s);
        }
      if (o->loader_secure == GUESTD_TRISTATE_YES)
        guestd_qemu_command_add_pair (b->cmd, "-global",
                                      "driver=cfi.pflash01,property=secure,"
                                      "value=on");
    }
  else if (loader != NULL)
    guestd_qemu_command_add_pair (b->cmd, "-bios", loader);

  if (o->kernel != NULL)
    guestd_qemu_command_add_pair (b->cmd, "-kernel", o->kernel);
  if (o->initrd != NULL)
    guestd_qemu_command_add_pair (b->cmd, "-initrd", o->initrd);
  if (o->cmdline != NULL)
    guestd_qemu_command_add_pair (b->cmd, "-append", o->cmdline);
  if (o->dtb != NULL)
    guestd_qemu_command_add_pair (b->cmd, "-dtb", o->dtb);

  g_string_truncate (s, 0);
  if (o->bootmenu != GUESTD_TRISTATE_ABSENT)
    {
      guestd_qemu_opts_add (s, "menu",
                            o->bootmenu == GUESTD_TRISTATE_YES ? "on" : "off");
      if (o->bootmenu_timeout >= 0)
        guestd_qemu_opts_addf (s, "splash-time", "%d", o->bootmenu_timeout);
    }
  if (o->has_reboot_timeout)
    guestd_qemu_opts_addf (s, "reboot-timeout", "%d", o->reboot_timeout);
  guestd_qemu_opts_add (s, "strict", "on");
  guestd_qemu_builder_add (b, "-boot", s);
  return TRUE;
}

static void
build_monitor (GuestdQemuBuilder *b)
{
  const GuestdQemuBuildOptions *o = b->opts;
  g_autoptr (GString) s = g_string_new (NULL);

  if (o->qmp_fd < 0 && o->qmp_path == NULL)
    return;
  guestd_qemu_opts_add (s, NULL, "socket");
  guestd_qemu_opts_add (s, "id", "charmonitor");
  if (o->qmp_fd >= 0)
    guestd_qemu_opts_addf (s, "fd", "%d", o->qmp_fd);
  else
    guestd_qemu_opts_add (s, "path", o->qmp_path);
  guestd_qemu_opts_add (s, "server", "on");
  guestd_qemu_opts_add (s, "wait", "off");
  guestd_qemu_builder_add (b, "-chardev", s);
  guestd_qemu_command_add_pair (b->cmd, "-mon",
                                "chardev=charmonitor,id=monitor,mode=control");
}

static void
build_env (GuestdQemuBuilder *b)
{
  const GuestdQemuBuildOptions *o = b->opts;

  guestd_qemu_command_add_env (b->cmd, "LC_ALL", "C");
  guestd_qemu_command_add_env (b->cmd, "PATH",
                               "/usr/local/sbin:/usr/local/bin:/usr/sbin:"
                               "/usr/bin");
  if (o->home != NULL)
    guestd_qemu_command_add_env (b->cmd, "HOME", o->home);
  for (guint i = 0; i < b->def->qemu_env->len; i++)
    {
      const GuestdQemuEnv *env = b->def->qemu_env->pdata[i];

      guestd_qemu_command_add_env (b->cmd, env->name,
                                   env->value ? env->value : "");
    }
}

static gboolean
check_supported (GuestdDomainDef *def, GError **error)
{
  if (def->on_crash == GUESTD_LIFECYCLE_COREDUMP_DESTROY
      || def->on_crash == GUESTD_LIFECYCLE_COREDUMP_RESTART
      || def->on_poweroff == GUESTD_LIFECYCLE_RENAME_RESTART
      || def->on_reboot == GUESTD_LIFECYCLE_RENAME_RESTART
      || def->on_crash == GUESTD_LIFECYCLE_RENAME_RESTART)
    {
      g_set_error_literal (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                           _("lifecycle actions rename-restart and coredump-* "
                             "are not supported; use destroy, restart or "
                             "preserve"));
      return FALSE;
    }
  if (def->vcpu_placement == GUESTD_VCPU_PLACEMENT_AUTO || def->cpuset != NULL)
    {
      g_set_error_literal (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                           _("vCPU pinning (cpuset, placement='auto') is not "
                             "supported yet"));
      return FALSE;
    }
  return TRUE;
}

GuestdQemuCommand *
guestd_qemu_build_command (GuestdDomainDef *def,
                           const GuestdQemuBuildOptions *opts, GError **error)
{
  g_autoptr (GuestdQemuCommand) cmd = guestd_qemu_command_new ();
  GuestdQemuBuilder b = { 0 };
  const char *emulator = opts->emulator ? opts->emulator : def->emulator;
  gboolean ok;

  if (emulator == NULL)
    {
      g_set_error_literal (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                           _("no emulator: add <emulator> to <devices>"));
      return NULL;
    }
  if (!check_supported (def, error))
    return NULL;

  b.def = def;
  b.opts = opts;
  b.cmd = cmd;
  b.q35 = guestd_domain_def_is_q35 (def);
  b.kvm = def->virt_type == GUESTD_VIRT_KVM;
  guestd_qemu_assign_aliases (def);
  b.bootindex = compute_boot_indexes (def);

  build_env (&b);
  guestd_qemu_command_add (cmd, emulator);
  {
    g_autoptr (GString) s = g_string_new (NULL);

    guestd_qemu_opts_add (s, "guest", def->name);
    guestd_qemu_opts_add (s, "debug-threads", "on");
    guestd_qemu_builder_add (&b, "-name", s);
  }
  if (opts->paused)
    guestd_qemu_command_add (cmd, "-S");
  ok = build_machine (&b, error) && build_cpu (&b, error);
  if (!ok)
    {
      g_hash_table_unref (b.bootindex);
      return NULL;
    }
  build_memory_smp (&b);
  guestd_qemu_command_add_pair (cmd, "-uuid", def->uuid);
  guestd_qemu_command_add (cmd, "-no-user-config");
  guestd_qemu_command_add (cmd, "-nodefaults");
  build_monitor (&b);
  build_pm_lifecycle (&b);
  ok = build_clock (&b, error) && build_firmware_boot (&b, error)
       && guestd_qemu_build_devices (&b, error);
  g_free (b.audiodev);
  g_hash_table_unref (b.bootindex);
  if (!ok)
    return NULL;
  if (opts->sandbox)
    {
      g_autofree char *sb = g_strdup_printf (SANDBOX_OPTS,
                                             b.uses_spawn ? "allow" : "deny");

      guestd_qemu_command_add_pair (cmd, "-sandbox", sb);
    }
  guestd_qemu_command_add_pair (cmd, "-msg", "timestamp=on");
  for (guint i = 0; i < def->qemu_args->len; i++)
    guestd_qemu_command_add (cmd, def->qemu_args->pdata[i]);
  return g_steal_pointer (&cmd);
}
