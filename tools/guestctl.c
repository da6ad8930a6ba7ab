/* guestctl: a virsh-like command line for guestd. This file owns option
 * parsing and dispatch; the commands live in cmd-*.c. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "guestctl.h"
#include "util/error.h"
#include "util/i18n.h"

static const GuestctlCommand commands[] = {
  { "list", guestctl_cmd_list, "[--all | --inactive]",
    N_("list domains (running ones unless --all)") },
  { "define", guestctl_cmd_define, "FILE|-",
    N_("define a persistent domain from XML") },
  { "undefine", guestctl_cmd_action, "DOM [--nvram]",
    N_("remove a domain's definition") },
  { "start", guestctl_cmd_action, "DOM [--paused]",
    N_("start a defined domain") },
  { "create", guestctl_cmd_create, "FILE|- [--paused]",
    N_("create and start a transient domain from XML") },
  { "shutdown", guestctl_cmd_action, "DOM",
    N_("ask the guest to power off (ACPI)") },
  { "destroy", guestctl_cmd_action, "DOM [--graceful]",
    N_("stop a domain at once") },
  { "reboot", guestctl_cmd_action, "DOM", N_("ask the guest to reboot") },
  { "reset", guestctl_cmd_action, "DOM",
    N_("reset the domain like the reset button") },
  { "suspend", guestctl_cmd_action, "DOM", N_("pause a running domain") },
  { "resume", guestctl_cmd_action, "DOM", N_("continue a paused domain") },
  { "dumpxml", guestctl_cmd_dumpxml, "DOM [--inactive] [--security-info]",
    N_("a domain's XML") },
  { "domstate", guestctl_cmd_domstate, "DOM [--reason]",
    N_("a domain's state") },
  { "dominfo", guestctl_cmd_dominfo, "DOM", N_("facts about a domain") },
  { "domid", guestctl_cmd_domid, "DOM", N_("a running domain's id") },
  { "domuuid", guestctl_cmd_domuuid, "DOM", N_("a domain's UUID") },
  { "autostart", guestctl_cmd_autostart, "DOM [--disable]",
    N_("start the domain with the service") },
  { "capabilities", guestctl_cmd_capabilities, "",
    N_("the host's emulators and what they can run") },
  { "domcapabilities", guestctl_cmd_domcapabilities,
    "[--emulatorbin PATH] [--arch ARCH] [--machine M] [--virttype T]",
    N_("what one emulator offers to a domain") },
  { "domxml-from-native", guestctl_cmd_from_native, "qemu-argv FILE|-",
    N_("convert a QEMU command line to domain XML") },
  { "domxml-to-native", guestctl_cmd_to_native,
    "qemu-argv FILE|- [--qmp-socket PATH]",
    N_("convert domain XML to a QEMU command line") },
  { "uri", guestctl_cmd_uri, "", N_("the connection URI in use") },
  { "version", guestctl_cmd_version, "",
    N_("versions of guestctl and the hypervisor") },
};

int
guestctl_fail (const GError *error)
{
  g_autofree char *msg = guestd_error_format (error);

  g_printerr ("error: %s\n", msg);
  return 1;
}

int
guestctl_usage_error (GuestctlContext *ctx, const char *fmt, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_printerr ("error: %s\n", msg);
  g_printerr (_("Try 'guestctl help' for the commands and their "
                "arguments.\n"));
  return 1;
}

char *
guestctl_read_input (const char *path, GError **error)
{
  g_autoptr (GError) local = NULL;
  char *text = NULL;

  if (g_str_equal (path, "-"))
    {
      g_autoptr (GString) s = g_string_new (NULL);
      char buf[4096];
      size_t n;

      while ((n = fread (buf, 1, sizeof buf, stdin)) > 0)
        g_string_append_len (s, buf, n);
      if (ferror (stdin))
        {
          g_set_error_literal (error, GUESTD_ERROR, GUESTD_ERROR_INVALID_ARG,
                               _("cannot read standard input"));
          return NULL;
        }
      return g_string_free (g_steal_pointer (&s), FALSE);
    }
  if (!g_file_get_contents (path, &text, NULL, &local))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_INVALID_ARG,
                   _("cannot read %s: %s"), path, local->message);
      return NULL;
    }
  return text;
}

static void
remove_arg (GuestctlContext *ctx, int i, int count)
{
  memmove (&ctx->args[i], &ctx->args[i + count],
           (ctx->n_args - i - count + 1) * sizeof (char *));
  ctx->n_args -= count;
}

gboolean
guestctl_take_flag (GuestctlContext *ctx, const char *flag)
{
  for (int i = 0; i < ctx->n_args; i++)
    {
      if (g_str_equal (ctx->args[i], "--"))
        break;
      if (g_str_equal (ctx->args[i], flag))
        {
          remove_arg (ctx, i, 1);
          return TRUE;
        }
    }
  return FALSE;
}

char *
guestctl_take_option (GuestctlContext *ctx, const char *opt)
{
  gsize len = strlen (opt);

  for (int i = 0; i < ctx->n_args; i++)
    {
      const char *a = ctx->args[i];

      if (g_str_equal (a, "--"))
        break;
      if (g_str_equal (a, opt) && i + 1 < ctx->n_args)
        {
          char *v = g_strdup (ctx->args[i + 1]);

          remove_arg (ctx, i, 2);
          return v;
        }
      if (strncmp (a, opt, len) == 0 && a[len] == '=')
        {
          char *v = g_strdup (a + len + 1);

          remove_arg (ctx, i, 1);
          return v;
        }
    }
  return NULL;
}

gboolean
guestctl_no_more_options (GuestctlContext *ctx)
{
  for (int i = 0; i < ctx->n_args; i++)
    {
      if (g_str_equal (ctx->args[i], "--"))
        {
          remove_arg (ctx, i, 1);
          return TRUE;
        }
      if (g_str_has_prefix (ctx->args[i], "--"))
        {
          guestctl_usage_error (ctx, _("unknown option '%s'"), ctx->args[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static void
print_help (void)
{
  printf (_("Usage: guestctl [-c URI] COMMAND [ARGUMENTS]\n\n"
            "Commands:\n"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    printf ("  %-20s %s\n    %s %s\n", commands[i].name,
            _(commands[i].summary), commands[i].name, commands[i].synopsis);
  printf (_("\nDOM is a domain name or UUID. The default URI is "
            "$GUESTD_DEFAULT_URI, or qemu:///session.\n"
            "URIs: qemu:///session, qemu:///system (the system bus), "
            "qemu:///system?via=session (through the session instance),\n"
            "qemu+ssh://[USER@]HOST[:PORT]/system or /session "
            "[?keyfile=FILE&no_verify=1&no_tty=1&socket=PATH].\n"
            "--no-ask-password: never wait for a password (polkit).\n"));
}

int
main (int argc, char **argv)
{
  GuestctlContext ctx = { 0 };
  int i = 1;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  ctx.uri = g_getenv ("GUESTD_DEFAULT_URI");
  for (; i < argc && argv[i][0] == '-'; i++)
    {
      if ((g_str_equal (argv[i], "-c") || g_str_equal (argv[i], "--connect"))
          && i + 1 < argc)
        ctx.uri = argv[++i];
      else if (g_str_has_prefix (argv[i], "--connect="))
        ctx.uri = argv[i] + strlen ("--connect=");
      else if (g_str_equal (argv[i], "--no-ask-password"))
        ctx.no_ask_password = TRUE;
      else if (g_str_equal (argv[i], "-h") || g_str_equal (argv[i], "--help"))
        {
          print_help ();
          return 0;
        }
      else if (g_str_equal (argv[i], "-v") || g_str_equal (argv[i], "--version"))
        {
          printf ("%s\n", PACKAGE_VERSION);
          return 0;
        }
      else
        {
          g_printerr (_("error: unknown option '%s'\n"), argv[i]);
          return 1;
        }
    }
  if (ctx.uri == NULL || *ctx.uri == '\0')
    ctx.uri = "qemu:///session";
  if (i >= argc || g_str_equal (argv[i], "help"))
    {
      print_help ();
      return i >= argc ? 1 : 0;
    }
  ctx.args = g_new0 (char *, argc - i);
  for (int j = i + 1; j < argc; j++)
    ctx.args[ctx.n_args++] = argv[j];

  ctx.command = argv[i];
  for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
    if (g_str_equal (commands[c].name, argv[i]))
      {
        int rc = commands[c].func (&ctx);

        g_free (ctx.args);
        return rc;
      }
  g_free (ctx.args);
  g_printerr (_("error: unknown command: '%s'\n"), argv[i]);
  return 1;
}
