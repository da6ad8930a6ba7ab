/* Free TCP ports for display servers that cannot search for one. */
#pragma once

#include <glib.h>

/* The first port in [@first, @last] that can be bound on @address right
 * now, or -1. A port can be taken by someone else before QEMU binds it;
 * VNC avoids the race by letting QEMU search (to=), SPICE cannot. */
int guestd_find_free_port (const char *address, int first, int last);
