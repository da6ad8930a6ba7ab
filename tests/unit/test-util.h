/* Helpers shared by the unit tests: fixtures and error assertions. */
#pragma once

#include <glib.h>

/* The text of tests/data/@first/…, aborting the test when unreadable. */
char *test_fixture (const char *first, ...) G_GNUC_NULL_TERMINATED;
char *test_fixture_path (const char *first, ...) G_GNUC_NULL_TERMINATED;

/* Names of the files in tests/data/@dir ending in @suffix, sorted. */
GPtrArray *test_fixture_list (const char *dir, const char *suffix);

/* Assert @error is set and its message contains @needle. */
#define test_assert_error_contains(error, needle)                             \
  G_STMT_START                                                                \
  {                                                                           \
    g_assert_nonnull (error);                                                 \
    if (strstr ((error)->message, (needle)) == NULL)                          \
      g_error ("error message \"%s\" does not contain \"%s\"",               \
               (error)->message, (needle));                                   \
  }                                                                           \
  G_STMT_END

/* When $GUESTD_TEST_REGENERATE is set, golden files are rewritten instead
 * of compared (then review them with git diff). */
void test_compare_golden (const char *actual, const char *first, ...)
  G_GNUC_NULL_TERMINATED;
