/* Shared by the two halves of the command-line reader. */
#pragma once

#include "qemu/argv-parse.h"
#include "qemu/qemu-opts.h"

typedef struct
{
  GuestdDomainDef *def;
  /* Back-ends by id, filled before any -device is read. */
  GHashTable *blockdevs; /* node-name → GuestdQemuOpts */
  GHashTable *drives;    /* -drive id → GuestdQemuOpts */
  GHashTable *netdevs;   /* id → GuestdQemuOpts */
  GHashTable *chardevs;  /* id → GuestdQemuOpts */
  GHashTable *objects;   /* id → GuestdQemuOpts */
  GHashTable *used_backends; /* ids a device took */
  GPtrArray *legacy_nics; /* -net nic, waiting for -net user/tap */
  GPtrArray *legacy_nets; /* -net user/tap/bridge */
  gboolean kvm;
  gboolean nographic;
  gboolean display_none;
  gboolean nodefaults;
  gboolean usb;          /* -usb or -machine usb=on */
  gboolean no_acpi;
  char *keymap;
  char *vga;             /* -vga */
  GuestdTickPolicy rtc_tickpolicy;
  GuestdTimerTrack rtc_track;
  GuestdTickPolicy pit_tickpolicy;
  gboolean hpet_off;
  gboolean hv_time;
  GuestdTristate kvmclock;
  GuestdWatchdogAction watchdog_action;
  guint next_virtio_disk, next_scsi_disk;
} GuestdArgvParser;

/* Errors for one option: "option '-device virtio-blk-pci,…': MESSAGE". */
gboolean guestd_argv_error (GError **error, const char *opt, const char *arg,
                            const char *fmt, ...) G_GNUC_PRINTF (4, 5);

/* Fail when @o has a property the reader did not take. */
gboolean guestd_argv_check_used (GuestdQemuOpts *o, const char *opt,
                                 const char *arg, GError **error);

gboolean guestd_argv_parse_bool (const char *v, gboolean *out);

gboolean guestd_argv_legacy_drive (GuestdArgvParser *p, const char *opt,
                                   const char *arg, GError **error);
gboolean guestd_argv_drive (GuestdArgvParser *p, const char *arg,
                            GError **error);
gboolean guestd_argv_blockdev (GuestdArgvParser *p, const char *arg,
                               char **node_out, GError **error);
gboolean guestd_argv_legacy_net (GuestdArgvParser *p, const char *opt,
                                 const char *arg, GError **error);
gboolean guestd_argv_finish_legacy_nets (GuestdArgvParser *p, GError **error);
/* Returns FALSE with no error set when the driver is not modelled. */
gboolean guestd_argv_device (GuestdArgvParser *p, const char *arg,
                             gboolean *modelled, GError **error);
gboolean guestd_argv_legacy_chr (GuestdArgvParser *p, const char *opt,
                                 const char *arg, GError **error);
