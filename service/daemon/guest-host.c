/* The host side of a guest: account, reachability, ownership, device
 * cgroup and TAP devices. Only the system instance changes anything; the
 * session instance runs guests as itself and only checks reachability. */
#include "config.h"

#include "guest-host.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "daemon/driver.h"
#include "net/tap.h"
#include "security/dac.h"
#include "util/error.h"
#include "util/file-util.h"
#include "util/i18n.h"

#define CGROUP_PARTITION "machine"

void
guestd_account_free (GuestdAccount *a)
{
  if (a == NULL)
    return;
  g_free (a->user);
  g_array_unref (a->groups);
  g_free (a);
}

static gboolean
parse_id (const char *value, guint *id)
{
  guint64 v;

  if (value[0] != '+' || value[1] == '\0'
      || !g_ascii_string_to_unsigned (value + 1, 10, 0, G_MAXINT32, &v, NULL))
    return FALSE;
  *id = (guint) v;
  return TRUE;
}

GuestdAccount *
guestd_account_resolve (const char *user, const char *group,
                        const char *conf_file, GError **error)
{
  g_autoptr (GuestdAccount) a = g_new0 (GuestdAccount, 1);
  struct passwd *pw = NULL;
  guint id;

  a->user = g_strdup (user);
  a->groups = g_array_new (FALSE, FALSE, sizeof (gid_t));
  if (parse_id (user, &id))
    a->uid = id;
  else if ((pw = getpwnam (user)) != NULL)
    a->uid = pw->pw_uid;
  else
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONF_SYNTAX,
                   _("%s: user = \"%s\": no such account (create it with "
                     "systemd-sysusers, or name another one)"),
                   conf_file, user);
      return NULL;
    }
  if (parse_id (group, &id))
    a->gid = id;
  else
    {
      struct group *gr = getgrnam (group);

      if (gr == NULL)
        {
          g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONF_SYNTAX,
                       _("%s: group = \"%s\": no such group"), conf_file,
                       group);
          return NULL;
        }
      a->gid = gr->gr_gid;
    }
  /* A named account keeps its supplementary groups (kvm); a numeric one
   * has none to look up. */
  if (pw != NULL)
    {
      int n = 64;
      g_autofree gid_t *list = g_new (gid_t, n);

      if (getgrouplist (pw->pw_name, a->gid, list, &n) < 0)
        {
          list = g_renew (gid_t, list, n);
          getgrouplist (pw->pw_name, a->gid, list, &n);
        }
      for (int i = 0; i < n; i++)
        if (list[i] != a->gid)
          g_array_append_val (a->groups, list[i]);
    }
  return g_steal_pointer (&a);
}

/* ---- reachability ---- */

static gboolean
in_groups (const GuestdAccount *a, gid_t gid)
{
  if (gid == a->gid)
    return TRUE;
  for (guint i = 0; i < a->groups->len; i++)
    if (g_array_index (a->groups, gid_t, i) == gid)
      return TRUE;
  return FALSE;
}

/* Whether @a may @bits (R_OK, W_OK, X_OK) on @path: the permission bits
 * as the kernel applies them to an account without capabilities (POSIX
 * ACLs are not consulted: they only ever grant more). With no account,
 * this process's own access. */
static gboolean
account_may (const GuestdAccount *a, const char *path, int bits)
{
  struct stat st;
  mode_t m;

  if (a == NULL)
    return access (path, bits) == 0 || errno != EACCES;
  if (stat (path, &st) < 0)
    return errno != EACCES;
  if (st.st_uid == a->uid)
    m = (st.st_mode >> 6) & 7;
  else if (in_groups (a, st.st_gid))
    m = (st.st_mode >> 3) & 7;
  else
    m = st.st_mode & 7;
  return ((bits & R_OK) == 0 || (m & 4)) && ((bits & W_OK) == 0 || (m & 2))
         && ((bits & X_OK) == 0 || (m & 1));
}

/* Which of the u, g, o search bits would let @a through @dir. */
static const char *
search_bit_for (const GuestdAccount *a, const char *dir)
{
  struct stat st;
  uid_t uid = a ? a->uid : geteuid ();

  if (stat (dir, &st) < 0)
    return "o+x";
  if (st.st_uid == uid)
    return "u+x";
  if (a ? in_groups (a, st.st_gid)
        : (st.st_gid == getegid () || group_member (st.st_gid)))
    return "g+x";
  return "o+x";
}

/* @handed_over: the file itself will be given to the account (only the
 * directories on the way matter). */
static gboolean
check_reachable (const GuestdAccount *a, const char *what, const char *path,
                 gboolean write, gboolean handed_over, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_auto (GStrv) parts = g_strsplit (dir, "/", -1);
  g_autoptr (GString) prefix = g_string_new ("");

  /* Walk down from the root so the first directory that blocks the way
   * is the one named. */
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] == '\0')
        continue;
      g_string_append_printf (prefix, "/%s", parts[i]);
      if (!account_may (a, prefix->str, X_OK))
        {
          g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_OPERATION_INVALID,
                       _("%s %s cannot be reached: directory %s lacks "
                         "search permission for the guest's account%s%s; "
                         "fix with: chmod %s %s"),
                       what, path, prefix->str, a ? " " : "",
                       a ? a->user : "", search_bit_for (a, prefix->str),
                       prefix->str);
          return FALSE;
        }
    }
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_OPERATION_INVALID,
                   _("cannot use %s %s: %s"), what, path,
                   g_strerror (ENOENT));
      return FALSE;
    }
  if (!handed_over && !account_may (a, path, write ? R_OK | W_OK : R_OK))
    {
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_OPERATION_INVALID,
                   _("cannot use %s %s: %s"), what, path,
                   g_strerror (EACCES));
      return FALSE;
    }
  return TRUE;
}

gboolean
guestd_host_preflight (GuestdDriver *d, GuestdDomainDef *def, GError **error)
{
  /* In the system instance the files a guest owns are handed over; only
   * the way to them, and the files it merely shares, are checked. */
  gboolean dac = d->account != NULL && d->conf->dynamic_ownership;

  for (guint i = 0; i < def->disks->len; i++)
    {
      GuestdDiskDef *disk = def->disks->pdata[i];
      g_autofree char *what = NULL;
      gboolean write = !disk->readonly
                       && disk->device != GUESTD_DISK_DEVICE_CDROM;

      if (disk->src == NULL)
        continue;
      what = g_strdup_printf (_("disk '%s' image"), disk->target);
      if (!check_reachable (d->account, what, disk->src, write,
                            dac && write && !disk->shareable, error))
        return FALSE;
    }
  /* A guest's stdio is the service's log file for it, which has no
   * limit: a guest must not be able to fill the host's /var. */
  if (d->account != NULL)
    {
      GPtrArray *lists[] = { def->serials, def->parallels, def->consoles,
                             def->channels };

      for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
        for (guint i = 0; i < lists[l]->len; i++)
          if (((GuestdChrDef *) lists[l]->pdata[i])->type == GUESTD_CHR_STDIO)
            {
              g_set_error (error, GUESTD_ERROR,
                           GUESTD_ERROR_CONFIG_UNSUPPORTED,
                           _("character devices of type 'stdio' are not "
                             "supported by the system instance (they would "
                             "write into the service's log without limit); "
                             "use type 'file' or 'pty'"));
              return FALSE;
            }
    }
  /* The service may open /dev/kvm (it is root); the guest's account must
   * be able to as well, or QEMU fails after everything was set up. */
  if (def->virt_type == GUESTD_VIRT_KVM && d->account != NULL
      && !account_may (d->account, d->conf->kvm_device, R_OK | W_OK))
    {
      struct stat st = { 0 };

      stat (d->conf->kvm_device, &st);
      g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_CONFIG_UNSUPPORTED,
                   _("%s (mode %04o, owner %u:%u) cannot be opened by the "
                     "guests' account %s: install guestd's udev rule "
                     "(65-guestd-kvm.rules) or give the account access"),
                   d->conf->kvm_device, (guint) (st.st_mode & 07777),
                   (guint) st.st_uid, (guint) st.st_gid, d->account->user);
      return FALSE;
    }
  if (def->os.kernel != NULL
      && !check_reachable (d->account, _("kernel"), def->os.kernel, FALSE,
                           dac, error))
    return FALSE;
  if (def->os.initrd != NULL
      && !check_reachable (d->account, _("initrd"), def->os.initrd, FALSE,
                           dac, error))
    return FALSE;
  return TRUE;
}

gboolean
guestd_host_own_dir (GuestdDriver *d, const char *dir, GError **error)
{
  if (d->account == NULL)
    return TRUE;
  /* Created by this service a moment ago (or by an earlier start): a
   * directory, not a link somebody put there. */
  if (lchown (dir, d->account->uid, d->account->gid) < 0)
    {
      guestd_set_error_errno (error, errno, _("cannot give %s to %s"), dir,
                              d->account->user);
      return FALSE;
    }
  return TRUE;
}

/* ---- ownership, cgroup, TAP ---- */

static char *
ledger_dir (GuestdDriver *d)
{
  return g_build_filename (d->lib_dir, "owners", NULL);
}

static char *
ledger_path (GuestdDomainObj *obj)
{
  g_autofree char *dir = ledger_dir (obj->driver);

  return g_build_filename (dir, obj->def->uuid, NULL);
}

static gboolean
uses_devices_cgroup (GuestdDriver *d)
{
  return d->account != NULL
         && g_strv_contains ((const char *const *) d->conf->cgroup_controllers,
                             "devices");
}

static gboolean
hand_over_files (GuestdDomainObj *obj, GError **error)
{
  GuestdDriver *d = obj->driver;
  g_autoptr (GPtrArray) files = guestd_dac_domain_files (obj->def);
  g_autofree char *dir = ledger_dir (d);
  g_autofree char *ledger = ledger_path (obj);
  /* The service's own state is never handed to a guest. */
  const char *refused[] = { d->config_dir, d->run_dir, d->cache_dir,
                            d->log_dir, dir, NULL };

  return guestd_dac_claim_all (files, d->account->uid, d->account->gid,
                               obj->def->author, ledger, refused, error);
}

static GuestdCgroup *
make_cgroup (GuestdDomainObj *obj, GError **error)
{
  GuestdDriver *d = obj->driver;
  GuestdDomainDef *def = obj->def;
  g_autoptr (GPtrArray) acl = g_ptr_array_new ();
  g_autoptr (GArray) disks = g_array_new (FALSE, FALSE,
                                          sizeof (GuestdCgroupDevice));

  for (guint i = 0; d->conf->cgroup_device_acl[i] != NULL; i++)
    g_ptr_array_add (acl, d->conf->cgroup_device_acl[i]);
  if (def->virt_type == GUESTD_VIRT_KVM)
    g_ptr_array_add (acl, d->conf->kvm_device);
  g_ptr_array_add (acl, NULL);
  for (guint i = 0; i < def->disks->len; i++)
    {
      GuestdDiskDef *disk = def->disks->pdata[i];
      GuestdCgroupDevice dev = { disk->src, disk->readonly };

      if (disk->type == GUESTD_DISK_TYPE_BLOCK && disk->src != NULL)
        g_array_append_val (disks, dev);
    }
  return guestd_cgroup_new_machine (CGROUP_PARTITION, def->name,
                                    GUESTD_CGROUP_AUTO,
                                    (const char *const *) acl->pdata,
                                    (GuestdCgroupDevice *) disks->data,
                                    disks->len, error);
}

static gboolean
make_taps (GuestdDomainObj *obj, GArray *tap_fds, GError **error)
{
  for (guint i = 0; i < obj->def->nets->len; i++)
    {
      GuestdNetDef *n = obj->def->nets->pdata[i];
      int fd = -1;

      if (n->type == GUESTD_NET_BRIDGE)
        {
          g_autofree char *ifname = NULL;

          fd = guestd_tap_create_on_bridge (n->target_dev, n->mac, n->source,
                                            &ifname, error);
          if (fd < 0)
            {
              g_prefix_error (error, _("interface %s: "), n->mac);
              return FALSE;
            }
          /* The live XML names the device, as libvirt's does. */
          g_free (n->target_dev);
          n->target_dev = g_steal_pointer (&ifname);
        }
      g_array_append_val (tap_fds, fd);
    }
  return TRUE;
}

static void
add_arg (GPtrArray *args, const char *opt, char *value)
{
  g_ptr_array_add (args, g_strdup (opt));
  g_ptr_array_add (args, value);
}

gboolean
guestd_host_prepare (GuestdDomainObj *obj, GPtrArray *launch_args,
                     GArray *tap_fds, GError **error)
{
  GuestdDriver *d = obj->driver;
  GuestdAccount *a = d->account;

  if (a == NULL)
    return TRUE; /* the session instance: the user's own guests */

  if (d->conf->dynamic_ownership && !hand_over_files (obj, error))
    return FALSE;
  if (uses_devices_cgroup (d))
    {
      obj->cgroup = make_cgroup (obj, error);
      if (obj->cgroup == NULL)
        goto fail;
      add_arg (launch_args, "--cgroup",
               g_strdup (guestd_cgroup_get_dir (obj->cgroup)));
    }
  if (!make_taps (obj, tap_fds, error))
    goto fail;

  add_arg (launch_args, "--uid", g_strdup_printf ("%u", (guint) a->uid));
  add_arg (launch_args, "--gid", g_strdup_printf ("%u", (guint) a->gid));
  if (a->groups->len > 0)
    {
      g_autoptr (GString) list = g_string_new (NULL);

      for (guint i = 0; i < a->groups->len; i++)
        g_string_append_printf (list, "%s%u", i ? "," : "",
                                (guint) g_array_index (a->groups, gid_t, i));
      add_arg (launch_args, "--groups", g_string_free (g_steal_pointer (&list),
                                                      FALSE));
    }
  if (!d->conf->clear_emulator_capabilities)
    g_ptr_array_add (launch_args, g_strdup ("--keep-caps"));
  /* Nothing QEMU executes may gain privileges (set-user-ID programs, file
   * capabilities): it needs no helper here, TAPs come from the service. */
  g_ptr_array_add (launch_args, g_strdup ("--no-new-privs"));
  return TRUE;

fail:
  guestd_close_fds (tap_fds);
  guestd_host_release (obj);
  return FALSE;
}

void
guestd_host_release (GuestdDomainObj *obj)
{
  GuestdDriver *d = obj->driver;
  g_autoptr (GError) error = NULL;

  if (obj->cgroup != NULL)
    {
      if (!guestd_cgroup_remove (obj->cgroup, &error))
        g_warning (_("domain '%s': %s"), obj->def->name, error->message);
      g_clear_pointer (&obj->cgroup, guestd_cgroup_free);
    }
  /* The ledger says what was handed over, even by an earlier run of the
   * service or with other settings. */
  if (d->account != NULL)
    {
      g_autofree char *ledger = ledger_path (obj);

      if (g_file_test (ledger, G_FILE_TEST_EXISTS))
        guestd_dac_release_all (ledger, d->account->uid, d->account->gid);
    }
}

void
guestd_host_reattach (GuestdDomainObj *obj)
{
  GuestdDriver *d = obj->driver;
  g_autoptr (GError) error = NULL;

  if (!uses_devices_cgroup (d))
    return;
  obj->cgroup = guestd_cgroup_open_machine (CGROUP_PARTITION, obj->def->name,
                                            GUESTD_CGROUP_AUTO, &error);
  if (error != NULL)
    g_warning (_("domain '%s': %s"), obj->def->name, error->message);
}

void
guestd_host_restore_stale (GuestdDriver *d)
{
  g_autofree char *dir = NULL;
  g_autoptr (GHashTable) keep = NULL;

  if (d->account == NULL)
    return;
  dir = ledger_dir (d);
  keep = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < d->domains->len; i++)
    {
      GuestdDomainObj *obj = d->domains->pdata[i];

      if (obj->pid != 0)
        g_hash_table_add (keep, obj->def->uuid);
    }
  guestd_dac_restore_stale (dir, keep, d->account->uid, d->account->gid);
}
