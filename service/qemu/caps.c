/* Emulator discovery, QMP probing, the probe cache, and the capabilities
 * documents built from them. */
#include "config.h"

#include "caps.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "conf/xml-writer.h"
#include "util/error.h"
#include "util/file-util.h"
#include "util/glib-compat.h"
#include "util/i18n.h"

/* Bump when the cached facts change shape. */
#define CACHE_FORMAT 1
#define PROBE_TIMEOUT_MS 20000

static void
machine_free (GuestdQemuMachine *m)
{
  g_free (m->name);
  g_free (m->alias);
  g_free (m);
}

static GuestdQemuEmulator *
emulator_new (const char *path)
{
  GuestdQemuEmulator *e = g_new0 (GuestdQemuEmulator, 1);

  e->path = g_strdup (path);
  e->machines = g_ptr_array_new_with_free_func ((GDestroyNotify) machine_free);
  e->cpu_models = g_ptr_array_new_with_free_func (g_free);
  e->devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return e;
}

static void
emulator_free (GuestdQemuEmulator *e)
{
  g_free (e->path);
  g_free (e->arch);
  g_free (e->os_type);
  g_free (e->version);
  g_free (e->package);
  g_ptr_array_unref (e->machines);
  g_ptr_array_unref (e->cpu_models);
  g_hash_table_unref (e->devices);
  g_free (e);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GuestdQemuEmulator, emulator_free)

GuestdCapabilities *
guestd_capabilities_new (const char *cache_dir,
                         const char *const *emulator_dirs,
                         const char *kvm_device)
{
  GuestdCapabilities *caps = g_new0 (GuestdCapabilities, 1);
  struct utsname u;

  caps->cache_dir = g_strdup (cache_dir);
  caps->emulator_dirs = g_strdupv ((char **) emulator_dirs);
  caps->kvm_device = g_strdup (kvm_device ? kvm_device : DEFAULT_KVM_DEVICE);
  caps->host_arch = g_strdup (uname (&u) == 0 ? u.machine : "x86_64");
  caps->emulators
    = g_ptr_array_new_with_free_func ((GDestroyNotify) emulator_free);
  caps->problems = g_ptr_array_new_with_free_func (g_free);
  return caps;
}

void
guestd_capabilities_free (GuestdCapabilities *caps)
{
  if (caps == NULL)
    return;
  g_free (caps->cache_dir);
  g_strfreev (caps->emulator_dirs);
  g_free (caps->kvm_device);
  g_free (caps->host_arch);
  g_ptr_array_unref (caps->emulators);
  g_ptr_array_unref (caps->problems);
  g_free (caps);
}

static const char *
arch_of_binary (const char *base)
{
  if (g_str_equal (base, "qemu"))
    return "i686";
  if (g_str_equal (base, "qemu-kvm"))
    return NULL; /* the host's */
  if (g_str_has_prefix (base, "qemu-system-"))
    {
      const char *a = base + strlen ("qemu-system-");

      return g_str_equal (a, "i386") ? "i686" : a;
    }
  return NULL;
}

static guint
wordsize_of (const char *arch)
{
  static const char *const bits32[] = { "i686", "arm", "mips", "mipsel",
                                        "ppc", "sparc", "riscv32", "or1k",
                                        "m68k", "sh4", "xtensa", "microblaze",
                                        "avr", "hppa", "rx", "tricore",
                                        "cris", "nios2", NULL };

  return g_strv_contains (bits32, arch) ? 32 : 64;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static gint
compare_machines (gconstpointer a, gconstpointer b)
{
  const GuestdQemuMachine *x = *(GuestdQemuMachine *const *) a;
  const GuestdQemuMachine *y = *(GuestdQemuMachine *const *) b;

  /* Newest first within a family: pc-q35-7.2 before pc-q35-7.1. */
  return -g_strcmp0 (x->name, y->name);
}

/* ---- QMP probe ---- */

#define QOM_LIST_DEVICES                                                      \
  ("{\"execute\":\"qom-list-types\",\"arguments\":"                           \
   "{\"implements\":\"device\",\"abstract\":false}}")

static gboolean
read_reply (GDataInputStream *in, const char *what, JsonNode **out,
            GError **error)
{
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (in, NULL,
                                                                  NULL, error);
      g_autoptr (JsonParser) jp = NULL;
      JsonObject *obj;

      if (line == NULL)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_OPERATION_FAILED,
                         _("QEMU closed the monitor while answering %s"),
                         what);
          return FALSE;
        }
      jp = json_parser_new ();
      if (!json_parser_load_from_data (jp, line, -1, NULL)
          || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (jp)))
        continue;
      obj = json_node_get_object (json_parser_get_root (jp));
      if (json_object_has_member (obj, "event"))
        continue;
      if (json_object_has_member (obj, "error"))
        {
          *out = NULL;
          return TRUE;
        }
      if (json_object_has_member (obj, "return")
          || json_object_has_member (obj, "QMP"))
        {
          *out = json_node_copy (json_object_get_member (
            obj, json_object_has_member (obj, "QMP") ? "QMP" : "return"));
          return TRUE;
        }
    }
}

static gboolean
probe_emulator (GuestdQemuEmulator *e, GError **error)
{
  static const char *const commands[] = {
    "{\"execute\":\"qmp_capabilities\"}",
    "{\"execute\":\"query-version\"}",
    "{\"execute\":\"query-machines\"}",
    "{\"execute\":\"query-cpu-definitions\"}",
    QOM_LIST_DEVICES,
    "{\"execute\":\"query-kvm\"}",
    "{\"execute\":\"query-spice\"}",
  };
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GDataInputStream) in = NULL;
  g_autoptr (GString) script = g_string_new (NULL);
  int script_pipe[2];
  gssize written;
  JsonNode *replies[G_N_ELEMENTS (commands) + 1] = { NULL };
  gboolean ok = TRUE;
  JsonObject *ver;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (script, "%s\n", commands[i]);
  g_string_append (script, "{\"execute\":\"quit\"}\n");

  /* The whole script goes into the pipe before QEMU exists (it is far
   * below the pipe's capacity): a binary that exits at once cannot make
   * this process write to a closed pipe and die of SIGPIPE. */
  if (!g_unix_open_pipe (script_pipe, FD_CLOEXEC, error))
    return FALSE;
  written = write (script_pipe[1], script->str, script->len);
  close (script_pipe[1]);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_take_stdin_fd (launcher, script_pipe[0]);
  if (written != (gssize) script->len)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_INTERNAL,
                   "cannot queue the probe script: %s", g_strerror (errno));
      return FALSE;
    }
  /* -machine none: no guest, nothing to emulate; answers in ~0.1 s. */
  proc = g_subprocess_launcher_spawn (launcher, error, e->path, "-S",
                                      "-no-user-config", "-nodefaults",
                                      "-display", "none", "-machine",
                                      "none,accel=tcg", "-qmp", "stdio", NULL);
  if (proc == NULL)
    return FALSE;
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  for (guint i = 0; i <= G_N_ELEMENTS (commands) && ok; i++)
    ok = read_reply (in, i == 0 ? "the greeting" : commands[i - 1],
                     &replies[i], error);
  if (!ok)
    {
      g_subprocess_force_exit (proc);
      for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
        g_clear_pointer (&replies[i], json_node_unref);
      return FALSE;
    }
  g_subprocess_wait (proc, NULL, NULL);

  /* [0] greeting, [1] capabilities, [2] version, [3] machines, [4] cpus,
   * [5] types, [6] kvm, [7] spice. */
  if (replies[2] != NULL && JSON_NODE_HOLDS_OBJECT (replies[2]))
    {
      JsonObject *q;

      ver = json_node_get_object (replies[2]);
      q = json_object_get_object_member (ver, "qemu");
      if (q != NULL)
        e->version = g_strdup_printf (
          "%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT,
          json_object_get_int_member (q, "major"),
          json_object_get_int_member (q, "minor"),
          json_object_get_int_member (q, "micro"));
      if (json_object_has_member (ver, "package"))
        e->package = g_strdup (json_object_get_string_member (ver, "package"));
    }
  if (replies[3] != NULL && JSON_NODE_HOLDS_ARRAY (replies[3]))
    {
      JsonArray *a = json_node_get_array (replies[3]);

      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonObject *mo = json_array_get_object_element (a, i);
          GuestdQemuMachine *m = g_new0 (GuestdQemuMachine, 1);

          m->name = g_strdup (json_object_get_string_member (mo, "name"));
          if (json_object_has_member (mo, "alias"))
            m->alias = g_strdup (json_object_get_string_member (mo, "alias"));
          if (json_object_has_member (mo, "is-default"))
            m->is_default = json_object_get_boolean_member (mo, "is-default");
          m->max_cpus = json_object_get_int_member (mo, "cpu-max");
          if (json_object_has_member (mo, "deprecated"))
            m->deprecated = json_object_get_boolean_member (mo, "deprecated");
          if (g_str_equal (m->name, "none"))
            machine_free (m);
          else
            g_ptr_array_add (e->machines, m);
        }
    }
  if (replies[4] != NULL && JSON_NODE_HOLDS_ARRAY (replies[4]))
    {
      JsonArray *a = json_node_get_array (replies[4]);

      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonObject *co = json_array_get_object_element (a, i);
          JsonArray *missing
            = json_object_has_member (co, "unavailable-features")
                ? json_object_get_array_member (co, "unavailable-features")
                : NULL;

          if (missing == NULL || json_array_get_length (missing) == 0)
            g_ptr_array_add (e->cpu_models,
                             g_strdup (json_object_get_string_member (co,
                                                                      "name")));
        }
      g_ptr_array_sort (e->cpu_models, compare_strings);
    }
  if (replies[5] != NULL && JSON_NODE_HOLDS_ARRAY (replies[5]))
    {
      JsonArray *a = json_node_get_array (replies[5]);

      for (guint i = 0; i < json_array_get_length (a); i++)
        g_hash_table_add (e->devices,
                          g_strdup (json_object_get_string_member (
                            json_array_get_object_element (a, i), "name")));
    }
  if (replies[6] != NULL && JSON_NODE_HOLDS_OBJECT (replies[6]))
    e->has_kvm = json_object_get_boolean_member (
      json_node_get_object (replies[6]), "present");
  e->has_spice = replies[7] != NULL;
  g_ptr_array_sort (e->machines, compare_machines);
  for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
    g_clear_pointer (&replies[i], json_node_unref);
  if (e->machines->len == 0)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_OPERATION_FAILED,
                   _("%s reported no machine types"), e->path);
      return FALSE;
    }
  return TRUE;
}

/* ---- cache ---- */

static char *
cache_file (GuestdCapabilities *caps, const char *path)
{
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256,
                                                        path, -1);

  return g_strdup_printf ("%s/capabilities/%s.json", caps->cache_dir, sum);
}

static void
cache_store (GuestdCapabilities *caps, GuestdQemuEmulator *e)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *file = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *text = NULL;
  GHashTableIter it;
  gpointer key;

  if (caps->cache_dir == NULL)
    return;
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_int_value (b, CACHE_FORMAT);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, e->path);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, (gint64) e->size);
  json_builder_set_member_name (b, "mtime");
  json_builder_add_int_value (b, e->mtime);
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, e->version);
  json_builder_set_member_name (b, "package");
  json_builder_add_string_value (b, e->package);
  json_builder_set_member_name (b, "kvm");
  json_builder_add_boolean_value (b, e->has_kvm);
  json_builder_set_member_name (b, "spice");
  json_builder_add_boolean_value (b, e->has_spice);
  json_builder_set_member_name (b, "machines");
  json_builder_begin_array (b);
  for (guint i = 0; i < e->machines->len; i++)
    {
      GuestdQemuMachine *m = e->machines->pdata[i];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, m->name);
      if (m->alias != NULL)
        {
          json_builder_set_member_name (b, "alias");
          json_builder_add_string_value (b, m->alias);
        }
      json_builder_set_member_name (b, "default");
      json_builder_add_boolean_value (b, m->is_default);
      json_builder_set_member_name (b, "max-cpus");
      json_builder_add_int_value (b, m->max_cpus);
      json_builder_set_member_name (b, "deprecated");
      json_builder_add_boolean_value (b, m->deprecated);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "cpu-models");
  json_builder_begin_array (b);
  for (guint i = 0; i < e->cpu_models->len; i++)
    json_builder_add_string_value (b, e->cpu_models->pdata[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "devices");
  json_builder_begin_array (b);
  g_hash_table_iter_init (&it, e->devices);
  while (g_hash_table_iter_next (&it, &key, NULL))
    json_builder_add_string_value (b, key);
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  file = cache_file (caps, e->path);
  dir = g_path_get_dirname (file);
  /* A cache that cannot be written only costs the next start a probe. */
  if (g_mkdir_with_parents (dir, 0755) == 0)
    guestd_file_write_atomic (file, text, -1, 0644, NULL);
}

static GuestdQemuEmulator *
cache_load (GuestdCapabilities *caps, const char *path, guint64 size,
            gint64 mtime)
{
  g_autoptr (JsonParser) jp = json_parser_new ();
  g_autofree char *file = NULL;
  g_autoptr (GuestdQemuEmulator) e = NULL;
  JsonObject *o;
  JsonArray *a;

  if (caps->cache_dir == NULL)
    return NULL;
  file = cache_file (caps, path);
  if (!json_parser_load_from_mapped_file (jp, file, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (jp)))
    return NULL;
  o = json_node_get_object (json_parser_get_root (jp));
  /* Any mismatch (another binary, an upgrade, a format change) means
   * probe again. */
  if (json_object_get_int_member_with_default (o, "format", 0) != CACHE_FORMAT
      || g_strcmp0 (json_object_get_string_member_with_default (o, "path", ""),
                    path)
           != 0
      || json_object_get_int_member_with_default (o, "size", -1)
           != (gint64) size
      || json_object_get_int_member_with_default (o, "mtime", -1) != mtime
      || !json_object_has_member (o, "machines"))
    return NULL;
  e = emulator_new (path);
  e->size = size;
  e->mtime = mtime;
  e->version = g_strdup (json_object_get_string_member_with_default (o, "version", NULL));
  e->package = g_strdup (json_object_get_string_member_with_default (o, "package", NULL));
  e->has_kvm = json_object_get_boolean_member_with_default (o, "kvm", FALSE);
  e->has_spice = json_object_get_boolean_member_with_default (o, "spice", FALSE);
  a = json_object_get_array_member (o, "machines");
  for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
    {
      JsonObject *mo = json_array_get_object_element (a, i);
      GuestdQemuMachine *m = g_new0 (GuestdQemuMachine, 1);

      m->name = g_strdup (json_object_get_string_member_with_default (mo, "name", "?"));
      m->alias = g_strdup (json_object_get_string_member_with_default (mo, "alias", NULL));
      m->is_default = json_object_get_boolean_member_with_default (mo, "default", FALSE);
      m->max_cpus = json_object_get_int_member_with_default (mo, "max-cpus", 1);
      m->deprecated = json_object_get_boolean_member_with_default (mo, "deprecated", FALSE);
      g_ptr_array_add (e->machines, m);
    }
  a = json_object_has_member (o, "cpu-models")
        ? json_object_get_array_member (o, "cpu-models") : NULL;
  for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
    g_ptr_array_add (e->cpu_models, g_strdup (json_array_get_string_element (a, i)));
  a = json_object_has_member (o, "devices")
        ? json_object_get_array_member (o, "devices") : NULL;
  for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
    g_hash_table_add (e->devices, g_strdup (json_array_get_string_element (a, i)));
  e->from_cache = TRUE;
  return g_steal_pointer (&e);
}

/* ---- discovery ---- */

static GuestdQemuEmulator *
load_emulator (GuestdCapabilities *caps, const char *path, const char *arch,
               GError **error)
{
  g_autoptr (GuestdQemuEmulator) e = NULL;
  struct stat st;

  if (stat (path, &st) < 0)
    {
      guestd_set_error_errno (error, errno, _("cannot inspect emulator %s"),
                              path);
      return NULL;
    }
  e = cache_load (caps, path, (guint64) st.st_size, (gint64) st.st_mtime);
  if (e == NULL)
    {
      e = emulator_new (path);
      e->size = (guint64) st.st_size;
      e->mtime = (gint64) st.st_mtime;
      if (!probe_emulator (e, error))
        return NULL;
      cache_store (caps, e);
    }
  e->arch = g_strdup (arch);
  e->os_type = g_strdup ("hvm");
  return g_steal_pointer (&e);
}

static gboolean
already_listed (GuestdCapabilities *caps, const char *path)
{
  g_autofree char *real = realpath (path, NULL);

  for (guint i = 0; i < caps->emulators->len; i++)
    {
      GuestdQemuEmulator *e = caps->emulators->pdata[i];
      g_autofree char *other = realpath (e->path, NULL);

      if (g_strcmp0 (real, other) == 0 && g_str_equal (e->os_type, "hvm"))
        return TRUE;
    }
  return FALSE;
}

void
guestd_capabilities_refresh (GuestdCapabilities *caps)
{
  g_autofd int fd = -1;

  g_ptr_array_set_size (caps->emulators, 0);
  g_ptr_array_set_size (caps->problems, 0);
  /* KVM is offered only when this process can really use the device. */
  fd = open (caps->kvm_device, O_RDWR | O_CLOEXEC);
  caps->kvm_usable = fd >= 0;

  for (guint d = 0; caps->emulator_dirs[d] != NULL; d++)
    {
      g_autoptr (GDir) dir = g_dir_open (caps->emulator_dirs[d], 0, NULL);
      g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      if (dir == NULL)
        continue;
      while ((name = g_dir_read_name (dir)) != NULL)
        if (g_str_equal (name, "qemu") || g_str_equal (name, "qemu-kvm")
            || g_str_equal (name, "xenner")
            || (g_str_has_prefix (name, "qemu-system-")
                && strspn (name + strlen ("qemu-system-"),
                           "abcdefghijklmnopqrstuvwxyz0123456789_")
                     == strlen (name + strlen ("qemu-system-"))))
          g_ptr_array_add (names, g_strdup (name));
      g_ptr_array_sort (names, compare_strings);
      for (guint i = 0; i < names->len; i++)
        {
          const char *base = names->pdata[i];
          g_autofree char *path = g_build_filename (caps->emulator_dirs[d],
                                                    base, NULL);
          g_autoptr (GError) error = NULL;
          GuestdQemuEmulator *e;
          const char *arch;

          if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE)
              || g_file_test (path, G_FILE_TEST_IS_DIR))
            continue;
          if (g_str_equal (base, "xenner"))
            {
              /* Xen paravirtual guests on KVM: only with a usable KVM. */
              if (!caps->kvm_usable)
                continue;
              e = emulator_new (path);
              e->arch = g_strdup (caps->host_arch);
              e->os_type = g_strdup ("xen");
              e->has_kvm = TRUE;
              g_ptr_array_add (caps->emulators, e);
              continue;
            }
          arch = arch_of_binary (base);
          if (arch == NULL)
            arch = caps->host_arch;
          if (already_listed (caps, path))
            continue;
          e = load_emulator (caps, path, arch, &error);
          if (e == NULL)
            {
              g_ptr_array_add (caps->problems,
                               g_strdup_printf ("%s: %s", path,
                                                error->message));
              continue;
            }
          /* qemu-kvm is only interesting with KVM. */
          if (g_str_equal (base, "qemu-kvm") && !caps->kvm_usable)
            {
              emulator_free (e);
              continue;
            }
          g_ptr_array_add (caps->emulators, e);
        }
    }
}

static const GuestdQemuMachine *
find_machine (const GuestdQemuEmulator *e, const char *name)
{
  for (guint i = 0; i < e->machines->len; i++)
    {
      const GuestdQemuMachine *m = e->machines->pdata[i];

      if (name == NULL ? m->is_default
                       : (g_str_equal (m->name, name)
                          || g_strcmp0 (m->alias, name) == 0))
        return m;
    }
  return NULL;
}

static char *
list_emulators (GuestdCapabilities *caps)
{
  g_autoptr (GString) s = g_string_new (NULL);

  for (guint i = 0; i < caps->emulators->len; i++)
    {
      GuestdQemuEmulator *e = caps->emulators->pdata[i];

      g_string_append_printf (s, "%s%s (%s)", s->len ? ", " : "", e->path,
                              e->arch);
    }
  if (s->len == 0)
    g_string_append_printf (s, _("none in %s; install qemu-system-x86"),
                            g_strjoinv (":", caps->emulator_dirs));
  return g_string_free (g_steal_pointer (&s), FALSE);
}

const GuestdQemuEmulator *
guestd_capabilities_emulator_for (GuestdCapabilities *caps,
                                  const GuestdDomainDef *def, GError **error)
{
  g_autofree char *found = NULL;

  for (guint i = 0; i < caps->emulators->len; i++)
    {
      GuestdQemuEmulator *e = caps->emulators->pdata[i];

      if (!g_str_equal (e->os_type, "hvm"))
        continue;
      if (def->emulator != NULL)
        {
          g_autofree char *a = realpath (def->emulator, NULL);
          g_autofree char *b = realpath (e->path, NULL);

          if (g_str_equal (e->path, def->emulator)
              || (a != NULL && g_strcmp0 (a, b) == 0))
            return e;
        }
      else if (g_strcmp0 (e->arch, def->os.arch) == 0)
        {
          /* qemu-system-ARCH first; qemu-kvm and "qemu" only if alone. */
          g_autofree char *base = g_path_get_basename (e->path);

          if (g_str_has_prefix (base, "qemu-system-"))
            return e;
        }
    }
  if (def->emulator == NULL)
    for (guint i = 0; i < caps->emulators->len; i++)
      {
        GuestdQemuEmulator *e = caps->emulators->pdata[i];

        if (g_strcmp0 (e->arch, def->os.arch) == 0
            && g_str_equal (e->os_type, "hvm"))
          return e;
      }
  found = list_emulators (caps);
  if (def->emulator != NULL)
    g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                 _("emulator '%s' is not usable (not found, not executable, "
                   "or not a QEMU system emulator); emulators found: %s"),
                 def->emulator, found);
  else
    g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                 _("no emulator for architecture '%s'; emulators found: %s"),
                 def->os.arch, found);
  return NULL;
}

gboolean
guestd_capabilities_complete_def (GuestdCapabilities *caps,
                                  GuestdDomainDef *def, GError **error)
{
  const GuestdQemuEmulator *e = guestd_capabilities_emulator_for (caps, def,
                                                                  error);
  const GuestdQemuMachine *m;

  if (e == NULL)
    return FALSE;
  if (g_strcmp0 (e->arch, def->os.arch) != 0
      && !(g_str_equal (e->arch, "x86_64") && g_str_equal (def->os.arch, "i686")))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                   _("emulator %s runs %s guests, not %s"), e->path, e->arch,
                   def->os.arch);
      return FALSE;
    }
  m = find_machine (e, def->os.machine);
  if (m == NULL)
    {
      g_autoptr (GString) names = g_string_new (NULL);

      for (guint i = 0; i < e->machines->len && i < 12; i++)
        {
          GuestdQemuMachine *x = e->machines->pdata[i];

          g_string_append_printf (names, "%s%s", names->len ? ", " : "",
                                  x->alias ? x->alias : x->name);
        }
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                   _("machine type '%s' is not supported by %s (it has: "
                     "%s, …)"),
                   def->os.machine, e->path, names->str);
      return FALSE;
    }
  if (def->virt_type == GUESTD_VIRT_KVM)
    {
      if (!e->has_kvm)
        {
          g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                       _("emulator %s was built without KVM support; use "
                         "<domain type='qemu'>"),
                       e->path);
          return FALSE;
        }
      if (!caps->kvm_usable)
        {
          g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                       _("KVM is not usable: %s cannot be opened for reading "
                         "and writing by this user. Load the kvm module, "
                         "install the guestd udev rule (mode 0666) or add "
                         "the user to the 'kvm' group; or use <domain "
                         "type='qemu'> (much slower)"),
                       caps->kvm_device);
          return FALSE;
        }
    }
  if (def->vcpus > m->max_cpus)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                   _("machine %s supports at most %u vCPUs, not %u"), m->name,
                   m->max_cpus, def->vcpus);
      return FALSE;
    }
  if (def->emulator == NULL)
    def->emulator = g_strdup (e->path);
  /* "pc" means the newest i440FX machine of today's QEMU; pin the one it
   * is now, so an upgrade does not change the guest's hardware. */
  g_free (def->os.machine);
  def->os.machine = g_strdup (m->name);
  return TRUE;
}

/* ---- documents ---- */

static char *
host_uuid (void)
{
  g_autofree char *id = NULL;
  char uuid[GUESTD_UUID_STRING_LEN + 1];

  if (g_file_get_contents ("/etc/machine-id", &id, NULL, NULL)
      && guestd_uuid_parse (g_strstrip (id), uuid))
    return g_strdup (uuid);
  return g_strdup ("00000000-0000-0000-0000-000000000000");
}

char *
guestd_capabilities_format (GuestdCapabilities *caps, const char *dac_label)
{
  g_autoptr (GString) out = g_string_new ("<capabilities>\n");
  g_autoptr (GString) host = g_string_new (NULL);
  g_autoptr (GString) cpu = g_string_new (NULL);
  g_autoptr (GString) sec = g_string_new (NULL);
  g_autofree char *uuid = host_uuid ();

  guestd_xml_add_text_element (host, 4, "uuid", NULL, uuid);
  guestd_xml_add_text_element (cpu, 6, "arch", NULL, caps->host_arch);
  guestd_xml_add_element (host, 4, "cpu", NULL, cpu);
  guestd_xml_add_text_element (sec, 6, "model", NULL, "none");
  guestd_xml_add_text_element (sec, 6, "doi", NULL, "0");
  guestd_xml_add_element (host, 4, "secmodel", NULL, sec);
  if (dac_label != NULL)
    {
      g_string_truncate (sec, 0);
      guestd_xml_add_text_element (sec, 6, "model", NULL, "dac");
      guestd_xml_add_text_element (sec, 6, "doi", NULL, "0");
      for (int t = GUESTD_VIRT_QEMU; t <= GUESTD_VIRT_KVM; t++)
        {
          g_autoptr (GString) a = g_string_new (NULL);

          guestd_xml_add_attr (a, "type",
                               guestd_enum_to_string (&guestd_virt_type, t));
          guestd_xml_add_text_element (sec, 6, "baselabel", a, dac_label);
        }
      guestd_xml_add_element (host, 4, "secmodel", NULL, sec);
    }
  guestd_xml_add_element (out, 2, "host", NULL, host);

  for (guint i = 0; i < caps->emulators->len; i++)
    {
      GuestdQemuEmulator *e = caps->emulators->pdata[i];
      g_autoptr (GString) guest = g_string_new (NULL);
      g_autoptr (GString) arch = g_string_new (NULL);
      g_autoptr (GString) attrs = g_string_new (NULL);
      g_autoptr (GString) feats = g_string_new (NULL);
      gboolean same_arch = g_str_equal (e->arch, caps->host_arch)
                           || (g_str_equal (caps->host_arch, "x86_64")
                               && g_str_equal (e->arch, "i686"));
      g_autofree char *ws = g_strdup_printf ("%u", wordsize_of (e->arch));

      guestd_xml_add_text_element (guest, 4, "os_type", NULL, e->os_type);
      guestd_xml_add_attr (attrs, "name", e->arch);
      guestd_xml_add_text_element (arch, 6, "wordsize", NULL, ws);
      guestd_xml_add_text_element (arch, 6, "emulator", NULL, e->path);
      if (g_str_equal (e->os_type, "xen"))
        guestd_xml_add_text_element (arch, 6, "machine", NULL, "xenner");
      for (guint m = 0; m < e->machines->len; m++)
        {
          GuestdQemuMachine *mc = e->machines->pdata[m];
          g_autoptr (GString) ma = g_string_new (NULL);

          guestd_xml_add_attr_printf (ma, "maxCpus", "%u", mc->max_cpus);
          if (mc->deprecated)
            guestd_xml_add_attr (ma, "deprecated", "yes");
          guestd_xml_add_text_element (arch, 6, "machine", ma, mc->name);
          if (mc->alias != NULL)
            {
              g_string_truncate (ma, 0);
              guestd_xml_add_attr (ma, "canonical", mc->name);
              guestd_xml_add_attr_printf (ma, "maxCpus", "%u", mc->max_cpus);
              guestd_xml_add_text_element (arch, 6, "machine", ma, mc->alias);
            }
        }
      if (g_str_equal (e->os_type, "hvm"))
        {
          g_autoptr (GString) a = g_string_new (NULL);

          guestd_xml_add_attr (a, "type", "qemu");
          guestd_xml_add_element (arch, 6, "domain", a, NULL);
        }
      if (caps->kvm_usable && e->has_kvm && same_arch)
        {
          g_autoptr (GString) a = g_string_new (NULL);

          guestd_xml_add_attr (a, "type", "kvm");
          guestd_xml_add_element (arch, 6, "domain", a, NULL);
        }
      guestd_xml_add_element (guest, 4, "arch", attrs, arch);
      if (g_str_equal (e->os_type, "hvm") && same_arch)
        {
          g_autoptr (GString) a = g_string_new (NULL);

          guestd_xml_add_attr (a, "default", "on");
          guestd_xml_add_attr (a, "toggle", "yes");
          guestd_xml_add_element (feats, 6, "acpi", a, NULL);
          g_string_truncate (a, 0);
          guestd_xml_add_attr (a, "default", "on");
          guestd_xml_add_attr (a, "toggle", "no");
          guestd_xml_add_element (feats, 6, "apic", a, NULL);
          guestd_xml_add_element (feats, 6, "cpuselection", NULL, NULL);
          guestd_xml_add_element (feats, 6, "deviceboot", NULL, NULL);
          if (g_str_equal (e->arch, "i686"))
            guestd_xml_add_element (feats, 6, "pae", NULL, NULL);
          guestd_xml_add_element (guest, 4, "features", NULL, feats);
        }
      guestd_xml_add_element (out, 2, "guest", NULL, guest);
    }
  g_string_append (out, "</capabilities>\n");
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
add_enum (GString *out, int indent, const char *name,
          const char *const *values)
{
  g_autoptr (GString) a = g_string_new (NULL);
  g_autoptr (GString) kids = g_string_new (NULL);

  guestd_xml_add_attr (a, "name", name);
  for (guint i = 0; values[i] != NULL; i++)
    guestd_xml_add_text_element (kids, indent + 2, "value", NULL, values[i]);
  guestd_xml_add_element (out, indent, "enum", a, kids);
}

static void
add_supported (GString *out, int indent, const char *name, gboolean yes,
               GString *children)
{
  g_autoptr (GString) a = g_string_new (NULL);

  guestd_xml_add_attr (a, "supported", yes ? "yes" : "no");
  guestd_xml_add_element (out, indent, name, a, yes ? children : NULL);
}

static GStrv
filter_devices (const GuestdQemuEmulator *e, const char *const pairs[][2],
                guint n)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();

  for (guint i = 0; i < n; i++)
    if (pairs[i][1] == NULL || g_hash_table_contains (e->devices, pairs[i][1]))
      g_strv_builder_add (b, pairs[i][0]);
  return g_strv_builder_end (b);
}

char *
guestd_capabilities_format_domain (GuestdCapabilities *caps,
                                   const char *emulator, const char *arch,
                                   const char *machine, const char *virttype,
                                   GError **error)
{
  g_autoptr (GuestdDomainDef) probe = guestd_domain_def_new ();
  const GuestdQemuEmulator *e;
  const GuestdQemuMachine *m;
  g_autoptr (GString) out = g_string_new ("<domainCapabilities>\n");
  g_autoptr (GString) a = g_string_new (NULL);
  gboolean kvm = g_strcmp0 (virttype, "kvm") == 0;
  gboolean q35;
  static const char *const disk_buses[][2] = {
    { "ide", "ide-hd" }, { "fdc", "floppy" }, { "scsi", "virtio-scsi-pci" },
    { "virtio", "virtio-blk-pci" }, { "usb", "usb-storage" },
    { "sata", "ich9-ahci" },
  };
  static const char *const videos[][2] = {
    { "vga", "VGA" }, { "cirrus", "cirrus-vga" }, { "qxl", "qxl-vga" },
    { "virtio", "virtio-vga" }, { "bochs", "bochs-display" },
    { "ramfb", "ramfb" }, { "none", NULL },
  };
  static const char *const disk_devices[] = { "disk", "cdrom", "floppy",
                                              "lun", NULL };
  static const char *const virtio_models[] = { "virtio",
                                               "virtio-transitional",
                                               "virtio-non-transitional",
                                               NULL };
  static const char *const loader_types[] = { "rom", "pflash", NULL };
  static const char *const yes_no[] = { "yes", "no", NULL };
  static const char *const rng_backends[] = { "random", "builtin", NULL };
  static const char *const redir_bus[] = { "usb", NULL };
  static const char *const chan_types[] = { "pty", "unix", "spicevmc", NULL };

  if (virttype != NULL && *virttype != '\0' && !kvm
      && !g_str_equal (virttype, "qemu"))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_INVALID_ARG,
                   _("virttype '%s' is not qemu or kvm"), virttype);
      return NULL;
    }
  probe->emulator = emulator && *emulator ? g_strdup (emulator) : NULL;
  probe->os.arch = g_strdup (arch && *arch ? arch : caps->host_arch);
  e = guestd_capabilities_emulator_for (caps, probe, error);
  if (e == NULL)
    return NULL;
  m = find_machine (e, machine && *machine ? machine : NULL);
  if (m == NULL)
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_INVALID_ARG,
                   _("machine '%s' is not supported by %s"),
                   machine ? machine : "", e->path);
      return NULL;
    }
  if (kvm && !(caps->kvm_usable && e->has_kvm))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                   _("KVM is not usable here (%s)"), caps->kvm_device);
      return NULL;
    }
  q35 = g_str_has_prefix (m->name, "pc-q35") || g_str_equal (m->name, "q35");

  guestd_xml_add_text_element (out, 2, "path", NULL, e->path);
  guestd_xml_add_text_element (out, 2, "domain", NULL, kvm ? "kvm" : "qemu");
  guestd_xml_add_text_element (out, 2, "machine", NULL, m->name);
  guestd_xml_add_text_element (out, 2, "arch", NULL, e->arch);
  guestd_xml_add_attr_printf (a, "max", "%u", m->max_cpus);
  guestd_xml_add_element (out, 2, "vcpu", a, NULL);
  g_string_truncate (a, 0);

  {
    g_autoptr (GString) os = g_string_new (NULL);
    g_autoptr (GString) loader = g_string_new (NULL);
    static const char *const codes[] = { "/usr/share/OVMF/OVMF_CODE_4M.fd",
                                         "/usr/share/OVMF/OVMF_CODE.fd",
                                         NULL };
    gboolean efi = FALSE;

    for (guint i = 0; codes[i] != NULL; i++)
      if (g_file_test (codes[i], G_FILE_TEST_IS_REGULAR))
        {
          guestd_xml_add_text_element (loader, 6, "value", NULL, codes[i]);
          efi = TRUE;
        }
    if (efi)
      {
        static const char *const fw[] = { "efi", NULL };

        add_enum (os, 4, "firmware", fw);
      }
    add_enum (loader, 6, "type", loader_types);
    add_enum (loader, 6, "readonly", yes_no);
    add_supported (os, 4, "loader", TRUE, loader);
    add_supported (out, 2, "os", TRUE, os);
  }
  {
    g_autoptr (GString) cpu = g_string_new (NULL);
    g_autoptr (GString) custom = g_string_new (NULL);
    g_autoptr (GString) ma = g_string_new (NULL);

    guestd_xml_add_attr (ma, "name", "host-passthrough");
    guestd_xml_add_attr (ma, "supported", kvm ? "yes" : "no");
    guestd_xml_add_element (cpu, 4, "mode", ma, NULL);
    g_string_truncate (ma, 0);
    guestd_xml_add_attr (ma, "name", "maximum");
    guestd_xml_add_attr (ma, "supported", "yes");
    guestd_xml_add_element (cpu, 4, "mode", ma, NULL);
    g_string_truncate (ma, 0);
    {
      g_autoptr (GString) hm = g_string_new (NULL);
      g_autoptr (GString) fa = g_string_new (NULL);

      /* What host-model becomes here: the host CPU under KVM, TCG's
       * richest model otherwise. */
      guestd_xml_add_attr (fa, "fallback", "forbid");
      guestd_xml_add_text_element (hm, 6, "model", fa, kvm ? "host" : "max");
      guestd_xml_add_attr (ma, "name", "host-model");
      guestd_xml_add_attr (ma, "supported", "yes");
      guestd_xml_add_element (cpu, 4, "mode", ma, hm);
      g_string_truncate (ma, 0);
    }
    for (guint i = 0; i < e->cpu_models->len; i++)
      {
        g_autoptr (GString) mo = g_string_new (NULL);

        /* The probe ran under TCG: under KVM, usability is the host's. */
        guestd_xml_add_attr (mo, "usable", kvm ? "unknown" : "yes");
        guestd_xml_add_text_element (custom, 6, "model", mo,
                                     e->cpu_models->pdata[i]);
      }
    guestd_xml_add_attr (ma, "name", "custom");
    guestd_xml_add_attr (ma, "supported", "yes");
    guestd_xml_add_element (cpu, 4, "mode", ma, custom);
    guestd_xml_add_element (out, 2, "cpu", NULL, cpu);
  }
  {
    g_autoptr (GString) devs = g_string_new (NULL);
    g_autoptr (GString) d = g_string_new (NULL);
    g_auto (GStrv) buses = filter_devices (e, disk_buses + (q35 ? 1 : 0),
                                           G_N_ELEMENTS (disk_buses) - (q35 ? 1 : 0));
    g_auto (GStrv) vids = filter_devices (e, videos, G_N_ELEMENTS (videos));
    g_autoptr (GStrvBuilder) gb = g_strv_builder_new ();
    g_auto (GStrv) gtypes = NULL;

    add_enum (d, 6, "diskDevice", disk_devices);
    add_enum (d, 6, "bus", (const char *const *) buses);
    add_enum (d, 6, "model", virtio_models);
    add_supported (devs, 4, "disk", TRUE, d);
    g_string_truncate (d, 0);
    g_strv_builder_add (gb, "vnc");
    if (e->has_spice)
      g_strv_builder_add (gb, "spice");
    g_strv_builder_add (gb, "egl-headless");
    g_strv_builder_add (gb, "dbus");
    gtypes = g_strv_builder_end (gb);
    add_enum (d, 6, "type", (const char *const *) gtypes);
    add_supported (devs, 4, "graphics", TRUE, d);
    g_string_truncate (d, 0);
    add_enum (d, 6, "modelType", (const char *const *) vids);
    add_supported (devs, 4, "video", TRUE, d);
    add_supported (devs, 4, "hostdev", FALSE, NULL);
    g_string_truncate (d, 0);
    add_enum (d, 6, "model", virtio_models);
    add_enum (d, 6, "backendModel", rng_backends);
    add_supported (devs, 4, "rng", TRUE, d);
    add_supported (devs, 4, "filesystem", FALSE, NULL);
    add_supported (devs, 4, "tpm", FALSE, NULL);
    g_string_truncate (d, 0);
    add_enum (d, 6, "bus", redir_bus);
    add_supported (devs, 4, "redirdev", TRUE, d);
    g_string_truncate (d, 0);
    add_enum (d, 6, "type", chan_types);
    add_supported (devs, 4, "channel", TRUE, d);
    guestd_xml_add_element (out, 2, "devices", NULL, devs);
  }
  {
    g_autoptr (GString) f = g_string_new (NULL);

    add_supported (f, 4, "gic", FALSE, NULL);
    add_supported (f, 4, "vmcoreinfo", FALSE, NULL);
    add_supported (f, 4, "genid", FALSE, NULL);
    add_supported (f, 4, "backingStoreInput", FALSE, NULL);
    add_supported (f, 4, "backup", FALSE, NULL);
    add_supported (f, 4, "sev", FALSE, NULL);
    guestd_xml_add_element (out, 2, "features", NULL, f);
  }
  g_string_append (out, "</domainCapabilities>\n");
  return g_string_free (g_steal_pointer (&out), FALSE);
}
