/* The guestd error domain and its libvirt-compatible wording. */
#include "config.h"

#include "error.h"
#include "i18n.h"

G_DEFINE_QUARK (guestd-error-quark, guestd_error)

const char *
guestd_error_prefix (GuestdErrorCode code)
{
  /* These texts are libvirt's (virerror.c) so that tools written for
   * libvirt keep matching them; do not translate the first words. */
  switch (code)
    {
    case GUESTD_ERROR_INTERNAL:
      return "internal error";
    case GUESTD_ERROR_XML:
      return "XML error";
    case GUESTD_ERROR_CONFIG_UNSUPPORTED:
      return "unsupported configuration";
    case GUESTD_ERROR_INVALID_ARG:
      return "invalid argument";
    case GUESTD_ERROR_NO_DOMAIN:
      return "Domain not found";
    case GUESTD_ERROR_OPERATION_INVALID:
      return "Requested operation is not valid";
    case GUESTD_ERROR_OPERATION_FAILED:
      return "operation failed";
    case GUESTD_ERROR_NO_SUPPORT:
      return "this function is not supported by the connection driver";
    case GUESTD_ERROR_CONF_SYNTAX:
      return "configuration file syntax error";
    case GUESTD_ERROR_ACCESS_DENIED:
      return "access denied";
    case GUESTD_ERROR_NATIVE:
      return "invalid argument";
    case GUESTD_ERROR_AUTH_CANCELLED:
      return "authentication cancelled";
    case GUESTD_ERROR_NO_CONNECT:
      return "failed to connect to the hypervisor";
    case GUESTD_ERROR_AUTH_REQUIRED:
      return "authentication required";
    case GUESTD_ERROR_SYSTEM:
    default:
      return NULL;
    }
}

char *
guestd_error_format (const GError *error)
{
  const char *prefix;

  if (error == NULL)
    return g_strdup (_("unknown error"));
  if (error->domain != GUESTD_ERROR)
    return g_strdup (error->message);
  prefix = guestd_error_prefix (error->code);
  if (prefix == NULL)
    return g_strdup (error->message);
  return g_strdup_printf ("%s: %s", prefix, error->message);
}

void
guestd_set_error_errno (GError **error, int errsv, const char *fmt, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_SYSTEM, "%s: %s", msg,
               g_strerror (errsv));
}
