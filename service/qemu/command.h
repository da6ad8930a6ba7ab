/* A QEMU command: environment prefix, emulator and arguments, as built
 * from a domain and as written in the qemu-argv native format. */
#pragma once

#include <glib.h>

typedef struct
{
  GPtrArray *env;  /* "NAME=value" */
  GPtrArray *argv; /* the emulator first */
} GuestdQemuCommand;

GuestdQemuCommand *guestd_qemu_command_new (void);
void guestd_qemu_command_free (GuestdQemuCommand *cmd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GuestdQemuCommand, guestd_qemu_command_free)

void guestd_qemu_command_add (GuestdQemuCommand *cmd, const char *arg);
void guestd_qemu_command_add_pair (GuestdQemuCommand *cmd, const char *opt,
                                   const char *value);
void guestd_qemu_command_add_env (GuestdQemuCommand *cmd, const char *name,
                                  const char *value);

/* One line, shell-quoted: "LC_ALL=C … /usr/bin/qemu-system-x86_64 -name …" */
char *guestd_qemu_command_to_string (const GuestdQemuCommand *cmd);
/* Split a native-format line into environment, emulator and arguments. */
GuestdQemuCommand *guestd_qemu_command_from_string (const char *line,
                                                    GError **error);
