/* A guest's device cgroup (system instance): cgroup v1's devices
 * controller or a cgroup v2 BPF device program. */
#pragma once

#include <glib.h>

typedef enum
{
  GUESTD_CGROUP_AUTO, /* v1 when its devices controller is mounted, else v2 */
  GUESTD_CGROUP_V1,
  GUESTD_CGROUP_V2,
} GuestdCgroupMode;

typedef struct _GuestdCgroup GuestdCgroup;

/* A disk of the guest that is a host block device. */
typedef struct
{
  const char *path;
  gboolean readonly;
} GuestdCgroupDevice;

/* One allowed device, or every minor of a major. */
typedef struct
{
  char type;         /* 'c' or 'b' */
  guint major;
  gint minor;        /* -1: every minor */
  gboolean readonly; /* read only, rather than read and write */
} GuestdCgroupRule;

/* Create the cgroup of guest @name under @partition ("machine" when NULL)
 * of the hierarchy @mode picks, denying every device but @acl (paths; those
 * missing on this host are skipped), ptys and @disks (which must exist). A
 * leftover cgroup of the same name with no processes is replaced; one with
 * processes is an error. */
GuestdCgroup *guestd_cgroup_new_machine (const char *partition,
                                         const char *name,
                                         GuestdCgroupMode mode,
                                         const char *const *acl,
                                         const GuestdCgroupDevice *disks,
                                         guint n_disks, GError **error);

/* The cgroup of a guest created earlier (by a previous run of the
 * service), to remove it later; NULL without an error when there is
 * none. */
GuestdCgroup *guestd_cgroup_open_machine (const char *partition,
                                          const char *name,
                                          GuestdCgroupMode mode,
                                          GError **error);

/* The directory a process joins by writing its pid to DIR/cgroup.procs
 * (guestd-launch --cgroup DIR). */
const char *guestd_cgroup_get_dir (GuestdCgroup *cg);

/* V1 or V2: the hierarchy @cg lives in. */
GuestdCgroupMode guestd_cgroup_get_mode (GuestdCgroup *cg);

/* Remove the cgroup, and with it its device policy, once the guest's
 * processes are gone. */
gboolean guestd_cgroup_remove (GuestdCgroup *cg, GError **error);

void guestd_cgroup_free (GuestdCgroup *cg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GuestdCgroup, guestd_cgroup_free)

/* The cgroup v2 device program allowing exactly @rules: an array of
 * struct bpf_insn (<linux/bpf.h>). Exposed for the tests. */
GArray *guestd_cgroup_build_bpf_program (const GuestdCgroupRule *rules,
                                         guint n_rules);
