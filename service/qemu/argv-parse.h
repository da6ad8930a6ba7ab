/* QEMU command line → domain (domxml-from-native). */
#pragma once

#include "conf/domain.h"
#include "qemu/command.h"

/* Understands what guestd's own builder writes, the modern options of QEMU
 * 7.2 and the common legacy ones (-hda, -cdrom, -net nic, -usbdevice, …).
 * Options QEMU knows but the model does not are kept, with their values,
 * in <qemu:commandline>. Errors name the option. The result is
 * post-parsed and validated like any definition. */
GuestdDomainDef *guestd_qemu_parse_command (const GuestdQemuCommand *cmd,
                                            GError **error);

/* The same from a one-line shell command. */
GuestdDomainDef *guestd_qemu_parse_native (const char *line, GError **error);
