/* libFuzzer target: qemu.conf syntax. */
#include "config.h"

#include <stdint.h>

#include "conf/qemu-conf.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GuestdQemuConf) conf = guestd_qemu_conf_new ();

  guestd_qemu_conf_parse (conf, (const char *) data, (gssize) size,
                          "fuzz.conf", NULL);
  return 0;
}
