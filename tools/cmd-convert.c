/* guestctl commands that need no service: native-format conversion and the
 * host's capabilities, computed here with the same code the services use. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "conf/domain.h"
#include "conf/qemu-conf.h"
#include "guestctl.h"
#include "qemu/argv-build.h"
#include "qemu/argv-parse.h"
#include "qemu/caps.h"
#include "util/error.h"
#include "util/i18n.h"

static GuestdCapabilities *
local_capabilities (void)
{
  g_autoptr (GuestdQemuConf) conf = guestd_qemu_conf_new ();
  g_autofree char *conf_file = g_build_filename (g_get_user_config_dir (),
                                                 "guestd", "qemu.conf", NULL);
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "guestd",
                                             "qemu", NULL);
  g_autoptr (GError) error = NULL;
  GuestdCapabilities *caps;

  /* The session instance's settings: these answers are about this user. */
  if (!guestd_qemu_conf_load (conf, conf_file, &error))
    g_printerr ("warning: %s\n", error->message);
  caps = guestd_capabilities_new (cache,
                                  (const char *const *) conf->emulator_dirs,
                                  conf->kvm_device);
  guestd_capabilities_refresh (caps);
  for (guint i = 0; i < caps->problems->len; i++)
    g_printerr ("warning: %s\n", (char *) caps->problems->pdata[i]);
  return caps;
}

int
guestctl_cmd_capabilities (GuestctlContext *ctx)
{
  g_autoptr (GuestdCapabilities) caps = NULL;
  g_autofree char *xml = NULL;

  if (!guestctl_no_more_options (ctx))
    return 1;
  if (ctx->n_args != 0)
    return guestctl_usage_error (ctx, _("capabilities takes no arguments"));
  caps = local_capabilities ();
  xml = guestd_capabilities_format (caps, NULL);
  fputs (xml, stdout);
  return 0;
}

int
guestctl_cmd_domcapabilities (GuestctlContext *ctx)
{
  g_autofree char *emulator = guestctl_take_option (ctx, "--emulatorbin");
  g_autofree char *arch = guestctl_take_option (ctx, "--arch");
  g_autofree char *machine = guestctl_take_option (ctx, "--machine");
  g_autofree char *virttype = guestctl_take_option (ctx, "--virttype");
  g_autoptr (GuestdCapabilities) caps = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *xml = NULL;

  if (!guestctl_no_more_options (ctx))
    return 1;
  caps = local_capabilities ();
  xml = guestd_capabilities_format_domain (caps, emulator, arch, machine,
                                           virttype, &error);
  if (xml == NULL)
    return guestctl_fail (error);
  fputs (xml, stdout);
  return 0;
}

static gboolean
check_format (GuestctlContext *ctx, GError **error)
{
  if (g_str_equal (ctx->args[0], "qemu-argv"))
    return TRUE;
  g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
               _("unsupported config type %s (guestd knows qemu-argv)"),
               ctx->args[0]);
  return FALSE;
}

int
guestctl_cmd_from_native (GuestctlContext *ctx)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *xml = NULL;
  g_autoptr (GuestdDomainDef) def = NULL;

  if (!guestctl_no_more_options (ctx))
    return 1;
  if (ctx->n_args != 2)
    return guestctl_usage_error (ctx, _("expected FORMAT and CONFIG"));
  if (!check_format (ctx, &error))
    return guestctl_fail (error);
  line = guestctl_read_input (ctx->args[1], &error);
  if (line == NULL)
    return guestctl_fail (error);
  def = guestd_qemu_parse_native (line, &error);
  if (def == NULL)
    return guestctl_fail (error);
  xml = guestd_domain_def_format (def, GUESTD_DOMAIN_XML_INACTIVE
                                         | GUESTD_DOMAIN_XML_SECURE);
  fputs (xml, stdout);
  return 0;
}

int
guestctl_cmd_to_native (GuestctlContext *ctx)
{
  g_autofree char *qmp = guestctl_take_option (ctx, "--qmp-socket");
  g_autoptr (GError) error = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *line = NULL;
  g_autofree char *qmp_default = NULL;
  g_autofree char *nvram = NULL;
  g_autoptr (GuestdDomainDef) def = NULL;
  g_autoptr (GuestdQemuCommand) cmd = NULL;
  g_autoptr (GuestdCapabilities) caps = NULL;
  g_autofree char *home = g_strdup (g_get_home_dir ());
  GuestdQemuBuildOptions opts;
  const char *runtime = g_get_user_runtime_dir ();

  if (!guestctl_no_more_options (ctx))
    return 1;
  if (ctx->n_args != 2)
    return guestctl_usage_error (ctx, _("expected FORMAT and XML"));
  if (!check_format (ctx, &error))
    return guestctl_fail (error);
  xml = guestctl_read_input (ctx->args[1], &error);
  if (xml == NULL)
    return guestctl_fail (error);
  def = guestd_domain_def_parse (xml, -1, 0, &error);
  if (def == NULL)
    return guestctl_fail (error);
  if (def->emulator == NULL)
    {
      const GuestdQemuEmulator *e;

      caps = local_capabilities ();
      e = guestd_capabilities_emulator_for (caps, def, &error);
      if (e == NULL)
        return guestctl_fail (error);
      def->emulator = g_strdup (e->path);
    }
  qmp_default = g_strdup_printf ("%s/guestd-%s.qmp", runtime, def->name);
  nvram = g_build_filename (g_get_user_config_dir (), "guestd", "qemu",
                            "nvram", NULL);
  guestd_qemu_build_options_init (&opts);
  opts.qmp_path = qmp ? qmp : qmp_default;
  opts.channel_dir = runtime;
  opts.nvram_dir = nvram;
  opts.home = home;
  opts.native = TRUE;
  cmd = guestd_qemu_build_command (def, &opts, &error);
  if (cmd == NULL)
    return guestctl_fail (error);
  line = guestd_qemu_command_to_string (cmd);
  printf ("%s\n", line);
  return 0;
}
