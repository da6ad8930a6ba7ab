/* The system instance's authorization gate: every method call and
 * property Set is checked with polkit before its handler runs. */
#pragma once

#include <polkit/polkit.h>

#include "daemon/dbus-service.h"

/* A GuestdDBusAuthorizeFunc asking the PolkitAuthority in @data about
 * each call. The caller's subject is its system-bus name (polkit asks the
 * bus who that is, never the message); interaction is allowed only when
 * the message allows it; details name the domain. */
void guestd_polkit_gate_authorize (GuestdDBusService *svc,
                                   GDBusMethodInvocation *inv,
                                   const char *action, GuestdDomainObj *obj,
                                   gboolean need_caller, GTask *proceed,
                                   gpointer data);
