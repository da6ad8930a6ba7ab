/* libvirt's scaled integers: "1024" with unit='MiB', 'G', 'KB', 'b', … */
#pragma once

#include <glib.h>

/* Scale @value by @unit (NULL means @default_scale bytes) into bytes,
 * failing when the result passes @max_bytes. The error names the bad
 * value or unit but no location; callers add one. */
gboolean guestd_scale_integer (const char *value, const char *unit,
                               guint64 default_scale, guint64 max_bytes,
                               guint64 *out_bytes, GError **error);

/* The same with the unit written inside @value: "512M", "2G", "1024". */
gboolean guestd_scale_size_string (const char *value, guint64 default_scale,
                                   guint64 max_bytes, guint64 *out_bytes,
                                   GError **error);
