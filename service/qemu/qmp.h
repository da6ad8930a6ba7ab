/* A QMP client on the main loop: commands out, replies matched by id,
 * events handed to a callback, end of connection reported once. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

typedef struct _GuestdQmp GuestdQmp;

typedef void (*GuestdQmpEventFunc) (GuestdQmp *qmp, const char *event,
                                    JsonObject *data, gpointer user_data);
typedef void (*GuestdQmpClosedFunc) (GuestdQmp *qmp, gpointer user_data);

/* Takes over @conn. Callbacks run on the thread-default main context of
 * the caller; @closed runs once, when QEMU goes away or on close().
 * Commands executed before guestd_qmp_handshake_async() has negotiated
 * capabilities are held and sent once it has. */
GuestdQmp *guestd_qmp_new (GSocketConnection *conn, GuestdQmpEventFunc event,
                           GuestdQmpClosedFunc closed, gpointer user_data);
GuestdQmp *guestd_qmp_ref (GuestdQmp *qmp);
void guestd_qmp_unref (GuestdQmp *qmp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GuestdQmp, guestd_qmp_unref)

/* Read the greeting and leave capabilities negotiation mode. */
void guestd_qmp_handshake_async (GuestdQmp *qmp, GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
gboolean guestd_qmp_handshake_finish (GuestdQmp *qmp, GAsyncResult *result,
                                      GError **error);

/* Run @command with @arguments (an object, or NULL; taken). The result is
 * QMP's "return" value; a QMP error becomes GUESTD_ERROR_OPERATION_FAILED
 * with QEMU's description. */
void guestd_qmp_execute_async (GuestdQmp *qmp, const char *command,
                               JsonNode *arguments, GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
JsonNode *guestd_qmp_execute_finish (GuestdQmp *qmp, GAsyncResult *result,
                                     GError **error);

/* Drop the connection; pending commands fail. */
void guestd_qmp_close (GuestdQmp *qmp);
gboolean guestd_qmp_is_closed (GuestdQmp *qmp);

/* Build an arguments object: pairs of (name, GType, value), NULL-ended.
 * G_TYPE_STRING takes const char *, G_TYPE_INT64 gint64, G_TYPE_BOOLEAN
 * gboolean. */
JsonNode *guestd_qmp_args (const char *first_name, ...) G_GNUC_NULL_TERMINATED;
