/* domxml-to-native for real: every domain fixture's command line is
 * started under the installed qemu-system-x86_64 (TCG, paused with -S),
 * answers QMP, and is stopped over QMP.
 *
 * Fixtures describe other machines, so their host resources are swapped
 * for scratch ones first: disk images become files in a temporary
 * directory, kernels a minimal multiboot image, and interfaces that need
 * host networking set-up (bridges, TAP devices, libvirt networks) become
 * user networking; the system-instance tests run those for real. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "conf/domain.h"
#include "qemu/argv-build.h"
#include "qemu/qmp.h"
#include "test-util.h"

#define QEMU "/usr/bin/qemu-system-x86_64"

static char *
scratch_file (const char *dir, const char *name, const char *format)
{
  char *path = g_build_filename (dir, name, NULL);

  if (g_strcmp0 (format, "qcow2") == 0)
    {
      const char *argv[] = { "qemu-img", "create", "-q", "-f", "qcow2", path,
                             "16M", NULL };
      int status;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL,
                                   G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                                   NULL, &status, NULL));
      g_assert_true (g_spawn_check_wait_status (status, NULL));
    }
  else
    {
      int fd = g_open (path, O_CREAT | O_WRONLY | O_TRUNC, 0644);

      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (ftruncate (fd, 1024 * 1024), ==, 0);
      close (fd);
    }
  return path;
}

/* The smallest kernel QEMU's x86 loader accepts: a multiboot header that
 * asks to be loaded at 1 MiB as it is. */
static char *
multiboot_kernel (const char *dir)
{
  guint32 header[8] = { 0x1BADB002, 0x00010000, 0, 0x100000, 0x100000, 0, 0,
                        0x100000 };
  char *path = g_build_filename (dir, "kernel", NULL);

  header[2] = (guint32) - (header[0] + header[1]);
  for (guint i = 0; i < G_N_ELEMENTS (header); i++)
    header[i] = GUINT32_TO_LE (header[i]);
  g_assert_true (g_file_set_contents (path, (const char *) header,
                                      sizeof header, NULL));
  return path;
}

static gboolean
kvm_usable (void)
{
  int fd = open ("/dev/kvm", O_RDWR | O_CLOEXEC);

  if (fd < 0)
    return FALSE;
  close (fd);
  return TRUE;
}

static void
localize (GuestdDomainDef *def, const char *dir, GSocketListener *listener)
{
  g_free (def->emulator);
  def->emulator = g_strdup (QEMU);
  if (def->virt_type == GUESTD_VIRT_KVM && !kvm_usable ())
    {
      /* Without KVM: what only KVM has goes (CPU passthrough, Hyper-V
       * enlightenments, kvm=off). */
      def->virt_type = GUESTD_VIRT_QEMU;
      if (def->cpu.mode == GUESTD_CPU_MODE_HOST_PASSTHROUGH)
        def->cpu.mode = GUESTD_CPU_MODE_MAXIMUM;
      def->features.has_hyperv = FALSE;
      def->features.kvm_hidden = GUESTD_TRISTATE_ABSENT;
      for (guint i = 0; i < def->clock.timers->len; i++)
        if (g_array_index (def->clock.timers, GuestdTimerDef, i).name
            == GUESTD_TIMER_HYPERVCLOCK)
          g_array_remove_index (def->clock.timers, i--);
    }
  for (guint i = 0; i < def->disks->len; i++)
    {
      GuestdDiskDef *d = def->disks->pdata[i];
      g_autofree char *name = g_strdup_printf ("disk-%s", d->target);

      if (d->src == NULL)
        continue;
      g_free (d->src);
      d->src = scratch_file (dir, name,
                             d->format == GUESTD_DISK_FORMAT_QCOW2 ? "qcow2"
                                                                   : "raw");
      d->type = GUESTD_DISK_TYPE_FILE;
      if (d->device == GUESTD_DISK_DEVICE_LUN)
        d->device = GUESTD_DISK_DEVICE_DISK;
      if (d->io == GUESTD_DISK_IO_NATIVE)
        d->io = GUESTD_DISK_IO_THREADS; /* tmpfs has no O_DIRECT */
      if (d->cache == GUESTD_DISK_CACHE_NONE
          || d->cache == GUESTD_DISK_CACHE_DIRECTSYNC)
        d->cache = GUESTD_DISK_CACHE_WRITEBACK;
    }
  if (def->os.kernel != NULL)
    {
      g_free (def->os.kernel);
      def->os.kernel = multiboot_kernel (dir);
    }
  if (def->os.initrd != NULL)
    {
      g_free (def->os.initrd);
      def->os.initrd = scratch_file (dir, "initrd", "raw");
    }
  if (def->os.nvram != NULL || def->os.nvram_template != NULL)
    {
      g_autofree char *vars = NULL;
      gsize len = 0;

      if (def->os.nvram_template != NULL
          && g_file_get_contents (def->os.nvram_template, &vars, &len, NULL))
        {
          g_free (def->os.nvram);
          def->os.nvram = g_build_filename (dir, "VARS.fd", NULL);
          g_assert_true (g_file_set_contents (def->os.nvram, vars, len, NULL));
        }
    }
  for (guint i = 0; i < def->nets->len; i++)
    {
      GuestdNetDef *n = def->nets->pdata[i];

      if (n->type != GUESTD_NET_USER)
        {
          n->type = GUESTD_NET_USER;
          g_clear_pointer (&n->source, g_free);
          g_clear_pointer (&n->target_dev, g_free);
          g_clear_pointer (&n->driver_name, g_free);
        }
    }
  {
    GPtrArray *chrs[] = { def->serials, def->parallels, def->consoles,
                          def->channels };

    for (guint l = 0; l < G_N_ELEMENTS (chrs); l++)
      for (guint i = 0; i < chrs[l]->len; i++)
        {
          GuestdChrDef *c = chrs[l]->pdata[i];
          g_autofree char *base = g_strdup_printf ("chr%u-%u", l, i);

          if (c->path != NULL && c->type != GUESTD_CHR_DEV)
            {
              g_free (c->path);
              c->path = g_build_filename (dir, base, NULL);
            }
          if (c->log_file != NULL)
            {
              g_free (c->log_file);
              c->log_file = g_build_filename (dir, "chrlog", NULL);
            }
          if (c->type == GUESTD_CHR_TCP)
            {
              g_free (c->service);
              c->service = g_strdup ("0");
            }
        }
  }
  /* A USB redirection client must find its server listening. */
  for (guint i = 0; i < def->redirdevs->len; i++)
    {
      GuestdRedirdevDef *r = def->redirdevs->pdata[i];

      if (r->type == GUESTD_CHR_TCP)
        {
          guint16 port = g_socket_listener_add_any_inet_port (listener, NULL,
                                                              NULL);

          g_assert_cmpuint (port, >, 0);
          g_free (r->service);
          r->service = g_strdup_printf ("%u", port);
          g_free (r->host);
          r->host = g_strdup ("127.0.0.1");
        }
    }
  for (guint i = 0; i < def->graphics->len; i++)
    {
      GuestdGraphicsDef *g = def->graphics->pdata[i];

      if (g->listen_type == GUESTD_LISTEN_SOCKET)
        {
          g_free (g->listen);
          g->listen = g_build_filename (dir, "display.sock", NULL);
        }
      else if (g->listen_type == GUESTD_LISTEN_ADDRESS)
        {
          g_free (g->listen);
          g->listen = g_strdup ("127.0.0.1");
        }
      if (g->type == GUESTD_GRAPHICS_VNC)
        {
          g->autoport = GUESTD_TRISTATE_YES;
          g->websocket = 0;
        }
    }
}

typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
} Wait;

static void
got_result (GObject *source, GAsyncResult *res, gpointer user_data)
{
  Wait *w = user_data;

  w->result = g_object_ref (res);
  g_main_loop_quit (w->loop);
}

static GAsyncResult *
wait_for (Wait *w)
{
  while (w->result == NULL)
    g_main_loop_run (w->loop);
  return w->result;
}

/* A failing test must not leave its QEMU behind. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSocketConnection *
connect_monitor (const char *path, GSubprocess *proc)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) addr = g_unix_socket_address_new (path);

  for (int i = 0; i < 300; i++)
    {
      GSocketConnection *conn = g_socket_client_connect (
        client, G_SOCKET_CONNECTABLE (addr), NULL, NULL);

      if (conn != NULL)
        return conn;
      if (g_subprocess_get_identifier (proc) == NULL)
        break;
      g_usleep (20000);
    }
  return NULL;
}

static void
start_and_stop (const char *name)
{
  g_autofree char *xml = test_fixture ("domain", name, NULL);
  g_autofree char *dir = g_dir_make_tmp ("guestd-native-XXXXXX", NULL);
  g_autofree char *qmp_path = g_build_filename (dir, "qmp.sock", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GuestdDomainDef) def = guestd_domain_def_parse (xml, -1, 0, &error);
  g_autoptr (GuestdQemuCommand) cmd = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GuestdQmp) qmp = NULL;
  g_autoptr (JsonNode) status = NULL;
  g_autoptr (JsonNode) quit = NULL;
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *err_text = NULL;
  g_autofree char *line = NULL;
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  Wait w = { loop, NULL };
  Wait early = { loop, NULL };
  GuestdQemuBuildOptions opts;

  g_assert_no_error (error);
  localize (def, dir, listener);
  guestd_qemu_build_options_init (&opts);
  opts.qmp_path = qmp_path;
  opts.channel_dir = dir;
  opts.nvram_dir = dir;
  opts.paused = TRUE;
  opts.native = TRUE;
  cmd = guestd_qemu_build_command (def, &opts, &error);
  g_assert_no_error (error);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE
                                        | G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_environ (launcher, NULL);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL,
                                         NULL);
  for (guint i = 0; i < cmd->env->len; i++)
    {
      g_auto (GStrv) kv = g_strsplit (cmd->env->pdata[i], "=", 2);

      g_subprocess_launcher_setenv (launcher, kv[0], kv[1], TRUE);
    }
  line = guestd_qemu_command_to_string (cmd);
  g_test_message ("%s", line);
  g_ptr_array_add (cmd->argv, NULL);
  proc = g_subprocess_launcher_spawnv (launcher,
                                       (const char *const *) cmd->argv->pdata,
                                       &error);
  g_assert_no_error (error);

  conn = connect_monitor (qmp_path, proc);
  if (conn == NULL)
    {
      g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err_text, NULL);
      g_error ("%s: QEMU did not open its monitor: %s", name, err_text);
    }
  qmp = guestd_qmp_new (conn, NULL, NULL, NULL);
  /* A command issued before the handshake waits for it (QEMU would
   * refuse it otherwise). */
  guestd_qmp_execute_async (qmp, "query-status", NULL, NULL, got_result,
                            &early);
  guestd_qmp_handshake_async (qmp, NULL, got_result, &w);
  if (!guestd_qmp_handshake_finish (qmp, wait_for (&w), &error))
    {
      g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err_text, NULL);
      g_error ("%s: no QMP handshake (%s), QEMU %s %d: %s", name,
               error->message,
               g_subprocess_get_if_signaled (proc) ? "killed by signal"
                                                   : "exited with",
               g_subprocess_get_if_signaled (proc)
                 ? g_subprocess_get_term_sig (proc)
                 : g_subprocess_get_exit_status (proc),
               err_text);
    }
  g_clear_object (&w.result);

  status = guestd_qmp_execute_finish (qmp, wait_for (&early), &error);
  g_assert_no_error (error);
  g_clear_object (&early.result);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (status),
                                                  "status"),
                   ==, "prelaunch");

  guestd_qmp_execute_async (qmp, "quit", NULL, NULL, got_result, &w);
  quit = guestd_qmp_execute_finish (qmp, wait_for (&w), &error);
  g_clear_object (&w.result);
  g_clear_error (&error); /* QEMU may close before answering quit */
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL,
                                                &err_text, NULL));
  if (!g_subprocess_get_if_exited (proc)
      || g_subprocess_get_exit_status (proc) != 0)
    g_error ("%s: QEMU failed: %s", name, err_text);
  guestd_qmp_close (qmp);

  {
    const char *argv[] = { "rm", "-rf", dir, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                  NULL, NULL, NULL, NULL);
  }
}

static void
test_fixture_starts (gconstpointer data)
{
  if (!g_file_test (QEMU, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("qemu-system-x86_64 is not installed");
      return;
    }
  start_and_stop (data);
}

int
main (int argc, char **argv)
{
  g_autoptr (GPtrArray) names = NULL;

  g_test_init (&argc, &argv, NULL);
  names = test_fixture_list ("domain", ".xml");
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/native-qemu/%s",
                                               (char *) names->pdata[i]);

      g_test_add_data_func (path, names->pdata[i], test_fixture_starts);
    }
  return g_test_run ();
}
