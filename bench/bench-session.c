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

#include <dbus/dbus.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "conf/domain.h"
#include "qemu/argv-build.h"

#define CONNECT "org.libvirt.Connect"
#define DOMAIN "org.libvirt.Domain"

static const char *build_dir = "build";
static char *scratch;

static void
die (const char *what, GError *error)
{
  fprintf (stderr, "bench-session: %s: %s\n", what,
           error ? error->message : "failed");
  exit (1);
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static char *
domain_xml (const char *name)
{
  return g_strdup_printf (
    "<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory>"
    "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
    "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
    "<serial type='pty'/></devices></domain>",
    name);
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *v, guint n)
{
  qsort (v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* ---- bare QEMU ---- */

static double
bare_qemu_once (void)
{
  g_autofree char *xml = domain_xml ("bare");
  g_autofree char *dir = g_build_filename (scratch, "bare", NULL);
  g_autofree char *sock = g_build_filename (dir, "qmp.sock", NULL);
  g_autoptr (GuestdDomainDef) def = guestd_domain_def_parse (xml, -1, 0, NULL);
  g_autoptr (GuestdQemuCommand) cmd = NULL;
  g_autoptr (GSubprocessLauncher) l = NULL;
  g_autoptr (GSubprocess) qemu = NULL;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) addr = NULL;
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GDataInputStream) in = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *reply = NULL;
  const char *caps = "{\"execute\":\"qmp_capabilities\"}\n";
  GuestdQemuBuildOptions opts;
  gint64 start;
  double ms;

  g_mkdir_with_parents (dir, 0700);
  guestd_qemu_build_options_init (&opts);
  opts.qmp_path = sock;
  opts.channel_dir = dir;
  opts.paused = TRUE;
  opts.native = TRUE;
  cmd = guestd_qemu_build_command (def, &opts, &error);
  if (cmd == NULL)
    die ("to-native", error);
  g_ptr_array_add (cmd->argv, NULL);
  l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                 | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (l, die_with_parent, NULL, NULL);
  addr = g_unix_socket_address_new (sock);

  start = g_get_monotonic_time ();
  qemu = g_subprocess_launcher_spawnv (l, (const char *const *) cmd->argv->pdata,
                                       &error);
  if (qemu == NULL)
    die ("spawning QEMU", error);
  /* What a script does: connect as soon as the socket answers. */
  while ((conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (addr),
                                          NULL, NULL))
         == NULL)
    g_usleep (500);
  in = g_data_input_stream_new (
    g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  greeting = g_data_input_stream_read_line (in, NULL, NULL, &error);
  if (greeting == NULL
      || !g_output_stream_write_all (
        g_io_stream_get_output_stream (G_IO_STREAM (conn)), caps,
        strlen (caps), NULL, NULL, &error))
    die ("QMP", error);
  reply = g_data_input_stream_read_line (in, NULL, NULL, &error);
  if (reply == NULL || strstr (reply, "\"return\"") == NULL)
    die ("qmp_capabilities", error);
  ms = ms_since (start);

  g_subprocess_force_exit (qemu);
  g_subprocess_wait (qemu, NULL, NULL);
  g_unlink (sock);
  return ms;
}

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

  g_subprocess_launcher_set_child_setup (l, die_with_parent, NULL, NULL);
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
    die ("starting guestd-session", error);
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

static GVariant *
call (Bench *b, const char *path, const char *iface, const char *method,
      GVariant *params, const char *type)
{
  g_autoptr (GError) error = NULL;
  GVariant *r = g_dbus_connection_call_sync (
    b->conn, "org.libvirt", path ? path : "/org/libvirt/QEMU", iface, method,
    params, type ? G_VARIANT_TYPE (type) : NULL, G_DBUS_CALL_FLAGS_NONE,
    120000, NULL, &error);

  if (r == NULL)
    die (method, error);
  return r;
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
  r = call (b, NULL, CONNECT, "ListDomains", g_variant_new ("(u)", 0),
            "(ao)");
  g_dbus_connection_signal_unsubscribe (b->conn, sub);
  return ms_since (start);
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
  g_subprocess_launcher_set_child_setup (l, die_with_parent, NULL, NULL);
  b->bus = g_subprocess_launcher_spawn (l, &error, "dbus-daemon", "--session",
                                        "--nofork", "--nopidfile",
                                        "--address", b->address, NULL);
  if (b->bus == NULL)
    die ("dbus-daemon", error);
  for (int i = 0; i < 500 && !g_file_test (bus_path, G_FILE_TEST_EXISTS); i++)
    g_usleep (10000);
  b->conn = g_dbus_connection_new_for_address_sync (
    b->address,
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
      | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
    NULL, NULL, &error);
  if (b->conn == NULL)
    die ("connecting to the bus", error);
}

/* Calls per second from one client, one call at a time. The client is
 * libdbus, which blocks on its socket: GDBus's synchronous calls hop
 * through a worker thread and would measure mostly themselves. */
static double
rate (Bench *b, const char *path, const char *iface, const char *method,
      gboolean with_flags, double seconds)
{
  DBusError err;
  DBusConnection *c;
  gint64 start, end;
  guint64 n = 0;

  dbus_error_init (&err);
  c = dbus_connection_open_private (b->address, &err);
  if (c == NULL || !dbus_bus_register (c, &err))
    {
      fprintf (stderr, "bench-session: libdbus: %s\n", err.message);
      exit (1);
    }
  start = g_get_monotonic_time ();
  end = start + (gint64) (seconds * G_USEC_PER_SEC);
  while (g_get_monotonic_time () < end)
    {
      DBusMessage *m = dbus_message_new_method_call (
        "org.libvirt", path ? path : "/org/libvirt/QEMU", iface, method);
      DBusMessage *r;
      dbus_uint32_t flags = 0;

      if (with_flags)
        dbus_message_append_args (m, DBUS_TYPE_UINT32, &flags,
                                  DBUS_TYPE_INVALID);
      r = dbus_connection_send_with_reply_and_block (c, m, -1, &err);
      dbus_message_unref (m);
      if (r == NULL)
        {
          fprintf (stderr, "bench-session: %s: %s\n", method, err.message);
          exit (1);
        }
      dbus_message_unref (r);
      n++;
    }
  dbus_connection_close (c);
  dbus_connection_unref (c);
  return n / ((g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
}

/* A field of /proc/PID/@file, in KiB. */
static guint64
proc_kib (GSubprocess *p, const char *file, const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/%s",
                                           g_subprocess_get_identifier (p),
                                           file);
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents (path, &text, NULL, NULL)
      || (line = strstr (text, field)) == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen (field), NULL, 10);
}

typedef struct
{
  guint64 rss, anon, pss;
} Memory;

/* RSS counts every page of every shared library the process touched;
 * the private part and the proportional share tell the rest. */
static Memory
memory_of (GSubprocess *p)
{
  Memory m = { proc_kib (p, "status", "VmRSS:"),
               proc_kib (p, "status", "RssAnon:"),
               proc_kib (p, "smaps_rollup", "Pss:") };

  return m;
}

int
main (int argc, char **argv)
{
  guint rounds = argc > 1 ? (guint) atoi (argv[1]) : 10;
  g_autofree double *bare = NULL;
  g_autofree double *create = NULL;
  g_autofree double *destroy = NULL;
  g_autofree char *xml = domain_xml ("bench");
  double first_reply[5];
  double first_empty;
  double xml_rate, list_rate, ping_rate;
  Memory rss_empty, rss_100;
  g_autofree char *path = NULL;
  Bench b = { 0 };

  if (rounds < 1)
    rounds = 1;
  bare = g_new (double, rounds);
  create = g_new (double, rounds);
  destroy = g_new (double, rounds);
  scratch = g_dir_make_tmp ("guestd-bench-XXXXXX", NULL);
  bench_setup (&b);

  first_empty = start_service (&b);
  g_usleep (G_USEC_PER_SEC / 2);
  rss_empty = memory_of (b.service);
  /* Warm-up: the emulator probe (cached after this) and page cache. */
  {
    g_autoptr (GVariant) r = call (&b, NULL, CONNECT, "DomainCreateXML",
                                   g_variant_new ("(su)", xml, 1), "(o)");
    const char *p;

    g_variant_get (r, "(&o)", &p);
    g_variant_unref (call (&b, p, DOMAIN, "Destroy", g_variant_new ("(u)", 0),
                           NULL));
    bare_qemu_once ();
  }
  /* Interleaved, so both see the same machine load. */
  for (guint i = 0; i < rounds; i++)
    {
      g_autoptr (GVariant) r = NULL;
      const char *p;
      gint64 t;

      bare[i] = bare_qemu_once ();
      t = g_get_monotonic_time ();
      r = call (&b, NULL, CONNECT, "DomainCreateXML",
                g_variant_new ("(su)", xml, 1), "(o)");
      create[i] = ms_since (t);
      g_variant_get (r, "(&o)", &p);
      t = g_get_monotonic_time ();
      g_variant_unref (call (&b, p, DOMAIN, "Destroy",
                             g_variant_new ("(u)", 0), NULL));
      destroy[i] = ms_since (t);
    }

  /* 100 persistent definitions. */
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *name = g_strdup_printf ("bench-%03u", i);
      g_autofree char *dxml = domain_xml (name);
      g_autoptr (GVariant) r = call (&b, NULL, CONNECT, "DomainDefineXML",
                                     g_variant_new ("(s)", dxml), "(o)");

      if (i == 0)
        g_variant_get (r, "(o)", &path);
    }
  /* The floor: a round trip through the bus that the service answers
   * without any code of ours (GDBus handles Peer.Ping). */
  ping_rate = rate (&b, NULL, "org.freedesktop.DBus.Peer", "Ping", FALSE,
                    2.0);
  xml_rate = rate (&b, path, DOMAIN, "GetXMLDesc", TRUE, 2.0);
  list_rate = rate (&b, NULL, CONNECT, "ListDomains", TRUE, 2.0);

  /* A fresh service that loads the 100 definitions. */
  for (guint i = 0; i < G_N_ELEMENTS (first_reply); i++)
    {
      stop_service (&b);
      first_reply[i] = start_service (&b);
    }
  g_usleep (G_USEC_PER_SEC);
  rss_100 = memory_of (b.service);
  stop_service (&b);

  printf ("guestd-session, %u rounds (medians); QEMU TCG, domain: 64 MiB, "
          "pc, one pty serial\n", rounds);
  printf ("  bare QEMU exec -> QMP ready           %8.1f ms\n",
          median (bare, rounds));
  printf ("  DomainCreateXML(paused) -> reply      %8.1f ms   (%.2fx bare; "
          "budget 1.25x)\n",
          median (create, rounds), median (create, rounds) / median (bare, rounds));
  printf ("  Destroy -> reply                      %8.1f ms   (budget 50 ms)\n",
          median (destroy, rounds));
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
          median (first_reply, G_N_ELEMENTS (first_reply)));

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
