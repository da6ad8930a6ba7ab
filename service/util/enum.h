/* Tables that map the enum values of the model to their XML strings. */
#pragma once

#include <glib.h>

/* names[v] is the string for value v; a NULL entry (usually value 0,
 * "not given") has no string and is never parsed. */
typedef struct
{
  const char *const *names;
  int n_names;
} GuestdEnum;

#define GUESTD_ENUM_DEFINE(var, ...)                                    \
  static const char *const var##_names[] = { __VA_ARGS__ };             \
  const GuestdEnum var = { var##_names, G_N_ELEMENTS (var##_names) }

const char *guestd_enum_to_string (const GuestdEnum *e, int value);
/* -1 when @str names no value. */
int guestd_enum_from_string (const GuestdEnum *e, const char *str);
/* "a, b, c": the accepted strings, for error messages. */
char *guestd_enum_list (const GuestdEnum *e);
