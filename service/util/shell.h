/* One-line shell commands: quoting for display, splitting for reading. */
#pragma once

#include <glib.h>

/* Append @word quoted so that a POSIX shell reads it back unchanged. */
void guestd_shell_quote (GString *out, const char *word);

/* Split @line into words the way a shell would without expanding
 * anything: quotes and backslashes are honoured, "\<newline>" joins lines,
 * and anything that would make the shell do more than run one command
 * ($, `, |, ;, &, <, >, (, ), unquoted newlines) is refused with an error
 * naming the character and its position. */
gboolean guestd_shell_split (const char *line, GPtrArray **words,
                             GError **error);
