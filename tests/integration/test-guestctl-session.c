/* guestctl against the real guestd-session on a private session bus:
 * every domain command, its output and exit status as virsh users expect
 * them, and errors for unknown domains and wrong states. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "harness.h"

typedef struct
{
  Harness h;
  char *xml_path;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  g_autofree char *xml = harness_domain_xml ("cli", "qemu", NULL, NULL);

  harness_setup (&f->h);
  harness_start_service (&f->h, "--timeout", "0", NULL);
  f->xml_path = g_build_filename (f->h.dir, "cli.xml", NULL);
  g_assert_true (g_file_set_contents (f->xml_path, xml, -1, NULL));
}

static void
teardown (Fixture *f, gconstpointer data)
{
  g_free (f->xml_path);
  harness_teardown (&f->h);
}

/* Runs guestctl with the private bus as the session bus; returns its exit
 * status and, when asked, what it printed. */
static int
guestctl (Fixture *f, char **out, char **err, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GSubprocess) p = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *o = NULL;
  g_autofree char *e = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, (char *) g_getenv ("GUESTCTL"));
  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (l, "DBUS_SESSION_BUS_ADDRESS", f->h.address,
                                TRUE);
  p = g_subprocess_launcher_spawnv (l, (const char *const *) argv->pdata,
                                    &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, &o, &e,
                                                &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (p));
  if (out != NULL)
    *out = g_steal_pointer (&o);
  if (err != NULL)
    *err = g_steal_pointer (&e);
  return g_subprocess_get_exit_status (p);
}

static void
assert_ok (Fixture *f, const char *expect_out, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list ap;
  int status;

  va_start (ap, expect_out);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  while (argv->len < 4)
    g_ptr_array_add (argv, NULL);
  status = guestctl (f, &out, &err, argv->pdata[0], argv->pdata[1],
                     argv->pdata[2], argv->pdata[3], NULL);
  if (status != 0)
    g_error ("guestctl %s failed (%d): %s", (char *) argv->pdata[0], status,
             err);
  if (expect_out != NULL && strstr (out, expect_out) == NULL)
    g_error ("guestctl %s printed «%s», not «%s»", (char *) argv->pdata[0],
             out, expect_out);
}

static void
assert_fails (Fixture *f, const char *expect_err, const char *cmd,
              const char *arg)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = guestctl (f, &out, &err, cmd, arg, NULL);

  g_assert_cmpint (status, ==, 1);
  g_assert_true (g_str_has_prefix (err, "error: "));
  if (strstr (err, expect_err) == NULL)
    g_error ("guestctl %s %s: «%s» lacks «%s»", cmd, arg, err, expect_err);
}

static void
test_lifecycle (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *id = NULL;

  assert_ok (f, "qemu:///session", "uri", NULL);
  assert_ok (f, "Running hypervisor: QEMU", "version", NULL);
  assert_ok (f, " Id   Name   State", "list", "--all", NULL);
  assert_ok (f, "Domain 'cli' defined from", "define", f->xml_path, NULL);
  assert_ok (f, "shut off", "list", "--all", NULL);
  /* list without --all shows running guests only. */
  g_assert_cmpint (guestctl (f, &out, NULL, "list", NULL), ==, 0);
  g_assert_null (strstr (out, "cli"));
  g_clear_pointer (&out, g_free);

  assert_ok (f, "Domain 'cli' started", "start", "cli", "--paused", NULL);
  assert_ok (f, "paused", "domstate", "cli", NULL);
  assert_ok (f, "paused (user)", "domstate", "cli", "--reason", NULL);
  assert_ok (f, "Domain 'cli' resumed", "resume", "cli", NULL);
  assert_ok (f, "running", "domstate", "cli", NULL);
  assert_ok (f, "running", "list", NULL);

  g_assert_cmpint (guestctl (f, &id, NULL, "domid", "cli", NULL), ==, 0);
  g_assert_cmpuint (g_ascii_strtoull (id, NULL, 10), >, 0);
  g_assert_cmpint (guestctl (f, &uuid, NULL, "domuuid", "cli", NULL), ==, 0);
  g_strstrip (uuid);
  g_assert_cmpuint (strlen (uuid), ==, 36);
  /* DOM may be a name, an id or a UUID. */
  g_strstrip (id);
  assert_ok (f, "running", "domstate", id, NULL);
  assert_ok (f, "running", "domstate", uuid, NULL);

  assert_ok (f, "State:          running", "dominfo", "cli", NULL);
  assert_ok (f, "<domain type='qemu' id=", "dumpxml", "cli", NULL);
  g_assert_cmpint (guestctl (f, &out, NULL, "dumpxml", "cli", "--inactive",
                             NULL), ==, 0);
  g_assert_null (strstr (out, " id="));
  g_clear_pointer (&out, g_free);

  assert_ok (f, "Domain 'cli' marked as autostarted", "autostart", "cli",
             NULL);
  assert_ok (f, "Autostart:      enable", "dominfo", "cli", NULL);
  assert_ok (f, "Domain 'cli' unmarked as autostarted", "autostart", "cli",
             "--disable", NULL);

  assert_ok (f, "Domain 'cli' suspended", "suspend", "cli", NULL);
  /* As with libvirt, suspending a paused guest is not an error. */
  assert_ok (f, "Domain 'cli' suspended", "suspend", "cli", NULL);
  assert_ok (f, "paused", "domstate", "cli", NULL);
  assert_ok (f, "Domain 'cli' was reset", "reset", "cli", NULL);
  assert_ok (f, "Domain 'cli' destroyed", "destroy", "cli", NULL);
  assert_ok (f, "shut off", "domstate", "cli", NULL);
  assert_fails (f, "domain 'cli' is not running", "destroy", "cli");
  assert_fails (f, "domain 'cli' is not running", "suspend", "cli");
  assert_ok (f, "Domain 'cli' has been undefined", "undefine", "cli", NULL);
  assert_fails (f, "failed to get domain 'cli'", "domstate", "cli");
}

static void
test_transient (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;

  assert_ok (f, "Domain 'cli' created from", "create", f->xml_path,
             "--paused", NULL);
  assert_ok (f, "Persistent:     no", "dominfo", "cli", NULL);
  assert_ok (f, "Domain 'cli' destroyed", "destroy", "cli", NULL);
  /* Transient: gone once stopped. */
  g_assert_cmpint (guestctl (f, &out, NULL, "list", "--all", NULL), ==, 0);
  g_assert_null (strstr (out, "cli"));
}

static void
test_errors (Fixture *f, gconstpointer data)
{
  g_autofree char *bad = g_build_filename (f->h.dir, "bad.xml", NULL);

  g_assert_true (g_file_set_contents (
    bad, "<domain type='qemu'>\n  <name>x</name>\n  <memory>65536</memory>\n"
         "  <os><type>hvm</type></os>\n  <bogus/>\n</domain>\n",
    -1, NULL));
  assert_fails (f, "failed to get domain 'nosuch'", "start", "nosuch");
  assert_fails (f, "bogus", "define", bad);
  assert_fails (f, "line 5", "define", bad);
  assert_fails (f, "Failed to open file", "define", "/nonexistent.xml");
  assert_fails (f, "unknown command", "frobnicate", NULL);
  /* The service kept going. */
  assert_ok (f, " Id   Name   State", "list", "--all", NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("GUESTD_SESSION") == NULL || g_getenv ("GUESTCTL") == NULL)
    {
      g_printerr ("GUESTD_SESSION and GUESTCTL must name the programs\n");
      return 1;
    }
#define ADD(name, fn) \
  g_test_add ("/guestctl-session/" name, Fixture, NULL, setup, fn, teardown)
  ADD ("lifecycle", test_lifecycle);
  ADD ("transient", test_transient);
  ADD ("errors", test_errors);
  return g_test_run ();
}
