/* The service main loop shared by guestd-session and guestd-system. */
#include "config.h"

#include "serve.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "util/glib-compat.h"
#include "util/i18n.h"

#define BUS_NAME "org.libvirt"
#define BASE_PATH "/org/libvirt/QEMU"

typedef struct
{
  const GuestdServeOptions *o;
  GMainLoop *loop;
  GuestdDBusService *svc;
  GDBusConnection *conn;
  gboolean owned;
  gboolean bus_done;       /* the connection attempt has finished */
  GError *bus_error;
  int exit_code;
} Serve;

static void
got_bus (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Serve *s = user_data;

  s->conn = g_bus_get_finish (res, &s->bus_error);
  s->bus_done = TRUE;
}

static gboolean
check_idle (gpointer user_data)
{
  Serve *s = user_data;
  gint64 idle_us;

  if (s->o->timeout <= 0 || s->svc == NULL)
    return G_SOURCE_CONTINUE;
  idle_us = g_get_monotonic_time () - guestd_dbus_service_last_activity (s->svc);
  /* Running guests need their watcher; connected clients their events. */
  if (guestd_driver_count_active (s->o->driver) == 0
      && guestd_dbus_service_client_count (s->svc) == 0
      && idle_us >= (gint64) s->o->timeout * G_USEC_PER_SEC)
    {
      g_message (_("idle for %d s with no guests running; exiting"),
                 s->o->timeout);
      g_main_loop_quit (s->loop);
    }
  return G_SOURCE_CONTINUE;
}

static void
name_acquired (GDBusConnection *conn, const char *name, gpointer user_data)
{
  Serve *s = user_data;

  s->owned = TRUE;
  g_message (_("serving %s on the %s"), s->o->driver->uri, s->o->bus_label);
  guestd_driver_autostart (s->o->driver);
}

static void
name_lost (GDBusConnection *conn, const char *name, gpointer user_data)
{
  Serve *s = user_data;

  if (conn == NULL && s->owned)
    {
      /* The bus went away (logout, or the bus restarted): guests keep
       * running and the next start takes them over. */
      g_message (_("the %s went away; exiting"), s->o->bus_label);
      g_main_loop_quit (s->loop);
      return;
    }
  if (conn == NULL)
    g_printerr (_("%s: cannot connect to the %s\n"), s->o->prog,
                s->o->bus_label);
  else if (!s->owned)
    g_printerr (_("%s: %s is already owned on this bus (another guestd, "
                  "libvirt-dbus, or the bus policy does not allow it); not "
                  "starting a second one\n"),
                s->o->prog, name);
  else
    g_printerr (_("%s: lost the name %s\n"), s->o->prog, name);
  s->exit_code = 1;
  g_main_loop_quit (s->loop);
}

static gboolean
on_signal (gpointer user_data)
{
  Serve *s = user_data;

  /* Guests keep running; the next start takes them over. */
  g_main_loop_quit (s->loop);
  return G_SOURCE_REMOVE;
}

static int
take_lock (const GuestdServeOptions *o)
{
  /* "session.lock", "system.lock": the names earlier versions used. */
  g_autofree char *name = g_strdup_printf (
    "%s.lock", o->driver->privileged ? "system" : "session");
  g_autofree char *path = g_build_filename (o->driver->run_dir, "..", name,
                                            NULL);
  g_autofree char *pid = g_strdup_printf ("%d\n", (int) getpid ());
  g_autofree char *holder = NULL;
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    {
      g_printerr (_("%s: cannot open %s: %s\n"), o->prog, path,
                  g_strerror (errno));
      return -1;
    }
  /* One instance per state directory, even across several buses: two
   * would fight over the same guests. */
  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      g_file_get_contents (path, &holder, NULL, NULL);
      g_printerr (_("%s: another instance (pid %s) already manages these "
                    "guests\n"),
                  o->prog, holder ? g_strstrip (holder) : "?");
      close (fd);
      return -1;
    }
  if (ftruncate (fd, 0) < 0 || write (fd, pid, strlen (pid)) < 0)
    g_warning ("cannot write %s", path);
  return fd;
}

int
guestd_serve_parse_args (const char *prog, const char *summary,
                         const GOptionEntry *entries, int *argc, char ***argv)
{
  g_autoptr (GOptionContext) ctx = NULL;
  g_autoptr (GError) error = NULL;
  gboolean version = FALSE;
  const GOptionEntry common[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version"),
      NULL },
    { NULL },
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  ctx = g_option_context_new (NULL);
  g_option_context_set_summary (ctx, _(summary));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (ctx, common, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, argc, argv, &error))
    {
      g_printerr ("%s: %s\n", prog, error->message);
      return 2;
    }
  if (version)
    {
      printf ("%s %s\n", prog, PACKAGE_VERSION);
      return 0;
    }
  return -1;
}

int
guestd_serve (const GuestdServeOptions *o)
{
  Serve s = { .o = o };
  g_autoptr (GError) error = NULL;
  g_autofd int lock = -1;
  guint owner;

  lock = take_lock (o);
  if (lock < 0)
    return 1;
  /* GLib sets up its C locale for g_ascii_strtoull() on first use; when
   * GDBus's thread (started below) and the definition parser race for
   * that, the loser's futex wait leaves EAGAIN in errno, and
   * g_ascii_string_to_unsigned() then rejects a valid number (a
   * definition was ignored at restart, about one start in fifteen). Do
   * it now, alone. */
  (void) g_ascii_strtoull ("0", NULL, 10);
  s.loop = g_main_loop_new (NULL, FALSE);
  /* Connecting (GDBus's own thread) and reading the definitions overlap:
   * the first caller is answered sooner. */
  g_bus_get (o->bus_type, NULL, got_bus, &s);
  if (!guestd_driver_load (o->driver, &error))
    {
      g_printerr ("%s: %s\n", o->prog, error->message);
      return 1;
    }
  while (!s.bus_done)
    g_main_context_iteration (NULL, TRUE);
  if (s.conn == NULL)
    {
      g_printerr (_("%s: cannot connect to the %s: %s\n"), o->prog,
                  o->bus_label, s.bus_error->message);
      g_error_free (s.bus_error);
      return 1;
    }
  g_dbus_connection_set_exit_on_close (s.conn, FALSE);
  s.svc = guestd_dbus_service_new (s.conn, o->driver, BASE_PATH,
                                   o->authorize, o->authorize_data, &error);
  if (s.svc == NULL
      || (o->prepare != NULL && !o->prepare (s.svc, o->data, &error)))
    {
      g_printerr ("%s: %s\n", o->prog, error->message);
      g_clear_pointer (&s.svc, guestd_dbus_service_free);
      g_object_unref (s.conn);
      return 1;
    }
  owner = g_bus_own_name_on_connection (s.conn, BUS_NAME,
                                        G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                        name_acquired, name_lost, &s, NULL);
  g_unix_signal_add (SIGTERM, on_signal, &s);
  g_unix_signal_add (SIGINT, on_signal, &s);
  g_timeout_add_seconds (1, check_idle, &s);
  g_main_loop_run (s.loop);

  g_bus_unown_name (owner);
  g_dbus_connection_flush_sync (s.conn, NULL, NULL);
  guestd_dbus_service_free (s.svc);
  g_object_unref (s.conn);
  g_main_loop_unref (s.loop);
  return s.exit_code;
}
