/* QEMU processes: launch through guestd-launch with a pre-bound monitor
 * socket, the QMP handshake and start-up queries, events from the monitor,
 * exit detection with a pidfd (prompt even for a QEMU we did not fork, and
 * even when nobody reaps it), destroy, and reconnection. */
#include "config.h"

#include "process.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixsocketaddress.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/driver.h"
#include "daemon/guest-host.h"
#include "qemu/argv-build.h"
#include "util/error.h"
#include "util/file-util.h"
#include "util/glib-compat.h"
#include "util/i18n.h"

#define KILL_GRACE_MS 10000
#define MONITOR_FD 3
#define LOG_FD 4

static void on_event (GuestdQmp *qmp, const char *event, JsonObject *data,
                      gpointer user_data);
static void on_monitor_closed (GuestdQmp *qmp, gpointer user_data);

static int
pidfd_open_compat (GPid pid)
{
  return (int) syscall (SYS_pidfd_open, (pid_t) pid, 0);
}

static int
pidfd_signal (int pidfd, int sig)
{
  return (int) syscall (SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
}

guint64
guestd_process_start_time (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  g_auto (GStrv) fields = NULL;
  const char *p;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  /* The command name is in parentheses and may contain spaces: count
   * fields from the last ')'. Start time is field 22. */
  p = strrchr (text, ')');
  if (p == NULL)
    return 0;
  fields = g_strsplit (p + 2, " ", 0);
  if (g_strv_length (fields) < 20)
    return 0;
  return g_ascii_strtoull (fields[19], NULL, 10);
}

char *
guestd_process_log_tail (GuestdDomainObj *obj)
{
  g_autofree char *path = guestd_driver_log_path (obj->driver, obj->def->name);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GString) tail = g_string_new (NULL);
  guint n, start;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return g_strdup ("");
  lines = g_strsplit (text, "\n", -1);
  n = g_strv_length (lines);
  /* Only what this start wrote: after the last header line. */
  start = 0;
  for (guint i = 0; i < n; i++)
    if (g_str_has_prefix (lines[i], "guestd: starting "))
      start = i + 2;
  for (guint i = MAX (start, n > 6 ? n - 6 : 0); i < n; i++)
    if (lines[i][0] != '\0')
      g_string_append_printf (tail, "%s%s", tail->len ? "; " : "", lines[i]);
  return g_string_free (g_steal_pointer (&tail), FALSE);
}

/* ---- start ---- */

typedef struct
{
  GuestdDomainObj *obj;
  gboolean paused;
  GTask *task;
} StartData;

static void
start_data_free (StartData *s)
{
  guestd_domain_obj_unref (s->obj);
  g_free (s);
}

static int
listen_unix (const char *path, GError **error)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  g_autofd int fd = -1;

  if (strlen (path) >= sizeof sun.sun_path)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_INTERNAL,
                   _("monitor socket path %s is too long"), path);
      return -1;
    }
  strcpy (sun.sun_path, path);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      guestd_set_error_errno (error, errno, _("cannot create a socket"));
      return -1;
    }
  g_unlink (path);
  if (bind (fd, (struct sockaddr *) &sun, sizeof sun) < 0 || listen (fd, 2) < 0)
    {
      guestd_set_error_errno (error, errno, _("cannot listen on %s"), path);
      return -1;
    }
  return g_steal_fd (&fd);
}

static int
open_log (GuestdDomainObj *obj, GuestdQemuCommand *cmd, GError **error)
{
  g_autofree char *path = guestd_driver_log_path (obj->driver, obj->def->name);
  g_autofree char *line = guestd_qemu_command_to_string (cmd);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%d %H:%M:%S.%f");
  g_autofree char *header = NULL;
  int fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
                 0600);

  if (fd < 0)
    {
      guestd_set_error_errno (error, errno, _("cannot open log %s"), path);
      return -1;
    }
  header = g_strdup_printf ("guestd: starting %s at %s+0000\n%s\n",
                            obj->def->name, when, line);
  if (write (fd, header, strlen (header)) < 0)
    g_warning ("cannot write %s: %s", path, g_strerror (errno));
  return fd;
}

static gboolean on_pidfd (int fd, GIOCondition cond, gpointer user_data);

static void
watch_process (GuestdDomainObj *obj)
{
  obj->pidfd_watch = g_unix_fd_add_full (G_PRIORITY_HIGH, obj->pidfd, G_IO_IN,
                                         on_pidfd, guestd_domain_obj_ref (obj),
                                         (GDestroyNotify) guestd_domain_obj_unref);
}

static void start_fail (StartData *s, GError *error);
static void save_status_quietly (GuestdDomainObj *obj);

static void
set_pty_paths (GuestdDomainObj *obj, JsonNode *chardevs)
{
  GuestdDomainDef *def = obj->def;
  GPtrArray *lists[] = { def->serials, def->parallels, def->consoles,
                         def->channels };
  JsonArray *a;

  if (chardevs == NULL || !JSON_NODE_HOLDS_ARRAY (chardevs))
    return;
  a = json_node_get_array (chardevs);
  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      {
        GuestdChrDef *c = lists[l]->pdata[i];
        g_autofree char *label = g_strdup_printf ("char%s", c->info.alias);

        if (c->type != GUESTD_CHR_PTY)
          continue;
        for (guint j = 0; j < json_array_get_length (a); j++)
          {
            JsonObject *o = json_array_get_object_element (a, j);
            const char *name = json_object_get_string_member_with_default (o, "label", "");
            const char *file = json_object_get_string_member_with_default (o, "filename", "");

            if (g_str_equal (name, label) && g_str_has_prefix (file, "pty:"))
              {
                g_free (c->path);
                c->path = g_strdup (file + 4);
              }
          }
      }
  /* A serial console is its serial port: same pty. */
  for (guint i = 0; i < def->consoles->len; i++)
    {
      GuestdChrDef *c = def->consoles->pdata[i];

      if (c->target_type != GUESTD_CHR_TARGET_SERIAL)
        continue;
      for (guint j = 0; j < def->serials->len; j++)
        {
          GuestdChrDef *s = def->serials->pdata[j];

          if (s->target_port == c->target_port && s->path != NULL)
            {
              g_free (c->path);
              c->path = g_strdup (s->path);
            }
        }
    }
}

static void
set_vnc_port (GuestdDomainObj *obj, JsonNode *vnc)
{
  JsonObject *o;
  const char *service;

  if (vnc == NULL || !JSON_NODE_HOLDS_OBJECT (vnc))
    return;
  o = json_node_get_object (vnc);
  service = json_object_get_string_member_with_default (o, "service", NULL);
  for (guint i = 0; service != NULL && i < obj->def->graphics->len; i++)
    {
      GuestdGraphicsDef *g = obj->def->graphics->pdata[i];

      if (g->type == GUESTD_GRAPHICS_VNC)
        g->port = (int) g_ascii_strtoll (service, NULL, 10);
    }
}

static void
started (StartData *s)
{
  GuestdDomainObj *obj = s->obj;
  g_autoptr (GError) error = NULL;

  obj->starting = FALSE;
  if (s->paused)
    guestd_domain_obj_set_state (obj, GUESTD_STATE_PAUSED, GUESTD_PAUSED_USER);
  else
    guestd_domain_obj_set_state (obj, GUESTD_STATE_RUNNING,
                                 GUESTD_RUNNING_BOOTED);
  if (!guestd_driver_save_status (obj->driver, obj, &error))
    g_warning (_("domain '%s': %s"), obj->def->name, error->message);
  guestd_driver_emit_event (obj->driver, obj, GUESTD_EVENT_STARTED,
                            GUESTD_STARTED_BOOTED);
  if (s->paused)
    guestd_driver_emit_event (obj->driver, obj, GUESTD_EVENT_SUSPENDED,
                              GUESTD_SUSPENDED_PAUSED);
  g_task_return_boolean (s->task, TRUE);
  g_object_unref (s->task);
}

static void
continued (GObject *source, GAsyncResult *res, gpointer user_data)
{
  StartData *s = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) ret = NULL;

  if (s->obj->qmp == NULL)
    {
      start_fail (s, NULL);
      return;
    }
  ret = guestd_qmp_execute_finish (s->obj->qmp, res, &error);
  if (ret == NULL)
    {
      start_fail (s, g_steal_pointer (&error));
      return;
    }
  started (s);
}

/* The start-up queries go out together; the last answer moves on. */
typedef struct
{
  StartData *s;
  JsonNode *chardevs;
  JsonNode *vnc;
  guint pending;
  GError *error;
} Queries;

static void
queries_step (Queries *q, JsonNode **slot, GAsyncResult *res)
{
  StartData *s = q->s;
  g_autoptr (GError) error = NULL;
  JsonNode *ret = guestd_qmp_execute_finish (NULL, res, &error);

  if (ret == NULL && q->error == NULL)
    q->error = g_steal_pointer (&error);
  *slot = ret;
  if (--q->pending > 0)
    return;
  if (q->error == NULL)
    {
      set_pty_paths (s->obj, q->chardevs);
      set_vnc_port (s->obj, q->vnc);
    }
  g_clear_pointer (&q->chardevs, json_node_unref);
  g_clear_pointer (&q->vnc, json_node_unref);
  if (q->error != NULL)
    start_fail (s, g_steal_pointer (&q->error));
  else if (s->paused)
    started (s);
  else
    guestd_qmp_execute_async (s->obj->qmp, "cont", NULL, NULL, continued, s);
  g_free (q);
}

static void
chardevs_answered (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Queries *q = user_data;

  queries_step (q, &q->chardevs, res);
}

static void
vnc_answered (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Queries *q = user_data;

  queries_step (q, &q->vnc, res);
}

static gboolean
has_vnc (GuestdDomainDef *def)
{
  for (guint i = 0; i < def->graphics->len; i++)
    if (((GuestdGraphicsDef *) def->graphics->pdata[i])->type
        == GUESTD_GRAPHICS_VNC)
      return TRUE;
  return FALSE;
}

static void
handshaken (GObject *source, GAsyncResult *res, gpointer user_data)
{
  StartData *s = user_data;
  g_autoptr (GError) error = NULL;
  Queries *q;

  if (s->obj->qmp == NULL
      || !guestd_qmp_handshake_finish (s->obj->qmp, res, &error))
    {
      start_fail (s, g_steal_pointer (&error));
      return;
    }
  q = g_new0 (Queries, 1);
  q->s = s;
  q->pending = has_vnc (s->obj->def) ? 2 : 1;
  guestd_qmp_execute_async (s->obj->qmp, "query-chardev", NULL, NULL,
                            chardevs_answered, q);
  if (q->pending == 2)
    guestd_qmp_execute_async (s->obj->qmp, "query-vnc", NULL, NULL,
                              vnc_answered, q);
}

static void
attach_monitor (GuestdDomainObj *obj, GSocketConnection *conn)
{
  obj->qmp = guestd_qmp_new (conn, on_event, on_monitor_closed, obj);
}

static void
monitor_connected (GObject *source, GAsyncResult *res, gpointer user_data)
{
  StartData *s = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) conn = g_socket_client_connect_finish (
    G_SOCKET_CLIENT (source), res, &error);

  if (conn == NULL || s->obj->pid == 0)
    {
      start_fail (s, g_steal_pointer (&error));
      return;
    }
  attach_monitor (s->obj, conn);
  guestd_qmp_handshake_async (s->obj->qmp, NULL, handshaken, s);
}

static void
kill_now (GuestdDomainObj *obj)
{
  if (obj->pidfd >= 0)
    pidfd_signal (obj->pidfd, SIGKILL);
}

static void
start_fail (StartData *s, GError *error)
{
  GuestdDomainObj *obj = s->obj;
  g_autofree char *tail = guestd_process_log_tail (obj);

  /* Whatever QEMU said on its way out is the useful part. */
  if (error == NULL || obj->pid == 0 || (tail != NULL && *tail != '\0'))
    {
      g_clear_error (&error);
      error = g_error_new (GUESTD_ERROR, GUESTD_ERROR_OPERATION_FAILED,
                           _("domain '%s' did not start: %s"), obj->def->name,
                           tail && *tail ? tail : _("QEMU exited"));
    }
  g_task_return_error (s->task, error);
  g_clear_object (&s->task);
  if (obj->pid != 0)
    {
      /* The exit handler cleans up, as for any other exit. */
      obj->destroying = TRUE;
      kill_now (obj);
    }
}

/* What distributions install UEFI firmware and variable templates in. */
static const char *const firmware_dirs[] = {
  "/usr/share/OVMF", "/usr/share/ovmf", "/usr/share/edk2",
  "/usr/share/AAVMF", "/usr/share/qemu", NULL
};

static gboolean
is_firmware (const char *template)
{
  g_autofree char *real = realpath (template, NULL);

  for (guint i = 0; real != NULL && firmware_dirs[i] != NULL; i++)
    if (guestd_path_is_under (real, firmware_dirs[i]))
      return TRUE;
  return FALSE;
}

/* Copy the template to @path. The system instance reads templates only
 * from the firmware directories (a root service must not copy any file a
 * caller names somewhere QEMU can read it) and writes only into its own
 * nvram directory, where the copy belongs to the domain's author. */
static gboolean
create_nvram (GuestdDomainObj *obj, const char *path, const char *nv,
              GError **error)
{
  GuestdDomainDef *def = obj->def;
  g_autofree char *data = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr (GError) local = NULL;
  gsize len;

  if (obj->driver->privileged)
    {
      if (!g_str_equal (dir, nv))
        {
          g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                       _("UEFI variable store %s does not exist; the system "
                         "instance creates them only in %s (leave <nvram> "
                         "without a path), or create it yourself"),
                       path, nv);
          return FALSE;
        }
      if (!is_firmware (def->os.nvram_template))
        {
          g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                       _("UEFI variable template %s is not a firmware file "
                         "(under /usr/share/OVMF, /usr/share/edk2, "
                         "/usr/share/AAVMF or /usr/share/qemu)"),
                       def->os.nvram_template);
          return FALSE;
        }
    }
  if (!g_file_get_contents (def->os.nvram_template, &data, &len, &local)
      || !g_file_set_contents_full (path, data, len,
                                    G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                    &local))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_OPERATION_FAILED,
                   _("cannot create the UEFI variable store %s: %s"), path,
                   local->message);
      return FALSE;
    }
  if (obj->driver->privileged && lchown (path, def->author, -1) < 0)
    {
      guestd_set_error_errno (error, errno, _("cannot give %s to uid %u"),
                              path, def->author);
      g_unlink (path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
prepare_files (GuestdDomainObj *obj, char **channel_dir, char **home,
               char **nvram_dir, GError **error)
{
  GuestdDriver *d = obj->driver;
  GuestdDomainDef *def = obj->def;
  g_autofree char *chan = g_strdup_printf ("%s/%s.channel", d->run_dir,
                                           def->name);
  g_autofree char *h = g_strdup_printf ("%s/domain-%s", d->lib_dir, def->name);
  g_autofree char *nv = g_build_filename (d->lib_dir, "nvram", NULL);
  const char *dirs[] = { chan, h, nv };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      if (g_mkdir_with_parents (dirs[i], 0700) < 0)
        {
          guestd_set_error_errno (error, errno, _("cannot create %s"),
                                  dirs[i]);
          return FALSE;
        }
      /* QEMU writes there: its home, its channel sockets. The variable
       * stores are files handed over one by one. */
      if (dirs[i] != nv && !guestd_host_own_dir (d, dirs[i], error))
        return FALSE;
    }
  if (d->privileged && chmod (nv, 0711) < 0)
    {
      guestd_set_error_errno (error, errno, _("cannot change %s"), nv);
      return FALSE;
    }
  /* A UEFI guest's variable store starts as a copy of the template. */
  if (def->os.nvram_template != NULL)
    {
      g_autofree char *path = def->os.nvram
                                ? g_strdup (def->os.nvram)
                                : g_strdup_printf ("%s/%s_VARS.fd", nv,
                                                   def->name);

      /* The live definition names it: it is one of the guest's files. */
      if (def->os.nvram == NULL)
        def->os.nvram = g_strdup (path);
      if (!g_file_test (path, G_FILE_TEST_EXISTS)
          && !create_nvram (obj, path, nv, error))
        return FALSE;
    }
  *channel_dir = g_steal_pointer (&chan);
  *home = g_steal_pointer (&h);
  *nvram_dir = g_steal_pointer (&nv);
  return TRUE;
}

static gboolean
launch (GuestdDomainObj *obj, GError **error)
{
  GuestdDriver *d = obj->driver;
  g_autoptr (GuestdQemuCommand) cmd = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) taps = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr (GArray) tap_targets = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr (GArray) source_fds = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr (GArray) target_fds = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree char *channel_dir = NULL;
  g_autofree char *home = NULL;
  g_autofree char *nvram_dir = NULL;
  g_autofd int mon = -1;
  g_autofd int log = -1;
  GuestdQemuBuildOptions opts;
  const GuestdQemuEmulator *emulator;
  int next_fd = LOG_FD + 1;
  const char *const empty_env[] = { NULL };
  GPid pid = 0;
  gboolean spawned;

  if (!prepare_files (obj, &channel_dir, &home, &nvram_dir, error))
    return FALSE;
  g_free (obj->qmp_path);
  obj->qmp_path = g_strdup_printf ("%s/%s.qmp", d->run_dir, obj->def->name);
  mon = listen_unix (obj->qmp_path, error);
  if (mon < 0)
    return FALSE;

  /* Descriptors of the TAP devices the system instance will create, one
   * per bridge interface, numbered after the log's. */
  for (guint i = 0; i < obj->def->nets->len; i++)
    {
      GuestdNetDef *n = obj->def->nets->pdata[i];
      int target = d->account != NULL && n->type == GUESTD_NET_BRIDGE
                     ? next_fd++
                     : -1;

      g_array_append_val (tap_targets, target);
    }
  /* Everything that can fail cheaply before the host is touched. */
  guestd_qemu_build_options_init (&opts);
  /* The binary found in emulator_dirs, not the path the definition gave
   * (a link the caller could repoint between the check and the exec). */
  emulator = guestd_capabilities_emulator_for (guestd_driver_get_caps (d),
                                               obj->def, error);
  if (emulator == NULL)
    return FALSE;
  opts.emulator = emulator->path;
  opts.qmp_fd = MONITOR_FD;
  opts.paused = TRUE;
  opts.sandbox = d->conf->seccomp_sandbox;
  opts.vnc_listen = d->conf->vnc_listen;
  opts.channel_dir = channel_dir;
  opts.home = home;
  opts.nvram_dir = nvram_dir;
  opts.manage_lifecycle = TRUE;
  opts.tap_fds = (const int *) tap_targets->data;
  opts.n_tap_fds = tap_targets->len;
  cmd = guestd_qemu_build_command (obj->def, &opts, error);
  if (cmd == NULL || (log = open_log (obj, cmd, error)) < 0)
    return FALSE;

  g_ptr_array_add (argv, g_strdup (d->launch));
  /* The account, the files, the cgroup and the TAP devices (system
   * instance). */
  if (!guestd_host_prepare (obj, argv, taps, error))
    return FALSE;
  for (guint i = 0; i < taps->len; i++)
    {
      int fd = g_array_index (taps, int, i);
      int target = g_array_index (tap_targets, int, i);

      if (fd < 0)
        continue;
      g_assert (target >= 0);
      g_array_append_val (source_fds, fd);
      g_array_append_val (target_fds, target);
      g_ptr_array_add (argv, g_strdup ("--keep-fd"));
      g_ptr_array_add (argv, g_strdup_printf ("%d", target));
    }

  g_ptr_array_add (argv, g_strdup ("--log-fd"));
  g_ptr_array_add (argv, g_strdup (G_STRINGIFY (LOG_FD)));
  g_ptr_array_add (argv, g_strdup ("--keep-fd"));
  g_ptr_array_add (argv, g_strdup (G_STRINGIFY (MONITOR_FD)));
  g_ptr_array_add (argv, g_strdup ("--umask"));
  g_ptr_array_add (argv, g_strdup ("0077"));
  /* QEMU's environment goes through the launcher's arguments: the
   * launcher itself starts with an empty one (its dynamic loader runs with
   * every privilege; a domain's <qemu:env> must not reach it). */
  for (guint i = 0; i < cmd->env->len; i++)
    {
      g_ptr_array_add (argv, g_strdup ("--env"));
      g_ptr_array_add (argv, g_strdup (cmd->env->pdata[i]));
    }
  g_ptr_array_add (argv, g_strdup ("--"));
  for (guint i = 0; i < cmd->argv->len; i++)
    g_ptr_array_add (argv, g_strdup (cmd->argv->pdata[i]));
  g_ptr_array_add (argv, NULL);

  g_array_prepend_val (source_fds, log);
  g_array_prepend_val (source_fds, mon);
  {
    int fixed[] = { MONITOR_FD, LOG_FD };

    g_array_prepend_vals (target_fds, fixed, 2);
  }
  spawned = g_spawn_async_with_pipes_and_fds (
    NULL, (const char *const *) argv->pdata, empty_env,
    G_SPAWN_DO_NOT_REAP_CHILD, NULL,
    NULL, -1, -1, -1, (const int *) source_fds->data,
    (const int *) target_fds->data, source_fds->len, &pid, NULL, NULL, NULL,
    error);
  /* QEMU holds the TAP devices now; they go away with it. */
  guestd_close_fds (taps);
  if (!spawned)
    goto fail;
  obj->pid = pid;
  obj->our_child = TRUE;
  obj->start_time = guestd_process_start_time (pid);
  obj->pidfd = pidfd_open_compat (pid);
  if (obj->pidfd < 0)
    {
      /* Without a pidfd the exit would go unseen: refuse to run blind. */
      guestd_set_error_errno (error, errno, _("cannot watch process %d"),
                              (int) pid);
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
      obj->pid = 0;
      guestd_host_release (obj);
      return FALSE;
    }
  watch_process (obj);
  /* On disk at once: should the service die before the start completes,
   * its next run finds this QEMU (and kills it) instead of giving its
   * files back from under it. */
  save_status_quietly (obj);
  return TRUE;

fail:
  guestd_close_fds (taps);
  guestd_host_release (obj);
  return FALSE;
}

void
guestd_process_start_async (GuestdDomainObj *obj, gboolean paused,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  GuestdDriver *d = obj->driver;
  g_autoptr (GError) error = NULL;
  GuestdDomainDef *live = NULL;
  StartData *s;

  g_task_set_source_tag (task, guestd_process_start_async);
  if (guestd_domain_obj_is_active (obj) || obj->pid != 0)
    {
      g_task_return_new_error (task, GUESTD_ERROR,
                               GUESTD_ERROR_OPERATION_INVALID,
                               _("domain '%s' is already running"),
                               obj->def->name);
      g_object_unref (task);
      return;
    }
  /* The host may have changed since the definition was written; the
   * running guest gets a copy completed for today's host. */
  live = guestd_domain_def_copy (obj->def, &error);
  if (live == NULL
      || !guestd_capabilities_complete_def (guestd_driver_get_caps (d), live,
                                            &error)
      || !guestd_host_preflight (d, live, &error))
    {
      guestd_domain_def_free (live);
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  /* The live XML shows where the displays listen, as libvirt's does. */
  for (guint i = 0; i < live->graphics->len; i++)
    {
      GuestdGraphicsDef *g = live->graphics->pdata[i];

      if ((g->type == GUESTD_GRAPHICS_VNC || g->type == GUESTD_GRAPHICS_SPICE)
          && g->listen_type == GUESTD_LISTEN_NONE_GIVEN)
        {
          g->listen_type = GUESTD_LISTEN_ADDRESS;
          g->listen = g_strdup (d->conf->vnc_listen);
        }
    }
  if (obj->newdef == NULL)
    obj->newdef = obj->def;
  else
    guestd_domain_def_free (obj->def);
  obj->def = live;
  obj->def->id = d->next_id++;
  obj->destroying = FALSE;
  obj->shutdown_seen = FALSE;
  obj->shutting_down = FALSE;
  obj->crashed = FALSE;
  obj->fake_reboot = FALSE;
  obj->restart_after_exit = FALSE;
  obj->starting = TRUE;
  guestd_domain_obj_set_state (obj, GUESTD_STATE_PAUSED,
                               GUESTD_PAUSED_STARTING_UP);

  s = g_new0 (StartData, 1);
  s->obj = guestd_domain_obj_ref (obj);
  s->paused = paused;
  s->task = task;
  g_task_set_task_data (task, s, (GDestroyNotify) start_data_free);
  if (!launch (obj, &error))
    {
      GuestdDomainDef *keep = obj->newdef;

      /* Nothing ran: put the domain back as it was. */
      obj->newdef = NULL;
      guestd_domain_def_free (obj->def);
      obj->def = keep;
      obj->def->id = -1;
      obj->starting = FALSE;
      guestd_domain_obj_set_state (obj, GUESTD_STATE_SHUTOFF,
                                   GUESTD_SHUTOFF_FAILED);
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  {
    g_autoptr (GSocketClient) client = g_socket_client_new ();
    g_autoptr (GSocketAddress) addr = g_unix_socket_address_new (obj->qmp_path);

    /* The socket already listens: the connection waits in its backlog
     * until QEMU is ready, so no polling for the socket to appear. */
    g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (addr), NULL,
                                   monitor_connected, s);
  }
}

gboolean
guestd_process_start_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- exit ---- */

static void start_after_restart (GuestdDomainObj *obj);

static void
handle_exit (GuestdDomainObj *obj)
{
  GuestdDriver *d = obj->driver;
  int detail, reason;
  g_autoptr (GPtrArray) waiters = NULL;
  gboolean emit = !obj->starting;

  if (obj->our_child)
    waitpid (obj->pid, NULL, WNOHANG);
  g_clear_handle_id (&obj->pidfd_watch, g_source_remove);
  g_clear_handle_id (&obj->kill_timer, g_source_remove);
  if (obj->pidfd >= 0)
    close (obj->pidfd);
  obj->pidfd = -1;
  obj->pid = 0;
  obj->start_time = 0;
  if (obj->qmp != NULL)
    {
      GuestdQmp *qmp = g_steal_pointer (&obj->qmp);

      guestd_qmp_close (qmp);
      guestd_qmp_unref (qmp);
    }
  if (obj->qmp_path != NULL)
    g_unlink (obj->qmp_path);
  /* Files back to their owners, the cgroup gone: before anybody hears
   * that the guest stopped. */
  guestd_host_release (obj);
  guestd_driver_remove_status (d, obj);

  if (obj->destroying)
    detail = GUESTD_STOPPED_DESTROYED, reason = GUESTD_SHUTOFF_DESTROYED;
  else if (obj->crashed)
    detail = GUESTD_STOPPED_CRASHED, reason = GUESTD_SHUTOFF_CRASHED;
  else if (obj->shutdown_seen)
    detail = GUESTD_STOPPED_SHUTDOWN, reason = GUESTD_SHUTOFF_SHUTDOWN;
  else
    detail = GUESTD_STOPPED_FAILED, reason = GUESTD_SHUTOFF_CRASHED;
  obj->starting = FALSE;
  obj->destroying = FALSE;
  guestd_domain_obj_set_state (obj, GUESTD_STATE_SHUTOFF, reason);

  /* Back to the persistent definition. */
  obj->updated = FALSE;
  if (obj->newdef != NULL)
    {
      guestd_domain_def_free (obj->def);
      obj->def = g_steal_pointer (&obj->newdef);
    }
  obj->def->id = -1;
  guestd_domain_obj_ref (obj);
  if (emit)
    guestd_driver_emit_event (d, obj, GUESTD_EVENT_STOPPED, detail);
  waiters = g_steal_pointer (&obj->exit_waiters);
  obj->exit_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    g_task_return_boolean (waiters->pdata[i], TRUE);
  if (!obj->persistent)
    guestd_driver_remove (d, obj);
  else if (obj->restart_after_exit && emit)
    start_after_restart (obj);
  guestd_domain_obj_unref (obj);
}

static gboolean
on_pidfd (int fd, GIOCondition cond, gpointer user_data)
{
  GuestdDomainObj *obj = user_data;

  obj->pidfd_watch = 0;
  handle_exit (obj);
  return G_SOURCE_REMOVE;
}

static void
restarted (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (GuestdDomainObj) obj = user_data;
  g_autoptr (GError) error = NULL;

  if (!guestd_process_start_finish (res, &error))
    g_warning (_("domain '%s' could not be restarted: %s"), obj->def->name,
               error->message);
}

static void
start_after_restart (GuestdDomainObj *obj)
{
  obj->restart_after_exit = FALSE;
  guestd_process_start_async (obj, FALSE, NULL, restarted,
                              guestd_domain_obj_ref (obj));
}

static void
on_monitor_closed (GuestdQmp *qmp, gpointer user_data)
{
  /* The process exit, seen through the pidfd, does the cleaning up; a
   * monitor that closes while QEMU lives is only logged. */
  GuestdDomainObj *obj = user_data;

  if (obj->pid != 0 && !obj->destroying)
    g_debug ("domain '%s': monitor closed", obj->def->name);
}

/* ---- destroy ---- */

static gboolean
kill_hard (gpointer user_data)
{
  GuestdDomainObj *obj = user_data;

  obj->kill_timer = 0;
  g_warning (_("domain '%s' ignored SIGTERM for %d s; sending SIGKILL"),
             obj->def->name, KILL_GRACE_MS / 1000);
  kill_now (obj);
  return G_SOURCE_REMOVE;
}

void
guestd_process_destroy_async (GuestdDomainObj *obj, gboolean graceful,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);

  g_task_set_source_tag (task, guestd_process_destroy_async);
  if (obj->pid == 0)
    {
      g_task_return_new_error (task, GUESTD_ERROR,
                               GUESTD_ERROR_OPERATION_INVALID,
                               _("domain '%s' is not running"),
                               obj->def->name);
      g_object_unref (task);
      return;
    }
  g_ptr_array_add (obj->exit_waiters, task);
  if (obj->destroying)
    return; /* already on its way out */
  obj->destroying = TRUE;
  if (pidfd_signal (obj->pidfd, SIGTERM) < 0 && errno != ESRCH)
    g_warning ("pidfd_send_signal: %s", g_strerror (errno));
  if (!graceful)
    obj->kill_timer = g_timeout_add_full (G_PRIORITY_DEFAULT, KILL_GRACE_MS,
                                          kill_hard,
                                          guestd_domain_obj_ref (obj),
                                          (GDestroyNotify) guestd_domain_obj_unref);
}

gboolean
guestd_process_destroy_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- monitor commands ---- */

static void
monitor_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  JsonNode *ret = guestd_qmp_execute_finish (NULL, res, &error);

  if (ret == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, ret, (GDestroyNotify) json_node_unref);
}

void
guestd_process_monitor_async (GuestdDomainObj *obj, const char *command,
                              JsonNode *arguments,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);

  if (obj->qmp == NULL || obj->starting || !guestd_domain_obj_is_active (obj))
    {
      if (arguments != NULL)
        json_node_unref (arguments);
      g_task_return_new_error (task, GUESTD_ERROR,
                               GUESTD_ERROR_OPERATION_INVALID,
                               _("domain '%s' is not running"),
                               obj->def->name);
      g_object_unref (task);
      return;
    }
  guestd_qmp_execute_async (obj->qmp, command, arguments, NULL, monitor_done,
                            task);
}

JsonNode *
guestd_process_monitor_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  GuestdDomainObj *obj;
  GuestdProcessOp op;
} OpData;

static void
op_data_free (OpData *o)
{
  guestd_domain_obj_unref (o->obj);
  g_free (o);
}

static void
save_status_quietly (GuestdDomainObj *obj)
{
  g_autoptr (GError) error = NULL;

  if (!guestd_driver_save_status (obj->driver, obj, &error))
    g_warning (_("domain '%s': %s"), obj->def->name, error->message);
}

static void
op_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  OpData *o = g_task_get_task_data (task);
  GuestdDomainObj *obj = o->obj;
  GError *error = NULL;
  g_autoptr (JsonNode) ret = guestd_process_monitor_finish (res, &error);

  if (ret == NULL)
    {
      if (o->op == GUESTD_OP_REBOOT)
        obj->fake_reboot = FALSE;
      g_task_return_error (task, error);
      return;
    }
  switch (o->op)
    {
    case GUESTD_OP_SUSPEND:
      /* QEMU's STOP event may have come first and said "unknown". */
      if (obj->state != GUESTD_STATE_PAUSED)
        guestd_driver_emit_event (obj->driver, obj, GUESTD_EVENT_SUSPENDED,
                                  GUESTD_SUSPENDED_PAUSED);
      guestd_domain_obj_set_state (obj, GUESTD_STATE_PAUSED,
                                   GUESTD_PAUSED_USER);
      save_status_quietly (obj);
      break;
    case GUESTD_OP_RESUME:
      if (obj->state != GUESTD_STATE_RUNNING)
        {
          guestd_domain_obj_set_state (obj, GUESTD_STATE_RUNNING,
                                       GUESTD_RUNNING_UNPAUSED);
          guestd_driver_emit_event (obj->driver, obj, GUESTD_EVENT_RESUMED,
                                    GUESTD_RESUMED_UNPAUSED);
        }
      save_status_quietly (obj);
      break;
    case GUESTD_OP_REBOOT:
      save_status_quietly (obj);
      break;
    default:
      break;
    }
  g_task_return_boolean (task, TRUE);
}

void
guestd_process_op_async (GuestdDomainObj *obj, GuestdProcessOp op,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  OpData *o = g_new0 (OpData, 1);
  const char *command = NULL;

  o->obj = guestd_domain_obj_ref (obj);
  o->op = op;
  g_task_set_task_data (task, o, (GDestroyNotify) op_data_free);
  switch (op)
    {
    case GUESTD_OP_SHUTDOWN:
      command = "system_powerdown";
      break;
    case GUESTD_OP_REBOOT:
      /* An ACPI reboot is a power-down request whose SHUTDOWN event the
       * service turns into a reset (libvirt's "fake reboot"). */
      obj->fake_reboot = TRUE;
      command = "system_powerdown";
      break;
    case GUESTD_OP_RESET:
      command = "system_reset";
      break;
    case GUESTD_OP_SUSPEND:
    case GUESTD_OP_RESUME:
      /* As libvirt's QEMU driver: pausing a paused guest or resuming a
       * running one succeeds and changes nothing. */
      if ((op == GUESTD_OP_SUSPEND) == (obj->state == GUESTD_STATE_PAUSED))
        {
          g_task_return_boolean (task, TRUE);
          g_object_unref (task);
          return;
        }
      command = op == GUESTD_OP_SUSPEND ? "stop" : "cont";
      break;
    }
  guestd_process_monitor_async (obj, command, NULL, op_done, task);
}

gboolean
guestd_process_op_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- monitor events ---- */

static void
ignore_reply (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) ret = guestd_qmp_execute_finish (NULL, res, &error);

  if (ret == NULL)
    g_debug ("monitor: %s", error->message);
}

static void
reset_and_continue (GuestdDomainObj *obj)
{
  guestd_qmp_execute_async (obj->qmp, "system_reset", NULL, NULL,
                            ignore_reply, NULL);
  guestd_qmp_execute_async (obj->qmp, "cont", NULL, NULL, ignore_reply, NULL);
  guestd_driver_emit_signal (obj->driver, obj, "Reboot", NULL);
}

static void
handle_shutdown (GuestdDomainObj *obj, JsonObject *data)
{
  gboolean guest = data && json_object_get_boolean_member_with_default (data,
                                                                        "guest",
                                                                        FALSE);
  const char *why = data ? json_object_get_string_member_with_default (
                             data, "reason", "")
                         : "";
  GuestdLifecycleAction action = obj->def->on_poweroff;

  /* Our own SIGTERM: the exit reports DESTROYED, nothing else. */
  if (obj->destroying || obj->shutting_down)
    return;
  obj->shutting_down = TRUE;
  if (obj->fake_reboot)
    {
      obj->fake_reboot = FALSE;
      save_status_quietly (obj);
      reset_and_continue (obj);
      return;
    }
  /* With -no-reboot a guest reboot arrives as a shutdown. */
  if (g_str_equal (why, "guest-reset"))
    action = obj->def->on_reboot;
  obj->shutdown_seen = TRUE;
  guestd_driver_emit_event (obj->driver, obj, GUESTD_EVENT_SHUTDOWN,
                            guest ? GUESTD_SHUTDOWN_GUEST : GUESTD_SHUTDOWN_HOST);
  switch (action)
    {
    case GUESTD_LIFECYCLE_RESTART:
      obj->shutdown_seen = FALSE;
      reset_and_continue (obj);
      break;
    case GUESTD_LIFECYCLE_PRESERVE:
      guestd_domain_obj_set_state (obj, GUESTD_STATE_SHUTDOWN,
                                   GUESTD_SHUTDOWN_USER);
      obj->shutting_down = FALSE;
      save_status_quietly (obj);
      break;
    default:
      guestd_qmp_execute_async (obj->qmp, "quit", NULL, NULL, ignore_reply,
                                NULL);
    }
}

static void
on_event (GuestdQmp *qmp, const char *event, JsonObject *data,
          gpointer user_data)
{
  GuestdDomainObj *obj = user_data;

  if (obj->starting)
    return;
  if (g_str_equal (event, "SHUTDOWN"))
    handle_shutdown (obj, data);
  else if (g_str_equal (event, "STOP"))
    {
      /* -no-shutdown pauses the guest after a power-off: not a pause
       * anybody asked for. */
      if (obj->state == GUESTD_STATE_RUNNING && !obj->shutting_down)
        {
          guestd_domain_obj_set_state (obj, GUESTD_STATE_PAUSED,
                                       GUESTD_PAUSED_UNKNOWN);
          guestd_driver_emit_event (obj->driver, obj, GUESTD_EVENT_SUSPENDED,
                                    GUESTD_SUSPENDED_PAUSED);
          save_status_quietly (obj);
        }
    }
  else if (g_str_equal (event, "RESUME"))
    {
      /* A reboot (reset and continue) is complete. */
      obj->shutting_down = FALSE;
      if (obj->state == GUESTD_STATE_PAUSED)
        {
          guestd_domain_obj_set_state (obj, GUESTD_STATE_RUNNING,
                                       GUESTD_RUNNING_UNPAUSED);
          guestd_driver_emit_event (obj->driver, obj, GUESTD_EVENT_RESUMED,
                                    GUESTD_RESUMED_UNPAUSED);
          save_status_quietly (obj);
        }
    }
  else if (g_str_equal (event, "RESET"))
    guestd_driver_emit_signal (obj->driver, obj, "Reboot", NULL);
  else if (g_str_equal (event, "BALLOON_CHANGE") && data != NULL)
    {
      obj->balloon_kib = (guint64) json_object_get_int_member_with_default (
                           data, "actual", 0)
                         / 1024;
      guestd_driver_emit_signal (obj->driver, obj, "BalloonChange",
                                 g_variant_new ("(t)", obj->balloon_kib));
    }
  else if (g_str_equal (event, "RTC_CHANGE") && data != NULL)
    guestd_driver_emit_signal (obj->driver, obj, "RTCChange",
                               g_variant_new ("(x)",
                                              json_object_get_int_member_with_default (
                                                data, "offset", 0)));
  else if (g_str_equal (event, "GUEST_PANICKED"))
    {
      obj->crashed = TRUE;
      guestd_driver_emit_event (obj->driver, obj, GUESTD_EVENT_CRASHED,
                                GUESTD_CRASHED_EVENT_PANICKED);
      if (obj->def->on_crash == GUESTD_LIFECYCLE_RESTART)
        {
          obj->crashed = FALSE;
          reset_and_continue (obj);
        }
      else if (obj->def->on_crash != GUESTD_LIFECYCLE_PRESERVE)
        guestd_qmp_execute_async (obj->qmp, "quit", NULL, NULL, ignore_reply,
                                  NULL);
    }
}

/* ---- reconnect ---- */

static gboolean
is_our_qemu (GPid pid, guint64 start_time, const char *name)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", (int) pid);
  g_autofree char *cmdline = NULL;
  g_autofree char *want = g_strdup_printf ("guest=%s,", name);
  gsize len;

  if (guestd_process_start_time (pid) != start_time
      || !g_file_get_contents (path, &cmdline, &len, NULL))
    return FALSE;
  /* Arguments are NUL-separated; the -name value starts with guest=. */
  for (gsize off = 0; off < len; off += strlen (cmdline + off) + 1)
    if (g_str_has_prefix (cmdline + off, want))
      return TRUE;
  return FALSE;
}

static void
reconnected (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (GuestdDomainObj) obj = user_data;
  g_autoptr (GError) error = NULL;

  if (obj->qmp == NULL || !guestd_qmp_handshake_finish (obj->qmp, res, &error))
    g_warning (_("domain '%s': no monitor after restart: %s"), obj->def->name,
               error ? error->message : _("closed"));
}

void
guestd_process_reconnect (GuestdDomainObj *obj, GPid pid, guint64 start_time,
                          const char *monitor, GuestdDomainState state,
                          int reason)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) addr = NULL;
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GError) error = NULL;

  obj->pid = pid;
  obj->start_time = start_time;
  obj->our_child = FALSE;
  guestd_host_reattach (obj);
  obj->qmp_path = g_strdup (monitor);
  guestd_domain_obj_set_state (obj, state, reason);
  obj->pidfd = is_our_qemu (pid, start_time, obj->def->name)
                 ? pidfd_open_compat (pid)
                 : -1;
  if (obj->pidfd < 0)
    {
      g_message (_("domain '%s' stopped while the service was not running"),
                 obj->def->name);
      handle_exit (obj);
      return;
    }
  watch_process (obj);
  if (state == GUESTD_STATE_PAUSED && reason == GUESTD_PAUSED_STARTING_UP)
    {
      /* The service died while starting it: nobody asked for this guest
       * as it is. Stop it; its exit cleans up as any other. */
      g_message (_("domain '%s' was still starting when the service "
                   "stopped; stopping it"),
                 obj->def->name);
      obj->destroying = TRUE;
      kill_now (obj);
      return;
    }
  /* The socket exists and QEMU listens: this connects at once. */
  addr = g_unix_socket_address_new (monitor);
  conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (addr), NULL,
                                  &error);
  if (conn == NULL)
    {
      g_warning (_("domain '%s': cannot reach its monitor: %s"),
                 obj->def->name, error->message);
      return;
    }
  attach_monitor (obj, conn);
  guestd_qmp_handshake_async (obj->qmp, NULL, reconnected,
                              guestd_domain_obj_ref (obj));
}
