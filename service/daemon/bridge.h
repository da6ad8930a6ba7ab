/* The session instance's bridge to the system instance: everything sent
 * to /org/libvirt/QEMU/system (and below) on the session bus goes to
 * guestd-system's /org/libvirt/QEMU on the system bus, and back, with the
 * object paths in messages rewritten. Generic: any interface, method,
 * property or signal, so new API appears on both sides at once. polkit
 * sees the session's user (this process), and a password dialog, when
 * one is needed, in that user's session. */
#pragma once

#include <gio/gio.h>

typedef struct _GuestdBridge GuestdBridge;

#define GUESTD_BRIDGE_PATH "/org/libvirt/QEMU/system"

/* Start bridging on @session (the system bus is connected on first use).
 * @activity is called (in the main context) for each forwarded call with
 * the caller's unique name, so that the service does not leave while a
 * client uses the bridge. */
GuestdBridge *guestd_bridge_new (GDBusConnection *session,
                                 void (*activity) (const char *sender,
                                                   gpointer data),
                                 gpointer data);
void guestd_bridge_free (GuestdBridge *bridge);

/* Replace the prefix @from of every object path in @value by @to
 * (containers and variants included); exposed for the tests. */
GVariant *guestd_bridge_rewrite_paths (GVariant *value, const char *from,
                                       const char *to);
