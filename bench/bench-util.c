/* What the service benchmarks share: timing, a bare QEMU to compare
 * with, a libdbus call-rate client and memory figures. */
#include "config.h"

#include "bench-util.h"

#include <dbus/dbus.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "conf/domain.h"
#include "qemu/argv-build.h"

const char *bench_prog = "bench";

void
bench_die (const char *what, GError *error)
{
  fprintf (stderr, "%s: %s: %s\n", bench_prog, what,
           error ? error->message : "failed");
  exit (1);
}

void
bench_die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

char *
bench_domain_xml (const char *name, const char *devices)
{
  return g_strdup_printf (
    "<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory>"
    "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
    "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
    "<serial type='pty'/>%s</devices></domain>",
    name, devices ? devices : "");
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

double
bench_median (double *v, guint n)
{
  qsort (v, n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double
bench_ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

double
bench_bare_qemu_once (const char *scratch)
{
  g_autofree char *xml = bench_domain_xml ("bare", NULL);
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
    bench_die ("to-native", error);
  g_ptr_array_add (cmd->argv, NULL);
  l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                 | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (l, bench_die_with_parent, NULL, NULL);
  addr = g_unix_socket_address_new (sock);

  start = g_get_monotonic_time ();
  qemu = g_subprocess_launcher_spawnv (l, (const char *const *) cmd->argv->pdata,
                                       &error);
  if (qemu == NULL)
    bench_die ("spawning QEMU", error);
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
    bench_die ("QMP", error);
  reply = g_data_input_stream_read_line (in, NULL, NULL, &error);
  if (reply == NULL || strstr (reply, "\"return\"") == NULL)
    bench_die ("qmp_capabilities", error);
  ms = bench_ms_since (start);

  g_subprocess_force_exit (qemu);
  g_subprocess_wait (qemu, NULL, NULL);
  g_unlink (sock);
  return ms;
}

/* Calls per second from one client, one call at a time. The client is
 * libdbus, which blocks on its socket: GDBus's synchronous calls hop
 * through a worker thread and would measure mostly themselves. */
double
bench_rate (const char *address, const char *path, const char *iface, const char *method,
      gboolean with_flags, double seconds)
{
  DBusError err;
  DBusConnection *c;
  gint64 start, end;
  guint64 n = 0;

  dbus_error_init (&err);
  c = dbus_connection_open_private (address, &err);
  if (c == NULL || !dbus_bus_register (c, &err))
    {
      fprintf (stderr, "%s: libdbus: %s\n", bench_prog, err.message);
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
          fprintf (stderr, "%s: %s: %s\n", bench_prog, method, err.message);
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

/* RSS counts every page of every shared library the process touched;
 * the private part and the proportional share tell the rest. */
BenchMemory
bench_memory_of (GSubprocess *p)
{
  BenchMemory m = { proc_kib (p, "status", "VmRSS:"),
               proc_kib (p, "status", "RssAnon:"),
               proc_kib (p, "smaps_rollup", "Pss:") };

  return m;
}

GVariant *
bench_call (GDBusConnection *conn, const char *path, const char *iface,
             const char *method, GVariant *params, const char *type)
{
  g_autoptr (GError) error = NULL;
  GVariant *r = g_dbus_connection_call_sync (
    conn, "org.libvirt", path ? path : "/org/libvirt/QEMU", iface, method,
    params, type ? G_VARIANT_TYPE (type) : NULL, G_DBUS_CALL_FLAGS_NONE,
    120000, NULL, &error);

  if (r == NULL)
    bench_die (method, error);
  return r;
}

void
bench_start_rounds (GDBusConnection *conn, const char *xml,
                    const char *scratch, guint rounds, double *bare,
                    double *create, double *destroy)
{
  /* Warm-up: the emulator probe (cached after this) and page cache. */
  {
    g_autoptr (GVariant) r = bench_call (conn, NULL, "org.libvirt.Connect",
                                          "DomainCreateXML",
                                          g_variant_new ("(su)", xml, 1),
                                          "(o)");
    const char *p;

    g_variant_get (r, "(&o)", &p);
    g_variant_unref (bench_call (conn, p, "org.libvirt.Domain", "Destroy",
                                  g_variant_new ("(u)", 0), NULL));
    bench_bare_qemu_once (scratch);
  }
  /* Interleaved, so both see the same machine load. */
  for (guint i = 0; i < rounds; i++)
    {
      g_autoptr (GVariant) r = NULL;
      const char *p;
      gint64 t;

      bare[i] = bench_bare_qemu_once (scratch);
      t = g_get_monotonic_time ();
      r = bench_call (conn, NULL, "org.libvirt.Connect", "DomainCreateXML",
                       g_variant_new ("(su)", xml, 1), "(o)");
      create[i] = bench_ms_since (t);
      g_variant_get (r, "(&o)", &p);
      t = g_get_monotonic_time ();
      g_variant_unref (bench_call (conn, p, "org.libvirt.Domain", "Destroy",
                                    g_variant_new ("(u)", 0), NULL));
      destroy[i] = bench_ms_since (t);
    }
}

char *
bench_define_many (GDBusConnection *conn, guint n)
{
  char *first = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("bench-%03u", i);
      g_autofree char *dxml = bench_domain_xml (name, NULL);
      g_autoptr (GVariant) r = bench_call (conn, NULL, "org.libvirt.Connect",
                                            "DomainDefineXML",
                                            g_variant_new ("(s)", dxml),
                                            "(o)");

      if (i == 0)
        g_variant_get (r, "(o)", &first);
    }
  return first;
}
