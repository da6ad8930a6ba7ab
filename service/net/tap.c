/* TAP devices attached to a bridge, with ioctls only (no ip(8)). */
#include "config.h"

#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/error.h"
#include "util/glib-compat.h"
#include "util/i18n.h"

static gboolean
set_ifname (struct ifreq *ifr, const char *name, GError **error)
{
  if (strlen (name) >= sizeof ifr->ifr_name)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                   _("network device name '%s' is longer than %d "
                     "characters"),
                   name, (int) sizeof ifr->ifr_name - 1);
      return FALSE;
    }
  memset (ifr, 0, sizeof *ifr);
  strcpy (ifr->ifr_name, name);
  return TRUE;
}

static gboolean
parse_mac (const char *mac, unsigned char out[6])
{
  unsigned int b[6];

  if (mac == NULL
      || sscanf (mac, "%2x:%2x:%2x:%2x:%2x:%2x", &b[0], &b[1], &b[2], &b[3],
                 &b[4], &b[5])
           != 6)
    return FALSE;
  for (int i = 0; i < 6; i++)
    out[i] = (unsigned char) b[i];
  return TRUE;
}

/* The bridge's MTU, or an error naming it when it is missing
 * or not a bridge. */
static gboolean
bridge_mtu (int sock, const char *bridge, int *mtu, GError **error)
{
  struct ifreq ifr;

  if (!set_ifname (&ifr, bridge, error))
    return FALSE;
  if (ioctl (sock, SIOCGIFINDEX, &ifr) < 0)
    {
      guestd_set_error_errno (error, errno,
                              _("bridge '%s' of the interface cannot be "
                                "used"),
                              bridge);
      return FALSE;
    }
  if (ioctl (sock, SIOCGIFMTU, &ifr) < 0)
    {
      guestd_set_error_errno (error, errno, _("cannot read the MTU of %s"),
                              bridge);
      return FALSE;
    }
  *mtu = ifr.ifr_mtu;
  return TRUE;
}

int
guestd_tap_create_on_bridge (const char *name, const char *mac,
                             const char *bridge, char **ifname,
                             GError **error)
{
  g_autofd int tap = -1;
  g_autofd int sock = -1;
  struct ifreq ifr;
  int mtu, tapindex;
  unsigned char hw[6];

  sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    sock = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    {
      guestd_set_error_errno (error, errno, _("cannot create a socket"));
      return -1;
    }
  if (!bridge_mtu (sock, bridge, &mtu, error))
    return -1;

  tap = open ("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (tap < 0)
    {
      guestd_set_error_errno (error, errno, _("cannot open /dev/net/tun"));
      return -1;
    }
  if (!set_ifname (&ifr, name != NULL ? name : "vnet%d", error))
    return -1;
  /* vnet headers let QEMU offload checksums and use vhost-net. Always a
   * new device: a name given in the XML must not attach to a persistent
   * TAP somebody else set up. */
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_TUN_EXCL;
  if (ioctl (tap, TUNSETIFF, &ifr) < 0)
    {
      guestd_set_error_errno (error, errno,
                              _("cannot create TAP device %s"),
                              name != NULL ? name : "vnetN");
      return -1;
    }
  *ifname = g_strndup (ifr.ifr_name, sizeof ifr.ifr_name);

  /* @mac was checked and completed by the parser. */
  if (!parse_mac (mac, hw))
    g_return_val_if_reached (-1);
  hw[0] = 0xfe;
  set_ifname (&ifr, *ifname, NULL);
  ifr.ifr_hwaddr.sa_family = 1; /* ARPHRD_ETHER */
  memcpy (ifr.ifr_hwaddr.sa_data, hw, 6);
  if (ioctl (sock, SIOCSIFHWADDR, &ifr) < 0)
    goto fail;
  set_ifname (&ifr, *ifname, NULL);
  ifr.ifr_mtu = mtu;
  if (ioctl (sock, SIOCSIFMTU, &ifr) < 0)
    goto fail;
  set_ifname (&ifr, *ifname, NULL);
  if (ioctl (sock, SIOCGIFINDEX, &ifr) < 0)
    goto fail;
  tapindex = ifr.ifr_ifindex;
  set_ifname (&ifr, bridge, NULL);
  ifr.ifr_ifindex = tapindex;
  if (ioctl (sock, SIOCBRADDIF, &ifr) < 0)
    {
      /* Only bridges know the request (sysfs would tell too, but shows
       * the network namespace it was mounted in, not ours). */
      if (errno == EOPNOTSUPP || errno == EINVAL)
        {
          g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                       _("network device '%s' is not a bridge"), bridge);
          g_clear_pointer (ifname, g_free);
          return -1;
        }
      goto fail;
    }
  set_ifname (&ifr, *ifname, NULL);
  if (ioctl (sock, SIOCGIFFLAGS, &ifr) < 0)
    goto fail;
  ifr.ifr_flags |= IFF_UP;
  if (ioctl (sock, SIOCSIFFLAGS, &ifr) < 0)
    goto fail;
  return g_steal_fd (&tap);

fail:
  guestd_set_error_errno (error, errno,
                          _("cannot attach TAP device %s to bridge %s"),
                          *ifname, bridge);
  g_clear_pointer (ifname, g_free);
  return -1;
}
