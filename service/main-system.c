/* guestd-system: the privileged instance on the system bus. Every call is
 * authorized by polkit; guests run as the qemu.conf account with no
 * capabilities, in a device cgroup, on disks handed to that account for
 * their lifetime. */
#include "config.h"

#include <unistd.h>

#include "daemon/driver.h"
#include "daemon/serve.h"
#include "system/polkit-gate.h"
#include "util/i18n.h"

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GuestdDriver) driver = NULL;
  g_autoptr (PolkitAuthority) authority = NULL;
  g_autofree char *root = NULL;
  int status;
  GuestdServeOptions o = {
    .prog = "guestd-system",
    .bus_type = G_BUS_TYPE_SYSTEM,
    .timeout = 0,
    .authorize = guestd_polkit_gate_authorize,
  };
  GOptionEntry entries[] = {
    { "root", 0, 0, G_OPTION_ARG_FILENAME, &root,
      N_("Keep configuration and state under DIR instead of / (tests)"),
      N_("DIR") },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &o.timeout,
      N_("Exit after SECONDS idle with no clients and no running guests (0: "
         "never, the default)"),
      N_("SECONDS") },
    { NULL },
  };

  status = guestd_serve_parse_args (
    o.prog,
    N_("The guestd system instance: QEMU guests of the host, run as an "
       "unprivileged account, on the system bus as org.libvirt."),
    entries, &argc, &argv);
  if (status >= 0)
    return status;
  o.bus_label = _("system bus");

  if (geteuid () != 0)
    {
      g_printerr (_("guestd-system: must run as root (it hands disks to the "
                    "guests' account and confines them); for guests of your "
                    "own use guestd-session\n"));
      return 1;
    }

  /* Without polkit nothing may be allowed: refuse to start rather than
   * serve calls nobody can authorize. */
  authority = polkit_authority_get_sync (NULL, &error);
  if (authority == NULL)
    {
      g_printerr (_("guestd-system: cannot reach polkit: %s\n"),
                  error->message);
      return 1;
    }
  o.authorize_data = authority;
  driver = guestd_driver_new_system (root, &error);
  if (driver == NULL)
    {
      g_printerr ("guestd-system: %s\n", error->message);
      return 1;
    }
  o.driver = driver;
  return guestd_serve (&o);
}
