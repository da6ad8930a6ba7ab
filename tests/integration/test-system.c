/* guestd-system for real, as root: a private system bus with guestd's bus
 * policy, the real polkitd (guestd's actions and rules bind-mounted in a
 * private mount namespace), real accounts, real QEMU (TCG) guests as the
 * qemu account, real xattrs, cgroups and a bridge in a private network
 * namespace. Skips unless root. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "harness.h"

#define CONNECT "org.libvirt.Connect"
#define DOMAIN "org.libvirt.Domain"
#define PROPS "org.freedesktop.DBus.Properties"

#define DENIED_USER "guestd-test"      /* no rule for it */
#define ALLOWED_USER "guestd-t-ok"     /* the test's rule allows it */
#define GROUP_USER "guestd-t-grp"      /* member of the polkit group */
#define ORIG_UID 1234                  /* images' owner before a guest */
#define ORIG_GID 5678

/* Everything the test's rule lets through: all of guestd to one user,
 * and starting one domain by name (the details reach polkit). */
static const char test_rules[]
  = "polkit.addRule(function(action, subject) {\n"
    "  if (action.id.indexOf('org.guestd.') == 0 &&\n"
    "      subject.user == '" ALLOWED_USER "')\n"
    "    return polkit.Result.YES;\n"
    "  if (action.id == 'org.guestd.domain.lifecycle' &&\n"
    "      action.lookup('domain_name') == 'sys-open')\n"
    "    return polkit.Result.YES;\n"
    "});\n";

static Harness H;
static Harness *h = &H;
static char *images;
static uid_t qemu_uid;
static gid_t qemu_gid;

/* ---- set-up ---- */

static void
run (const char *cmdline)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  int status;

  g_spawn_command_line_sync (cmdline, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s: %s", cmdline, err);
}

static void
ensure_user (const char *user, const char *group)
{
  g_autofree char *add = NULL;

  if (getpwnam (user) == NULL)
    {
      add = g_strdup_printf ("useradd --system --no-create-home --shell "
                             "/usr/sbin/nologin %s",
                             user);
      run (add);
    }
  if (group != NULL)
    {
      g_autofree char *mod = g_strdup_printf ("usermod -a -G %s %s", group,
                                              user);
      run (mod);
    }
}

static void
setup_accounts (void)
{
  g_autofree char *sysusers = g_strdup_printf ("systemd-sysusers %s",
                                               g_getenv ("GUESTD_SYSUSERS"));
  struct passwd *pw;

  /* The accounts guestd installs (qemu, kvm, guestd), as installed. */
  run (sysusers);
  pw = getpwnam (QEMU_USER);
  g_assert_nonnull (pw);
  qemu_uid = pw->pw_uid;
  qemu_gid = getgrnam (QEMU_GROUP)->gr_gid;
  ensure_user (DENIED_USER, NULL);
  ensure_user (ALLOWED_USER, NULL);
  ensure_user (GROUP_USER, POLKIT_GROUP);
}

static void
write_qemu_conf (const char *text)
{
  g_autofree char *dir = g_build_filename (h->root, SYSCONFDIR, "guestd",
                                           NULL);
  g_autofree char *path = g_build_filename (dir, "qemu.conf", NULL);
  g_autoptr (GError) error = NULL;

  g_mkdir_with_parents (dir, 0755);
  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static void
restart_service (void)
{
  harness_kill_service (h, SIGTERM);
  harness_start_service (h, NULL);
}

/* ---- helpers ---- */

static char *
image (const char *name, gsize size, uid_t uid, gid_t gid, mode_t mode)
{
  char *path = g_build_filename (images, name, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *zero = g_malloc0 (size);

  g_file_set_contents (path, zero, size, &error);
  g_assert_no_error (error);
  g_assert_no_errno (chown (path, uid, gid));
  g_assert_no_errno (chmod (path, mode));
  return path;
}

static char *
disk_xml (const char *path, const char *target, const char *extra)
{
  return g_strdup_printf ("    <disk type='file' device='disk'>\n"
                          "      <driver name='qemu' type='raw'/>\n"
                          "      <source file='%s'/>\n"
                          "      <target dev='%s' bus='virtio'/>\n%s"
                          "    </disk>\n",
                          path, target, extra ? extra : "");
}

static void
assert_owner (const char *path, uid_t uid, gid_t gid)
{
  struct stat st;

  g_assert_no_errno (lstat (path, &st));
  if (st.st_uid != uid || st.st_gid != gid)
    g_error ("%s is owned by %u:%u, expected %u:%u", path,
             (guint) st.st_uid, (guint) st.st_gid, (guint) uid, (guint) gid);
}

static gboolean
has_xattr (const char *path, const char *name)
{
  return lgetxattr (path, name, NULL, 0) >= 0;
}

static char *
create_paused (const char *xml, GError **error)
{
  g_autoptr (GVariant) r = harness_call (h, NULL, CONNECT, "DomainCreateXML",
                                         g_variant_new ("(su)", xml, 1), "(o)",
                                         error);
  char *path = NULL;

  if (r != NULL)
    g_variant_get (r, "(o)", &path);
  return path;
}

static void
destroy (const char *path)
{
  harness_domain_call (h, path, "Destroy", g_variant_new ("(u)", 0));
}

/* "Uid:\t107\t107\t107\t107" → the four numbers, and the like. */
static char *
status_field (GPid pid, const char *field)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *text = NULL;
  g_autofree char *key = g_strdup_printf ("\n%s:", field);
  const char *p, *end;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  p = strstr (text, key);
  g_assert_nonnull (p);
  p += strlen (key);
  while (*p == '\t' || *p == ' ')
    p++;
  end = strchr (p, '\n');
  return g_strndup (p, end - p);
}

/* gdbus call as @user; the D-Bus error name in the output on failure. */
static int
call_as (const char *user, const char *path, const char *method,
         const char *const *args, char **out, char **err)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const char *const base[] = { "gdbus", "call", "--system", "--dest",
                               "org.libvirt", "--object-path", path,
                               "--method", method };

  for (guint i = 0; i < G_N_ELEMENTS (base); i++)
    g_ptr_array_add (argv, (char *) base[i]);
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  return harness_run_as (h, user, (const char *const *) argv->pdata, out,
                         err);
}

static void
assert_refused (const char *user, const char *path, const char *method,
                const char *const *args)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = call_as (user, path, method, args, &out, &err);

  if (status == 0
      || (strstr (err, "InteractiveAuthorizationRequired") == NULL
          && strstr (err, "AccessDenied") == NULL))
    g_error ("%s %s by %s was not refused (exit %d): %s%s", method, path,
             user, status, out, err);
}

static void
assert_allowed (const char *user, const char *path, const char *method,
                const char *const *args, char **out)
{
  g_autofree char *err = NULL;
  g_autofree char *o = NULL;
  int status = call_as (user, path, method, args, &o, &err);

  if (status != 0)
    g_error ("%s %s by %s failed: %s", method, path, user, err);
  if (out != NULL)
    *out = g_steal_pointer (&o);
}

static char *
small_domain (const char *name, const char *devices)
{
  return harness_domain_xml (name, "qemu", NULL, devices);
}

/* ---- tests ---- */

static void
test_bus_policy (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *const args[] = { "org.libvirt", "4", NULL };
  int status = harness_run_as (
    h, DENIED_USER,
    (const char *const[]) { "gdbus", "call", "--system", "--dest",
                            "org.freedesktop.DBus", "--object-path",
                            "/org/freedesktop/DBus", "--method",
                            "org.freedesktop.DBus.RequestName", args[0],
                            args[1], NULL },
    &out, &err);

  /* Only root may own the name: no user can pose as guestd-system. */
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (err, "AccessDenied"));
}

static void
test_monitor_allowed (void)
{
  g_autofree char *xml = small_domain ("sys-listed", NULL);
  g_autofree char *path = harness_define (h, xml);
  g_autofree char *out = NULL;
  const char *const list[] = { "0", NULL };

  /* Looking is allowed to anyone (org.guestd.monitor: yes). */
  assert_allowed (DENIED_USER, "/org/libvirt/QEMU",
                  CONNECT ".ListDomains", list, &out);
  g_assert_nonnull (strstr (out, path));
  harness_domain_call (h, path, "Undefine", g_variant_new ("(u)", 0));
}

static void
test_denied_user (void)
{
  g_autofree char *xml = small_domain ("sys-a", NULL);
  g_autofree char *path = harness_define (h, xml);
  g_autofree char *path2 = NULL;
  const char *const zero[] = { "0", NULL };
  const char *const define[] = { xml, NULL };
  const char *const create[] = { xml, "0", NULL };
  const char *const autostart[] = { DOMAIN, "Autostart", "<true>", NULL };
  const char *const secure[] = { "1", NULL };
  const char *methods[] = { "Create", "Undefine" };
  const char *running_methods[] = { "Destroy", "Shutdown", "Reboot", "Reset",
                                    "Suspend", "Resume" };
  int state, reason;
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_autofree char *m = g_strdup_printf (DOMAIN ".%s", methods[i]);

      assert_refused (DENIED_USER, path, m, zero);
    }
  assert_refused (DENIED_USER, "/org/libvirt/QEMU", CONNECT ".DomainDefineXML",
                  define);
  assert_refused (DENIED_USER, "/org/libvirt/QEMU", CONNECT ".DomainCreateXML",
                  create);
  assert_refused (DENIED_USER, path, PROPS ".Set", autostart);
  /* Secrets are not for watchers: the secure XML needs manage. */
  assert_refused (DENIED_USER, path, DOMAIN ".GetXMLDesc", secure);

  /* On a running guest too; nothing changes. */
  path2 = create_paused (xml, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (running_methods); i++)
    {
      g_autofree char *m = g_strdup_printf (DOMAIN ".%s", running_methods[i]);
      gboolean no_args = g_str_equal (running_methods[i], "Suspend")
                         || g_str_equal (running_methods[i], "Resume");

      assert_refused (DENIED_USER, path, m, no_args ? NULL : zero);
    }
  harness_get_state (h, path, &state, &reason);
  g_assert_cmpint (state, ==, 3); /* still paused */
  destroy (path);
  harness_get_state (h, path, &state, &reason);
  g_assert_cmpint (state, ==, 5);
  harness_domain_call (h, path, "Undefine", g_variant_new ("(u)", 0));
}

static void
lifecycle_as (const char *user, const char *name)
{
  g_autofree char *xml = small_domain (name, NULL);
  g_autofree char *out = NULL;
  g_autofree char *path = NULL;
  const char *const define[] = { xml, NULL };
  const char *const zero[] = { "0", NULL };
  int state, reason;

  assert_allowed (user, "/org/libvirt/QEMU", CONNECT ".DomainDefineXML",
                  define, &out);
  path = harness_lookup (h, name);
  g_assert_nonnull (strstr (out, path));
  assert_allowed (user, path, DOMAIN ".Create", zero, NULL);
  harness_get_state (h, path, &state, &reason);
  g_assert_cmpint (state, ==, 1);
  assert_allowed (user, path, DOMAIN ".Destroy", zero, NULL);
  assert_allowed (user, path, DOMAIN ".Undefine", zero, NULL);
}

static void
test_allowed_user (void)
{
  lifecycle_as (ALLOWED_USER, "sys-ok");
}

static void
test_group_member (void)
{
  lifecycle_as (GROUP_USER, "sys-grp");
}

static void
test_root (void)
{
  g_autofree char *xml = small_domain ("sys-root", NULL);
  g_autofree char *path = harness_define (h, xml);
  int state, reason;

  harness_domain_call (h, path, "Create", g_variant_new ("(u)", 0));
  harness_get_state (h, path, &state, &reason);
  g_assert_cmpint (state, ==, 1);
  destroy (path);
  harness_domain_call (h, path, "Undefine", g_variant_new ("(u)", 0));
}

static void
test_details (void)
{
  g_autofree char *open_xml = small_domain ("sys-open", NULL);
  g_autofree char *other_xml = small_domain ("sys-closed", NULL);
  g_autofree char *open_path = harness_define (h, open_xml);
  g_autofree char *other_path = harness_define (h, other_xml);
  const char *const zero[] = { "0", NULL };

  /* The rule allows starting "sys-open" only: the domain's name reached
   * polkit in the details. */
  assert_refused (DENIED_USER, other_path, DOMAIN ".Create", zero);
  assert_allowed (DENIED_USER, open_path, DOMAIN ".Create", zero, NULL);
  destroy (open_path);
  harness_domain_call (h, open_path, "Undefine", g_variant_new ("(u)", 0));
  harness_domain_call (h, other_path, "Undefine", g_variant_new ("(u)", 0));
}

static void
assert_confined (GPid pid)
{
  const char *caps[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
  g_autofree char *want_uid = g_strdup_printf ("%u\t%u\t%u\t%u",
                                               (guint) qemu_uid,
                                               (guint) qemu_uid,
                                               (guint) qemu_uid,
                                               (guint) qemu_uid);
  g_autofree char *want_gid = g_strdup_printf ("%u\t%u\t%u\t%u",
                                               (guint) qemu_gid,
                                               (guint) qemu_gid,
                                               (guint) qemu_gid,
                                               (guint) qemu_gid);
  g_autofree char *uid = status_field (pid, "Uid");
  g_autofree char *gid = status_field (pid, "Gid");
  g_autofree char *groups = status_field (pid, "Groups");
  g_autofree char *kvm = g_strdup_printf ("%u", (guint) getgrnam ("kvm")->gr_gid);

  /* The seeds' own test: no QEMU runs as root, none keeps a capability. */
  g_assert_cmpstr (uid, ==, want_uid);
  g_assert_cmpstr (gid, ==, want_gid);
  g_assert_cmpstr (g_strstrip (groups), ==, kvm);
  for (guint i = 0; i < G_N_ELEMENTS (caps); i++)
    {
      g_autofree char *v = status_field (pid, caps[i]);

      if (!g_str_equal (v, "0000000000000000"))
        g_error ("%s of QEMU is %s", caps[i], v);
    }
  /* Nothing it executes gains privileges; QEMU's own seccomp filter. */
  {
    g_autofree char *nnp = status_field (pid, "NoNewPrivs");
    g_autofree char *seccomp = status_field (pid, "Seccomp");

    g_assert_cmpstr (nnp, ==, "1");
    g_assert_cmpstr (seccomp, ==, "2");
  }
}

static char *
devices_cgroup_of (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cgroup", (int) pid);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  /* cgroup v1's devices hierarchy, or else the unified one. */
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *p = strstr (lines[i], ":devices:");

      if (p != NULL)
        return g_strdup (p + strlen (":devices:"));
    }
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "0::"))
      return g_strdup (lines[i] + 3);
  return NULL;
}

static void
test_confined_guest (void)
{
  g_autofree char *rw = image ("rw.img", 1 << 20, ORIG_UID, ORIG_GID, 0600);
  g_autofree char *ro = image ("ro.img", 1 << 20, ORIG_UID, ORIG_GID, 0644);
  g_autofree char *d1 = disk_xml (rw, "vda", NULL);
  g_autofree char *d2 = disk_xml (ro, "vdb", "      <readonly/>\n");
  g_autofree char *devices = g_strconcat (d1, d2, NULL);
  g_autofree char *xml = small_domain ("sys-confined", devices);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = create_paused (xml, &error);
  g_autofree char *cg = NULL;
  g_autofree char *cgdir = NULL;
  g_autofree char *list = NULL;
  GPid pid;

  g_assert_no_error (error);
  pid = harness_qemu_pid (h, "sys-confined");
  g_assert_cmpint (pid, >, 0);
  assert_confined (pid);

  /* The writable disk is the guest's while it runs; its owner is
   * remembered on the file. The read-only one is left alone. */
  assert_owner (rw, qemu_uid, qemu_gid);
  g_assert_true (has_xattr (rw, "trusted.guestd.owner"));
  g_assert_true (has_xattr (rw, "trusted.guestd.boot"));
  assert_owner (ro, ORIG_UID, ORIG_GID);
  g_assert_false (has_xattr (ro, "trusted.guestd.owner"));

  /* Its own device cgroup: deny all, then the list. */
  cg = devices_cgroup_of (pid);
  g_assert_nonnull (cg);
  g_assert_cmpstr (cg, ==, "/machine/sys-confined.guestd-qemu");
  cgdir = g_build_filename ("/sys/fs/cgroup/devices", cg, NULL);
  if (g_file_test (cgdir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *f = g_build_filename (cgdir, "devices.list", NULL);

      g_assert_true (g_file_get_contents (f, &list, NULL, NULL));
      g_assert_nonnull (strstr (list, "c 1:3 rw"));   /* /dev/null */
      g_assert_nonnull (strstr (list, "c 136:* rw")); /* ptys */
      g_assert_null (strstr (list, "a *:* rwm"));
      g_assert_null (strstr (list, "c 1:1 "));        /* /dev/mem */
    }
  else
    {
      /* cgroup v2: the BPF program is test-cgroup's to check. */
      g_free (cgdir);
      cgdir = g_build_filename ("/sys/fs/cgroup", cg, NULL);
      g_assert_true (g_file_test (cgdir, G_FILE_TEST_IS_DIR));
    }

  destroy (path);
  assert_owner (rw, ORIG_UID, ORIG_GID);
  g_assert_false (has_xattr (rw, "trusted.guestd.owner"));
  g_assert_false (has_xattr (rw, "trusted.guestd.refcount"));
  g_assert_false (g_file_test (cgdir, G_FILE_TEST_EXISTS));
}

static void
test_shared_base (void)
{
  g_autofree char *base = image ("base.img", 1 << 20, ORIG_UID, ORIG_GID,
                                 0644);
  g_autofree char *ro = disk_xml (base, "vda", "      <readonly/>\n");
  g_autofree char *x1 = small_domain ("sys-share1", ro);
  g_autofree char *x2 = small_domain ("sys-share2", ro);
  g_autoptr (GError) error = NULL;
  g_autofree char *p1 = create_paused (x1, &error);
  g_autofree char *p2 = NULL;

  g_assert_no_error (error);
  p2 = create_paused (x2, &error);
  g_assert_no_error (error);
  assert_owner (base, ORIG_UID, ORIG_GID);
  destroy (p1);
  destroy (p2);
  assert_owner (base, ORIG_UID, ORIG_GID);
}

static void
assert_refused_disk (const char *disk_path, const char *message_part,
                     const char *guard)
{
  g_autofree char *disk = disk_xml (disk_path, "vda", NULL);
  g_autofree char *xml = small_domain ("sys-bad", disk);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  struct stat before, after;

  if (guard != NULL)
    g_assert_no_errno (stat (guard, &before));
  path = create_paused (xml, &error);
  g_assert_null (path);
  if (strstr (error->message, message_part) == NULL)
    g_error ("error \"%s\" for %s does not contain \"%s\"", error->message,
             disk_path, message_part);
  g_assert_cmpint (harness_qemu_pid (h, "sys-bad"), ==, 0);
  if (guard != NULL)
    {
      g_assert_no_errno (stat (guard, &after));
      g_assert_cmpint (before.st_uid, ==, after.st_uid);
      g_assert_cmpint (before.st_gid, ==, after.st_gid);
      g_assert_false (has_xattr (guard, "trusted.guestd.owner"));
    }
}

static void
test_bad_disks (void)
{
  g_autofree char *target = image ("target.img", 4096, ORIG_UID, ORIG_GID,
                                   0600);
  g_autofree char *sym = g_build_filename (images, "link.img", NULL);
  g_autofree char *hard = g_build_filename (images, "hard.img", NULL);
  g_autofree char *dir = g_build_filename (images, "adir", NULL);
  g_autofree char *missing = g_build_filename (images, "missing.img", NULL);

  g_assert_no_errno (symlink (target, sym));
  assert_refused_disk (sym, "symbolic link", target);
  g_assert_no_errno (link (target, hard));
  assert_refused_disk (hard, "link", target);
  g_unlink (hard);
  g_mkdir (dir, 0755);
  assert_refused_disk (dir, "directory", NULL);
  assert_refused_disk (missing, "missing.img", NULL);
  /* A system file must never be handed to the guests' account. */
  assert_refused_disk ("/etc/hostname", "/etc/hostname", "/etc/hostname");
  assert_owner (target, ORIG_UID, ORIG_GID);
}

/* A non-root author hands over only its own files: the account cannot be
 * used to reach another user's (or root's) files through a guest. */
static void
test_author_files (void)
{
  struct passwd *pw = getpwnam (ALLOWED_USER);
  g_autofree char *mine = image ("mine.img", 1 << 20, pw->pw_uid, pw->pw_gid,
                                 0600);
  g_autofree char *roots = image ("roots.img", 1 << 20, 0, 0, 0600);
  g_autofree char *d_mine = disk_xml (mine, "vda", NULL);
  g_autofree char *d_roots = disk_xml (roots, "vda", NULL);
  g_autofree char *x_mine = small_domain ("sys-mine", d_mine);
  g_autofree char *x_roots = small_domain ("sys-roots", d_roots);
  g_autofree char *serial = g_strdup_printf (
    "    <serial type='file'><source path='%s/console.log'/></serial>\n",
    images);
  g_autofree char *x_serial = small_domain ("sys-serial", serial);
  const char *const def_mine[] = { x_mine, NULL };
  const char *const def_roots[] = { x_roots, NULL };
  const char *const def_serial[] = { x_serial, NULL };
  const char *const zero[] = { "0", NULL };
  g_autofree char *p_mine = NULL;
  g_autofree char *p_roots = NULL;
  g_autofree char *p_serial = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *console = g_build_filename (images, "console.log", NULL);
  g_autoptr (GError) error = NULL;

  assert_allowed (ALLOWED_USER, "/org/libvirt/QEMU", CONNECT ".DomainDefineXML",
                  def_mine, NULL);
  assert_allowed (ALLOWED_USER, "/org/libvirt/QEMU", CONNECT ".DomainDefineXML",
                  def_roots, NULL);
  assert_allowed (ALLOWED_USER, "/org/libvirt/QEMU", CONNECT ".DomainDefineXML",
                  def_serial, NULL);
  p_mine = harness_lookup (h, "sys-mine");
  p_roots = harness_lookup (h, "sys-roots");
  p_serial = harness_lookup (h, "sys-serial");

  /* Its own image: handed over and back. */
  assert_allowed (ALLOWED_USER, p_mine, DOMAIN ".Create", zero, NULL);
  assert_owner (mine, qemu_uid, qemu_gid);
  destroy (p_mine);
  assert_owner (mine, pw->pw_uid, pw->pw_gid);

  /* Root's image: refused, also when root starts that definition, also
   * after a restart of the service (the author is remembered). */
  g_assert_cmpint (call_as (ALLOWED_USER, p_roots, DOMAIN ".Create", zero,
                            &out, &err), !=, 0);
  g_assert_nonnull (strstr (err, "not to the domain's author"));
  restart_service ();
  harness_call (h, p_roots, DOMAIN, "Create", g_variant_new ("(u)", 0), NULL,
                &error);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "not to the domain's author"));
  assert_owner (roots, 0, 0);
  g_assert_false (has_xattr (roots, "trusted.guestd.owner"));

  /* Nor are files created in a directory that is not its own. */
  g_clear_error (&error);
  harness_call (h, p_serial, DOMAIN, "Create", g_variant_new ("(u)", 0), NULL,
                &error);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "refusing to create"));
  g_assert_false (g_file_test (console, G_FILE_TEST_EXISTS));

  /* Root redefines it: root's now, and root's files may be used. */
  g_free (harness_define (h, x_roots));
  harness_domain_call (h, p_roots, "Create", g_variant_new ("(u)", 0));
  assert_owner (roots, qemu_uid, qemu_gid);
  destroy (p_roots);
  assert_owner (roots, 0, 0);
  harness_domain_call (h, p_mine, "Undefine", g_variant_new ("(u)", 0));
  harness_domain_call (h, p_roots, "Undefine", g_variant_new ("(u)", 0));
  harness_domain_call (h, p_serial, "Undefine", g_variant_new ("(u)", 0));
}

static void
test_bad_requests (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) r = NULL;

  r = harness_call (h, NULL, CONNECT, "DomainDefineXML",
                    g_variant_new ("(s)", "<domain type='qemu'><name>x"),
                    "(o)", &error);
  g_assert_null (r);
  harness_assert_dbus_error (error, "org.libvirt.Error", "XML error");
  g_clear_error (&error);
  r = harness_call (h, NULL, CONNECT, "DomainLookupByName",
                    g_variant_new ("(s)", "no-such-domain"), "(o)", &error);
  g_assert_null (r);
  harness_assert_dbus_error (error, "org.libvirt.Error", "Domain not found");
  g_clear_error (&error);
  r = harness_call (h, "/org/libvirt/QEMU/domain/_00000000_0000_0000_0000_000000000000",
                    DOMAIN, "Create", g_variant_new ("(u)", 0), NULL, &error);
  g_assert_null (r);
  g_assert_nonnull (error);
}

static void
test_service_killed (void)
{
  g_autofree char *rw = image ("crash.img", 1 << 20, ORIG_UID, ORIG_GID, 0600);
  g_autofree char *disk = disk_xml (rw, "vda", NULL);
  g_autofree char *xml = small_domain ("sys-crash", disk);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = create_paused (xml, &error);
  GPid pid;
  int state, reason;

  g_assert_no_error (error);
  pid = harness_qemu_pid (h, "sys-crash");
  harness_kill_service (h, SIGKILL);
  g_assert_false (harness_process_gone (pid));
  assert_owner (rw, qemu_uid, qemu_gid);
  harness_start_service (h, NULL);
  harness_get_state (h, path, &state, &reason);
  g_assert_cmpint (state, ==, 3);
  destroy (path);
  assert_owner (rw, ORIG_UID, ORIG_GID);
}

static void
test_host_reboot (void)
{
  g_autofree char *rw = image ("reboot.img", 1 << 20, ORIG_UID, ORIG_GID,
                               0600);
  g_autofree char *disk = disk_xml (rw, "vda", NULL);
  g_autofree char *xml = small_domain ("sys-reboot", disk);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = create_paused (xml, &error);
  g_autofree char *rm = g_strdup_printf ("rm -rf %s", h->status_dir);
  const char old_boot[] = "00000000-0000-0000-0000-000000000000";
  GPid pid;

  g_assert_no_error (error);
  pid = harness_qemu_pid (h, "sys-reboot");
  /* A power cut: the service and the guest die, /run is empty at boot,
   * the boot id changes. */
  harness_kill_service (h, SIGKILL);
  kill (pid, SIGKILL);
  while (!harness_process_gone (pid))
    g_usleep (10000);
  run (rm);
  /* Nor do cgroups survive a reboot. */
  {
    const char *cg = "/sys/fs/cgroup/devices/machine/sys-reboot.guestd-qemu";

    if (g_file_test (cg, G_FILE_TEST_IS_DIR))
      g_assert_no_errno (rmdir (cg));
  }
  g_assert_no_errno (lsetxattr (rw, "trusted.guestd.boot", old_boot,
                                strlen (old_boot), XATTR_REPLACE));
  assert_owner (rw, qemu_uid, qemu_gid);
  harness_start_service (h, NULL);
  /* Nothing stays owned by the guests' account. */
  assert_owner (rw, ORIG_UID, ORIG_GID);
  g_assert_false (has_xattr (rw, "trusted.guestd.owner"));
}

static void
test_bridge (void)
{
  const char *iface = "    <interface type='bridge'>\n"
                      "      <mac address='52:54:00:12:34:56'/>\n"
                      "      <source bridge='br-gtest'/>\n"
                      "      <model type='virtio'/>\n"
                      "    </interface>\n";
  g_autofree char *xml = small_domain ("sys-net", iface);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GVariant) r = NULL;
  const char *live;
  const char *p;
  g_autofree char *tap = NULL;
  g_autofree char *show = NULL;
  g_autofree char *out = NULL;
  int status;

  run ("ip link add br-gtest type bridge");
  run ("ip link set br-gtest up");
  path = create_paused (xml, &error);
  g_assert_no_error (error);
  r = harness_call (h, path, DOMAIN, "GetXMLDesc", g_variant_new ("(u)", 0),
                    "(s)", &error);
  g_assert_no_error (error);
  g_variant_get (r, "(&s)", &live);
  p = strstr (live, "<target dev='");
  g_assert_nonnull (p);
  tap = g_strndup (p + 13, strchr (p + 13, '\'') - (p + 13));
  /* (ip(8), not /sys: sysfs shows the namespace it was mounted in.) */
  show = g_strdup_printf ("ip -o link show dev %s", tap);
  g_assert_true (g_spawn_command_line_sync (show, &out, NULL, &status, NULL));
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "master br-gtest"));
  destroy (path);
  /* The device went with QEMU. */
  g_assert_true (g_spawn_command_line_sync (show, NULL, NULL, &status, NULL));
  g_assert_cmpint (status, !=, 0);
  run ("ip link del br-gtest");
}

static void
test_bridge_missing (void)
{
  const char *iface = "    <interface type='bridge'>\n"
                      "      <source bridge='br-nowhere'/>\n"
                      "    </interface>\n";
  g_autofree char *xml = small_domain ("sys-nonet", iface);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = create_paused (xml, &error);

  g_assert_null (path);
  g_assert_nonnull (strstr (error->message, "br-nowhere"));
}

static void
test_root_guests (void)
{
  g_autofree char *xml = small_domain ("sys-as-root", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *uid = NULL;
  g_autofree char *eff = NULL;
  g_autofree char *bnd = NULL;

  /* user = "root" brings back root guests, still without capabilities. */
  write_qemu_conf ("user = \"root\"\ngroup = \"root\"\n");
  restart_service ();
  path = create_paused (xml, &error);
  g_assert_no_error (error);
  uid = status_field (harness_qemu_pid (h, "sys-as-root"), "Uid");
  eff = status_field (harness_qemu_pid (h, "sys-as-root"), "CapEff");
  bnd = status_field (harness_qemu_pid (h, "sys-as-root"), "CapBnd");
  g_assert_cmpstr (uid, ==, "0\t0\t0\t0");
  g_assert_cmpstr (eff, ==, "0000000000000000");
  g_assert_cmpstr (bnd, ==, "0000000000000000");
  destroy (path);
  write_qemu_conf ("");
  restart_service ();
}

static void
test_launcher_environment (void)
{
  g_autofree char *dbg = g_build_filename (images, "ld-debug", NULL);
  g_autofree char *xml = g_strdup_printf (
    "<domain type='qemu' "
    "xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>\n"
    "  <name>sys-env</name>\n"
    "  <memory unit='MiB'>64</memory>\n"
    "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n"
    "  <qemu:commandline>\n"
    "    <qemu:env name='LD_DEBUG' value='libs'/>\n"
    "    <qemu:env name='LD_DEBUG_OUTPUT' value='%s/out'/>\n"
    "  </qemu:commandline>\n"
    "</domain>\n",
    dbg);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GString) all = g_string_new (NULL);
  const char *name;

  /* Any process's dynamic loader that sees the variables writes its
   * trace there. */
  g_mkdir (dbg, 0755);
  g_assert_no_errno (chmod (dbg, 01777));
  path = create_paused (xml, &error);
  g_assert_no_error (error);
  dir = g_dir_open (dbg, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *f = g_build_filename (dbg, name, NULL);
      g_autofree char *text = NULL;

      g_assert_true (g_file_get_contents (f, &text, NULL, NULL));
      g_string_append (all, text);
    }
  /* QEMU got the domain's variables... */
  g_assert_true (g_regex_match_simple ("initialize program: \\S*qemu-system",
                                       all->str, 0, 0));
  /* ...the root launcher before it did not: <qemu:env> never reaches a
   * dynamic loader that runs with privileges. */
  g_assert_false (g_regex_match_simple ("initialize program: \\S*guestd-launch",
                                        all->str, 0, 0));
  destroy (path);
}

static void
assert_create_fails (const char *name, const char *devices,
                     const char *extra_os, const char *message_part)
{
  g_autofree char *xml = harness_domain_xml (name, "qemu", extra_os, devices);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = create_paused (xml, &error);

  g_assert_null (path);
  if (strstr (error->message, message_part) == NULL)
    g_error ("error \"%s\" does not contain \"%s\"", error->message,
             message_part);
  g_assert_cmpint (harness_qemu_pid (h, name), ==, 0);
}

/* What a root service must not do for a caller: copy a file it names
 * where QEMU can read it, write where it says, attach to a TAP device
 * somebody else made, let a guest write into the service's log. */
static void
test_refused_for_callers (void)
{
  g_autofree char *secret = image ("secret", 16, 0, 0, 0600);
  g_autofree char *bad_template = g_strdup_printf (
    "    <loader readonly='yes' type='pflash'>%s</loader>\n"
    "    <nvram template='%s'/>\n",
    "/usr/share/OVMF/OVMF_CODE.fd", secret);
  g_autofree char *elsewhere = g_strdup_printf (
    "    <loader readonly='yes' type='pflash'>%s</loader>\n"
    "    <nvram template='%s'>%s/vars.fd</nvram>\n",
    "/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd", images);
  g_autofree char *vars = g_build_filename (images, "vars.fd", NULL);
  const char *tap = "    <interface type='bridge'>\n"
                    "      <source bridge='br-gtap'/>\n"
                    "      <target dev='gtap0'/>\n"
                    "    </interface>\n";
  const char *stdio = "    <serial type='stdio'/>\n";

  assert_create_fails ("sys-tmpl", NULL, bad_template, "not a firmware file");
  assert_create_fails ("sys-vars", NULL, elsewhere, "creates them only in");
  g_assert_false (g_file_test (vars, G_FILE_TEST_EXISTS));
  assert_create_fails ("sys-stdio", stdio, NULL, "'stdio'");
  run ("ip link add br-gtap type bridge");
  run ("ip tuntap add dev gtap0 mode tap");
  assert_create_fails ("sys-tap", tap, NULL, "gtap0");
  run ("ip link del gtap0");
  run ("ip link del br-gtap");
}

/* The service died between starting QEMU and finishing the start: the
 * next run stops that QEMU and gives its files back. */
static void
test_died_while_starting (void)
{
  g_autofree char *rw = image ("starting.img", 1 << 20, ORIG_UID, ORIG_GID,
                               0600);
  g_autofree char *disk = disk_xml (rw, "vda", NULL);
  g_autofree char *xml = small_domain ("sys-starting", disk);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = create_paused (xml, &error);
  g_autofree char *status = g_build_filename (h->status_dir,
                                              "sys-starting.xml", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GRegex) re = g_regex_new ("state='\\d+' reason='\\d+'", 0, 0,
                                       NULL);
  g_autofree char *starting = NULL;
  GPid pid;

  g_assert_no_error (error);
  pid = harness_qemu_pid (h, "sys-starting");
  harness_kill_service (h, SIGKILL);
  /* What the status file says between exec and the end of the start. */
  g_assert_true (g_file_get_contents (status, &text, NULL, NULL));
  starting = g_regex_replace_literal (re, text, -1, 0,
                                      "state='3' reason='11'", 0, NULL);
  g_assert_cmpstr (starting, !=, text);
  g_assert_true (g_file_set_contents (status, starting, -1, NULL));
  harness_start_service (h, NULL);
  for (int i = 0; i < 500 && !harness_process_gone (pid); i++)
    g_usleep (10000);
  g_assert_true (harness_process_gone (pid));
  for (int i = 0; i < 500 && g_file_test (status, G_FILE_TEST_EXISTS); i++)
    g_usleep (10000);
  assert_owner (rw, ORIG_UID, ORIG_GID);
}

static void
test_kvm_unreachable (void)
{
  g_autofree char *kvm = g_build_filename (images, "kvm", NULL);
  g_autofree char *conf = g_strdup_printf ("kvm_device = \"%s\"\n", kvm);
  g_autofree char *xml = harness_domain_xml ("sys-kvm", "kvm", NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  /* The service (root) can open it, the guests' account cannot: refused
   * before anything is set up, naming the fix. */
  g_assert_true (g_file_set_contents (kvm, "", 0, NULL));
  g_assert_no_errno (chmod (kvm, 0600));
  write_qemu_conf (conf);
  restart_service ();
  path = create_paused (xml, &error);
  g_assert_null (path);
  g_assert_nonnull (strstr (error->message, "cannot be opened by the "
                                            "guests' account " QEMU_USER));
  g_assert_cmpint (harness_qemu_pid (h, "sys-kvm"), ==, 0);
  write_qemu_conf ("");
  restart_service ();
}

/* ---- the session bridge (qemu:///system on the session bus) ---- */

static HarnessUserSession sessions[2];

/* gdbus call on @us's session bus; 0 or the exit status, output in
 * @out/@err. */
static int
session_call (HarnessUserSession *us, const char *path, const char *method,
              const char *const *args, char **out, char **err)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  const char *const base[] = { "env", us->env_bus, "gdbus", "call",
                               "--session", "--dest", "org.libvirt",
                               "--object-path", path, "--method", method };

  for (guint i = 0; i < G_N_ELEMENTS (base); i++)
    g_ptr_array_add (argv, (char *) base[i]);
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  return harness_run_as (h, us->user, (const char *const *) argv->pdata, out,
                         err);
}

static void
session_ok (HarnessUserSession *us, const char *path, const char *method,
            const char *const *args, char **out)
{
  g_autofree char *err = NULL;
  g_autofree char *o = NULL;

  if (session_call (us, path, method, args, &o, &err) != 0)
    g_error ("%s %s through the bridge failed: %s", method, path, err);
  if (out != NULL)
    *out = g_steal_pointer (&o);
}

/* The object path in gdbus's "(objectpath '/…',)". */
static char *
path_in (const char *out)
{
  const char *p = strstr (out, "'/");

  g_assert_nonnull (p);
  return g_strndup (p + 1, strchr (p + 1, '\'') - (p + 1));
}

static void
test_bridge_allowed (void)
{
  HarnessUserSession *us = &sessions[0];
  g_autofree char *xml = small_domain ("sys-bridged", NULL);
  const char *const define[] = { xml, NULL };
  const char *const zero[] = { "0", NULL };
  const char *const props[] = { DOMAIN, NULL };
  g_autofree char *out = NULL;
  g_autofree char *bridged = NULL;
  g_autofree char *direct = NULL;
  g_autofree char *list = NULL;
  g_autofree char *all = NULL;
  int state, reason;

  harness_start_user_session (h, ALLOWED_USER, us);
  session_ok (us, "/org/libvirt/QEMU/system", CONNECT ".DomainDefineXML",
              define, &out);
  bridged = path_in (out);
  direct = harness_lookup (h, "sys-bridged");
  /* The same domain, its path rewritten into the bridge's subtree. */
  g_assert_true (g_str_has_prefix (bridged, "/org/libvirt/QEMU/system/domain/"));
  g_assert_cmpstr (bridged + strlen ("/org/libvirt/QEMU/system"), ==,
                   direct + strlen ("/org/libvirt/QEMU"));
  session_ok (us, "/org/libvirt/QEMU/system", CONNECT ".ListDomains", zero,
              &list);
  g_assert_nonnull (strstr (list, bridged));
  session_ok (us, bridged, DOMAIN ".Create", zero, NULL);
  harness_get_state (h, direct, &state, &reason);
  g_assert_cmpint (state, ==, 1);
  session_ok (us, bridged, PROPS ".GetAll", props, &all);
  g_assert_nonnull (strstr (all, "'Name': <<'sys-bridged'>>"));
  session_ok (us, bridged, DOMAIN ".Destroy", zero, NULL);
  session_ok (us, bridged, DOMAIN ".Undefine", zero, NULL);
  /* The user's own session guests are still served beside it. */
  session_ok (us, "/org/libvirt/QEMU", CONNECT ".ListDomains", zero, NULL);
}

static void
test_bridge_denied (void)
{
  HarnessUserSession *us = &sessions[1];
  g_autofree char *xml = small_domain ("sys-bridge-denied", NULL);
  g_autofree char *direct = harness_define (h, xml);
  g_autofree char *bridged = g_strconcat (
    "/org/libvirt/QEMU/system", direct + strlen ("/org/libvirt/QEMU"), NULL);
  const char *const zero[] = { "0", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *busctl_out = NULL;
  g_autofree char *busctl_err = NULL;
  int state, reason;

  harness_start_user_session (h, DENIED_USER, us);
  /* polkit judged the session's user: refused, the error unchanged. */
  g_assert_cmpint (session_call (us, bridged, DOMAIN ".Create", zero, &out,
                                 &err), !=, 0);
  g_assert_nonnull (strstr (err, "InteractiveAuthorizationRequired"));
  /* With interaction allowed (and no agent to ask), a plain no: the
   * caller's flag went through the bridge. */
  g_assert_cmpint (harness_run_as (
                     h, us->user,
                     (const char *const[]) {
                       "busctl", "--address", us->address, "call",
                       "--allow-interactive-authorization=yes",
                       "org.libvirt", bridged, DOMAIN, "Create", "u", "0",
                       NULL },
                     &busctl_out, &busctl_err),
                   !=, 0);
  g_assert_nonnull (strstr (busctl_err, "Access denied"));
  harness_get_state (h, direct, &state, &reason);
  g_assert_cmpint (state, ==, 5);
  harness_domain_call (h, direct, "Undefine", g_variant_new ("(u)", 0));
}

static void
test_bridge_signals_and_restart (void)
{
  HarnessUserSession *us = &sessions[0];
  g_autofree char *xml = small_domain ("sys-bridge-sig", NULL);
  const char *const zero[] = { "0", NULL };
  g_autoptr (GInputStream) stream = NULL;
  g_autofree char *direct = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  GSubprocess *monitor;
  char buf[65536];
  gsize got = 0;

  monitor = harness_spawn_as (
    h, us->user, NULL,
    (const char *const[]) { "env", us->env_bus, "gdbus", "monitor",
                            "--session", "--dest", "org.libvirt", NULL });
  g_usleep (G_USEC_PER_SEC / 2);
  /* Through the bridge once, so that it is connected. */
  session_ok (us, "/org/libvirt/QEMU/system", CONNECT ".ListDomains", zero,
              NULL);
  /* guestd-system restarts: the bridge follows the name. */
  restart_service ();
  direct = harness_define (h, xml);
  harness_domain_call (h, direct, "Create", g_variant_new ("(u)", 0));
  destroy (direct);
  session_ok (us, "/org/libvirt/QEMU/system", CONNECT ".ListDomains", zero,
              &out);
  g_assert_nonnull (strstr (out, "/org/libvirt/QEMU/system/domain/"));
  harness_domain_call (h, direct, "Undefine", g_variant_new ("(u)", 0));
  g_usleep (G_USEC_PER_SEC / 2);
  g_subprocess_force_exit (monitor);
  stream = g_object_ref (g_subprocess_get_stdout_pipe (monitor));
  g_input_stream_read_all (stream, buf, sizeof buf - 1, &got, NULL, NULL);
  buf[got] = '\0';
  /* DomainEvent(STARTED) on the session bus, paths rewritten. */
  g_assert_true (g_regex_match_simple (
    "/org/libvirt/QEMU/system: org.libvirt.Connect.DomainEvent "
    "\\(objectpath '/org/libvirt/QEMU/system/domain/[^']+', 2, 0\\)",
    buf, 0, 0));

  /* No system instance: a clear error, the session side unharmed. */
  harness_kill_service (h, SIGTERM);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (session_call (us, "/org/libvirt/QEMU/system",
                                 CONNECT ".ListDomains", zero, &out, &err),
                   !=, 0);
  g_assert_nonnull (strstr (err, "guestd-system) is not running"));
  session_ok (us, "/org/libvirt/QEMU", CONNECT ".ListDomains", zero, NULL);
  harness_start_service (h, NULL);
}

/* ---- guestctl's URIs ---- */

static char *
guestctl_as (HarnessUserSession *us, const char *user, const char *uri,
             const char *cmd, int *status)
{
  g_autofree char *copy = g_build_filename (h->dir, "guestctl", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  if (!g_file_test (copy, G_FILE_TEST_EXISTS))
    {
      harness_copy_program (g_getenv ("GUESTCTL"), copy);
    }
  *status = harness_run_as (h, user,
                            (const char *const[]) {
                              "env", us != NULL ? us->env_bus : "A=1", copy,
                              "--no-ask-password", "-c", uri, cmd, "--all",
                              NULL },
                            &out, &err);
  return g_strconcat (out, err, NULL);
}

static void
test_guestctl_uris (void)
{
  g_autofree char *xml = small_domain ("sys-uri", NULL);
  g_autofree char *path = harness_define (h, xml);
  g_autofree char *direct = NULL;
  g_autofree char *bridged = NULL;
  g_autofree char *tls = NULL;
  g_autofree char *tcp = NULL;
  g_autofree char *odd = NULL;
  int status;

  direct = guestctl_as (NULL, ALLOWED_USER, "qemu:///system", "list",
                        &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (direct, "sys-uri"));
  /* The same through the user's session instance. */
  bridged = guestctl_as (&sessions[0], ALLOWED_USER,
                         "qemu:///system?via=session", "list", &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (bridged, ==, direct);

  tls = guestctl_as (NULL, ALLOWED_USER, "qemu://host.example/system", "list",
                     &status);
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (tls, "use qemu+ssh://[USER@]host.example/system"));
  tcp = guestctl_as (NULL, ALLOWED_USER, "qemu+tcp://host.example/system",
                     "list", &status);
  g_assert_nonnull (strstr (tcp, "TCP transport is not supported"));
  odd = guestctl_as (NULL, ALLOWED_USER, "qemu:///system?colour=blue", "list",
                     &status);
  g_assert_nonnull (strstr (odd, "unknown parameter 'colour'"));
  harness_domain_call (h, path, "Undefine", g_variant_new ("(u)", 0));
}

/* qemu+ssh:// against a real sshd on 127.0.0.1 (this test's network
 * namespace), key authentication, D-Bus through systemd-stdio-bridge. */
static void
test_guestctl_ssh (void)
{
  g_autofree char *dir = g_build_filename (h->dir, "ssh", NULL);
  g_autofree char *conf = g_build_filename (dir, "sshd_config", NULL);
  g_autofree char *keygen = NULL;
  g_autofree char *text = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *xml = small_domain ("sys-ssh", NULL);
  g_autofree char *path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *bus_socket = g_build_filename (h->dir, "system_bus_socket",
                                                  NULL);
  int status = -1;

  if (!g_file_test ("/usr/sbin/sshd", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("no sshd (openssh-server)");
      return;
    }
  g_mkdir (dir, 0700);
  keygen = g_strdup_printf ("sh -c 'ssh-keygen -q -t ed25519 -N \"\" -f "
                            "%s/host && ssh-keygen -q -t ed25519 -N \"\" -f "
                            "%s/client && cp %s/client.pub %s/authorized'",
                            dir, dir, dir, dir);
  run (keygen);
  text = g_strdup_printf ("ListenAddress 127.0.0.1:2222\n"
                          "HostKey %s/host\n"
                          "AuthorizedKeysFile %s/authorized\n"
                          "PermitRootLogin prohibit-password\n"
                          "PasswordAuthentication no\n"
                          "KbdInteractiveAuthentication no\n"
                          "UsePAM no\n"
                          "StrictModes no\n"
                          "PidFile none\n",
                          dir, dir);
  g_assert_true (g_file_set_contents (conf, text, -1, NULL));
  g_mkdir_with_parents ("/run/sshd", 0755);
  harness_spawn_as (h, "root", NULL,
                    (const char *const[]) { "/usr/sbin/sshd", "-D", "-e", "-f",
                                            conf, NULL });
  path = harness_define (h, xml);
  uri = g_strdup_printf ("qemu+ssh://root@127.0.0.1:2222/system?socket=%s&"
                         "keyfile=%s/client&no_verify=1&no_tty=1",
                         bus_socket, dir);
  /* sshd takes a moment to listen. */
  for (int i = 0; i < 50 && status != 0; i++)
    {
      g_free (out);
      out = guestctl_as (NULL, "root", uri, "list", &status);
      if (status != 0)
        g_usleep (100000);
    }
  if (status != 0)
    g_error ("guestctl over ssh: %s", out);
  g_assert_nonnull (strstr (out, "sys-ssh"));
  harness_domain_call (h, path, "Undefine", g_variant_new ("(u)", 0));
}

static void
skip_unprivileged (void)
{
  g_test_skip ("needs root: polkitd, accounts, chown, cgroups");
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (geteuid () != 0)
    {
      g_test_add_func ("/system/needs-root", skip_unprivileged);
      return g_test_run ();
    }
  harness_enter_namespaces ();
  setup_accounts ();
  harness_setup_system (h, test_rules);
  images = g_build_filename (h->dir, "images", NULL);
  g_mkdir (images, 0755);
  write_qemu_conf ("");
  harness_start_service (h, NULL);

  g_test_add_func ("/system/bus-policy", test_bus_policy);
  g_test_add_func ("/system/monitor-allowed", test_monitor_allowed);
  g_test_add_func ("/system/denied-user", test_denied_user);
  g_test_add_func ("/system/allowed-user", test_allowed_user);
  g_test_add_func ("/system/group-member", test_group_member);
  g_test_add_func ("/system/root", test_root);
  g_test_add_func ("/system/details", test_details);
  g_test_add_func ("/system/confined-guest", test_confined_guest);
  g_test_add_func ("/system/shared-base", test_shared_base);
  g_test_add_func ("/system/bad-disks", test_bad_disks);
  g_test_add_func ("/system/bad-requests", test_bad_requests);
  g_test_add_func ("/system/author-files", test_author_files);
  g_test_add_func ("/system/service-killed", test_service_killed);
  g_test_add_func ("/system/host-reboot", test_host_reboot);
  g_test_add_func ("/system/launcher-environment", test_launcher_environment);
  g_test_add_func ("/system/refused-for-callers", test_refused_for_callers);
  g_test_add_func ("/system/died-while-starting", test_died_while_starting);
  g_test_add_func ("/system/bridge", test_bridge);
  g_test_add_func ("/system/bridge-missing", test_bridge_missing);
  g_test_add_func ("/system/bridge/allowed", test_bridge_allowed);
  g_test_add_func ("/system/bridge/denied", test_bridge_denied);
  g_test_add_func ("/system/bridge/signals-and-restart",
                   test_bridge_signals_and_restart);
  g_test_add_func ("/system/guestctl/uris", test_guestctl_uris);
  g_test_add_func ("/system/guestctl/ssh", test_guestctl_ssh);
  g_test_add_func ("/system/root-guests", test_root_guests);
  g_test_add_func ("/system/kvm-unreachable", test_kvm_unreachable);
  status = g_test_run ();
  harness_teardown (h);
  for (guint i = 0; i < G_N_ELEMENTS (sessions); i++)
    {
      harness_user_session_clear (&sessions[i]);
    }
  g_free (images);
  return status;
}
