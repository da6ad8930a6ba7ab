/* QEMU commands as data and as one shell line. */
#include "config.h"

#include "command.h"

#include <string.h>

#include "util/error.h"
#include "util/i18n.h"
#include "util/shell.h"

GuestdQemuCommand *
guestd_qemu_command_new (void)
{
  GuestdQemuCommand *cmd = g_new0 (GuestdQemuCommand, 1);

  cmd->env = g_ptr_array_new_with_free_func (g_free);
  cmd->argv = g_ptr_array_new_with_free_func (g_free);
  return cmd;
}

void
guestd_qemu_command_free (GuestdQemuCommand *cmd)
{
  if (cmd == NULL)
    return;
  g_ptr_array_unref (cmd->env);
  g_ptr_array_unref (cmd->argv);
  g_free (cmd);
}

void
guestd_qemu_command_add (GuestdQemuCommand *cmd, const char *arg)
{
  g_ptr_array_add (cmd->argv, g_strdup (arg));
}

void
guestd_qemu_command_add_pair (GuestdQemuCommand *cmd, const char *opt,
                              const char *value)
{
  g_ptr_array_add (cmd->argv, g_strdup (opt));
  g_ptr_array_add (cmd->argv, g_strdup (value));
}

void
guestd_qemu_command_add_env (GuestdQemuCommand *cmd, const char *name,
                             const char *value)
{
  g_ptr_array_add (cmd->env, g_strdup_printf ("%s=%s", name, value));
}

char *
guestd_qemu_command_to_string (const GuestdQemuCommand *cmd)
{
  g_autoptr (GString) s = g_string_new (NULL);

  for (guint i = 0; i < cmd->env->len; i++)
    {
      const char *kv = cmd->env->pdata[i];
      const char *eq = strchr (kv, '=');

      g_string_append_len (s, kv, eq - kv + 1);
      guestd_shell_quote (s, eq + 1);
      g_string_append_c (s, ' ');
    }
  for (guint i = 0; i < cmd->argv->len; i++)
    {
      if (i > 0)
        g_string_append_c (s, ' ');
      guestd_shell_quote (s, cmd->argv->pdata[i]);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static gboolean
is_assignment (const char *word)
{
  const char *eq = strchr (word, '=');

  if (eq == NULL || eq == word || !(g_ascii_isalpha (*word) || *word == '_'))
    return FALSE;
  for (const char *p = word; p < eq; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return FALSE;
  return TRUE;
}

GuestdQemuCommand *
guestd_qemu_command_from_string (const char *line, GError **error)
{
  g_autoptr (GPtrArray) words = NULL;
  g_autoptr (GuestdQemuCommand) cmd = guestd_qemu_command_new ();
  guint i = 0;

  if (!guestd_shell_split (line, &words, error))
    return NULL;
  for (; i < words->len && is_assignment (words->pdata[i]); i++)
    g_ptr_array_add (cmd->env, g_strdup (words->pdata[i]));
  if (i == words->len)
    {
      g_set_error_literal (error, GUESTD_ERROR, GUESTD_ERROR_NATIVE,
                           _("no emulator binary found in the command line"));
      return NULL;
    }
  for (; i < words->len; i++)
    g_ptr_array_add (cmd->argv, g_strdup (words->pdata[i]));
  return g_steal_pointer (&cmd);
}
