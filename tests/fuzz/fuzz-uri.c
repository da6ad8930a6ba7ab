/* libFuzzer target: connection URIs. Beyond not crashing, whatever parses
 * must print a canonical form that parses to the same canonical form. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/uri.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr (GuestdUri) uri = guestd_uri_parse (text, NULL);
  g_autoptr (GuestdUri) again = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *canonical2 = NULL;

  if (uri == NULL)
    return 0;
  canonical = guestd_uri_to_string (uri);
  again = guestd_uri_parse (canonical, NULL);
  if (again == NULL)
    abort ();
  canonical2 = guestd_uri_to_string (again);
  if (strcmp (canonical, canonical2) != 0)
    abort ();
  return 0;
}
