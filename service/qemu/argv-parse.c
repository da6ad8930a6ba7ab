/* QEMU command line → domain: the option table, the machine-wide options
 * (-machine, -cpu, -m, -smp, -rtc, -boot, -vnc, …) and the two passes.
 * Devices and their back-ends are in argv-parse-devices.c. */
#include "config.h"

#include "argv-parse-priv.h"

#include <string.h>

#include "conf/units.h"
#include "util/error.h"
#include "util/i18n.h"

typedef enum
{
  OPT_HANDLED,
  OPT_KEEP,    /* QEMU knows it, the model does not: <qemu:commandline> */
  OPT_IGNORE,  /* guestd's own plumbing (monitor, sandbox, pid file…) */
  OPT_FAILED,
} OptResult;

typedef OptResult (*OptHandler) (GuestdArgvParser *p, const char *opt,
                                 const char *arg, GError **error);

gboolean
guestd_argv_error (GError **error, const char *opt, const char *arg,
                   const char *fmt, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (arg != NULL)
    g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_NATIVE,
                 _("option '%s %s': %s"), opt, arg, msg);
  else
    g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_NATIVE,
                 _("option '%s': %s"), opt, msg);
  return FALSE;
}

gboolean
guestd_argv_check_used (GuestdQemuOpts *o, const char *opt, const char *arg,
                        GError **error)
{
  const char *unused = guestd_qemu_opts_unused (o);

  if (unused == NULL)
    return TRUE;
  return guestd_argv_error (error, opt, arg,
                            _("property '%s' is not supported; move the "
                              "whole option into <qemu:commandline> if it "
                              "is needed"),
                            unused);
}

gboolean
guestd_argv_parse_bool (const char *v, gboolean *out)
{
  if (g_str_equal (v, "on") || g_str_equal (v, "yes") || g_str_equal (v, "true"))
    *out = TRUE;
  else if (g_str_equal (v, "off") || g_str_equal (v, "no")
           || g_str_equal (v, "false"))
    *out = FALSE;
  else
    return FALSE;
  return TRUE;
}

static gboolean
parse_onoff (const char *opt, const char *arg, const char *key,
             const char *v, gboolean *out, GError **error)
{
  if (v == NULL)
    return TRUE;
  if (!guestd_argv_parse_bool (v, out))
    return guestd_argv_error (error, opt, arg,
                              _("'%s' takes on or off, not '%s'"), key, v);
  return TRUE;
}

/* ---- machine-wide options ---- */

static OptResult
opt_machine (GuestdArgvParser *p, const char *opt, const char *arg,
             GError **error)
{
  g_autoptr (GuestdQemuOpts) o = guestd_qemu_opts_parse (arg, "type", error);
  GuestdDomainDef *def = p->def;
  const char *v;
  gboolean b;

  if (o == NULL)
    return OPT_FAILED;
  v = guestd_qemu_opts_get (o, "type");
  if (v != NULL)
    {
      g_free (def->os.machine);
      def->os.machine = g_strdup (v);
    }
  v = guestd_qemu_opts_get (o, "accel");
  if (v != NULL)
    p->kvm = strstr (v, "kvm") != NULL;
  if ((v = guestd_qemu_opts_get (o, "usb")) != NULL)
    {
      if (!parse_onoff (opt, arg, "usb", v, &b, error))
        return OPT_FAILED;
      p->usb = b;
    }
  if ((v = guestd_qemu_opts_get (o, "acpi")) != NULL)
    {
      if (!parse_onoff (opt, arg, "acpi", v, &b, error))
        return OPT_FAILED;
      p->no_acpi = !b;
    }
  if ((v = guestd_qemu_opts_get (o, "vmport")) != NULL)
    {
      if (!parse_onoff (opt, arg, "vmport", v, &b, error))
        return OPT_FAILED;
      def->features.vmport = b ? GUESTD_TRISTATE_YES : GUESTD_TRISTATE_NO;
    }
  if ((v = guestd_qemu_opts_get (o, "smm")) != NULL)
    {
      if (!parse_onoff (opt, arg, "smm", v, &b, error))
        return OPT_FAILED;
      def->features.smm = b ? GUESTD_TRISTATE_YES : GUESTD_TRISTATE_NO;
    }
  if ((v = guestd_qemu_opts_get (o, "hpet")) != NULL)
    {
      if (!parse_onoff (opt, arg, "hpet", v, &b, error))
        return OPT_FAILED;
      p->hpet_off = !b;
    }
  if ((v = guestd_qemu_opts_get (o, "graphics")) != NULL)
    {
      if (!parse_onoff (opt, arg, "graphics", v, &b, error))
        return OPT_FAILED;
      def->os.bios_useserial = b ? GUESTD_TRISTATE_ABSENT : GUESTD_TRISTATE_YES;
    }
  /* A guest's memory in a core dump is never wanted; guestd always says
   * so, whatever the line did. */
  guestd_qemu_opts_get (o, "dump-guest-core");
  return guestd_argv_check_used (o, opt, arg, error) ? OPT_HANDLED
                                                     : OPT_FAILED;
}

static OptResult
opt_accel (GuestdArgvParser *p, const char *opt, const char *arg,
           GError **error)
{
  g_autoptr (GuestdQemuOpts) o = guestd_qemu_opts_parse (arg, "accel", error);
  const char *v;

  if (o == NULL)
    return OPT_FAILED;
  v = guestd_qemu_opts_get (o, "accel");
  if (g_strcmp0 (v, "kvm") == 0)
    p->kvm = TRUE;
  else if (g_strcmp0 (v, "tcg") != 0)
    {
      guestd_argv_error (error, opt, arg,
                         _("accelerator '%s' is not supported (kvm or tcg)"),
                         v ? v : "");
      return OPT_FAILED;
    }
  return guestd_argv_check_used (o, opt, arg, error) ? OPT_HANDLED
                                                     : OPT_FAILED;
}

static OptResult
opt_flag (GuestdArgvParser *p, const char *opt, const char *arg,
          GError **error)
{
  GuestdDomainDef *def = p->def;

  if (g_str_equal (opt, "-enable-kvm"))
    p->kvm = TRUE;
  else if (g_str_equal (opt, "-no-kvm"))
    p->kvm = FALSE;
  else if (g_str_equal (opt, "-nographic"))
    p->nographic = TRUE;
  else if (g_str_equal (opt, "-nodefaults"))
    p->nodefaults = TRUE;
  else if (g_str_equal (opt, "-no-acpi"))
    p->no_acpi = TRUE;
  else if (g_str_equal (opt, "-no-hpet"))
    p->hpet_off = TRUE;
  else if (g_str_equal (opt, "-usb"))
    p->usb = TRUE;
  else if (g_str_equal (opt, "-localtime"))
    def->clock.offset = GUESTD_CLOCK_LOCALTIME;
  else if (g_str_equal (opt, "-no-reboot"))
    def->on_reboot = GUESTD_LIFECYCLE_DESTROY;
  else if (g_str_equal (opt, "-no-shutdown"))
    def->on_poweroff = GUESTD_LIFECYCLE_PRESERVE;
  else if (g_str_equal (opt, "-std-vga"))
    {
      g_free (p->vga);
      p->vga = g_strdup ("std");
    }
  else
    return OPT_KEEP;
  return OPT_HANDLED;
}

static OptResult
opt_memory (GuestdArgvParser *p, const char *opt, const char *arg,
            GError **error)
{
  g_autoptr (GuestdQemuOpts) o = guestd_qemu_opts_parse (arg, "size", error);
  g_autoptr (GError) local = NULL;
  const char *size, *slots, *maxmem;
  guint64 bytes;

  if (o == NULL)
    return OPT_FAILED;
  size = guestd_qemu_opts_get (o, "size");
  slots = guestd_qemu_opts_get (o, "slots");
  maxmem = guestd_qemu_opts_get (o, "maxmem");
  if (!guestd_argv_check_used (o, opt, arg, error))
    return OPT_FAILED;
  /* A bare number is MiB, QEMU's default unit. */
  if (size == NULL
      || !guestd_scale_size_string (size, 1024 * 1024, G_GUINT64_CONSTANT (1)
                                                          << 53,
                                    &bytes, &local)
      || bytes == 0)
    {
      guestd_argv_error (error, opt, arg, "%s",
                         local ? local->message : _("a memory size is needed"));
      return OPT_FAILED;
    }
  p->def->memory_kib = (bytes + 1023) / 1024;
  if (maxmem != NULL)
    {
      guint64 n;

      if (!guestd_scale_size_string (maxmem, 1024 * 1024,
                                     G_GUINT64_CONSTANT (1) << 53, &bytes,
                                     &local)
          || slots == NULL || !guestd_parse_u64 (slots, &n) || n == 0
          || n > 255)
        {
          guestd_argv_error (error, opt, arg,
                             _("'maxmem' needs a size and 'slots' 1 to 255"));
          return OPT_FAILED;
        }
      p->def->max_memory_kib = (bytes + 1023) / 1024;
      p->def->max_memory_slots = (guint) n;
    }
  return OPT_HANDLED;
}

static OptResult
opt_smp (GuestdArgvParser *p, const char *opt, const char *arg,
         GError **error)
{
  g_autoptr (GuestdQemuOpts) o = guestd_qemu_opts_parse (arg, "cpus", error);
  const char *keys[] = { "cpus", "maxcpus", "sockets", "dies", "cores",
                         "threads" };
  guint64 v[G_N_ELEMENTS (keys)] = { 0 };
  GuestdDomainDef *def = p->def;
  GuestdCpuDef *cpu = &def->cpu;
  guint64 max;

  if (o == NULL)
    return OPT_FAILED;
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const char *s = guestd_qemu_opts_get (o, keys[i]);

      if (s != NULL && (!guestd_parse_u64 (s, &v[i]) || v[i] == 0
                        || v[i] > 4096))
        {
          guestd_argv_error (error, opt, arg,
                             _("'%s' must be a number from 1 to 4096"),
                             keys[i]);
          return OPT_FAILED;
        }
    }
  if (!guestd_argv_check_used (o, opt, arg, error))
    return OPT_FAILED;
  max = v[1] ? v[1] : v[0];
  if (max == 0)
    {
      /* Only a topology: QEMU multiplies it out. */
      max = MAX (v[2], 1) * MAX (v[3], 1) * MAX (v[4], 1) * MAX (v[5], 1);
    }
  if (v[0] > max)
    {
      guestd_argv_error (error, opt, arg,
                         _("more CPUs (%llu) than maxcpus (%llu)"),
                         (unsigned long long) v[0], (unsigned long long) max);
      return OPT_FAILED;
    }
  def->vcpus = (guint) max;
  def->vcpus_current = v[0] && v[0] != max ? (guint) v[0] : 0;
  /* sockets=N,cores=1,threads=1 is the layout without a <topology>. */
  if ((v[2] || v[4] || v[5])
      && !(v[2] == max && v[3] <= 1 && v[4] <= 1 && v[5] <= 1 && v[3] == 0))
    {
      cpu->present = TRUE;
      cpu->sockets = (guint) MAX (v[2], 1);
      cpu->dies = (guint) MAX (v[3], 1);
      cpu->cores = (guint) MAX (v[4], 1);
      cpu->threads = (guint) MAX (v[5], 1);
      if (!v[2])
        cpu->sockets = (guint) (max / (cpu->dies * cpu->cores * cpu->threads));
    }
  return OPT_HANDLED;
}

static gboolean
cpu_hyperv_prop (GuestdArgvParser *p, const char *key, const char *value,
                 gboolean *handled)
{
  GuestdFeaturesDef *f = &p->def->features;
  g_autofree char *name = g_strdelimit (g_strdup (key), "_", '-');
  gboolean on = TRUE;

  *handled = FALSE;
  if (!g_str_has_prefix (name, "hv-"))
    return TRUE;
  if (g_str_equal (name, "hv-time"))
    {
      *handled = guestd_argv_parse_bool (value, &p->hv_time);
      return *handled;
    }
  for (int i = 0; i < GUESTD_HYPERV_LAST; i++)
    {
      g_autofree char *want = g_strdup_printf (
        "hv-%s", guestd_enum_to_string (&guestd_hyperv_feature, i));

      g_strdelimit (want, "_", '-');
      if (!g_str_equal (want, name))
        continue;
      f->has_hyperv = TRUE;
      if (i == GUESTD_HYPERV_SPINLOCKS)
        {
          guint64 n;

          if (!guestd_parse_u64 (value, &n) || n < 4095 || n > G_MAXUINT)
            return FALSE;
          f->hyperv_spinlock_retries = (guint) n;
        }
      else if (i == GUESTD_HYPERV_VENDOR_ID)
        {
          g_free (f->hyperv_vendor_id);
          f->hyperv_vendor_id = g_strdup (value);
        }
      else if (!guestd_argv_parse_bool (value, &on))
        return FALSE;
      f->hyperv[i] = on ? GUESTD_TRISTATE_YES : GUESTD_TRISTATE_NO;
      *handled = TRUE;
      return TRUE;
    }
  return TRUE;
}

static OptResult
opt_cpu (GuestdArgvParser *p, const char *opt, const char *arg,
         GError **error)
{
  g_auto (GStrv) parts = NULL;
  GuestdCpuDef *cpu = &p->def->cpu;
  gboolean only_hv = TRUE, any_hv = FALSE;

  if (*arg == '\0' || *arg == ',')
    {
      guestd_argv_error (error, opt, arg, _("a CPU model is needed"));
      return OPT_FAILED;
    }
  parts = g_strsplit (arg, ",", -1);
  for (guint i = 1; parts[i] != NULL; i++)
    {
      const char *item = parts[i];
      g_autofree char *key = NULL;
      const char *value = "on";
      const char *eq = strchr (item, '=');
      GuestdCpuFeature ft = { GUESTD_CPU_POLICY_REQUIRE, NULL };
      gboolean handled, on = TRUE;

      if (*item == '+' || *item == '-')
        {
          key = g_strdup (item + 1);
          on = *item == '+';
        }
      else if (eq != NULL)
        {
          key = g_strndup (item, eq - item);
          value = eq + 1;
        }
      else
        key = g_strdup (item);
      if (!cpu_hyperv_prop (p, key, value, &handled))
        {
          guestd_argv_error (error, opt, arg, _("bad value for '%s'"), key);
          return OPT_FAILED;
        }
      if (handled)
        {
          any_hv = TRUE;
          continue;
        }
      if (g_str_equal (key, "kvm") && eq != NULL)
        {
          if (!guestd_argv_parse_bool (value, &on))
            {
              guestd_argv_error (error, opt, arg, _("bad value for 'kvm'"));
              return OPT_FAILED;
            }
          p->def->features.kvm_hidden = on ? GUESTD_TRISTATE_NO
                                           : GUESTD_TRISTATE_YES;
          any_hv = TRUE;
          continue;
        }
      if (g_str_equal (key, "kvmclock"))
        {
          if (eq != NULL && !guestd_argv_parse_bool (value, &on))
            {
              guestd_argv_error (error, opt, arg,
                                 _("bad value for 'kvmclock'"));
              return OPT_FAILED;
            }
          p->kvmclock = on ? GUESTD_TRISTATE_YES : GUESTD_TRISTATE_NO;
          any_hv = TRUE;
          continue;
        }
      if (eq != NULL && !guestd_argv_parse_bool (value, &on))
        {
          guestd_argv_error (error, opt, arg,
                             _("CPU property '%s' is not supported"), key);
          return OPT_FAILED;
        }
      only_hv = FALSE;
      for (const char *c = key; *c != '\0'; c++)
        if (!g_ascii_isalnum (*c) && strchr ("-_.", *c) == NULL)
          {
            guestd_argv_error (error, opt, arg,
                               _("invalid CPU feature '%s'"), key);
            return OPT_FAILED;
          }
      ft.policy = on ? GUESTD_CPU_POLICY_REQUIRE : GUESTD_CPU_POLICY_DISABLE;
      ft.name = g_steal_pointer (&key);
      g_array_append_val (cpu->features, ft);
    }

  /* "qemu64" with nothing but the flags that live elsewhere in the XML
   * (Hyper-V, kvm=off, kvmclock) is the builder's way of saying "no model
   * given": keep it model-less. */
  if (g_str_equal (parts[0], "qemu64") && only_hv && any_hv && !cpu->present
      && cpu->features->len == 0)
    return OPT_HANDLED;
  cpu->present = TRUE;
  if (g_str_equal (parts[0], "host"))
    cpu->mode = GUESTD_CPU_MODE_HOST_PASSTHROUGH;
  else if (g_str_equal (parts[0], "max"))
    cpu->mode = GUESTD_CPU_MODE_MAXIMUM;
  else
    {
      cpu->mode = GUESTD_CPU_MODE_CUSTOM;
      g_free (cpu->model);
      cpu->model = g_strdup (parts[0]);
    }
  return OPT_HANDLED;
}

static OptResult
opt_name (GuestdArgvParser *p, const char *opt, const char *arg,
          GError **error)
{
  g_autoptr (GuestdQemuOpts) o = guestd_qemu_opts_parse (arg, "guest", error);
  const char *name, *why;

  if (o == NULL)
    return OPT_FAILED;
  name = guestd_qemu_opts_get (o, "guest");
  /* Thread names and the process title are QEMU's business. */
  guestd_qemu_opts_get (o, "debug-threads");
  guestd_qemu_opts_get (o, "process");
  if (!guestd_argv_check_used (o, opt, arg, error))
    return OPT_FAILED;
  why = guestd_domain_name_check (name);
  if (why != NULL)
    {
      guestd_argv_error (error, opt, arg, _("invalid name: %s"), why);
      return OPT_FAILED;
    }
  g_free (p->def->name);
  p->def->name = g_strdup (name);
  return OPT_HANDLED;
}

static OptResult
opt_uuid (GuestdArgvParser *p, const char *opt, const char *arg,
          GError **error)
{
  if (!guestd_uuid_parse (arg, p->def->uuid))
    {
      guestd_argv_error (error, opt, arg, _("not a UUID"));
      return OPT_FAILED;
    }
  return OPT_HANDLED;
}

static OptResult
opt_path (GuestdArgvParser *p, const char *opt, const char *arg,
          GError **error)
{
  GuestdOsDef *o = &p->def->os;
  char **slot;

  if (g_str_equal (opt, "-kernel"))
    slot = &o->kernel;
  else if (g_str_equal (opt, "-initrd"))
    slot = &o->initrd;
  else if (g_str_equal (opt, "-dtb"))
    slot = &o->dtb;
  else if (g_str_equal (opt, "-append"))
    slot = &o->cmdline;
  else
    slot = &o->loader;
  if (slot != &o->cmdline && !g_path_is_absolute (arg))
    {
      guestd_argv_error (error, opt, arg,
                         _("needs an absolute path (domain XML has no "
                           "working directory)"));
      return OPT_FAILED;
    }
  g_free (*slot);
  *slot = g_strdup (arg);
  if (slot == &o->loader)
    o->loader_type = GUESTD_LOADER_ROM;
  return OPT_HANDLED;
}

static OptResult
opt_boot (GuestdArgvParser *p, const char *opt, const char *arg,
          GError **error)
{
  g_autoptr (GuestdQemuOpts) o = guestd_qemu_opts_parse (arg, "order", error);
  GuestdOsDef *os = &p->def->os;
  const char *order, *menu, *splash, *reboot;

  if (o == NULL)
    return OPT_FAILED;
  order = guestd_qemu_opts_get (o, "order");
  menu = guestd_qemu_opts_get (o, "menu");
  splash = guestd_qemu_opts_get (o, "splash-time");
  reboot = guestd_qemu_opts_get (o, "reboot-timeout");
  /* strict=on is what guestd always asks for. */
  guestd_qemu_opts_get (o, "strict");
  if (!guestd_argv_check_used (o, opt, arg, error))
    return OPT_FAILED;
  if (order != NULL)
    {
      os->n_boot = 0;
      for (const char *c = order; *c != '\0'; c++)
        {
          GuestdBootDev dev;

          switch (*c)
            {
            case 'a':
              dev = GUESTD_BOOT_FD;
              break;
            case 'c':
              dev = GUESTD_BOOT_HD;
              break;
            case 'd':
              dev = GUESTD_BOOT_CDROM;
              break;
            case 'n':
              dev = GUESTD_BOOT_NETWORK;
              break;
            default:
              guestd_argv_error (error, opt, arg,
                                 _("boot drive '%c' is not one of a, c, d, "
                                   "n"),
                                 *c);
              return OPT_FAILED;
            }
          if (os->n_boot == GUESTD_MAX_BOOT_DEVS)
            {
              guestd_argv_error (error, opt, arg,
                                 _("at most %d boot devices"),
                                 GUESTD_MAX_BOOT_DEVS);
              return OPT_FAILED;
            }
          os->boot[os->n_boot++] = dev;
        }
    }
  if (menu != NULL)
    {
      gboolean on;

      if (!parse_onoff (opt, arg, "menu", menu, &on, error))
        return OPT_FAILED;
      os->bootmenu = on ? GUESTD_TRISTATE_YES : GUESTD_TRISTATE_NO;
    }
  if (splash != NULL)
    {
      guint64 n;

      if (!guestd_parse_u64 (splash, &n) || n > 65535)
        {
          guestd_argv_error (error, opt, arg, _("bad 'splash-time'"));
          return OPT_FAILED;
        }
      os->bootmenu_timeout = (int) n;
    }
  if (reboot != NULL)
    {
      gint64 n;

      if (!g_ascii_string_to_signed (reboot, 10, -1, 65535, &n, NULL))
        {
          guestd_argv_error (error, opt, arg, _("bad 'reboot-timeout'"));
          return OPT_FAILED;
        }
      os->has_reboot_timeout = TRUE;
      os->reboot_timeout = (int) n;
    }
  return OPT_HANDLED;
}

static OptResult
opt_rtc (GuestdArgvParser *p, const char *opt, const char *arg,
         GError **error)
{
  g_autoptr (GuestdQemuOpts) o = guestd_qemu_opts_parse (arg, NULL, error);
  GuestdClockDef *clk = &p->def->clock;
  const char *base, *drift, *clock;

  if (o == NULL)
    return OPT_FAILED;
  base = guestd_qemu_opts_get (o, "base");
  drift = guestd_qemu_opts_get (o, "driftfix");
  clock = guestd_qemu_opts_get (o, "clock");
  if (!guestd_argv_check_used (o, opt, arg, error))
    return OPT_FAILED;
  if (base == NULL || g_str_equal (base, "utc"))
    clk->offset = GUESTD_CLOCK_UTC;
  else if (g_str_equal (base, "localtime"))
    clk->offset = GUESTD_CLOCK_LOCALTIME;
  else
    {
      /* A date: the guest's clock runs that far from the host's. */
      g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
      g_autoptr (GDateTime) when = g_date_time_new_from_iso8601 (base, utc);
      g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

      if (when == NULL)
        {
          guestd_argv_error (error, opt, arg,
                             _("base '%s' is not utc, localtime or a date "
                               "like 2006-06-17T16:01:21"),
                             base);
          return OPT_FAILED;
        }
      clk->offset = GUESTD_CLOCK_VARIABLE;
      clk->basis = GUESTD_CLOCK_BASIS_UTC;
      clk->has_adjustment = TRUE;
      clk->adjustment = (g_date_time_difference (when, now)
                         + (g_date_time_difference (when, now) >= 0 ? 500000
                                                                   : -500000))
                        / G_USEC_PER_SEC;
    }
  if (drift != NULL && g_str_equal (drift, "slew"))
    p->rtc_tickpolicy = GUESTD_TICKPOLICY_CATCHUP;
  else if (drift != NULL && !g_str_equal (drift, "none"))
    {
      guestd_argv_error (error, opt, arg, _("driftfix is slew or none"));
      return OPT_FAILED;
    }
  if (clock != NULL)
    {
      if (g_str_equal (clock, "vm"))
        p->rtc_track = GUESTD_TIMER_TRACK_GUEST;
      else if (g_str_equal (clock, "host"))
        p->rtc_track = GUESTD_TIMER_TRACK_WALL;
      else if (g_str_equal (clock, "rt"))
        p->rtc_track = GUESTD_TIMER_TRACK_REALTIME;
      else
        {
          guestd_argv_error (error, opt, arg, _("clock is host, rt or vm"));
          return OPT_FAILED;
        }
    }
  return OPT_HANDLED;
}

static OptResult
opt_global (GuestdArgvParser *p, const char *opt, const char *arg,
            GError **error)
{
  GuestdDomainDef *def = p->def;
  const char *eq = strchr (arg, '=');
  const char *value = eq ? eq + 1 : "";
  g_autofree char *key = eq ? g_strndup (arg, eq - arg) : g_strdup (arg);
  GuestdTristate *pm = NULL;

  if (g_str_has_suffix (key, ".disable_s3")
      && (g_str_has_prefix (key, "ICH9-LPC.") || g_str_has_prefix (key, "PIIX4_PM.")))
    pm = &def->pm_suspend_to_mem;
  else if (g_str_has_suffix (key, ".disable_s4")
           && (g_str_has_prefix (key, "ICH9-LPC.")
               || g_str_has_prefix (key, "PIIX4_PM.")))
    pm = &def->pm_suspend_to_disk;
  if (pm != NULL)
    {
      if (!g_str_equal (value, "0") && !g_str_equal (value, "1"))
        {
          guestd_argv_error (error, opt, arg, _("expected 0 or 1"));
          return OPT_FAILED;
        }
      *pm = g_str_equal (value, "1") ? GUESTD_TRISTATE_NO : GUESTD_TRISTATE_YES;
      return OPT_HANDLED;
    }
  if (g_str_equal (key, "kvm-pit.lost_tick_policy"))
    {
      if (g_str_equal (value, "delay"))
        p->pit_tickpolicy = GUESTD_TICKPOLICY_DELAY;
      else if (g_str_equal (value, "slew"))
        p->pit_tickpolicy = GUESTD_TICKPOLICY_CATCHUP;
      else if (g_str_equal (value, "discard"))
        p->pit_tickpolicy = GUESTD_TICKPOLICY_DISCARD;
      else
        {
          guestd_argv_error (error, opt, arg,
                             _("lost_tick_policy is delay, slew or discard"));
          return OPT_FAILED;
        }
      return OPT_HANDLED;
    }
  if (g_str_equal (arg, "driver=cfi.pflash01,property=secure,value=on"))
    {
      def->os.loader_secure = GUESTD_TRISTATE_YES;
      return OPT_HANDLED;
    }
  return OPT_KEEP;
}

/* VNC's and SPICE's password-secret=ID: the -object secret's data. */
static gboolean
take_password_secret (GuestdArgvParser *p, const char *opt, const char *arg,
                      const char *secret, GuestdGraphicsDef *g, GError **error)
{
  GuestdQemuOpts *sec = g_hash_table_lookup (p->objects, secret);
  const char *data = sec ? guestd_qemu_opts_get (sec, "data") : NULL;

  if (data == NULL)
    {
      guestd_argv_error (error, opt, arg,
                         _("password-secret '%s' names no -object secret "
                           "with data="),
                         secret);
      return FALSE;
    }
  g_hash_table_add (p->used_backends, g_strdup (secret));
  g->passwd = g_strdup (data);
  return TRUE;
}

static OptResult
opt_vnc (GuestdArgvParser *p, const char *opt, const char *arg,
         GError **error)
{
  GuestdGraphicsDef *g = guestd_graphics_def_new ();
  g_autoptr (GuestdQemuOpts) o = NULL;
  const char *disp, *to, *pw, *secret, *ws;
  gboolean pw_on = FALSE;

  g->type = GUESTD_GRAPHICS_VNC;
  g_ptr_array_add (p->def->graphics, g);
  o = guestd_qemu_opts_parse (arg, "vnc", error);
  if (o == NULL)
    return OPT_FAILED;
  disp = guestd_qemu_opts_get (o, "vnc");
  to = guestd_qemu_opts_get (o, "to");
  pw = guestd_qemu_opts_get (o, "password");
  secret = guestd_qemu_opts_get (o, "password-secret");
  ws = guestd_qemu_opts_get (o, "websocket");
  /* The sound card's audio stream: derived from <sound>. */
  guestd_qemu_opts_get (o, "audiodev");
  if (!guestd_argv_check_used (o, opt, arg, error))
    return OPT_FAILED;
  if (disp == NULL || g_str_equal (disp, "none"))
    g->listen_type = GUESTD_LISTEN_NONE;
  else if (g_str_has_prefix (disp, "unix:"))
    {
      g->listen_type = GUESTD_LISTEN_SOCKET;
      g->listen = g_strdup (disp + 5);
    }
  else
    {
      const char *colon = strrchr (disp, ':');
      g_autofree char *addr = NULL;
      guint64 n;

      if (colon == NULL || !guestd_parse_u64 (colon + 1, &n) || n > 59635)
        {
          guestd_argv_error (error, opt, arg,
                             _("expected [ADDRESS]:DISPLAY, unix:PATH or "
                               "none"));
          return OPT_FAILED;
        }
      addr = g_strndup (disp, colon - disp);
      if (addr[0] == '[' && addr[strlen (addr) - 1] == ']')
        {
          char *inner = g_strndup (addr + 1, strlen (addr) - 2);

          g_free (addr);
          addr = inner;
        }
      if (*addr != '\0')
        {
          g->listen_type = GUESTD_LISTEN_ADDRESS;
          g->listen = g_steal_pointer (&addr);
        }
      g->port = 5900 + (int) n;
      g->autoport = to != NULL ? GUESTD_TRISTATE_YES : GUESTD_TRISTATE_NO;
      if (to != NULL)
        g->port = -1;
    }
  if (ws != NULL)
    {
      gint64 n;

      if (!g_ascii_string_to_signed (ws, 10, 1, 65535, &n, NULL))
        {
          guestd_argv_error (error, opt, arg, _("bad websocket port"));
          return OPT_FAILED;
        }
      g->websocket = (int) n;
    }
  if (pw != NULL && !parse_onoff (opt, arg, "password", pw, &pw_on, error))
    return OPT_FAILED;
  if (secret != NULL && !take_password_secret (p, opt, arg, secret, g, error))
    return OPT_FAILED;
  if (secret == NULL && pw_on)
    {
      guestd_argv_error (error, opt, arg,
                         _("the password is set over the monitor, so it "
                           "cannot be read from the command line; use "
                           "password-secret="));
      return OPT_FAILED;
    }
  return OPT_HANDLED;
}

static OptResult
opt_spice (GuestdArgvParser *p, const char *opt, const char *arg,
           GError **error)
{
  g_autoptr (GuestdQemuOpts) o = guestd_qemu_opts_parse (arg, NULL, error);
  GuestdGraphicsDef *g = guestd_graphics_def_new ();
  const char *port, *addr, *unix_s, *ticket, *img, *gl, *secret;
  gboolean b;

  g->type = GUESTD_GRAPHICS_SPICE;
  g_ptr_array_add (p->def->graphics, g);
  if (o == NULL)
    return OPT_FAILED;
  port = guestd_qemu_opts_get (o, "port");
  addr = guestd_qemu_opts_get (o, "addr");
  unix_s = guestd_qemu_opts_get (o, "unix");
  ticket = guestd_qemu_opts_get (o, "disable-ticketing");
  img = guestd_qemu_opts_get (o, "image-compression");
  gl = guestd_qemu_opts_get (o, "gl");
  secret = guestd_qemu_opts_get (o, "password-secret");
  guestd_qemu_opts_get (o, "seamless-migration");
  if (!guestd_argv_check_used (o, opt, arg, error))
    return OPT_FAILED;
  (void) ticket;
  if (unix_s != NULL && parse_onoff (opt, arg, "unix", unix_s, &b, error) && b)
    {
      g->listen_type = GUESTD_LISTEN_SOCKET;
      g->listen = g_strdup (addr);
    }
  else
    {
      gint64 n = 0;

      if (port == NULL
          || !g_ascii_string_to_signed (port, 10, 1, 65535, &n, NULL))
        {
          guestd_argv_error (error, opt, arg, _("a port is needed"));
          return OPT_FAILED;
        }
      g->port = (int) n;
      g->autoport = GUESTD_TRISTATE_NO;
      if (addr != NULL)
        {
          g->listen_type = GUESTD_LISTEN_ADDRESS;
          g->listen = g_strdup (addr);
        }
    }
  if (img != NULL)
    {
      int v = guestd_enum_from_string (&guestd_spice_image, img);

      if (v < 0)
        {
          guestd_argv_error (error, opt, arg,
                             _("unknown image-compression '%s'"), img);
          return OPT_FAILED;
        }
      g->image_compression = v;
    }
  if (gl != NULL)
    {
      if (!parse_onoff (opt, arg, "gl", gl, &b, error))
        return OPT_FAILED;
      g->gl = b ? GUESTD_TRISTATE_YES : GUESTD_TRISTATE_NO;
    }
  if (secret != NULL && !take_password_secret (p, opt, arg, secret, g, error))
    return OPT_FAILED;
  return OPT_HANDLED;
}

static OptResult
opt_display (GuestdArgvParser *p, const char *opt, const char *arg,
             GError **error)
{
  g_autoptr (GuestdQemuOpts) o = guestd_qemu_opts_parse (arg, "type", error);
  const char *type, *gl;
  GuestdGraphicsDef *g;
  gboolean on;

  if (o == NULL)
    return OPT_FAILED;
  type = guestd_qemu_opts_get (o, "type");
  gl = guestd_qemu_opts_get (o, "gl");
  if (type == NULL)
    {
      guestd_argv_error (error, opt, arg, _("expected a display type first"));
      return OPT_FAILED;
    }
  if (g_str_equal (type, "none"))
    {
      p->display_none = TRUE;
      return guestd_argv_check_used (o, opt, arg, error) ? OPT_HANDLED
                                                         : OPT_FAILED;
    }
  if (!g_str_equal (type, "sdl") && !g_str_equal (type, "egl-headless")
      && !g_str_equal (type, "dbus"))
    return OPT_KEEP;
  if (!guestd_argv_check_used (o, opt, arg, error))
    return OPT_FAILED;
  g = guestd_graphics_def_new ();
  g->type = guestd_enum_from_string (&guestd_graphics_type, type);
  if (gl != NULL)
    {
      if (!parse_onoff (opt, arg, "gl", gl, &on, error))
        return OPT_FAILED;
      g->gl = on ? GUESTD_TRISTATE_YES : GUESTD_TRISTATE_NO;
    }
  g_ptr_array_add (p->def->graphics, g);
  return OPT_HANDLED;
}

static OptResult
opt_simple (GuestdArgvParser *p, const char *opt, const char *arg,
            GError **error)
{
  if (g_str_equal (opt, "-k"))
    {
      g_free (p->keymap);
      p->keymap = g_strdup (arg);
    }
  else if (g_str_equal (opt, "-vga"))
    {
      g_free (p->vga);
      p->vga = g_strdup (arg);
    }
  else if (g_str_equal (opt, "-usbdevice"))
    {
      GuestdInputDef *in = guestd_input_def_new ();

      in->bus = GUESTD_INPUT_BUS_USB;
      in->type = guestd_enum_from_string (&guestd_input_type,
                                          g_str_equal (arg, "keyboard")
                                            ? "keyboard"
                                            : arg);
      if ((int) in->type < 0)
        {
          g_free (in);
          return OPT_KEEP;
        }
      g_ptr_array_add (p->def->inputs, in);
      p->usb = TRUE;
    }
  else if (g_str_equal (opt, "-watchdog-action") || g_str_equal (opt, "-action"))
    {
      const char *v = arg;

      if (g_str_equal (opt, "-action"))
        {
          if (!g_str_has_prefix (arg, "watchdog="))
            return OPT_KEEP;
          v = arg + strlen ("watchdog=");
        }
      p->watchdog_action = guestd_enum_from_string (&guestd_watchdog_action, v);
      if ((int) p->watchdog_action < 0)
        {
          guestd_argv_error (error, opt, arg,
                             _("unknown watchdog action '%s'"), v);
          return OPT_FAILED;
        }
    }
  else if (g_str_equal (opt, "-pflash"))
    {
      GuestdOsDef *o = &p->def->os;
      char **slot = o->loader == NULL ? &o->loader : &o->nvram;

      if (o->nvram != NULL || !g_path_is_absolute (arg))
        {
          guestd_argv_error (error, opt, arg,
                             _("expected at most two absolute paths"));
          return OPT_FAILED;
        }
      *slot = g_strdup (arg);
      o->loader_type = GUESTD_LOADER_PFLASH;
    }
  else
    return OPT_KEEP;
  return OPT_HANDLED;
}

static OptResult
opt_drive_like (GuestdArgvParser *p, const char *opt, const char *arg,
                GError **error)
{
  gboolean ok;

  if (g_str_equal (opt, "-drive"))
    ok = guestd_argv_drive (p, arg, error);
  else if (g_str_equal (opt, "-net") || g_str_equal (opt, "-nic"))
    ok = guestd_argv_legacy_net (p, opt, arg, error);
  else if (g_str_equal (opt, "-serial") || g_str_equal (opt, "-parallel"))
    ok = guestd_argv_legacy_chr (p, opt, arg, error);
  else
    ok = guestd_argv_legacy_drive (p, opt, arg, error);
  return ok ? OPT_HANDLED : OPT_FAILED;
}

static OptResult
opt_device (GuestdArgvParser *p, const char *opt, const char *arg,
            GError **error)
{
  gboolean modelled = FALSE;

  if (!guestd_argv_device (p, arg, &modelled, error))
    return OPT_FAILED;
  return modelled ? OPT_HANDLED : OPT_KEEP;
}

static OptResult
opt_ignore (GuestdArgvParser *p, const char *opt, const char *arg,
            GError **error)
{
  return OPT_IGNORE;
}

static OptResult
opt_keep (GuestdArgvParser *p, const char *opt, const char *arg,
          GError **error)
{
  return OPT_KEEP;
}

/* Back-ends are collected in the first pass. */
static OptResult
opt_backend (GuestdArgvParser *p, const char *opt, const char *arg,
             GError **error)
{
  return OPT_HANDLED;
}

typedef struct
{
  const char *name;
  gboolean has_arg;
  OptHandler handler;
} OptDef;

/* Every option QEMU 7.2's x86 emulator accepts, plus the legacy ones the
 * seeds and old scripts use; what takes an argument comes from QEMU's own
 * option table. */
static const OptDef option_table[] = {
  { "-M", TRUE, opt_machine },
  { "-machine", TRUE, opt_machine },
  { "-accel", TRUE, opt_accel },
  { "-cpu", TRUE, opt_cpu },
  { "-m", TRUE, opt_memory },
  { "-smp", TRUE, opt_smp },
  { "-name", TRUE, opt_name },
  { "-uuid", TRUE, opt_uuid },
  { "-kernel", TRUE, opt_path },
  { "-initrd", TRUE, opt_path },
  { "-append", TRUE, opt_path },
  { "-dtb", TRUE, opt_path },
  { "-bios", TRUE, opt_path },
  { "-boot", TRUE, opt_boot },
  { "-rtc", TRUE, opt_rtc },
  { "-global", TRUE, opt_global },
  { "-vnc", TRUE, opt_vnc },
  { "-spice", TRUE, opt_spice },
  { "-display", TRUE, opt_display },
  { "-k", TRUE, opt_simple },
  { "-vga", TRUE, opt_simple },
  { "-usbdevice", TRUE, opt_simple },
  { "-watchdog-action", TRUE, opt_simple },
  { "-action", TRUE, opt_simple },
  { "-pflash", TRUE, opt_simple },
  { "-drive", TRUE, opt_drive_like },
  { "-hda", TRUE, opt_drive_like },
  { "-hdb", TRUE, opt_drive_like },
  { "-hdc", TRUE, opt_drive_like },
  { "-hdd", TRUE, opt_drive_like },
  { "-cdrom", TRUE, opt_drive_like },
  { "-fda", TRUE, opt_drive_like },
  { "-fdb", TRUE, opt_drive_like },
  { "-net", TRUE, opt_drive_like },
  { "-nic", TRUE, opt_drive_like },
  { "-serial", TRUE, opt_drive_like },
  { "-parallel", TRUE, opt_drive_like },
  { "-device", TRUE, opt_device },
  { "-blockdev", TRUE, opt_backend },
  { "-netdev", TRUE, opt_backend },
  { "-chardev", TRUE, opt_backend },
  { "-object", TRUE, opt_backend },
  { "-audiodev", TRUE, opt_ignore },
  { "-mon", TRUE, opt_ignore },
  { "-monitor", TRUE, opt_ignore },
  { "-qmp", TRUE, opt_ignore },
  { "-qmp-pretty", TRUE, opt_ignore },
  { "-pidfile", TRUE, opt_ignore },
  { "-sandbox", TRUE, opt_ignore },
  { "-msg", TRUE, opt_ignore },
  { "-runas", TRUE, opt_ignore },
  { "-chroot", TRUE, opt_ignore },
  { "-S", FALSE, opt_ignore },
  { "-daemonize", FALSE, opt_ignore },
  { "-no-user-config", FALSE, opt_ignore },
  { "-nodefaults", FALSE, opt_flag },
  { "-enable-kvm", FALSE, opt_flag },
  { "-no-kvm", FALSE, opt_flag },
  { "-nographic", FALSE, opt_flag },
  { "-no-acpi", FALSE, opt_flag },
  { "-no-hpet", FALSE, opt_flag },
  { "-usb", FALSE, opt_flag },
  { "-localtime", FALSE, opt_flag },
  { "-no-reboot", FALSE, opt_flag },
  { "-no-shutdown", FALSE, opt_flag },
  { "-std-vga", FALSE, opt_flag },
  { "-no-kqemu", FALSE, opt_ignore },
  { "-snapshot", FALSE, opt_keep },
  { "-no-fd-bootchk", FALSE, opt_keep },
  { "-full-screen", FALSE, opt_keep },
  { "-alt-grab", FALSE, opt_keep },
  { "-ctrl-grab", FALSE, opt_keep },
  { "-no-frame", FALSE, opt_keep },
  { "-no-quit", FALSE, opt_keep },
  { "-portrait", FALSE, opt_keep },
  { "-win2k-hack", FALSE, opt_keep },
  { "-xen-attach", FALSE, opt_keep },
  { "-xen-domid-restrict", FALSE, opt_keep },
  { "-s", FALSE, opt_keep },
  { "-singlestep", FALSE, opt_keep },
  { "-enable-fips", FALSE, opt_keep },
  { "-only-migratable", FALSE, opt_keep },
  { "-mem-prealloc", FALSE, opt_keep },
  { "-preconfig", FALSE, opt_keep },
  { "-async-teardown", FALSE, opt_keep },
  { "-enable-sync-profile", FALSE, opt_keep },
  { "-sdl", FALSE, opt_keep },
  { "-curses", FALSE, opt_keep },
  { "-acpitable", TRUE, opt_keep },
  { "-add-fd", TRUE, opt_keep },
  { "-compat", TRUE, opt_keep },
  { "-D", TRUE, opt_keep },
  { "-d", TRUE, opt_keep },
  { "-debugcon", TRUE, opt_keep },
  { "-dfilter", TRUE, opt_keep },
  { "-echr", TRUE, opt_keep },
  { "-fsdev", TRUE, opt_keep },
  { "-fw_cfg", TRUE, opt_keep },
  { "-gdb", TRUE, opt_keep },
  { "-icount", TRUE, opt_keep },
  { "-incoming", TRUE, opt_keep },
  { "-iscsi", TRUE, opt_keep },
  { "-L", TRUE, opt_keep },
  { "-loadvm", TRUE, opt_keep },
  { "-mem-path", TRUE, opt_keep },
  { "-mtdblock", TRUE, opt_keep },
  { "-numa", TRUE, opt_keep },
  { "-option-rom", TRUE, opt_keep },
  { "-overcommit", TRUE, opt_keep },
  { "-plugin", TRUE, opt_keep },
  { "-readconfig", TRUE, opt_keep },
  { "-rotate", TRUE, opt_keep },
  { "-sd", TRUE, opt_keep },
  { "-seed", TRUE, opt_keep },
  { "-set", TRUE, opt_keep },
  { "-smbios", TRUE, opt_keep },
  { "-tpmdev", TRUE, opt_keep },
  { "-trace", TRUE, opt_keep },
  { "-virtfs", TRUE, opt_keep },
  { "-xen-domid", TRUE, opt_keep },
  { "-semihosting-config", TRUE, opt_keep },
  { "-dump-vmstate", TRUE, opt_keep },
};

static const OptDef *
find_option (const char *name)
{
  /* QEMU accepts "--opt" for "-opt". */
  if (g_str_has_prefix (name, "--"))
    name++;
  for (guint i = 0; i < G_N_ELEMENTS (option_table); i++)
    if (g_str_equal (option_table[i].name, name))
      return &option_table[i];
  return NULL;
}

/* The guest architecture an emulator's name implies, or NULL. */
static char *
arch_from_emulator (const char *emulator, gboolean *kvm)
{
  g_autofree char *base = g_path_get_basename (emulator);

  *kvm = FALSE;
  if (g_str_equal (base, "qemu"))
    return g_strdup ("i686");
  if (g_str_equal (base, "qemu-kvm") || g_str_equal (base, "kvm"))
    {
      *kvm = TRUE;
      return g_strdup ("x86_64");
    }
  if (g_str_has_prefix (base, "qemu-system-") && base[12] != '\0')
    {
      const char *a = base + strlen ("qemu-system-");

      for (const char *c = a; *c != '\0'; c++)
        if (!g_ascii_isalnum (*c) && *c != '_')
          return NULL;
      return g_strdup (g_str_equal (a, "i386") ? "i686" : a);
    }
  return NULL;
}

/* Reads a back-end into its table; *id_out is what devices name it by. */
static gboolean
collect_backend (GuestdArgvParser *p, const char *opt, const char *arg,
                 char **id_out, GError **error)
{
  GHashTable *table;
  const char *implied;
  GuestdQemuOpts *o;
  const char *id;

  if (g_str_equal (opt, "-blockdev"))
    return guestd_argv_blockdev (p, arg, id_out, error);
  if (g_str_equal (opt, "-netdev"))
    table = p->netdevs, implied = "type";
  else if (g_str_equal (opt, "-chardev"))
    table = p->chardevs, implied = "backend";
  else
    table = p->objects, implied = "qom-type";
  o = guestd_qemu_opts_parse (arg, implied, error);
  if (o == NULL)
    return FALSE;
  id = guestd_qemu_opts_get (o, "id");
  if (id == NULL)
    {
      guestd_qemu_opts_free (o);
      return guestd_argv_error (error, opt, arg, _("an 'id' is needed"));
    }
  if (g_hash_table_contains (table, id))
    {
      guestd_qemu_opts_free (o);
      return guestd_argv_error (error, opt, arg, _("id '%s' is used twice"),
                                id);
    }
  *id_out = g_strdup (id);
  g_hash_table_insert (table, g_strdup (id), o);
  return TRUE;
}

typedef struct
{
  const OptDef *def;
  const char *opt;
  const char *arg;
  char *backend_id; /* for back-ends: the id devices use */
} Item;

static void
item_clear (gpointer data)
{
  Item *it = data;

  g_free (it->backend_id);
}

static gboolean
split_options (const GuestdQemuCommand *cmd, GArray *items, GError **error)
{
  for (guint i = 1; i < cmd->argv->len; i++)
    {
      const char *a = cmd->argv->pdata[i];
      Item it = { find_option (a), a, NULL, NULL };

      if (a[0] != '-')
        {
          /* QEMU reads a bare word as the first hard disk. */
          it.def = find_option ("-hda");
          it.opt = "-hda";
          it.arg = a;
          g_array_append_val (items, it);
          continue;
        }
      if (it.def == NULL)
        return guestd_argv_error (error, a, NULL,
                                  _("not an option QEMU knows"));
      if (it.def->has_arg)
        {
          if (i + 1 >= cmd->argv->len)
            return guestd_argv_error (error, a, NULL, _("needs a value"));
          it.arg = cmd->argv->pdata[++i];
          for (const char *c = it.arg; *c != '\0'; c++)
            if ((unsigned char) *c < 0x20)
              return guestd_argv_error (error, a, NULL,
                                        _("the value contains a control "
                                          "character"));
          if (!g_utf8_validate (it.arg, -1, NULL))
            return guestd_argv_error (error, a, NULL,
                                      _("the value is not UTF-8"));
        }
      g_array_append_val (items, it);
    }
  return TRUE;
}

static void
keep_verbatim (GuestdArgvParser *p, const char *opt, const char *arg)
{
  g_ptr_array_add (p->def->qemu_args, g_strdup (opt));
  if (arg != NULL)
    g_ptr_array_add (p->def->qemu_args, g_strdup (arg));
}

static void
add_timer (GuestdDomainDef *def, GuestdTimerName name, GuestdTristate present,
           GuestdTickPolicy policy, GuestdTimerTrack track)
{
  GuestdTimerDef t = { name, present, policy, track };

  g_array_append_val (def->clock.timers, t);
}

static void
finish_clock (GuestdArgvParser *p)
{
  GuestdDomainDef *def = p->def;

  if (p->rtc_tickpolicy != GUESTD_TICKPOLICY_NONE
      || p->rtc_track != GUESTD_TIMER_TRACK_NONE)
    add_timer (def, GUESTD_TIMER_RTC, GUESTD_TRISTATE_ABSENT,
               p->rtc_tickpolicy, p->rtc_track);
  if (p->pit_tickpolicy != GUESTD_TICKPOLICY_NONE)
    add_timer (def, GUESTD_TIMER_PIT, GUESTD_TRISTATE_ABSENT,
               p->pit_tickpolicy, GUESTD_TIMER_TRACK_NONE);
  if (p->hpet_off)
    add_timer (def, GUESTD_TIMER_HPET, GUESTD_TRISTATE_NO,
               GUESTD_TICKPOLICY_NONE, GUESTD_TIMER_TRACK_NONE);
  if (p->kvmclock != GUESTD_TRISTATE_ABSENT)
    add_timer (def, GUESTD_TIMER_KVMCLOCK, p->kvmclock, GUESTD_TICKPOLICY_NONE,
               GUESTD_TIMER_TRACK_NONE);
  if (p->hv_time)
    add_timer (def, GUESTD_TIMER_HYPERVCLOCK, GUESTD_TRISTATE_YES,
               GUESTD_TICKPOLICY_NONE, GUESTD_TIMER_TRACK_NONE);
}

static gboolean
finish_display (GuestdArgvParser *p, GError **error)
{
  GuestdDomainDef *def = p->def;

  /* Without -nographic or -display none QEMU opens a window. */
  if (def->graphics->len == 0 && !p->nographic && !p->display_none)
    {
      GuestdGraphicsDef *g = guestd_graphics_def_new ();

      g->type = GUESTD_GRAPHICS_SDL;
      g_ptr_array_add (def->graphics, g);
    }
  if (p->keymap != NULL)
    {
      GuestdGraphicsDef *g = NULL;

      for (guint i = 0; i < def->graphics->len && g == NULL; i++)
        {
          GuestdGraphicsDef *c = def->graphics->pdata[i];

          if (c->type == GUESTD_GRAPHICS_VNC || c->type == GUESTD_GRAPHICS_SPICE)
            g = c;
        }
      if (g == NULL)
        keep_verbatim (p, "-k", p->keymap);
      else
        g->keymap = g_strdup (p->keymap);
    }
  if (p->vga != NULL)
    {
      const char *m = g_str_equal (p->vga, "std") ? "vga" : p->vga;
      int model = guestd_enum_from_string (&guestd_video_model, m);
      GuestdVideoDef *v;

      if (model < 0 || model == GUESTD_VIDEO_BOCHS
          || model == GUESTD_VIDEO_RAMFB)
        return guestd_argv_error (error, "-vga", p->vga,
                                  _("unsupported adapter (std, cirrus, qxl, "
                                    "virtio or none)"));
      v = guestd_video_def_new ();
      v->model = model;
      g_ptr_array_insert (def->videos, 0, v);
    }
  else if (!p->nodefaults && def->videos->len == 0 && def->graphics->len > 0)
    {
      GuestdVideoDef *v = guestd_video_def_new ();

      v->model = GUESTD_VIDEO_VGA;
      g_ptr_array_add (def->videos, v);
    }
  return TRUE;
}

static gboolean
finish (GuestdArgvParser *p, GError **error)
{
  GuestdDomainDef *def = p->def;
  gboolean has_usb = FALSE;

  def->virt_type = p->kvm ? GUESTD_VIRT_KVM : GUESTD_VIRT_QEMU;
  /* What libvirt's parser did when the line named no guest. */
  if (def->name == NULL)
    def->name = g_strdup ("unnamed");
  if (def->memory_kib == 0)
    def->memory_kib = 128 * 1024; /* QEMU's default -m */
  if (def->vcpus == 0)
    def->vcpus = 1;
  def->os.type = g_strdup ("hvm");
  if (!p->no_acpi)
    {
      def->has_features = TRUE;
      def->features.acpi = TRUE;
    }
  if (def->features.vmport != GUESTD_TRISTATE_ABSENT
      || def->features.smm != GUESTD_TRISTATE_ABSENT
      || def->features.has_hyperv
      || def->features.kvm_hidden != GUESTD_TRISTATE_ABSENT)
    def->has_features = TRUE;
  finish_clock (p);
  if (!finish_display (p, error))
    return FALSE;

  /* No USB unless the line asks for it (-usb or a USB controller). */
  for (guint i = 0; i < def->controllers->len; i++)
    has_usb |= ((GuestdControllerDef *) def->controllers->pdata[i])->type
               == GUESTD_CONTROLLER_USB;
  if (!has_usb)
    {
      GuestdControllerDef *c = guestd_controller_def_new ();

      c->type = GUESTD_CONTROLLER_USB;
      c->index = 0;
      /* -usb: the controller guestd gives the machine by default. */
      c->model = g_strdup (!p->usb ? "none"
                           : guestd_domain_def_is_q35 (def) ? "qemu-xhci"
                                                            : "piix3-uhci");
      g_ptr_array_add (def->controllers, c);
    }
  /* A balloon only when the line has one. */
  if (def->memballoon == NULL)
    {
      def->memballoon = guestd_balloon_def_new ();
      def->memballoon->model = GUESTD_BALLOON_NONE;
    }
  if (p->watchdog_action != GUESTD_WATCHDOG_ACTION_NONE_GIVEN)
    {
      if (def->watchdogs->len == 0)
        {
          GuestdWatchdogDef *w = guestd_watchdog_def_new ();

          /* -action watchdog= alone is about q35's built-in watchdog. */
          w->model = GUESTD_WATCHDOG_ITCO;
          g_ptr_array_add (def->watchdogs, w);
        }
      for (guint i = 0; i < def->watchdogs->len; i++)
        ((GuestdWatchdogDef *) def->watchdogs->pdata[i])->action
          = p->watchdog_action;
    }
  return guestd_argv_finish_legacy_nets (p, error);
}

static void
keep_unused_backends (GuestdArgvParser *p, GArray *items)
{
  /* Back-ends no device took stay as they were: the guest may need them
   * through an option kept in <qemu:commandline>. */
  for (guint i = 0; i < items->len; i++)
    {
      Item *it = &g_array_index (items, Item, i);

      if (it->def->handler == opt_backend
          && !g_hash_table_contains (p->used_backends, it->backend_id))
        keep_verbatim (p, it->opt, it->arg);
    }
}

static void
parser_clear (GuestdArgvParser *p)
{
  g_clear_pointer (&p->blockdevs, g_hash_table_unref);
  g_clear_pointer (&p->drives, g_hash_table_unref);
  g_clear_pointer (&p->netdevs, g_hash_table_unref);
  g_clear_pointer (&p->chardevs, g_hash_table_unref);
  g_clear_pointer (&p->objects, g_hash_table_unref);
  g_clear_pointer (&p->used_backends, g_hash_table_unref);
  g_clear_pointer (&p->legacy_nics, g_ptr_array_unref);
  g_clear_pointer (&p->legacy_nets, g_ptr_array_unref);
  g_clear_pointer (&p->keymap, g_free);
  g_clear_pointer (&p->vga, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GuestdArgvParser, parser_clear)

static GHashTable *
opts_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                (GDestroyNotify) guestd_qemu_opts_free);
}

static void
parser_init (GuestdArgvParser *p, GuestdDomainDef *def)
{
  p->def = def;
  p->blockdevs = opts_table ();
  p->drives = opts_table ();
  p->netdevs = opts_table ();
  p->chardevs = opts_table ();
  p->objects = opts_table ();
  p->used_backends = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            NULL);
  p->legacy_nics = g_ptr_array_new_with_free_func (
    (GDestroyNotify) guestd_qemu_opts_free);
  p->legacy_nets = g_ptr_array_new_with_free_func (
    (GDestroyNotify) guestd_qemu_opts_free);
}

static void
read_environment (GuestdDomainDef *def, const GuestdQemuCommand *cmd)
{
  for (guint i = 0; i < cmd->env->len; i++)
    {
      const char *kv = cmd->env->pdata[i];
      const char *eq = strchr (kv, '=');
      g_autofree char *name = g_strndup (kv, eq - kv);
      GuestdQemuEnv *env;

      /* guestd sets these itself; anything else is the user's. */
      if (g_str_equal (name, "LC_ALL") || g_str_equal (name, "PATH")
          || g_str_equal (name, "HOME") || g_str_equal (name, "USER")
          || g_str_equal (name, "LOGNAME")
          || g_str_equal (name, "QEMU_AUDIO_DRV"))
        continue;
      if (g_str_equal (name, "TZ"))
        {
          g_free (def->clock.timezone);
          def->clock.timezone = g_strdup (eq + 1);
          continue;
        }
      env = g_new0 (GuestdQemuEnv, 1);
      env->name = g_steal_pointer (&name);
      env->value = g_strdup (eq + 1);
      g_ptr_array_add (def->qemu_env, env);
    }
}

static gboolean
first_pass (GuestdArgvParser *p, GArray *items, GError **error)
{
  /* Back-ends first, so that devices can find them in any order; the
   * machine too, since it decides what "ide.2" means. */
  for (guint i = 0; i < items->len; i++)
    {
      Item *it = &g_array_index (items, Item, i);

      if (it->def->handler == opt_backend
          && !collect_backend (p, it->opt, it->arg, &it->backend_id, error))
        return FALSE;
      if (it->def->handler == opt_machine
          && opt_machine (p, it->opt, it->arg, error) == OPT_FAILED)
        return FALSE;
      if (g_str_equal (it->opt, "-mon"))
        {
          g_autoptr (GuestdQemuOpts) o
            = guestd_qemu_opts_parse (it->arg, "chardev", NULL);
          const char *chr = o ? guestd_qemu_opts_get (o, "chardev") : NULL;

          /* The monitor's chardev is guestd's own plumbing. */
          if (chr != NULL)
            g_hash_table_add (p->used_backends, g_strdup (chr));
        }
    }
  return TRUE;
}

static gboolean
second_pass (GuestdArgvParser *p, GArray *items, GError **error)
{
  /* In order: disk and NIC names follow the order of the options. */
  for (guint i = 0; i < items->len; i++)
    {
      Item *it = &g_array_index (items, Item, i);

      if (it->def->handler == opt_machine)
        continue;
      switch (it->def->handler (p, it->opt, it->arg, error))
        {
        case OPT_FAILED:
          return FALSE;
        case OPT_KEEP:
          keep_verbatim (p, it->opt, it->arg);
          break;
        default:
          break;
        }
    }
  return TRUE;
}

GuestdDomainDef *
guestd_qemu_parse_command (const GuestdQemuCommand *cmd, GError **error)
{
  g_autoptr (GuestdDomainDef) def = guestd_domain_def_new ();
  g_autoptr (GArray) items = g_array_new (FALSE, FALSE, sizeof (Item));
  g_auto (GuestdArgvParser) p = { 0 };
  g_autofree char *arch = NULL;

  g_array_set_clear_func (items, item_clear);
  if (cmd->argv->len == 0)
    {
      g_set_error_literal (error, GUESTD_ERROR, GUESTD_ERROR_NATIVE,
                           _("empty command line"));
      return NULL;
    }
  def->emulator = g_strdup (cmd->argv->pdata[0]);
  if (!g_path_is_absolute (def->emulator))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_NATIVE,
                   _("the emulator '%s' must be given as an absolute path"),
                   def->emulator);
      return NULL;
    }
  parser_init (&p, def);
  arch = arch_from_emulator (def->emulator, &p.kvm);
  if (arch == NULL)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_NATIVE,
                   _("cannot tell the guest architecture from the emulator "
                     "'%s' (expected qemu, qemu-kvm or qemu-system-ARCH)"),
                   def->emulator);
      return NULL;
    }
  def->os.arch = g_steal_pointer (&arch);
  read_environment (def, cmd);

  if (!split_options (cmd, items, error) || !first_pass (&p, items, error)
      || !second_pass (&p, items, error))
    return NULL;
  keep_unused_backends (&p, items);
  if (!finish (&p, error))
    return NULL;
  if (def->clock.timezone != NULL)
    {
      if (def->clock.offset != GUESTD_CLOCK_LOCALTIME)
        {
          g_set_error_literal (error, GUESTD_ERROR, GUESTD_ERROR_NATIVE,
                               _("TZ= only makes sense with -rtc "
                                 "base=localtime"));
          return NULL;
        }
      def->clock.offset = GUESTD_CLOCK_TIMEZONE;
    }
  if (!guestd_domain_def_post_parse (def, error)
      || !guestd_domain_def_validate (def, error))
    return NULL;
  return g_steal_pointer (&def);
}

GuestdDomainDef *
guestd_qemu_parse_native (const char *line, GError **error)
{
  g_autoptr (GuestdQemuCommand) cmd
    = guestd_qemu_command_from_string (line, error);

  if (cmd == NULL)
    return NULL;
  return guestd_qemu_parse_command (cmd, error);
}
