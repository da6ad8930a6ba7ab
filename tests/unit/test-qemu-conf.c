/* qemu.conf: libvirt's syntax, guestd's keys, errors with file and line. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "conf/qemu-conf.h"
#include "test-util.h"
#include "util/error.h"

static void
test_defaults (void)
{
  g_autoptr (GuestdQemuConf) conf = guestd_qemu_conf_new ();

  g_assert_cmpstr (conf->user, ==, QEMU_USER);
  g_assert_cmpstr (conf->group, ==, QEMU_GROUP);
  g_assert_true (conf->dynamic_ownership);
  g_assert_true (conf->remember_owner);
  g_assert_true (conf->clear_emulator_capabilities);
  g_assert_true (conf->seccomp_sandbox);
  g_assert_true (g_strv_contains ((const char *const *) conf->cgroup_device_acl,
                                  "/dev/urandom"));
  g_assert_false (g_strv_contains ((const char *const *) conf->cgroup_device_acl,
                                   "/dev/kvm"));
  g_assert_cmpstr (conf->kvm_device, ==, "/dev/kvm");
  g_assert_cmpstr (conf->vnc_listen, ==, "127.0.0.1");
}

static void
test_full_syntax (void)
{
  const char *text =
    "# a comment\n"
    "user = \"+107\"   # numeric id\n"
    "group=\"kvm\"\n"
    "\n"
    "dynamic_ownership = 0 ; remember_owner = 1\n"
    "cgroup_device_acl = [\n"
    "    \"/dev/null\", \"/dev/full\",  # comments inside lists\n"
    "    \"/dev/zero\",\n"
    "]\n"
    "security_driver = \"none\"\n"
    "emulator_dirs = [ '/opt/qemu/bin' ]\n"
    "vnc_listen = \"\"\"0.0.0.0\"\"\"\n"
    "kvm_device = \"/dev/kvm-test\"\n"
    "max_processes = 4096\n"
    "clear_emulator_capabilities = 0\n";
  g_autoptr (GuestdQemuConf) conf = guestd_qemu_conf_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (guestd_qemu_conf_parse (conf, text, -1, "qemu.conf", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (conf->user, ==, "+107");
  g_assert_cmpstr (conf->group, ==, "kvm");
  g_assert_false (conf->dynamic_ownership);
  g_assert_true (conf->remember_owner);
  g_assert_false (conf->clear_emulator_capabilities);
  g_assert_cmpuint (g_strv_length (conf->cgroup_device_acl), ==, 3);
  g_assert_cmpstr (conf->cgroup_device_acl[2], ==, "/dev/zero");
  g_assert_cmpstr (conf->security_driver[0], ==, "none");
  g_assert_cmpstr (conf->emulator_dirs[0], ==, "/opt/qemu/bin");
  g_assert_null (conf->emulator_dirs[1]);
  g_assert_cmpstr (conf->vnc_listen, ==, "0.0.0.0");
  g_assert_cmpstr (conf->kvm_device, ==, "/dev/kvm-test");
  /* libvirt keys guestd does not use are reported, not silently eaten. */
  g_assert_cmpuint (conf->warnings->len, ==, 1);
  g_assert_cmpstr (conf->warnings->pdata[0], ==,
                   "qemu.conf:14: setting 'max_processes' is not known to "
                   "guestd; ignored");
}

static const struct
{
  const char *text;
  const char *error;
} bad[] = {
  { "user \"qemu\"\n", "qemu.conf:1: expected '=' after 'user'" },
  { "\n\nuser = qemu\n", "qemu.conf:3: unexpected 'q': strings need quotes" },
  { "user = \"qemu\n", "qemu.conf:1: unterminated string" },
  { "group = \"a\" \"b\"\n", "qemu.conf:1: unexpected '\"' after the value of 'group'" },
  { "cgroup_device_acl = [ \"/dev/null\"\n", "list is missing its closing ']'" },
  { "cgroup_device_acl = [ \"/dev/null\" \"/dev/zero\" ]\n", "expected ',' or ']' in list" },
  { "cgroup_device_acl = [ [ ] ]\n", "lists cannot be nested" },
  { "cgroup_device_acl = \"/dev/null\"\n", "'cgroup_device_acl' takes a list of strings" },
  { "cgroup_device_acl = [\n 1 ]\n", "qemu.conf:2: 'cgroup_device_acl' takes a list of strings; item 1 is not a string" },
  { "emulator_dirs = [ \"bin\" ]\n", "'emulator_dirs': 'bin' is not an absolute path" },
  { "dynamic_ownership = 2\n", "'dynamic_ownership' takes 0 or 1" },
  { "dynamic_ownership = \"yes\"\n", "'dynamic_ownership' takes 0 or 1" },
  { "user = 1\n", "'user' takes a string in quotes" },
  { "user = \"+abc\"\n", "'user': '+abc' is not a numeric id" },
  { "user = \"\"\n", "'user' must not be empty" },
  { "= \"x\"\n", "expected a setting name, found '='" },
  { "vnc_listen =\n", "expected a value after '='" },
  { "user = 99999999999999999999999\n", "invalid number" },
};

static void
test_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GuestdQemuConf) conf = guestd_qemu_conf_new ();
      g_autoptr (GError) error = NULL;
      g_autofree char *text = g_strconcat ("user = \"before\"\n", bad[i].text,
                                           NULL);

      g_test_message ("case %u: %s", i, bad[i].error);
      g_assert_false (guestd_qemu_conf_parse (conf, bad[i].text, -1,
                                              "qemu.conf", &error));
      g_assert_true (g_error_matches (error, GUESTD_ERROR,
                                      GUESTD_ERROR_CONF_SYNTAX));
      test_assert_error_contains (error, bad[i].error);
      g_clear_error (&error);
      /* A bad file changes nothing, not even the lines before the error. */
      g_assert_false (guestd_qemu_conf_parse (conf, text, -1, "qemu.conf",
                                              &error));
      g_assert_cmpstr (conf->user, ==, QEMU_USER);
    }
}

static void
test_load_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("guestd-conf-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "qemu.conf", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.conf", NULL);
  g_autoptr (GuestdQemuConf) conf = guestd_qemu_conf_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (guestd_qemu_conf_load (conf, missing, &error));
  g_assert_cmpstr (conf->user, ==, QEMU_USER);
  g_assert_true (g_file_set_contents (path, "user = \"root\"\ngroup =\n", -1,
                                      NULL));
  g_assert_false (guestd_qemu_conf_load (conf, path, &error));
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, ":2: expected a value"));
  g_unlink (path);
  g_rmdir (dir);
}

/* The installed qemu.conf shows every default, commented out: with the
 * settings uncommented it must parse cleanly and change nothing. */
static void
test_shipped_file (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("G_TEST_SRCDIR"), "..",
                                            "system", "qemu.conf", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GRegex) setting = g_regex_new ("^#(?=[a-z_]+ =|\\s{4}\"|\\])",
                                            G_REGEX_MULTILINE, 0, NULL);
  g_autofree char *active = NULL;
  g_autoptr (GuestdQemuConf) conf = guestd_qemu_conf_new ();
  g_autoptr (GuestdQemuConf) defaults = guestd_qemu_conf_new ();
  g_autoptr (GError) error = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  active = g_regex_replace_literal (setting, text, -1, 0, "", 0, NULL);
  for (const char *p = active; (p = strstr (p, " = ")) != NULL; p++)
    n++;
  g_assert_cmpuint (n, >=, 12);
  g_assert_true (guestd_qemu_conf_parse (conf, active, -1, path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (conf->warnings->len, ==, 0);
  g_assert_cmpstr (conf->user, ==, defaults->user);
  g_assert_cmpstr (conf->group, ==, defaults->group);
  g_assert_cmpint (conf->dynamic_ownership, ==, defaults->dynamic_ownership);
  g_assert_cmpint (conf->remember_owner, ==, defaults->remember_owner);
  g_assert_cmpint (conf->clear_emulator_capabilities, ==,
                   defaults->clear_emulator_capabilities);
  g_assert_cmpint (conf->seccomp_sandbox, ==, defaults->seccomp_sandbox);
  g_assert_true (g_strv_equal ((const char *const *) conf->cgroup_device_acl,
                               (const char *const *) defaults->cgroup_device_acl));
  g_assert_true (g_strv_equal ((const char *const *) conf->cgroup_controllers,
                               (const char *const *) defaults->cgroup_controllers));
  g_assert_true (g_strv_equal ((const char *const *) conf->security_driver,
                               (const char *const *) defaults->security_driver));
  g_assert_true (g_strv_equal ((const char *const *) conf->emulator_dirs,
                               (const char *const *) defaults->emulator_dirs));
  g_assert_cmpstr (conf->kvm_device, ==, defaults->kvm_device);
  g_assert_cmpstr (conf->vnc_listen, ==, defaults->vnc_listen);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/qemu-conf/defaults", test_defaults);
  g_test_add_func ("/qemu-conf/syntax", test_full_syntax);
  g_test_add_func ("/qemu-conf/errors", test_errors);
  g_test_add_func ("/qemu-conf/load-file", test_load_file);
  g_test_add_func ("/qemu-conf/shipped-file", test_shipped_file);
  return g_test_run ();
}
