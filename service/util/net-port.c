/* Probing for a free TCP port. */
#include "config.h"

#include "net-port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/glib-compat.h"

static gboolean
can_bind (const char *address, int port)
{
  struct sockaddr_in6 sin6 = { 0 };
  struct sockaddr_in sin = { 0 };
  g_autofd int fd = -1;
  int one = 1;

  if (address != NULL && inet_pton (AF_INET6, address, &sin6.sin6_addr) == 1)
    {
      fd = socket (AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sin6.sin6_family = AF_INET6;
      sin6.sin6_port = htons (port);
      if (fd < 0)
        return FALSE;
      setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      return bind (fd, (struct sockaddr *) &sin6, sizeof sin6) == 0;
    }
  fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return FALSE;
  sin.sin_family = AF_INET;
  sin.sin_port = htons (port);
  if (address == NULL || inet_pton (AF_INET, address, &sin.sin_addr) != 1)
    sin.sin_addr.s_addr = htonl (INADDR_ANY);
  setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  return bind (fd, (struct sockaddr *) &sin, sizeof sin) == 0;
}

int
guestd_find_free_port (const char *address, int first, int last)
{
  for (int port = first; port <= last; port++)
    if (can_bind (address, port))
      return port;
  return -1;
}
