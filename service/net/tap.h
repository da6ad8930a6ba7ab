/* TAP devices for type='bridge' interfaces of the system instance: the
 * service creates them and attaches them to the bridge; QEMU only gets
 * the file descriptor and never needs CAP_NET_ADMIN. */
#pragma once

#include <glib.h>

/* Create a TAP device (named @name, or the first free "vnetN" when NULL)
 * with @mac's first byte replaced by 0xfe (so the bridge does not take
 * the guest's address), enslave it to @bridge, copy the bridge's MTU and
 * bring it up. Returns the queue's descriptor (close-on-exec) and the
 * device's name in @ifname; the device goes away when every descriptor
 * is closed. */
int guestd_tap_create_on_bridge (const char *name, const char *mac,
                                 const char *bridge, char **ifname,
                                 GError **error);
