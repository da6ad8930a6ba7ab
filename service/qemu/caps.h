/* What the host's emulators can do: found in the emulator directories,
 * probed once per binary over QMP, cached by (path, size, mtime), and
 * written as libvirt's <capabilities> and <domainCapabilities>. */
#pragma once

#include <glib.h>

#include "conf/domain.h"

typedef struct
{
  char *name;
  char *alias;        /* "pc" for "pc-i440fx-7.2" */
  gboolean is_default;
  guint max_cpus;
  gboolean deprecated;
} GuestdQemuMachine;

typedef struct
{
  char *path;
  char *arch;         /* the guest architecture it emulates */
  char *os_type;      /* "hvm", or "xen" for xenner */
  guint64 size;
  gint64 mtime;
  char *version;      /* "7.2.22" */
  char *package;
  GPtrArray *machines;   /* GuestdQemuMachine */
  GPtrArray *cpu_models; /* char *, usable under TCG */
  GHashTable *devices;   /* QOM device type names */
  gboolean has_kvm;      /* built with KVM support */
  gboolean has_spice;
  gboolean from_cache;
} GuestdQemuEmulator;

typedef struct
{
  char *cache_dir;      /* NULL: no cache */
  GStrv emulator_dirs;
  char *kvm_device;
  char *host_arch;
  gboolean kvm_usable;  /* this process can open kvm_device read-write */
  GPtrArray *emulators; /* GuestdQemuEmulator */
  GPtrArray *problems;  /* char *: emulators that could not be probed */
} GuestdCapabilities;

GuestdCapabilities *guestd_capabilities_new (const char *cache_dir,
                                             const char *const *emulator_dirs,
                                             const char *kvm_device);
void guestd_capabilities_free (GuestdCapabilities *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GuestdCapabilities, guestd_capabilities_free)

/* Look in the emulator directories and probe (or load from the cache)
 * every emulator found. Never fails for one bad binary: it is listed in
 * caps->problems instead. */
void guestd_capabilities_refresh (GuestdCapabilities *caps);

/* The emulator for a domain: its own <emulator> when given (which must be
 * one found here, or at least an executable that probes), else the one for
 * its architecture. Errors list what was found. */
const GuestdQemuEmulator *guestd_capabilities_emulator_for (
  GuestdCapabilities *caps, const GuestdDomainDef *def, GError **error);

/* Check that @def can run here: emulator, architecture, machine type, and
 * /dev/kvm for type='kvm'; also fill in the emulator and the canonical
 * machine name (pc → pc-i440fx-7.2) so that the guest's hardware stays
 * the same when QEMU is upgraded, as libvirt does at define time. */
gboolean guestd_capabilities_complete_def (GuestdCapabilities *caps,
                                           GuestdDomainDef *def,
                                           GError **error);

/* <capabilities>; @dac_label like "+107:+107" adds the DAC model. */
char *guestd_capabilities_format (GuestdCapabilities *caps,
                                  const char *dac_label);
/* <domainCapabilities> for one emulator/arch/machine/virttype; NULL or
 * empty arguments pick the defaults. */
char *guestd_capabilities_format_domain (GuestdCapabilities *caps,
                                         const char *emulator,
                                         const char *arch,
                                         const char *machine,
                                         const char *virttype,
                                         GError **error);
