/* The session instance's budget (DESIGN.md, issue 3), in one run, with
 * the real guestd-session on a private bus and real QEMU (TCG):
 *
 *   - bare QEMU exec → QMP ready, vs DomainCreateXML (paused) → reply
 *   - Destroy → reply
 *   - GetXMLDesc calls/s, ListDomains calls/s with 100 domains defined
 *     (one libdbus client, one call at a time: round trips, not
 *     pipelining), beside Peer.Ping, which GDBus answers by itself: the
 *     floor the bus and the client set
 *   - idle RSS of a fresh service with 100 definitions
 *   - exec → first reply with 100 definitions
 *
 * Usage: bench-session [ROUNDS]   (from the build tree's parent, like
 * bench-core; needs dbus-daemon and qemu-system-x86_64). */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-util.h"

#define CONNECT "org.libvirt.Connect"
#define DOMAIN "org.libvirt.Domain"

static const char *build_dir = "build";
static char *scratch;

/* ---- the service ---- */

typedef struct
{
  GSubprocess *bus;
  GSubprocess *service;
  GDBusConnection *conn;
  char *address;
} Bench;

static GSubprocess *
spawn_service (Bench *b)
{
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autofree char *session = g_build_filename (build_dir, "service",
                                               "guestd-session", NULL);
  g_autofree char *launch = g_build_filename (build_dir, "service",
                                              "guestd-launch", NULL);
  const char *dirs[][2] = { { "XDG_CONFIG_HOME", "config" },
                            { "XDG_CACHE_HOME", "cache" },
                            { "XDG_RUNTIME_DIR", "run" },
                            { "HOME", "home" } };
  g_autoptr (GError) error = NULL;
  GSubprocess *p;

  g_subprocess_launcher_set_child_setup (l, bench_die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (l, "DBUS_SESSION_BUS_ADDRESS", b->address,
                                TRUE);
  g_subprocess_launcher_setenv (l, "GUESTD_LAUNCH", launch, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *d = g_build_filename (scratch, dirs[i][1], NULL);

      g_mkdir_with_parents (d, 0700);
      g_subprocess_launcher_setenv (l, dirs[i][0], d, TRUE);
    }
  p = g_subprocess_launcher_spawn (l, &error, session, "--timeout", "0",
                                   NULL);
  if (p == NULL)
    bench_die ("starting guestd-session", error);
  return p;
}

static void
owner_changed (GDBusConnection *c, const char *sender, const char *path,
               const char *iface, const char *signal, GVariant *params,
               gpointer user_data)
{
  const char *new_owner;

  g_variant_get (params, "(&s&s&s)", NULL, NULL, &new_owner);
  if (*new_owner != '\0')
    *(gboolean *) user_data = TRUE;
}

/* Starts the service; returns ms from exec to the first reply. */
static double
start_service (Bench *b)
{
  gboolean owned = FALSE;
  guint sub = g_dbus_connection_signal_subscribe (
    b->conn, "org.freedesktop.DBus", "org.freedesktop.DBus",
    "NameOwnerChanged", "/org/freedesktop/DBus", "org.libvirt",
    G_DBUS_SIGNAL_FLAGS_NONE, owner_changed, &owned, NULL);
  g_autoptr (GVariant) r = NULL;
  gint64 start = g_get_monotonic_time ();

  b->service = spawn_service (b);
  while (!owned)
    g_main_context_iteration (NULL, TRUE);
  r = bench_call (b->conn, NULL, CONNECT, "ListDomains",
                  g_variant_new ("(u)", 0),
            "(ao)");
  g_dbus_connection_signal_unsubscribe (b->conn, sub);
  return bench_ms_since (start);
}

static void
stop_service (Bench *b)
{
  g_subprocess_send_signal (b->service, SIGTERM);
  g_subprocess_wait (b->service, NULL, NULL);
  g_clear_object (&b->service);
}

static void
bench_setup (Bench *b)
{
  g_autofree char *bus_path = g_build_filename (scratch, "bus", NULL);
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr (GError) error = NULL;

  b->address = g_strdup_printf ("unix:path=%s", bus_path);
  g_subprocess_launcher_set_child_setup (l, bench_die_with_parent, NULL, NULL);
  b->bus = g_subprocess_launcher_spawn (l, &error, "dbus-daemon", "--session",
                                        "--nofork", "--nopidfile",
                                        "--address", b->address, NULL);
  if (b->bus == NULL)
    bench_die ("dbus-daemon", error);
  for (int i = 0; i < 500 && !g_file_test (bus_path, G_FILE_TEST_EXISTS); i++)
    g_usleep (10000);
  b->conn = g_dbus_connection_new_for_address_sync (
    b->address,
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
      | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
    NULL, NULL, &error);
  if (b->conn == NULL)
    bench_die ("connecting to the bus", error);
}

int
main (int argc, char **argv)
{
  guint rounds = argc > 1 ? (guint) atoi (argv[1]) : 10;
  g_autofree double *bare = NULL;
  g_autofree double *create = NULL;
  g_autofree double *destroy = NULL;
  g_autofree char *xml = bench_domain_xml ("bench", NULL);
  double first_reply[5];
  double first_empty;
  double xml_rate, list_rate, ping_rate;
  BenchMemory rss_empty, rss_100;
  g_autofree char *path = NULL;
  Bench b = { 0 };

  bench_prog = "bench-session";
  if (rounds < 1)
    rounds = 1;
  bare = g_new (double, rounds);
  create = g_new (double, rounds);
  destroy = g_new (double, rounds);
  scratch = g_dir_make_tmp ("guestd-bench-XXXXXX", NULL);
  bench_setup (&b);

  first_empty = start_service (&b);
  g_usleep (G_USEC_PER_SEC / 2);
  rss_empty = bench_memory_of (b.service);
  bench_start_rounds (b.conn, xml, scratch, rounds, bare, create, destroy);

  path = bench_define_many (b.conn, 100);
  /* The floor: a round trip through the bus that the service answers
   * without any code of ours (GDBus handles Peer.Ping). */
  ping_rate = bench_rate (b.address, NULL, "org.freedesktop.DBus.Peer", "Ping", FALSE,
                    2.0);
  xml_rate = bench_rate (b.address, path, DOMAIN, "GetXMLDesc", TRUE, 2.0);
  list_rate = bench_rate (b.address, NULL, CONNECT, "ListDomains", TRUE, 2.0);

  /* A fresh service that loads the 100 definitions. */
  for (guint i = 0; i < G_N_ELEMENTS (first_reply); i++)
    {
      stop_service (&b);
      first_reply[i] = start_service (&b);
    }
  g_usleep (G_USEC_PER_SEC);
  rss_100 = bench_memory_of (b.service);
  stop_service (&b);

  printf ("guestd-session, %u rounds (medians); QEMU TCG, domain: 64 MiB, "
          "pc, one pty serial\n", rounds);
  printf ("  bare QEMU exec -> QMP ready           %8.1f ms\n",
          bench_median (bare, rounds));
  printf ("  DomainCreateXML(paused) -> reply      %8.1f ms   (%.2fx bare; "
          "budget 1.25x)\n",
          bench_median (create, rounds), bench_median (create, rounds) / bench_median (bare, rounds));
  printf ("  Destroy -> reply                      %8.1f ms   (budget 50 ms)\n",
          bench_median (destroy, rounds));
  printf ("  Peer.Ping (bus round trip floor)      %8.0f /s\n", ping_rate);
  printf ("  GetXMLDesc, one client                %8.0f /s   (budget 5000/s)\n",
          xml_rate);
  printf ("  ListDomains, 100 domains, one client  %8.0f /s   (budget 3000/s)\n",
          list_rate);
  printf ("  idle RSS, no definitions              %8" G_GUINT64_FORMAT
          " KiB   (private %" G_GUINT64_FORMAT " KiB, PSS %" G_GUINT64_FORMAT
          " KiB)\n", rss_empty.rss, rss_empty.anon, rss_empty.pss);
  printf ("  idle RSS, 100 definitions             %8" G_GUINT64_FORMAT
          " KiB   (private %" G_GUINT64_FORMAT " KiB, PSS %" G_GUINT64_FORMAT
          " KiB; budget 6144 KiB)\n", rss_100.rss, rss_100.anon, rss_100.pss);
  printf ("  exec -> first reply, no definitions   %8.1f ms\n", first_empty);
  printf ("  exec -> first reply, 100 definitions  %8.1f ms   (budget 15 ms)\n",
          bench_median (first_reply, G_N_ELEMENTS (first_reply)));

  g_object_unref (b.conn);
  g_subprocess_force_exit (b.bus);
  g_subprocess_wait (b.bus, NULL, NULL);
  {
    const char *rm[] = { "rm", "-rf", scratch, NULL };

    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                  NULL, NULL, NULL, NULL);
  }
  return 0;
}
