/* File ownership for the guest account (DAC): hand a guest's files to the
 * account QEMU runs as, and give them back.
 *
 * This runs as root on paths that an unprivileged caller chose. So a path
 * is opened once, without following any symbolic link, checked through
 * the descriptor, and changed only through that descriptor: what was
 * checked is what is changed.
 *
 * The original owner lives on the file, in trusted.* attributes that only
 * root can write, together with the boot it was recorded in and the
 * ledgers holding the file. Each guest's ledger lists, before anything
 * changes, the paths it is about to hold. Claiming and releasing are
 * idempotent per ledger (a holder is added or removed once), so replaying
 * a ledger after a crash at any point gives back exactly what was taken.
 * A record from an earlier boot has no live holder: its owner is the true
 * original one. */
#include "config.h"

#include "dac.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util/error.h"
#include "util/file-util.h"
#include "util/glib-compat.h"
#include "util/i18n.h"

#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"

/* Never handed to a guest, whatever a definition says; block devices
 * under /dev are the one exception. */
static const char *const system_dirs[] = {
  "/etc", "/usr", "/boot", "/proc", "/sys", "/bin", "/sbin", "/lib",
  "/lib32", "/lib64", "/root", "/dev", "/run", NULL,
};

/* ---- the files of a guest ---- */

GuestdDacFile *
guestd_dac_file_new (const char *path, const char *what, gboolean write,
                     gboolean create)
{
  GuestdDacFile *f = g_new0 (GuestdDacFile, 1);

  f->path = g_strdup (path);
  f->what = g_strdup (what);
  f->write = write;
  f->create = create;
  return f;
}

void
guestd_dac_file_free (GuestdDacFile *file)
{
  if (file == NULL)
    return;
  g_free (file->path);
  g_free (file->what);
  g_free (file);
}

/* Once per path: a console usually repeats its serial port's file, and a
 * file taken twice by one guest would be given back twice. */
static void
add_file (GPtrArray *files, const char *path, const char *what,
          gboolean write, gboolean create)
{
  if (path == NULL)
    return;
  for (guint i = 0; i < files->len; i++)
    {
      GuestdDacFile *f = files->pdata[i];

      if (g_str_equal (f->path, path))
        {
          f->write |= write;
          f->create |= create;
          return;
        }
    }
  g_ptr_array_add (files, guestd_dac_file_new (path, what, write, create));
}

static const char *
chr_what (GuestdChrDevice device, gboolean log)
{
  switch (device)
    {
    case GUESTD_CHR_DEV_SERIAL:
      return log ? _("serial port log file") : _("serial port file");
    case GUESTD_CHR_DEV_PARALLEL:
      return log ? _("parallel port log file") : _("parallel port file");
    case GUESTD_CHR_DEV_CONSOLE:
      return log ? _("console log file") : _("console file");
    case GUESTD_CHR_DEV_CHANNEL:
    default:
      return log ? _("channel log file") : _("channel file");
    }
}

static void
add_chr_files (GPtrArray *files, GPtrArray *chrs)
{
  for (guint i = 0; chrs != NULL && i < chrs->len; i++)
    {
      GuestdChrDef *c = chrs->pdata[i];

      /* QEMU opens these itself, as the guest's account. */
      if (c->type == GUESTD_CHR_FILE)
        add_file (files, c->path, chr_what (c->device, FALSE), TRUE, TRUE);
      add_file (files, c->log_file, chr_what (c->device, TRUE), TRUE, TRUE);
    }
}

GPtrArray *
guestd_dac_domain_files (const GuestdDomainDef *def)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (
    (GDestroyNotify) guestd_dac_file_free);

  for (guint i = 0; def->disks != NULL && i < def->disks->len; i++)
    {
      GuestdDiskDef *d = def->disks->pdata[i];
      g_autofree char *what = NULL;

      /* Read-only and shared images stay with their owner: handing them
       * over would let this guest write what others rely on. */
      if (d->src == NULL || d->readonly || d->shareable
          || d->device == GUESTD_DISK_DEVICE_CDROM)
        continue;
      what = g_strdup_printf (_("disk '%s' image"), d->target);
      add_file (files, d->src, what, TRUE, FALSE);
    }
  add_file (files, def->os.nvram, _("UEFI variable store"), TRUE, FALSE);
  add_file (files, def->os.kernel, _("kernel"), FALSE, FALSE);
  add_file (files, def->os.initrd, _("initrd"), FALSE, FALSE);
  add_file (files, def->os.dtb, _("device tree"), FALSE, FALSE);
  add_chr_files (files, def->serials);
  add_chr_files (files, def->parallels);
  add_chr_files (files, def->consoles);
  add_chr_files (files, def->channels);
  return files;
}

/* ---- opening a path safely ---- */

/* Absolute, and no ".", ".." or empty component: then a path with no
 * symbolic link in it is its own canonical name, which is what the
 * location checks compare. */
static gboolean
path_is_plain (const char *path)
{
  g_auto (GStrv) parts = NULL;

  if (path[0] != '/' || path[1] == '\0')
    return FALSE;
  parts = g_strsplit (path + 1, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] == '\0' || g_str_equal (parts[i], ".")
        || g_str_equal (parts[i], ".."))
      return FALSE;
  return TRUE;
}

static char *
fd_proc_path (int fd)
{
  return g_strdup_printf ("/proc/self/fd/%d", fd);
}

/* Open @path with @flags without following any symbolic link on the way:
 * the descriptor, and @st filled in; or -1 and errno, ELOOP when a link
 * was in the way. */
static int
open_nofollow (const char *path, int flags, struct stat *st)
{
  g_autofd int fd = -1;
  g_autofree char *proc = NULL;
  char real[PATH_MAX + 1];
  ssize_t n;

#ifdef SYS_openat2
  struct open_how how = {
    .flags = (guint64) (flags | O_NOFOLLOW | O_CLOEXEC),
    .resolve = RESOLVE_NO_SYMLINKS,
  };

  fd = (int) syscall (SYS_openat2, AT_FDCWD, path, &how, sizeof how);
  if (fd < 0 && errno != ENOSYS)
    return -1;
#endif
  if (fd < 0)
    fd = open (path, flags | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || fstat (fd, st) < 0)
    return -1;
  /* O_NOFOLLOW with O_PATH opens a trailing link itself. */
  if (S_ISLNK (st->st_mode))
    {
      errno = ELOOP;
      return -1;
    }
  /* Without openat2 (old kernels, some sandboxes) a directory on the way
   * may have been a link: ask the kernel where the descriptor leads. */
  proc = fd_proc_path (fd);
  n = readlink (proc, real, sizeof real - 1);
  if (n < 0)
    return -1;
  real[n] = '\0';
  if (!g_str_equal (real, path))
    {
      errno = ELOOP;
      return -1;
    }
  return g_steal_fd (&fd);
}

/* The first symbolic link on the way to @path and where it points, for
 * the message that says what to write instead. */
static gboolean
find_symlink (const char *path, char **link, char **target)
{
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  g_autoptr (GString) prefix = g_string_new (NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      struct stat st;

      if (parts[i][0] == '\0')
        continue;
      g_string_append_printf (prefix, "/%s", parts[i]);
      if (lstat (prefix->str, &st) < 0)
        return FALSE;
      if (S_ISLNK (st.st_mode))
        {
          *target = g_file_read_link (prefix->str, NULL);
          if (*target == NULL)
            return FALSE;
          *link = g_string_free (g_steal_pointer (&prefix), FALSE);
          return TRUE;
        }
    }
  return FALSE;
}

static void
set_open_error (const GuestdDacFile *f, int errsv, GError **error)
{
  g_autofree char *link = NULL;
  g_autofree char *target = NULL;

  if (errsv == ENOENT)
    g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_OPERATION_FAILED,
                 _("%s %s does not exist"), f->what, f->path);
  else if (errsv == ELOOP && find_symlink (f->path, &link, &target))
    g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                 _("%s %s is reached through a symbolic link (%s points to "
                   "%s); give the path of the file itself"),
                 f->what, f->path, link, target);
  else if (errsv == ELOOP)
    g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                 _("%s %s is reached through a symbolic link; give the path "
                   "of the file itself"),
                 f->what, f->path);
  else
    guestd_set_error_errno (error, errsv, _("cannot open %s %s"), f->what,
                            f->path);
}

static const char *
file_kind (mode_t mode)
{
  if (S_ISDIR (mode))
    return _("a directory");
  if (S_ISFIFO (mode))
    return _("a named pipe (FIFO)");
  if (S_ISSOCK (mode))
    return _("a socket");
  if (S_ISCHR (mode))
    return _("a character device");
  if (S_ISLNK (mode))
    return _("a symbolic link");
  return _("not a regular file");
}

static gboolean
check_location (const GuestdDacFile *f, gboolean block,
                const char *const *refused, GError **error)
{
  const char *hit = NULL;

  for (guint i = 0; hit == NULL && system_dirs[i] != NULL; i++)
    if (guestd_path_is_under (f->path, system_dirs[i])
        && !(block && g_str_equal (system_dirs[i], "/dev")))
      hit = system_dirs[i];
  for (guint i = 0; hit == NULL && refused != NULL && refused[i] != NULL; i++)
    {
      g_autofree char *real = realpath (refused[i], NULL);

      if (guestd_path_is_under (f->path, refused[i])
          || (real != NULL && guestd_path_is_under (f->path, real)))
        hit = refused[i];
    }
  if (hit == NULL)
    return TRUE;
  g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_ACCESS_DENIED,
               _("refusing to hand %s %s to the guest's account: it is a "
                 "system file (under %s)"),
               f->what, f->path, hit);
  return FALSE;
}

/* Create an empty file QEMU will write (a serial port's output). The
 * directory is opened as safely as any file, then the file created in it
 * with O_EXCL, which never follows a link. */
static gboolean
create_if_missing (const GuestdDacFile *f, uid_t author, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (f->path);
  g_autofree char *base = g_path_get_basename (f->path);
  g_autofd int dfd = -1;
  g_autofd int fd = -1;
  struct stat st;

  /* Not O_DIRECTORY: a link in its place must read as a link. */
  dfd = open_nofollow (dir, O_PATH, &st);
  if (dfd >= 0 && !S_ISDIR (st.st_mode))
    {
      g_clear_fd (&dfd, NULL);
      errno = ENOTDIR;
    }
  if (dfd < 0)
    {
      int errsv = errno;

      if (errsv == ELOOP)
        set_open_error (f, errsv, error);
      else
        guestd_set_error_errno (error, errsv, _("cannot create %s %s"),
                                f->what, f->path);
      return FALSE;
    }
  if (author != 0 && st.st_uid != author)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_ACCESS_DENIED,
                   _("refusing to create %s %s: directory %s belongs to uid "
                     "%u, not to the domain's author (uid %u)"),
                   f->what, f->path, dir, (guint) st.st_uid, (guint) author);
      return FALSE;
    }
  fd = openat (dfd, base,
               O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
               0600);
  if (fd < 0 && errno != EEXIST)
    {
      guestd_set_error_errno (error, errno, _("cannot create %s %s"), f->what,
                              f->path);
      return FALSE;
    }
  return TRUE;
}

/* Ignoring supplementary groups and ACLs: at worst a file is handed over
 * that did not need to be. */
static gboolean
account_can_read (const struct stat *st, uid_t uid, gid_t gid)
{
  if (uid == 0)
    return TRUE;
  if (st->st_uid == uid)
    return (st->st_mode & S_IRUSR) != 0;
  if (st->st_gid == gid)
    return (st->st_mode & S_IRGRP) != 0;
  return (st->st_mode & S_IROTH) != 0;
}

static gboolean
has_record (int fd)
{
  g_autofree char *proc = fd_proc_path (fd);

  return getxattr (proc, GUESTD_DAC_XATTR_OWNER, NULL, 0) >= 0;
}

static gboolean owned_by_author (int fd, const struct stat *st,
                                 uid_t author);

/* Open one file of a guest and check, through the descriptor, that it may
 * be handed over. -1 with *@skip set: nothing to do for it. */
static int
open_checked (const GuestdDacFile *f, const char *const *refused, uid_t uid,
              gid_t gid, uid_t author, struct stat *st, gboolean *skip,
              GError **error)
{
  g_autofd int fd = -1;
  g_autofree char *proc = NULL;

  *skip = FALSE;
  if (!path_is_plain (f->path))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_INVALID_ARG,
                   _("%s path '%s' must be absolute, without '.', '..' or "
                     "empty components"),
                   f->what, f->path);
      return -1;
    }
  /* Nothing is created in a place that is refused anyway. */
  if (f->create
      && (!check_location (f, FALSE, refused, error)
          || !create_if_missing (f, author, error)))
    return -1;
  fd = open_nofollow (f->path, O_PATH, st);
  if (fd < 0)
    {
      int errsv = errno;
      struct stat target;

      /* A kernel reached through a link (/boot/vmlinuz) that QEMU can
       * read anyway needs nothing from us, and we change nothing. */
      if (errsv == ELOOP && !f->write && stat (f->path, &target) == 0
          && S_ISREG (target.st_mode)
          && account_can_read (&target, uid, gid))
        {
          *skip = TRUE;
          return -1;
        }
      set_open_error (f, errsv, error);
      return -1;
    }
  /* A kernel the account can read already has nothing to hand over,
   * unless another guest holds it: then this one takes its share. */
  if (!f->write && !has_record (fd) && account_can_read (st, uid, gid))
    {
      *skip = TRUE;
      return -1;
    }
  if (!S_ISREG (st->st_mode) && !S_ISBLK (st->st_mode))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                   _("%s %s is %s; only regular files and block devices can "
                     "be handed to the guest's account"),
                   f->what, f->path, file_kind (st->st_mode));
      return -1;
    }
  if (!check_location (f, S_ISBLK (st->st_mode), refused, error))
    return -1;
  /* Another name of the same file may be /etc/shadow. */
  if (S_ISREG (st->st_mode) && st->st_nlink > 1)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                   _("%s %s has %lu hard links; a file with more than one "
                     "name cannot be handed to the guest's account safely "
                     "(use a copy of it)"),
                   f->what, f->path, (unsigned long) st->st_nlink);
      return -1;
    }
  if (S_ISREG (st->st_mode) && (st->st_mode & (S_ISUID | S_ISGID)) != 0)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_ACCESS_DENIED,
                   _("refusing to hand %s %s to the guest's account: it is a "
                     "set-user-ID or set-group-ID program"),
                   f->what, f->path);
      return -1;
    }
  if (author != 0 && !owned_by_author (fd, st, author))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_ACCESS_DENIED,
                   _("refusing to hand %s %s to the guest's account: it "
                     "belongs to uid %u, not to the domain's author (uid "
                     "%u); only root's domains may use other accounts' "
                     "files"),
                   f->what, f->path, (guint) st->st_uid, (guint) author);
      return -1;
    }
  proc = fd_proc_path (fd);
  if (getxattr (proc, GUESTD_DAC_XATTR_OWNER, NULL, 0) < 0
      && (errno == ENOTSUP || errno == EOPNOTSUPP))
    {
      /* Without a place for the record there is nothing to give back
       * later, which is fine only if nothing changes hands. */
      if (st->st_uid == uid && st->st_gid == gid)
        {
          *skip = TRUE;
          return -1;
        }
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_OPERATION_FAILED,
                   _("cannot hand %s %s to the guest's account: its file "
                     "system cannot record the original owner (no trusted.* "
                     "extended attributes); give it to %u:%u yourself"),
                   f->what, f->path, (guint) uid, (guint) gid);
      return -1;
    }
  return g_steal_fd (&fd);
}

/* ---- the record on the file ---- */

typedef struct
{
  gboolean present; /* an original owner is recorded */
  uid_t uid;
  gid_t gid;
  char *boot;
  GPtrArray *holders; /* char *, ledger names */
} Record;

static void
record_clear (Record *r)
{
  g_free (r->boot);
  g_clear_pointer (&r->holders, g_ptr_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Record, record_clear)

/* NULL and errno (ENODATA: absent) when there is no value. */
static char *
xattr_get (const char *proc, const char *name)
{
  g_autofree char *buf = NULL;
  ssize_t n = getxattr (proc, name, NULL, 0);

  if (n < 0)
    return NULL;
  buf = g_malloc ((gsize) n + 1);
  n = getxattr (proc, name, buf, (size_t) n);
  if (n < 0)
    return NULL;
  buf[n] = '\0';
  return g_steal_pointer (&buf);
}

static gboolean
parse_owner (const char *s, uid_t *uid, gid_t *gid)
{
  g_auto (GStrv) parts = g_strsplit (s, ":", -1);
  guint64 u, g;

  if (g_strv_length (parts) != 2
      || !g_ascii_string_to_unsigned (parts[0], 10, 0, G_MAXUINT32 - 1, &u,
                                      NULL)
      || !g_ascii_string_to_unsigned (parts[1], 10, 0, G_MAXUINT32 - 1, &g,
                                      NULL))
    return FALSE;
  *uid = (uid_t) u;
  *gid = (gid_t) g;
  return TRUE;
}

/* 0, or an errno: EBADMSG for a record that does not parse. */
static int
record_read (const char *proc, Record *r)
{
  g_autofree char *owner = NULL;
  g_autofree char *holders = NULL;

  r->present = FALSE;
  r->holders = g_ptr_array_new_with_free_func (g_free);
  owner = xattr_get (proc, GUESTD_DAC_XATTR_OWNER);
  if (owner == NULL)
    return errno == ENODATA ? 0 : errno;
  if (!parse_owner (owner, &r->uid, &r->gid))
    return EBADMSG;
  r->present = TRUE;
  r->boot = xattr_get (proc, GUESTD_DAC_XATTR_BOOT);
  if (r->boot == NULL && errno != ENODATA)
    return errno;
  holders = xattr_get (proc, GUESTD_DAC_XATTR_HOLDERS);
  if (holders == NULL)
    return errno == ENODATA ? 0 : errno;
  {
    g_auto (GStrv) names = g_strsplit (holders, "\n", -1);

    for (guint i = 0; names[i] != NULL; i++)
      if (names[i][0] != '\0')
        g_ptr_array_add (r->holders, g_strdup (names[i]));
  }
  return 0;
}

/* Whose the file really is: the recorded original owner while a guest
 * holds it, else its owner. A record that does not read is nobody's. */
static gboolean
owned_by_author (int fd, const struct stat *st, uid_t author)
{
  g_autofree char *proc = fd_proc_path (fd);
  g_auto (Record) r = { 0 };

  if (record_read (proc, &r) != 0)
    return FALSE;
  return r.present ? r.uid == author : st->st_uid == author;
}

static int
xattr_set (const char *proc, const char *name, const char *value)
{
  return setxattr (proc, name, value, strlen (value), 0) < 0 ? errno : 0;
}

/* The holders before the boot id: cut short, the record still reads as
 * from an earlier boot, whose holders are all gone. */
static int
record_write (const char *proc, const Record *r)
{
  g_autoptr (GString) holders = g_string_new (NULL);
  g_autofree char *owner = g_strdup_printf ("%u:%u", (guint) r->uid,
                                            (guint) r->gid);
  g_autofree char *count = g_strdup_printf ("%u", r->holders->len);
  int err;

  for (guint i = 0; i < r->holders->len; i++)
    g_string_append_printf (holders, "%s\n",
                            (const char *) r->holders->pdata[i]);
  if ((err = xattr_set (proc, GUESTD_DAC_XATTR_OWNER, owner)) != 0
      || (err = xattr_set (proc, GUESTD_DAC_XATTR_HOLDERS, holders->str)) != 0
      || (err = xattr_set (proc, GUESTD_DAC_XATTR_REFCOUNT, count)) != 0
      || (err = xattr_set (proc, GUESTD_DAC_XATTR_BOOT, r->boot)) != 0)
    return err;
  return 0;
}

/* The owner last: cut short, what is left still names the owner. */
static int
record_remove (const char *proc)
{
  static const char *const names[] = {
    GUESTD_DAC_XATTR_REFCOUNT, GUESTD_DAC_XATTR_HOLDERS,
    GUESTD_DAC_XATTR_BOOT, GUESTD_DAC_XATTR_OWNER,
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (removexattr (proc, names[i]) < 0 && errno != ENODATA)
      return errno;
  return 0;
}

static int
find_holder (const Record *r, const char *holder)
{
  for (guint i = 0; i < r->holders->len; i++)
    if (g_str_equal (r->holders->pdata[i], holder))
      return (int) i;
  return -1;
}

/* ---- claim and release one file ---- */

/* @holder lets go of the file open at @fd; the last one out restores its
 * owner. Problems are logged: there is nobody to return them to. */
static void
release_fd (int fd, const char *path, const char *holder, const char *boot,
            uid_t uid, gid_t gid)
{
  g_autofree char *proc = fd_proc_path (fd);
  g_auto (Record) r = { 0 };
  struct stat st;
  int err;

  err = record_read (proc, &r);
  if (err == ENOTSUP || err == EOPNOTSUPP)
    return;
  if (err == EBADMSG)
    {
      g_warning (_("the ownership record of %s is damaged; not restoring "
                   "its owner"),
                 path);
      record_remove (proc);
      return;
    }
  if (err != 0)
    {
      g_warning (_("cannot read the ownership record of %s: %s"), path,
                 g_strerror (err));
      return;
    }
  if (!r.present)
    return; /* never taken, or given back already */
  if (r.boot != NULL && g_str_equal (r.boot, boot))
    {
      int i = find_holder (&r, holder);

      if (i >= 0)
        g_ptr_array_remove_index (r.holders, (guint) i);
      else if (r.holders->len > 0)
        return; /* others hold it; this ledger never got to */
      if (r.holders->len > 0)
        {
          err = record_write (proc, &r);
          if (err != 0)
            g_warning (_("cannot update the ownership record of %s: %s"),
                       path, g_strerror (err));
          return;
        }
    }
  /* The last holder has gone, or the record is from an earlier boot,
   * when all its holders went down with the host. */
  if (fstat (fd, &st) < 0)
    {
      g_warning (_("cannot give %s back: %s"), path, g_strerror (errno));
      return;
    }
  if (st.st_uid == uid && st.st_gid == gid)
    {
      if (fchownat (fd, "", r.uid, r.gid, AT_EMPTY_PATH) < 0)
        {
          g_warning (_("cannot give %s back to %u:%u: %s"), path,
                     (guint) r.uid, (guint) r.gid, g_strerror (errno));
          return;
        }
    }
  else if (st.st_uid != r.uid || st.st_gid != r.gid)
    g_warning (_("not giving %s back to %u:%u: it is now owned by %u:%u, "
                 "not by the guest's account; leaving it so"),
               path, (guint) r.uid, (guint) r.gid, (guint) st.st_uid,
               (guint) st.st_gid);
  err = record_remove (proc);
  if (err != 0)
    g_warning (_("cannot remove the ownership record of %s: %s"), path,
               g_strerror (err));
}

/* Record @holder on the file open at @fd, then give it to @uid:@gid.
 * *@added: whether @holder is new there, i.e. must let go on a rollback. */
static gboolean
claim_fd (int fd, const GuestdDacFile *f, const char *holder,
          const char *boot, uid_t uid, gid_t gid, gboolean *added,
          GError **error)
{
  g_autofree char *proc = fd_proc_path (fd);
  g_auto (Record) r = { 0 };
  struct stat st;
  int err;

  *added = FALSE;
  err = record_read (proc, &r);
  if (err == EBADMSG)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_OPERATION_FAILED,
                   _("the ownership record of %s %s is damaged; remove it "
                     "(setfattr -x %s %s) after checking the file's owner"),
                   f->what, f->path, GUESTD_DAC_XATTR_OWNER, f->path);
      return FALSE;
    }
  if (err != 0)
    {
      guestd_set_error_errno (error, err,
                              _("cannot read the ownership record of %s %s"),
                              f->what, f->path);
      return FALSE;
    }
  if (fstat (fd, &st) < 0)
    {
      guestd_set_error_errno (error, errno, _("cannot open %s %s"), f->what,
                              f->path);
      return FALSE;
    }
  if (!r.present)
    {
      r.uid = st.st_uid;
      r.gid = st.st_gid;
      r.present = TRUE;
    }
  /* From an earlier boot: the recorded owner is still the true original,
   * and nobody holds the file any more. */
  if (r.boot == NULL || !g_str_equal (r.boot, boot))
    {
      g_ptr_array_set_size (r.holders, 0);
      g_free (r.boot);
      r.boot = g_strdup (boot);
    }
  if (find_holder (&r, holder) < 0)
    {
      g_ptr_array_add (r.holders, g_strdup (holder));
      *added = TRUE;
    }
  err = record_write (proc, &r);
  if (err != 0)
    {
      guestd_set_error_errno (error, err,
                              _("cannot record the owner of %s %s"),
                              f->what, f->path);
      if (*added)
        release_fd (fd, f->path, holder, boot, uid, gid);
      return FALSE;
    }
  if (fchownat (fd, "", uid, gid, AT_EMPTY_PATH) < 0)
    {
      guestd_set_error_errno (error, errno,
                              _("cannot hand %s %s to the guest's account"),
                              f->what, f->path);
      if (*added)
        release_fd (fd, f->path, holder, boot, uid, gid);
      return FALSE;
    }
  return TRUE;
}

/* ---- ledgers ---- */

static char *
read_boot_id (GError **error)
{
  g_autoptr (GError) local = NULL;
  char *text = NULL;

  if (!g_file_get_contents (BOOT_ID_PATH, &text, NULL, &local))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_SYSTEM,
                   _("cannot read the boot id: %s"), local->message);
      return NULL;
    }
  return g_strstrip (text);
}

/* The paths in @ledger, none when it does not exist. Paths are escaped,
 * one a line: a caller's path may hold a newline. */
static GPtrArray *
ledger_read (const char *ledger, gboolean *exists, GError **error)
{
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) local = NULL;
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  *exists = FALSE;
  if (!g_file_get_contents (ledger, &text, NULL, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&paths);
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_OPERATION_FAILED,
                   _("cannot read ownership ledger %s: %s"), ledger,
                   local->message);
      return NULL;
    }
  *exists = TRUE;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] == '/')
      g_ptr_array_add (paths, g_strcompress (lines[i]));
  return g_steal_pointer (&paths);
}

/* Only root may change it: owned by root, and writable by nobody else
 * (or sticky, like /var/tmp, where nobody else can move our entries). */
static gboolean
dir_is_root_only (const struct stat *st)
{
  return S_ISDIR (st->st_mode) && st->st_uid == 0
         && ((st->st_mode & (S_IWGRP | S_IWOTH)) == 0
             || (st->st_mode & S_ISVTX) != 0);
}

/* Root writes the ledger there: were the directory a link, or could the
 * guest's account move it or any directory above it, root could be made
 * to write elsewhere. */
static gboolean
ledger_dir_is_safe (const char *dir, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (dir, "/", -1);
  g_autoptr (GString) prefix = g_string_new (NULL);
  g_autofd int fd = -1;
  gboolean ok = path_is_plain (dir);
  struct stat st;

  for (guint i = 0; ok && parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0')
        continue;
      g_string_append_printf (prefix, "/%s", parts[i]);
      ok = lstat (prefix->str, &st) == 0 && dir_is_root_only (&st);
    }
  if (ok)
    fd = open_nofollow (dir, O_PATH, &st);
  if (fd >= 0 && dir_is_root_only (&st)
      && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0)
    return TRUE;
  g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_INTERNAL,
               _("refusing to keep ownership ledgers in %s: it and the "
                 "directories above it must be real directories that only "
                 "root can change"),
               dir);
  return FALSE;
}

static gboolean
ledger_write (const char *ledger, GPtrArray *paths, GError **error)
{
  g_autoptr (GString) text = g_string_new (
    "# guestd: files handed to the guest's account, given back when it "
    "stops\n");
  g_autofree char *dir = g_path_get_dirname (ledger);
  g_autoptr (GError) local = NULL;

  for (guint i = 0; i < paths->len; i++)
    {
      g_autofree char *line = g_strescape (paths->pdata[i], NULL);

      g_string_append_printf (text, "%s\n", line);
    }
  if (g_mkdir_with_parents (dir, 0700) < 0)
    {
      guestd_set_error_errno (error, errno, _("cannot create %s"), dir);
      return FALSE;
    }
  if (!ledger_dir_is_safe (dir, error))
    return FALSE;
  /* On disk (directory entry included) before any file changes hands. */
  if (!guestd_file_write_atomic (ledger, text->str, (gssize) text->len, 0600,
                                 &local))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_OPERATION_FAILED,
                   _("cannot write ownership ledger %s: %s"), ledger,
                   local->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
holder_is_valid (const char *holder)
{
  return holder[0] != '\0' && !g_str_equal (holder, ".")
         && !g_str_equal (holder, "/") && strchr (holder, '\n') == NULL;
}

typedef struct
{
  const GuestdDacFile *file;
  int fd;
  gboolean added;
} Opened;

static void
opened_clear (gpointer p)
{
  Opened *o = p;

  g_clear_fd (&o->fd, NULL);
}

static void
rollback (GArray *opened, guint n, const char *holder, const char *boot,
          uid_t uid, gid_t gid)
{
  for (guint i = n; i-- > 0;)
    {
      Opened *o = &g_array_index (opened, Opened, i);

      if (o->added)
        release_fd (o->fd, o->file->path, holder, boot, uid, gid);
    }
}

gboolean
guestd_dac_claim_all (GPtrArray *files, uid_t uid, gid_t gid, uid_t author,
                      const char *ledger, const char *const *refused_prefixes,
                      GError **error)
{
  g_autofree char *holder = g_path_get_basename (ledger);
  g_autofree char *boot = NULL;
  g_autoptr (GArray) opened = g_array_new (FALSE, TRUE, sizeof (Opened));
  g_autoptr (GPtrArray) listed = NULL;
  gboolean had_ledger = FALSE;

  if (!holder_is_valid (holder))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_INTERNAL,
                   _("bad ownership ledger name %s"), ledger);
      return FALSE;
    }
  boot = read_boot_id (error);
  if (boot == NULL)
    return FALSE;

  /* Every check before any change. */
  g_array_set_clear_func (opened, opened_clear);
  for (guint i = 0; i < files->len; i++)
    {
      const GuestdDacFile *f = files->pdata[i];
      Opened o = { .file = f };
      struct stat st;
      gboolean skip;

      o.fd = open_checked (f, refused_prefixes, uid, gid, author, &st, &skip,
                           error);
      if (o.fd < 0 && !skip)
        return FALSE;
      if (o.fd >= 0)
        g_array_append_val (opened, o);
    }
  if (opened->len == 0)
    return TRUE;

  /* The ledger only grows until it is released: a path it lists that
   * this guest never got to hold is passed over then. */
  listed = ledger_read (ledger, &had_ledger, error);
  if (listed == NULL)
    return FALSE;
  for (guint i = 0; i < opened->len; i++)
    {
      const char *path = g_array_index (opened, Opened, i).file->path;

      if (!g_ptr_array_find_with_equal_func (listed, path, g_str_equal, NULL))
        g_ptr_array_add (listed, g_strdup (path));
    }
  if (!ledger_write (ledger, listed, error))
    return FALSE;

  for (guint i = 0; i < opened->len; i++)
    {
      Opened *o = &g_array_index (opened, Opened, i);

      if (!claim_fd (o->fd, o->file, holder, boot, uid, gid, &o->added,
                     error))
        {
          rollback (opened, i, holder, boot, uid, gid);
          if (!had_ledger)
            g_unlink (ledger);
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- release ---- */

static void
release_path (const char *path, const char *holder, const char *boot,
              uid_t uid, gid_t gid)
{
  g_autofd int fd = -1;
  struct stat st;

  if (!path_is_plain (path))
    {
      g_warning (_("ignoring '%s' in an ownership ledger: not a plain "
                   "absolute path"),
                 path);
      return;
    }
  fd = open_nofollow (path, O_PATH, &st);
  if (fd < 0)
    {
      int errsv = errno;

      if (errsv == ENOENT)
        g_warning (_("%s is gone; its owner cannot be given back"), path);
      else if (errsv == ELOOP)
        g_warning (_("not giving %s back: it is now reached through a "
                     "symbolic link"),
                   path);
      else
        g_warning (_("cannot give %s back: %s"), path, g_strerror (errsv));
      return;
    }
  if (!S_ISREG (st.st_mode) && !S_ISBLK (st.st_mode))
    {
      g_warning (_("not giving %s back: it is now %s"), path,
                 file_kind (st.st_mode));
      return;
    }
  release_fd (fd, path, holder, boot, uid, gid);
}

void
guestd_dac_release_all (const char *ledger, uid_t uid, gid_t gid)
{
  g_autofree char *holder = g_path_get_basename (ledger);
  g_autoptr (GError) error = NULL;
  g_autofree char *boot = NULL;
  g_autoptr (GPtrArray) paths = NULL;
  gboolean exists;

  g_return_if_fail (holder_is_valid (holder));

  /* Without the boot id a record cannot be judged: keep the ledger for
   * the next try rather than guess. */
  boot = read_boot_id (&error);
  if (boot == NULL)
    {
      g_warning (_("cannot give back the files in %s: %s"), ledger,
                 error->message);
      return;
    }
  paths = ledger_read (ledger, &exists, &error);
  if (paths == NULL)
    {
      g_warning ("%s", error->message);
      return;
    }
  for (guint i = paths->len; i-- > 0;)
    release_path (paths->pdata[i], holder, boot, uid, gid);
  if (exists && g_unlink (ledger) < 0 && errno != ENOENT)
    g_warning (_("cannot remove ownership ledger %s: %s"), ledger,
               g_strerror (errno));
}

void
guestd_dac_restore_stale (const char *dir, GHashTable *keep, uid_t uid,
                          gid_t gid)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) d = g_dir_open (dir, 0, &error);
  g_autoptr (GPtrArray) ledgers = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_warning ("%s", error->message);
      return;
    }
  /* Read the names first: releasing removes entries. */
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = NULL;
      struct stat st;

      if (keep != NULL && g_hash_table_contains (keep, name))
        continue;
      path = g_build_filename (dir, name, NULL);
      if (lstat (path, &st) == 0 && S_ISREG (st.st_mode)
          && holder_is_valid (name))
        g_ptr_array_add (ledgers, g_steal_pointer (&path));
    }
  for (guint i = 0; i < ledgers->len; i++)
    guestd_dac_release_all (ledgers->pdata[i], uid, gid);
}
