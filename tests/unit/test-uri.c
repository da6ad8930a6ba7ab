/* libvirt connection URIs: what guestctl -c accepts, how it reads them,
 * their canonical spelling, and the errors for everything else. */
#include "config.h"

#include <string.h>

#include "test-util.h"
#include "util/uri.h"

static const struct
{
  const char *text;
  GuestdTransport transport;
  const char *user, *host;
  int port;
  gboolean system;
  const char *canonical;
} good[] = {
  { "qemu:///session", GUESTD_TRANSPORT_LOCAL, NULL, NULL, 0, FALSE,
    "qemu:///session" },
  { "qemu:///system", GUESTD_TRANSPORT_LOCAL, NULL, NULL, 0, TRUE,
    "qemu:///system" },
  { "qemu+unix:///session", GUESTD_TRANSPORT_LOCAL, NULL, NULL, 0, FALSE,
    "qemu:///session" },
  { "qemu+unix:///system", GUESTD_TRANSPORT_LOCAL, NULL, NULL, 0, TRUE,
    "qemu:///system" },
  { "qemu+ssh://host.example/system", GUESTD_TRANSPORT_SSH, NULL,
    "host.example", 0, TRUE, "qemu+ssh://host.example/system" },
  { "qemu+ssh://alice@127.0.0.1:2222/session", GUESTD_TRANSPORT_SSH, "alice",
    "127.0.0.1", 2222, FALSE, "qemu+ssh://alice@127.0.0.1:2222/session" },
  { "qemu+ssh://bob@[::1]:22/system", GUESTD_TRANSPORT_SSH, "bob", "[::1]",
    22, TRUE, "qemu+ssh://bob@[::1]:22/system" },
  /* libvirt's qemu://HOST/ is TLS. */
  { "qemu://server/system", GUESTD_TRANSPORT_TLS, NULL, "server", 0, TRUE,
    "qemu://server/system" },
  { "qemu+tls://server:16514/system", GUESTD_TRANSPORT_TLS, NULL, "server",
    16514, TRUE, "qemu://server:16514/system" },
  { "qemu+tcp://server/session", GUESTD_TRANSPORT_TCP, NULL, "server", 0,
    FALSE, "qemu+tcp://server/session" },
  /* Parameters are kept, unescaped, and written back sorted. */
  { "qemu:///system?via=session&mode=legacy", GUESTD_TRANSPORT_LOCAL, NULL,
    NULL, 0, TRUE, "qemu:///system?mode=legacy&via=session" },
  { "qemu+ssh://h/system?keyfile=%2Fhome%2Fa%2Fkey", GUESTD_TRANSPORT_SSH,
    NULL, "h", 0, TRUE, "qemu+ssh://h/system?keyfile=%2Fhome%2Fa%2Fkey" },
};

static void
test_good (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GuestdUri) uri = guestd_uri_parse (good[i].text, &error);
      g_autoptr (GuestdUri) again = NULL;
      g_autofree char *canonical = NULL;
      g_autofree char *canonical2 = NULL;

      g_test_message ("%s", good[i].text);
      g_assert_no_error (error);
      g_assert_cmpstr (uri->driver, ==, "qemu");
      g_assert_cmpint (uri->transport, ==, good[i].transport);
      g_assert_cmpstr (uri->user, ==, good[i].user);
      g_assert_cmpstr (uri->host, ==, good[i].host);
      g_assert_cmpint (uri->port, ==, good[i].port);
      g_assert_cmpint (uri->system, ==, good[i].system);
      canonical = guestd_uri_to_string (uri);
      g_assert_cmpstr (canonical, ==, good[i].canonical);
      /* The canonical spelling means the same. */
      again = guestd_uri_parse (canonical, &error);
      g_assert_no_error (error);
      canonical2 = guestd_uri_to_string (again);
      g_assert_cmpstr (canonical2, ==, canonical);
    }
}

static void
test_params (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GuestdUri) uri = guestd_uri_parse (
    "qemu+ssh://h/system?keyfile=%2Fk&no_verify=1", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (guestd_uri_param (uri, "keyfile"), ==, "/k");
  g_assert_cmpstr (guestd_uri_param (uri, "no_verify"), ==, "1");
  g_assert_null (guestd_uri_param (uri, "via"));
}

static const struct
{
  const char *text;
  const char *error;
} bad[] = {
  { "", "expected DRIVER://HOST/PATH" },
  { "qemu", "expected DRIVER://HOST/PATH" },
  { "/session", "expected DRIVER://HOST/PATH" },
  { "xen:///system", "guestd drives QEMU only" },
  { "lxc:///", "guestd drives QEMU only" },
  { "qemu+ftp://h/system", "unknown transport" },
  { "qemu://", "the path is missing" },
  { "qemu:///", "the path must be /session or /system" },
  { "qemu:///embed", "the path must be /session or /system" },
  { "qemu:///system/extra", "the path must be /session or /system" },
  { "qemu+unix://host/system", "qemu+unix:// takes no host" },
  { "qemu+ssh:///system", "a remote transport needs a host" },
  { "qemu+tcp:///session", "a remote transport needs a host" },
  { "qemu+ssh://h:0/system", "bad port" },
  { "qemu+ssh://h:65536/system", "bad port" },
  { "qemu+ssh://h:22x/system", "bad port" },
  { "qemu+ssh://h:/system", "bad port" },
  { "qemu+ssh://@h/system", "bad user name" },
  { "qemu+ssh://a;b@h/system", "bad user name" },
  { "qemu+ssh://h;rm/system", "bad host name" },
  { "qemu+ssh://h$(id)/system", "bad host name" },
  { "qemu:///system?novalue", "a query parameter needs NAME=VALUE" },
  { "qemu:///system?a%00b=1", "bad query parameter" },
  { "qemu:///system?=1", "bad query parameter" },
};

static void
test_bad (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GuestdUri) uri = guestd_uri_parse (bad[i].text, &error);

      g_test_message ("%s", bad[i].text);
      g_assert_null (uri);
      test_assert_error_contains (error, bad[i].error);
      /* The message names the URI it rejects. */
      if (*bad[i].text != '\0')
        test_assert_error_contains (error, bad[i].text);
    }
}

static void
test_limits (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *huge = g_strnfill (5000, 'a');
  g_autofree char *long_uri = g_strconcat ("qemu+ssh://", huge, "/system",
                                           NULL);
  g_autoptr (GuestdUri) uri = guestd_uri_parse (long_uri, &error);

  g_assert_null (uri);
  test_assert_error_contains (error, "not a usable string");
  g_clear_error (&error);
  uri = guestd_uri_parse ("qemu:///sys\xfftem", &error);
  g_assert_null (uri);
  test_assert_error_contains (error, "not a usable string");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/uri/good", test_good);
  g_test_add_func ("/uri/params", test_params);
  g_test_add_func ("/uri/bad", test_bad);
  g_test_add_func ("/uri/limits", test_limits);
  return g_test_run ();
}
