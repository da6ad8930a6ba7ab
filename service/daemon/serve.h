/* What both services do once configured: one instance per state
 * directory, the bus connection overlapped with loading the guests, the
 * org.libvirt objects, the bus name, signals and the idle exit. */
#pragma once

#include <gio/gio.h>

#include "daemon/dbus-service.h"
#include "daemon/driver.h"

typedef struct
{
  const char *prog;        /* "guestd-session": messages */
  GBusType bus_type;
  const char *bus_label;   /* "session bus" as messages say it */
  GuestdDriver *driver;    /* created; loaded here */
  int timeout;             /* idle seconds before exiting; 0: never */
  /* The gate every call passes (required for a privileged driver). */
  GuestdDBusAuthorizeFunc authorize;
  gpointer authorize_data;
  /* Runs after the objects exist and before the bus name is taken (the
   * session instance starts its bridge there). FALSE with @error stops
   * the service. */
  gboolean (*prepare) (GuestdDBusService *svc, gpointer data,
                       GError **error);
  gpointer data;
} GuestdServeOptions;

/* Set up translations and parse @prog's command line: @entries, and
 * --version; @summary is untranslated (N_()). -1 to go on, else the
 * status main() returns. */
int guestd_serve_parse_args (const char *prog, const char *summary,
                             const GOptionEntry *entries, int *argc,
                             char ***argv);

/* Serve until a signal, the idle timeout or the bus going away; the exit
 * status for main(). */
int guestd_serve (const GuestdServeOptions *opts);
