/* Shared by the two halves of the command builder. */
#pragma once

#include "qemu/argv-build.h"
#include "qemu/qemu-opts.h"

typedef struct
{
  GuestdDomainDef *def;
  const GuestdQemuBuildOptions *opts;
  GuestdQemuCommand *cmd;
  gboolean q35;
  gboolean kvm;
  gboolean uses_spawn; /* a helper QEMU must start (bridge networking) */
  char *audiodev;      /* id of the -audiodev sound cards use */
  GHashTable *bootindex; /* GuestdDeviceInfo * → boot index from <os> */
} GuestdQemuBuilder;

void guestd_qemu_builder_add (GuestdQemuBuilder *b, const char *opt,
                              GString *value);
/* ",bus=…,addr=…" and the like for a device's address. */
gboolean guestd_qemu_builder_address (GuestdQemuBuilder *b, GString *s,
                                      const GuestdDeviceInfo *info,
                                      GError **error);
/* Boot index each device gets from <os><boot dev=…> or <boot order=…>. */
guint guestd_qemu_builder_bootindex (GuestdQemuBuilder *b,
                                     const GuestdDeviceInfo *info);

gboolean guestd_qemu_build_devices (GuestdQemuBuilder *b, GError **error);
