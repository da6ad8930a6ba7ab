/* guestctl's connection to a guestd service: the URI decides the bus. */
#pragma once

#include <gio/gio.h>

#include "guestctl.h"

typedef struct
{
  GDBusConnection *bus;
  char *uri;          /* canonical */
  const char *name;   /* "org.libvirt" */
  const char *base;   /* "/org/libvirt/QEMU" */
  gboolean interactive;
  GPid agent;         /* pkttyagent we started, or 0 */
  GPid transport;     /* ssh for qemu+ssh://, or 0 */
} GuestctlClient;

GuestctlClient *guestctl_client_open (GuestctlContext *ctx, GError **error);
void guestctl_client_free (GuestctlClient *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GuestctlClient, guestctl_client_free)

/* Call a method; NULL @path means the connection object. D-Bus errors are
 * turned back into plain messages (org.libvirt.Error carries libvirt's
 * wording already). */
GVariant *guestctl_call (GuestctlClient *c, const char *path,
                         const char *iface, const char *method,
                         GVariant *params, const char *reply_type,
                         GError **error);
GVariant *guestctl_get_property (GuestctlClient *c, const char *path,
                                 const char *name, GError **error);

/* DOM: an id, a UUID or a name, as virsh looks it up. */
char *guestctl_lookup (GuestctlClient *c, const char *dom, GError **error);
