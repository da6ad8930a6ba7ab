/* String tables for the model's enums. */
#include "enum.h"

const char *
guestd_enum_to_string (const GuestdEnum *e, int value)
{
  if (value < 0 || value >= e->n_names)
    return NULL;
  return e->names[value];
}

int
guestd_enum_from_string (const GuestdEnum *e, const char *str)
{
  if (str == NULL)
    return -1;
  for (int i = 0; i < e->n_names; i++)
    if (e->names[i] != NULL && g_str_equal (e->names[i], str))
      return i;
  return -1;
}

char *
guestd_enum_list (const GuestdEnum *e)
{
  g_autoptr (GString) s = g_string_new (NULL);

  for (int i = 0; i < e->n_names; i++)
    {
      if (e->names[i] == NULL)
        continue;
      if (s->len > 0)
        g_string_append (s, ", ");
      g_string_append (s, e->names[i]);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}
