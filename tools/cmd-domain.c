/* guestctl commands that talk to a guestd service: listing, defining,
 * the lifecycle, and information about one domain. Output follows virsh. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "client.h"
#include "guestctl.h"
#include "util/error.h"
#include "util/i18n.h"

#define CONNECT "org.libvirt.Connect"
#define DOMAIN "org.libvirt.Domain"

static const char *
state_name (int state)
{
  /* virsh's words. */
  static const char *const names[] = { N_("no state"), N_("running"),
                                       N_("idle"), N_("paused"),
                                       N_("in shutdown"), N_("shut off"),
                                       N_("crashed"), N_("pmsuspended") };

  return state >= 0 && state < (int) G_N_ELEMENTS (names) ? _(names[state])
                                                          : _("no state");
}

static const char *
reason_name (int state, int reason)
{
  switch (state)
    {
    case 1:
      {
        static const char *const r[] = { N_("unknown"), N_("booted"),
                                         N_("migrated"), N_("restored"),
                                         N_("from snapshot"), N_("unpaused") };
        return reason < (int) G_N_ELEMENTS (r) ? _(r[reason]) : _("unknown");
      }
    case 3:
      {
        static const char *const r[] = {
          N_("unknown"), N_("user"), N_("migrating"), N_("saving"),
          N_("dumping"), N_("I/O error"), N_("watchdog"),
          N_("from snapshot"), N_("shutting down"), N_("creating snapshot"),
          N_("crashed"), N_("starting up")
        };
        return reason < (int) G_N_ELEMENTS (r) ? _(r[reason]) : _("unknown");
      }
    case 5:
      {
        static const char *const r[] = {
          N_("unknown"), N_("shutdown"), N_("destroyed"), N_("crashed"),
          N_("migrated"), N_("saved"), N_("failed"), N_("from snapshot"),
          N_("daemon")
        };
        return reason < (int) G_N_ELEMENTS (r) ? _(r[reason]) : _("unknown");
      }
    default:
      return _("unknown");
    }
}

static GuestctlClient *
open_or_fail (GuestctlContext *ctx, int *rc)
{
  g_autoptr (GError) error = NULL;
  GuestctlClient *c = guestctl_client_open (ctx, &error);

  if (c == NULL)
    *rc = guestctl_fail (error);
  return c;
}

/* Connect and find DOM, or say why not (two lines, as virsh does). */
static char *
find_domain (GuestctlContext *ctx, GuestctlClient **client, int *rc)
{
  g_autoptr (GError) error = NULL;
  char *path;

  if (!guestctl_no_more_options (ctx))
    {
      *rc = 1;
      return NULL;
    }
  if (ctx->n_args != 1)
    {
      *rc = guestctl_usage_error (ctx, _("expected one domain (name, UUID "
                                         "or id)"));
      return NULL;
    }
  *client = open_or_fail (ctx, rc);
  if (*client == NULL)
    return NULL;
  path = guestctl_lookup (*client, ctx->args[0], &error);
  if (path == NULL)
    {
      g_printerr (_("error: failed to get domain '%s'\n"), ctx->args[0]);
      *rc = guestctl_fail (error);
    }
  return path;
}

static char *
domain_name (GuestctlClient *c, const char *path)
{
  g_autoptr (GVariant) v = guestctl_get_property (c, path, "Name", NULL);

  return v ? g_variant_dup_string (v, NULL) : g_strdup ("?");
}

int
guestctl_cmd_list (GuestctlContext *ctx)
{
  gboolean all = guestctl_take_flag (ctx, "--all");
  gboolean inactive = guestctl_take_flag (ctx, "--inactive");
  g_autoptr (GuestctlClient) c = NULL;
  g_autoptr (GVariant) ret = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariantIter) it = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  const char *path;
  guint flags;
  int rc = 0;
  gsize wid = 2, wname = 4;

  if (!guestctl_no_more_options (ctx))
    return 1;
  c = open_or_fail (ctx, &rc);
  if (c == NULL)
    return rc;
  flags = all ? 0 : inactive ? 2 /* INACTIVE */ : 1 /* ACTIVE */;
  ret = guestctl_call (c, NULL, CONNECT, "ListDomains",
                       g_variant_new ("(u)", flags), "(ao)", &error);
  if (ret == NULL)
    return guestctl_fail (error);
  g_variant_get (ret, "(ao)", &it);
  while (g_variant_iter_next (it, "&o", &path))
    {
      g_autoptr (GVariant) props = guestctl_call (
        c, path, "org.freedesktop.DBus.Properties", "GetAll",
        g_variant_new ("(s)", DOMAIN), "(a{sv})", NULL);
      g_autoptr (GVariant) state = guestctl_call (c, path, DOMAIN, "GetState",
                                                  g_variant_new ("(u)", 0),
                                                  "((ii))", NULL);
      g_autoptr (GVariant) name = NULL;
      g_autoptr (GVariant) active = NULL;
      g_autoptr (GVariant) id = NULL;
      char **row = g_new0 (char *, 4);
      gint32 s = 0, r = 0;

      if (props == NULL || state == NULL)
        {
          g_free (row);
          continue; /* gone meanwhile */
        }
      {
        g_autoptr (GVariant) dict = g_variant_get_child_value (props, 0);

        name = g_variant_lookup_value (dict, "Name", NULL);
        active = g_variant_lookup_value (dict, "Active", NULL);
        id = g_variant_lookup_value (dict, "Id", NULL);
      }
      g_variant_get (state, "((ii))", &s, &r);
      /* GetAll wraps each value twice: unwrap the inner variant. */
      {
        g_autoptr (GVariant) n = name ? g_variant_get_variant (name) : NULL;
        g_autoptr (GVariant) a = active ? g_variant_get_variant (active) : NULL;
        g_autoptr (GVariant) i = id ? g_variant_get_variant (id) : NULL;

        row[0] = a && g_variant_get_boolean (a) && i
                   ? g_strdup_printf ("%u", g_variant_get_uint32 (i))
                   : g_strdup ("-");
        row[1] = g_strdup (n ? g_variant_get_string (n, NULL) : "?");
      }
      row[2] = g_strdup (state_name (s));
      wid = MAX (wid, strlen (row[0]));
      wname = MAX (wname, (gsize) g_utf8_strlen (row[1], -1));
      g_ptr_array_add (rows, row);
    }
  printf (" %-*s   %-*s   %s\n", (int) wid, _("Id"), (int) wname, _("Name"),
          _("State"));
  for (gsize i = 0; i < wid + wname + 14; i++)
    putchar ('-');
  putchar ('\n');
  for (guint i = 0; i < rows->len; i++)
    {
      char **row = rows->pdata[i];

      printf (" %-*s   %-*s   %s\n", (int) wid, row[0], (int) wname, row[1],
              row[2]);
    }
  putchar ('\n');
  return 0;
}

static int
define_or_create (GuestctlContext *ctx, gboolean create)
{
  gboolean paused = create && guestctl_take_flag (ctx, "--paused");
  g_autoptr (GuestctlClient) c = NULL;
  g_autoptr (GVariant) ret = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *name = NULL;
  const char *path;
  int rc = 0;

  if (!guestctl_no_more_options (ctx))
    return 1;
  if (ctx->n_args != 1)
    return guestctl_usage_error (ctx, _("expected one XML file (or -)"));
  xml = guestctl_read_input (ctx->args[0], &error);
  if (xml == NULL)
    return guestctl_fail (error);
  c = open_or_fail (ctx, &rc);
  if (c == NULL)
    return rc;
  if (create)
    ret = guestctl_call (c, NULL, CONNECT, "DomainCreateXML",
                         g_variant_new ("(su)", xml, paused ? 1u : 0u), "(o)",
                         &error);
  else
    ret = guestctl_call (c, NULL, CONNECT, "DomainDefineXML",
                         g_variant_new ("(s)", xml), "(o)", &error);
  if (ret == NULL)
    {
      g_printerr (create ? _("error: Failed to create domain from %s\n")
                         : _("error: Failed to define domain from %s\n"),
                  ctx->args[0]);
      return guestctl_fail (error);
    }
  g_variant_get (ret, "(&o)", &path);
  name = domain_name (c, path);
  printf (create ? _("Domain '%s' created from %s\n")
                 : _("Domain '%s' defined from %s\n"),
          name, ctx->args[0]);
  printf ("\n");
  return 0;
}

int
guestctl_cmd_define (GuestctlContext *ctx)
{
  return define_or_create (ctx, FALSE);
}

int
guestctl_cmd_create (GuestctlContext *ctx)
{
  return define_or_create (ctx, TRUE);
}

typedef struct
{
  const char *command;
  const char *method;
  gboolean has_flags;
  const char *done;     /* printf with the name */
  const char *failed;   /* printf with the name */
} Action;

static const Action actions[] = {
  { "start", "Create", TRUE, N_("Domain '%s' started\n"),
    N_("error: Failed to start domain '%s'\n") },
  { "shutdown", "Shutdown", TRUE, N_("Domain '%s' is being shutdown\n"),
    N_("error: Failed to shutdown domain '%s'\n") },
  { "destroy", "Destroy", TRUE, N_("Domain '%s' destroyed\n"),
    N_("error: Failed to destroy domain '%s'\n") },
  { "reboot", "Reboot", TRUE, N_("Domain '%s' is being rebooted\n"),
    N_("error: Failed to reboot domain '%s'\n") },
  { "reset", "Reset", TRUE, N_("Domain '%s' was reset\n"),
    N_("error: Failed to reset domain '%s'\n") },
  { "suspend", "Suspend", FALSE, N_("Domain '%s' suspended\n"),
    N_("error: Failed to suspend domain '%s'\n") },
  { "resume", "Resume", FALSE, N_("Domain '%s' resumed\n"),
    N_("error: Failed to resume domain '%s'\n") },
  { "undefine", "Undefine", TRUE, N_("Domain '%s' has been undefined\n"),
    N_("error: Failed to undefine domain '%s'\n") },
};

int
guestctl_cmd_action (GuestctlContext *ctx)
{
  const char *command = ctx->command;
  const Action *a = NULL;
  gboolean paused = guestctl_take_flag (ctx, "--paused");
  gboolean graceful = guestctl_take_flag (ctx, "--graceful");
  gboolean nvram = guestctl_take_flag (ctx, "--nvram");
  g_autoptr (GuestctlClient) c = NULL;
  g_autoptr (GVariant) ret = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  guint flags = 0;
  int rc = 0;

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    if (g_str_equal (actions[i].command, command))
      a = &actions[i];
  g_assert (a != NULL);
  if ((paused && !g_str_equal (command, "start"))
      || (graceful && !g_str_equal (command, "destroy"))
      || (nvram && !g_str_equal (command, "undefine")))
    return guestctl_usage_error (ctx, _("option not valid for '%s'"), command);
  flags = paused || graceful ? 1 : nvram ? 4 : 0;
  path = find_domain (ctx, &c, &rc);
  if (path == NULL)
    return rc;
  name = domain_name (c, path);
  ret = guestctl_call (c, path, DOMAIN, a->method,
                       a->has_flags ? g_variant_new ("(u)", flags) : NULL,
                       NULL, &error);
  /* The formats come from the table above, each with one %s. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  if (ret == NULL)
    {
      g_printerr (_(a->failed), name);
      return guestctl_fail (error);
    }
  printf (_(a->done), name);
#pragma GCC diagnostic pop
  printf ("\n");
  return 0;
}

int
guestctl_cmd_dumpxml (GuestctlContext *ctx)
{
  gboolean inactive = guestctl_take_flag (ctx, "--inactive");
  gboolean secure = guestctl_take_flag (ctx, "--security-info");
  g_autoptr (GuestctlClient) c = NULL;
  g_autoptr (GVariant) ret = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  const char *xml;
  int rc = 0;

  path = find_domain (ctx, &c, &rc);
  if (path == NULL)
    return rc;
  ret = guestctl_call (c, path, DOMAIN, "GetXMLDesc",
                       g_variant_new ("(u)", (inactive ? 2u : 0u)
                                               | (secure ? 1u : 0u)),
                       "(s)", &error);
  if (ret == NULL)
    return guestctl_fail (error);
  g_variant_get (ret, "(&s)", &xml);
  fputs (xml, stdout);
  return 0;
}

int
guestctl_cmd_domstate (GuestctlContext *ctx)
{
  gboolean reason = guestctl_take_flag (ctx, "--reason");
  g_autoptr (GuestctlClient) c = NULL;
  g_autoptr (GVariant) ret = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  gint32 s, r;
  int rc = 0;

  path = find_domain (ctx, &c, &rc);
  if (path == NULL)
    return rc;
  ret = guestctl_call (c, path, DOMAIN, "GetState", g_variant_new ("(u)", 0),
                       "((ii))", &error);
  if (ret == NULL)
    return guestctl_fail (error);
  g_variant_get (ret, "((ii))", &s, &r);
  if (reason)
    printf ("%s (%s)\n\n", state_name (s), reason_name (s, r));
  else
    printf ("%s\n\n", state_name (s));
  return 0;
}

static gboolean
prop_bool (GuestctlClient *c, const char *path, const char *name)
{
  g_autoptr (GVariant) v = guestctl_get_property (c, path, name, NULL);

  return v != NULL && g_variant_get_boolean (v);
}

int
guestctl_cmd_domid (GuestctlContext *ctx)
{
  g_autoptr (GuestctlClient) c = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GVariant) id = NULL;
  int rc = 0;

  path = find_domain (ctx, &c, &rc);
  if (path == NULL)
    return rc;
  if (!prop_bool (c, path, "Active"))
    {
      printf ("-\n\n");
      return 0;
    }
  id = guestctl_get_property (c, path, "Id", NULL);
  printf ("%u\n\n", id ? g_variant_get_uint32 (id) : 0);
  return 0;
}

int
guestctl_cmd_domuuid (GuestctlContext *ctx)
{
  g_autoptr (GuestctlClient) c = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GVariant) uuid = NULL;
  int rc = 0;

  path = find_domain (ctx, &c, &rc);
  if (path == NULL)
    return rc;
  uuid = guestctl_get_property (c, path, "UUID", NULL);
  printf ("%s\n\n", uuid ? g_variant_get_string (uuid, NULL) : "");
  return 0;
}

int
guestctl_cmd_dominfo (GuestctlContext *ctx)
{
  g_autoptr (GuestctlClient) c = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GVariant) stats = NULL;
  g_autoptr (GVariant) state = NULL;
  g_autoptr (GVariant) name = NULL;
  g_autoptr (GVariant) uuid = NULL;
  g_autoptr (GVariant) id = NULL;
  g_autoptr (GVariant) os = NULL;
  g_autoptr (GVariant) dict = NULL;
  g_autoptr (GError) error = NULL;
  gint32 s, r;
  guint64 cpu = 0, maxmem = 0, cur = 0;
  guint32 vcpus = 0;
  gboolean active;
  int rc = 0;

  path = find_domain (ctx, &c, &rc);
  if (path == NULL)
    return rc;
  state = guestctl_call (c, path, DOMAIN, "GetState", g_variant_new ("(u)", 0),
                         "((ii))", &error);
  stats = state ? guestctl_call (c, path, DOMAIN, "GetStats",
                                 g_variant_new ("(uu)", 2 | 4 | 8, 0),
                                 "(a{sv})", &error)
                : NULL;
  if (stats == NULL)
    return guestctl_fail (error);
  g_variant_get (state, "((ii))", &s, &r);
  dict = g_variant_get_child_value (stats, 0);
  {
    g_autoptr (GVariant) v = NULL;

    /* Typed parameters come wrapped twice. */
    if ((v = g_variant_lookup_value (dict, "cpu.time", G_VARIANT_TYPE_VARIANT)))
      cpu = g_variant_get_uint64 (g_variant_get_variant (v));
    g_clear_pointer (&v, g_variant_unref);
    if ((v = g_variant_lookup_value (dict, "balloon.maximum", G_VARIANT_TYPE_VARIANT)))
      maxmem = g_variant_get_uint64 (g_variant_get_variant (v));
    g_clear_pointer (&v, g_variant_unref);
    if ((v = g_variant_lookup_value (dict, "balloon.current", G_VARIANT_TYPE_VARIANT)))
      cur = g_variant_get_uint64 (g_variant_get_variant (v));
    g_clear_pointer (&v, g_variant_unref);
    if ((v = g_variant_lookup_value (dict, "vcpu.maximum", G_VARIANT_TYPE_VARIANT)))
      vcpus = g_variant_get_uint32 (g_variant_get_variant (v));
  }
  name = guestctl_get_property (c, path, "Name", NULL);
  uuid = guestctl_get_property (c, path, "UUID", NULL);
  id = guestctl_get_property (c, path, "Id", NULL);
  os = guestctl_get_property (c, path, "OSType", NULL);
  active = prop_bool (c, path, "Active");
  if (active && id)
    printf ("%-15s %u\n", _("Id:"), g_variant_get_uint32 (id));
  else
    printf ("%-15s -\n", _("Id:"));
  printf ("%-15s %s\n", _("Name:"), name ? g_variant_get_string (name, NULL) : "");
  printf ("%-15s %s\n", _("UUID:"), uuid ? g_variant_get_string (uuid, NULL) : "");
  printf ("%-15s %s\n", _("OS Type:"), os ? g_variant_get_string (os, NULL) : "");
  printf ("%-15s %s\n", _("State:"), state_name (s));
  printf ("%-15s %u\n", _("CPU(s):"), vcpus);
  if (active)
    printf ("%-15s %.1fs\n", _("CPU time:"), cpu / 1e9);
  printf ("%-15s %" G_GUINT64_FORMAT " KiB\n", _("Max memory:"), maxmem);
  printf ("%-15s %" G_GUINT64_FORMAT " KiB\n", _("Used memory:"), cur);
  printf ("%-15s %s\n", _("Persistent:"),
          prop_bool (c, path, "Persistent") ? _("yes") : _("no"));
  printf ("%-15s %s\n", _("Autostart:"),
          prop_bool (c, path, "Autostart") ? _("enable") : _("disable"));
  printf ("%-15s %s\n", _("Managed save:"), _("no"));
  printf ("%-15s %s\n", _("Security model:"), "none");
  printf ("%-15s %s\n\n", _("Security DOI:"), "0");
  return 0;
}

int
guestctl_cmd_autostart (GuestctlContext *ctx)
{
  gboolean disable = guestctl_take_flag (ctx, "--disable");
  g_autoptr (GuestctlClient) c = NULL;
  g_autoptr (GVariant) ret = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  int rc = 0;

  path = find_domain (ctx, &c, &rc);
  if (path == NULL)
    return rc;
  name = domain_name (c, path);
  ret = guestctl_call (c, path, "org.freedesktop.DBus.Properties", "Set",
                       g_variant_new ("(ssv)", DOMAIN, "Autostart",
                                      g_variant_new_boolean (!disable)),
                       NULL, &error);
  if (ret == NULL)
    {
      g_printerr (disable ? _("error: Failed to unmark domain '%s' as "
                              "autostarted\n")
                          : _("error: Failed to mark domain '%s' as "
                              "autostarted\n"),
                  name);
      return guestctl_fail (error);
    }
  printf (disable ? _("Domain '%s' unmarked as autostarted\n")
                  : _("Domain '%s' marked as autostarted\n"),
          name);
  printf ("\n");
  return 0;
}

int
guestctl_cmd_uri (GuestctlContext *ctx)
{
  g_autoptr (GuestctlClient) c = NULL;
  int rc = 0;

  if (!guestctl_no_more_options (ctx))
    return 1;
  c = open_or_fail (ctx, &rc);
  if (c == NULL)
    return rc;
  printf ("%s\n\n", c->uri);
  return 0;
}

int
guestctl_cmd_version (GuestctlContext *ctx)
{
  g_autoptr (GuestctlClient) c = NULL;
  g_autoptr (GVariant) ret = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) hv = NULL;
  guint64 v;
  int rc = 0;

  if (!guestctl_no_more_options (ctx))
    return 1;
  printf (_("Compiled against library: guestd %s\n"), PACKAGE_VERSION);
  printf (_("Using library: guestd %s\n"), PACKAGE_VERSION);
  c = open_or_fail (ctx, &rc);
  if (c == NULL)
    return rc;
  ret = guestctl_call (c, NULL, "org.freedesktop.DBus.Properties", "Get",
                       g_variant_new ("(ss)", CONNECT, "Version"), "(v)",
                       &error);
  if (ret == NULL)
    return guestctl_fail (error);
  g_variant_get (ret, "(v)", &hv);
  v = g_variant_get_uint64 (hv);
  g_clear_pointer (&ret, g_variant_unref);
  g_clear_pointer (&hv, g_variant_unref);
  ret = guestctl_call (c, NULL, "org.freedesktop.DBus.Properties", "Get",
                       g_variant_new ("(ss)", CONNECT, "LibVersion"), "(v)",
                       &error);
  if (ret == NULL)
    return guestctl_fail (error);
  g_variant_get (ret, "(v)", &hv);
  /* The libvirt API level guestd implements. */
  printf (_("Using API: QEMU %u.%u.%u\n"),
          (guint) (g_variant_get_uint64 (hv) / 1000000),
          (guint) (g_variant_get_uint64 (hv) / 1000 % 1000),
          (guint) (g_variant_get_uint64 (hv) % 1000));
  printf (_("Running hypervisor: QEMU %u.%u.%u\n\n"), (guint) (v / 1000000),
          (guint) (v / 1000 % 1000), (guint) (v % 1000));
  return 0;
}
