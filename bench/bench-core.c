/* Core throughput: domain XML parse+format and domain → qemu-argv, on the
 * seeds' smallest domain and the largest virt-install fixture.
 * Usage: bench-core [SECONDS-PER-CASE] (run from the source tree). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "conf/domain.h"
#include "qemu/argv-build.h"

typedef gboolean (*Op) (const char *xml);

static gboolean
op_parse_format (const char *xml)
{
  g_autoptr (GuestdDomainDef) def = guestd_domain_def_parse (xml, -1, 0, NULL);
  g_autofree char *out = NULL;

  if (def == NULL)
    return FALSE;
  out = guestd_domain_def_format (def, 0);
  return out != NULL;
}

static gboolean
op_to_native (const char *xml)
{
  g_autoptr (GuestdDomainDef) def = guestd_domain_def_parse (xml, -1, 0, NULL);
  g_autoptr (GuestdQemuCommand) cmd = NULL;
  g_autofree char *line = NULL;
  GuestdQemuBuildOptions opts;

  if (def == NULL)
    return FALSE;
  /* SPICE would look for a free port each time: not what is measured. */
  for (guint i = 0; i < def->graphics->len; i++)
    ((GuestdGraphicsDef *) def->graphics->pdata[i])->port = 5999;
  guestd_qemu_build_options_init (&opts);
  opts.qmp_path = "/run/bench.sock";
  opts.channel_dir = "/run/bench";
  opts.native = TRUE;
  cmd = guestd_qemu_build_command (def, &opts, NULL);
  if (cmd == NULL)
    return FALSE;
  line = guestd_qemu_command_to_string (cmd);
  return line != NULL;
}

static double
measure (Op op, const char *xml, double seconds)
{
  gint64 start = g_get_monotonic_time ();
  gint64 end = start + (gint64) (seconds * G_USEC_PER_SEC);
  guint64 n = 0;

  while (g_get_monotonic_time () < end)
    {
      for (int i = 0; i < 50; i++)
        if (!op (xml))
          {
            fprintf (stderr, "operation failed\n");
            exit (1);
          }
      n += 50;
    }
  return n / ((g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
}

int
main (int argc, char **argv)
{
  double seconds = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 2.0;
  const char *files[] = { "tests/data/domain/seed-qemuguest1.xml",
                          "tests/data/domain/virtinst-debian11-q35.xml" };
  const char *labels[] = { "seed QEMUGuest1 (22 lines)",
                           "virt-install debian11 q35 (largest, 82 lines)" };

  printf ("%-46s %16s %16s\n", "document", "parse+format/s", "to-native/s");
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *xml = NULL;

      if (!g_file_get_contents (files[i], &xml, NULL, NULL))
        {
          fprintf (stderr, "cannot read %s (run from the source tree)\n",
                   files[i]);
          return 1;
        }
      printf ("%-46s %16.0f %16.0f\n", labels[i],
              measure (op_parse_format, xml, seconds),
              measure (op_to_native, xml, seconds));
    }
  return 0;
}
