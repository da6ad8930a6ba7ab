/* The domain model's life cycle (new, free), enum strings and small
 * helpers shared by the parser, the formatter and the QEMU layer. */
#include "config.h"

#include "domain.h"

#include <string.h>

#include "util/i18n.h"

GUESTD_ENUM_DEFINE (guestd_virt_type, NULL, "qemu", "kvm");
GUESTD_ENUM_DEFINE (guestd_address_type, NULL, "pci", "drive", "usb",
                    "virtio-serial", "isa");
GUESTD_ENUM_DEFINE (guestd_disk_type, NULL, "file", "block");
GUESTD_ENUM_DEFINE (guestd_disk_device, NULL, "disk", "cdrom", "floppy",
                    "lun");
GUESTD_ENUM_DEFINE (guestd_disk_bus, NULL, "ide", "sata", "scsi", "virtio",
                    "usb", "fdc");
GUESTD_ENUM_DEFINE (guestd_disk_format, NULL, "raw", "qcow2", "qcow", "qed",
                    "vmdk", "vpc", "vhdx", "vdi", "iso");
GUESTD_ENUM_DEFINE (guestd_disk_cache, NULL, "default", "none",
                    "writethrough", "writeback", "directsync", "unsafe");
GUESTD_ENUM_DEFINE (guestd_disk_io, NULL, "native", "threads", "io_uring");
GUESTD_ENUM_DEFINE (guestd_disk_discard, NULL, "unmap", "ignore");
GUESTD_ENUM_DEFINE (guestd_disk_detect_zeroes, NULL, "off", "on", "unmap");
GUESTD_ENUM_DEFINE (guestd_disk_tray, NULL, "open", "closed");
GUESTD_ENUM_DEFINE (guestd_controller_type, NULL, "ide", "fdc", "scsi",
                    "sata", "virtio-serial", "usb", "pci");
GUESTD_ENUM_DEFINE (guestd_net_type, NULL, "user", "network", "bridge",
                    "ethernet");
GUESTD_ENUM_DEFINE (guestd_link_state, NULL, "up", "down");
GUESTD_ENUM_DEFINE (guestd_input_type, NULL, "mouse", "tablet", "keyboard");
GUESTD_ENUM_DEFINE (guestd_input_bus, NULL, "ps2", "usb", "virtio");
GUESTD_ENUM_DEFINE (guestd_graphics_type, NULL, "vnc", "spice", "sdl",
                    "egl-headless", "dbus");
GUESTD_ENUM_DEFINE (guestd_listen_type, NULL, "address", "socket", "none");
GUESTD_ENUM_DEFINE (guestd_spice_image, NULL, "auto_glz", "auto_lz", "quic",
                    "glz", "lz", "off");
GUESTD_ENUM_DEFINE (guestd_video_model, NULL, "vga", "cirrus", "qxl",
                    "virtio", "bochs", "ramfb", "none");
GUESTD_ENUM_DEFINE (guestd_sound_model, NULL, "ich6", "ich9", "ac97",
                    "es1370", "sb16", "usb");
GUESTD_ENUM_DEFINE (guestd_sound_codec, NULL, "duplex", "micro", "output");
GUESTD_ENUM_DEFINE (guestd_chr_device, "serial", "parallel", "console",
                    "channel");
GUESTD_ENUM_DEFINE (guestd_chr_type, NULL, "null", "vc", "pty", "dev",
                    "file", "pipe", "stdio", "tcp", "unix", "spicevmc",
                    "spiceport");
GUESTD_ENUM_DEFINE (guestd_chr_mode, NULL, "bind", "connect");
GUESTD_ENUM_DEFINE (guestd_chr_target_type, NULL, "isa-serial", "usb-serial",
                    "pci-serial", "serial", "virtio", "guestfwd");
GUESTD_ENUM_DEFINE (guestd_chr_protocol, NULL, "raw", "telnet");
GUESTD_ENUM_DEFINE (guestd_rng_backend, NULL, "random", "builtin");
GUESTD_ENUM_DEFINE (guestd_balloon_model, NULL, "virtio", "none");
GUESTD_ENUM_DEFINE (guestd_watchdog_model, NULL, "i6300esb", "ib700",
                    "itco");
GUESTD_ENUM_DEFINE (guestd_watchdog_action, NULL, "reset", "shutdown",
                    "poweroff", "pause", "none", "dump", "inject-nmi");
GUESTD_ENUM_DEFINE (guestd_boot_dev, NULL, "hd", "cdrom", "fd", "network");
GUESTD_ENUM_DEFINE (guestd_loader_type, NULL, "rom", "pflash");
GUESTD_ENUM_DEFINE (guestd_firmware, NULL, "bios", "efi");
GUESTD_ENUM_DEFINE (guestd_hyperv_feature, "relaxed", "vapic", "spinlocks",
                    "vpindex", "runtime", "synic", "stimer", "reset",
                    "vendor_id", "frequencies", "reenlightenment",
                    "tlbflush", "ipi", "evmcs");
GUESTD_ENUM_DEFINE (guestd_cpu_mode, NULL, "custom", "host-model",
                    "host-passthrough", "maximum");
GUESTD_ENUM_DEFINE (guestd_cpu_match, NULL, "minimum", "exact", "strict");
GUESTD_ENUM_DEFINE (guestd_cpu_check, NULL, "none", "partial", "full");
GUESTD_ENUM_DEFINE (guestd_cpu_fallback, NULL, "allow", "forbid");
GUESTD_ENUM_DEFINE (guestd_cpu_policy, NULL, "force", "require", "optional",
                    "disable", "forbid");
GUESTD_ENUM_DEFINE (guestd_clock_offset, NULL, "utc", "localtime",
                    "timezone", "variable");
GUESTD_ENUM_DEFINE (guestd_timer_name, NULL, "platform", "pit", "rtc",
                    "hpet", "tsc", "kvmclock", "hypervclock");
GUESTD_ENUM_DEFINE (guestd_tickpolicy, NULL, "delay", "catchup", "merge",
                    "discard");
GUESTD_ENUM_DEFINE (guestd_timer_track, NULL, "boot", "guest", "wall",
                    "realtime");
GUESTD_ENUM_DEFINE (guestd_clock_basis, NULL, "utc", "localtime");
GUESTD_ENUM_DEFINE (guestd_lifecycle_action, NULL, "destroy", "restart",
                    "rename-restart", "preserve", "coredump-destroy",
                    "coredump-restart");
GUESTD_ENUM_DEFINE (guestd_vcpu_placement, NULL, "static", "auto");

static void
device_info_clear (GuestdDeviceInfo *info)
{
  g_clear_pointer (&info->alias, g_free);
  if (info->addr.type == GUESTD_ADDR_USB)
    g_clear_pointer (&info->addr.usb.port, g_free);
}

static void
disk_free (GuestdDiskDef *d)
{
  device_info_clear (&d->info);
  g_free (d->src);
  g_free (d->driver_name);
  g_free (d->target);
  g_free (d->serial);
  g_free (d);
}

static void
controller_free (GuestdControllerDef *c)
{
  device_info_clear (&c->info);
  g_free (c->model);
  g_free (c->model_name);
  g_free (c);
}

static void
net_free (GuestdNetDef *n)
{
  device_info_clear (&n->info);
  g_free (n->model);
  g_free (n->source);
  g_free (n->target_dev);
  g_free (n->driver_name);
  g_free (n);
}

static void
input_free (GuestdInputDef *i)
{
  device_info_clear (&i->info);
  g_free (i);
}

static void
graphics_free (GuestdGraphicsDef *g)
{
  g_free (g->listen);
  g_free (g->keymap);
  if (g->passwd != NULL)
    explicit_bzero (g->passwd, strlen (g->passwd));
  g_free (g->passwd);
  g_free (g);
}

static void
video_free (GuestdVideoDef *v)
{
  device_info_clear (&v->info);
  g_free (v);
}

static void
sound_free (GuestdSoundDef *s)
{
  device_info_clear (&s->info);
  g_clear_pointer (&s->codecs, g_array_unref);
  g_free (s);
}

static void
chr_free (GuestdChrDef *c)
{
  device_info_clear (&c->info);
  g_free (c->path);
  g_free (c->host);
  g_free (c->service);
  g_free (c->channel);
  g_free (c->log_file);
  g_free (c->target_name);
  g_free (c->target_address);
  g_free (c->target_model);
  g_free (c);
}

static void
rng_free (GuestdRngDef *r)
{
  device_info_clear (&r->info);
  g_free (r->model);
  g_free (r->device);
  g_free (r);
}

static void
balloon_free (GuestdBalloonDef *b)
{
  if (b == NULL)
    return;
  device_info_clear (&b->info);
  g_free (b);
}

static void
redirdev_free (GuestdRedirdevDef *r)
{
  device_info_clear (&r->info);
  g_free (r->host);
  g_free (r->service);
  g_free (r);
}

static void
watchdog_free (GuestdWatchdogDef *w)
{
  device_info_clear (&w->info);
  g_free (w);
}

void
guestd_qemu_env_free (GuestdQemuEnv *env)
{
  g_free (env->name);
  g_free (env->value);
  g_free (env);
}

static void
cpu_feature_clear (gpointer p)
{
  GuestdCpuFeature *f = p;

  g_free (f->name);
}

GuestdDomainDef *
guestd_domain_def_new (void)
{
  GuestdDomainDef *def = g_new0 (GuestdDomainDef, 1);

  def->id = -1;
  def->os.bootmenu_timeout = -1;
  def->cpu.features = g_array_new (FALSE, TRUE, sizeof (GuestdCpuFeature));
  g_array_set_clear_func (def->cpu.features, cpu_feature_clear);
  def->clock.timers = g_array_new (FALSE, TRUE, sizeof (GuestdTimerDef));
  def->disks = g_ptr_array_new_with_free_func ((GDestroyNotify) disk_free);
  def->controllers
    = g_ptr_array_new_with_free_func ((GDestroyNotify) controller_free);
  def->nets = g_ptr_array_new_with_free_func ((GDestroyNotify) net_free);
  def->inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) input_free);
  def->graphics
    = g_ptr_array_new_with_free_func ((GDestroyNotify) graphics_free);
  def->videos = g_ptr_array_new_with_free_func ((GDestroyNotify) video_free);
  def->sounds = g_ptr_array_new_with_free_func ((GDestroyNotify) sound_free);
  def->serials = g_ptr_array_new_with_free_func ((GDestroyNotify) chr_free);
  def->parallels = g_ptr_array_new_with_free_func ((GDestroyNotify) chr_free);
  def->consoles = g_ptr_array_new_with_free_func ((GDestroyNotify) chr_free);
  def->channels = g_ptr_array_new_with_free_func ((GDestroyNotify) chr_free);
  def->rngs = g_ptr_array_new_with_free_func ((GDestroyNotify) rng_free);
  def->redirdevs
    = g_ptr_array_new_with_free_func ((GDestroyNotify) redirdev_free);
  def->watchdogs
    = g_ptr_array_new_with_free_func ((GDestroyNotify) watchdog_free);
  def->qemu_args = g_ptr_array_new_with_free_func (g_free);
  def->qemu_env
    = g_ptr_array_new_with_free_func ((GDestroyNotify) guestd_qemu_env_free);
  return def;
}

void
guestd_domain_def_free (GuestdDomainDef *def)
{
  if (def == NULL)
    return;
  g_free (def->name);
  g_free (def->title);
  g_free (def->description);
  g_clear_pointer (&def->metadata, xmlFreeDoc);
  g_free (def->cpuset);

  g_free (def->os.type);
  g_free (def->os.arch);
  g_free (def->os.machine);
  g_free (def->os.loader);
  g_free (def->os.nvram);
  g_free (def->os.nvram_template);
  g_free (def->os.kernel);
  g_free (def->os.initrd);
  g_free (def->os.cmdline);
  g_free (def->os.dtb);
  g_free (def->features.hyperv_vendor_id);
  g_free (def->cpu.model);
  g_free (def->cpu.vendor);
  g_array_unref (def->cpu.features);
  g_free (def->clock.timezone);
  g_array_unref (def->clock.timers);

  g_free (def->emulator);
  g_ptr_array_unref (def->disks);
  g_ptr_array_unref (def->controllers);
  g_ptr_array_unref (def->nets);
  g_ptr_array_unref (def->inputs);
  g_ptr_array_unref (def->graphics);
  g_ptr_array_unref (def->videos);
  g_ptr_array_unref (def->sounds);
  g_ptr_array_unref (def->serials);
  g_ptr_array_unref (def->parallels);
  g_ptr_array_unref (def->consoles);
  g_ptr_array_unref (def->channels);
  g_ptr_array_unref (def->rngs);
  g_ptr_array_unref (def->redirdevs);
  g_ptr_array_unref (def->watchdogs);
  balloon_free (def->memballoon);
  g_ptr_array_unref (def->qemu_args);
  g_ptr_array_unref (def->qemu_env);
  g_free (def);
}

GuestdDiskDef *
guestd_disk_def_new (void)
{
  return g_new0 (GuestdDiskDef, 1);
}

GuestdControllerDef *
guestd_controller_def_new (void)
{
  GuestdControllerDef *c = g_new0 (GuestdControllerDef, 1);

  c->index = -1;
  c->master_startport = -1;
  c->target_chassis = -1;
  c->target_port = -1;
  c->target_bus_nr = -1;
  return c;
}

GuestdNetDef *
guestd_net_def_new (void)
{
  return g_new0 (GuestdNetDef, 1);
}

GuestdInputDef *
guestd_input_def_new (void)
{
  return g_new0 (GuestdInputDef, 1);
}

GuestdGraphicsDef *
guestd_graphics_def_new (void)
{
  GuestdGraphicsDef *g = g_new0 (GuestdGraphicsDef, 1);

  g->port = -1;
  g->tls_port = -1;
  return g;
}

GuestdVideoDef *
guestd_video_def_new (void)
{
  return g_new0 (GuestdVideoDef, 1);
}

GuestdSoundDef *
guestd_sound_def_new (void)
{
  GuestdSoundDef *s = g_new0 (GuestdSoundDef, 1);

  s->codecs = g_array_new (FALSE, TRUE, sizeof (GuestdSoundCodec));
  return s;
}

GuestdChrDef *
guestd_chr_def_new (GuestdChrDevice device)
{
  GuestdChrDef *c = g_new0 (GuestdChrDef, 1);

  c->device = device;
  c->target_port = -1;
  return c;
}

GuestdRngDef *
guestd_rng_def_new (void)
{
  return g_new0 (GuestdRngDef, 1);
}

GuestdBalloonDef *
guestd_balloon_def_new (void)
{
  return g_new0 (GuestdBalloonDef, 1);
}

GuestdRedirdevDef *
guestd_redirdev_def_new (void)
{
  return g_new0 (GuestdRedirdevDef, 1);
}

GuestdWatchdogDef *
guestd_watchdog_def_new (void)
{
  return g_new0 (GuestdWatchdogDef, 1);
}

GuestdDomainDef *
guestd_domain_def_copy (const GuestdDomainDef *def, GError **error)
{
  g_autofree char *xml
    = guestd_domain_def_format (def, GUESTD_DOMAIN_XML_SECURE);
  GuestdDomainDef *copy;

  copy = guestd_domain_def_parse (xml, -1,
                                  def->id >= 0 ? GUESTD_DOMAIN_XML_LIVE : 0,
                                  error);
  if (copy != NULL)
    copy->author = def->author;
  return copy;
}

guint64
guestd_domain_def_current_memory (const GuestdDomainDef *def)
{
  if (def->current_memory_kib == 0)
    return def->memory_kib;
  return def->current_memory_kib;
}

const char *
guestd_domain_def_machine (const GuestdDomainDef *def)
{
  return def->os.machine != NULL ? def->os.machine : "pc";
}

gboolean
guestd_domain_def_is_q35 (const GuestdDomainDef *def)
{
  const char *m = guestd_domain_def_machine (def);

  return g_str_equal (m, "q35") || g_str_has_prefix (m, "pc-q35-");
}

GuestdControllerDef *
guestd_domain_def_find_controller (const GuestdDomainDef *def,
                                   GuestdControllerType type, int index)
{
  for (guint i = 0; i < def->controllers->len; i++)
    {
      GuestdControllerDef *c = def->controllers->pdata[i];

      if (c->type == type && c->index == index)
        return c;
    }
  return NULL;
}

GuestdDiskBus
guestd_disk_bus_from_target (const char *target)
{
  if (g_str_has_prefix (target, "hd"))
    return GUESTD_DISK_BUS_IDE;
  if (g_str_has_prefix (target, "sd"))
    return GUESTD_DISK_BUS_SCSI;
  if (g_str_has_prefix (target, "vd"))
    return GUESTD_DISK_BUS_VIRTIO;
  if (g_str_has_prefix (target, "fd"))
    return GUESTD_DISK_BUS_FDC;
  return GUESTD_DISK_BUS_NONE;
}

int
guestd_disk_target_index (const char *target)
{
  const char *p;
  gint64 idx = 0;

  /* The same scheme as libvirt's virDiskNameToIndex: after the two-letter
   * prefix, letters form a bijective base-26 number: a=0 … z=25, aa=26. */
  if (target == NULL || strlen (target) < 3)
    return -1;
  for (p = target + 2; *p != '\0'; p++)
    {
      if (*p < 'a' || *p > 'z')
        return -1;
      idx = idx * 26 + (*p - 'a' + 1);
      if (idx > G_MAXINT)
        return -1;
    }
  return (int) idx - 1;
}

char *
guestd_disk_target_name (const char *prefix, int index)
{
  char letters[16];
  int n = 0;

  for (int i = index; i >= 0 && n < (int) sizeof letters - 1; i = i / 26 - 1)
    letters[n++] = 'a' + (i % 26);
  g_autoptr (GString) s = g_string_new (prefix);
  while (n > 0)
    g_string_append_c (s, letters[--n]);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

gboolean
guestd_uuid_parse (const char *in, char out[GUESTD_UUID_STRING_LEN + 1])
{
  char hex[33];
  int n = 0;

  /* Like libvirt, dashes and blanks between digits are accepted; the
   * canonical form is the lower-case 8-4-4-4-12 layout. */
  for (const char *p = in; *p != '\0'; p++)
    {
      if (*p == '-' || *p == ' ')
        continue;
      if (!g_ascii_isxdigit (*p) || n == 32)
        return FALSE;
      hex[n++] = g_ascii_tolower (*p);
    }
  if (n != 32)
    return FALSE;
  hex[32] = '\0';
  g_snprintf (out, GUESTD_UUID_STRING_LEN + 1, "%.8s-%.4s-%.4s-%.4s-%.12s",
              hex, hex + 8, hex + 12, hex + 16, hex + 20);
  return TRUE;
}

void
guestd_uuid_generate (char out[GUESTD_UUID_STRING_LEN + 1])
{
  g_autofree char *u = g_uuid_string_random ();

  g_strlcpy (out, u, GUESTD_UUID_STRING_LEN + 1);
}

gboolean
guestd_mac_parse (const char *in, char out[18])
{
  unsigned int b[6];
  char tail;

  if (strlen (in) != 17
      || sscanf (in, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
                 &b[4], &b[5], &tail)
           != 6)
    return FALSE;
  for (int i = 0; i < 17; i++)
    if ((i % 3 == 2) != (in[i] == ':') || (i % 3 != 2 && !g_ascii_isxdigit (in[i])))
      return FALSE;
  /* A multicast address cannot be a NIC's own. */
  if (b[0] & 1)
    return FALSE;
  g_snprintf (out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2],
              b[3], b[4], b[5]);
  return TRUE;
}

static GRand *test_rand;

void
guestd_domain_seed_random_for_tests (guint32 seed)
{
  g_clear_pointer (&test_rand, g_rand_free);
  test_rand = g_rand_new_with_seed (seed);
}

void
guestd_mac_generate (char out[18])
{
  guint32 r = test_rand ? g_rand_int (test_rand) : g_random_int ();

  /* 52:54:00 is QEMU's prefix, as libvirt uses for QEMU guests. */
  g_snprintf (out, 18, "52:54:00:%02x:%02x:%02x", (r >> 16) & 0xff,
              (r >> 8) & 0xff, r & 0xff);
}

const char *
guestd_domain_name_check (const char *name)
{
  if (name == NULL || *name == '\0')
    return _("the name must not be empty");
  if (strlen (name) > 200)
    return _("the name is longer than 200 bytes");
  if (strchr (name, '/') != NULL)
    return _("the name must not contain '/'");
  if (name[0] == '.')
    return _("the name must not start with '.'");
  if (!g_utf8_validate (name, -1, NULL))
    return _("the name is not valid UTF-8");
  for (const char *p = name; *p != '\0'; p++)
    if ((unsigned char) *p < 0x20 || *p == 0x7f)
      return _("the name must not contain control characters");
  if (g_ascii_isspace (name[0]) || g_ascii_isspace (name[strlen (name) - 1]))
    return _("the name must not start or end with white space");
  return NULL;
}
