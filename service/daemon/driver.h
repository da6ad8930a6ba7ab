/* The driver: one instance of guestd (session or system), its directories,
 * settings and capabilities, and the registry of its domains. Everything
 * the D-Bus layer does goes through here; events come out of here. */
#pragma once

#include <gio/gio.h>

#include "conf/qemu-conf.h"
#include "daemon/domain-obj.h"
#include "qemu/caps.h"

typedef struct
{
  void (*added) (GuestdDriver *driver, GuestdDomainObj *obj, gpointer data);
  void (*removed) (GuestdDriver *driver, GuestdDomainObj *obj,
                   gpointer data);
  /* libvirt's DomainEvent(event, detail). */
  void (*event) (GuestdDriver *driver, GuestdDomainObj *obj,
                 GuestdEventType event, int detail, gpointer data);
  /* A domain's own signal (Reboot, BalloonChange, Watchdog, …). */
  void (*signal) (GuestdDriver *driver, GuestdDomainObj *obj,
                  const char *name, GVariant *params, gpointer data);
  gpointer data;
} GuestdDriverListener;

struct _GuestdDriver
{
  gboolean privileged;
  char *uri;               /* "qemu:///session" */
  char *conf_file;         /* qemu.conf */
  char *config_dir;        /* persistent definitions: NAME.xml */
  char *autostart_dir;     /* autostart links: NAME.xml */
  char *run_dir;           /* status XML, monitor sockets */
  char *lib_dir;           /* per-guest files QEMU may write */
  char *cache_dir;         /* emulator capabilities */
  char *log_dir;           /* NAME.log: QEMU's stderr */
  char *launch;            /* guestd-launch */
  GuestdQemuConf *conf;
  /* System instance: who guests run as (from qemu.conf, at load). NULL in
   * the session instance: guests run as the service. */
  struct _GuestdAccount *account;
  GuestdCapabilities *caps; /* use guestd_driver_get_caps() */
  gint64 caps_checked;     /* monotonic µs of the last refresh; 0: never */
  char *caps_problems;     /* what was last reported about emulators */
  GPtrArray *domains;      /* GuestdDomainObj, in definition order */
  GHashTable *by_uuid;     /* borrowed */
  GHashTable *by_name;     /* borrowed */
  int next_id;
  GArray *listeners;       /* GuestdDriverListener */
};

typedef enum
{
  GUESTD_LIST_ACTIVE = 1 << 0,
  GUESTD_LIST_INACTIVE = 1 << 1,
  GUESTD_LIST_PERSISTENT = 1 << 2,
  GUESTD_LIST_TRANSIENT = 1 << 3,
  GUESTD_LIST_RUNNING = 1 << 4,
  GUESTD_LIST_PAUSED = 1 << 5,
  GUESTD_LIST_SHUTOFF = 1 << 6,
  GUESTD_LIST_OTHER = 1 << 7,
  GUESTD_LIST_AUTOSTART = 1 << 10,
  GUESTD_LIST_NO_AUTOSTART = 1 << 11,
} GuestdListFlags;

/* The session instance of the calling user (XDG directories). */
GuestdDriver *guestd_driver_new_session (GError **error);
/* The system instance; every path under @root (NULL or "/": the real
 * ones). */
GuestdDriver *guestd_driver_new_system (const char *root, GError **error);
void guestd_driver_free (GuestdDriver *driver);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GuestdDriver, guestd_driver_free)

/* The emulators, refreshed from the cache when last looked at more than
 * a few seconds ago (a QEMU installed meanwhile appears; nothing is
 * probed unless a binary changed). Not read at start-up: the service
 * answers sooner, and only define/start and capability queries need it. */
GuestdCapabilities *guestd_driver_get_caps (GuestdDriver *driver);

/* Read qemu.conf, every definition and status file;
 * reconnect to guests that are still running; restore or report the rest.
 * Warnings (bad files) go to the log, not to the caller. */
gboolean guestd_driver_load (GuestdDriver *driver, GError **error);
/* Start the guests marked autostart, once per boot. */
void guestd_driver_autostart (GuestdDriver *driver);

void guestd_driver_add_listener (GuestdDriver *driver,
                                 const GuestdDriverListener *listener);
/* Forget every listener registered with @data. */
void guestd_driver_remove_listeners (GuestdDriver *driver, gpointer data);
void guestd_driver_emit_event (GuestdDriver *driver, GuestdDomainObj *obj,
                               GuestdEventType event, int detail);
void guestd_driver_emit_signal (GuestdDriver *driver, GuestdDomainObj *obj,
                                const char *name, GVariant *params);

/* Look-ups: errors say "Domain not found: …" in libvirt's words. */
GuestdDomainObj *guestd_driver_lookup_uuid (GuestdDriver *driver,
                                            const char *uuid, GError **error);
GuestdDomainObj *guestd_driver_lookup_name (GuestdDriver *driver,
                                            const char *name, GError **error);
GuestdDomainObj *guestd_driver_lookup_id (GuestdDriver *driver, int id,
                                          GError **error);
/* Borrowed pointers, in definition order. */
GPtrArray *guestd_driver_list (GuestdDriver *driver, GuestdListFlags flags);
guint guestd_driver_count_active (GuestdDriver *driver);

/* Domain XML in, a persistent domain out (new, or updated). @author: the
 * caller's uid (system instance: only its files go to the guest). */
GuestdDomainObj *guestd_driver_define (GuestdDriver *driver, const char *xml,
                                       uid_t author, GError **error);
gboolean guestd_driver_undefine (GuestdDriver *driver, GuestdDomainObj *obj,
                                 guint flags, GError **error);
gboolean guestd_driver_set_autostart (GuestdDriver *driver,
                                      GuestdDomainObj *obj, gboolean on,
                                      GError **error);
/* Parse, complete and check a definition for this host. */
GuestdDomainDef *guestd_driver_parse_def (GuestdDriver *driver,
                                          const char *xml, GError **error);
/* Register a transient domain (before it is started). */
GuestdDomainObj *guestd_driver_add_transient (GuestdDriver *driver,
                                              GuestdDomainDef *def,
                                              uid_t author, GError **error);
/* Forget a domain: a transient one that stopped. */
void guestd_driver_remove (GuestdDriver *driver, GuestdDomainObj *obj);

/* Files. */
char *guestd_driver_config_path (GuestdDriver *driver, const char *name);
char *guestd_driver_status_path (GuestdDriver *driver, const char *name);
char *guestd_driver_log_path (GuestdDriver *driver, const char *name);
gboolean guestd_driver_save_config (GuestdDriver *driver,
                                    GuestdDomainDef *def, GError **error);
gboolean guestd_driver_save_status (GuestdDriver *driver,
                                    GuestdDomainObj *obj, GError **error);
void guestd_driver_remove_status (GuestdDriver *driver, GuestdDomainObj *obj);

/* The XML clients see: live or inactive, secrets only on request. */
char *guestd_driver_format_xml (GuestdDriver *driver, GuestdDomainObj *obj,
                                guint flags);
#define GUESTD_XML_SECURE 1
#define GUESTD_XML_INACTIVE 2
