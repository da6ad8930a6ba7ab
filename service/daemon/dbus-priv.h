/* Shared by the D-Bus files: the service struct, method and property
 * tables, and the helpers every handler uses. */
#pragma once

#include "daemon/dbus-service.h"

struct _GuestdDBusService
{
  GDBusConnection *conn;
  GuestdDriver *driver;
  char *base;                 /* "/org/libvirt/QEMU" */
  GDBusNodeInfo *connect_info;
  GDBusNodeInfo *domain_info;
  GDBusNodeInfo *props_info;
  guint connect_ids[2];
  GHashTable *domain_regs;    /* GuestdDomainObj * → DomainReg * */
  GHashTable *clients;        /* unique name → watch id */
  gint64 last_activity;
  GuestdDBusAuthorizeFunc authorize;
  gpointer authorize_data;
};

typedef void (*GuestdDBusMethodFunc) (GuestdDBusService *svc,
                                      GuestdDomainObj *obj, GVariant *params,
                                      GDBusMethodInvocation *inv);

typedef struct
{
  const char *name;
  GuestdDBusMethodFunc func;
  const char *action; /* what polkit is asked about */
  /* Flags (the call's first argument) that reveal secrets: with any of
   * them set the call needs GUESTD_ACTION_MANAGE. */
  guint secret_flags;
  /* The handler asks who called (definitions name files). */
  gboolean needs_caller;
} GuestdDBusMethod;

typedef struct
{
  const char *name;
  GVariant *(*get) (GuestdDBusService *svc, GuestdDomainObj *obj,
                    GError **error);
  gboolean (*set) (GuestdDBusService *svc, GuestdDomainObj *obj,
                   GVariant *value, GError **error);
  const char *set_action;
} GuestdDBusProperty;

extern const GuestdDBusMethod guestd_dbus_connect_methods[];
extern const GuestdDBusProperty guestd_dbus_connect_properties[];
extern const GuestdDBusMethod guestd_dbus_domain_methods[];
extern const GuestdDBusProperty guestd_dbus_domain_properties[];

#define GUESTD_ACTION_MONITOR "org.guestd.monitor"
#define GUESTD_ACTION_LIFECYCLE "org.guestd.domain.lifecycle"
#define GUESTD_ACTION_MANAGE "org.guestd.domain.manage"

/* Answer with org.libvirt.Error and libvirt's wording (or AccessDenied). */
void guestd_dbus_return_error (GDBusMethodInvocation *inv,
                               const GError *error);
/* Refuse flags the method does not know, as libvirt does. */
gboolean guestd_dbus_check_flags (GDBusMethodInvocation *inv, guint flags,
                                  guint supported);
const char *guestd_dbus_domain_path (GuestdDBusService *svc,
                                     GuestdDomainObj *obj);
