/* GLib idioms newer than the 2.74 that Debian 12 ships. */
#pragma once

#include <errno.h>
#include <glib.h>
#include <unistd.h>

#if !GLIB_CHECK_VERSION(2, 76, 0)
static inline gboolean
guestd_compat_clear_fd (int *fd_ptr, GError **error)
{
  int fd = *fd_ptr;

  *fd_ptr = -1;
  if (fd < 0)
    return TRUE;
  if (close (fd) < 0 && errno != EINTR)
    {
      int errsv = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                   "close: %s", g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

static inline void
guestd_compat_clear_fd_ignore_error (int *fd_ptr)
{
  int errsv = errno;

  guestd_compat_clear_fd (fd_ptr, NULL);
  errno = errsv;
}

#define g_clear_fd(fd_ptr, error) guestd_compat_clear_fd ((fd_ptr), (error))
#define g_autofd _GLIB_CLEANUP (guestd_compat_clear_fd_ignore_error)
#endif
