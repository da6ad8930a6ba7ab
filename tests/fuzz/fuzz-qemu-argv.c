/* libFuzzer target: qemu-argv native format in, domain out, and that
 * domain back to a command line. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "conf/domain.h"
#include "qemu/argv-build.h"
#include "qemu/argv-parse.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *line = g_strndup ((const char *) data, size);
  g_autoptr (GuestdDomainDef) def = guestd_qemu_parse_native (line, NULL);
  g_autoptr (GuestdQemuCommand) cmd = NULL;
  GuestdQemuBuildOptions opts;

  if (def == NULL)
    return 0;
  guestd_qemu_build_options_init (&opts);
  opts.qmp_path = "/run/fuzz.sock";
  opts.channel_dir = "/run/fuzz";
  opts.native = TRUE;
  /* SPICE would probe for a free port: pin it. */
  for (guint i = 0; i < def->graphics->len; i++)
    {
      GuestdGraphicsDef *g = def->graphics->pdata[i];

      if (g->port <= 0)
        g->port = 5999;
    }
  cmd = guestd_qemu_build_command (def, &opts, NULL);
  if (cmd != NULL)
    g_free (guestd_qemu_command_to_string (cmd));
  return 0;
}
