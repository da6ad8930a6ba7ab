/* DAC ownership as root on the real file system: a guest's files handed to
 * its account and back, the refusals that keep a caller's path away from
 * files it must not reach, and recovery after a crash or a reboot. Each
 * case runs in a child process so that its scratch directory is removed
 * even when it fails. Skipped unless root on a file system with trusted.*
 * extended attributes. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "conf/domain.h"
#include "security/dac.h"
#include "test-util.h"

/* The guest's account and a file's original owner: numbers need no
 * account to exist. */
#define UID 4242
#define GID 4242
#define OWNER_UID 1234
#define OWNER_GID 5678

#define SCRATCH_ENV "GUESTD_TEST_DAC_DIR"
#define OTHER_BOOT "00000000-0000-0000-0000-000000000000"
/* Must never exist; removed after every case in case a broken build made
 * it. */
#define NEVER_CREATED "/etc/guestd-test-dac-never-created.log"

typedef struct
{
  const char *name;
  void (*body) (const char *dir);
} Case;

static const char *skip_reason;

/* ---- helpers ---- */

static char *
make_file (const char *dir, const char *name, mode_t mode)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, "disk", -1, NULL));
  g_assert_cmpint (chown (path, OWNER_UID, OWNER_GID), ==, 0);
  g_assert_cmpint (chmod (path, mode), ==, 0);
  return path;
}

static void
assert_owner (const char *path, uid_t uid, gid_t gid)
{
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, uid);
  g_assert_cmpuint (st.st_gid, ==, gid);
}

static char *
get_x (const char *path, const char *name)
{
  char buf[4096];
  ssize_t n = lgetxattr (path, name, buf, sizeof buf - 1);

  if (n < 0)
    {
      g_assert_cmpint (errno, ==, ENODATA);
      return NULL;
    }
  buf[n] = '\0';
  return g_strdup (buf);
}

static void
assert_x (const char *path, const char *name, const char *want)
{
  g_autofree char *have = get_x (path, name);

  g_assert_cmpstr (have, ==, want);
}

static void
assert_no_record (const char *path)
{
  assert_x (path, GUESTD_DAC_XATTR_OWNER, NULL);
  assert_x (path, GUESTD_DAC_XATTR_REFCOUNT, NULL);
  assert_x (path, GUESTD_DAC_XATTR_BOOT, NULL);
  assert_x (path, GUESTD_DAC_XATTR_HOLDERS, NULL);
}

/* Owned by its original owner and nothing recorded: untouched. */
static void
assert_untouched (const char *path)
{
  assert_owner (path, OWNER_UID, OWNER_GID);
  assert_no_record (path);
}

static char *
boot_id (void)
{
  char *text = NULL;

  g_assert_true (g_file_get_contents ("/proc/sys/kernel/random/boot_id",
                                      &text, NULL, NULL));
  return g_strstrip (text);
}

static GPtrArray *
one_file (const char *path, const char *what, gboolean write)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (
    (GDestroyNotify) guestd_dac_file_free);

  g_ptr_array_add (files, guestd_dac_file_new (path, what, write, FALSE));
  return files;
}

static gboolean
claim_one (const char *path, const char *ledger, GError **error)
{
  g_autoptr (GPtrArray) files = one_file (path, "disk 'vda' image", TRUE);

  return guestd_dac_claim_all (files, UID, GID, 0, ledger, NULL, error);
}

/* A claim that must be refused with @needle in the message, leaving no
 * ledger behind. Some paths are real system files: should a broken build
 * take one, it is given back before the test fails. */
static void
assert_refused (GPtrArray *files, const char *ledger,
                const char *const *refused, const char *needle)
{
  g_autoptr (GError) error = NULL;

  if (guestd_dac_claim_all (files, UID, GID, 0, ledger, refused, &error))
    {
      guestd_dac_release_all (ledger, UID, GID);
      g_error ("a claim of %s was not refused",
               ((GuestdDacFile *) files->pdata[0])->path);
    }
  test_assert_error_contains (error, needle);
  g_assert_false (g_file_test (ledger, G_FILE_TEST_EXISTS));
}

static void
assert_refused_one (const char *path, const char *ledger, const char *needle)
{
  g_autoptr (GPtrArray) files = one_file (path, "disk 'vda' image", TRUE);

  assert_refused (files, ledger, NULL, needle);
}

static GHashTable *
name_set (const char *name)
{
  GHashTable *set = g_hash_table_new (g_str_hash, g_str_equal);

  if (name != NULL)
    g_hash_table_add (set, (char *) name);
  return set;
}

/* ---- which files ---- */

static const char domain_xml[] =
  "<domain type='qemu'>\n"
  "  <name>t</name>\n"
  "  <memory>65536</memory>\n"
  "  <os>\n"
  "    <type arch='x86_64' machine='q35'>hvm</type>\n"
  "    <loader readonly='yes' type='pflash'>/srv/OVMF_CODE.fd</loader>\n"
  "    <nvram>/srv/nvram.fd</nvram>\n"
  "    <kernel>/srv/vmlinuz</kernel>\n"
  "    <initrd>/srv/initrd.img</initrd>\n"
  "  </os>\n"
  "  <devices>\n"
  "    <disk type='file' device='disk'><source file='/srv/vda.img'/>"
  "<target dev='vda' bus='virtio'/></disk>\n"
  "    <disk type='file' device='disk'><source file='/srv/ro.img'/>"
  "<target dev='vdb' bus='virtio'/><readonly/></disk>\n"
  "    <disk type='file' device='disk'><source file='/srv/shared.img'/>"
  "<target dev='vdc' bus='virtio'/><shareable/></disk>\n"
  "    <disk type='file' device='cdrom'><source file='/srv/cd.iso'/>"
  "<target dev='sda' bus='sata'/></disk>\n"
  "    <disk type='file' device='cdrom'><target dev='sdb' bus='sata'/>"
  "</disk>\n"
  "    <disk type='block' device='disk'><source dev='/dev/sdz'/>"
  "<target dev='vdd' bus='virtio'/></disk>\n"
  "    <serial type='file'><source path='/srv/serial.log'/>"
  "<target port='0'/><log file='/srv/serial-copy.log'/></serial>\n"
  "    <console type='file'><source path='/srv/serial.log'/>"
  "<target type='serial' port='0'/></console>\n"
  "    <channel type='unix'><source mode='bind' path='/srv/agent.sock'/>"
  "<target type='virtio' name='org.qemu.guest_agent.0'/></channel>\n"
  "    <channel type='file'><source path='/srv/channel.out'/>"
  "<target type='virtio' name='org.example.out'/></channel>\n"
  "  </devices>\n"
  "</domain>\n";

static void
test_domain_files (void)
{
  static const struct
  {
    const char *path, *what;
    gboolean write, create;
  } want[] = {
    { "/srv/vda.img", "disk 'vda' image", TRUE, FALSE },
    { "/dev/sdz", "disk 'vdd' image", TRUE, FALSE },
    { "/srv/nvram.fd", "UEFI variable store", TRUE, FALSE },
    { "/srv/vmlinuz", "kernel", FALSE, FALSE },
    { "/srv/initrd.img", "initrd", FALSE, FALSE },
    { "/srv/serial.log", "serial port file", TRUE, TRUE },
    { "/srv/serial-copy.log", "serial port log file", TRUE, TRUE },
    { "/srv/channel.out", "channel file", TRUE, TRUE },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GuestdDomainDef) def = guestd_domain_def_parse (domain_xml, -1,
                                                             0, &error);
  g_autoptr (GPtrArray) files = NULL;

  g_assert_no_error (error);
  files = guestd_dac_domain_files (def);
  /* Not the read-only, shareable or CD-ROM images, not the firmware,
   * not the socket, and the console's file once. */
  for (guint i = 0; i < files->len && i < G_N_ELEMENTS (want); i++)
    {
      GuestdDacFile *f = files->pdata[i];

      g_assert_cmpstr (f->path, ==, want[i].path);
      g_assert_cmpstr (f->what, ==, want[i].what);
      g_assert_cmpint (f->write, ==, want[i].write);
      g_assert_cmpint (f->create, ==, want[i].create);
    }
  g_assert_cmpuint (files->len, ==, G_N_ELEMENTS (want));
}

/* ---- claim and release ---- */

static void
test_claim_release (const char *dir)
{
  g_autofree char *img = make_file (dir, "vda.img", 0640);
  /* A caller's path may hold anything but a NUL. */
  g_autofree char *odd = make_file (dir, "new\nline \xc3\xa9.img", 0600);
  g_autofree char *ledger = g_build_filename (dir, "owners", "uuid-a", NULL);
  g_autofree char *boot = boot_id ();
  g_autofree char *text = NULL;
  g_autoptr (GPtrArray) files = one_file (img, "disk 'vda' image", TRUE);
  g_autoptr (GError) error = NULL;
  struct stat st;

  g_ptr_array_add (files, guestd_dac_file_new (odd, "disk 'vdb' image", TRUE,
                                               FALSE));
  g_assert_true (guestd_dac_claim_all (files, UID, GID, 0, ledger, NULL,
                                       &error));
  g_assert_no_error (error);
  assert_owner (img, UID, GID);
  assert_owner (odd, UID, GID);
  assert_x (img, GUESTD_DAC_XATTR_OWNER, "1234:5678");
  assert_x (img, GUESTD_DAC_XATTR_REFCOUNT, "1");
  assert_x (img, GUESTD_DAC_XATTR_BOOT, boot);
  assert_x (img, GUESTD_DAC_XATTR_HOLDERS, "uuid-a\n");
  assert_x (odd, GUESTD_DAC_XATTR_OWNER, "1234:5678");
  g_assert_cmpint (stat (img, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);

  /* The ledger is private and names both files. */
  g_assert_cmpint (stat (ledger, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  g_assert_true (g_file_get_contents (ledger, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, img));

  guestd_dac_release_all (ledger, UID, GID);
  assert_untouched (img);
  assert_untouched (odd);
  g_assert_cmpint (stat (img, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 07777, ==, 0640);
  g_assert_false (g_file_test (ledger, G_FILE_TEST_EXISTS));

  /* Again: nothing left to do, nothing said. */
  guestd_dac_release_all (ledger, UID, GID);
  assert_untouched (img);
}

static void
test_shared (const char *dir)
{
  g_autofree char *kernel = make_file (dir, "vmlinuz", 0600);
  g_autofree char *open_kernel = make_file (dir, "vmlinuz-readable", 0644);
  g_autofree char *a = g_build_filename (dir, "owners", "a", NULL);
  g_autofree char *b = g_build_filename (dir, "owners", "b", NULL);
  g_autoptr (GPtrArray) files = one_file (kernel, "kernel", FALSE);
  g_autoptr (GPtrArray) open_files = one_file (open_kernel, "kernel", FALSE);
  g_autoptr (GError) error = NULL;

  /* Two guests boot the same kernel, which the account cannot read. */
  g_assert_true (guestd_dac_claim_all (files, UID, GID, 0, a, NULL, &error));
  g_assert_true (guestd_dac_claim_all (files, UID, GID, 0, b, NULL, &error));
  g_assert_no_error (error);
  assert_owner (kernel, UID, GID);
  assert_x (kernel, GUESTD_DAC_XATTR_REFCOUNT, "2");
  assert_x (kernel, GUESTD_DAC_XATTR_HOLDERS, "a\nb\n");
  assert_x (kernel, GUESTD_DAC_XATTR_OWNER, "1234:5678");

  guestd_dac_release_all (a, UID, GID);
  assert_owner (kernel, UID, GID);
  assert_x (kernel, GUESTD_DAC_XATTR_REFCOUNT, "1");
  assert_x (kernel, GUESTD_DAC_XATTR_HOLDERS, "b\n");
  guestd_dac_release_all (b, UID, GID);
  assert_untouched (kernel);

  /* One it can read is left alone: no change, no record, no ledger. */
  g_assert_true (guestd_dac_claim_all (open_files, UID, GID, 0, a, NULL,
                                       &error));
  g_assert_no_error (error);
  assert_untouched (open_kernel);
  g_assert_false (g_file_test (a, G_FILE_TEST_EXISTS));
}

/* ---- refusals ---- */

static void
test_symlinks (const char *dir)
{
  g_autofree char *img = make_file (dir, "vda.img", 0600);
  g_autofree char *link = g_build_filename (dir, "link.img", NULL);
  g_autofree char *real = g_build_filename (dir, "real", NULL);
  g_autofree char *inner = NULL;
  g_autofree char *via = g_build_filename (dir, "via", NULL);
  g_autofree char *via_img = g_build_filename (dir, "via", "inner.img", NULL);
  g_autofree char *dotdot = g_build_filename (dir, "real", "..", "vda.img",
                                              NULL);
  g_autofree char *ledger = g_build_filename (dir, "owners", "a", NULL);
  g_autofree char *log_via = g_build_filename (dir, "via", "serial.log",
                                               NULL);
  g_autofree char *log_real = g_build_filename (dir, "real", "serial.log",
                                                NULL);
  g_autoptr (GPtrArray) log_files = g_ptr_array_new_with_free_func (
    (GDestroyNotify) guestd_dac_file_free);
  g_autoptr (GPtrArray) kernel = NULL;
  g_autoptr (GError) error = NULL;

  /* The last component. */
  g_assert_cmpint (symlink (img, link), ==, 0);
  assert_refused_one (link, ledger, "symbolic link");
  assert_refused_one (link, ledger, img);
  assert_untouched (img);

  /* A directory on the way. */
  g_assert_cmpint (g_mkdir (real, 0755), ==, 0);
  inner = make_file (real, "inner.img", 0600);
  g_assert_cmpint (symlink ("real", via), ==, 0);
  assert_refused_one (via_img, ledger, "symbolic link");
  {
    g_autoptr (GPtrArray) files = one_file (via_img, "disk 'vda' image",
                                            TRUE);
    g_autoptr (GError) e = NULL;

    g_assert_false (guestd_dac_claim_all (files, UID, GID, 0, ledger, NULL, &e));
    test_assert_error_contains (e, via);
    test_assert_error_contains (e, "points to real");
  }
  assert_untouched (inner);

  /* A file to create is not created through a link either. */
  g_ptr_array_add (log_files, guestd_dac_file_new (log_via, "serial port "
                                                   "file", TRUE, TRUE));
  assert_refused (log_files, ledger, NULL, "symbolic link");
  g_assert_false (g_file_test (log_real, G_FILE_TEST_EXISTS));

  /* ".." could walk out of any checked prefix. */
  assert_refused_one (dotdot, ledger, "must be absolute");
  assert_refused_one ("vda.img", ledger, "must be absolute");
  assert_untouched (img);

  /* A read-only file the account can read anyway is no business of
   * ours, link or not: the target stays as it is. */
  g_assert_cmpint (chmod (img, 0644), ==, 0);
  kernel = one_file (link, "kernel", FALSE);
  g_assert_true (guestd_dac_claim_all (kernel, UID, GID, 0, ledger, NULL,
                                       &error));
  g_assert_no_error (error);
  assert_untouched (img);
  g_assert_false (g_file_test (ledger, G_FILE_TEST_EXISTS));
}

static void
test_hard_link (const char *dir)
{
  g_autofree char *img = make_file (dir, "vda.img", 0600);
  g_autofree char *other = g_build_filename (dir, "other-name", NULL);
  g_autofree char *ledger = g_build_filename (dir, "owners", "a", NULL);

  g_assert_cmpint (link (img, other), ==, 0);
  assert_refused_one (img, ledger, "has 2 hard links");
  assert_refused_one (other, ledger, "hard links");
  assert_untouched (img);
}

static void
test_not_files (const char *dir)
{
  g_autofree char *sub = g_build_filename (dir, "sub", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_autofree char *suid = make_file (dir, "suid", 04755);
  g_autofree char *ledger = g_build_filename (dir, "owners", "a", NULL);
  struct stat before, after;

  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  g_assert_cmpint (chown (sub, OWNER_UID, OWNER_GID), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_cmpint (chown (fifo, OWNER_UID, OWNER_GID), ==, 0);

  assert_refused_one (sub, ledger, "is a directory");
  assert_untouched (sub);
  assert_refused_one (fifo, ledger, "is a named pipe");
  assert_untouched (fifo);
  assert_refused_one (suid, ledger, "set-user-ID");
  assert_untouched (suid);

  g_assert_cmpint (stat ("/dev/null", &before), ==, 0);
  assert_refused_one ("/dev/null", ledger, "is a character device");
  g_assert_cmpint (stat ("/dev/null", &after), ==, 0);
  g_assert_cmpuint (after.st_uid, ==, before.st_uid);
  g_assert_cmpuint (after.st_gid, ==, before.st_gid);
}

static void
test_missing (const char *dir)
{
  g_autofree char *img = g_build_filename (dir, "nope.img", NULL);
  g_autofree char *ledger = g_build_filename (dir, "owners", "a", NULL);

  assert_refused_one (img, ledger, "disk 'vda' image ");
  assert_refused_one (img, ledger, " does not exist");
  g_assert_false (g_file_test (img, G_FILE_TEST_EXISTS));
}

static void
test_system_files (const char *dir)
{
  const char *etc = g_file_test ("/etc/hostname", G_FILE_TEST_EXISTS)
                      ? "/etc/hostname"
                      : "/etc/passwd";
  const char *never = NEVER_CREATED;
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  g_autofree char *mine = NULL;
  g_autofree char *ledger = g_build_filename (dir, "owners", "a", NULL);
  const char *refused[] = { state, NULL };
  g_autoptr (GPtrArray) files = NULL;
  g_autoptr (GPtrArray) logs = g_ptr_array_new_with_free_func (
    (GDestroyNotify) guestd_dac_file_free);
  struct stat before, after;
  g_autofree char *message = g_strdup_printf (
    "refusing to hand disk 'vda' image %s to the guest's account: it is a "
    "system file",
    etc);

  g_assert_cmpint (stat (etc, &before), ==, 0);
  assert_refused_one (etc, ledger, message);
  g_assert_cmpint (stat (etc, &after), ==, 0);
  g_assert_cmpuint (after.st_uid, ==, before.st_uid);
  g_assert_cmpuint (after.st_gid, ==, before.st_gid);
  assert_no_record (etc);

  /* Nothing is even created there. */
  g_ptr_array_add (logs, guestd_dac_file_new (never, "serial port file", TRUE,
                                              TRUE));
  assert_refused (logs, ledger, NULL, "system file");
  g_assert_false (g_file_test (never, G_FILE_TEST_EXISTS));

  /* The service's own directories, as the caller names them. */
  g_assert_cmpint (g_mkdir (state, 0700), ==, 0);
  mine = make_file (state, "status.img", 0600);
  files = one_file (mine, "disk 'vda' image", TRUE);
  assert_refused (files, ledger, refused, "system file");
  assert_untouched (mine);
}

static void
test_ledger_dir (const char *dir)
{
  g_autofree char *img = make_file (dir, "vda.img", 0600);
  g_autofree char *qemu_dir = g_build_filename (dir, "qemu", NULL);
  g_autofree char *in_qemu = g_build_filename (qemu_dir, "owners", "a",
                                               NULL);
  g_autofree char *real = g_build_filename (dir, "real-owners", NULL);
  g_autofree char *link = g_build_filename (dir, "owners", NULL);
  g_autofree char *via_link = g_build_filename (link, "a", NULL);
  g_autoptr (GPtrArray) files = one_file (img, "disk 'vda' image", TRUE);

  /* The guest's account could swap what is under its own directory. */
  g_assert_cmpint (g_mkdir (qemu_dir, 0755), ==, 0);
  g_assert_cmpint (chown (qemu_dir, UID, GID), ==, 0);
  assert_refused (files, in_qemu, NULL, "refusing to keep ownership ledgers");
  assert_untouched (img);

  g_assert_cmpint (g_mkdir (real, 0700), ==, 0);
  g_assert_cmpint (symlink (real, link), ==, 0);
  assert_refused (files, via_link, NULL, "refusing to keep ownership ledgers");
  assert_untouched (img);
  g_assert_false (g_file_test (via_link, G_FILE_TEST_EXISTS));
}

/* ---- all or nothing ---- */

static void
test_all_or_nothing (const char *dir)
{
  g_autofree char *good = make_file (dir, "good.img", 0600);
  g_autofree char *missing = g_build_filename (dir, "missing.img", NULL);
  g_autofree char *damaged = make_file (dir, "damaged.img", 0600);
  g_autofree char *mine = g_build_filename (dir, "owners", "mine", NULL);
  g_autofree char *other = g_build_filename (dir, "owners", "other", NULL);
  g_autoptr (GPtrArray) files = one_file (good, "disk 'vda' image", TRUE);
  g_autoptr (GPtrArray) files2 = one_file (good, "disk 'vda' image", TRUE);
  g_autoptr (GError) error = NULL;

  /* Refused before any change. */
  g_ptr_array_add (files, guestd_dac_file_new (missing, "disk 'vdb' image",
                                               TRUE, FALSE));
  assert_refused (files, mine, NULL, "disk 'vdb' image");
  assert_untouched (good);

  /* Failing after the first was handed over: it comes back. */
  g_assert_cmpint (lsetxattr (damaged, GUESTD_DAC_XATTR_OWNER, "x", 1, 0),
                   ==, 0);
  g_ptr_array_add (files2, guestd_dac_file_new (damaged, "disk 'vdb' image",
                                                TRUE, FALSE));
  assert_refused (files2, mine, NULL, "is damaged");
  assert_untouched (good);
  assert_owner (damaged, OWNER_UID, OWNER_GID);

  /* And another guest's hold on it survives the rollback. */
  g_assert_true (claim_one (good, other, &error));
  g_assert_no_error (error);
  assert_refused (files2, mine, NULL, "is damaged");
  assert_owner (good, UID, GID);
  assert_x (good, GUESTD_DAC_XATTR_REFCOUNT, "1");
  assert_x (good, GUESTD_DAC_XATTR_HOLDERS, "other\n");
  guestd_dac_release_all (other, UID, GID);
  assert_untouched (good);
}

/* ---- crashes and reboots ---- */

static void
test_crash (const char *dir)
{
  g_autofree char *one = make_file (dir, "one.img", 0600);
  g_autofree char *two = make_file (dir, "two.img", 0600);
  g_autofree char *owners = g_build_filename (dir, "owners", NULL);
  g_autofree char *a = g_build_filename (owners, "a", NULL);
  g_autofree char *b = g_build_filename (owners, "b", NULL);
  g_autoptr (GHashTable) running = name_set ("b");
  g_autoptr (GError) error = NULL;

  /* The service dies with both guests up (no release); at its next start
   * only b is still running. */
  g_assert_true (claim_one (one, a, &error));
  g_assert_true (claim_one (two, b, &error));
  g_assert_no_error (error);
  guestd_dac_restore_stale (owners, running, UID, GID);
  assert_untouched (one);
  g_assert_false (g_file_test (a, G_FILE_TEST_EXISTS));
  assert_owner (two, UID, GID);
  g_assert_true (g_file_test (b, G_FILE_TEST_EXISTS));

  /* Then b has gone too. */
  guestd_dac_restore_stale (owners, NULL, UID, GID);
  assert_untouched (two);
  g_assert_false (g_file_test (b, G_FILE_TEST_EXISTS));
}

static void
test_claim_cut_short (const char *dir)
{
  g_autofree char *shared = make_file (dir, "shared.img", 0600);
  g_autofree char *untouched = make_file (dir, "untouched.img", 0600);
  g_autofree char *owners = g_build_filename (dir, "owners", NULL);
  g_autofree char *a = g_build_filename (owners, "a", NULL);
  g_autofree char *b = g_build_filename (owners, "b", NULL);
  g_autofree char *text = g_strdup_printf ("%s\n%s\n", shared, untouched);
  g_autoptr (GHashTable) running = name_set ("b");
  g_autoptr (GError) error = NULL;

  /* b holds the file; a wrote its ledger and died before taking
   * anything. Releasing a must not take b's share. */
  g_assert_true (claim_one (shared, b, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (a, text, -1, NULL));
  guestd_dac_restore_stale (owners, running, UID, GID);
  g_assert_false (g_file_test (a, G_FILE_TEST_EXISTS));
  assert_owner (shared, UID, GID);
  assert_x (shared, GUESTD_DAC_XATTR_REFCOUNT, "1");
  assert_x (shared, GUESTD_DAC_XATTR_HOLDERS, "b\n");
  assert_untouched (untouched);

  /* Nor does releasing b twice take anything more. */
  guestd_dac_release_all (b, UID, GID);
  assert_untouched (shared);
}

static void
test_reboot (const char *dir)
{
  g_autofree char *one = make_file (dir, "one.img", 0600);
  g_autofree char *kernel = make_file (dir, "vmlinuz", 0600);
  g_autofree char *owners = g_build_filename (dir, "owners", NULL);
  g_autofree char *a = g_build_filename (owners, "a", NULL);
  g_autofree char *b = g_build_filename (owners, "b", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (claim_one (one, a, &error));
  g_assert_true (claim_one (kernel, a, &error));
  g_assert_true (claim_one (kernel, b, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lsetxattr (one, GUESTD_DAC_XATTR_BOOT, OTHER_BOOT,
                              strlen (OTHER_BOOT), 0), ==, 0);
  g_assert_cmpint (lsetxattr (kernel, GUESTD_DAC_XATTR_BOOT, OTHER_BOOT,
                              strlen (OTHER_BOOT), 0), ==, 0);

  /* After a reboot no holder is alive: the first ledger released gives
   * the shared file back too. */
  g_assert_cmpint (g_unlink (b), ==, 0);
  guestd_dac_restore_stale (owners, NULL, UID, GID);
  assert_untouched (one);
  assert_untouched (kernel);
}

static void
test_stale_claim (const char *dir)
{
  g_autofree char *img = make_file (dir, "vda.img", 0600);
  g_autofree char *a = g_build_filename (dir, "owners", "a", NULL);
  g_autofree char *b = g_build_filename (dir, "owners", "b", NULL);
  g_autofree char *boot = boot_id ();
  g_autoptr (GError) error = NULL;

  /* Left owned by the account by a crash before a reboot, its ledger
   * lost: the record still knows the true owner. */
  g_assert_true (claim_one (img, a, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lsetxattr (img, GUESTD_DAC_XATTR_BOOT, OTHER_BOOT,
                              strlen (OTHER_BOOT), 0), ==, 0);
  g_assert_cmpint (g_unlink (a), ==, 0);

  g_assert_true (claim_one (img, b, &error));
  g_assert_no_error (error);
  assert_owner (img, UID, GID);
  assert_x (img, GUESTD_DAC_XATTR_OWNER, "1234:5678");
  assert_x (img, GUESTD_DAC_XATTR_REFCOUNT, "1");
  assert_x (img, GUESTD_DAC_XATTR_HOLDERS, "b\n");
  assert_x (img, GUESTD_DAC_XATTR_BOOT, boot);
  guestd_dac_release_all (b, UID, GID);
  assert_untouched (img);
}

/* ---- changed behind our back ---- */

static void
test_changed_meanwhile (const char *dir)
{
  g_autofree char *img = make_file (dir, "vda.img", 0600);
  g_autofree char *gone = make_file (dir, "gone.img", 0600);
  g_autofree char *swapped = make_file (dir, "swapped.img", 0600);
  g_autofree char *moved = g_build_filename (dir, "moved.img", NULL);
  g_autofree char *a = g_build_filename (dir, "owners", "a", NULL);
  g_autofree char *b = g_build_filename (dir, "owners", "b", NULL);
  g_autofree char *c = g_build_filename (dir, "owners", "c", NULL);
  g_autoptr (GError) error = NULL;

  /* Someone gave it away meanwhile: theirs is the last word. */
  g_assert_true (claim_one (img, a, &error));
  g_assert_no_error (error);
  g_assert_cmpint (chown (img, 999, 999), ==, 0);
  g_test_expect_message (NULL, G_LOG_LEVEL_WARNING,
                         "*not giving*vda.img back to 1234:5678*owned by "
                         "999:999*");
  guestd_dac_release_all (a, UID, GID);
  g_test_assert_expected_messages ();
  assert_owner (img, 999, 999);
  assert_no_record (img);
  g_assert_false (g_file_test (a, G_FILE_TEST_EXISTS));

  /* Removed: said so, and the ledger goes. */
  g_assert_true (claim_one (gone, b, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_unlink (gone), ==, 0);
  g_test_expect_message (NULL, G_LOG_LEVEL_WARNING, "*gone.img is gone*");
  guestd_dac_release_all (b, UID, GID);
  g_test_assert_expected_messages ();
  g_assert_false (g_file_test (b, G_FILE_TEST_EXISTS));

  /* Replaced by a link: not followed. */
  g_assert_true (claim_one (swapped, c, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_rename (swapped, moved), ==, 0);
  g_assert_cmpint (symlink ("/etc/hostname", swapped), ==, 0);
  g_test_expect_message (NULL, G_LOG_LEVEL_WARNING,
                         "*swapped.img back: it is now reached through a "
                         "symbolic link*");
  guestd_dac_release_all (c, UID, GID);
  g_test_assert_expected_messages ();
  assert_owner (moved, UID, GID);
}

/* ---- files of other kinds ---- */

static void
test_create (const char *dir)
{
  g_autofree char *log = g_build_filename (dir, "serial.log", NULL);
  g_autofree char *a = g_build_filename (dir, "owners", "a", NULL);
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (
    (GDestroyNotify) guestd_dac_file_free);
  g_autoptr (GError) error = NULL;
  struct stat st;

  g_ptr_array_add (files, guestd_dac_file_new (log, "serial port file", TRUE,
                                               TRUE));
  g_assert_true (guestd_dac_claim_all (files, UID, GID, 0, a, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lstat (log, &st), ==, 0);
  g_assert_true (S_ISREG (st.st_mode));
  g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  assert_owner (log, UID, GID);
  /* It was made by root, so it goes back to root. */
  guestd_dac_release_all (a, UID, GID);
  assert_owner (log, 0, 0);
  assert_no_record (log);
}

static void
test_block_device (const char *dir)
{
  g_autofree char *node = g_build_filename (dir, "blk", NULL);
  g_autofree char *a = g_build_filename (dir, "owners", "a", NULL);
  g_autoptr (GError) error = NULL;

  /* An unused loop device number: the node is never opened. */
  if (mknod (node, S_IFBLK | 0600, makedev (7, 250)) < 0)
    {
      g_test_skip ("cannot create a block device node here");
      return;
    }
  g_assert_cmpint (chown (node, OWNER_UID, OWNER_GID), ==, 0);
  g_assert_true (claim_one (node, a, &error));
  g_assert_no_error (error);
  assert_owner (node, UID, GID);
  assert_x (node, GUESTD_DAC_XATTR_OWNER, "1234:5678");
  guestd_dac_release_all (a, UID, GID);
  assert_untouched (node);
}

/* ---- running the cases ---- */

/* A non-root author gives only its own files, and creates files only in
 * its own directories; a file a guest holds is still its original
 * owner's. */
static void
test_author (const char *dir)
{
  g_autofree char *mine = make_file (dir, "mine.img", 0600);
  g_autofree char *roots = make_file (dir, "roots.img", 0600);
  g_autofree char *a = g_build_filename (dir, "owners", "a", NULL);
  g_autofree char *b = g_build_filename (dir, "owners", "b", NULL);
  g_autofree char *log = g_build_filename (dir, "serial.log", NULL);
  g_autoptr (GPtrArray) files = one_file (mine, "disk 'vda' image", TRUE);
  g_autoptr (GPtrArray) theirs = one_file (roots, "disk 'vda' image", TRUE);
  g_autoptr (GPtrArray) create = g_ptr_array_new_with_free_func (
    (GDestroyNotify) guestd_dac_file_free);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (chown (roots, 0, 0), ==, 0);
  g_assert_true (guestd_dac_claim_all (files, UID, GID, OWNER_UID, a, NULL,
                                       &error));
  g_assert_no_error (error);
  assert_owner (mine, UID, GID);
  /* Held by a guest, it is still the author's to share. */
  g_assert_true (guestd_dac_claim_all (files, UID, GID, OWNER_UID, b, NULL,
                                       &error));
  g_assert_no_error (error);
  guestd_dac_release_all (a, UID, GID);
  guestd_dac_release_all (b, UID, GID);
  assert_untouched (mine);

  g_assert_false (guestd_dac_claim_all (theirs, UID, GID, OWNER_UID, a, NULL,
                                        &error));
  test_assert_error_contains (error, "belongs to uid 0, not to the domain's "
                                     "author");
  g_clear_error (&error);
  assert_owner (roots, 0, 0);
  assert_no_record (roots);

  /* The scratch directory is root's. */
  g_ptr_array_add (create, guestd_dac_file_new (log, "serial port file", TRUE,
                                                TRUE));
  g_assert_false (guestd_dac_claim_all (create, UID, GID, OWNER_UID, a, NULL,
                                        &error));
  test_assert_error_contains (error, "refusing to create");
  g_assert_false (g_file_test (log, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (a, G_FILE_TEST_EXISTS));
}

static const Case cases[] = {
  { "/dac/claim-release", test_claim_release },
  { "/dac/shared", test_shared },
  { "/dac/refuse/symlinks", test_symlinks },
  { "/dac/refuse/hard-link", test_hard_link },
  { "/dac/refuse/not-files", test_not_files },
  { "/dac/refuse/missing", test_missing },
  { "/dac/refuse/system-files", test_system_files },
  { "/dac/refuse/ledger-dir", test_ledger_dir },
  { "/dac/all-or-nothing", test_all_or_nothing },
  { "/dac/crash", test_crash },
  { "/dac/claim-cut-short", test_claim_cut_short },
  { "/dac/reboot", test_reboot },
  { "/dac/stale-claim", test_stale_claim },
  { "/dac/changed-meanwhile", test_changed_meanwhile },
  { "/dac/create", test_create },
  { "/dac/block-device", test_block_device },
  { "/dac/author", test_author },
};

static void
remove_tree (const char *dir)
{
  const char *argv[] = { "rm", "-rf", "--one-file-system", dir, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                NULL, NULL, NULL, NULL);
}

static void
run_case (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *dir = NULL;
  g_autofree char *real = NULL;

  if (g_test_subprocess ())
    {
      c->body (g_getenv (SCRATCH_ENV));
      return;
    }
  if (skip_reason != NULL)
    {
      g_test_skip (skip_reason);
      return;
    }
  dir = g_strdup ("/var/tmp/guestd-test-dac-XXXXXX");
  g_assert_nonnull (g_mkdtemp (dir));
  /* Its own name, in case /var/tmp is a link. */
  real = realpath (dir, NULL);
  g_assert_nonnull (real);
  g_setenv (SCRATCH_ENV, real, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  remove_tree (dir);
  g_unlink (NEVER_CREATED);
  g_test_trap_assert_passed ();
}

/* Root, and trusted.* attributes where the scratch files live. */
static const char *
why_skip (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *probe = NULL;
  int ok;

  if (geteuid () != 0)
    return "needs root (chown, trusted.* attributes)";
  dir = g_strdup ("/var/tmp/guestd-test-dac-XXXXXX");
  if (g_mkdtemp (dir) == NULL)
    return "cannot create a directory in /var/tmp";
  probe = g_build_filename (dir, "probe", NULL);
  ok = g_file_set_contents (probe, "", 0, NULL)
       && lsetxattr (probe, "trusted.guestd.probe", "1", 1, 0) == 0;
  remove_tree (dir);
  return ok ? NULL : "/var/tmp has no trusted.* extended attributes";
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!g_test_subprocess ())
    skip_reason = why_skip ();
  g_test_add_func ("/dac/domain-files", test_domain_files);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_test_add_data_func (cases[i].name, &cases[i], run_case);
  return g_test_run ();
}
