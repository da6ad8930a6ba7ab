/* Domain objects: reference counting and small state helpers. */
#include "config.h"

#include "domain-obj.h"

#include <unistd.h>

GuestdDomainObj *
guestd_domain_obj_new (GuestdDriver *driver, GuestdDomainDef *def)
{
  GuestdDomainObj *obj = g_new0 (GuestdDomainObj, 1);

  obj->refs = 1;
  obj->driver = driver;
  obj->def = def;
  obj->state = GUESTD_STATE_SHUTOFF;
  obj->reason = GUESTD_SHUTOFF_UNKNOWN;
  obj->pidfd = -1;
  obj->exit_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  return obj;
}

GuestdDomainObj *
guestd_domain_obj_ref (GuestdDomainObj *obj)
{
  obj->refs++;
  return obj;
}

void
guestd_domain_obj_unref (GuestdDomainObj *obj)
{
  if (obj == NULL || --obj->refs > 0)
    return;
  g_clear_pointer (&obj->def, guestd_domain_def_free);
  g_clear_pointer (&obj->newdef, guestd_domain_def_free);
  g_clear_pointer (&obj->qmp, guestd_qmp_unref);
  g_clear_handle_id (&obj->pidfd_watch, g_source_remove);
  g_clear_handle_id (&obj->kill_timer, g_source_remove);
  if (obj->pidfd >= 0)
    close (obj->pidfd);
  g_free (obj->qmp_path);
  g_free (obj->object_path);
  g_ptr_array_unref (obj->exit_waiters);
  g_free (obj);
}

gboolean
guestd_domain_obj_is_active (const GuestdDomainObj *obj)
{
  return obj->state != GUESTD_STATE_SHUTOFF
         && obj->state != GUESTD_STATE_NOSTATE;
}

GuestdDomainDef *
guestd_domain_obj_persistent_def (GuestdDomainObj *obj)
{
  return obj->newdef != NULL ? obj->newdef : obj->def;
}

void
guestd_domain_obj_set_state (GuestdDomainObj *obj, GuestdDomainState state,
                             int reason)
{
  obj->state = state;
  obj->reason = reason;
}

const char *
guestd_domain_obj_path (const char *base, GuestdDomainObj *obj)
{
  if (obj->object_path == NULL)
    {
      g_autofree char *uuid = g_strdelimit (g_strdup (obj->def->uuid), "-",
                                            '_');

      obj->object_path = g_strdup_printf ("%s/domain/_%s", base, uuid);
    }
  return obj->object_path;
}
