/* The qemu-argv native format: the seeds' examples, legacy and modern
 * command lines, every fixture there and back, and bad command lines. */
#include "config.h"

#include <string.h>

#include "conf/domain.h"
#include "qemu/argv-build.h"
#include "qemu/argv-parse.h"
#include "qemu/qemu-opts.h"
#include "test-util.h"
#include "util/error.h"
#include "util/shell.h"

static GuestdDomainDef *
from_native (const char *line, GError **error)
{
  guestd_domain_seed_random_for_tests (7);
  return guestd_qemu_parse_native (line, error);
}

static char *
to_native (GuestdDomainDef *def, GError **error)
{
  GuestdQemuBuildOptions opts;
  g_autoptr (GuestdQemuCommand) cmd = NULL;

  guestd_qemu_build_options_init (&opts);
  opts.qmp_path = "/run/test/monitor.sock";
  opts.channel_dir = "/run/test";
  opts.nvram_dir = "/var/lib/test/nvram";
  opts.native = TRUE;
  cmd = guestd_qemu_build_command (def, &opts, error);
  return cmd ? guestd_qemu_command_to_string (cmd) : NULL;
}

static char *
format_inactive (GuestdDomainDef *def)
{
  return guestd_domain_def_format (def, GUESTD_DOMAIN_XML_INACTIVE
                                          | GUESTD_DOMAIN_XML_SECURE);
}

static void
test_seed_legacy (void)
{
  g_autofree char *line = test_fixture ("native", "seed-legacy.args", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GuestdDomainDef) def = from_native (line, &error);
  g_autofree char *xml = NULL;
  GuestdDiskDef *disk;

  g_assert_no_error (error);
  /* The seed's expectations, one by one. */
  g_assert_cmpuint (def->memory_kib, ==, 219136);
  g_assert_cmpuint (guestd_domain_def_current_memory (def), ==, 219136);
  g_assert_cmpuint (def->vcpus, ==, 1);
  g_assert_cmpstr (def->os.arch, ==, "i686");
  g_assert_cmpstr (def->os.machine, ==, "pc");
  g_assert_cmpuint (def->os.n_boot, ==, 1);
  g_assert_cmpint (def->os.boot[0], ==, GUESTD_BOOT_HD);
  g_assert_false (def->has_features); /* -no-acpi */
  g_assert_cmpint (def->clock.offset, ==, GUESTD_CLOCK_UTC);
  g_assert_cmpint (def->on_poweroff, ==, GUESTD_LIFECYCLE_DESTROY);
  g_assert_cmpint (def->on_reboot, ==, GUESTD_LIFECYCLE_RESTART);
  g_assert_cmpint (def->on_crash, ==, GUESTD_LIFECYCLE_DESTROY);
  g_assert_cmpstr (def->emulator, ==, "/usr/bin/qemu");
  g_assert_cmpuint (def->disks->len, ==, 1);
  disk = def->disks->pdata[0];
  g_assert_cmpint (disk->type, ==, GUESTD_DISK_TYPE_BLOCK);
  g_assert_cmpint (disk->device, ==, GUESTD_DISK_DEVICE_DISK);
  g_assert_cmpstr (disk->src, ==, "/dev/HostVG/QEMUGuest1");
  g_assert_cmpstr (disk->target, ==, "hda");
  g_assert_cmpint (disk->bus, ==, GUESTD_DISK_BUS_IDE);
  g_assert_cmpuint (def->nets->len, ==, 0);      /* -net none */
  g_assert_cmpuint (def->serials->len, ==, 0);   /* -serial none */
  g_assert_cmpuint (def->parallels->len, ==, 0); /* -parallel none */
  g_assert_cmpuint (def->graphics->len, ==, 0);  /* -nographic */
  /* What the seed's libvirt left unsaid, said: the name libvirt's later
   * parser gave, a fresh UUID, and no balloon since the line has none. */
  g_assert_cmpstr (def->name, ==, "unnamed");
  g_assert_cmpint (def->memballoon->model, ==, GUESTD_BALLOON_NONE);

  /* The seed shows an all-zero UUID; with that, the whole document. */
  g_strlcpy (def->uuid, "00000000-0000-0000-0000-000000000000",
             sizeof def->uuid);
  xml = format_inactive (def);
  test_compare_golden (xml, "native", "seed-legacy.expected.xml", NULL);
}

static void
test_seed_to_native_output (void)
{
  g_autofree char *line = test_fixture ("native", "seed-to-native-output.args",
                                        NULL);
  g_autofree char *seed = test_fixture ("domain", "seed-qemuguest1.xml", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GuestdDomainDef) from = from_native (line, &error);
  g_autoptr (GuestdDomainDef) want = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  /* The seed's domxml-to-native output reads back as the seed's domain,
   * but for what a command line cannot say: the UUID, 214 MiB instead of
   * 219200 KiB, and the balloon the line does not have. */
  g_assert_no_error (error);
  want = guestd_domain_def_parse (seed, -1, 0, &error);
  g_assert_no_error (error);
  g_strlcpy (from->uuid, want->uuid, sizeof from->uuid);
  g_assert_cmpuint (from->memory_kib, ==, 214 * 1024);
  from->memory_kib = want->memory_kib;
  from->current_memory_kib = want->current_memory_kib;
  from->memballoon->model = GUESTD_BALLOON_VIRTIO;
  a = format_inactive (from);
  b = format_inactive (want);
  g_assert_cmpstr (a, ==, b);
}

static void
test_to_native_golden (void)
{
  g_autofree char *xml = test_fixture ("domain", "seed-qemuguest1.xml", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GuestdDomainDef) def = guestd_domain_def_parse (xml, -1, 0, &error);
  g_autofree char *line = NULL;
  g_autofree char *with_nl = NULL;

  g_assert_no_error (error);
  line = to_native (def, &error);
  g_assert_no_error (error);
  g_assert_null (strchr (line, '\n'));
  with_nl = g_strconcat (line, "\n", NULL);
  test_compare_golden (with_nl, "native", "seed-qemuguest1.expected.args",
                       NULL);
}

/* A variable clock is a date computed at each conversion; the second
 * may tick between two of them. */
static char *
mask_rtc_date (const char *line)
{
  g_autoptr (GRegex) re = g_regex_new ("base=[0-9]{4}-[0-9-]+T[0-9:]+", 0, 0,
                                       NULL);

  return g_regex_replace_literal (re, line, -1, 0, "base=DATE", 0, NULL);
}

/* to-native, from-native, to-native: the same command twice means the
 * round trip lost nothing QEMU would see. */
static void
test_round_trip_fixtures (void)
{
  g_autoptr (GPtrArray) names = test_fixture_list ("domain", ".xml");
  guint tried = 0;

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *xml = test_fixture ("domain", name, NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (GuestdDomainDef) def = guestd_domain_def_parse (xml, -1, 0, &error);
      g_autoptr (GuestdDomainDef) back = NULL;
      g_autofree char *first = NULL;
      g_autofree char *second = NULL;

      g_test_message ("fixture %s", name);
      g_assert_no_error (error);
      first = to_native (def, &error);
      if (first == NULL)
        {
          /* Only virtual networks have no command line: guestd does not
           * run libvirt's network driver. */
          test_assert_error_contains (error, "does not manage virtual networks");
          continue;
        }
      back = from_native (first, &error);
      g_assert_no_error (error);
      second = to_native (back, &error);
      g_assert_no_error (error);
      {
        g_autofree char *a = mask_rtc_date (first);
        g_autofree char *b = mask_rtc_date (second);

        g_assert_cmpstr (a, ==, b);
      }
      if (back->clock.offset == GUESTD_CLOCK_VARIABLE)
        g_assert_cmpint (ABS (back->clock.adjustment - def->clock.adjustment),
                         <=, 2);
      tried++;
    }
  g_assert_cmpuint (tried, >=, 7);
}

static void
test_legacy_mix (void)
{
  g_autofree char *line = test_fixture ("native", "legacy-mix.args", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GuestdDomainDef) def = from_native (line, &error);
  GuestdDiskDef *d;
  GuestdNetDef *n;
  GuestdGraphicsDef *g;

  g_assert_no_error (error);
  g_assert_cmpint (def->virt_type, ==, GUESTD_VIRT_KVM);
  g_assert_cmpstr (def->name, ==, "legacy");
  g_assert_cmpuint (def->memory_kib, ==, 1024 * 1024);
  g_assert_cmpuint (def->vcpus, ==, 2);
  g_assert_cmpint (def->clock.offset, ==, GUESTD_CLOCK_TIMEZONE);
  g_assert_cmpstr (def->clock.timezone, ==, "Europe/Paris");
  g_assert_cmpint (def->on_reboot, ==, GUESTD_LIFECYCLE_DESTROY);
  g_assert_cmpstr (def->os.kernel, ==, "/boot/vmlinuz");
  g_assert_cmpstr (def->os.initrd, ==, "/boot/initrd.img");
  g_assert_cmpstr (def->os.cmdline, ==, "root=/dev/vda1 console=ttyS0");
  g_assert_cmpuint (def->os.n_boot, ==, 2);
  g_assert_cmpint (def->os.boot[0], ==, GUESTD_BOOT_CDROM);
  g_assert_cmpint (def->os.bootmenu, ==, GUESTD_TRISTATE_YES);

  g_assert_cmpuint (def->disks->len, ==, 4);
  d = def->disks->pdata[0];
  g_assert_cmpstr (d->target, ==, "hda");
  g_assert_cmpint (d->type, ==, GUESTD_DISK_TYPE_FILE);
  d = def->disks->pdata[1];
  g_assert_cmpstr (d->target, ==, "hdc");
  g_assert_cmpint (d->device, ==, GUESTD_DISK_DEVICE_CDROM);
  g_assert_true (d->readonly);
  d = def->disks->pdata[2];
  g_assert_cmpstr (d->target, ==, "fda");
  g_assert_cmpint (d->device, ==, GUESTD_DISK_DEVICE_FLOPPY);
  d = def->disks->pdata[3];
  g_assert_cmpstr (d->target, ==, "vda");
  g_assert_cmpint (d->format, ==, GUESTD_DISK_FORMAT_QCOW2);
  g_assert_cmpint (d->cache, ==, GUESTD_DISK_CACHE_NONE);

  g_assert_cmpuint (def->nets->len, ==, 2);
  n = def->nets->pdata[0];
  g_assert_cmpint (n->type, ==, GUESTD_NET_USER);
  g_assert_cmpstr (n->model, ==, "virtio");
  g_assert_cmpstr (n->mac, ==, "52:54:00:12:34:56");
  n = def->nets->pdata[1];
  g_assert_cmpint (n->type, ==, GUESTD_NET_ETHERNET);
  g_assert_cmpstr (n->target_dev, ==, "tap7");
  g_assert_cmpstr (n->model, ==, "e1000");

  g_assert_cmpuint (def->graphics->len, ==, 1);
  g = def->graphics->pdata[0];
  g_assert_cmpint (g->type, ==, GUESTD_GRAPHICS_VNC);
  g_assert_cmpint (g->port, ==, 5903);
  g_assert_cmpstr (g->listen, ==, "127.0.0.1");
  g_assert_cmpstr (g->keymap, ==, "de");
  g_assert_cmpint (((GuestdVideoDef *) def->videos->pdata[0])->model, ==,
                   GUESTD_VIDEO_CIRRUS);
  g_assert_cmpuint (def->serials->len, ==, 1);
  g_assert_cmpint (((GuestdInputDef *) def->inputs->pdata[0])->type, ==,
                   GUESTD_INPUT_TABLET);
  /* hpet off became a timer; the environment the user set is kept. */
  g_assert_cmpint (g_array_index (def->clock.timers, GuestdTimerDef, 0).name,
                   ==, GUESTD_TIMER_HPET);
  g_assert_cmpuint (def->qemu_env->len, ==, 1);
  g_assert_cmpstr (((GuestdQemuEnv *) def->qemu_env->pdata[0])->name, ==,
                   "SDL_VIDEO_X11_DGAMOUSE");
  /* What the model does not have is kept, not dropped. */
  g_assert_cmpuint (def->qemu_args->len, ==, 3);
  g_assert_cmpstr (def->qemu_args->pdata[0], ==, "-d");
  g_assert_cmpstr (def->qemu_args->pdata[1], ==, "guest_errors");
  g_assert_cmpstr (def->qemu_args->pdata[2], ==, "-snapshot");
}

static void
test_modern_hand_written (void)
{
  g_autofree char *line = test_fixture ("native", "modern-hand.args", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GuestdDomainDef) def = from_native (line, &error);
  GuestdDiskDef *d;
  GuestdChrDef *ch;

  g_assert_no_error (error);
  g_assert_cmpint (def->virt_type, ==, GUESTD_VIRT_KVM);
  g_assert_cmpstr (def->os.machine, ==, "q35");
  g_assert_cmpint (def->cpu.mode, ==, GUESTD_CPU_MODE_HOST_PASSTHROUGH);
  g_assert_cmpuint (def->cpu.features->len, ==, 1);
  g_assert_true (def->features.has_hyperv);
  g_assert_cmpuint (def->features.hyperv_spinlock_retries, ==, 0x1fff);
  g_assert_cmpuint (def->cpu.cores, ==, 2);
  g_assert_cmpuint (def->cpu.threads, ==, 2);
  g_assert_cmpstr (def->uuid, ==, "11111111-2222-3333-4444-555555555555");
  d = def->disks->pdata[0];
  g_assert_cmpstr (d->target, ==, "vda");
  g_assert_cmpstr (d->src, ==, "/var/lib/images/modern.qcow2");
  g_assert_cmpint (d->format, ==, GUESTD_DISK_FORMAT_QCOW2);
  g_assert_cmpint (d->discard, ==, GUESTD_DISK_DISCARD_UNMAP);
  g_assert_cmpuint (d->info.boot_order, ==, 1);
  g_assert_cmpint (d->info.addr.type, ==, GUESTD_ADDR_PCI);
  g_assert_cmpuint (d->info.addr.pci.slot, ==, 4);
  ch = def->channels->pdata[0];
  g_assert_cmpstr (ch->target_name, ==, "org.qemu.guest_agent.0");
  g_assert_cmpstr (ch->path, ==, "/run/qga.sock");
  g_assert_cmpuint (ch->info.addr.vioser.port, ==, 1);
  g_assert_cmpint (((GuestdGraphicsDef *) def->graphics->pdata[0])->autoport,
                   ==, GUESTD_TRISTATE_YES);
  g_assert_cmpint (def->memballoon->autodeflate, ==, GUESTD_TRISTATE_YES);
  g_assert_cmpuint (def->rngs->len, ==, 1);
  /* A device the model does not have stays on the command line. */
  g_assert_cmpuint (def->qemu_args->len, ==, 2);
  g_assert_cmpstr (def->qemu_args->pdata[1], ==, "intel-iommu");
}

static const struct
{
  const char *line;
  const char *error;
} bad_lines[] = {
  { "", "no emulator binary found" },
  { "FOO=bar", "no emulator binary found" },
  { "qemu-system-x86_64 -m 1G", "must be given as an absolute path" },
  { "/opt/emu/whatever -m 1G", "cannot tell the guest architecture" },
  { "/usr/bin/qemu-system-x86_64 -frobnicate", "option '-frobnicate': not an option QEMU knows" },
  { "/usr/bin/qemu-system-x86_64 -m", "option '-m': needs a value" },
  { "/usr/bin/qemu-system-x86_64 -m lots", "option '-m lots': invalid size 'lots'" },
  { "/usr/bin/qemu-system-x86_64 -m 0", "option '-m 0'" },
  { "/usr/bin/qemu-system-x86_64 -smp 0", "option '-smp 0': 'cpus' must be a number from 1 to 4096" },
  { "/usr/bin/qemu-system-x86_64 -smp 4,maxcpus=2", "more CPUs (4) than maxcpus (2)" },
  { "/usr/bin/qemu-system-x86_64 -hda disk.img", "option '-hda disk.img': needs an absolute path" },
  { "/usr/bin/qemu-system-x86_64 -hda /a -hda /b", "option '-hda /b': that drive is already in use" },
  { "/usr/bin/qemu-system-x86_64 -drive file=/a,if=mtd", "interface 'mtd' is not supported" },
  { "/usr/bin/qemu-system-x86_64 -drive file=/a,format=vvfat", "image format 'vvfat' is not supported" },
  { "/usr/bin/qemu-system-x86_64 -drive file=/a,if=none", "if=none needs an 'id'" },
  { "/usr/bin/qemu-system-x86_64 -device virtio-blk-pci,drive=nope", "drive 'nope' names no -drive or -blockdev" },
  { "/usr/bin/qemu-system-x86_64 -drive file=/a,if=none,id=d0 -device virtio-blk-pci,drive=d0,scsi=off",
    "option '-device virtio-blk-pci,drive=d0,scsi=off': property 'scsi' is not supported" },
  { "/usr/bin/qemu-system-x86_64 -device e1000,netdev=n9", "netdev= must name a -netdev" },
  { "/usr/bin/qemu-system-x86_64 -netdev socket,id=n0 -device e1000,netdev=n0", "network back-end 'socket' is not supported" },
  { "/usr/bin/qemu-system-x86_64 -device virtio-blk-pci,addr=0x40", "bad PCI address '0x40'" },
  { "/usr/bin/qemu-system-x86_64 -vnc localhost", "expected [ADDRESS]:DISPLAY" },
  { "/usr/bin/qemu-system-x86_64 -vnc :0,password=on", "the password is set over the monitor" },
  { "/usr/bin/qemu-system-x86_64 -vnc :0,password-secret=s9",
    "option '-vnc :0,password-secret=s9': password-secret 's9' names no -object secret" },
  { "/usr/bin/qemu-system-x86_64 -object secret,id=s1,file=/x -spice port=5900,password-secret=s1",
    "password-secret 's1' names no -object secret with data=" },
  { "/usr/bin/qemu-system-x86_64 -uuid 1234", "option '-uuid 1234': not a UUID" },
  { "/usr/bin/qemu-system-x86_64 -name a/b", "invalid name" },
  { "/usr/bin/qemu-system-x86_64 -accel hvf", "accelerator 'hvf' is not supported" },
  { "/usr/bin/qemu-system-x86_64 -boot order=z", "boot drive 'z' is not one of a, c, d, n" },
  { "/usr/bin/qemu-system-x86_64 -serial tcp:1.2.3.4:5", "expected pty, null, vc, stdio" },
  { "/usr/bin/qemu-system-x86_64 -m 1G $(rm -rf /)", "shell expansion is not supported" },
  { "/usr/bin/qemu-system-x86_64 -m 1G; reboot", "only a single command is accepted" },
  { "/usr/bin/qemu-system-x86_64 -name 'unterminated", "unterminated quote" },
  { "/usr/bin/qemu-system-x86_64 -m 1G\n/usr/bin/qemu-system-x86_64", "more than one line" },
  { "/usr/bin/qemu-system-x86_64 -machine pc,frobnicate=on", "property 'frobnicate' is not supported" },
  { "/usr/bin/qemu-system-x86_64 -net nic -net user -net user", "a network back-end without a '-net nic'" },
  { "/usr/bin/qemu-system-x86_64 -blockdev driver=file,filename=/a", "a 'node-name' is needed" },
  { "/usr/bin/qemu-system-x86_64 -blockdev '{\"driver\":' ", "invalid JSON" },
  { "/usr/bin/qemu-system-x86_64 -device isa-serial,chardev=c9", "no -chardev has this id" },
  /* found by fuzz-qemu-argv */
  { "/usr/bin/qemu-system-x86_64 -name \"a\\", "unterminated quote" },
  { "/usr/bin/qemu-system-x86_64 -net nic.model=virtio", "expected a type first" },
  { "/usr/bin/qemu-system-x86_64 -display gl=on", "expected a display type first" },
  { "/usr/bin/qemu-system-x86_64-microvm -m 1G", "cannot tell the guest architecture" },
};

static void
test_bad_lines (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_lines); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GuestdDomainDef) def = NULL;

      g_test_message ("line %u: %s", i, bad_lines[i].line);
      def = from_native (bad_lines[i].line, &error);
      g_assert_null (def);
      g_assert_true (g_error_matches (error, GUESTD_ERROR, GUESTD_ERROR_NATIVE)
                     || g_error_matches (error, GUESTD_ERROR, GUESTD_ERROR_XML));
      test_assert_error_contains (error, bad_lines[i].error);
    }
}

static void
test_shell_words (void)
{
  static const struct
  {
    const char *line;
    const char *words[6];
  } cases[] = {
    { "a b  c", { "a", "b", "c" } },
    { "'a b' \"c d\" e\\ f", { "a b", "c d", "e f" } },
    { "x=\"1\\\"2\" 'it'\\''s'", { "x=1\"2", "it's" } },
    { "a \\\n b", { "a", "b" } },
    { "a b\n", { "a", "b" } },
    { "'' \"\"", { "", "" } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GPtrArray) words = NULL;
      g_autoptr (GError) error = NULL;
      guint n = 0;

      g_assert_true (guestd_shell_split (cases[i].line, &words, &error));
      while (n < G_N_ELEMENTS (cases[i].words) && cases[i].words[n] != NULL)
        n++;
      g_assert_cmpuint (words->len, ==, n);
      for (guint j = 0; j < n; j++)
        g_assert_cmpstr (words->pdata[j], ==, cases[i].words[j]);
    }
  /* Quoting and splitting are inverses. */
  {
    const char *tricky[] = { "plain", "with space", "it's", "$HOME", "a\"b",
                             "back\\slash", "", "semi;colon", "x=y,z" };
    g_autoptr (GString) line = g_string_new (NULL);
    g_autoptr (GPtrArray) words = NULL;

    for (guint i = 0; i < G_N_ELEMENTS (tricky); i++)
      {
        guestd_shell_quote (line, tricky[i]);
        g_string_append_c (line, ' ');
      }
    g_assert_true (guestd_shell_split (line->str, &words, NULL));
    g_assert_cmpuint (words->len, ==, G_N_ELEMENTS (tricky));
    for (guint i = 0; i < G_N_ELEMENTS (tricky); i++)
      g_assert_cmpstr (words->pdata[i], ==, tricky[i]);
  }
}

static void
test_qemu_opts (void)
{
  g_autoptr (GString) s = g_string_new (NULL);
  g_autoptr (GuestdQemuOpts) o = NULL;
  g_autoptr (GError) error = NULL;

  guestd_qemu_opts_add (s, NULL, "file");
  guestd_qemu_opts_add (s, "filename", "/a,b/c=d");
  guestd_qemu_opts_add (s, "x", NULL);
  g_assert_cmpstr (s->str, ==, "file,filename=/a,,b/c=d");
  o = guestd_qemu_opts_parse (s->str, "driver", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (guestd_qemu_opts_get (o, "driver"), ==, "file");
  g_assert_cmpstr (guestd_qemu_opts_get (o, "filename"), ==, "/a,b/c=d");
  g_assert_null (guestd_qemu_opts_unused (o));
  g_clear_pointer (&o, guestd_qemu_opts_free);
  o = guestd_qemu_opts_parse ("a=1,a=2", NULL, &error);
  g_assert_null (o);
  test_assert_error_contains (error, "property 'a' is given twice");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/native/seed/legacy", test_seed_legacy);
  g_test_add_func ("/native/seed/to-native-output", test_seed_to_native_output);
  g_test_add_func ("/native/to-native/golden", test_to_native_golden);
  g_test_add_func ("/native/round-trip", test_round_trip_fixtures);
  g_test_add_func ("/native/legacy-mix", test_legacy_mix);
  g_test_add_func ("/native/modern", test_modern_hand_written);
  g_test_add_func ("/native/bad-lines", test_bad_lines);
  g_test_add_func ("/native/shell-words", test_shell_words);
  g_test_add_func ("/native/qemu-opts", test_qemu_opts);
  return g_test_run ();
}
