/* What a guest's QEMU gets from the host besides its command line: the
 * account it runs as, the files handed to that account, its device cgroup
 * and its TAP devices (system instance), and the checks that its files
 * can be reached at all (both instances). */
#pragma once

#include <gio/gio.h>

#include "daemon/domain-obj.h"

/* Who guests of the system instance run as (qemu.conf user/group). */
typedef struct _GuestdAccount
{
  char *user;       /* for messages */
  uid_t uid;
  gid_t gid;
  GArray *groups;   /* gid_t: supplementary groups (e.g. kvm) */
} GuestdAccount;

void guestd_account_free (GuestdAccount *account);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GuestdAccount, guestd_account_free)

/* The account qemu.conf names ("+N" is a numeric id); an error names the
 * setting when it does not exist. */
GuestdAccount *guestd_account_resolve (const char *user, const char *group,
                                       const char *conf_file, GError **error);

/* Before anything changes: every image, kernel and initrd of @live can be
 * reached by the account QEMU will run as (the service's own in the
 * session instance); the error names the directory in the way and the
 * chmod that fixes it. */
gboolean guestd_host_preflight (GuestdDriver *driver, GuestdDomainDef *live,
                                GError **error);

/* A directory QEMU writes in (its home, channel sockets): the account's. */
gboolean guestd_host_own_dir (GuestdDriver *driver, const char *dir,
                              GError **error);

/* Just before QEMU starts: hand files over, create the device cgroup and
 * the TAP devices of type='bridge' interfaces. Appends guestd-launch
 * options (strings @launch_args owns) and, per interface of @obj->def,
 * a TAP descriptor or -1 to @tap_fds. On error nothing stays changed. */
gboolean guestd_host_prepare (GuestdDomainObj *obj, GPtrArray *launch_args,
                              GArray *tap_fds, GError **error);

/* After QEMU is gone: give the files back, remove the cgroup. Safe to
 * call when prepare failed half-way or was never called. */
void guestd_host_release (GuestdDomainObj *obj);

/* After a service restart, for a guest that was running: find its cgroup
 * so that its exit can remove it. */
void guestd_host_reattach (GuestdDomainObj *obj);

/* At service start, once running guests are known: give back the files
 * of guests that stopped while nobody watched (a crash of the service,
 * a reboot of the host). */
void guestd_host_restore_stale (GuestdDriver *driver);
