/* Scaled integers with libvirt's unit names. */
#include "config.h"

#include "units.h"

#include "conf/xml-reader.h"
#include "util/error.h"
#include "util/i18n.h"

static gboolean
unit_scale (const char *unit, guint64 *scale)
{
  guint64 base;
  int power;

  /* libvirt's virScaleInteger: "b"/"bytes"; a letter alone or with "iB"
   * is a power of 1024; with "B" a power of 1000; letters any case. */
  if (g_ascii_strcasecmp (unit, "b") == 0
      || g_ascii_strcasecmp (unit, "bytes") == 0)
    {
      *scale = 1;
      return TRUE;
    }
  if (unit[1] == '\0' || g_ascii_strcasecmp (unit + 1, "iB") == 0)
    base = 1024;
  else if (g_ascii_strcasecmp (unit + 1, "B") == 0)
    base = 1000;
  else
    return FALSE;

  switch (g_ascii_tolower (unit[0]))
    {
    case 'k':
      power = 1;
      break;
    case 'm':
      power = 2;
      break;
    case 'g':
      power = 3;
      break;
    case 't':
      power = 4;
      break;
    case 'p':
      power = 5;
      break;
    case 'e':
      power = 6;
      break;
    default:
      return FALSE;
    }
  *scale = 1;
  while (power-- > 0)
    *scale *= base;
  return TRUE;
}

gboolean
guestd_scale_integer (const char *value, const char *unit,
                      guint64 default_scale, guint64 max_bytes,
                      guint64 *out_bytes, GError **error)
{
  guint64 v, scale = default_scale;
  g_autofree char *trimmed = g_strstrip (g_strdup (value));

  if (!g_ascii_string_to_unsigned (trimmed, 10, 0, G_MAXUINT64, &v, NULL))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_XML,
                   _("invalid size '%s' (expected a non-negative integer)"),
                   value);
      return FALSE;
    }
  if (unit != NULL && !unit_scale (unit, &scale))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_XML,
                   _("unknown unit '%s' (expected b, bytes, KB, k, KiB, MB, "
                     "M, MiB, GB, G, GiB, TB, T, TiB, PB, P, PiB, EB, E or "
                     "EiB)"),
                   unit);
      return FALSE;
    }
  if (v != 0 && scale > max_bytes / v)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_XML,
                   _("size %s%s%s is too large (at most %llu bytes)"),
                   trimmed, unit ? " " : "", unit ? unit : "",
                   (unsigned long long) max_bytes);
      return FALSE;
    }
  *out_bytes = v * scale;
  return TRUE;
}

gboolean
guestd_scale_size_string (const char *value, guint64 default_scale,
                          guint64 max_bytes, guint64 *out_bytes,
                          GError **error)
{
  const char *p = value;
  g_autofree char *number = NULL;

  while (g_ascii_isdigit (*p))
    p++;
  if (p == value)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_XML,
                   _("invalid size '%s' (expected a number with an optional "
                     "unit, e.g. 512M)"),
                   value);
      return FALSE;
    }
  number = g_strndup (value, p - value);
  return guestd_scale_integer (number, *p != '\0' ? p : NULL, default_scale,
                               max_bytes, out_bytes, error);
}
