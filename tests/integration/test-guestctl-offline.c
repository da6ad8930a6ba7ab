/* guestctl's commands that need no service: output and exit codes as
 * virsh gives them. Runs the built guestctl with a private home. */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "test-util.h"

typedef struct
{
  int status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *r)
{
  g_free (r->out);
  g_free (r->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static void
run (Run *r, const char *input, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) l = NULL;
  g_autoptr (GSubprocess) p = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("guestctl-home-XXXXXX", NULL);
  const char *a;
  va_list ap;

  g_ptr_array_add (argv, (char *) g_getenv ("GUESTCTL"));
  va_start (ap, input);
  while ((a = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                 | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                 | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (l, "HOME", home, TRUE);
  g_subprocess_launcher_setenv (l, "XDG_CACHE_HOME", home, TRUE);
  g_subprocess_launcher_setenv (l, "XDG_CONFIG_HOME", home, TRUE);
  g_subprocess_launcher_setenv (l, "XDG_RUNTIME_DIR", home, TRUE);
  g_subprocess_launcher_unsetenv (l, "GUESTD_DEFAULT_URI");
  p = g_subprocess_launcher_spawnv (l, (const char *const *) argv->pdata,
                                    &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (p, input, NULL, &r->out,
                                                &r->err, &error));
  g_assert_no_error (error);
  r->status = g_subprocess_get_exit_status (p);
  {
    const char *rm[] = { "rm", "-rf", home, NULL };

    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                  NULL, NULL, NULL, NULL);
  }
}

static void
test_from_native (void)
{
  g_autofree char *path = test_fixture_path ("native", "seed-legacy.args", NULL);
  g_autofree char *line = test_fixture ("native", "seed-legacy.args", NULL);
  g_auto (Run) a = { 0 };
  g_auto (Run) b = { 0 };

  run (&a, NULL, "domxml-from-native", "qemu-argv", path, NULL);
  g_assert_cmpint (a.status, ==, 0);
  g_assert_cmpstr (a.err, ==, "");
  g_assert_nonnull (strstr (a.out, "<memory unit='KiB'>219136</memory>"));
  g_assert_nonnull (strstr (a.out, "<source dev='/dev/HostVG/QEMUGuest1'/>"));

  /* "-" reads standard input. */
  run (&b, line, "domxml-from-native", "qemu-argv", "-", NULL);
  g_assert_cmpint (b.status, ==, 0);
  g_assert_nonnull (strstr (b.out, "<type arch='i686' machine='pc'>hvm</type>"));
}

static void
test_to_native (void)
{
  g_autofree char *path = test_fixture_path ("domain", "seed-qemuguest1.xml",
                                             NULL);
  g_auto (Run) a = { 0 };

  run (&a, NULL, "domxml-to-native", "qemu-argv", path, "--qmp-socket",
       "/tmp/my monitor.sock", NULL);
  g_assert_cmpint (a.status, ==, 0);
  g_assert_true (g_str_has_prefix (a.out, "LC_ALL=C "));
  g_assert_true (g_str_has_suffix (a.out, "\n"));
  /* One line. */
  g_assert_true (strchr (a.out, '\n') == a.out + strlen (a.out) - 1);
  g_assert_nonnull (strstr (a.out, "'socket,id=charmonitor,path=/tmp/my monitor.sock,server=on,wait=off'"));
  g_assert_nonnull (strstr (a.out, " -name guest=QEMUGuest1,debug-threads=on "));
}

static void
test_errors (void)
{
  g_autofree char *args = test_fixture_path ("native", "seed-legacy.args", NULL);
  g_auto (Run) fmt = { 0 };
  g_auto (Run) missing = { 0 };
  g_auto (Run) bad_xml = { 0 };
  g_auto (Run) bad_argv = { 0 };
  g_auto (Run) unknown = { 0 };
  g_auto (Run) usage = { 0 };

  run (&fmt, NULL, "domxml-from-native", "xen-xm", args, NULL);
  g_assert_cmpint (fmt.status, ==, 1);
  g_assert_cmpstr (fmt.out, ==, "");
  g_assert_cmpstr (fmt.err, ==, "error: unsupported configuration: "
                                "unsupported config type xen-xm (guestd "
                                "knows qemu-argv)\n");

  run (&missing, NULL, "domxml-to-native", "qemu-argv", "/nonexistent.xml",
       NULL);
  g_assert_cmpint (missing.status, ==, 1);
  g_assert_true (g_str_has_prefix (missing.err,
                                   "error: invalid argument: cannot read "
                                   "/nonexistent.xml"));

  run (&bad_xml, "<domain type='qemu'>\n<name>x</name>\n<memory>1</memory>\n"
       "<os><type>hvm</type></os>\n<devices><disk type='file'>"
       "<target dev='vda' bus='nvme'/></disk></devices></domain>",
       "domxml-to-native", "qemu-argv", "-", NULL);
  g_assert_cmpint (bad_xml.status, ==, 1);
  g_assert_cmpstr (bad_xml.err, ==,
                   "error: XML error: line 5: <target>: invalid value 'nvme' "
                   "for attribute 'bus' (expected one of: ide, sata, scsi, "
                   "virtio, usb, fdc)\n");

  run (&bad_argv, "/usr/bin/qemu-system-x86_64 -m 1G -frobnicate",
       "domxml-from-native", "qemu-argv", "-", NULL);
  g_assert_cmpint (bad_argv.status, ==, 1);
  g_assert_cmpstr (bad_argv.err, ==, "error: invalid argument: option "
                                     "'-frobnicate': not an option QEMU "
                                     "knows\n");

  run (&unknown, NULL, "frobnicate", NULL);
  g_assert_cmpint (unknown.status, ==, 1);
  g_assert_cmpstr (unknown.err, ==, "error: unknown command: 'frobnicate'\n");

  run (&usage, NULL, "domxml-to-native", "qemu-argv", NULL);
  g_assert_cmpint (usage.status, ==, 1);
  g_assert_true (g_str_has_prefix (usage.err, "error: expected FORMAT and XML"));
}

static void
test_capabilities (void)
{
  g_auto (Run) a = { 0 };

  if (!g_file_test ("/usr/bin/qemu-system-x86_64", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("qemu-system-x86_64 is not installed");
      return;
    }
  run (&a, NULL, "capabilities", NULL);
  g_assert_cmpint (a.status, ==, 0);
  g_assert_true (g_str_has_prefix (a.out, "<capabilities>\n"));
  g_assert_nonnull (strstr (a.out, "<emulator>/usr/bin/qemu-system-x86_64</emulator>"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/guestctl/from-native", test_from_native);
  g_test_add_func ("/guestctl/to-native", test_to_native);
  g_test_add_func ("/guestctl/errors", test_errors);
  g_test_add_func ("/guestctl/capabilities", test_capabilities);
  return g_test_run ();
}
