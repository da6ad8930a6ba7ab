/* QMP over a UNIX socket, asynchronously, with json-glib. */
#include "config.h"

#include "qmp.h"

#include <string.h>

#include "util/error.h"
#include "util/i18n.h"

/* A monitor line longer than this is not QEMU talking to us. */
#define MAX_LINE (16 * 1024 * 1024)

struct _GuestdQmp
{
  gint refs;
  GSocketConnection *conn;
  GDataInputStream *in;
  GOutputStream *out;
  GCancellable *cancel;     /* cancels the reader on close */
  GHashTable *pending;      /* id → GTask */
  GQueue writes;            /* GBytes waiting for the socket */
  GQueue held;              /* commands issued before negotiation ended */
  GBytes *writing;          /* the one being written */
  guint64 next_id;
  GTask *greeting;          /* waiting for the {"QMP": …} line */
  gboolean greeted;
  gboolean negotiated;      /* qmp_capabilities succeeded */
  gboolean closed;
  GuestdQmpEventFunc event;
  GuestdQmpClosedFunc closed_cb;
  gpointer user_data;
};

static void read_next (GuestdQmp *qmp);
static void write_next (GuestdQmp *qmp);

GuestdQmp *
guestd_qmp_ref (GuestdQmp *qmp)
{
  g_atomic_int_inc (&qmp->refs);
  return qmp;
}

void
guestd_qmp_unref (GuestdQmp *qmp)
{
  if (qmp == NULL || !g_atomic_int_dec_and_test (&qmp->refs))
    return;
  g_clear_object (&qmp->in);
  g_clear_object (&qmp->conn);
  g_clear_object (&qmp->cancel);
  g_hash_table_unref (qmp->pending);
  g_queue_clear_full (&qmp->writes, (GDestroyNotify) g_bytes_unref);
  g_queue_clear_full (&qmp->held, (GDestroyNotify) g_bytes_unref);
  g_clear_pointer (&qmp->writing, g_bytes_unref);
  g_free (qmp);
}

static void
fail_all (GuestdQmp *qmp, const char *why)
{
  GHashTableIter it;
  gpointer task;
  g_autoptr (GPtrArray) tasks = g_ptr_array_new_with_free_func (g_object_unref);

  g_hash_table_iter_init (&it, qmp->pending);
  while (g_hash_table_iter_next (&it, NULL, &task))
    {
      g_ptr_array_add (tasks, task);
      g_hash_table_iter_steal (&it);
    }
  if (qmp->greeting != NULL)
    g_ptr_array_add (tasks, g_steal_pointer (&qmp->greeting));
  for (guint i = 0; i < tasks->len; i++)
    g_task_return_new_error (tasks->pdata[i], GUESTD_ERROR,
                             GUESTD_ERROR_OPERATION_FAILED, "%s", why);
}

static void
shut (GuestdQmp *qmp, const char *why)
{
  if (qmp->closed)
    return;
  qmp->closed = TRUE;
  g_cancellable_cancel (qmp->cancel);
  g_io_stream_close (G_IO_STREAM (qmp->conn), NULL, NULL);
  fail_all (qmp, why);
  if (qmp->closed_cb != NULL)
    qmp->closed_cb (qmp, qmp->user_data);
}

void
guestd_qmp_close (GuestdQmp *qmp)
{
  guestd_qmp_ref (qmp);
  shut (qmp, _("the monitor connection was closed"));
  guestd_qmp_unref (qmp);
}

gboolean
guestd_qmp_is_closed (GuestdQmp *qmp)
{
  return qmp->closed;
}

static void
handle_message (GuestdQmp *qmp, JsonObject *obj)
{
  if (json_object_has_member (obj, "QMP"))
    {
      qmp->greeted = TRUE;
      if (qmp->greeting != NULL)
        g_task_return_boolean (g_steal_pointer (&qmp->greeting), TRUE);
      return;
    }
  if (json_object_has_member (obj, "event"))
    {
      const char *name = json_object_get_string_member_with_default (obj,
                                                                     "event",
                                                                     "");
      JsonObject *data = json_object_has_member (obj, "data")
                           ? json_object_get_object_member (obj, "data")
                           : NULL;

      if (qmp->event != NULL)
        qmp->event (qmp, name, data, qmp->user_data);
      return;
    }
  if (json_object_has_member (obj, "id"))
    {
      JsonNode *idn = json_object_get_member (obj, "id");
      guint64 id = JSON_NODE_HOLDS_VALUE (idn) ? (guint64) json_node_get_int (idn) : 0;
      GTask *task = NULL;

      if (!g_hash_table_steal_extended (qmp->pending, &id, NULL,
                                        (gpointer *) &task))
        return;
      if (json_object_has_member (obj, "error"))
        {
          JsonObject *err = json_object_get_object_member (obj, "error");
          const char *desc = err ? json_object_get_string_member_with_default (
                                     err, "desc", "unknown error")
                                 : "unknown error";

          g_task_return_new_error (task, GUESTD_ERROR,
                                   GUESTD_ERROR_OPERATION_FAILED, "%s", desc);
        }
      else
        {
          JsonNode *ret = json_object_get_member (obj, "return");

          g_task_return_pointer (task,
                                 ret ? json_node_copy (ret)
                                     : json_node_new (JSON_NODE_NULL),
                                 (GDestroyNotify) json_node_unref);
        }
      g_object_unref (task);
    }
}

static void
line_read (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GuestdQmp *qmp = user_data;
  g_autoptr (GError) error = NULL;
  gsize len = 0;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (
    G_DATA_INPUT_STREAM (source), res, &len, &error);

  if (qmp->closed)
    {
      guestd_qmp_unref (qmp);
      return;
    }
  if (line == NULL || len > MAX_LINE)
    {
      shut (qmp, error ? error->message
                       : _("QEMU closed the monitor connection"));
      guestd_qmp_unref (qmp);
      return;
    }
  {
    g_autoptr (JsonParser) parser = json_parser_new ();

    /* QEMU writes one JSON object per line; anything else is skipped. */
    if (json_parser_load_from_data (parser, line, len, NULL)
        && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
      handle_message (qmp, json_node_get_object (json_parser_get_root (parser)));
  }
  if (!qmp->closed)
    read_next (qmp);
  guestd_qmp_unref (qmp);
}

static void
read_next (GuestdQmp *qmp)
{
  g_data_input_stream_read_line_async (qmp->in, G_PRIORITY_DEFAULT,
                                       qmp->cancel, line_read,
                                       guestd_qmp_ref (qmp));
}

GuestdQmp *
guestd_qmp_new (GSocketConnection *conn, GuestdQmpEventFunc event,
                GuestdQmpClosedFunc closed, gpointer user_data)
{
  GuestdQmp *qmp = g_new0 (GuestdQmp, 1);

  qmp->refs = 1;
  qmp->conn = g_object_ref (conn);
  qmp->in = g_data_input_stream_new (
    g_io_stream_get_input_stream (G_IO_STREAM (conn)));
  g_data_input_stream_set_newline_type (qmp->in, G_DATA_STREAM_NEWLINE_TYPE_ANY);
  qmp->out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  qmp->cancel = g_cancellable_new ();
  qmp->pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                        g_object_unref);
  g_queue_init (&qmp->writes);
  g_queue_init (&qmp->held);
  qmp->next_id = 1;
  qmp->event = event;
  qmp->closed_cb = closed;
  qmp->user_data = user_data;
  read_next (qmp);
  return qmp;
}

static void
written (GObject *source, GAsyncResult *res, gpointer user_data)
{
  GuestdQmp *qmp = user_data;
  g_autoptr (GError) error = NULL;

  g_clear_pointer (&qmp->writing, g_bytes_unref);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), res, NULL,
                                         &error))
    shut (qmp, error->message);
  else if (!qmp->closed)
    write_next (qmp);
  guestd_qmp_unref (qmp);
}

static void
write_next (GuestdQmp *qmp)
{
  if (qmp->writing != NULL || qmp->closed)
    return;
  qmp->writing = g_queue_pop_head (&qmp->writes);
  if (qmp->writing == NULL)
    return;
  g_output_stream_write_all_async (qmp->out,
                                   g_bytes_get_data (qmp->writing, NULL),
                                   g_bytes_get_size (qmp->writing),
                                   G_PRIORITY_DEFAULT, qmp->cancel, written,
                                   guestd_qmp_ref (qmp));
}

static void
send_command (GuestdQmp *qmp, guint64 id, const char *command,
              JsonNode *arguments)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "execute");
  json_builder_add_string_value (b, command);
  if (arguments != NULL)
    {
      json_builder_set_member_name (b, "arguments");
      json_builder_add_value (b, arguments);
    }
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, (gint64) id);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  /* QEMU refuses every command until capabilities are negotiated: a
   * caller that comes early (a D-Bus call right after a reconnect)
   * waits for the handshake instead of failing. */
  g_queue_push_tail (qmp->negotiated
                         || g_str_equal (command, "qmp_capabilities")
                       ? &qmp->writes
                       : &qmp->held,
                     g_bytes_new_take (g_strconcat (text, "\n", NULL),
                                       strlen (text) + 1));
  write_next (qmp);
}

void
guestd_qmp_execute_async (GuestdQmp *qmp, const char *command,
                          JsonNode *arguments, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  guint64 *id;

  g_task_set_source_tag (task, guestd_qmp_execute_async);
  if (qmp->closed)
    {
      if (arguments != NULL)
        json_node_unref (arguments);
      g_task_return_new_error (task, GUESTD_ERROR,
                               GUESTD_ERROR_OPERATION_FAILED,
                               _("the monitor connection is closed"));
      g_object_unref (task);
      return;
    }
  id = g_new (guint64, 1);
  *id = qmp->next_id++;
  g_hash_table_insert (qmp->pending, id, task);
  send_command (qmp, *id, command, arguments);
}

JsonNode *
guestd_qmp_execute_finish (GuestdQmp *qmp, GAsyncResult *result,
                           GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
capabilities_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GuestdQmp *qmp = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) ret = guestd_qmp_execute_finish (qmp, res, &error);

  if (ret == NULL)
    {
      /* A monitor that cannot negotiate never will: close it, so the
       * commands held for it fail now instead of waiting forever. */
      shut (qmp, error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  qmp->negotiated = TRUE;
  while (!g_queue_is_empty (&qmp->held))
    g_queue_push_tail (&qmp->writes, g_queue_pop_head (&qmp->held));
  write_next (qmp);
  g_task_return_boolean (task, TRUE);
}

static void
greeted (GObject *source, GAsyncResult *res, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GuestdQmp *qmp = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (res), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  guestd_qmp_execute_async (qmp, "qmp_capabilities", NULL,
                            g_task_get_cancellable (task), capabilities_done,
                            g_object_ref (task));
}

void
guestd_qmp_handshake_async (GuestdQmp *qmp, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  GTask *greeting;

  g_task_set_task_data (task, guestd_qmp_ref (qmp),
                        (GDestroyNotify) guestd_qmp_unref);
  greeting = g_task_new (NULL, cancellable, greeted, task);
  if (qmp->greeted)
    g_task_return_boolean (greeting, TRUE), g_object_unref (greeting);
  else if (qmp->closed)
    {
      g_task_return_new_error (greeting, GUESTD_ERROR,
                               GUESTD_ERROR_OPERATION_FAILED,
                               _("the monitor connection is closed"));
      g_object_unref (greeting);
    }
  else
    qmp->greeting = greeting;
}

gboolean
guestd_qmp_handshake_finish (GuestdQmp *qmp, GAsyncResult *result,
                             GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

JsonNode *
guestd_qmp_args (const char *first_name, ...)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  const char *name = first_name;
  va_list ap;

  json_builder_begin_object (b);
  va_start (ap, first_name);
  while (name != NULL)
    {
      GType type = va_arg (ap, GType);

      json_builder_set_member_name (b, name);
      if (type == G_TYPE_STRING)
        json_builder_add_string_value (b, va_arg (ap, const char *));
      else if (type == G_TYPE_INT64)
        json_builder_add_int_value (b, va_arg (ap, gint64));
      else if (type == G_TYPE_BOOLEAN)
        json_builder_add_boolean_value (b, va_arg (ap, gboolean));
      else
        g_assert_not_reached ();
      name = va_arg (ap, const char *);
    }
  va_end (ap);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
