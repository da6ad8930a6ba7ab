/* guestd-session: the per-user instance on the session bus. Guests run as
 * the user; it leaves when idle (no clients, no running guests). */
#include "config.h"

#include <locale.h>
#include <stdio.h>

#include "daemon/bridge.h"
#include "daemon/driver.h"
#include "daemon/serve.h"
#include "util/i18n.h"

static void
bridge_activity (const char *sender, gpointer data)
{
  guestd_dbus_service_note_client (data, sender);
}

/* qemu:///system through the session bus, for clients that see only it. */
static gboolean
install_bridge (GuestdDBusService *svc, gpointer data, GError **error)
{
  GuestdBridge **bridge = data;

  *bridge = guestd_bridge_new (guestd_dbus_service_get_connection (svc),
                               bridge_activity, svc);
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) ctx = NULL;
  g_autoptr (GuestdDriver) driver = NULL;
  GuestdBridge *bridge = NULL;
  gboolean version = FALSE;
  int status;
  GuestdServeOptions o = {
    .prog = "guestd-session",
    .bus_type = G_BUS_TYPE_SESSION,
    .timeout = 120,
    .prepare = install_bridge,
    .data = &bridge,
  };
  GOptionEntry entries[] = {
    { "timeout", 't', 0, G_OPTION_ARG_INT, &o.timeout,
      N_("Exit after SECONDS idle with no clients and no running guests (0: "
         "never; default 120)"),
      N_("SECONDS") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version"),
      NULL },
    { NULL },
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  o.bus_label = _("session bus");

  ctx = g_option_context_new (NULL);
  g_option_context_set_summary (ctx, _("The guestd session instance: QEMU "
                                       "guests of this user, on the session "
                                       "bus as org.libvirt."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("guestd-session: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      printf ("guestd-session %s\n", PACKAGE_VERSION);
      return 0;
    }

  driver = guestd_driver_new_session (&error);
  if (driver == NULL)
    {
      g_printerr ("guestd-session: %s\n", error->message);
      return 1;
    }
  o.driver = driver;
  status = guestd_serve (&o);
  guestd_bridge_free (bridge);
  return status;
}
