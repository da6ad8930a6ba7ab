/* Files: atomic replacement, path prefixes, descriptor lists. */
#include "config.h"

#include "file-util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "util/glib-compat.h"
#include "util/i18n.h"

gboolean
guestd_file_write_atomic (const char *path, const char *data, gssize len,
                          mode_t mode, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *tmp = NULL;
  g_autofd int fd = -1;
  g_autofd int dfd = -1;
  gsize size = len < 0 ? strlen (data) : (gsize) len;
  gsize done = 0;

  tmp = g_strdup_printf ("%s.XXXXXX", path);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0)
    {
      guestd_set_error_errno (error, errno, _("cannot create %s"), tmp);
      return FALSE;
    }
  while (done < size)
    {
      ssize_t n = write (fd, data + done, size - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int errsv = errno;

          unlink (tmp);
          guestd_set_error_errno (error, errsv, _("cannot write %s"), tmp);
          return FALSE;
        }
      done += (gsize) n;
    }
  if (fchmod (fd, mode) < 0 || fsync (fd) < 0)
    {
      int errsv = errno;

      unlink (tmp);
      guestd_set_error_errno (error, errsv, _("cannot write %s"), tmp);
      return FALSE;
    }
  if (!g_clear_fd (&fd, NULL) || rename (tmp, path) < 0)
    {
      int errsv = errno;

      unlink (tmp);
      guestd_set_error_errno (error, errsv, _("cannot replace %s"), path);
      return FALSE;
    }
  /* The rename itself must reach the disk too. */
  dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0)
    fsync (dfd);
  return TRUE;
}

gboolean
guestd_path_is_under (const char *path, const char *dir)
{
  gsize n = strlen (dir);

  while (n > 1 && dir[n - 1] == '/')
    n--;
  if (path == NULL)
    return FALSE;
  if (n == 1 && dir[0] == '/')
    return path[0] == '/';
  return n > 0 && strncmp (path, dir, n) == 0
         && (path[n] == '\0' || path[n] == '/');
}

void
guestd_close_fds (GArray *fds)
{
  for (guint i = 0; i < fds->len; i++)
    if (g_array_index (fds, int, i) >= 0)
      close (g_array_index (fds, int, i));
  g_array_set_size (fds, 0);
}
