/* The bridge's object-path rewriting: every 'o', however deep, and
 * nothing else. */
#include "config.h"

#include "daemon/bridge.h"

static void
check (const char *in_text, const char *want_text)
{
  g_autoptr (GVariant) in = g_variant_parse (NULL, in_text, NULL, NULL, NULL);
  g_autoptr (GVariant) want = g_variant_parse (NULL, want_text, NULL, NULL,
                                               NULL);
  g_autoptr (GVariant) out = NULL;
  g_autofree char *got = NULL;
  g_autofree char *expected = NULL;

  g_assert_nonnull (in);
  g_assert_nonnull (want);
  out = guestd_bridge_rewrite_paths (in, "/org/libvirt/QEMU",
                                     "/org/libvirt/QEMU/system");
  got = g_variant_print (out, TRUE);
  expected = g_variant_print (want, TRUE);
  g_assert_cmpstr (got, ==, expected);
}

static void
test_rewrite (void)
{
  /* ListDomains' reply. */
  check ("(@ao [objectpath '/org/libvirt/QEMU/domain/_1', "
         "'/org/libvirt/QEMU/domain/_2'],)",
         "(@ao [objectpath '/org/libvirt/QEMU/system/domain/_1', "
         "'/org/libvirt/QEMU/system/domain/_2'],)");
  /* DomainEvent's arguments. */
  check ("(objectpath '/org/libvirt/QEMU/domain/_1', 2, 0)",
         "(objectpath '/org/libvirt/QEMU/system/domain/_1', 2, 0)");
  /* Inside variants, dictionaries and maybes. */
  check ("({'a': <<objectpath '/org/libvirt/QEMU'>>, 'b': <'/org/libvirt/QEMU'>},"
         " @mo objectpath '/org/libvirt/QEMU/x')",
         "({'a': <<objectpath '/org/libvirt/QEMU/system'>>, "
         "'b': <'/org/libvirt/QEMU'>}, @mo objectpath "
         "'/org/libvirt/QEMU/system/x')");
  /* Other paths, and look-alike prefixes, stay. */
  check ("(objectpath '/org/libvirt/QEMUX', objectpath '/org/other')",
         "(objectpath '/org/libvirt/QEMUX', objectpath '/org/other')");
  check ("(@ao [], @a{sv} {})", "(@ao [], @a{sv} {})");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bridge/rewrite-paths", test_rewrite);
  return g_test_run ();
}
