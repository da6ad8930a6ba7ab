/* Domain XML: every fixture parses to its canonical form and back,
 * and every kind of bad input is refused with the element, attribute,
 * value and line named. */
#include "config.h"

#include <string.h>

#include "conf/domain.h"
#include "conf/units.h"
#include "test-util.h"
#include "util/error.h"

static char *
canonical (const char *xml, GuestdDomainXmlFlags parse_flags, GError **error)
{
  g_autoptr (GuestdDomainDef) def = NULL;

  guestd_domain_seed_random_for_tests (42);
  def = guestd_domain_def_parse (xml, -1, parse_flags, error);
  if (def == NULL)
    return NULL;
  return guestd_domain_def_format (def, GUESTD_DOMAIN_XML_INACTIVE
                                          | GUESTD_DOMAIN_XML_SECURE);
}

static void
test_fixtures_golden (void)
{
  g_autoptr (GPtrArray) names = test_fixture_list ("domain", ".xml");

  g_assert_cmpuint (names->len, >=, 8);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *xml = test_fixture ("domain", name, NULL);
      g_autoptr (GError) error = NULL;
      g_autofree char *out = canonical (xml, 0, &error);

      g_test_message ("fixture %s", name);
      g_assert_no_error (error);
      test_compare_golden (out, "domain", "canonical", name, NULL);
    }
}

static void
test_fixtures_round_trip (void)
{
  g_autoptr (GPtrArray) names = test_fixture_list ("domain", ".xml");

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *xml = test_fixture ("domain", names->pdata[i], NULL);
      g_autoptr (GError) error = NULL;
      g_autofree char *once = canonical (xml, 0, &error);
      g_autofree char *twice = NULL;
      g_autofree char *live = NULL;

      g_assert_no_error (error);
      twice = canonical (once, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (once, ==, twice);
      /* Status files are read back with the live flag. */
      live = canonical (once, GUESTD_DOMAIN_XML_LIVE, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (once, ==, live);
    }
}

/* A minimal valid domain with @devices inside <devices> and @extra before
 * it; lines are counted so errors can be checked by line number. */
static char *
doc (const char *extra, const char *devices)
{
  return g_strdup_printf ("<domain type='qemu'>\n"                 /* 1 */
                          "  <name>t</name>\n"                      /* 2 */
                          "  <memory>65536</memory>\n"              /* 3 */
                          "  <os><type>hvm</type></os>\n"           /* 4 */
                          "%s"
                          "  <devices>\n%s  </devices>\n"
                          "</domain>\n",
                          extra, devices);
}

typedef struct
{
  const char *extra;
  const char *devices;
  const char *error;
} BadCase;

static const BadCase bad_cases[] = {
  /* unknown elements and attributes, with their line */
  { "  <vcpus/>\n", "", "line 5: element <vcpus> is not supported inside <domain>" },
  { "", "    <hostdev mode='subsystem'/>\n",
    "line 6: element <hostdev> is not supported inside <devices>" },
  { "", "    <disk type='file' colour='red'><source file='/a'/><target dev='vda'/></disk>\n",
    "line 6: <disk>: attribute 'colour' (value 'red') is not supported" },
  { "", "    <disk type='file'><source file='/a'/><target dev='vda' bus='pcie'/></disk>\n",
    "line 6: <target>: invalid value 'pcie' for attribute 'bus' (expected one of: ide, sata, scsi, virtio, usb, fdc)" },
  { "", "    <disk type='nfs'><source file='/a'/><target dev='vda'/></disk>\n",
    "invalid value 'nfs' for attribute 'type' (expected one of: file, block)" },
  { "", "    <disk type='file'><source file='a.img'/><target dev='vda'/></disk>\n",
    "disk source 'a.img' must be an absolute path" },
  { "", "    <disk type='file'><source file='/a'/><target dev='xyz'/></disk>\n",
    "disk 'xyz': cannot tell its bus from the name" },
  { "", "    <disk type='file'><source file='/a'/></disk>\n",
    "line 6: <disk>: a <target dev='…'/> is required" },
  { "", "    <disk type='block'><source file='/a'/><target dev='vda'/></disk>\n",
    "attribute 'file' does not go with disk type='block' (use 'dev')" },
  { "", "    <disk type='file'><driver name='qemu' cache='sometimes'/><source file='/a'/><target dev='vda'/></disk>\n",
    "invalid value 'sometimes' for attribute 'cache'" },
  { "", "    <disk type='file' device='cdrom'><target dev='vda' bus='virtio'/></disk>\n",
    "a cdrom cannot be on the virtio bus" },
  { "", "    <disk type='file'><target dev='vda'/></disk>\n",
    "disk 'vda' needs a <source>" },
  /* text where none belongs, split values */
  { "  <on_reboot>explode</on_reboot>\n", "",
    "line 5: <on_reboot>: invalid action 'explode'" },
  { "  <on_poweroff>coredump-destroy</on_poweroff>\n", "",
    "invalid action 'coredump-destroy'" },
  { "", "    stray text\n", "line 5: <devices>: unexpected text 'stray text'" },
  /* duplicates */
  { "  <memory>1</memory>\n", "",
    "line 5: <memory>: element <memory> may appear only once in <domain> (first on line 3)" },
  { "", "    <disk type='file'><source file='/a'/><target dev='vda'/></disk>\n"
        "    <disk type='file'><source file='/b'/><target dev='vda'/></disk>\n",
    "two disks use target 'vda'" },
  { "", "    <interface type='user'><mac address='52:54:00:00:00:01'/></interface>\n"
        "    <interface type='user'><mac address='52:54:00:00:00:01'/></interface>\n",
    "two interfaces use MAC address 52:54:00:00:00:01" },
  { "", "    <controller type='scsi' index='0'/><controller type='scsi' index='0'/>\n",
    "two scsi controllers have index 0" },
  /* values and units */
  { "  <vcpu>0</vcpu>\n", "", "invalid vCPU count '0'" },
  { "  <vcpu current='3'>2</vcpu>\n", "", "current vCPUs (3) must not exceed the maximum (2)" },
  { "  <currentMemory unit='GiB'>1</currentMemory>\n", "",
    "currentMemory (1048576 KiB) must not exceed memory (65536 KiB)" },
  { "  <maxMemory unit='parsec' slots='1'>1</maxMemory>\n", "",
    "line 5: <maxMemory>: unknown unit 'parsec'" },
  { "", "    <interface type='user'><mac address='01:00:5e:00:00:01'/></interface>\n",
    "invalid MAC address '01:00:5e:00:00:01'" },
  { "", "    <graphics type='vnc' port='5800'/>\n", "VNC port 5800 is below 5900" },
  { "", "    <graphics type='vnc' port='-1' listen='127.0.0.1'><listen type='address' address='0.0.0.0'/></graphics>\n",
    "attribute 'listen' ('127.0.0.1') disagrees with <listen>" },
  { "  <clock offset='utc' sync='localtime'/>\n", "",
    "attributes 'offset' and 'sync' disagree" },
  { "  <cpu><topology sockets='2' cores='2' threads='1'/></cpu>\n", "",
    "CPU topology 2 sockets × 1 dies × 2 cores × 1 threads = 4 does not match <vcpu> 1" },
  { "  <cpu mode='host-passthrough'/>\n", "", "needs a kvm domain" },
  { "", "    <rng model='virtio'><backend model='random'>/etc/shadow</backend></rng>\n",
    "invalid random source '/etc/shadow'" },
  { "", "    <serial type='file'/>\n", "a <source path='…'/> is required" },
  { "", "    <channel type='unix'><target type='virtio'/></channel>\n",
    "attribute 'name' is required (e.g. org.qemu.guest_agent.0)" },
  { "", "    <memballoon model='balloon'/>\n",
    "invalid value 'balloon' for attribute 'model'" },
  { "", "    <controller type='usb' model='xhci-turbo'/>\n",
    "invalid value 'xhci-turbo' for attribute 'model' (expected one of: piix3-uhci" },
  { "", "    <interface type='network'/>\n", "needs <source network='…'/>" },
  { "", "    <input type='tablet' bus='ps2'/>\n", "a tablet cannot be on the ps2 bus" },
  { "  <metadata><plain/></metadata>\n", "",
    "metadata element <plain> needs its own XML namespace" },
  { "  <os><type>hvm</type></os>\n", "", "element <os> may appear only once" },
  /* found by fuzz-domain-xml */
  { "", "    <disk type='file'><source file='/a'/><target dev='hdccirrus'/></disk>\n",
    "disk 'hdccirrus': the name is past the last slot of controller 255" },
};

static void
test_bad_input (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *xml = doc (bad_cases[i].extra, bad_cases[i].devices);
      g_autoptr (GError) error = NULL;
      g_autoptr (GuestdDomainDef) def = NULL;

      g_test_message ("case %u: %s", i, bad_cases[i].error);
      def = guestd_domain_def_parse (xml, -1, 0, &error);
      g_assert_null (def);
      g_assert_true (g_error_matches (error, GUESTD_ERROR, GUESTD_ERROR_XML));
      test_assert_error_contains (error, bad_cases[i].error);
    }
}

static const struct
{
  const char *xml;
  const char *error;
} bad_documents[] = {
  { "", "line 1: malformed XML" },
  { "<domain type='qemu'><name>x</name>", "malformed XML" },
  { "<guest/>", "the root element must be <domain>" },
  { "<domain><name>x</name></domain>", "attribute 'type' is required (qemu or kvm)" },
  { "<domain type='xen'><name>x</name></domain>", "invalid value 'xen' for attribute 'type'" },
  { "<domain type='qemu'><memory>1</memory><os><type>hvm</type></os></domain>",
    "a <name> is required" },
  { "<domain type='qemu'><name>a/b</name></domain>", "the name must not contain '/'" },
  { "<domain type='qemu'><name>.hidden</name></domain>", "must not start with '.'" },
  { "<domain type='qemu'><name>x</name><uuid>not-a-uuid</uuid></domain>",
    "invalid UUID 'not-a-uuid'" },
  { "<domain type='qemu'><name>x</name><os><type>hvm</type></os></domain>",
    "a <memory> is required" },
  { "<domain type='qemu'><name>x</name><memory>0</memory></domain>",
    "the memory size must not be zero" },
  { "<domain type='qemu'><name>x</name><memory>1</memory></domain>",
    "an <os> is required" },
  { "<domain type='qemu'><name>x</name><memory>1</memory><os><type>exe</type></os></domain>",
    "unsupported OS type 'exe'" },
  { "<domain type='qemu'><name>x</name><memory>18446744073709551615</memory></domain>",
    "is too large" },
  /* hostile input */
  { "<!DOCTYPE d [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><domain type='qemu'><name>&e;</name></domain>",
    "a <!DOCTYPE> is not allowed" },
  { "<!DOCTYPE d [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>]><domain type='qemu'><name>&b;</name></domain>",
    "a <!DOCTYPE> is not allowed" },
  { "<domain type='qemu'><name>&undefined;</name></domain>", "malformed XML" },
};

static void
test_bad_documents (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_documents); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GuestdDomainDef) def = NULL;

      g_test_message ("document %u: %s", i, bad_documents[i].error);
      def = guestd_domain_def_parse (bad_documents[i].xml, -1, 0, &error);
      g_assert_null (def);
      test_assert_error_contains (error, bad_documents[i].error);
    }
}

static void
test_hostile_sizes (void)
{
  g_autoptr (GString) big = g_string_new ("<domain type='qemu'><name>");
  g_autoptr (GString) deep = g_string_new ("<domain type='qemu'>");
  g_autoptr (GError) error = NULL;
  g_autoptr (GuestdDomainDef) def = NULL;
  const char nul[] = "<domain type='qemu'>\0<name>x</name></domain>";

  while (big->len <= GUESTD_XML_MAX_SIZE)
    g_string_append (big, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
  def = guestd_domain_def_parse (big->str, big->len, 0, &error);
  g_assert_null (def);
  test_assert_error_contains (error, "bytes allowed");
  g_clear_error (&error);

  for (int i = 0; i < 100000; i++)
    g_string_append (deep, "<a>");
  def = guestd_domain_def_parse (deep->str, deep->len, 0, &error);
  g_assert_null (def);
  test_assert_error_contains (error, "malformed XML");
  g_clear_error (&error);

  def = guestd_domain_def_parse (nul, sizeof nul - 1, 0, &error);
  g_assert_null (def);
  test_assert_error_contains (error, "NUL byte");
}

static void
test_memory_units (void)
{
  static const struct
  {
    const char *value, *unit;
    guint64 kib;
  } cases[] = {
    { "1024", NULL, 1024 },     { "1024", "KiB", 1024 },
    { "1024", "k", 1024 },      { "1", "M", 1024 },
    { "1", "MiB", 1024 },       { "1", "MB", 977 }, /* 1000000 B rounds up */
    { "2", "G", 2097152 },      { "2", "GiB", 2097152 },
    { "1", "GB", 976563 },      { "1", "T", G_GUINT64_CONSTANT (1073741824) },
    { "1536", "b", 2 },         { "1024", "bytes", 1 },
    { "1", "KB", 1 },           { " 64 ", "mib", 65536 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *xml = NULL;
      g_autoptr (GuestdDomainDef) def = NULL;
      g_autoptr (GError) error = NULL;

      xml = g_strdup_printf ("<domain type='qemu'><name>m</name>"
                             "<memory%s%s%s>%s</memory>"
                             "<os><type>hvm</type></os></domain>",
                             cases[i].unit ? " unit='" : "",
                             cases[i].unit ? cases[i].unit : "",
                             cases[i].unit ? "'" : "", cases[i].value);
      def = guestd_domain_def_parse (xml, -1, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (def->memory_kib, ==, cases[i].kib);
    }
}

static void
test_identifiers (void)
{
  char uuid[GUESTD_UUID_STRING_LEN + 1];
  char mac[18];

  g_assert_true (guestd_uuid_parse ("C7A5FDBDEDAF9455926AD65C16DB1809", uuid));
  g_assert_cmpstr (uuid, ==, "c7a5fdbd-edaf-9455-926a-d65c16db1809");
  g_assert_true (guestd_uuid_parse ("c7a5fdbd-edaf-9455-926a-d65c16db1809", uuid));
  g_assert_false (guestd_uuid_parse ("c7a5fdbd-edaf-9455-926a-d65c16db180", uuid));
  g_assert_false (guestd_uuid_parse ("c7a5fdbd-edaf-9455-926a-d65c16db18099", uuid));
  g_assert_false (guestd_uuid_parse ("g7a5fdbd-edaf-9455-926a-d65c16db1809", uuid));

  g_assert_true (guestd_mac_parse ("52:54:00:AB:cd:01", mac));
  g_assert_cmpstr (mac, ==, "52:54:00:ab:cd:01");
  g_assert_false (guestd_mac_parse ("52:54:00:ab:cd", mac));
  g_assert_false (guestd_mac_parse ("52-54-00-ab-cd-01", mac));
  g_assert_false (guestd_mac_parse ("53:54:00:ab:cd:01", mac)); /* multicast */
  guestd_mac_generate (mac);
  g_assert_true (g_str_has_prefix (mac, "52:54:00:"));

  g_assert_cmpint (guestd_disk_target_index ("hda"), ==, 0);
  g_assert_cmpint (guestd_disk_target_index ("hdc"), ==, 2);
  g_assert_cmpint (guestd_disk_target_index ("sdz"), ==, 25);
  g_assert_cmpint (guestd_disk_target_index ("sdaa"), ==, 26);
  g_assert_cmpint (guestd_disk_target_index ("vd1"), ==, -1);
  for (int i = 0; i < 800; i++)
    {
      g_autofree char *t = guestd_disk_target_name ("vd", i);

      g_assert_cmpint (guestd_disk_target_index (t), ==, i);
    }
}

static void
test_defaults (void)
{
  g_autofree char *xml = doc ("", "    <disk type='file' device='cdrom'><target dev='hdc'/></disk>\n"
                                  "    <interface type='user'/>\n"
                                  "    <console type='pty'/>\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (GuestdDomainDef) def = guestd_domain_def_parse (xml, -1, 0, &error);
  GuestdDiskDef *cd;
  GuestdChrDef *serial;

  g_assert_no_error (error);
  /* A UUID and a MAC are made up once and then kept. */
  g_assert_true (def->uuid[0] != '\0');
  g_assert_true (g_str_has_prefix (((GuestdNetDef *) def->nets->pdata[0])->mac,
                                   "52:54:00:"));
  /* hdc is the master of the second IDE bus. */
  cd = def->disks->pdata[0];
  g_assert_cmpint (cd->bus, ==, GUESTD_DISK_BUS_IDE);
  g_assert_cmpint (cd->info.addr.type, ==, GUESTD_ADDR_DRIVE);
  g_assert_cmpuint (cd->info.addr.drive.bus, ==, 1);
  g_assert_cmpuint (cd->info.addr.drive.unit, ==, 0);
  /* The PC's built-in controllers and a balloon, as libvirt lists them. */
  g_assert_nonnull (guestd_domain_def_find_controller (def, GUESTD_CONTROLLER_IDE, 0));
  g_assert_nonnull (guestd_domain_def_find_controller (def, GUESTD_CONTROLLER_USB, 0));
  g_assert_nonnull (guestd_domain_def_find_controller (def, GUESTD_CONTROLLER_PCI, 0));
  g_assert_nonnull (def->memballoon);
  g_assert_cmpint (def->memballoon->model, ==, GUESTD_BALLOON_VIRTIO);
  /* The serial console is serial port 0. */
  g_assert_cmpuint (def->serials->len, ==, 1);
  serial = def->serials->pdata[0];
  g_assert_cmpint (serial->type, ==, GUESTD_CHR_PTY);
  g_assert_cmpint (serial->target_port, ==, 0);
  g_assert_cmpint (((GuestdChrDef *) def->consoles->pdata[0])->target_type, ==,
                   GUESTD_CHR_TARGET_SERIAL);
  g_assert_cmpint (def->on_reboot, ==, GUESTD_LIFECYCLE_RESTART);
}

static void
test_live_state (void)
{
  const char *xml =
    "<domain type='qemu' id='7'><name>live</name><memory>65536</memory>"
    "<os><type>hvm</type></os><devices>"
    "<serial type='pty' tty='/dev/pts/9'><source path='/dev/pts/9'/>"
    "<target port='0'/><alias name='serial0'/></serial>"
    "<graphics type='vnc' port='5907' autoport='yes'/>"
    "</devices></domain>";
  g_autoptr (GError) error = NULL;
  g_autoptr (GuestdDomainDef) live = guestd_domain_def_parse (xml, -1, GUESTD_DOMAIN_XML_LIVE, &error);
  g_autoptr (GuestdDomainDef) inactive = NULL;
  g_autofree char *live_xml = NULL;
  g_autofree char *inactive_xml = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (live->id, ==, 7);
  live_xml = guestd_domain_def_format (live, 0);
  g_assert_nonnull (strstr (live_xml, "<domain type='qemu' id='7'>"));
  g_assert_nonnull (strstr (live_xml, "tty='/dev/pts/9'"));
  g_assert_nonnull (strstr (live_xml, "<alias name='serial0'/>"));
  g_assert_nonnull (strstr (live_xml, "port='5907'"));

  /* A definition taken from dumpxml of a running guest drops what only
   * the running guest has. */
  inactive = guestd_domain_def_parse (xml, -1, 0, &error);
  g_assert_no_error (error);
  inactive_xml = guestd_domain_def_format (inactive, GUESTD_DOMAIN_XML_INACTIVE);
  g_assert_null (strstr (inactive_xml, "id='7'"));
  g_assert_null (strstr (inactive_xml, "/dev/pts/9"));
  g_assert_null (strstr (inactive_xml, "serial0"));
  g_assert_nonnull (strstr (inactive_xml, "port='-1' autoport='yes'"));
}

static void
test_secrets_hidden (void)
{
  g_autofree char *xml = doc ("", "    <graphics type='vnc' passwd='hunter2'/>\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (GuestdDomainDef) def = guestd_domain_def_parse (xml, -1, 0, &error);
  g_autofree char *plain = NULL;
  g_autofree char *secure = NULL;

  g_assert_no_error (error);
  plain = guestd_domain_def_format (def, 0);
  secure = guestd_domain_def_format (def, GUESTD_DOMAIN_XML_SECURE);
  g_assert_null (strstr (plain, "hunter2"));
  g_assert_nonnull (strstr (secure, "passwd='hunter2'"));
}

static void
test_escaping (void)
{
  const char *xml =
    "<domain type='qemu'><name>quote's &amp; &lt;tags&gt;</name>"
    "<description>tab\there&#13;cr \"dq\"</description>"
    "<memory>65536</memory><os><type>hvm</type>"
    "<kernel>/boot/k</kernel><cmdline>  a='b\"c' &amp; d  </cmdline></os>"
    "<devices><disk type='file'><source file=\"/images/it's a &quot;disk&quot;.img\"/>"
    "<target dev='vda'/></disk></devices></domain>";
  g_autoptr (GError) error = NULL;
  g_autoptr (GuestdDomainDef) def = guestd_domain_def_parse (xml, -1, 0, &error);
  g_autofree char *out = NULL;
  g_autoptr (GuestdDomainDef) again = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (def->name, ==, "quote's & <tags>");
  g_assert_cmpstr (def->description, ==, "tab\there\rcr \"dq\"");
  g_assert_cmpstr (def->os.cmdline, ==, "  a='b\"c' & d  ");
  out = guestd_domain_def_format (def, 0);
  again = guestd_domain_def_parse (out, -1, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->name, ==, def->name);
  g_assert_cmpstr (again->description, ==, def->description);
  g_assert_cmpstr (again->os.cmdline, ==, def->os.cmdline);
  g_assert_cmpstr (((GuestdDiskDef *) again->disks->pdata[0])->src, ==,
                   "/images/it's a \"disk\".img");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/domain-xml/fixtures/golden", test_fixtures_golden);
  g_test_add_func ("/domain-xml/fixtures/round-trip", test_fixtures_round_trip);
  g_test_add_func ("/domain-xml/bad-input", test_bad_input);
  g_test_add_func ("/domain-xml/bad-documents", test_bad_documents);
  g_test_add_func ("/domain-xml/hostile-sizes", test_hostile_sizes);
  g_test_add_func ("/domain-xml/memory-units", test_memory_units);
  g_test_add_func ("/domain-xml/identifiers", test_identifiers);
  g_test_add_func ("/domain-xml/defaults", test_defaults);
  g_test_add_func ("/domain-xml/live-state", test_live_state);
  g_test_add_func ("/domain-xml/secrets-hidden", test_secrets_hidden);
  g_test_add_func ("/domain-xml/escaping", test_escaping);
  return g_test_run ();
}
