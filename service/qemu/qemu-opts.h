/* QEMU's "driver,key=value,…" option strings, with ",," for a comma. */
#pragma once

#include <glib.h>

typedef struct
{
  char *key;
  char *value;
  gboolean used;
} GuestdQemuOpt;

typedef struct
{
  GPtrArray *opts; /* GuestdQemuOpt */
} GuestdQemuOpts;

/* Builder: appends ",key=value" (no comma when @s is empty); a NULL @key
 * appends the bare value. Commas in values are doubled. */
void guestd_qemu_opts_add (GString *s, const char *key, const char *value);
void guestd_qemu_opts_addf (GString *s, const char *key, const char *fmt,
                            ...) G_GNUC_PRINTF (3, 4);

/* Parser: a first element without '=' is stored under @implied_key (e.g.
 * "driver" for -device); later bare words mean key=on. */
GuestdQemuOpts *guestd_qemu_opts_parse (const char *str,
                                        const char *implied_key,
                                        GError **error);
void guestd_qemu_opts_free (GuestdQemuOpts *o);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GuestdQemuOpts, guestd_qemu_opts_free)

/* The value of @key (marking it used), or NULL. */
const char *guestd_qemu_opts_get (GuestdQemuOpts *o, const char *key);
/* The first key nobody asked for, or NULL. */
const char *guestd_qemu_opts_unused (GuestdQemuOpts *o);
