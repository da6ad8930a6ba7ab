/* A domain's QEMU process: start (through guestd-launch), the monitor,
 * exit detection with a pidfd, stop, and taking over a QEMU that survived
 * a restart of the service. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "daemon/domain-obj.h"

/* Start the domain's QEMU (paused with -S, then "cont" unless @paused).
 * Completes once the guest runs (or is paused) and STARTED was emitted. */
void guestd_process_start_async (GuestdDomainObj *obj, gboolean paused,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
gboolean guestd_process_start_finish (GAsyncResult *result, GError **error);

/* SIGTERM, then SIGKILL after a grace time unless @graceful. Completes
 * when QEMU is gone and STOPPED was emitted. */
void guestd_process_destroy_async (GuestdDomainObj *obj, gboolean graceful,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
gboolean guestd_process_destroy_finish (GAsyncResult *result, GError **error);

/* Run a monitor command on a running domain. */
void guestd_process_monitor_async (GuestdDomainObj *obj, const char *command,
                                   JsonNode *arguments,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
JsonNode *guestd_process_monitor_finish (GAsyncResult *result,
                                         GError **error);

/* The lifecycle operations the API offers on a running domain. */
typedef enum
{
  GUESTD_OP_SHUTDOWN,
  GUESTD_OP_REBOOT,
  GUESTD_OP_RESET,
  GUESTD_OP_SUSPEND,
  GUESTD_OP_RESUME,
} GuestdProcessOp;

void guestd_process_op_async (GuestdDomainObj *obj, GuestdProcessOp op,
                              GAsyncReadyCallback callback,
                              gpointer user_data);
gboolean guestd_process_op_finish (GAsyncResult *result, GError **error);

/* After a service restart: take over the QEMU a status file names, after
 * checking that it is the same process (pid and start time). */
void guestd_process_reconnect (GuestdDomainObj *obj, GPid pid,
                               guint64 start_time, const char *monitor,
                               GuestdDomainState state, int reason);

/* /proc/PID/stat field 22, or 0. */
guint64 guestd_process_start_time (GPid pid);
/* The last lines of the domain's log, for error messages. */
char *guestd_process_log_tail (GuestdDomainObj *obj);
