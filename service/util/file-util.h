/* Files written so that a crash never leaves half of one behind. */
#pragma once

#include <glib.h>
#include <sys/types.h>

/* Whether @path is @dir or below it, component-wise ("/a/bc" is not
 * under "/a/b"); also for D-Bus object paths. NULL @path: no. */
gboolean guestd_path_is_under (const char *path, const char *dir);

/* Close every descriptor (int, -1: none) in @fds and empty it. */
void guestd_close_fds (GArray *fds);

/* Write @data to a temporary file beside @path, fsync it, rename it over
 * @path and fsync the directory: readers see the old file or the new one,
 * never a mix, even after a power cut. */
gboolean guestd_file_write_atomic (const char *path, const char *data,
                                   gssize len, mode_t mode, GError **error);
