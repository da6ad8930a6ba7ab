/* qemu.conf reading: libvirt's virconf syntax (key = value; strings in
 * quotes, integers, lists in [ ], # comments) and the guestd key table. */
#include "config.h"

#include "qemu-conf.h"

#include <errno.h>
#include <string.h>

#include "util/error.h"
#include "util/i18n.h"

#define MAX_CONF_SIZE (1024 * 1024)

const char *const guestd_default_cgroup_device_acl[] = {
  "/dev/null", "/dev/full", "/dev/zero", "/dev/random", "/dev/urandom",
  "/dev/ptmx", "/dev/userfaultfd", NULL
};

typedef enum
{
  VALUE_STRING,
  VALUE_INT,
  VALUE_LIST,
} ValueType;

typedef struct
{
  ValueType type;
  char *str;
  gint64 num;
  GPtrArray *items; /* Value * */
  int line;
} Value;

static void
value_free (Value *v)
{
  if (v == NULL)
    return;
  g_free (v->str);
  g_clear_pointer (&v->items, g_ptr_array_unref);
  g_free (v);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Value, value_free)

typedef struct
{
  const char *p, *end;
  const char *filename;
  int line;
} Lexer;

static gboolean G_GNUC_PRINTF (3, 4)
syntax_error (Lexer *lx, GError **error, const char *fmt, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONF_SYNTAX, "%s:%d: %s",
               lx->filename, lx->line, msg);
  return FALSE;
}

/* Skip blanks and comments; newlines too when @newlines. */
static void
skip_space (Lexer *lx, gboolean newlines)
{
  while (lx->p < lx->end)
    {
      if (*lx->p == '#')
        {
          while (lx->p < lx->end && *lx->p != '\n')
            lx->p++;
        }
      else if (*lx->p == '\n' && newlines)
        {
          lx->line++;
          lx->p++;
        }
      else if (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r')
        lx->p++;
      else
        break;
    }
}

static gboolean
parse_string (Lexer *lx, Value *v, GError **error)
{
  char quote = *lx->p;
  gboolean triple = FALSE;
  const char *start;

  if (lx->end - lx->p >= 3 && quote == '"' && lx->p[1] == '"'
      && lx->p[2] == '"')
    triple = TRUE;
  lx->p += triple ? 3 : 1;
  start = lx->p;
  while (lx->p < lx->end)
    {
      if (triple && lx->end - lx->p >= 3 && g_str_has_prefix (lx->p, "\"\"\""))
        break;
      if (!triple && *lx->p == quote)
        break;
      if (*lx->p == '\n')
        {
          if (!triple)
            return syntax_error (lx, error, _("unterminated string"));
          lx->line++;
        }
      lx->p++;
    }
  if (lx->p >= lx->end)
    return syntax_error (lx, error, _("unterminated string"));
  v->type = VALUE_STRING;
  v->str = g_strndup (start, lx->p - start);
  lx->p += triple ? 3 : 1;
  if (!g_utf8_validate (v->str, -1, NULL))
    return syntax_error (lx, error, _("string is not valid UTF-8"));
  return TRUE;
}

static gboolean parse_value (Lexer *lx, Value *v, GError **error);

static gboolean
parse_list (Lexer *lx, Value *v, GError **error)
{
  v->type = VALUE_LIST;
  v->items = g_ptr_array_new_with_free_func ((GDestroyNotify) value_free);
  lx->p++; /* [ */
  for (;;)
    {
      g_autoptr (Value) item = g_new0 (Value, 1);

      skip_space (lx, TRUE);
      if (lx->p >= lx->end)
        return syntax_error (lx, error, _("list is missing its closing ']'"));
      if (*lx->p == ']')
        {
          lx->p++;
          return TRUE;
        }
      if (*lx->p == '[')
        return syntax_error (lx, error, _("lists cannot be nested"));
      item->line = lx->line;
      if (!parse_value (lx, item, error))
        return FALSE;
      g_ptr_array_add (v->items, g_steal_pointer (&item));
      skip_space (lx, TRUE);
      if (lx->p < lx->end && *lx->p == ',')
        lx->p++;
      else if (lx->p < lx->end && *lx->p != ']')
        return syntax_error (lx, error,
                             _("expected ',' or ']' in list, found '%c'"),
                             *lx->p);
    }
}

static gboolean
parse_value (Lexer *lx, Value *v, GError **error)
{
  if (lx->p >= lx->end || *lx->p == '\n')
    return syntax_error (lx, error, _("expected a value after '='"));
  if (*lx->p == '"' || *lx->p == '\'')
    return parse_string (lx, v, error);
  if (*lx->p == '[')
    return parse_list (lx, v, error);
  if (*lx->p == '-' || *lx->p == '+' || g_ascii_isdigit (*lx->p))
    {
      const char *start = lx->p;
      g_autofree char *num = NULL;

      lx->p++;
      while (lx->p < lx->end && g_ascii_isdigit (*lx->p))
        lx->p++;
      num = g_strndup (start, lx->p - start);
      if (!g_ascii_string_to_signed (num, 10, G_MININT64, G_MAXINT64,
                                     &v->num, NULL))
        return syntax_error (lx, error, _("invalid number '%s'"), num);
      v->type = VALUE_INT;
      return TRUE;
    }
  return syntax_error (lx, error,
                       _("unexpected '%c': strings need quotes, e.g. "
                         "\"value\""),
                       *lx->p);
}

/* ---- the keys ---- */

typedef enum
{
  KEY_STRING,
  KEY_BOOL,
  KEY_STRV,
  KEY_STRING_OR_STRV,
} KeyType;

typedef struct
{
  const char *name;
  KeyType type;
  gsize offset;
} KeyDef;

#define FIELD(f) G_STRUCT_OFFSET (GuestdQemuConf, f)

static const KeyDef keys[] = {
  { "user", KEY_STRING, FIELD (user) },
  { "group", KEY_STRING, FIELD (group) },
  { "dynamic_ownership", KEY_BOOL, FIELD (dynamic_ownership) },
  { "remember_owner", KEY_BOOL, FIELD (remember_owner) },
  { "clear_emulator_capabilities", KEY_BOOL,
    FIELD (clear_emulator_capabilities) },
  { "seccomp_sandbox", KEY_BOOL, FIELD (seccomp_sandbox) },
  { "cgroup_device_acl", KEY_STRV, FIELD (cgroup_device_acl) },
  { "cgroup_controllers", KEY_STRV, FIELD (cgroup_controllers) },
  { "security_driver", KEY_STRING_OR_STRV, FIELD (security_driver) },
  { "emulator_dirs", KEY_STRV, FIELD (emulator_dirs) },
  { "kvm_device", KEY_STRING, FIELD (kvm_device) },
  { "vnc_listen", KEY_STRING, FIELD (vnc_listen) },
};

static gboolean G_GNUC_PRINTF (4, 5)
value_error (const char *filename, int line, GError **error,
             const char *fmt, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONF_SYNTAX, "%s:%d: %s",
               filename, line, msg);
  return FALSE;
}

static gboolean
check_value (const KeyDef *k, const Value *v, const char *filename,
             GError **error)
{
  switch (k->type)
    {
    case KEY_STRING:
      if (v->type != VALUE_STRING)
        return value_error (filename, v->line, error,
                            _("'%s' takes a string in quotes"), k->name);
      break;
    case KEY_BOOL:
      if (v->type != VALUE_INT || (v->num != 0 && v->num != 1))
        return value_error (filename, v->line, error,
                            _("'%s' takes 0 or 1"), k->name);
      break;
    case KEY_STRING_OR_STRV:
      if (v->type == VALUE_STRING)
        break;
      G_GNUC_FALLTHROUGH;
    case KEY_STRV:
      if (v->type != VALUE_LIST)
        return value_error (filename, v->line, error,
                            _("'%s' takes a list of strings, e.g. "
                              "[ \"a\", \"b\" ]"),
                            k->name);
      for (guint i = 0; i < v->items->len; i++)
        {
          Value *item = v->items->pdata[i];

          if (item->type != VALUE_STRING)
            return value_error (filename, item->line, error,
                                _("'%s' takes a list of strings; item %u "
                                  "is not a string"),
                                k->name, i + 1);
        }
      break;
    }
  return TRUE;
}

static gboolean
check_semantics (const KeyDef *k, const Value *v, const char *filename,
                 GError **error)
{
  if (g_str_equal (k->name, "user") || g_str_equal (k->name, "group"))
    {
      const char *s = v->str;

      if (*s == '\0')
        return value_error (filename, v->line, error,
                            _("'%s' must not be empty"), k->name);
      if (*s == '+' && !g_ascii_string_to_unsigned (s + 1, 10, 0,
                                                    G_MAXUINT32 - 1, NULL,
                                                    NULL))
        return value_error (filename, v->line, error,
                            _("'%s': '%s' is not a numeric id"), k->name, s);
    }
  if (g_str_equal (k->name, "emulator_dirs")
      || g_str_equal (k->name, "cgroup_device_acl")
      || g_str_equal (k->name, "kvm_device"))
    {
      for (guint i = 0; v->type == VALUE_LIST && i < v->items->len; i++)
        {
          Value *item = v->items->pdata[i];

          if (!g_path_is_absolute (item->str))
            return value_error (filename, item->line, error,
                                _("'%s': '%s' is not an absolute path"),
                                k->name, item->str);
        }
      if (v->type == VALUE_STRING && !g_path_is_absolute (v->str))
        return value_error (filename, v->line, error,
                            _("'%s': '%s' is not an absolute path"), k->name,
                            v->str);
    }
  return TRUE;
}

static GStrv
value_strv (const Value *v)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();

  if (v->type == VALUE_STRING)
    g_strv_builder_add (b, v->str);
  else
    for (guint i = 0; i < v->items->len; i++)
      g_strv_builder_add (b, ((Value *) v->items->pdata[i])->str);
  return g_strv_builder_end (b);
}

static void
apply (GuestdQemuConf *conf, const KeyDef *k, const Value *v)
{
  gpointer field = G_STRUCT_MEMBER_P (conf, k->offset);

  switch (k->type)
    {
    case KEY_STRING:
      g_free (*(char **) field);
      *(char **) field = g_strdup (v->str);
      break;
    case KEY_BOOL:
      *(gboolean *) field = v->num != 0;
      break;
    case KEY_STRV:
    case KEY_STRING_OR_STRV:
      g_strfreev (*(GStrv *) field);
      *(GStrv *) field = value_strv (v);
      break;
    }
}

typedef struct
{
  const KeyDef *key;
  Value *value;
} Setting;

static gboolean
read_settings (Lexer *lx, GPtrArray *settings, GPtrArray *warnings,
               GError **error)
{
  for (;;)
    {
      const char *start;
      g_autofree char *name = NULL;
      g_autoptr (Value) v = g_new0 (Value, 1);
      const KeyDef *key = NULL;

      skip_space (lx, TRUE);
      if (lx->p >= lx->end)
        return TRUE;
      if (*lx->p == ';')
        {
          lx->p++;
          continue;
        }
      start = lx->p;
      while (lx->p < lx->end
             && (g_ascii_isalnum (*lx->p) || *lx->p == '_' || *lx->p == '.'))
        lx->p++;
      if (lx->p == start || !(g_ascii_isalpha (*start) || *start == '_'))
        return syntax_error (lx, error,
                             _("expected a setting name, found '%c'"), *start);
      name = g_strndup (start, lx->p - start);
      skip_space (lx, FALSE);
      if (lx->p >= lx->end || *lx->p != '=')
        return syntax_error (lx, error, _("expected '=' after '%s'"), name);
      lx->p++;
      skip_space (lx, FALSE);
      v->line = lx->line;
      if (!parse_value (lx, v, error))
        return FALSE;
      skip_space (lx, FALSE);
      if (lx->p < lx->end && *lx->p != '\n' && *lx->p != ';')
        return syntax_error (lx, error,
                             _("unexpected '%c' after the value of '%s'"),
                             *lx->p, name);

      for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
        if (g_str_equal (keys[i].name, name))
          key = &keys[i];
      if (key == NULL)
        {
          g_ptr_array_add (warnings,
                           g_strdup_printf (_("%s:%d: setting '%s' is not "
                                              "known to guestd; ignored"),
                                            lx->filename, v->line, name));
          continue;
        }
      if (!check_value (key, v, lx->filename, error)
          || !check_semantics (key, v, lx->filename, error))
        return FALSE;
      {
        Setting *s = g_new0 (Setting, 1);

        s->key = key;
        s->value = g_steal_pointer (&v);
        g_ptr_array_add (settings, s);
      }
    }
}

static void
setting_free (Setting *s)
{
  value_free (s->value);
  g_free (s);
}

gboolean
guestd_qemu_conf_parse (GuestdQemuConf *conf, const char *text, gssize len,
                        const char *filename, GError **error)
{
  g_autoptr (GPtrArray) settings
    = g_ptr_array_new_with_free_func ((GDestroyNotify) setting_free);
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  Lexer lx;
  gsize size = len < 0 ? strlen (text) : (gsize) len;

  if (size > MAX_CONF_SIZE)
    return value_error (filename, 0, error,
                        _("file is larger than %d bytes"), MAX_CONF_SIZE);
  if (memchr (text, '\0', size) != NULL)
    return value_error (filename, 0, error, _("file contains a NUL byte"));
  lx.p = text;
  lx.end = text + size;
  lx.filename = filename;
  lx.line = 1;
  /* Read everything first: a bad line leaves the old settings intact. */
  if (!read_settings (&lx, settings, warnings, error))
    return FALSE;
  for (guint i = 0; i < settings->len; i++)
    {
      Setting *s = settings->pdata[i];

      apply (conf, s->key, s->value);
    }
  for (guint i = 0; i < warnings->len; i++)
    g_ptr_array_add (conf->warnings, g_strdup (warnings->pdata[i]));
  return TRUE;
}

gboolean
guestd_qemu_conf_load (GuestdQemuConf *conf, const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize len;
  g_autoptr (GError) local = NULL;

  if (!g_file_get_contents (path, &text, &len, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONF_SYNTAX,
                   _("cannot read %s: %s"), path, local->message);
      return FALSE;
    }
  return guestd_qemu_conf_parse (conf, text, len, path, error);
}

GuestdQemuConf *
guestd_qemu_conf_new (void)
{
  GuestdQemuConf *conf = g_new0 (GuestdQemuConf, 1);

  conf->user = g_strdup (QEMU_USER);
  conf->group = g_strdup (QEMU_GROUP);
  conf->dynamic_ownership = TRUE;
  conf->remember_owner = TRUE;
  conf->clear_emulator_capabilities = TRUE;
  conf->seccomp_sandbox = TRUE;
  conf->cgroup_device_acl
    = g_strdupv ((char **) guestd_default_cgroup_device_acl);
  /* Unset means every controller guestd applies; [] means none. */
  conf->cgroup_controllers = g_strsplit ("devices", ",", -1);
  conf->security_driver = g_new0 (char *, 1);
  conf->emulator_dirs = g_strsplit (DEFAULT_EMULATOR_DIRS, ":", -1);
  conf->kvm_device = g_strdup (DEFAULT_KVM_DEVICE);
  conf->vnc_listen = g_strdup ("127.0.0.1");
  conf->warnings = g_ptr_array_new_with_free_func (g_free);
  return conf;
}

void
guestd_qemu_conf_free (GuestdQemuConf *conf)
{
  if (conf == NULL)
    return;
  g_free (conf->user);
  g_free (conf->group);
  g_strfreev (conf->cgroup_device_acl);
  g_strfreev (conf->cgroup_controllers);
  g_strfreev (conf->security_driver);
  g_strfreev (conf->emulator_dirs);
  g_free (conf->kvm_device);
  g_free (conf->vnc_listen);
  g_ptr_array_unref (conf->warnings);
  g_free (conf);
}
