/* guestd-session: the per-user instance on the session bus. Guests run as
 * the user; it leaves when idle (no clients, no running guests). */
#include "config.h"

#include <locale.h>
#include <stdio.h>

#include "daemon/driver.h"
#include "daemon/serve.h"
#include "util/i18n.h"

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) ctx = NULL;
  g_autoptr (GuestdDriver) driver = NULL;
  gboolean version = FALSE;
  GuestdServeOptions o = {
    .prog = "guestd-session",
    .bus_type = G_BUS_TYPE_SESSION,
    .timeout = 120,
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
  return guestd_serve (&o);
}
