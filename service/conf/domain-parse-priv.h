/* Shared between the two halves of the domain XML parser. */
#pragma once

#include "conf/domain.h"

typedef struct
{
  GuestdXmlReader r;
  GuestdDomainXmlFlags flags;
} GuestdDomainParser;

gboolean guestd_domain_parse_devices (GuestdDomainParser *p,
                                      GuestdDomainDef *def, xmlNode *devices,
                                      GError **error);
