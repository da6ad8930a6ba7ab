/* libFuzzer target: domain XML parse, format and reparse. Any crash, leak
 * or a formatted document that does not parse back is a bug. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "conf/domain.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
quiet (const char *domain, GLogLevelFlags level, const char *message,
       gpointer user_data)
{
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GuestdDomainDef) def = NULL;
  g_autoptr (GuestdDomainDef) again = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *xml2 = NULL;

  g_log_set_default_handler (quiet, NULL);
  def = guestd_domain_def_parse ((const char *) data, (gssize) size,
                                 size > 0 && (data[0] & 1)
                                   ? GUESTD_DOMAIN_XML_LIVE
                                   : 0,
                                 NULL);
  if (def == NULL)
    return 0;
  xml = guestd_domain_def_format (def, GUESTD_DOMAIN_XML_SECURE);
  again = guestd_domain_def_parse (xml, -1, GUESTD_DOMAIN_XML_LIVE, NULL);
  if (again == NULL)
    abort ();
  xml2 = guestd_domain_def_format (again, GUESTD_DOMAIN_XML_SECURE);
  if (!g_str_equal (xml, xml2))
    abort ();
  return 0;
}
