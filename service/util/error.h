/* The one guestd error domain, and how its codes read in libvirt's words. */
#pragma once

#include <glib.h>

#define GUESTD_ERROR (guestd_error_quark ())

/* Codes follow libvirt's virErrorNumber where clients match on the
 * wording (virsh scripts, cockpit): see guestd_error_prefix(). */
typedef enum
{
  GUESTD_ERROR_INTERNAL,           /* a bug or an unexpected system state */
  GUESTD_ERROR_XML,                /* malformed or invalid XML */
  GUESTD_ERROR_CONFIG_UNSUPPORTED, /* valid request this host cannot honour */
  GUESTD_ERROR_INVALID_ARG,        /* bad argument to a call */
  GUESTD_ERROR_NO_DOMAIN,          /* no such domain */
  GUESTD_ERROR_OPERATION_INVALID,  /* not valid in the current state */
  GUESTD_ERROR_OPERATION_FAILED,   /* tried and failed */
  GUESTD_ERROR_NO_SUPPORT,         /* not implemented by guestd */
  GUESTD_ERROR_CONF_SYNTAX,        /* qemu.conf syntax or value */
  GUESTD_ERROR_ACCESS_DENIED,      /* polkit or permissions said no */
  GUESTD_ERROR_SYSTEM,             /* a system call failed (errno in text) */
  GUESTD_ERROR_NATIVE,             /* bad qemu-argv native config */
  GUESTD_ERROR_AUTH_CANCELLED,     /* the user dismissed the dialog */
  GUESTD_ERROR_NO_CONNECT,         /* cannot reach the service */
  GUESTD_ERROR_AUTH_REQUIRED,      /* polkit wants a password, the caller
                                      did not allow interaction */
} GuestdErrorCode;

GQuark guestd_error_quark (void);

/* libvirt's message prefix for a code, e.g. "Domain not found". */
const char *guestd_error_prefix (GuestdErrorCode code);

/* "PREFIX: message" as libvirt prints it; other domains verbatim. */
char *guestd_error_format (const GError *error);

/* g_set_error with errno's text appended: "MESSAGE: strerror". */
void guestd_set_error_errno (GError **error, int errsv, const char *fmt, ...)
  G_GNUC_PRINTF (3, 4);
