/* guestd-session: the per-user instance on the session bus. Guests run as
 * the user; it leaves when idle (no clients, no running guests). */
#include "config.h"

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
  g_autoptr (GuestdDriver) driver = NULL;
  GuestdBridge *bridge = NULL;
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
    { NULL },
  };

  status = guestd_serve_parse_args (
    o.prog,
    N_("The guestd session instance: QEMU guests of this user, on the "
       "session bus as org.libvirt."),
    entries, &argc, &argv);
  if (status >= 0)
    return status;
  o.bus_label = _("session bus");

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
