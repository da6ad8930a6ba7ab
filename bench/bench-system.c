/* The system instance's figures (issue 4), with the real guestd-system,
 * the real polkitd on a private system bus (the test harness's set-up, in
 * private mount and network namespaces) and real QEMU (TCG):
 *
 *   - bare QEMU exec → QMP ready, vs DomainCreateXML (paused) → reply for
 *     a guest with one writable disk: the start now includes the polkit
 *     check, handing the disk over (chown, xattrs, ledger), the device
 *     cgroup and the drop to the qemu account
 *   - Destroy → reply, which gives the disk back and removes the cgroup
 *   - GetXMLDesc and ListDomains calls/s (100 domains), each through the
 *     polkit gate, beside Peer.Ping (no gate)
 *   - idle RSS with 100 definitions
 *
 * Usage: bench-system [ROUNDS]   (as root, from the build tree's parent;
 * needs the accounts: systemd-sysusers build/system/guestd.conf). */
#include "config.h"

#include <glib/gstdio.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench-util.h"
#include "harness.h"

#define CONNECT "org.libvirt.Connect"
#define DOMAIN "org.libvirt.Domain"

static const char *build_dir = "build";

static void
set_paths (void)
{
  const char *env[][2] = {
    { "GUESTD_SYSTEM", "service/guestd-system" },
    { "GUESTD_LAUNCH", "service/guestd-launch" },
    { "GUESTD_SESSION", "service/guestd-session" },
    { "GUESTD_POLKIT_POLICY", "polkit/org.guestd.policy" },
    { "GUESTD_POLKIT_RULES", "polkit/50-guestd.rules" },
  };
  g_autofree char *cwd = g_get_current_dir ();
  g_autofree char *policy = g_build_filename (cwd, "dbus",
                                              "org.libvirt.system.conf", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (env); i++)
    {
      g_autofree char *p = g_build_filename (cwd, build_dir, env[i][1], NULL);

      g_setenv (env[i][0], p, TRUE);
    }
  g_setenv ("GUESTD_DBUS_SYSTEM_POLICY", policy, TRUE);
}

/* ListDomains through guestd-session's bridge: a session bus and a
 * session instance of root's own, calls to /org/libvirt/QEMU/system. */
static double
bridged_list_rate (Harness *h)
{
  HarnessUserSession us = { 0 };
  double rate;

  harness_start_user_session (h, "root", &us);
  rate = bench_rate (us.address, "/org/libvirt/QEMU/system", CONNECT,
                     "ListDomains", TRUE, 2.0);
  harness_user_session_clear (&us);
  return rate;
}

int
main (int argc, char **argv)
{
  guint rounds = argc > 1 ? (guint) atoi (argv[1]) : 10;
  g_autofree double *bare = NULL;
  g_autofree double *create = NULL;
  g_autofree double *destroy = NULL;
  g_autofree char *disk = NULL;
  g_autofree char *image = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *path = NULL;
  g_autofree char *conf_dir = NULL;
  double xml_rate, list_rate, ping_rate, bridge_rate;
  BenchMemory rss;
  struct passwd *pw;
  Harness h;

  bench_prog = "bench-system";
  if (rounds < 1)
    rounds = 1;
  if (geteuid () != 0)
    bench_die ("needs root", NULL);
  pw = getpwnam (QEMU_USER);
  if (pw == NULL)
    bench_die ("no account " QEMU_USER " (run: systemd-sysusers "
               "build/system/guestd.conf)",
               NULL);
  set_paths ();
  harness_enter_namespaces ();
  harness_setup_system (&h, NULL);
  conf_dir = g_build_filename (h.root, SYSCONFDIR, "guestd", NULL);
  g_mkdir_with_parents (conf_dir, 0755);
  harness_start_service (&h, NULL);

  bare = g_new (double, rounds);
  create = g_new (double, rounds);
  destroy = g_new (double, rounds);
  image = g_build_filename (h.dir, "bench.img", NULL);
  {
    g_autofree char *zero = g_malloc0 (1 << 20);

    g_file_set_contents (image, zero, 1 << 20, NULL);
    g_chmod (image, 0600);
  }
  disk = g_strdup_printf ("<disk type='file' device='disk'>"
                          "<driver name='qemu' type='raw'/>"
                          "<source file='%s'/><target dev='vda' bus='virtio'/>"
                          "</disk>",
                          image);
  xml = bench_domain_xml ("bench", disk);

  bench_start_rounds (h.conn, xml, h.dir, rounds, bare, create, destroy);

  path = bench_define_many (h.conn, 100);
  ping_rate = bench_rate (h.address, NULL, "org.freedesktop.DBus.Peer", "Ping",
                          FALSE, 2.0);
  xml_rate = bench_rate (h.address, path, DOMAIN, "GetXMLDesc", TRUE, 2.0);
  list_rate = bench_rate (h.address, NULL, CONNECT, "ListDomains", TRUE, 2.0);
  bridge_rate = bridged_list_rate (&h);

  /* A fresh service that loads the 100 definitions. */
  harness_kill_service (&h, SIGTERM);
  harness_start_service (&h, NULL);
  g_usleep (G_USEC_PER_SEC);
  rss = bench_memory_of (h.service);

  printf ("guestd-system, %u rounds (medians); QEMU TCG, domain: 64 MiB, "
          "pc, one pty serial, one 1 MiB raw disk handed to %s\n",
          rounds, QEMU_USER);
  printf ("  bare QEMU exec -> QMP ready           %8.1f ms\n",
          bench_median (bare, rounds));
  printf ("  DomainCreateXML(paused) -> reply      %8.1f ms   (%.2fx bare; "
          "budget 1.25x)\n",
          bench_median (create, rounds),
          bench_median (create, rounds) / bench_median (bare, rounds));
  printf ("  Destroy -> reply                      %8.1f ms   (budget 50 ms)\n",
          bench_median (destroy, rounds));
  printf ("  Peer.Ping (no gate)                   %8.0f /s\n", ping_rate);
  printf ("  GetXMLDesc through polkit             %8.0f /s\n", xml_rate);
  printf ("  ListDomains, 100 domains, polkit      %8.0f /s\n", list_rate);
  printf ("  the same through the session bridge   %8.0f /s\n", bridge_rate);
  printf ("  idle RSS, 100 definitions             %8" G_GUINT64_FORMAT
          " KiB   (private %" G_GUINT64_FORMAT " KiB, PSS %" G_GUINT64_FORMAT
          " KiB)\n", rss.rss, rss.anon, rss.pss);
  harness_teardown (&h);
  return 0;
}
