/* A domain as the service knows it: its definitions, its state, and while
 * it runs, its QEMU process and monitor. State lives here, never in the
 * D-Bus layer. */
#pragma once

#include <gio/gio.h>
#include <sys/types.h>

#include "conf/domain.h"
#include "qemu/qmp.h"

/* libvirt's virDomainState and reasons, as clients expect them. */
typedef enum
{
  GUESTD_STATE_NOSTATE = 0,
  GUESTD_STATE_RUNNING = 1,
  GUESTD_STATE_BLOCKED = 2,
  GUESTD_STATE_PAUSED = 3,
  GUESTD_STATE_SHUTDOWN = 4,
  GUESTD_STATE_SHUTOFF = 5,
  GUESTD_STATE_CRASHED = 6,
  GUESTD_STATE_PMSUSPENDED = 7,
} GuestdDomainState;

enum
{
  GUESTD_RUNNING_UNKNOWN = 0,
  GUESTD_RUNNING_BOOTED = 1,
  GUESTD_RUNNING_UNPAUSED = 5,
  GUESTD_PAUSED_UNKNOWN = 0,
  GUESTD_PAUSED_USER = 1,
  GUESTD_PAUSED_WATCHDOG = 6,
  GUESTD_PAUSED_SHUTTING_DOWN = 8,
  GUESTD_PAUSED_CRASHED = 10,
  GUESTD_PAUSED_STARTING_UP = 11,
  GUESTD_SHUTDOWN_USER = 1,
  GUESTD_SHUTOFF_UNKNOWN = 0,
  GUESTD_SHUTOFF_SHUTDOWN = 1,
  GUESTD_SHUTOFF_DESTROYED = 2,
  GUESTD_SHUTOFF_CRASHED = 3,
  GUESTD_SHUTOFF_FAILED = 6,
  GUESTD_SHUTOFF_DAEMON = 8,
  GUESTD_CRASHED_PANICKED = 1,
};

/* libvirt's virDomainEventType and details. */
typedef enum
{
  GUESTD_EVENT_DEFINED = 0,
  GUESTD_EVENT_UNDEFINED = 1,
  GUESTD_EVENT_STARTED = 2,
  GUESTD_EVENT_SUSPENDED = 3,
  GUESTD_EVENT_RESUMED = 4,
  GUESTD_EVENT_STOPPED = 5,
  GUESTD_EVENT_SHUTDOWN = 6,
  GUESTD_EVENT_PMSUSPENDED = 7,
  GUESTD_EVENT_CRASHED = 8,
} GuestdEventType;

enum
{
  GUESTD_DEFINED_ADDED = 0,
  GUESTD_DEFINED_UPDATED = 1,
  GUESTD_UNDEFINED_REMOVED = 0,
  GUESTD_STARTED_BOOTED = 0,
  GUESTD_SUSPENDED_PAUSED = 0,
  GUESTD_SUSPENDED_WATCHDOG = 3,
  GUESTD_SUSPENDED_API_ERROR = 6,
  GUESTD_RESUMED_UNPAUSED = 0,
  GUESTD_STOPPED_SHUTDOWN = 0,
  GUESTD_STOPPED_DESTROYED = 1,
  GUESTD_STOPPED_CRASHED = 2,
  GUESTD_STOPPED_FAILED = 5,
  GUESTD_SHUTDOWN_FINISHED = 0,
  GUESTD_SHUTDOWN_GUEST = 1,
  GUESTD_SHUTDOWN_HOST = 2,
  GUESTD_CRASHED_EVENT_PANICKED = 0,
};

typedef struct _GuestdDriver GuestdDriver;
typedef struct _GuestdDomainObj GuestdDomainObj;

struct _GuestdDomainObj
{
  gint refs;
  GuestdDriver *driver;      /* not a reference: the driver outlives us */
  GuestdDomainDef *def;      /* the live definition while running */
  GuestdDomainDef *newdef;   /* the persistent one, changed while running */
  gboolean persistent;
  gboolean updated;          /* redefined while running */
  gboolean autostart;
  gboolean removed;          /* no longer in the registry */
  GuestdDomainState state;
  int reason;

  /* While QEMU runs. */
  GPid pid;
  guint64 start_time;        /* /proc/PID/stat field 22: pid reuse guard */
  gboolean our_child;        /* forked by this process: reap it */
  int pidfd;
  guint pidfd_watch;
  GuestdQmp *qmp;
  char *qmp_path;
  gboolean starting;         /* between exec and the monitor handshake */
  gboolean destroying;       /* we are killing it */
  gboolean fake_reboot;      /* the next SHUTDOWN means reboot */
  gboolean shutdown_seen;    /* the guest powered off: STOPPED SHUTDOWN */
  gboolean shutting_down;    /* handling a SHUTDOWN: QEMU's own STOP and
                              * the SHUTDOWN of our "quit" are echoes */
  gboolean crashed;
  gboolean restart_after_exit; /* on_poweroff='restart' */
  GPtrArray *exit_waiters;   /* GTask: Destroy calls waiting for the exit */
  guint kill_timer;
  guint64 balloon_kib;       /* last BALLOON_CHANGE */
  struct _GuestdCgroup *cgroup; /* system instance: its device cgroup */
  char *object_path;         /* on the bus; the UUID never changes */
};

GuestdDomainObj *guestd_domain_obj_new (GuestdDriver *driver,
                                        GuestdDomainDef *def);
GuestdDomainObj *guestd_domain_obj_ref (GuestdDomainObj *obj);
void guestd_domain_obj_unref (GuestdDomainObj *obj);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GuestdDomainObj, guestd_domain_obj_unref)

gboolean guestd_domain_obj_is_active (const GuestdDomainObj *obj);
/* The definition a client edits: the pending one, or the current one. */
GuestdDomainDef *guestd_domain_obj_persistent_def (GuestdDomainObj *obj);
void guestd_domain_obj_set_state (GuestdDomainObj *obj,
                                  GuestdDomainState state, int reason);
/* D-Bus object path: BASE/domain/_<uuid, '-' as '_'>, computed once per
 * object (a process serves one BASE). */
const char *guestd_domain_obj_path (const char *base, GuestdDomainObj *obj);
