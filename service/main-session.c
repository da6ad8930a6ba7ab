/* guestd-session: the per-user instance on the session bus. Guests run as
 * the user; it leaves when idle (no clients, no running guests). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include "daemon/dbus-service.h"
#include "daemon/driver.h"
#include "util/glib-compat.h"
#include "util/i18n.h"

#define BUS_NAME "org.libvirt"
#define BASE_PATH "/org/libvirt/QEMU"

typedef struct
{
  GMainLoop *loop;
  GuestdDriver *driver;
  GuestdDBusService *svc;
  GDBusConnection *conn;
  gboolean owned;
  gboolean bus_done;       /* the connection attempt has finished */
  GError *bus_error;
  int exit_code;
  gint timeout;
} Session;

static void
got_bus (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Session *s = user_data;

  s->conn = g_bus_get_finish (res, &s->bus_error);
  s->bus_done = TRUE;
}

static gboolean
check_idle (gpointer user_data)
{
  Session *s = user_data;
  gint64 idle_us;

  if (s->timeout <= 0 || s->svc == NULL)
    return G_SOURCE_CONTINUE;
  idle_us = g_get_monotonic_time () - guestd_dbus_service_last_activity (s->svc);
  /* Running guests need their watcher; connected clients their events. */
  if (guestd_driver_count_active (s->driver) == 0
      && guestd_dbus_service_client_count (s->svc) == 0
      && idle_us >= (gint64) s->timeout * G_USEC_PER_SEC)
    {
      g_message (_("idle for %d s with no guests running; exiting"),
                 s->timeout);
      g_main_loop_quit (s->loop);
    }
  return G_SOURCE_CONTINUE;
}

static void
name_acquired (GDBusConnection *conn, const char *name, gpointer user_data)
{
  Session *s = user_data;

  s->owned = TRUE;
  g_message (_("serving %s on the session bus"), s->driver->uri);
  guestd_driver_autostart (s->driver);
}

static void
name_lost (GDBusConnection *conn, const char *name, gpointer user_data)
{
  Session *s = user_data;

  if (conn == NULL && s->owned)
    {
      /* The user logged out: nothing left to serve; guests keep running
       * and the next start takes them over. */
      g_message (_("the session bus went away; exiting"));
      g_main_loop_quit (s->loop);
      return;
    }
  if (conn == NULL)
    g_printerr (_("guestd-session: cannot connect to the session bus\n"));
  else if (!s->owned)
    g_printerr (_("guestd-session: %s is already owned on this session bus "
                  "(another guestd-session, or libvirt-dbus); not starting a "
                  "second one\n"),
                name);
  else
    g_printerr (_("guestd-session: lost the name %s\n"), name);
  s->exit_code = 1;
  g_main_loop_quit (s->loop);
}

static gboolean
on_signal (gpointer user_data)
{
  Session *s = user_data;

  /* Guests keep running; the next start takes them over. */
  g_main_loop_quit (s->loop);
  return G_SOURCE_REMOVE;
}

static int
take_lock (GuestdDriver *driver)
{
  g_autofree char *path = g_build_filename (driver->run_dir, "..",
                                            "session.lock", NULL);
  g_autofree char *pid = g_strdup_printf ("%d\n", (int) getpid ());
  g_autofree char *holder = NULL;
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0)
    {
      g_printerr (_("guestd-session: cannot open %s: %s\n"), path,
                  g_strerror (errno));
      return -1;
    }
  /* One instance per user, even across several session buses: two would
   * fight over the same guests. */
  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    {
      g_file_get_contents (path, &holder, NULL, NULL);
      g_printerr (_("guestd-session: another guestd-session (pid %s) "
                    "already manages this user's guests\n"),
                  holder ? g_strstrip (holder) : "?");
      close (fd);
      return -1;
    }
  if (ftruncate (fd, 0) < 0 || write (fd, pid, strlen (pid)) < 0)
    g_warning ("cannot write %s", path);
  return fd;
}

int
main (int argc, char **argv)
{
  Session s = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) ctx = NULL;
  g_autofd int lock = -1;
  gboolean version = FALSE;
  guint owner;
  GOptionEntry entries[] = {
    { "timeout", 't', 0, G_OPTION_ARG_INT, &s.timeout,
      N_("Exit after SECONDS idle with no clients and no running guests (0: "
         "never; default 120)"),
      N_("SECONDS") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version"),
      NULL },
    { NULL },
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  s.timeout = 120;
  ctx = g_option_context_new (NULL);
  g_option_context_set_summary (ctx, _("The guestd session instance: QEMU "
                                       "guests of this user, on the session "
                                       "bus as org.libvirt."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("guestd-session: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      printf ("guestd-session %s\n", PACKAGE_VERSION);
      return 0;
    }

  s.driver = guestd_driver_new_session (&error);
  if (s.driver == NULL)
    {
      g_printerr ("guestd-session: %s\n", error->message);
      return 1;
    }
  lock = take_lock (s.driver);
  if (lock < 0)
    return 1;
  s.loop = g_main_loop_new (NULL, FALSE);
  /* Connecting (GDBus's own thread) and reading the definitions overlap:
   * the first caller is answered sooner. */
  g_bus_get (G_BUS_TYPE_SESSION, NULL, got_bus, &s);
  if (!guestd_driver_load (s.driver, &error))
    {
      g_printerr ("guestd-session: %s\n", error->message);
      return 1;
    }
  while (!s.bus_done)
    g_main_context_iteration (NULL, TRUE);
  if (s.conn == NULL)
    {
      g_printerr (_("guestd-session: cannot connect to the session bus: %s\n"),
                  s.bus_error->message);
      return 1;
    }
  g_dbus_connection_set_exit_on_close (s.conn, FALSE);
  s.svc = guestd_dbus_service_new (s.conn, s.driver, BASE_PATH, &error);
  if (s.svc == NULL)
    {
      g_printerr ("guestd-session: %s\n", error->message);
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
  guestd_driver_free (s.driver);
  g_main_loop_unref (s.loop);
  return s.exit_code;
}
