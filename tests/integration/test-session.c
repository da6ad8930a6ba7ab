/* guestd-session for real: a private session bus, the service, QEMU (TCG)
 * guests, and a client speaking libvirt-dbus's API. Each test starts from
 * empty XDG directories. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "harness.h"

#define CONNECT "org.libvirt.Connect"
#define DOMAIN "org.libvirt.Domain"
#define PROPS "org.freedesktop.DBus.Properties"
#define LIBVIRT_ERROR "org.libvirt.Error"

/* libvirt's event numbers. */
enum
{
  DEFINED = 0, UNDEFINED = 1, STARTED = 2, SUSPENDED = 3, RESUMED = 4,
  STOPPED = 5, SHUTDOWN = 6,
};

static void
setup (Harness *h, gconstpointer data)
{
  harness_setup (h);
  harness_start_service (h, "--timeout", "0", NULL);
}

static void
teardown (Harness *h, gconstpointer data)
{
  harness_teardown (h);
}

/* GetAll: a{sv} whose every v holds another v, as libvirt-dbus sends it. */
static void
assert_double_wrapped (GVariant *reply, const char *key, const char *inner)
{
  g_autoptr (GVariant) dict = g_variant_get_child_value (reply, 0);
  g_autoptr (GVariant) v = g_variant_lookup_value (dict, key, NULL);
  g_autoptr (GVariant) inside = NULL;

  g_assert_nonnull (v);
  g_assert_true (g_variant_is_of_type (v, G_VARIANT_TYPE_VARIANT));
  inside = g_variant_get_variant (v);
  g_assert_cmpstr (g_variant_get_type_string (inside), ==, inner);
}

static void
test_connect_object (Harness *h, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) all = NULL;
  g_autoptr (GVariant) one = NULL;
  g_autoptr (GVariant) list = NULL;
  g_autoptr (GVariant) caps = NULL;
  g_autoptr (GVariant) mem = NULL;
  g_autoptr (GVariant) sec = NULL;
  g_autoptr (GVariant) empty = NULL;
  g_autoptr (GVariant) v = NULL;
  const char *text;
  const char *lists[] = { "ListNetworks", "ListStoragePools",
                          "ListInterfaces", "ListNodeDevices" };

  all = harness_call (h, NULL, PROPS, "GetAll",
                      g_variant_new ("(s)", CONNECT), "(a{sv})", &error);
  g_assert_no_error (error);
  assert_double_wrapped (all, "Encrypted", "b");
  assert_double_wrapped (all, "Hostname", "s");
  assert_double_wrapped (all, "LibVersion", "t");
  assert_double_wrapped (all, "Secure", "b");
  assert_double_wrapped (all, "Version", "t");
  /* Get wraps once. */
  one = harness_call (h, NULL, PROPS, "Get",
                      g_variant_new ("(ss)", CONNECT, "Version"), "(v)",
                      &error);
  g_assert_no_error (error);
  g_variant_get (one, "(v)", &v);
  g_assert_true (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT64));
  g_assert_cmpuint (g_variant_get_uint64 (v), >=, 7000000);

  list = harness_call (h, NULL, CONNECT, "ListDomains",
                       g_variant_new ("(u)", 0), "(ao)", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (g_variant_get_child_value (list, 0)),
                    ==, 0);
  caps = harness_call (h, NULL, CONNECT, "GetCapabilities", NULL, "(s)",
                       &error);
  g_assert_no_error (error);
  g_variant_get (caps, "(&s)", &text);
  g_assert_nonnull (strstr (text, "<emulator>/usr/bin/qemu-system-x86_64</emulator>"));
  g_clear_pointer (&caps, g_variant_unref);
  caps = harness_call (h, NULL, CONNECT, "GetDomainCapabilities",
                       g_variant_new ("(ssssu)", "", "x86_64", "q35", "qemu",
                                      0),
                       "(s)", &error);
  g_assert_no_error (error);
  g_variant_get (caps, "(&s)", &text);
  g_assert_nonnull (strstr (text, "<machine>pc-q35-"));
  mem = harness_call (h, NULL, CONNECT, "NodeGetMemoryStats",
                      g_variant_new ("(iu)", -1, 0), "(a{st})", &error);
  g_assert_no_error (error);
  {
    guint64 total = 0;

    g_assert_true (g_variant_lookup (g_variant_get_child_value (mem, 0),
                                     "total", "t", &total));
    g_assert_cmpuint (total, >, 0);
  }
  sec = harness_call (h, NULL, CONNECT, "NodeGetSecurityModel", NULL,
                      "((ss))", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    {
      empty = harness_call (h, NULL, CONNECT, lists[i],
                            g_variant_new ("(u)", 0), "(ao)", &error);
      g_assert_no_error (error);
      g_clear_pointer (&empty, g_variant_unref);
    }
  /* What guestd does not implement is UnknownMethod, as DESIGN promises. */
  empty = harness_call (h, NULL, CONNECT, "GetSysinfo",
                        g_variant_new ("(u)", 0), NULL, &error);
  harness_assert_dbus_error (error, "org.freedesktop.DBus.Error.UnknownMethod",
                             NULL);
}

static void
test_define_undefine (Harness *h, gconstpointer data)
{
  g_autofree char *xml = harness_domain_xml ("def1", "qemu", NULL, NULL);
  g_autofree char *path = harness_define (h, xml);
  g_autofree char *again = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) all = NULL;
  g_autoptr (GVariant) r = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *file = NULL;
  const char *text;
  int state, reason;

  g_assert_true (g_str_has_prefix (path, "/org/libvirt/QEMU/domain/_"));
  harness_wait_event (h, path, DEFINED, 0, 5000);
  /* The object path is the UUID, stable across redefinition. */
  again = harness_define (h, xml);
  g_assert_cmpstr (path, ==, again);
  harness_wait_event (h, path, DEFINED, 1, 5000);

  all = harness_call (h, path, PROPS, "GetAll", g_variant_new ("(s)", DOMAIN),
                      "(a{sv})", &error);
  g_assert_no_error (error);
  assert_double_wrapped (all, "Name", "s");
  assert_double_wrapped (all, "UUID", "s");
  assert_double_wrapped (all, "Active", "b");
  assert_double_wrapped (all, "Persistent", "b");
  assert_double_wrapped (all, "Autostart", "b");
  assert_double_wrapped (all, "Id", "u");
  assert_double_wrapped (all, "OSType", "s");
  assert_double_wrapped (all, "Updated", "b");
  harness_get_state (h, path, &state, &reason);
  g_assert_cmpint (state, ==, 5);

  /* The definition is on disk, canonical, with the machine pinned. */
  file = g_build_filename (h->dir, "config/guestd/qemu/def1.xml", NULL);
  g_assert_true (g_file_get_contents (file, &expected, NULL, NULL));
  g_assert_nonnull (strstr (expected, "machine='pc-i440fx-"));
  r = harness_call (h, path, DOMAIN, "GetXMLDesc", g_variant_new ("(u)", 2),
                    "(s)", &error);
  g_assert_no_error (error);
  g_variant_get (r, "(&s)", &text);
  g_assert_cmpstr (text, ==, expected);

  /* Autostart is a writable property. */
  g_clear_pointer (&r, g_variant_unref);
  r = harness_call (h, path, PROPS, "Set",
                    g_variant_new ("(ssv)", DOMAIN, "Autostart",
                                   g_variant_new_boolean (TRUE)),
                    NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&file, g_free);
  file = g_build_filename (h->dir, "config/guestd/qemu/autostart/def1.xml",
                           NULL);
  g_assert_true (g_file_test (file, G_FILE_TEST_IS_SYMLINK));

  harness_domain_call (h, path, "Undefine", g_variant_new ("(u)", 0));
  harness_wait_event (h, path, UNDEFINED, 0, 5000);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  g_clear_pointer (&r, g_variant_unref);
  r = harness_call (h, NULL, CONNECT, "DomainLookupByName",
                    g_variant_new ("(s)", "def1"), "(o)", &error);
  harness_assert_dbus_error (error, LIBVIRT_ERROR,
                             "Domain not found: no domain with matching name "
                             "'def1'");
}

static void
test_lifecycle_events (Harness *h, gconstpointer data)
{
  g_autofree char *xml = harness_domain_xml (
    "life", "qemu", NULL,
    "    <serial type='pty'/>\n    <graphics type='vnc' port='-1'/>\n");
  g_autofree char *path = harness_define (h, xml);
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) live = NULL;
  g_autoptr (GVariant) id = NULL;
  g_autofree char *events = NULL;
  const char *text;
  int state, reason;
  GPid pid;

  harness_clear_events (h);
  harness_domain_call (h, path, "Create", g_variant_new ("(u)", 1));
  harness_get_state (h, path, &state, &reason);
  g_assert_cmpint (state, ==, 3); /* paused */
  g_assert_cmpint (reason, ==, 1); /* by the user */
  harness_wait_event (h, path, SUSPENDED, 0, 5000);
  events = harness_event_string (h, path);
  g_assert_cmpstr (events, ==, "2:0,3:0");

  /* QEMU says who it is and whose it is. */
  pid = harness_qemu_pid (h, "life");
  g_assert_cmpint (pid, >, 0);
  {
    g_autofree char *cmd_path = g_strdup_printf ("/proc/%d/cmdline", pid);
    g_autofree char *cmd = NULL;
    gsize len;

    g_assert_true (g_file_get_contents (cmd_path, &cmd, &len, NULL));
    for (gsize i = 0; i < len; i++)
      if (cmd[i] == '\0')
        cmd[i] = ' ';
    g_assert_nonnull (strstr (cmd, "-name guest=life,debug-threads=on"));
    g_assert_nonnull (strstr (cmd, "-sandbox on,obsolete=deny"));
  }

  /* The live XML has what only the running guest has. */
  live = harness_call (h, path, DOMAIN, "GetXMLDesc", g_variant_new ("(u)", 0),
                       "(s)", &error);
  g_assert_no_error (error);
  g_variant_get (live, "(&s)", &text);
  g_assert_nonnull (strstr (text, "<domain type='qemu' id='"));
  g_assert_nonnull (strstr (text, "<serial type='pty' tty='/dev/pts/"));
  g_assert_nonnull (strstr (text, "<graphics type='vnc' port='59"));
  g_assert_nonnull (strstr (text, "listen='127.0.0.1'"));
  id = harness_call (h, path, PROPS, "Get",
                     g_variant_new ("(ss)", DOMAIN, "Id"), "(v)", &error);
  g_assert_no_error (error);

  harness_clear_events (h);
  harness_domain_call (h, path, "Resume", NULL);
  harness_get_state (h, path, &state, &reason);
  g_assert_cmpint (state, ==, 1);
  harness_domain_call (h, path, "Suspend", NULL);
  harness_get_state (h, path, &state, &reason);
  g_assert_cmpint (state, ==, 3);
  g_assert_cmpint (reason, ==, 1);
  harness_domain_call (h, path, "Resume", NULL);
  harness_domain_call (h, path, "Reset", g_variant_new ("(u)", 0));
  harness_domain_call (h, path, "Destroy", g_variant_new ("(u)", 0));
  harness_get_state (h, path, &state, &reason);
  g_assert_cmpint (state, ==, 5);
  g_assert_cmpint (reason, ==, 2); /* destroyed */
  g_clear_pointer (&events, g_free);
  harness_wait_event (h, path, STOPPED, 1, 5000);
  events = harness_event_string (h, path);
  g_assert_cmpstr (events, ==, "4:0,3:0,4:0,5:1");
  /* QEMU is gone, and reaped: it was our child. */
  g_assert_cmpint (kill (pid, 0) < 0 && errno == ESRCH, ==, TRUE);
}

static void
test_transient (Harness *h, gconstpointer data)
{
  g_autofree char *xml = harness_domain_xml ("trans", "qemu", NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) r = NULL;
  g_autoptr (GVariant) p = NULL;
  g_autofree char *path = NULL;

  r = harness_call (h, NULL, CONNECT, "DomainCreateXML",
                    g_variant_new ("(su)", xml, 0), "(o)", &error);
  g_assert_no_error (error);
  g_variant_get (r, "(o)", &path);
  harness_wait_event (h, path, STARTED, 0, 5000);
  p = harness_call (h, path, PROPS, "Get",
                    g_variant_new ("(ss)", DOMAIN, "Persistent"), "(v)",
                    &error);
  g_assert_no_error (error);
  harness_domain_call (h, path, "Destroy", g_variant_new ("(u)", 0));
  harness_wait_event (h, path, STOPPED, 1, 5000);
  /* A transient domain vanishes when it stops. */
  g_clear_pointer (&r, g_variant_unref);
  r = harness_call (h, NULL, CONNECT, "DomainLookupByName",
                    g_variant_new ("(s)", "trans"), "(o)", &error);
  harness_assert_dbus_error (error, LIBVIRT_ERROR, "Domain not found");
  g_clear_error (&error);
  g_clear_pointer (&r, g_variant_unref);
  r = harness_call (h, path, DOMAIN, "GetState", g_variant_new ("(u)", 0),
                    "((ii))", &error);
  harness_assert_dbus_error (error, "org.freedesktop.DBus.Error.UnknownMethod",
                             NULL);
}

static void
test_killed_from_outside (Harness *h, gconstpointer data)
{
  g_autofree char *xml = harness_domain_xml ("victim", "qemu", NULL, NULL);
  g_autofree char *path = harness_define (h, xml);
  int state, reason;
  GPid pid;

  harness_domain_call (h, path, "Create", g_variant_new ("(u)", 0));
  pid = harness_qemu_pid (h, "victim");
  g_assert_cmpint (pid, >, 0);
  harness_clear_events (h);
  kill (pid, SIGKILL);
  harness_wait_event (h, path, STOPPED, 5 /* failed */, 5000);
  harness_get_state (h, path, &state, &reason);
  g_assert_cmpint (state, ==, 5);
  g_assert_cmpint (reason, ==, 3); /* crashed */
}

static void
test_restart_safety (Harness *h, gconstpointer data)
{
  g_autofree char *xml = harness_domain_xml ("survivor", "qemu", NULL, NULL);
  g_autofree char *path = harness_define (h, xml);
  g_autofree char *created = NULL;
  g_autofree char *txml = harness_domain_xml ("transient-survivor", "qemu",
                                              NULL, NULL);
  g_autoptr (GVariant) r = NULL;
  g_autoptr (GVariant) list = NULL;
  g_autoptr (GError) error = NULL;
  int state, reason;
  GPid pid, tpid;

  harness_domain_call (h, path, "Create", g_variant_new ("(u)", 0));
  r = harness_call (h, NULL, CONNECT, "DomainCreateXML",
                    g_variant_new ("(su)", txml, 1), "(o)", &error);
  g_assert_no_error (error);
  g_variant_get (r, "(o)", &created);
  pid = harness_qemu_pid (h, "survivor");
  tpid = harness_qemu_pid (h, "transient-survivor");

  /* The service dies the hard way; the guests must not notice. */
  harness_kill_service (h, SIGKILL);
  g_assert_cmpint (kill (pid, 0), ==, 0);
  g_assert_cmpint (kill (tpid, 0), ==, 0);
  harness_start_service (h, "--timeout", "0", NULL);

  harness_get_state (h, path, &state, &reason);
  g_assert_cmpint (state, ==, 1);
  harness_get_state (h, created, &state, &reason);
  g_assert_cmpint (state, ==, 3); /* it was started paused */
  g_assert_cmpint (harness_qemu_pid (h, "survivor"), ==, pid);
  list = harness_call (h, NULL, CONNECT, "ListDomains",
                       g_variant_new ("(u)", 1 /* active */), "(ao)", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (g_variant_get_child_value (list, 0)),
                    ==, 2);
  /* Still under control: over the new monitor connection. */
  harness_domain_call (h, created, "Resume", NULL);
  harness_get_state (h, created, &state, &reason);
  g_assert_cmpint (state, ==, 1);
  harness_clear_events (h);
  harness_domain_call (h, path, "Destroy", g_variant_new ("(u)", 0));
  harness_domain_call (h, created, "Destroy", g_variant_new ("(u)", 0));
  harness_wait_event (h, path, STOPPED, 1, 5000);
  g_assert_true (harness_process_gone (pid));
  g_assert_true (harness_process_gone (tpid));

  /* A guest that died while the service was down is cleaned up. */
  harness_domain_call (h, path, "Create", g_variant_new ("(u)", 0));
  pid = harness_qemu_pid (h, "survivor");
  harness_kill_service (h, SIGKILL);
  kill (pid, SIGKILL);
  while (!harness_process_gone (pid))
    g_usleep (10000);
  harness_start_service (h, "--timeout", "0", NULL);
  harness_get_state (h, path, &state, &reason);
  g_assert_cmpint (state, ==, 5);
}

static void
test_bad_input (Harness *h, gconstpointer data)
{
  g_autofree char *xml = harness_domain_xml ("bad", "qemu", NULL, NULL);
  g_autofree char *path = harness_define (h, xml);
  g_autofree char *kvm = harness_domain_xml ("needs-kvm", "kvm", NULL, NULL);
  g_autofree char *nodisk = harness_domain_xml (
    "nodisk", "qemu", NULL,
    "    <disk type='file'><source file='/nonexistent/disk.img'/>"
    "<target dev='vda'/></disk>\n");
  g_autofree char *noemu = g_strdup ("<domain type='qemu'><name>noemu</name>"
                                     "<memory>65536</memory><os><type "
                                     "arch='x86_64'>hvm</type></os><devices>"
                                     "<emulator>/usr/bin/qemu-system-vax"
                                     "</emulator></devices></domain>");
  struct
  {
    const char *path, *iface, *method;
    GVariant *params;
    const char *name, *message;
  } cases[] = {
    { NULL, CONNECT, "DomainDefineXML", g_variant_new ("(s)", "<domain"),
      LIBVIRT_ERROR, "XML error: line 1: malformed XML" },
    { NULL, CONNECT, "DomainDefineXML",
      g_variant_new ("(s)", "<domain type='qemu'>\n<name>x</name>\n"
                            "<memory>1</memory>\n<os><type>hvm</type></os>\n"
                            "<devices><sound model='gravis'/></devices>"
                            "</domain>"),
      LIBVIRT_ERROR, "XML error: line 5: <sound>: invalid value 'gravis'" },
    { NULL, CONNECT, "DomainDefineXML", g_variant_new ("(s)", kvm),
      LIBVIRT_ERROR, "KVM is not usable" },
    { NULL, CONNECT, "DomainDefineXML", g_variant_new ("(s)", noemu),
      LIBVIRT_ERROR, "emulators found: /usr/bin/qemu-system" },
    { NULL, CONNECT, "DomainCreateXML", g_variant_new ("(su)", nodisk, 0),
      LIBVIRT_ERROR, "disk 'vda' image /nonexistent/disk.img" },
    { NULL, CONNECT, "DomainCreateXML", g_variant_new ("(su)", xml, 64),
      LIBVIRT_ERROR, "unsupported flags (0x40)" },
    { NULL, CONNECT, "DomainLookupByUUID",
      g_variant_new ("(s)", "00000000-0000-0000-0000-000000000001"),
      LIBVIRT_ERROR, "Domain not found" },
    { NULL, CONNECT, "DomainLookupByID", g_variant_new ("(i)", 99),
      LIBVIRT_ERROR, "Domain not found: no domain with matching id 99" },
    { NULL, CONNECT, "DomainXMLFromNative",
      g_variant_new ("(ssu)", "qemu-argv", "/usr/bin/qemu-system-x86_64 -x", 0),
      LIBVIRT_ERROR, "option '-x': not an option QEMU knows" },
    { NULL, CONNECT, "DomainXMLToNative",
      g_variant_new ("(ssu)", "vmware-vmx", xml, 0), LIBVIRT_ERROR,
      "unsupported config type vmware-vmx" },
    { path, DOMAIN, "Suspend", NULL, LIBVIRT_ERROR,
      "Requested operation is not valid: domain 'bad' is not running" },
    { path, DOMAIN, "Destroy", g_variant_new ("(u)", 0), LIBVIRT_ERROR,
      "is not running" },
    { path, DOMAIN, "Shutdown", g_variant_new ("(u)", 0), LIBVIRT_ERROR,
      "is not running" },
    { path, DOMAIN, "SetMemory", g_variant_new ("(tu)", G_GUINT64_CONSTANT (1) << 40, 2),
      LIBVIRT_ERROR, "cannot set memory higher than max memory" },
    { path, DOMAIN, "GetXMLDesc", g_variant_new ("(u)", 1024), LIBVIRT_ERROR,
      "unsupported flags (0x400)" },
    { path, PROPS, "Set",
      g_variant_new ("(ssv)", DOMAIN, "Name", g_variant_new_string ("x")),
      "org.freedesktop.DBus.Error.PropertyReadOnly", NULL },
    { path, DOMAIN, "GetVcpus", g_variant_new ("(u)", 0),
      "org.freedesktop.DBus.Error.UnknownMethod", NULL },
    { path, DOMAIN, "Create", g_variant_new ("(s)", "wrong"),
      "org.freedesktop.DBus.Error.InvalidArgs", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GVariant) r = NULL;

      g_test_message ("case %u: %s", i, cases[i].method);
      r = harness_call (h, cases[i].path, cases[i].iface, cases[i].method,
                        cases[i].params, NULL, &error);
      g_assert_null (r);
      harness_assert_dbus_error (error, cases[i].name, cases[i].message);
    }
  /* A directory the guest's account cannot search is named, with the
   * fix. (Root searches everything: only as an ordinary user.) */
  if (geteuid () != 0)
    {
      g_autofree char *locked = g_build_filename (h->dir, "locked", NULL);
      g_autofree char *img = g_build_filename (locked, "disk.img", NULL);
      g_autofree char *dev = g_strdup_printf (
        "    <disk type='file'><source file='%s'/><target dev='vda'/></disk>\n",
        img);
      g_autofree char *lxml = harness_domain_xml ("locked", "qemu", NULL, dev);
      g_autofree char *want = g_strdup_printf ("directory %s lacks search "
                                               "permission", locked);
      g_autofree char *fix = g_strdup_printf ("chmod u+x %s", locked);
      g_autoptr (GError) error = NULL;
      g_autoptr (GVariant) r = NULL;

      g_mkdir (locked, 0700);
      g_assert_true (g_file_set_contents (img, "", 0, NULL));
      g_chmod (locked, 0600);
      r = harness_call (h, NULL, CONNECT, "DomainCreateXML",
                        g_variant_new ("(su)", lxml, 0), "(o)", &error);
      g_chmod (locked, 0700);
      harness_assert_dbus_error (error, LIBVIRT_ERROR, want);
      harness_assert_dbus_error (error, LIBVIRT_ERROR, fix);
    }
  /* The service is still there, and a failed create left nothing. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GVariant) list = harness_call (h, NULL, CONNECT, "ListDomains",
                                              g_variant_new ("(u)", 0), "(ao)",
                                              &error);

    g_assert_no_error (error);
    g_assert_cmpuint (g_variant_n_children (g_variant_get_child_value (list, 0)),
                      ==, 1);
  }
}

static void
test_running_operations (Harness *h, gconstpointer data)
{
  g_autofree char *xml = harness_domain_xml ("ops", "qemu", NULL, NULL);
  g_autofree char *path = harness_define (h, xml);
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) stats = NULL;
  g_autoptr (GVariant) addrs = NULL;
  g_autoptr (GVariant) dict = NULL;
  g_autoptr (GVariant) v = NULL;
  guint32 keys[] = { 29, 56, 111 }; /* ctrl-alt-del, linux codes */

  harness_domain_call (h, path, "Create", g_variant_new ("(u)", 0));
  stats = harness_call (h, path, DOMAIN, "GetStats",
                        g_variant_new ("(uu)", 0, 0), "(a{sv})", &error);
  g_assert_no_error (error);
  dict = g_variant_get_child_value (stats, 0);
  v = g_variant_lookup_value (dict, "state.state", G_VARIANT_TYPE_VARIANT);
  g_assert_nonnull (v);
  g_assert_cmpint (g_variant_get_int32 (g_variant_get_variant (v)), ==, 1);
  g_clear_pointer (&v, g_variant_unref);
  v = g_variant_lookup_value (dict, "balloon.maximum", G_VARIANT_TYPE_VARIANT);
  g_assert_cmpuint (g_variant_get_uint64 (g_variant_get_variant (v)), ==, 65536);
  g_clear_pointer (&v, g_variant_unref);
  v = g_variant_lookup_value (dict, "cpu.time", G_VARIANT_TYPE_VARIANT);
  g_assert_nonnull (v);

  harness_domain_call (h, path, "SendKey",
                       g_variant_new ("(uu@auu)", 0, 0,
                                      g_variant_new_fixed_array (
                                        G_VARIANT_TYPE_UINT32, keys, 3,
                                        sizeof (guint32)),
                                      0));
  harness_domain_call (h, path, "SetMemory", g_variant_new ("(tu)", 32768, 1));
  addrs = harness_call (h, path, DOMAIN, "InterfaceAddresses",
                        g_variant_new ("(uu)", 0, 0), "(a(ssa(isu)))", &error);
  g_assert_no_error (error);
  harness_domain_call (h, path, "Shutdown", g_variant_new ("(u)", 0));
  harness_domain_call (h, path, "Reboot", g_variant_new ("(u)", 0));
  harness_domain_call (h, path, "Destroy", g_variant_new ("(u)", 0));
}

/* A tiny Linux guest (make-tiny-linux.sh) whose serial console goes to
 * a file; it powers off after @stay seconds or at the power button.
 * Returns its object path, or NULL (test skipped) without the guest. */
static char *
define_tiny_linux (Harness *h, const char *serial, guint stay)
{
  const char *kdir = g_getenv ("GUESTD_TINY_LINUX");
  g_autofree char *kernel = NULL;
  g_autofree char *initrd = NULL;
  g_autofree char *os = NULL;
  g_autofree char *devs = NULL;
  g_autofree char *xml = NULL;

  if (kdir == NULL)
    {
      g_test_skip ("GUESTD_TINY_LINUX is not set");
      return NULL;
    }
  kernel = g_build_filename (kdir, "vmlinuz", NULL);
  initrd = g_build_filename (kdir, "initrd", NULL);
  if (!g_file_test (kernel, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no tiny Linux guest (make-tiny-linux.sh could not run)");
      return NULL;
    }
  os = g_strdup_printf ("    <kernel>%s</kernel>\n    <initrd>%s</initrd>\n"
                        "    <cmdline>console=ttyS0 panic=-1 quiet "
                        "GUESTD_STAY=%u</cmdline>\n",
                        kernel, initrd, stay);
  devs = g_strdup_printf ("    <serial type='file'><source path='%s'/></serial>\n",
                          serial);
  /* ACPI, or "poweroff" has nothing to power off with; more memory than
   * the small test domains have. */
  xml = g_strdup_printf ("<domain type='qemu'>\n"
                         "  <name>linux</name>\n"
                         "  <memory unit='MiB'>256</memory>\n"
                         "  <os>\n"
                         "    <type arch='x86_64' machine='pc'>hvm</type>\n"
                         "%s"
                         "  </os>\n"
                         "  <features><acpi/></features>\n"
                         "  <devices>\n%s  </devices>\n"
                         "</domain>\n",
                         os, devs);
  return harness_define (h, xml);
}

static void
test_boot_linux (Harness *h, gconstpointer data)
{
  g_autofree char *serial = g_build_filename (h->dir, "serial.log", NULL);
  g_autofree char *path = define_tiny_linux (h, serial, 0);
  g_autofree char *out = NULL;
  g_autofree char *events = NULL;

  if (path == NULL)
    return;
  harness_clear_events (h);
  harness_domain_call (h, path, "Create", g_variant_new ("(u)", 0));
  /* It prints the marker, powers itself off, and the service sees it. */
  harness_wait_event (h, path, STOPPED, 0 /* shutdown */, 60000);
  g_assert_true (g_file_get_contents (serial, &out, NULL, NULL));
  g_assert_nonnull (strstr (out, "GUESTD-BOOT-MARKER"));
  events = harness_event_string (h, path);
  g_assert_cmpstr (events, ==, "2:0,6:1,5:0");
}

static void
test_acpi_shutdown (Harness *h, gconstpointer data)
{
  g_autofree char *serial = g_build_filename (h->dir, "serial.log", NULL);
  g_autofree char *path = define_tiny_linux (h, serial, 300);
  g_autofree char *out = NULL;
  g_autofree char *events = NULL;
  int state, reason;

  if (path == NULL)
    return;
  harness_clear_events (h);
  harness_domain_call (h, path, "Create", g_variant_new ("(u)", 0));
  /* Booted (the marker is out) and staying up. */
  for (int i = 0; i < 600; i++)
    {
      g_clear_pointer (&out, g_free);
      if (g_file_get_contents (serial, &out, NULL, NULL)
          && strstr (out, "GUESTD-BOOT-MARKER") != NULL)
        break;
      g_usleep (100000);
    }
  g_assert_nonnull (strstr (out, "GUESTD-BOOT-MARKER"));
  harness_get_state (h, path, &state, &reason);
  g_assert_cmpint (state, ==, 1);
  /* libvirt's Shutdown: the ACPI power button; the guest powers off. */
  harness_domain_call (h, path, "Shutdown", g_variant_new ("(u)", 0));
  harness_wait_event (h, path, STOPPED, 0 /* shutdown */, 60000);
  g_clear_pointer (&out, g_free);
  g_assert_true (g_file_get_contents (serial, &out, NULL, NULL));
  g_assert_nonnull (strstr (out, "power button pressed"));
  events = harness_event_string (h, path);
  g_assert_cmpstr (events, ==, "2:0,6:1,5:0");
  harness_get_state (h, path, &state, &reason);
  g_assert_cmpint (state, ==, 5);
  g_assert_cmpint (reason, ==, 1); /* shutoff: shutdown */
}

static void
test_single_instance (Harness *h, gconstpointer data)
{
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GSubprocess) second = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *config = g_build_filename (h->dir, "config", NULL);
  g_autofree char *run = g_build_filename (h->dir, "run", NULL);

  g_subprocess_launcher_setenv (l, "DBUS_SESSION_BUS_ADDRESS", h->address, TRUE);
  g_subprocess_launcher_setenv (l, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (l, "XDG_RUNTIME_DIR", run, TRUE);
  second = g_subprocess_launcher_spawn (l, &error, g_getenv ("GUESTD_SESSION"),
                                        NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (second, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (second), ==, 1);
  g_assert_nonnull (strstr (err, "already manages these guests"));
}

static void
test_idle_exit (Harness *h, gconstpointer data)
{
  g_autofree char *xml = harness_domain_xml ("idle", "qemu", NULL, NULL);
  g_autofree char *path = NULL;
  gint64 start;

  harness_kill_service (h, SIGTERM);
  harness_start_service (h, "--timeout", "1", NULL);
  path = harness_define (h, xml);
  harness_domain_call (h, path, "Create", g_variant_new ("(u)", 0));
  /* Our client is connected: the service stays while it is. */
  g_usleep (2500 * 1000);
  g_assert_nonnull (g_subprocess_get_identifier (h->service));
  harness_domain_call (h, path, "Destroy", g_variant_new ("(u)", 0));
  /* A running guest or a client keeps it; drop the client. */
  g_dbus_connection_signal_unsubscribe (h->conn, h->subscription);
  h->subscription = 0;
  g_dbus_connection_close_sync (h->conn, NULL, NULL);
  g_clear_object (&h->conn);
  start = g_get_monotonic_time ();
  g_assert_true (g_subprocess_wait (h->service, NULL, NULL));
  g_assert_true (g_subprocess_get_if_exited (h->service));
  g_assert_cmpint (g_subprocess_get_exit_status (h->service), ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_clear_object (&h->service);
}

/* D-Bus activation with the activation file guestd installs. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
test_activation (void)
{
  const char *template = g_getenv ("GUESTD_DBUS_SERVICE_TEMPLATE");
  g_autofree char *dir = g_dir_make_tmp ("guestd-act-XXXXXX", NULL);
  g_autofree char *services = g_build_filename (dir, "services", NULL);
  g_autofree char *conf_path = g_build_filename (dir, "bus.conf", NULL);
  g_autofree char *bus_path = g_build_filename (dir, "bus", NULL);
  g_autofree char *tmpl = NULL;
  g_autofree char *libexec = g_path_get_dirname (g_getenv ("GUESTD_SESSION"));
  g_autofree char *service = NULL;
  g_autofree char *service_path = g_build_filename (services,
                                                    "org.libvirt.service", NULL);
  g_autofree char *conf = NULL;
  g_autofree char *address = g_strdup_printf ("unix:path=%s", bus_path);
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr (GSubprocess) bus = NULL;
  g_autoptr (GDBusConnection) conn = NULL;
  g_autoptr (GVariant) r = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GRegex) re = g_regex_new ("@libexecdir@", 0, 0, NULL);
  const char *sub_dirs[] = { "config", "cache", "run", NULL };

  g_assert_nonnull (template);
  g_assert_true (g_file_get_contents (template, &tmpl, NULL, NULL));
  service = g_regex_replace_literal (re, tmpl, -1, 0, libexec, 0, NULL);
  g_mkdir (services, 0700);
  g_assert_true (g_file_set_contents (service_path, service, -1, NULL));
  conf = g_strdup_printf (
    "<busconfig><type>session</type><listen>%s</listen>"
    "<servicedir>%s</servicedir><policy context='default'>"
    "<allow send_destination='*' eavesdrop='true'/>"
    "<allow eavesdrop='true'/><allow own='*'/></policy></busconfig>",
    address, services);
  g_assert_true (g_file_set_contents (conf_path, conf, -1, NULL));
  for (guint i = 0; sub_dirs[i] != NULL; i++)
    {
      g_autofree char *d = g_build_filename (dir, sub_dirs[i], NULL);
      g_autofree char *var = g_strdup_printf ("XDG_%s_%s",
                                              i == 2 ? "RUNTIME" : i == 1 ? "CACHE" : "CONFIG",
                                              i == 2 ? "DIR" : "HOME");

      g_mkdir (d, 0700);
      /* The bus hands its environment to what it activates. */
      g_subprocess_launcher_setenv (l, var, d, TRUE);
    }
  g_subprocess_launcher_set_child_setup (l, die_with_parent, NULL, NULL);
  bus = g_subprocess_launcher_spawn (l, &error, "dbus-daemon", "--nofork",
                                     "--nopidfile", "--config-file", conf_path,
                                     NULL);
  g_assert_no_error (error);
  for (int i = 0; i < 500 && !g_file_test (bus_path, G_FILE_TEST_EXISTS); i++)
    g_usleep (10000);
  conn = g_dbus_connection_new_for_address_sync (
    address,
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
      | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
    NULL, NULL, &error);
  g_assert_no_error (error);
  /* Nobody owns org.libvirt: the call starts guestd-session. */
  r = g_dbus_connection_call_sync (conn, "org.libvirt", "/org/libvirt/QEMU",
                                   CONNECT, "ListDomains",
                                   g_variant_new ("(u)", 0),
                                   G_VARIANT_TYPE ("(ao)"),
                                   G_DBUS_CALL_FLAGS_NONE, 30000, NULL,
                                   &error);
  g_assert_no_error (error);
  g_dbus_connection_close_sync (conn, NULL, NULL);
  /* It leaves by itself when idle (120 s): stop it with the bus. */
  g_subprocess_force_exit (bus);
  g_subprocess_wait (bus, NULL, NULL);
  {
    const char *argv[] = { "pkill", "-f", dir, NULL };
    const char *rm[] = { "rm", "-rf", dir, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                  NULL, NULL, NULL, NULL);
    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                  NULL, NULL, NULL, NULL);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("GUESTD_SESSION") == NULL)
    {
      g_printerr ("GUESTD_SESSION must name the guestd-session binary\n");
      return 1;
    }
#define ADD(name, fn) g_test_add ("/session/" name, Harness, NULL, setup, fn, teardown)
  ADD ("connect-object", test_connect_object);
  ADD ("define-undefine", test_define_undefine);
  ADD ("lifecycle-events", test_lifecycle_events);
  ADD ("transient", test_transient);
  ADD ("killed-from-outside", test_killed_from_outside);
  ADD ("restart-safety", test_restart_safety);
  ADD ("bad-input", test_bad_input);
  ADD ("running-operations", test_running_operations);
  ADD ("boot-linux", test_boot_linux);
  ADD ("acpi-shutdown", test_acpi_shutdown);
  ADD ("single-instance", test_single_instance);
  ADD ("idle-exit", test_idle_exit);
  g_test_add_func ("/session/dbus-activation", test_activation);
  return g_test_run ();
}
