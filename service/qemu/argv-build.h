/* Domain → QEMU command line (modern options of QEMU 7.2). */
#pragma once

#include "conf/domain.h"
#include "qemu/command.h"

typedef struct
{
  const char *emulator;    /* NULL: the domain's <emulator> */
  const char *qmp_path;    /* QMP socket QEMU creates; NULL: none */
  int qmp_fd;              /* or a listening socket passed in; -1: none */
  gboolean paused;         /* -S: stop before the first instruction */
  gboolean sandbox;        /* QEMU's seccomp sandbox */
  const char *vnc_listen;  /* listen address when the domain gives none */
  const char *channel_dir; /* unix channels without a path go here */
  const char *home;        /* HOME for QEMU; NULL: not set */
  const char *nvram_dir;   /* default home of UEFI variable stores */
  const int *tap_fds;      /* per <interface>: an fd opened for it, or -1 */
  guint n_tap_fds;
  /* For domxml-to-native: passwords go inline, VNC ports are searched for
   * by QEMU, so that the line runs by itself when pasted into a shell. */
  gboolean native;
  /* A service watches the guest: QEMU stays after power-off (-no-shutdown)
   * so the service applies <on_poweroff> and can turn a shutdown into a
   * reboot. */
  gboolean manage_lifecycle;
} GuestdQemuBuildOptions;

void guestd_qemu_build_options_init (GuestdQemuBuildOptions *opts);

/* Device ids (QEMU's) and aliases (libvirt's) are the same; give every
 * device that lacks one the name libvirt would. */
void guestd_qemu_assign_aliases (GuestdDomainDef *def);

/* @def is completed in place with what the command decides (aliases,
 * channel socket paths): keep it as the live definition. */
GuestdQemuCommand *guestd_qemu_build_command (GuestdDomainDef *def,
                                              const GuestdQemuBuildOptions *opts,
                                              GError **error);

/* QEMU device names for the model's choices, shared with the reverse
 * direction so the two cannot drift apart. */
const char *guestd_qemu_usb_controller_device (const char *model);
const char *guestd_qemu_video_device (GuestdVideoModel model, gboolean primary);
const char *guestd_qemu_sound_device (GuestdSoundModel model);
const char *guestd_qemu_net_device (const char *model);
