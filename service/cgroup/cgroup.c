/* A guest's device cgroup: where it lives, its allow-list, its removal. */
#include "config.h"

#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/error.h"
#include "util/glib-compat.h"
#include "util/i18n.h"

#define DEFAULT_PARTITION "machine"
#define DIR_SUFFIX ".guestd-qemu"
#define PTY_MAJOR 136

/* Exited tasks leave their cgroup a moment after the parent sees them
 * go: this is how long removal waits for that. */
#define REMOVE_TRIES 50
#define REMOVE_WAIT_US (20 * 1000)

struct _GuestdCgroup
{
  GuestdCgroupMode mode; /* V1 or V2 */
  char *dir;
};

/* The mount point of the v1 hierarchy with the devices controller, or of
 * the v2 hierarchy; NULL when it is not mounted. */
static char *
find_hierarchy (GuestdCgroupMode mode)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/self/mountinfo", &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      /* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL…] - FSTYPE
       * SOURCE SUPEROPTS": the optional fields vary in number, so the
       * fields after the " - " separator are found from it. */
      const char *sep = strstr (lines[i], " - ");
      g_auto (GStrv) head = NULL;
      g_auto (GStrv) tail = NULL;

      if (sep == NULL)
        continue;
      head = g_strsplit (lines[i], " ", 6);
      tail = g_strsplit (sep + 3, " ", 3);
      if (g_strv_length (head) < 6 || g_strv_length (tail) < 3)
        continue;
      if (mode == GUESTD_CGROUP_V2 && g_str_equal (tail[0], "cgroup2"))
        return g_strcompress (head[4]);
      if (mode == GUESTD_CGROUP_V1 && g_str_equal (tail[0], "cgroup"))
        {
          g_auto (GStrv) opts = g_strsplit (g_strchomp (tail[2]), ",", -1);

          if (g_strv_contains ((const char *const *) opts, "devices"))
            return g_strcompress (head[4]);
        }
    }
  return NULL;
}

/* Resolve AUTO and find the hierarchy's mount point. */
static char *
pick_hierarchy (GuestdCgroupMode *mode)
{
  char *root;

  if (*mode != GUESTD_CGROUP_AUTO)
    return find_hierarchy (*mode);
  /* On a hybrid host the v1 controller is the one the kernel applies to
   * devices that systemd and libvirt set up; stay with it. */
  root = find_hierarchy (GUESTD_CGROUP_V1);
  if (root != NULL)
    {
      *mode = GUESTD_CGROUP_V1;
      return root;
    }
  root = find_hierarchy (GUESTD_CGROUP_V2);
  if (root != NULL)
    *mode = GUESTD_CGROUP_V2;
  return root;
}

/* Names come validated from the caller; refusing any that could leave
 * the partition keeps a mistake there from writing elsewhere in the
 * hierarchy. */
static gboolean
is_component (const char *s)
{
  return *s != '\0' && strchr (s, '/') == NULL && !g_str_equal (s, ".")
         && !g_str_equal (s, "..");
}

/* The partition ("machine", libvirt's "/machine", "machine/sub") relative
 * to the hierarchy's root. */
static char *
partition_path (const char *partition, GError **error)
{
  g_auto (GStrv) parts = NULL;
  g_autoptr (GPtrArray) kept = g_ptr_array_new ();

  if (partition == NULL)
    partition = DEFAULT_PARTITION;
  parts = g_strsplit (partition, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (*parts[i] == '\0')
        continue;
      if (!is_component (parts[i]))
        {
          g_ptr_array_set_size (kept, 0);
          break;
        }
      g_ptr_array_add (kept, parts[i]);
    }
  if (kept->len == 0)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_INVALID_ARG,
                   _("'%s' cannot be used as a cgroup partition"), partition);
      return NULL;
    }
  g_ptr_array_add (kept, NULL);
  return g_strjoinv ("/", (char **) kept->pdata);
}

/* The guest's directory in the hierarchy @mode resolves to; @dir is NULL
 * when that hierarchy is not mounted. */
static gboolean
machine_dir (const char *partition, const char *name, GuestdCgroupMode *mode,
             char **dir, GError **error)
{
  g_autofree char *part = NULL;
  g_autofree char *root = NULL;
  g_autofree char *leaf = NULL;

  *dir = NULL;
  if (!is_component (name))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_INVALID_ARG,
                   _("guest name '%s' cannot name a cgroup"), name);
      return FALSE;
    }
  part = partition_path (partition, error);
  if (part == NULL)
    return FALSE;
  root = pick_hierarchy (mode);
  if (root == NULL)
    return TRUE;
  leaf = g_strconcat (name, DIR_SUFFIX, NULL);
  *dir = g_build_filename (root, part, leaf, NULL);
  return TRUE;
}

static gboolean
write_file (const char *dir, const char *file, const char *value,
            GError **error)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofd int fd = open (path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  size_t len = strlen (value);
  ssize_t n = -1;

  /* cgroup files take one value per write(): never split it. */
  if (fd >= 0)
    n = write (fd, value, len);
  if (n != (ssize_t) len)
    {
      guestd_set_error_errno (error, n < 0 ? errno : EIO,
                              _("cannot write '%s' to %s"), value, path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
has_processes (const char *dir, gboolean *result, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "cgroup.procs", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) local = NULL;

  if (!g_file_get_contents (path, &text, NULL, &local))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_SYSTEM, "%s",
                   local->message);
      return FALSE;
    }
  *result = *g_strstrip (text) != '\0';
  return TRUE;
}

static gboolean
remove_dir (const char *dir, GError **error)
{
  for (int i = 0;; i++)
    {
      if (rmdir (dir) == 0 || errno == ENOENT)
        return TRUE;
      if (errno != EBUSY || i == REMOVE_TRIES)
        break;
      g_usleep (REMOVE_WAIT_US);
    }
  guestd_set_error_errno (error, errno, _("cannot remove the cgroup %s"),
                          dir);
  return FALSE;
}

/* The partition's directories, created when missing. */
static gboolean
make_parents (const char *dir, GError **error)
{
  g_autofree char *parent = g_path_get_dirname (dir);

  if (g_mkdir_with_parents (parent, 0755) < 0)
    {
      guestd_set_error_errno (error, errno, _("cannot create the cgroup %s"),
                              parent);
      return FALSE;
    }
  return TRUE;
}

/* A device node's rule. A cgroup_device_acl entry absent on this host is
 * skipped, as libvirt does: the default list names devices some hosts
 * lack. A disk must exist: QEMU is about to open it. */
static gboolean
add_rule (GArray *rules, const char *path, gboolean readonly,
          gboolean is_disk, const char *name, GError **error)
{
  GuestdCgroupRule rule = { 0 };
  struct stat st;

  if (!g_path_is_absolute (path))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                   _("cannot give guest '%s' access to '%s': it is not an "
                     "absolute path"),
                   name, path);
      return FALSE;
    }
  if (stat (path, &st) < 0)
    {
      if (errno == ENOENT && !is_disk)
        return TRUE;
      guestd_set_error_errno (error, errno,
                              _("cannot give guest '%s' access to %s"),
                              name, path);
      return FALSE;
    }
  if (is_disk && !S_ISBLK (st.st_mode))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                   _("cannot give guest '%s' access to the disk %s: it is not "
                     "a block device"),
                   name, path);
      return FALSE;
    }
  if (!S_ISCHR (st.st_mode) && !S_ISBLK (st.st_mode))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                   _("cannot give guest '%s' access to %s: it is not a device "
                     "node; remove it from cgroup_device_acl in qemu.conf"),
                   name, path);
      return FALSE;
    }
  rule.type = S_ISCHR (st.st_mode) ? 'c' : 'b';
  rule.major = major (st.st_rdev);
  rule.minor = (gint) minor (st.st_rdev);
  rule.readonly = readonly;
  g_array_append_val (rules, rule);
  return TRUE;
}

static GArray *
collect_rules (const char *name, const char *const *acl,
               const GuestdCgroupDevice *disks, guint n_disks,
               GError **error)
{
  g_autoptr (GArray) rules = g_array_new (FALSE, TRUE,
                                          sizeof (GuestdCgroupRule));
  GuestdCgroupRule pty = { 'c', PTY_MAJOR, -1, FALSE };

  for (guint i = 0; acl != NULL && acl[i] != NULL; i++)
    if (!add_rule (rules, acl[i], FALSE, FALSE, name, error))
      return NULL;
  /* Serial consoles and the like are ptys QEMU opens after the start. */
  g_array_append_val (rules, pty);
  for (guint i = 0; i < n_disks; i++)
    if (!add_rule (rules, disks[i].path, disks[i].readonly, TRUE, name,
                   error))
      return NULL;
  return g_steal_pointer (&rules);
}

static gboolean
apply_v1 (const char *dir, const GArray *rules, GError **error)
{
  if (!write_file (dir, "devices.deny", "a", error))
    return FALSE;
  for (guint i = 0; i < rules->len; i++)
    {
      const GuestdCgroupRule *r = &g_array_index (rules, GuestdCgroupRule, i);
      g_autofree char *minor = r->minor < 0 ? g_strdup ("*")
                                            : g_strdup_printf ("%d", r->minor);
      g_autofree char *line = g_strdup_printf ("%c %u:%s %s", r->type,
                                               r->major, minor,
                                               r->readonly ? "r" : "rw");

      if (!write_file (dir, "devices.allow", line, error))
        return FALSE;
    }
  return TRUE;
}

static struct bpf_insn
insn (guint8 code, guint8 dst, guint8 src, gint16 off, gint32 imm)
{
  struct bpf_insn i = { 0 };

  i.code = code;
  i.dst_reg = dst;
  i.src_reg = src;
  i.off = off;
  i.imm = imm;
  return i;
}

/* Registers of the program: R1 is the context on entry. */
#define REG_ACCESS BPF_REG_2 /* BPF_DEVCG_ACC_* bits */
#define REG_TYPE BPF_REG_3   /* BPF_DEVCG_DEV_* */
#define REG_MAJOR BPF_REG_4
#define REG_MINOR BPF_REG_5

GArray *
guestd_cgroup_build_bpf_program (const GuestdCgroupRule *rules,
                                 guint n_rules)
{
  GArray *p = g_array_new (FALSE, TRUE, sizeof (struct bpf_insn));
  struct bpf_insn i;

#define EMIT(...) (i = insn (__VA_ARGS__), g_array_append_val (p, i))
  /* access_type packs the access (high 16 bits) over the device type. */
  EMIT (BPF_LDX | BPF_MEM | BPF_W, REG_ACCESS, BPF_REG_1,
        offsetof (struct bpf_cgroup_dev_ctx, access_type), 0);
  EMIT (BPF_LDX | BPF_MEM | BPF_W, REG_MAJOR, BPF_REG_1,
        offsetof (struct bpf_cgroup_dev_ctx, major), 0);
  EMIT (BPF_LDX | BPF_MEM | BPF_W, REG_MINOR, BPF_REG_1,
        offsetof (struct bpf_cgroup_dev_ctx, minor), 0);
  EMIT (BPF_ALU64 | BPF_MOV | BPF_X, REG_TYPE, REG_ACCESS, 0, 0);
  EMIT (BPF_ALU64 | BPF_AND | BPF_K, REG_TYPE, 0, 0, 0xffff);
  EMIT (BPF_ALU64 | BPF_RSH | BPF_K, REG_ACCESS, 0, 0, 16);

  /* One block per rule; any mismatch jumps to the next block, so the
   * rules add up, and the end denies what none allowed. */
  for (guint r = 0; r < n_rules; r++)
    {
      const GuestdCgroupRule *rule = &rules[r];
      gint32 type = rule->type == 'b' ? BPF_DEVCG_DEV_BLOCK
                                      : BPF_DEVCG_DEV_CHAR;
      /* mknod is never granted: QEMU opens nodes, it does not make them. */
      gint32 refused = BPF_DEVCG_ACC_MKNOD
                       | (rule->readonly ? BPF_DEVCG_ACC_WRITE : 0);
      /* The block's length; each check jumps over what follows it. */
      gint16 left = rule->minor >= 0 ? 6 : 5;

      EMIT (BPF_JMP | BPF_JNE | BPF_K, REG_TYPE, 0, --left, type);
      EMIT (BPF_JMP | BPF_JNE | BPF_K, REG_MAJOR, 0, --left,
            (gint32) rule->major);
      if (rule->minor >= 0)
        EMIT (BPF_JMP | BPF_JNE | BPF_K, REG_MINOR, 0, --left, rule->minor);
      EMIT (BPF_JMP | BPF_JSET | BPF_K, REG_ACCESS, 0, --left, refused);
      EMIT (BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
      EMIT (BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    }
  EMIT (BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
  EMIT (BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
#undef EMIT
  return p;
}

static int
bpf_load (const GArray *prog, char *log, guint32 log_size)
{
  union bpf_attr attr;

  memset (&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (guint64) (guintptr) prog->data;
  attr.insn_cnt = prog->len;
  /* The kernel reads the license only to gate GPL-only helpers, which
   * this program does not call: state the project's own. */
  attr.license = (guint64) (guintptr) "LGPL-2.1-or-later";
  attr.log_buf = (guint64) (guintptr) log;
  attr.log_size = log_size;
  attr.log_level = log != NULL ? 1 : 0;
  return (int) syscall (SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
}

static gboolean
apply_v2 (const char *dir, const char *name, const GArray *rules,
          GError **error)
{
  g_autoptr (GArray) prog = guestd_cgroup_build_bpf_program (
    (const GuestdCgroupRule *) rules->data, rules->len);
  g_autofd int prog_fd = -1;
  g_autofd int dir_fd = -1;
  union bpf_attr attr;

  prog_fd = bpf_load (prog, NULL, 0);
  if (prog_fd < 0)
    {
      int errsv = errno;
      g_autofree char *log = g_malloc0 (65536);

      /* Again, with the verifier's reasons, for the message. */
      if (bpf_load (prog, log, 65536) < 0 && *g_strstrip (log) != '\0')
        g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_SYSTEM,
                     _("cannot load the device program of guest '%s': %s: "
                       "%s"),
                     name, g_strerror (errsv), log);
      else
        guestd_set_error_errno (error, errsv,
                                _("cannot load the device program of guest "
                                  "'%s'"),
                                name);
      return FALSE;
    }
  dir_fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (dir_fd < 0)
    {
      guestd_set_error_errno (error, errno, _("cannot open the cgroup %s"),
                              dir);
      return FALSE;
    }
  memset (&attr, 0, sizeof attr);
  attr.target_fd = (guint32) dir_fd;
  attr.attach_bpf_fd = (guint32) prog_fd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  /* Programs of the cgroups above keep applying too (the kernel allows a
   * device only when every program does), so a policy set higher up is
   * never loosened here. The attachment holds the program: its fd can
   * go. */
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (syscall (SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof attr) < 0)
    {
      guestd_set_error_errno (error, errno,
                              _("cannot attach the device program to the "
                                "cgroup %s"),
                              dir);
      return FALSE;
    }
  return TRUE;
}

static void
report_unmounted (GuestdCgroupMode mode, GError **error)
{
  g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
               mode == GUESTD_CGROUP_V1
                 ? _("the cgroup v1 devices controller is not mounted")
               : mode == GUESTD_CGROUP_V2
                 ? _("no cgroup v2 hierarchy is mounted")
                 : _("neither the cgroup v1 devices controller nor a cgroup "
                     "v2 hierarchy is mounted"));
}

/* A leftover of an earlier run of the same guest goes, unless something
 * still runs in it. */
static gboolean
clear_leftover (const char *dir, const char *name, GError **error)
{
  gboolean busy = FALSE;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return TRUE;
  if (!has_processes (dir, &busy, error))
    return FALSE;
  if (busy)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_OPERATION_INVALID,
                   _("the cgroup %s of guest '%s' is still in use by "
                     "processes; stop them before starting the guest"),
                   dir, name);
      return FALSE;
    }
  return remove_dir (dir, error);
}

GuestdCgroup *
guestd_cgroup_new_machine (const char *partition, const char *name,
                           GuestdCgroupMode mode, const char *const *acl,
                           const GuestdCgroupDevice *disks, guint n_disks,
                           GError **error)
{
  g_autoptr (GuestdCgroup) cg = NULL;
  g_autoptr (GArray) rules = NULL;
  g_autofree char *dir = NULL;
  GuestdCgroupMode requested = mode;
  gboolean ok;

  if (!machine_dir (partition, name, &mode, &dir, error))
    return NULL;
  if (dir == NULL)
    {
      report_unmounted (requested, error);
      return NULL;
    }
  /* Before touching the hierarchy: a bad list leaves nothing behind. */
  rules = collect_rules (name, acl, disks, n_disks, error);
  if (rules == NULL)
    return NULL;
  if (!clear_leftover (dir, name, error) || !make_parents (dir, error))
    return NULL;
  if (mkdir (dir, 0755) < 0)
    {
      guestd_set_error_errno (error, errno, _("cannot create the cgroup %s"),
                              dir);
      return NULL;
    }
  ok = mode == GUESTD_CGROUP_V1 ? apply_v1 (dir, rules, error)
                                : apply_v2 (dir, name, rules, error);
  if (!ok)
    {
      rmdir (dir);
      return NULL;
    }
  cg = g_new0 (GuestdCgroup, 1);
  cg->mode = mode;
  cg->dir = g_steal_pointer (&dir);
  return g_steal_pointer (&cg);
}

GuestdCgroup *
guestd_cgroup_open_machine (const char *partition, const char *name,
                            GuestdCgroupMode mode, GError **error)
{
  GuestdCgroup *cg;
  g_autofree char *dir = NULL;

  if (!machine_dir (partition, name, &mode, &dir, error))
    return NULL;
  /* No hierarchy, no cgroup: nothing to remove. */
  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    return NULL;
  cg = g_new0 (GuestdCgroup, 1);
  cg->mode = mode;
  cg->dir = g_steal_pointer (&dir);
  return cg;
}

const char *
guestd_cgroup_get_dir (GuestdCgroup *cg)
{
  return cg->dir;
}

GuestdCgroupMode
guestd_cgroup_get_mode (GuestdCgroup *cg)
{
  return cg->mode;
}

gboolean
guestd_cgroup_remove (GuestdCgroup *cg, GError **error)
{
  /* The kernel detaches the v2 program with the directory. */
  return remove_dir (cg->dir, error);
}

void
guestd_cgroup_free (GuestdCgroup *cg)
{
  if (cg == NULL)
    return;
  g_free (cg->dir);
  g_free (cg);
}
