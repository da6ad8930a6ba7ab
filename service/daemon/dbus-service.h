/* The org.libvirt API on one bus connection: the connection object and a
 * domain object per domain, translating calls to the driver and its events
 * to signals. */
#pragma once

#include <gio/gio.h>

#include "daemon/driver.h"

typedef struct _GuestdDBusService GuestdDBusService;

/* Decides whether a call may proceed (the system instance asks polkit).
 * @action names what the call does; @obj is the domain or NULL;
 * @need_caller: the handler wants guestd_dbus_caller_uid() (set it with
 * guestd_dbus_set_caller_uid() before proceeding). Must eventually return
 * on @proceed (and unref it): TRUE lets the call run; FALSE or an error
 * refuses it, and the error is the reply. */
typedef void (*GuestdDBusAuthorizeFunc) (GuestdDBusService *svc,
                                         GDBusMethodInvocation *inv,
                                         const char *action,
                                         GuestdDomainObj *obj,
                                         gboolean need_caller,
                                         GTask *proceed, gpointer data);

/* The objects of @driver at @base_path on @conn. Every call passes
 * @authorize first (NULL: none; refused for a privileged driver, whose
 * objects must never be reachable ungated). */
GuestdDBusService *guestd_dbus_service_new (GDBusConnection *conn,
                                            GuestdDriver *driver,
                                            const char *base_path,
                                            GuestdDBusAuthorizeFunc authorize,
                                            gpointer authorize_data,
                                            GError **error);
void guestd_dbus_service_free (GuestdDBusService *svc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GuestdDBusService, guestd_dbus_service_free)

/* Who made a call, as the gate learnt it from the bus (never from the
 * message). Without a gate (the session instance): this process's user;
 * with one that did not say: nobody ((uid_t) -1), who owns nothing. */
void guestd_dbus_set_caller_uid (GDBusMethodInvocation *inv, uid_t uid);
uid_t guestd_dbus_caller_uid (GuestdDBusService *svc,
                              GDBusMethodInvocation *inv);

/* A call from @sender (a bus name; NULL: none), here or through the
 * bridge: the service stays while it is on the bus. */
void guestd_dbus_service_note_client (GuestdDBusService *svc,
                                      const char *sender);
GDBusConnection *guestd_dbus_service_get_connection (GuestdDBusService *svc);

/* For the idle timeout: clients still on the bus, and the last call. */
guint guestd_dbus_service_client_count (GuestdDBusService *svc);
gint64 guestd_dbus_service_last_activity (GuestdDBusService *svc);
