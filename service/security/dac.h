/* File ownership for the guest account (DAC): which files a guest must own,
 * handing them over at start, giving them back at stop or after a crash. */
#pragma once

#include <glib.h>
#include <sys/types.h>

#include "conf/domain.h"

/* Where the original owner of a claimed file is kept (on the file itself:
 * trusted.* can only be written by root, so a guest cannot forge them). */
#define GUESTD_DAC_XATTR_OWNER "trusted.guestd.owner"       /* "UID:GID" */
#define GUESTD_DAC_XATTR_REFCOUNT "trusted.guestd.refcount" /* "N" */
#define GUESTD_DAC_XATTR_BOOT "trusted.guestd.boot"         /* boot id */
/* The ledgers (by file name) holding the file, one a line: what makes
 * claiming and releasing safe to repeat after a crash. The refcount is
 * their number. */
#define GUESTD_DAC_XATTR_HOLDERS "trusted.guestd.holders"

typedef struct
{
  char *path;
  char *what;      /* for messages: "disk 'vda' image", "kernel", … */
  gboolean write;  /* the guest writes it; else only reads */
  gboolean create; /* create it (empty, 0600) when missing: log files */
} GuestdDacFile;

GuestdDacFile *guestd_dac_file_new (const char *path, const char *what,
                                    gboolean write, gboolean create);
void guestd_dac_file_free (GuestdDacFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GuestdDacFile, guestd_dac_file_free)

/* The files of @def the guest account must own, in order, each once:
 * exclusive writable disks, nvram, kernel, initrd, dtb, file-backed
 * character devices and their logs. GuestdDacFile elements. */
GPtrArray *guestd_dac_domain_files (const GuestdDomainDef *def);

/* Give every file of @files to @uid:@gid, all or none. Before anything
 * changes, the paths are added to @ledger (its file name, e.g. the guest's
 * uuid, is how the files know their holder) so that a crash loses nothing.
 * Only regular files with one link and block devices are handed over;
 * symbolic links, system locations and anything under
 * @refused_prefixes (NULL-terminated, may be NULL) are refused. Read-only
 * files the account can already read are left alone. Unless @author (who
 * wrote the paths: the domain's definer) is root, every file must be the
 * author's own, and files are created only in the author's directories:
 * nobody hands over what they could not give away themselves. */
gboolean guestd_dac_claim_all (GPtrArray *files, uid_t uid, gid_t gid,
                               uid_t author, const char *ledger,
                               const char *const *refused_prefixes,
                               GError **error);

/* Give back every file in @ledger: the original owner returns when the
 * last holder lets go. Then remove @ledger. Problems are logged. Safe to
 * call twice, or for a ledger whose claim was cut short. */
void guestd_dac_release_all (const char *ledger, uid_t uid, gid_t gid);

/* At service start: release every ledger in @dir except those whose file
 * names are keys of @keep (the guests still running; may be NULL). */
void guestd_dac_restore_stale (const char *dir, GHashTable *keep, uid_t uid,
                               gid_t gid);
