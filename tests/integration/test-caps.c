/* Emulator capabilities with the real QEMU: discovery in the configured
 * directories, probing, the cache and when it is trusted, the KVM rule,
 * and the documents. Emulators are wrappers around the installed QEMU in a
 * scratch directory, so each test controls their names, sizes and times. */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <string.h>
#include <sys/stat.h>
#include <utime.h>

#include "conf/domain.h"
#include "qemu/caps.h"
#include "test-util.h"

#define QEMU "/usr/bin/qemu-system-x86_64"

typedef struct
{
  char *dir;
  char *bin;
  char *cache;
} Fixture;

static void
write_script (const char *path, const char *body)
{
  g_autofree char *text = g_strdup_printf ("#!/bin/sh\n%s\n", body);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_assert_cmpint (g_chmod (path, 0755), ==, 0);
}

static void
setup (Fixture *f, gconstpointer data)
{
  g_autofree char *emu = NULL;

  f->dir = g_dir_make_tmp ("guestd-caps-XXXXXX", NULL);
  f->bin = g_build_filename (f->dir, "bin", NULL);
  f->cache = g_build_filename (f->dir, "cache", NULL);
  g_mkdir (f->bin, 0755);
  emu = g_build_filename (f->bin, "qemu-system-x86_64", NULL);
  write_script (emu, "exec " QEMU " \"$@\"");
}

static void
teardown (Fixture *f, gconstpointer data)
{
  const char *argv[] = { "rm", "-rf", f->dir, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                NULL, NULL, NULL, NULL);
  g_free (f->dir);
  g_free (f->bin);
  g_free (f->cache);
}

static GuestdCapabilities *
caps_for (Fixture *f, const char *kvm_device)
{
  const char *dirs[] = { f->bin, NULL };
  GuestdCapabilities *caps = guestd_capabilities_new (f->cache, dirs,
                                                      kvm_device);

  guestd_capabilities_refresh (caps);
  return caps;
}

static gboolean
have_qemu (void)
{
  if (g_file_test (QEMU, G_FILE_TEST_IS_EXECUTABLE))
    return TRUE;
  g_test_skip ("qemu-system-x86_64 is not installed");
  return FALSE;
}

static void
test_probe_and_cache (Fixture *f, gconstpointer data)
{
  g_autoptr (GuestdCapabilities) caps = NULL;
  g_autoptr (GuestdCapabilities) again = NULL;
  g_autoptr (GuestdCapabilities) changed = NULL;
  GuestdQemuEmulator *e;
  g_autofree char *emu = g_build_filename (f->bin, "qemu-system-x86_64", NULL);
  struct utimbuf times = { 1000000000, 1000000000 };
  gboolean has_q35 = FALSE, has_pc_alias = FALSE;

  if (!have_qemu ())
    return;
  caps = caps_for (f, "/nonexistent/kvm");
  g_assert_cmpuint (caps->problems->len, ==, 0);
  g_assert_cmpuint (caps->emulators->len, ==, 1);
  e = caps->emulators->pdata[0];
  g_assert_false (e->from_cache);
  g_assert_cmpstr (e->arch, ==, "x86_64");
  g_assert_cmpstr (e->version, !=, NULL);
  for (guint i = 0; i < e->machines->len; i++)
    {
      GuestdQemuMachine *m = e->machines->pdata[i];

      has_q35 |= g_str_has_prefix (m->name, "pc-q35-");
      has_pc_alias |= g_strcmp0 (m->alias, "pc") == 0;
    }
  g_assert_true (has_q35);
  g_assert_true (has_pc_alias);
  g_assert_true (g_hash_table_contains (e->devices, "virtio-blk-pci"));
  g_assert_true (e->cpu_models->len > 0);

  /* A second service start trusts the cache: no QEMU is run. */
  again = caps_for (f, "/nonexistent/kvm");
  e = again->emulators->pdata[0];
  g_assert_true (e->from_cache);
  g_assert_true (g_hash_table_contains (e->devices, "virtio-blk-pci"));

  /* An upgraded binary (new mtime) is probed again. */
  g_assert_cmpint (utime (emu, &times), ==, 0);
  changed = caps_for (f, "/nonexistent/kvm");
  e = changed->emulators->pdata[0];
  g_assert_false (e->from_cache);
}

static void
test_bad_emulator (Fixture *f, gconstpointer data)
{
  g_autofree char *bad = g_build_filename (f->bin, "qemu-system-ppc", NULL);
  g_autoptr (GuestdCapabilities) caps = NULL;

  if (!have_qemu ())
    return;
  write_script (bad, "echo 'I am no QEMU' >&2; exit 3");
  caps = caps_for (f, "/nonexistent/kvm");
  /* One broken binary does not hide the good one. */
  g_assert_cmpuint (caps->emulators->len, ==, 1);
  g_assert_cmpuint (caps->problems->len, ==, 1);
  g_assert_nonnull (strstr (caps->problems->pdata[0], "qemu-system-ppc"));
}

static void
test_kvm_rule (Fixture *f, gconstpointer data)
{
  g_autofree char *dev = g_build_filename (f->dir, "kvm", NULL);
  g_autoptr (GuestdCapabilities) without = NULL;
  g_autoptr (GuestdCapabilities) with = NULL;
  g_autofree char *xml_without = NULL;
  g_autofree char *xml_with = NULL;

  if (!have_qemu ())
    return;
  /* Only whether this process can open the device read-write counts; a
   * file stands in for /dev/kvm (no /dev/kvm on the test machines). */
  without = caps_for (f, dev);
  g_assert_false (without->kvm_usable);
  xml_without = guestd_capabilities_format (without, NULL);
  g_assert_null (strstr (xml_without, "<domain type='kvm'/>"));

  g_assert_true (g_file_set_contents (dev, "", 0, NULL));
  g_assert_cmpint (g_chmod (dev, 0600), ==, 0);
  with = caps_for (f, dev);
  g_assert_true (with->kvm_usable);
  xml_with = guestd_capabilities_format (with, "+107:+107");
  g_assert_nonnull (strstr (xml_with, "<domain type='kvm'/>"));
  g_assert_nonnull (strstr (xml_with, "<baselabel type='kvm'>+107:+107</baselabel>"));
}

static void
test_documents (Fixture *f, gconstpointer data)
{
  g_autoptr (GuestdCapabilities) caps = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *dom = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *emu = g_build_filename (f->bin, "qemu-system-x86_64", NULL);
  xmlDoc *doc;

  if (!have_qemu ())
    return;
  caps = caps_for (f, "/nonexistent/kvm");
  xml = guestd_capabilities_format (caps, NULL);
  doc = xmlReadMemory (xml, strlen (xml), "caps.xml", NULL, XML_PARSE_NONET);
  g_assert_nonnull (doc);
  xmlFreeDoc (doc);
  g_assert_nonnull (strstr (xml, "<os_type>hvm</os_type>"));
  g_assert_nonnull (strstr (xml, "<arch name='x86_64'>"));
  g_assert_nonnull (strstr (xml, "<wordsize>64</wordsize>"));
  g_assert_nonnull (strstr (xml, emu));
  g_assert_nonnull (strstr (xml, "canonical='pc-q35-"));
  g_assert_nonnull (strstr (xml, "<domain type='qemu'/>"));

  dom = guestd_capabilities_format_domain (caps, NULL, "x86_64", "q35", "qemu",
                                           &error);
  g_assert_no_error (error);
  doc = xmlReadMemory (dom, strlen (dom), "domcaps.xml", NULL, XML_PARSE_NONET);
  g_assert_nonnull (doc);
  xmlFreeDoc (doc);
  g_assert_nonnull (strstr (dom, "<machine>pc-q35-"));
  g_assert_nonnull (strstr (dom, "<domain>qemu</domain>"));
  g_assert_nonnull (strstr (dom, "<value>virtio</value>"));

  g_clear_pointer (&dom, g_free);
  dom = guestd_capabilities_format_domain (caps, NULL, NULL, "nonsense", NULL,
                                           &error);
  g_assert_null (dom);
  test_assert_error_contains (error, "machine 'nonsense' is not supported");
  g_clear_error (&error);
  dom = guestd_capabilities_format_domain (caps, NULL, NULL, NULL, "kvm",
                                           &error);
  g_assert_null (dom);
  test_assert_error_contains (error, "KVM is not usable");
}

static GuestdDomainDef *
minimal (const char *type, const char *extra_os, const char *emulator)
{
  g_autofree char *xml = g_strdup_printf (
    "<domain type='%s'><name>c</name><memory>65536</memory>"
    "<os><type arch='x86_64'%s>hvm</type></os><devices>%s</devices></domain>",
    type, extra_os, emulator);
  g_autoptr (GError) error = NULL;
  GuestdDomainDef *def = guestd_domain_def_parse (xml, -1, 0, &error);

  g_assert_no_error (error);
  return def;
}

static void
test_complete_def (Fixture *f, gconstpointer data)
{
  g_autoptr (GuestdCapabilities) caps = NULL;
  g_autoptr (GuestdDomainDef) pc = NULL;
  g_autoptr (GuestdDomainDef) bad_machine = NULL;
  g_autoptr (GuestdDomainDef) kvm = NULL;
  g_autoptr (GuestdDomainDef) gone = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *emu = g_build_filename (f->bin, "qemu-system-x86_64", NULL);

  if (!have_qemu ())
    return;
  caps = caps_for (f, "/nonexistent/kvm");

  /* "pc" is pinned to the machine it means today, and the emulator is
   * filled in. */
  pc = minimal ("qemu", " machine='pc'", "");
  g_assert_true (guestd_capabilities_complete_def (caps, pc, &error));
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (pc->os.machine, "pc-i440fx-"));
  g_assert_cmpstr (pc->emulator, ==, emu);

  bad_machine = minimal ("qemu", " machine='vax'", "");
  g_assert_false (guestd_capabilities_complete_def (caps, bad_machine, &error));
  test_assert_error_contains (error, "machine type 'vax' is not supported");
  g_clear_error (&error);

  kvm = minimal ("kvm", "", "");
  g_assert_false (guestd_capabilities_complete_def (caps, kvm, &error));
  test_assert_error_contains (error, "KVM is not usable: /nonexistent/kvm "
                                     "cannot be opened");
  test_assert_error_contains (error, "udev rule");
  g_clear_error (&error);

  gone = minimal ("qemu", "", "<emulator>/usr/bin/qemu-system-vax</emulator>");
  g_assert_false (guestd_capabilities_complete_def (caps, gone, &error));
  test_assert_error_contains (error, "emulator '/usr/bin/qemu-system-vax' is "
                                     "not usable");
  test_assert_error_contains (error, "emulators found: ");
  test_assert_error_contains (error, emu);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/caps/probe-and-cache", Fixture, NULL, setup,
              test_probe_and_cache, teardown);
  g_test_add ("/caps/bad-emulator", Fixture, NULL, setup, test_bad_emulator,
              teardown);
  g_test_add ("/caps/kvm-rule", Fixture, NULL, setup, test_kvm_rule, teardown);
  g_test_add ("/caps/documents", Fixture, NULL, setup, test_documents,
              teardown);
  g_test_add ("/caps/complete-def", Fixture, NULL, setup, test_complete_def,
              teardown);
  return g_test_run ();
}
