/* Device cgroups on the real kernel, as root: what a process in a guest's
 * cgroup can open, under the v1 devices controller and under the v2 BPF
 * program; leftovers, removal, bad lists; and what the v2 program
 * decides, run here on a small interpreter. Skips without root or without
 * the hierarchy a case needs. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <linux/bpf.h>
#include <linux/loop.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <signal.h>

#include "cgroup/cgroup.h"
#include "conf/qemu-conf.h"
#include "test-util.h"
#include "util/error.h"
#include "util/glib-compat.h"

/* Every cgroup of these tests lives here, apart from real guests'. */
#define PARTITION "guestd-test"

/* ---- the hierarchies, found independently of the module ---- */

static char *
hierarchy_root (GuestdCgroupMode mode)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/self/mountinfo", &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], " ", -1);
      const char *sep = strstr (lines[i], " - ");
      g_auto (GStrv) t = NULL;

      if (sep == NULL || g_strv_length (f) < 5)
        continue;
      t = g_strsplit (sep + 3, " ", -1);
      if (g_strv_length (t) < 3)
        continue;
      if (mode == GUESTD_CGROUP_V2 && g_str_equal (t[0], "cgroup2"))
        return g_strdup (f[4]);
      if (mode == GUESTD_CGROUP_V1 && g_str_equal (t[0], "cgroup")
          && (g_str_has_suffix (t[2], ",devices")
              || strstr (t[2], ",devices,") != NULL
              || g_str_has_prefix (t[2], "devices")))
        return g_strdup (f[4]);
    }
  return NULL;
}

static char *
require (GuestdCgroupMode mode)
{
  char *root;

  if (getuid () != 0)
    {
      g_test_skip ("needs root");
      return NULL;
    }
  root = hierarchy_root (mode);
  if (root == NULL)
    g_test_skip (mode == GUESTD_CGROUP_V1
                   ? "the cgroup v1 devices controller is not mounted"
                   : "no cgroup v2 hierarchy is mounted");
  return root;
}

/* Cgroups a crashed earlier run left in the test partition. */
static void
clear_partition (void)
{
  GuestdCgroupMode modes[] = { GUESTD_CGROUP_V1, GUESTD_CGROUP_V2 };

  if (getuid () != 0)
    return;
  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autofree char *root = hierarchy_root (modes[m]);
      g_autofree char *part = NULL;
      g_autoptr (GDir) dir = NULL;
      const char *e;

      if (root == NULL)
        continue;
      part = g_build_filename (root, PARTITION, NULL);
      dir = g_dir_open (part, 0, NULL);
      while (dir != NULL && (e = g_dir_read_name (dir)) != NULL)
        if (g_str_has_suffix (e, ".guestd-qemu"))
          {
            g_autofree char *sub = g_build_filename (part, e, NULL);
            rmdir (sub);
          }
      rmdir (part);
    }
}

static const char *
mode_name (GuestdCgroupMode mode)
{
  return mode == GUESTD_CGROUP_V1 ? "v1" : "v2";
}

static char *
expected_dir (const char *root, const char *name)
{
  g_autofree char *leaf = g_strconcat (name, ".guestd-qemu", NULL);

  return g_build_filename (root, PARTITION, leaf, NULL);
}

static void
join (const char *dir)
{
  g_autofree char *procs = g_build_filename (dir, "cgroup.procs", NULL);
  char pid[32];
  int fd = open (procs, O_WRONLY | O_CLOEXEC);
  int n = g_snprintf (pid, sizeof pid, "%d\n", (int) getpid ());

  if (fd < 0 || write (fd, pid, (size_t) n) != n)
    _exit (99);
  close (fd);
}

/* ---- loop devices standing in for a guest's block-device disks ---- */

typedef struct
{
  int fd; /* holds the device; it detaches itself when closed */
  char *path;
} Loop;

static gboolean
loop_attach (const char *dir, const char *file_name, Loop *loop)
{
  g_autofree char *file = g_build_filename (dir, file_name, NULL);
  g_autofd int backing = -1;
  g_autofd int ctl = -1;
  struct loop_info64 info = { 0 };

  loop->fd = -1;
  loop->path = NULL;
  backing = open (file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (backing < 0 || ftruncate (backing, 1024 * 1024) < 0)
    return FALSE;
  ctl = open ("/dev/loop-control", O_RDWR | O_CLOEXEC);
  if (ctl < 0)
    return FALSE;
  /* Another process may take the free device first: ask again. */
  for (int tries = 0; tries < 10 && loop->fd < 0; tries++)
    {
      int n = ioctl (ctl, LOOP_CTL_GET_FREE);
      g_autofree char *path = NULL;
      int fd;

      if (n < 0)
        return FALSE;
      path = g_strdup_printf ("/dev/loop%d", n);
      fd = open (path, O_RDWR | O_CLOEXEC);
      if (fd < 0)
        return FALSE;
      if (ioctl (fd, LOOP_SET_FD, backing) < 0)
        {
          close (fd);
          continue;
        }
      loop->fd = fd;
      loop->path = g_steal_pointer (&path);
    }
  if (loop->fd < 0)
    return FALSE;
  /* A crashed test leaves no device behind. */
  info.lo_flags = LO_FLAGS_AUTOCLEAR;
  ioctl (loop->fd, LOOP_SET_STATUS64, &info);
  return TRUE;
}

static void
loop_detach (Loop *loop)
{
  if (loop->fd >= 0)
    {
      ioctl (loop->fd, LOOP_CLR_FD, 0);
      close (loop->fd);
    }
  loop->fd = -1;
  g_clear_pointer (&loop->path, g_free);
}

/* ---- what a process in the cgroup can open ---- */

typedef struct
{
  const char *what;
  const char *path; /* NULL: a pty from /dev/ptmx and its peer */
  int flags;
  int expect; /* 0 or the errno */
} Probe;

static int
probe (const Probe *p)
{
  int fd, n = 0, unlock = 0;
  char pts[64];

  if (p->path != NULL)
    {
      fd = open (p->path, p->flags | O_CLOEXEC | O_NOCTTY);
      if (fd < 0)
        return errno;
      close (fd);
      return 0;
    }
  fd = open ("/dev/ptmx", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return errno;
  if (ioctl (fd, TIOCSPTLCK, &unlock) < 0 || ioctl (fd, TIOCGPTN, &n) < 0)
    {
      close (fd);
      return -1;
    }
  g_snprintf (pts, sizeof pts, "/dev/pts/%d", n);
  n = open (pts, O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (n < 0)
    {
      int errsv = errno;

      close (fd);
      return errsv;
    }
  close (n);
  close (fd);
  return 0;
}

/* Run @probes in a child that joined @dir; mismatches, one a line. */
static char *
probe_in_cgroup (const char *dir, const Probe *probes, guint n)
{
  g_autoptr (GString) problems = g_string_new (NULL);
  g_autofree int *results = g_new0 (int, n);
  ssize_t size = (ssize_t) (n * sizeof (int));
  ssize_t got;
  int fds[2];
  int status;
  pid_t pid;

  g_assert_cmpint (pipe2 (fds, O_CLOEXEC), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      close (fds[0]);
      join (dir);
      for (guint i = 0; i < n; i++)
        results[i] = probe (&probes[i]);
      if (write (fds[1], results, (size_t) size) != size)
        _exit (98);
      _exit (0);
    }
  close (fds[1]);
  got = read (fds[0], results, (size_t) size);
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  /* 99: it could not join the cgroup. */
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_cmpint (got, ==, size);
  for (guint i = 0; i < n; i++)
    if (results[i] != probes[i].expect)
      g_string_append_printf (problems, "%s: got %s, want %s\n",
                              probes[i].what,
                              results[i] == 0 ? "success"
                                              : g_strerror (results[i]),
                              probes[i].expect == 0
                                ? "success"
                                : g_strerror (probes[i].expect));
  return g_strdup (problems->str);
}

static void
test_confinement (gconstpointer data)
{
  GuestdCgroupMode mode = GPOINTER_TO_INT (data);
  g_autofree char *root = require (mode);
  g_autofree char *tmp = NULL;
  g_autofree char *kmsg = NULL;
  g_autoptr (GuestdCgroup) cg = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) probes = g_array_new (FALSE, TRUE, sizeof (Probe));
  g_autofree char *problems = NULL;
  g_autofree char *dir = NULL;
  GuestdCgroupDevice disks[2];
  guint n_disks = 0;
  Loop rw = { -1, NULL }, ro = { -1, NULL };
  const char *scratch[] = { "kmsg", "rw.img", "ro.img" };
  Probe always[] = {
    { "/dev/null O_RDWR", "/dev/null", O_RDWR, 0 },
    { "/dev/urandom O_RDONLY", "/dev/urandom", O_RDONLY, 0 },
    { "/dev/full O_WRONLY", "/dev/full", O_WRONLY, 0 },
    { "a pty", NULL, 0, 0 },
  };

  if (root == NULL)
    return;
  tmp = g_dir_make_tmp ("guestd-cgroup-XXXXXX", NULL);
  g_assert_nonnull (tmp);
  g_array_append_vals (probes, always, G_N_ELEMENTS (always));

  /* /dev/kmsg's numbers (root may read it), in a node of our own: not on
   * the list, so refused. */
  kmsg = g_build_filename (tmp, "kmsg", NULL);
  if (mknod (kmsg, S_IFCHR | 0600, makedev (1, 11)) == 0)
    {
      Probe p = { "c 1:11 (not listed) O_RDONLY", kmsg, O_RDONLY, EPERM };

      g_array_append_val (probes, p);
    }
  else
    g_test_message ("cannot make a device node in %s: %s; not tested",
                    tmp, g_strerror (errno));

  if (loop_attach (tmp, "rw.img", &rw) && loop_attach (tmp, "ro.img", &ro))
    {
      Probe p[] = {
        { "writable disk O_RDWR", rw.path, O_RDWR, 0 },
        { "read-only disk O_RDONLY", ro.path, O_RDONLY, 0 },
        { "read-only disk O_RDWR", ro.path, O_RDWR, EPERM },
        { "read-only disk O_WRONLY", ro.path, O_WRONLY, EPERM },
      };

      disks[n_disks++] = (GuestdCgroupDevice) { rw.path, FALSE };
      disks[n_disks++] = (GuestdCgroupDevice) { ro.path, TRUE };
      g_array_append_vals (probes, p, G_N_ELEMENTS (p));
    }
  else
    g_test_message ("no loop device to stand in for a disk; disks not "
                    "tested");

  /* Everything opens outside the cgroup: a refusal inside is the
   * cgroup's doing. */
  for (guint i = 0; i < probes->len; i++)
    {
      Probe outside = g_array_index (probes, Probe, i);

      outside.expect = 0;
      if (probe (&outside) != 0)
        g_error ("%s fails outside the cgroup too", outside.what);
    }

  cg = guestd_cgroup_new_machine (PARTITION, "confine", mode,
                                  guestd_default_cgroup_device_acl, disks,
                                  n_disks, &error);
  g_assert_no_error (error);
  g_assert_cmpint (guestd_cgroup_get_mode (cg), ==, mode);
  dir = expected_dir (root, "confine");
  g_assert_cmpstr (guestd_cgroup_get_dir (cg), ==, dir);

  problems = probe_in_cgroup (dir, (Probe *) probes->data, probes->len);
  g_assert_cmpstr (problems, ==, "");

  g_assert_true (guestd_cgroup_remove (cg, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));

  loop_detach (&rw);
  loop_detach (&ro);
  for (guint i = 0; i < G_N_ELEMENTS (scratch); i++)
    {
      g_autofree char *path = g_build_filename (tmp, scratch[i], NULL);

      g_unlink (path);
    }
  g_rmdir (tmp);
}

/* The number of device programs attached to @dir itself. */
static guint
attached_programs (const char *dir)
{
  g_autofd int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  union bpf_attr attr;

  g_assert_cmpint (fd, >=, 0);
  memset (&attr, 0, sizeof attr);
  attr.query.target_fd = (guint32) fd;
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  g_assert_cmpint (syscall (SYS_bpf, BPF_PROG_QUERY, &attr, sizeof attr), ==,
                   0);
  return attr.query.prog_cnt;
}

static void
assert_policy (GuestdCgroupMode mode, const char *dir, const char *v1_list)
{
  g_autofree char *path = g_build_filename (dir, "devices.list", NULL);
  g_autofree char *list = NULL;

  if (mode == GUESTD_CGROUP_V2)
    {
      g_assert_cmpuint (attached_programs (dir), ==, 1);
      return;
    }
  g_assert_true (g_file_get_contents (path, &list, NULL, NULL));
  g_assert_cmpstr (list, ==, v1_list);
}

static void
test_acl (gconstpointer data)
{
  GuestdCgroupMode mode = GPOINTER_TO_INT (data);
  g_autofree char *root = require (mode);
  g_autofree char *tmp = NULL;
  g_autofree char *file = NULL;
  g_autofree char *dir = NULL;
  g_autoptr (GuestdCgroup) cg = NULL;
  g_autoptr (GError) error = NULL;
  const char *missing[] = { "/dev/null", "/nonexistent/guestd-device", NULL };
  const char *relative[] = { "dev/null", NULL };
  const char *not_device[] = { "/dev/null", NULL, NULL };
  GuestdCgroupDevice no_disk = { "/nonexistent/guestd-disk", FALSE };
  GuestdCgroupDevice char_disk = { "/dev/null", FALSE };

  if (root == NULL)
    return;
  dir = expected_dir (root, "acl");

  /* Devices this host lacks are skipped; the rest is still enforced. */
  cg = guestd_cgroup_new_machine (PARTITION, "acl", mode, missing, NULL, 0,
                                  &error);
  g_assert_no_error (error);
  assert_policy (mode, dir, "c 1:3 rw\nc 136:* rw\n");
  g_assert_true (guestd_cgroup_remove (cg, &error));
  g_clear_pointer (&cg, guestd_cgroup_free);

  /* Anything else wrong names the path and leaves no cgroup behind. */
  tmp = g_dir_make_tmp ("guestd-cgroup-XXXXXX", NULL);
  file = g_build_filename (tmp, "not-a-device", NULL);
  g_assert_true (g_file_set_contents (file, "", 0, NULL));
  not_device[1] = file;
  cg = guestd_cgroup_new_machine (PARTITION, "acl", mode, not_device, NULL, 0,
                                  &error);
  g_assert_null (cg);
  g_assert_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED);
  test_assert_error_contains (error, file);
  test_assert_error_contains (error, "not a device node");
  g_clear_error (&error);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));

  cg = guestd_cgroup_new_machine (PARTITION, "acl", mode, relative, NULL, 0,
                                  &error);
  g_assert_null (cg);
  test_assert_error_contains (error, "dev/null");
  g_clear_error (&error);

  cg = guestd_cgroup_new_machine (PARTITION, "acl", mode, missing, &no_disk, 1,
                                  &error);
  g_assert_null (cg);
  test_assert_error_contains (error, no_disk.path);
  g_clear_error (&error);

  cg = guestd_cgroup_new_machine (PARTITION, "acl", mode, missing, &char_disk,
                                  1, &error);
  g_assert_null (cg);
  test_assert_error_contains (error, "not a block device");
  g_clear_error (&error);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));

  g_unlink (file);
  g_rmdir (tmp);
}

static void
test_leftover (gconstpointer data)
{
  GuestdCgroupMode mode = GPOINTER_TO_INT (data);
  g_autofree char *root = require (mode);
  g_autofree char *dir = NULL;
  g_autoptr (GuestdCgroup) first = NULL;
  g_autoptr (GuestdCgroup) second = NULL;
  g_autoptr (GuestdCgroup) busy = NULL;
  g_autoptr (GuestdCgroup) found = NULL;
  g_autoptr (GuestdCgroup) none = NULL;
  g_autoptr (GError) error = NULL;
  const char *only_null[] = { "/dev/null", NULL };
  const char *only_zero[] = { "/dev/zero", NULL };
  int fds[2];
  int status;
  char c;
  pid_t pid;

  if (root == NULL)
    return;
  dir = expected_dir (root, "leftover");

  /* A service restart finds nothing for a guest that has no cgroup. */
  none = guestd_cgroup_open_machine (PARTITION, "leftover", mode, &error);
  g_assert_no_error (error);
  g_assert_null (none);

  /* An empty leftover is replaced, with the new policy. */
  first = guestd_cgroup_new_machine (PARTITION, "leftover", mode, only_null,
                                     NULL, 0, &error);
  g_assert_no_error (error);
  second = guestd_cgroup_new_machine (PARTITION, "leftover", mode, only_zero,
                                      NULL, 0, &error);
  g_assert_no_error (error);
  assert_policy (mode, dir, "c 1:5 rw\nc 136:* rw\n");

  /* One with a process in it is not. */
  g_assert_cmpint (pipe2 (fds, O_CLOEXEC), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      close (fds[1]);
      join (dir);
      /* Until the test closes its end, or dies. */
      while (read (fds[0], &c, 1) < 0 && errno == EINTR)
        ;
      _exit (0);
    }
  close (fds[0]);
  for (int i = 0; i < 1000; i++)
    {
      g_autofree char *procs = NULL;
      g_autofree char *path = g_build_filename (dir, "cgroup.procs", NULL);

      g_assert_true (g_file_get_contents (path, &procs, NULL, NULL));
      if (*procs != '\0')
        break;
      g_usleep (10 * 1000);
    }
  busy = guestd_cgroup_new_machine (PARTITION, "leftover", mode, only_null,
                                    NULL, 0, &error);
  g_assert_null (busy);
  g_assert_error (error, GUESTD_ERROR, GUESTD_ERROR_OPERATION_INVALID);
  test_assert_error_contains (error, "still in use");
  g_clear_error (&error);
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));

  /* After a restart the running guest's cgroup is found again, and
   * removed once the guest is gone. */
  found = guestd_cgroup_open_machine (PARTITION, "leftover", mode, &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpstr (guestd_cgroup_get_dir (found), ==, dir);
  g_assert_cmpint (guestd_cgroup_get_mode (found), ==, mode);
  close (fds[1]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (guestd_cgroup_remove (found, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  /* Removing what is already gone is no error. */
  g_assert_true (guestd_cgroup_remove (second, &error));
  g_assert_no_error (error);
}

static void
test_auto (void)
{
  g_autofree char *v1 = hierarchy_root (GUESTD_CGROUP_V1);
  g_autofree char *v2 = hierarchy_root (GUESTD_CGROUP_V2);
  g_autoptr (GuestdCgroup) cg = NULL;
  g_autoptr (GError) error = NULL;
  const char *acl[] = { "/dev/null", NULL };
  GuestdCgroupMode want = v1 != NULL ? GUESTD_CGROUP_V1 : GUESTD_CGROUP_V2;
  g_autofree char *dir = NULL;

  if (getuid () != 0 || (v1 == NULL && v2 == NULL))
    {
      g_test_skip ("needs root and a cgroup hierarchy");
      return;
    }
  cg = guestd_cgroup_new_machine (PARTITION, "auto", GUESTD_CGROUP_AUTO, acl,
                                  NULL, 0, &error);
  g_assert_no_error (error);
  /* A hybrid host keeps the v1 devices controller. */
  g_assert_cmpint (guestd_cgroup_get_mode (cg), ==, want);
  dir = expected_dir (v1 != NULL ? v1 : v2, "auto");
  g_assert_cmpstr (guestd_cgroup_get_dir (cg), ==, dir);
  g_assert_true (guestd_cgroup_remove (cg, &error));
  g_assert_no_error (error);
}

static void
test_names (void)
{
  const char *bad_names[] = { "", ".", "..", "a/b", "../../escape" };
  const char *bad_partitions[] = { "..", "machine/../..", "/", "." };
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad_names); i++)
    {
      GuestdCgroup *cg = guestd_cgroup_new_machine (NULL, bad_names[i],
                                                    GUESTD_CGROUP_AUTO, NULL,
                                                    NULL, 0, &error);

      g_assert_null (cg);
      g_assert_error (error, GUESTD_ERROR, GUESTD_ERROR_INVALID_ARG);
      g_clear_error (&error);
      cg = guestd_cgroup_open_machine (NULL, bad_names[i], GUESTD_CGROUP_AUTO,
                                       &error);
      g_assert_null (cg);
      g_assert_error (error, GUESTD_ERROR, GUESTD_ERROR_INVALID_ARG);
      g_clear_error (&error);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_partitions); i++)
    {
      GuestdCgroup *cg = guestd_cgroup_new_machine (bad_partitions[i], "g",
                                                    GUESTD_CGROUP_AUTO, NULL,
                                                    NULL, 0, &error);

      g_assert_null (cg);
      g_assert_error (error, GUESTD_ERROR, GUESTD_ERROR_INVALID_ARG);
      g_clear_error (&error);
    }
}

/* ---- the v2 program, without the kernel ---- */

/* Runs the instructions the generator uses; aborts on any other, and on
 * jumps out of the program, so a malformed program fails here too. */
static int
run_program (const GArray *prog, guint32 type, guint32 access, guint32 maj,
             guint32 min)
{
  struct bpf_cgroup_dev_ctx ctx = { (access << 16) | type, maj, min };
  guint64 reg[11] = { 0 };
  gboolean set[11] = { FALSE };
  guint pc = 0;

  set[BPF_REG_1] = TRUE;
  while (TRUE)
    {
      const struct bpf_insn *i;

      g_assert_cmpuint (pc, <, prog->len);
      i = &g_array_index (prog, struct bpf_insn, pc++);
      switch (i->code)
        {
        case BPF_LDX | BPF_MEM | BPF_W:
          g_assert_cmpint (i->src_reg, ==, BPF_REG_1);
          g_assert_cmpint (i->off % 4, ==, 0);
          g_assert_cmpint (i->off, <, (int) sizeof ctx);
          reg[i->dst_reg] = *(guint32 *) ((char *) &ctx + i->off);
          set[i->dst_reg] = TRUE;
          break;
        case BPF_ALU64 | BPF_MOV | BPF_X:
          g_assert_true (set[i->src_reg]);
          reg[i->dst_reg] = reg[i->src_reg];
          set[i->dst_reg] = TRUE;
          break;
        case BPF_ALU64 | BPF_MOV | BPF_K:
          reg[i->dst_reg] = (guint64) (gint64) i->imm;
          set[i->dst_reg] = TRUE;
          break;
        case BPF_ALU64 | BPF_AND | BPF_K:
          g_assert_true (set[i->dst_reg]);
          reg[i->dst_reg] &= (guint64) (gint64) i->imm;
          break;
        case BPF_ALU64 | BPF_RSH | BPF_K:
          g_assert_true (set[i->dst_reg]);
          reg[i->dst_reg] >>= i->imm;
          break;
        case BPF_JMP | BPF_JNE | BPF_K:
          g_assert_true (set[i->dst_reg]);
          g_assert_cmpint (i->off, >=, 0);
          if (reg[i->dst_reg] != (guint64) (gint64) i->imm)
            pc += (guint) i->off;
          break;
        case BPF_JMP | BPF_JSET | BPF_K:
          g_assert_true (set[i->dst_reg]);
          g_assert_cmpint (i->off, >=, 0);
          if (reg[i->dst_reg] & (guint64) (gint64) i->imm)
            pc += (guint) i->off;
          break;
        case BPF_JMP | BPF_EXIT:
          g_assert_true (set[BPF_REG_0]);
          return (int) reg[BPF_REG_0];
        default:
          g_error ("unexpected instruction %#x at %u", i->code, pc - 1);
        }
    }
}

static void
test_program (void)
{
  const GuestdCgroupRule rules[] = {
    { 'c', 1, 3, FALSE },
    { 'b', 7, 0, TRUE },
    { 'c', 136, -1, FALSE },
  };
  const guint32 C = BPF_DEVCG_DEV_CHAR, B = BPF_DEVCG_DEV_BLOCK;
  const guint32 R = BPF_DEVCG_ACC_READ, W = BPF_DEVCG_ACC_WRITE;
  const guint32 M = BPF_DEVCG_ACC_MKNOD;
  struct
  {
    guint32 type, access, maj, min;
    int allowed;
  } cases[] = {
    { C, R | W, 1, 3, 1 },  { C, R, 1, 3, 1 },      { C, M, 1, 3, 0 },
    { C, R | M, 1, 3, 0 },  { C, R, 1, 4, 0 },      { C, R, 2, 3, 0 },
    { B, R, 1, 3, 0 },      { B, R, 7, 0, 1 },      { B, W, 7, 0, 0 },
    { B, R | W, 7, 0, 0 },  { B, R, 7, 1, 0 },      { C, R, 7, 0, 0 },
    { C, R | W, 136, 0, 1 }, { C, R | W, 136, 99999, 1 },
    { B, R, 136, 0, 0 },    { C, R | W, 137, 0, 0 }, { C, R, 0, 0, 0 },
  };
  g_autoptr (GArray) prog = guestd_cgroup_build_bpf_program (rules, 3);
  g_autoptr (GArray) empty = guestd_cgroup_build_bpf_program (NULL, 0);
  const struct bpf_insn *last;
  guint allows = 0;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int got = run_program (prog, cases[i].type, cases[i].access,
                             cases[i].maj, cases[i].min);

      if (got != cases[i].allowed)
        g_error ("case %u (%c %u:%u access %u): got %d", i,
                 cases[i].type == C ? 'c' : 'b', cases[i].maj, cases[i].min,
                 cases[i].access, got);
    }

  /* The shape: ends in a deny; one allowing exit per rule. */
  last = &g_array_index (prog, struct bpf_insn, prog->len - 2);
  g_assert_cmpint (last[0].code, ==, BPF_ALU64 | BPF_MOV | BPF_K);
  g_assert_cmpint (last[0].dst_reg, ==, BPF_REG_0);
  g_assert_cmpint (last[0].imm, ==, 0);
  g_assert_cmpint (last[1].code, ==, BPF_JMP | BPF_EXIT);
  for (guint i = 0; i + 1 < prog->len; i++)
    {
      const struct bpf_insn *in = &g_array_index (prog, struct bpf_insn, i);

      if (in[0].code == (BPF_ALU64 | BPF_MOV | BPF_K)
          && in[0].dst_reg == BPF_REG_0 && in[0].imm == 1
          && in[1].code == (BPF_JMP | BPF_EXIT))
        allows++;
    }
  g_assert_cmpuint (allows, ==, G_N_ELEMENTS (rules));

  /* No rule, nothing allowed. */
  g_assert_cmpint (run_program (empty, C, R, 1, 3), ==, 0);
  g_assert_cmpint (run_program (empty, B, R, 7, 0), ==, 0);
}

/* A KVM guest in its cgroup: QEMU opens /dev/kvm only when the acl has
 * it. Runs where /dev/kvm and QEMU exist (not on the CI machine; see
 * HACKING.md for the device machine), in whichever hierarchy AUTO picks. */
static gboolean
kvm_qemu_runs_in (GuestdCgroup *cg, char **log)
{
  /* QEMU sees only what the launcher passes on (a carried QEMU finds its
   * libraries through LD_LIBRARY_PATH). */
  g_autofree char *libs = g_strdup_printf (
    "LD_LIBRARY_PATH=%s", g_getenv ("LD_LIBRARY_PATH") ? g_getenv ("LD_LIBRARY_PATH") : "");
  const char *argv[] = { g_getenv ("GUESTD_LAUNCH"), "--cgroup",
                         guestd_cgroup_get_dir (cg), "--env", libs, "--",
                         "/usr/bin/qemu-system-x86_64", "-machine",
                         "pc,accel=kvm", "-m", "64", "-S", "-display", "none",
                         "-nodefaults", "-no-user-config", NULL };
  g_autoptr (GSubprocess) p = NULL;
  g_autoptr (GError) error = NULL;

  p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  /* Fails at once without /dev/kvm; waits in -S with it: still there
   * after a second means it runs, and our SIGKILL is what ends it. */
  g_usleep (G_USEC_PER_SEC);
  g_subprocess_send_signal (p, SIGKILL);
  g_subprocess_communicate_utf8 (p, NULL, NULL, NULL, log, &error);
  g_assert_no_error (error);
  return g_subprocess_get_if_signaled (p)
         && g_subprocess_get_term_sig (p) == SIGKILL;
}

static void
test_kvm (void)
{
  const char *with[] = { "/dev/null", "/dev/kvm", NULL };
  const char *without[] = { "/dev/null", NULL };
  g_autoptr (GuestdCgroup) yes = NULL;
  g_autoptr (GuestdCgroup) no = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *log_yes = NULL;
  g_autofree char *log_no = NULL;
  int fd;

  if (getuid () != 0 || g_getenv ("GUESTD_LAUNCH") == NULL
      || !g_file_test ("/usr/bin/qemu-system-x86_64", G_FILE_TEST_EXISTS)
      || (fd = open ("/dev/kvm", O_RDWR | O_CLOEXEC)) < 0)
    {
      g_test_skip ("needs root, QEMU and a usable /dev/kvm");
      return;
    }
  close (fd);
  yes = guestd_cgroup_new_machine (PARTITION, "kvm-yes", GUESTD_CGROUP_AUTO,
                                   with, NULL, 0, &error);
  g_assert_no_error (error);
  no = guestd_cgroup_new_machine (PARTITION, "kvm-no", GUESTD_CGROUP_AUTO,
                                  without, NULL, 0, &error);
  g_assert_no_error (error);
  g_test_message ("hierarchy: %s",
                  mode_name (guestd_cgroup_get_mode (yes)));
  if (!kvm_qemu_runs_in (yes, &log_yes))
    g_error ("QEMU with /dev/kvm allowed did not run: %s", log_yes);
  g_assert_false (kvm_qemu_runs_in (no, &log_no));
  g_assert_nonnull (strstr (log_no, "Operation not permitted"));
  g_assert_true (guestd_cgroup_remove (yes, &error));
  g_assert_true (guestd_cgroup_remove (no, &error));
}

int
main (int argc, char **argv)
{
  GuestdCgroupMode modes[] = { GUESTD_CGROUP_V1, GUESTD_CGROUP_V2 };
  int ret;

  g_test_init (&argc, &argv, NULL);
  clear_partition ();
  g_test_add_func ("/cgroup/program", test_program);
  g_test_add_func ("/cgroup/names", test_names);
  g_test_add_func ("/cgroup/auto", test_auto);
  g_test_add_func ("/cgroup/kvm", test_kvm);
  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autofree char *confine = g_strdup_printf ("/cgroup/%s/confinement",
                                                  mode_name (modes[m]));
      g_autofree char *acl = g_strdup_printf ("/cgroup/%s/acl",
                                              mode_name (modes[m]));
      g_autofree char *leftover = g_strdup_printf ("/cgroup/%s/leftover",
                                                   mode_name (modes[m]));

      g_test_add_data_func (confine, GINT_TO_POINTER (modes[m]),
                            test_confinement);
      g_test_add_data_func (acl, GINT_TO_POINTER (modes[m]), test_acl);
      g_test_add_data_func (leftover, GINT_TO_POINTER (modes[m]),
                            test_leftover);
    }
  ret = g_test_run ();
  clear_partition ();
  return ret;
}
