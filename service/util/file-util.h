/* Files written so that a crash never leaves half of one behind. */
#pragma once

#include <glib.h>
#include <sys/types.h>

/* Write @data to a temporary file beside @path, fsync it, rename it over
 * @path and fsync the directory: readers see the old file or the new one,
 * never a mix, even after a power cut. */
gboolean guestd_file_write_atomic (const char *path, const char *data,
                                   gssize len, mode_t mode, GError **error);
