/* The integration test harness. */
#include "config.h"

#include "harness.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>

static char *
sub (Harness *h, const char *name)
{
  return g_build_filename (h->dir, name, NULL);
}

static void
event_free (HarnessEvent *e)
{
  g_free (e->path);
  g_free (e);
}

static void
on_domain_event (GDBusConnection *conn, const char *sender, const char *path,
                 const char *iface, const char *signal, GVariant *params,
                 gpointer user_data)
{
  Harness *h = user_data;
  HarnessEvent *e = g_new0 (HarnessEvent, 1);
  gint32 ev, detail;
  const char *dom;

  g_variant_get (params, "(&oii)", &dom, &ev, &detail);
  e->path = g_strdup (dom);
  e->event = ev;
  e->detail = detail;
  g_ptr_array_add (h->events, e);
}

/* The harness in use, for the abort handler. */
static Harness *current;

static void kill_leftover_qemu (Harness *h);
static void connect_bus (Harness *h, const char *bus_path);

static void
on_abort (int sig)
{
  /* A failed assertion must not leave a service, a bus or guests behind
   * (they would also keep the test runner waiting on their output). */
  if (current != NULL)
    {
      kill_leftover_qemu (current);
      if (current->service != NULL)
        g_subprocess_force_exit (current->service);
      if (current->polkitd != NULL)
        g_subprocess_force_exit (current->polkitd);
      /* Plain kill(): nothing that takes a lock in a signal handler. */
      for (guint i = 0; current->other_pids && i < current->other_pids->len;
           i++)
        kill (g_array_index (current->other_pids, GPid, i), SIGKILL);
      if (current->bus != NULL)
        g_subprocess_force_exit (current->bus);
    }
  signal (sig, SIG_DFL);
  raise (sig);
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
init_scratch (Harness *h)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *run = NULL;

  memset (h, 0, sizeof *h);
  current = h;
  /* Failed assertions abort (g_error traps); the runner's timeout
   * terminates. */
  signal (SIGABRT, on_abort);
  signal (SIGTRAP, on_abort);
  signal (SIGTERM, on_abort);
  h->dir = g_dir_make_tmp ("guestd-it-XXXXXX", &error);
  g_assert_no_error (error);
  g_chmod (h->dir, 0700);
  run = sub (h, "run");
  g_mkdir (run, 0700);
  h->status_dir = sub (h, "run/guestd/qemu");
  h->events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
  h->service_args = g_ptr_array_new_with_free_func (g_free);
  h->others = g_ptr_array_new_with_free_func (g_object_unref);
  h->other_pids = g_array_new (FALSE, FALSE, sizeof (GPid));
}

void
harness_setup (Harness *h)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) l = NULL;
  g_autofree char *bus_path = NULL;
  g_autofree char *listen = NULL;

  init_scratch (h);
  bus_path = sub (h, "bus");
  listen = g_strdup_printf ("unix:path=%s", bus_path);
  l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                 | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_set_child_setup (l, die_with_parent, NULL, NULL);
  h->bus = g_subprocess_launcher_spawn (l, &error, "dbus-daemon", "--session",
                                        "--nofork", "--nopidfile",
                                        "--address", listen, NULL);
  g_assert_no_error (error);
  h->address = g_steal_pointer (&listen);
  connect_bus (h, bus_path);
}

static void
connect_bus (Harness *h, const char *bus_path)
{
  g_autoptr (GError) error = NULL;

  for (int i = 0; i < 500 && !g_file_test (bus_path, G_FILE_TEST_EXISTS); i++)
    g_usleep (10000);
  h->conn = g_dbus_connection_new_for_address_sync (
    h->address,
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
      | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
    NULL, NULL, &error);
  g_assert_no_error (error);
  h->subscription = g_dbus_connection_signal_subscribe (
    h->conn, NULL, "org.libvirt.Connect", "DomainEvent", "/org/libvirt/QEMU",
    NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_domain_event, h, NULL);
}

static gboolean
name_has_owner (Harness *h)
{
  g_autoptr (GVariant) r = g_dbus_connection_call_sync (
    h->conn, "org.freedesktop.DBus", "/org/freedesktop/DBus",
    "org.freedesktop.DBus", "NameHasOwner", g_variant_new ("(s)", "org.libvirt"),
    G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  gboolean has = FALSE;

  if (r != NULL)
    g_variant_get (r, "(b)", &has);
  return has;
}

void
harness_start_service (Harness *h, ...)
{
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (0);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *config = sub (h, "config");
  g_autofree char *run = sub (h, "run");
  g_autofree char *home = sub (h, "home");
  const char *cache = g_getenv ("GUESTD_TEST_CACHE");
  g_autofree char *own_cache = sub (h, "cache");
  const char *a;
  va_list ap;

  g_subprocess_launcher_set_child_setup (l, die_with_parent, NULL, NULL);
  if (h->system)
    {
      g_subprocess_launcher_setenv (l, "DBUS_SYSTEM_BUS_ADDRESS", h->address,
                                    TRUE);
      g_ptr_array_add (argv, (char *) g_getenv ("GUESTD_SYSTEM"));
      g_ptr_array_add (argv, (char *) "--root");
      g_ptr_array_add (argv, h->root);
    }
  else
    g_ptr_array_add (argv, (char *) g_getenv ("GUESTD_SESSION"));
  g_subprocess_launcher_setenv (l, "DBUS_SESSION_BUS_ADDRESS", h->address, TRUE);
  g_subprocess_launcher_setenv (l, "XDG_CONFIG_HOME", config, TRUE);
  /* One emulator probe for the whole run, when the caller shares a cache. */
  g_subprocess_launcher_setenv (l, "XDG_CACHE_HOME", cache ? cache : own_cache,
                                TRUE);
  g_subprocess_launcher_setenv (l, "XDG_RUNTIME_DIR", run, TRUE);
  g_subprocess_launcher_setenv (l, "HOME", home, TRUE);
  va_start (ap, h);
  while ((a = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  h->service = g_subprocess_launcher_spawnv (l, (const char *const *) argv->pdata,
                                             &error);
  g_assert_no_error (error);
  for (int i = 0; i < 1000 && !name_has_owner (h); i++)
    {
      g_assert_nonnull (g_subprocess_get_identifier (h->service));
      g_usleep (10000);
    }
  g_assert_true (name_has_owner (h));
}

void
harness_kill_service (Harness *h, int sig)
{
  if (h->service == NULL)
    return;
  g_subprocess_send_signal (h->service, sig);
  g_subprocess_wait (h->service, NULL, NULL);
  g_clear_object (&h->service);
  /* Let the bus notice. */
  for (int i = 0; i < 500 && name_has_owner (h); i++)
    g_usleep (10000);
}

static void
kill_leftover_qemu (Harness *h)
{
  const char *run = h->status_dir;
  g_autoptr (GDir) d = g_dir_open (run, 0, NULL);
  const char *name;

  /* A failed test must not leave guests behind: every status file names
   * a QEMU. */
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (run, name, NULL);
      g_autofree char *text = NULL;
      const char *p;

      if (!g_str_has_suffix (name, ".xml")
          || !g_file_get_contents (path, &text, NULL, NULL)
          || (p = strstr (text, " pid='")) == NULL)
        continue;
      kill ((pid_t) g_ascii_strtoll (p + 6, NULL, 10), SIGKILL);
    }
}

void
harness_teardown (Harness *h)
{
  const char *rm[] = { "rm", "-rf", h->dir, NULL };

  kill_leftover_qemu (h);
  harness_kill_service (h, SIGTERM);
  if (h->polkitd != NULL)
    {
      g_subprocess_force_exit (h->polkitd);
      g_subprocess_wait (h->polkitd, NULL, NULL);
      g_clear_object (&h->polkitd);
    }
  for (guint i = 0; h->others != NULL && i < h->others->len; i++)
    {
      g_subprocess_force_exit (h->others->pdata[i]);
      g_subprocess_wait (h->others->pdata[i], NULL, NULL);
    }
  g_clear_pointer (&h->others, g_ptr_array_unref);
  g_clear_pointer (&h->other_pids, g_array_unref);
  if (h->subscription)
    g_dbus_connection_signal_unsubscribe (h->conn, h->subscription);
  g_clear_object (&h->conn);
  if (h->bus != NULL)
    {
      g_subprocess_force_exit (h->bus);
      g_subprocess_wait (h->bus, NULL, NULL);
      g_clear_object (&h->bus);
    }
  g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                NULL, NULL, NULL, NULL);
  g_clear_pointer (&h->events, g_ptr_array_unref);
  g_clear_pointer (&h->service_args, g_ptr_array_unref);
  g_free (h->address);
  g_free (h->dir);
  g_free (h->root);
  g_free (h->status_dir);
  current = NULL;
}

GVariant *
harness_call (Harness *h, const char *path, const char *iface,
              const char *method, GVariant *params, const char *reply_type,
              GError **error)
{
  return g_dbus_connection_call_sync (
    h->conn, "org.libvirt", path ? path : "/org/libvirt/QEMU", iface, method,
    params, reply_type ? G_VARIANT_TYPE (reply_type) : NULL,
    G_DBUS_CALL_FLAGS_NONE, 120000, NULL, error);
}

void
harness_assert_dbus_error (GError *error, const char *name,
                           const char *message_part)
{
  g_autofree char *remote = NULL;

  g_assert_nonnull (error);
  remote = g_dbus_error_get_remote_error (error);
  if (g_strcmp0 (remote, name) != 0)
    g_error ("expected D-Bus error %s, got %s: %s", name, remote,
             error->message);
  if (message_part != NULL && strstr (error->message, message_part) == NULL)
    g_error ("error \"%s\" does not contain \"%s\"", error->message,
             message_part);
}

char *
harness_define (Harness *h, const char *xml)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) r = harness_call (h, NULL, "org.libvirt.Connect",
                                         "DomainDefineXML",
                                         g_variant_new ("(s)", xml), "(o)",
                                         &error);
  char *path;

  g_assert_no_error (error);
  g_variant_get (r, "(o)", &path);
  return path;
}

char *
harness_lookup (Harness *h, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) r = harness_call (h, NULL, "org.libvirt.Connect",
                                         "DomainLookupByName",
                                         g_variant_new ("(s)", name), "(o)",
                                         &error);
  char *path;

  g_assert_no_error (error);
  g_variant_get (r, "(o)", &path);
  return path;
}

void
harness_domain_call (Harness *h, const char *path, const char *method,
                     GVariant *params)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) r = harness_call (h, path, "org.libvirt.Domain",
                                         method, params, NULL, &error);

  g_assert_no_error (error);
}

void
harness_get_state (Harness *h, const char *path, int *state, int *reason)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) r = harness_call (h, path, "org.libvirt.Domain",
                                         "GetState", g_variant_new ("(u)", 0),
                                         "((ii))", &error);

  g_assert_no_error (error);
  g_variant_get (r, "((ii))", state, reason);
}

static gboolean
have_event (Harness *h, const char *path, int event, int detail)
{
  for (guint i = 0; i < h->events->len; i++)
    {
      HarnessEvent *e = h->events->pdata[i];

      if (g_str_equal (e->path, path) && e->event == event
          && e->detail == detail)
        return TRUE;
    }
  return FALSE;
}

void
harness_wait_event (Harness *h, const char *path, int event, int detail,
                    guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!have_event (h, path, event, detail))
    {
      if (g_get_monotonic_time () > end)
        {
          g_autofree char *seen = harness_event_string (h, path);

          g_error ("event %d:%d for %s did not come (saw %s)", event, detail,
                   path, seen);
        }
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

void
harness_clear_events (Harness *h)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_ptr_array_set_size (h->events, 0);
}

char *
harness_event_string (Harness *h, const char *path)
{
  g_autoptr (GString) s = g_string_new (NULL);

  while (g_main_context_iteration (NULL, FALSE))
    ;
  for (guint i = 0; i < h->events->len; i++)
    {
      HarnessEvent *e = h->events->pdata[i];

      if (path == NULL || g_str_equal (e->path, path))
        g_string_append_printf (s, "%s%d:%d", s->len ? "," : "", e->event,
                                e->detail);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

char *
harness_domain_xml (const char *name, const char *type, const char *extra_os,
                    const char *devices)
{
  /* A UUID of its own for each name: defining twice updates, as it
   * should, instead of colliding. */
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_MD5, name,
                                                        -1);

  return g_strdup_printf ("<domain type='%s'>\n"
                          "  <name>%s</name>\n"
                          "  <uuid>%.32s</uuid>\n"
                          "  <memory unit='MiB'>64</memory>\n"
                          "  <os>\n"
                          "    <type arch='x86_64' machine='pc'>hvm</type>\n"
                          "%s"
                          "  </os>\n"
                          "  <devices>\n%s  </devices>\n"
                          "</domain>\n",
                          type, name, sum, extra_os ? extra_os : "",
                          devices ? devices : "");
}

GPid
harness_qemu_pid (Harness *h, const char *name)
{
  g_autofree char *file = g_strdup_printf ("%s.xml", name);
  g_autofree char *path = g_build_filename (h->status_dir, file, NULL);
  g_autofree char *text = NULL;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL)
      || (p = strstr (text, " pid='")) == NULL)
    return 0;
  return (GPid) g_ascii_strtoll (p + 6, NULL, 10);
}

gboolean
harness_process_gone (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return TRUE;
  p = strrchr (text, ')');
  return p != NULL && p[2] == 'Z';
}

/* ---- the system instance ---- */

static void
run_or_die (const char *const *argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
}

void
harness_enter_namespaces (void)
{
  const char *lo[] = { "ip", "link", "set", "lo", "up", NULL };

  /* Before any thread exists: unshare() refuses a threaded process. */
  if (unshare (CLONE_NEWNS | CLONE_NEWNET) < 0)
    g_error ("unshare: %s", g_strerror (errno));
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    g_error ("making mounts private: %s", g_strerror (errno));
  run_or_die (lo);
}

static void
bind_dir (const char *src, const char *target)
{
  if (mount (src, target, NULL, MS_BIND, NULL) < 0)
    g_error ("bind-mounting %s on %s: %s", src, target, g_strerror (errno));
}

static void
copy_into (const char *file, const char *dir, const char *name)
{
  g_autofree char *text = NULL;
  g_autofree char *target = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_file_get_contents (file, &text, NULL, &error);
  g_assert_no_error (error);
  g_file_set_contents (target, text, -1, &error);
  g_assert_no_error (error);
  g_chmod (target, 0644);
}

static void
wait_for_name (Harness *h, const char *name, GSubprocess *owner)
{
  for (int i = 0; i < 1000; i++)
    {
      g_autoptr (GVariant) r = g_dbus_connection_call_sync (
        h->conn, "org.freedesktop.DBus", "/org/freedesktop/DBus",
        "org.freedesktop.DBus", "NameHasOwner", g_variant_new ("(s)", name),
        G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
      gboolean has = FALSE;

      if (r != NULL)
        g_variant_get (r, "(b)", &has);
      if (has)
        return;
      g_assert_nonnull (g_subprocess_get_identifier (owner));
      g_usleep (10000);
    }
  g_error ("%s did not appear on the bus", name);
}

void
harness_setup_system (Harness *h, const char *rules)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) l = NULL;
  g_autofree char *bus_path = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *conf_path = NULL;
  g_autofree char *actions = NULL;
  g_autofree char *rules_dir = NULL;
  g_autofree char *rules_path = NULL;

  init_scratch (h);
  h->system = TRUE;
  /* polkitd and the guests' account pass through it. */
  g_chmod (h->dir, 0755);
  h->root = sub (h, "root");
  g_mkdir (h->root, 0755);
  g_free (h->status_dir);
  h->status_dir = g_build_filename (h->root, RUNSTATEDIR, "guestd", "qemu",
                                    NULL);

  /* polkit sees guestd's actions and rules, and the test's. */
  actions = sub (h, "polkit-actions");
  rules_dir = sub (h, "polkit-rules");
  g_mkdir (actions, 0755);
  g_mkdir (rules_dir, 0755);
  copy_into (g_getenv ("GUESTD_POLKIT_POLICY"), actions, "org.guestd.policy");
  copy_into (g_getenv ("GUESTD_POLKIT_RULES"), rules_dir, "50-guestd.rules");
  if (rules != NULL)
    {
      rules_path = g_build_filename (rules_dir, "40-test.rules", NULL);
      g_file_set_contents (rules_path, rules, -1, &error);
      g_assert_no_error (error);
      g_chmod (rules_path, 0644);
    }
  bind_dir (actions, "/usr/share/polkit-1/actions");
  bind_dir (rules_dir, "/etc/polkit-1/rules.d");

  /* A system bus like Debian's, with guestd's and polkit's policies. */
  bus_path = sub (h, "system_bus_socket");
  conf = g_strdup_printf (
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus "
    "Configuration 1.0//EN\" "
    "\"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig>\n"
    "  <type>system</type>\n"
    "  <listen>unix:path=%s</listen>\n"
    "  <auth>EXTERNAL</auth>\n"
    "  <policy context='default'>\n"
    "    <allow user='*'/>\n"
    "    <deny own='*'/>\n"
    "    <deny send_type='method_call'/>\n"
    "    <allow send_type='signal'/>\n"
    "    <allow send_requested_reply='true' send_type='method_return'/>\n"
    "    <allow send_requested_reply='true' send_type='error'/>\n"
    "    <allow receive_type='method_call'/>\n"
    "    <allow receive_type='method_return'/>\n"
    "    <allow receive_type='error'/>\n"
    "    <allow receive_type='signal'/>\n"
    "    <allow send_destination='org.freedesktop.DBus' "
    "send_interface='org.freedesktop.DBus'/>\n"
    "    <allow send_destination='org.freedesktop.DBus' "
    "send_interface='org.freedesktop.DBus.Introspectable'/>\n"
    "  </policy>\n"
    "  <include>/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf"
    "</include>\n"
    "  <include>%s</include>\n"
    "</busconfig>\n",
    bus_path, g_getenv ("GUESTD_DBUS_SYSTEM_POLICY"));
  conf_path = sub (h, "system-bus.conf");
  g_file_set_contents (conf_path, conf, -1, &error);
  g_assert_no_error (error);
  l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (l, die_with_parent, NULL, NULL);
  h->bus = g_subprocess_launcher_spawn (l, &error, "dbus-daemon",
                                        "--nofork", "--nopidfile",
                                        "--config-file", conf_path, NULL);
  g_assert_no_error (error);
  h->address = g_strdup_printf ("unix:path=%s", bus_path);
  connect_bus (h, bus_path);
  g_chmod (bus_path, 0666);

  /* The real polkitd, started as root like the system starts it (it
   * switches to its own account by itself). */
  g_subprocess_launcher_setenv (l, "DBUS_SYSTEM_BUS_ADDRESS", h->address,
                                TRUE);
  h->polkitd = g_subprocess_launcher_spawn (
    l, &error, "/usr/lib/polkit-1/polkitd", "--no-debug", NULL);
  g_assert_no_error (error);
  wait_for_name (h, "org.freedesktop.PolicyKit1", h->polkitd);
}

static GPtrArray *
as_user_argv (Harness *h, const char *user, const char *const *env,
              const char *const *argv)
{
  GPtrArray *full = g_ptr_array_new_with_free_func (g_free);
  struct passwd *pw = getpwnam (user);

  g_assert_nonnull (pw);
  g_ptr_array_add (full, g_strdup ("setpriv"));
  g_ptr_array_add (full, g_strdup_printf ("--reuid=%u", (guint) pw->pw_uid));
  g_ptr_array_add (full, g_strdup_printf ("--regid=%u", (guint) pw->pw_gid));
  g_ptr_array_add (full, g_strdup ("--init-groups"));
  g_ptr_array_add (full, g_strdup ("env"));
  g_ptr_array_add (full, g_strdup_printf ("DBUS_SYSTEM_BUS_ADDRESS=%s",
                                          h->address));
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    g_ptr_array_add (full, g_strdup (env[i]));
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (full, g_strdup (argv[i]));
  g_ptr_array_add (full, NULL);
  return full;
}

GSubprocess *
harness_spawn_as (Harness *h, const char *user, const char *const *env,
                  const char *const *argv)
{
  g_autoptr (GPtrArray) full = as_user_argv (h, user, env, argv);
  g_autoptr (GError) error = NULL;
  GSubprocess *p = g_subprocess_newv ((const char *const *) full->pdata,
                                      G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                      &error);

  g_assert_no_error (error);
  {
    GPid pid = (GPid) atoi (g_subprocess_get_identifier (p));

    g_array_append_val (h->other_pids, pid);
  }
  g_ptr_array_add (h->others, p);
  return p;
}

int
harness_run_as (Harness *h, const char *user, const char *const *argv,
                char **out, char **err)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) full = as_user_argv (h, user, NULL, argv);
  g_autoptr (GSubprocess) p = NULL;

  p = g_subprocess_newv ((const char *const *) full->pdata,
                         G_SUBPROCESS_FLAGS_STDOUT_PIPE
                           | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                         &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (p, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (p);
}

void
harness_copy_program (const char *from, const char *to)
{
  g_autofree char *data = NULL;
  gsize len;
  g_autoptr (GError) error = NULL;

  g_file_get_contents (from, &data, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents_full (to, data, len, G_FILE_SET_CONTENTS_NONE, 0755,
                            &error);
  g_assert_no_error (error);
}

void
harness_start_user_session (Harness *h, const char *user,
                            HarnessUserSession *us)
{
  struct passwd *pw = getpwnam (user);
  g_autofree char *bus = NULL;
  g_autofree char *session = NULL;
  g_autofree char *launch = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *const dirs[] = { "config", "cache", "run", NULL };

  g_assert_nonnull (pw);
  us->user = user;
  us->dir = g_strdup_printf ("%s/session-%s", h->dir, user);
  g_mkdir (us->dir, 0700);
  g_assert_no_errno (chown (us->dir, pw->pw_uid, pw->pw_gid));
  for (guint i = 0; dirs[i] != NULL; i++)
    {
      g_autofree char *d = g_build_filename (us->dir, dirs[i], NULL);

      g_mkdir (d, 0700);
      g_assert_no_errno (chown (d, pw->pw_uid, pw->pw_gid));
    }
  /* The build tree may be where the user cannot read it. */
  session = g_build_filename (us->dir, "guestd-session", NULL);
  launch = g_build_filename (us->dir, "guestd-launch", NULL);
  harness_copy_program (g_getenv ("GUESTD_SESSION"), session);
  harness_copy_program (g_getenv ("GUESTD_LAUNCH"), launch);

  bus = g_build_filename (us->dir, "bus", NULL);
  us->address = g_strdup_printf ("unix:path=%s", bus);
  us->env_bus = g_strdup_printf ("DBUS_SESSION_BUS_ADDRESS=%s", us->address);
  harness_spawn_as (h, user, NULL,
                    (const char *const[]) { "dbus-daemon", "--session",
                                            "--nofork", "--nopidfile",
                                            "--address", us->address, NULL });
  for (int i = 0; i < 500 && !g_file_test (bus, G_FILE_TEST_EXISTS); i++)
    g_usleep (10000);
  {
    g_autofree char *xdg_config = g_strdup_printf ("XDG_CONFIG_HOME=%s/config",
                                                   us->dir);
    g_autofree char *xdg_cache = g_strdup_printf ("XDG_CACHE_HOME=%s/cache",
                                                  us->dir);
    g_autofree char *xdg_run = g_strdup_printf ("XDG_RUNTIME_DIR=%s/run",
                                                us->dir);
    g_autofree char *home = g_strdup_printf ("HOME=%s", us->dir);
    g_autofree char *glaunch = g_strdup_printf ("GUESTD_LAUNCH=%s", launch);
    const char *const env[] = { us->env_bus, xdg_config, xdg_cache, xdg_run,
                                home, glaunch, NULL };

    harness_spawn_as (h, user, env,
                      (const char *const[]) { session, "--timeout", "0",
                                              NULL });
  }
  if (harness_run_as (h, user,
                      (const char *const[]) { "env", us->env_bus, "gdbus",
                                              "wait", "--session", "--timeout",
                                              "20", "org.libvirt", NULL },
                      &out, &err)
      != 0)
    g_error ("guestd-session of %s did not appear: %s", user, err);
}

void
harness_user_session_clear (HarnessUserSession *us)
{
  g_clear_pointer (&us->dir, g_free);
  g_clear_pointer (&us->address, g_free);
  g_clear_pointer (&us->env_bus, g_free);
}
