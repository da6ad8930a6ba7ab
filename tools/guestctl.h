/* guestctl's commands share this: the parsed command line and helpers. */
#pragma once

#include <glib.h>

typedef struct
{
  const char *command;   /* the command's name */
  const char *uri;       /* -c URI, $GUESTD_DEFAULT_URI or qemu:///session */
  gboolean no_ask_password;
  char **args;           /* the command's own arguments, NULL-terminated */
  int n_args;
} GuestctlContext;

typedef int (*GuestctlCommandFunc) (GuestctlContext *ctx);

typedef struct
{
  const char *name;
  GuestctlCommandFunc func;
  const char *synopsis;   /* "DOM [--paused]" */
  const char *summary;    /* one line, translated at print time */
} GuestctlCommand;

/* Print "error: MESSAGE" (libvirt's wording for GUESTD_ERROR) on stderr
 * and return the exit status virsh uses. */
int guestctl_fail (const GError *error);
int guestctl_usage_error (GuestctlContext *ctx, const char *fmt, ...)
  G_GNUC_PRINTF (2, 3);

/* Read FILE, or standard input for "-". */
char *guestctl_read_input (const char *path, GError **error);

/* Option helpers over ctx->args: TRUE if --flag was given (and removed). */
gboolean guestctl_take_flag (GuestctlContext *ctx, const char *flag);
/* The value of --opt VALUE or --opt=VALUE (removed), or NULL. */
char *guestctl_take_option (GuestctlContext *ctx, const char *opt);
/* Fail on anything left that starts with "--". */
gboolean guestctl_no_more_options (GuestctlContext *ctx);

int guestctl_cmd_capabilities (GuestctlContext *ctx);
int guestctl_cmd_list (GuestctlContext *ctx);
int guestctl_cmd_define (GuestctlContext *ctx);
int guestctl_cmd_create (GuestctlContext *ctx);
int guestctl_cmd_action (GuestctlContext *ctx);
int guestctl_cmd_dumpxml (GuestctlContext *ctx);
int guestctl_cmd_domstate (GuestctlContext *ctx);
int guestctl_cmd_dominfo (GuestctlContext *ctx);
int guestctl_cmd_domid (GuestctlContext *ctx);
int guestctl_cmd_domuuid (GuestctlContext *ctx);
int guestctl_cmd_autostart (GuestctlContext *ctx);
int guestctl_cmd_uri (GuestctlContext *ctx);
int guestctl_cmd_version (GuestctlContext *ctx);
int guestctl_cmd_domcapabilities (GuestctlContext *ctx);
int guestctl_cmd_from_native (GuestctlContext *ctx);
int guestctl_cmd_to_native (GuestctlContext *ctx);
