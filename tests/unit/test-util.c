/* Unit test helpers. */
#include "config.h"

#include "test-util.h"

#include <stdarg.h>
#include <string.h>

static char *
build_path (const char *first, va_list ap)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new ();
  const char *p;

  g_ptr_array_add (parts, (char *) g_test_get_dir (G_TEST_DIST));
  g_ptr_array_add (parts, (char *) "data");
  g_ptr_array_add (parts, (char *) first);
  while ((p = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (parts, (char *) p);
  g_ptr_array_add (parts, NULL);
  return g_build_filenamev ((char **) parts->pdata);
}

char *
test_fixture_path (const char *first, ...)
{
  va_list ap;
  char *path;

  va_start (ap, first);
  path = build_path (first, ap);
  va_end (ap);
  return path;
}

char *
test_fixture (const char *first, ...)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  char *text = NULL;
  va_list ap;

  va_start (ap, first);
  path = build_path (first, ap);
  va_end (ap);
  if (!g_file_get_contents (path, &text, NULL, &error))
    g_error ("fixture %s: %s", path, error->message);
  return text;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

GPtrArray *
test_fixture_list (const char *dir, const char *suffix)
{
  g_autofree char *path = g_build_filename (g_test_get_dir (G_TEST_DIST),
                                            "data", dir, NULL);
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, suffix))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  return names;
}

void
test_compare_golden (const char *actual, const char *first, ...)
{
  g_autofree char *path = NULL;
  g_autofree char *expected = NULL;
  va_list ap;

  va_start (ap, first);
  path = build_path (first, ap);
  va_end (ap);
  if (g_getenv ("GUESTD_TEST_REGENERATE") != NULL)
    {
      g_assert_true (g_file_set_contents (path, actual, -1, NULL));
      return;
    }
  if (!g_file_get_contents (path, &expected, NULL, NULL))
    g_error ("golden file %s is missing (GUESTD_TEST_REGENERATE=1 writes "
             "it)", path);
  if (!g_str_equal (expected, actual))
    {
      g_printerr ("--- expected %s\n%s\n+++ actual\n%s\n", path, expected,
                  actual);
      g_test_fail ();
    }
}
