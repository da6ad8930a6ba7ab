/* Shell quoting and splitting for the qemu-argv native format. */
#include "config.h"

#include "shell.h"

#include <string.h>

#include "util/error.h"
#include "util/i18n.h"

static gboolean
needs_quotes (const char *word)
{
  if (*word == '\0')
    return TRUE;
  for (const char *p = word; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-_./=,:+@%", *p) == NULL)
      return TRUE;
  return FALSE;
}

void
guestd_shell_quote (GString *out, const char *word)
{
  if (!needs_quotes (word))
    {
      g_string_append (out, word);
      return;
    }
  g_string_append_c (out, '\'');
  for (const char *p = word; *p != '\0'; p++)
    {
      if (*p == '\'')
        g_string_append (out, "'\\''");
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
}

static gboolean
refuse (GError **error, const char *line, const char *p, const char *why)
{
  if (g_ascii_isprint (*p))
    g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_NATIVE,
                 _("character %ld ('%c'): %s"), (long) (p - line) + 1, *p,
                 why);
  else
    g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_NATIVE,
                 _("character %ld (0x%02x): %s"), (long) (p - line) + 1,
                 (unsigned char) *p, why);
  return FALSE;
}

gboolean
guestd_shell_split (const char *line, GPtrArray **words, GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) word = g_string_new (NULL);
  gboolean in_word = FALSE;
  const char *p = line;

  while (*p != '\0')
    {
      char c = *p;

      if (c == '\\' && p[1] == '\n')
        {
          p += 2;
          continue;
        }
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        {
          /* A trailing newline ends the command; one in the middle would
           * start a second command, which we do not run. */
          if (c == '\n')
            {
              const char *q = p;

              while (*q == '\n' || *q == ' ' || *q == '\t' || *q == '\r')
                q++;
              if (*q != '\0')
                return refuse (error, line, p,
                               _("more than one line; join the lines or end "
                                 "them with '\\'"));
            }
          if (in_word)
            {
              g_ptr_array_add (out, g_strdup (word->str));
              g_string_truncate (word, 0);
              in_word = FALSE;
            }
          p++;
          continue;
        }
      if (c == '#' && !in_word)
        return refuse (error, line, p, _("comments are not supported"));
      in_word = TRUE;
      if (c == '\'')
        {
          const char *end = strchr (p + 1, '\'');

          if (end == NULL)
            return refuse (error, line, p, _("unterminated quote"));
          g_string_append_len (word, p + 1, end - p - 1);
          p = end + 1;
          continue;
        }
      if (c == '"')
        {
          const char *start = p;

          for (p++; *p != '"'; p++)
            {
              if (*p == '\0')
                return refuse (error, line, start, _("unterminated quote"));
              if (*p == '$' || *p == '`')
                return refuse (error, line, p,
                               _("shell expansion is not supported; write "
                                 "the value itself"));
              if (*p == '\\' && p[1] != '\0'
                  && strchr ("\"\\$`\n", p[1]) != NULL)
                {
                  if (p[1] != '\n')
                    g_string_append_c (word, p[1]);
                  p++;
                  continue;
                }
              g_string_append_c (word, *p);
            }
          p++;
          continue;
        }
      if (c == '\\')
        {
          if (p[1] == '\0')
            return refuse (error, line, p, _("trailing backslash"));
          g_string_append_c (word, p[1]);
          p += 2;
          continue;
        }
      if (strchr ("$`", c) != NULL)
        return refuse (error, line, p,
                       _("shell expansion is not supported; write the value "
                         "itself"));
      if (strchr ("|;&<>()", c) != NULL)
        return refuse (error, line, p,
                       _("only a single command is accepted (no pipes, "
                         "redirections or lists)"));
      if ((unsigned char) c < 0x20 && c != '\t')
        return refuse (error, line, p, _("control character"));
      g_string_append_c (word, c);
      p++;
    }
  if (in_word)
    g_ptr_array_add (out, g_strdup (word->str));
  *words = g_steal_pointer (&out);
  return TRUE;
}
