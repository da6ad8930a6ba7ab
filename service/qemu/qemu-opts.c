/* QEMU option strings: building with escaping, parsing with unescaping. */
#include "config.h"

#include "qemu-opts.h"

#include <string.h>

#include "util/error.h"
#include "util/i18n.h"

static void
append_escaped (GString *s, const char *value)
{
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == ',')
        g_string_append_c (s, ',');
      g_string_append_c (s, *p);
    }
}

void
guestd_qemu_opts_add (GString *s, const char *key, const char *value)
{
  if (value == NULL)
    return;
  if (s->len > 0)
    g_string_append_c (s, ',');
  if (key != NULL)
    {
      g_string_append (s, key);
      g_string_append_c (s, '=');
    }
  append_escaped (s, value);
}

void
guestd_qemu_opts_addf (GString *s, const char *key, const char *fmt, ...)
{
  g_autofree char *value = NULL;
  va_list ap;

  va_start (ap, fmt);
  value = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  guestd_qemu_opts_add (s, key, value);
}

static void
opt_free (GuestdQemuOpt *o)
{
  g_free (o->key);
  g_free (o->value);
  g_free (o);
}

void
guestd_qemu_opts_free (GuestdQemuOpts *o)
{
  if (o == NULL)
    return;
  g_ptr_array_unref (o->opts);
  g_free (o);
}

GuestdQemuOpts *
guestd_qemu_opts_parse (const char *str, const char *implied_key,
                        GError **error)
{
  g_autoptr (GuestdQemuOpts) o = g_new0 (GuestdQemuOpts, 1);
  const char *p = str;

  o->opts = g_ptr_array_new_with_free_func ((GDestroyNotify) opt_free);
  while (*p != '\0')
    {
      g_autoptr (GString) item = g_string_new (NULL);
      GuestdQemuOpt *opt;
      char *eq;

      /* An element ends at a single comma; ",," is a literal comma. */
      while (*p != '\0')
        {
          if (*p == ',' && p[1] == ',')
            {
              g_string_append_c (item, ',');
              p += 2;
              continue;
            }
          if (*p == ',')
            break;
          g_string_append_c (item, *p++);
        }
      if (*p == ',')
        p++;

      opt = g_new0 (GuestdQemuOpt, 1);
      eq = strchr (item->str, '=');
      if (eq != NULL)
        {
          opt->key = g_strndup (item->str, eq - item->str);
          opt->value = g_strdup (eq + 1);
        }
      else if (o->opts->len == 0 && implied_key != NULL)
        {
          opt->key = g_strdup (implied_key);
          opt->value = g_strdup (item->str);
        }
      else
        {
          opt->key = g_strdup (item->str);
          opt->value = g_strdup ("on");
        }
      g_ptr_array_add (o->opts, opt);
      if (*opt->key == '\0')
        {
          g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_NATIVE,
                       _("empty property name in '%s'"), str);
          return NULL;
        }
      for (guint i = 0; i + 1 < o->opts->len; i++)
        if (g_str_equal (((GuestdQemuOpt *) o->opts->pdata[i])->key,
                         opt->key))
          {
            g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_NATIVE,
                         _("property '%s' is given twice in '%s'"), opt->key,
                         str);
            return NULL;
          }
    }
  return g_steal_pointer (&o);
}

const char *
guestd_qemu_opts_get (GuestdQemuOpts *o, const char *key)
{
  for (guint i = 0; i < o->opts->len; i++)
    {
      GuestdQemuOpt *opt = o->opts->pdata[i];

      if (g_str_equal (opt->key, key))
        {
          opt->used = TRUE;
          return opt->value;
        }
    }
  return NULL;
}

const char *
guestd_qemu_opts_unused (GuestdQemuOpts *o)
{
  for (guint i = 0; i < o->opts->len; i++)
    {
      GuestdQemuOpt *opt = o->opts->pdata[i];

      if (!opt->used)
        return opt->key;
    }
  return NULL;
}
