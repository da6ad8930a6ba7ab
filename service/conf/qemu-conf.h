/* qemu.conf: libvirt's configuration syntax and the keys guestd honours. */
#pragma once

#include <glib.h>

typedef struct
{
  /* System instance: the account guests run as ("+107" = numeric id). */
  char *user;
  char *group;
  gboolean dynamic_ownership;
  gboolean remember_owner;
  gboolean clear_emulator_capabilities;
  gboolean seccomp_sandbox;
  GStrv cgroup_device_acl;
  GStrv cgroup_controllers;
  GStrv security_driver;
  GStrv emulator_dirs;
  char *kvm_device;
  char *vnc_listen;
  /* "FILE:LINE: key 'x' is not known; ignored" and the like. */
  GPtrArray *warnings;
} GuestdQemuConf;

GuestdQemuConf *guestd_qemu_conf_new (void);
void guestd_qemu_conf_free (GuestdQemuConf *conf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GuestdQemuConf, guestd_qemu_conf_free)

/* Apply the settings in @text on top of @conf; @filename names it in
 * errors ("FILE:LINE: …"). On error @conf is left unchanged. */
gboolean guestd_qemu_conf_parse (GuestdQemuConf *conf, const char *text,
                                 gssize len, const char *filename,
                                 GError **error);
/* The same from a file; a missing file leaves the defaults. */
gboolean guestd_qemu_conf_load (GuestdQemuConf *conf, const char *path,
                                GError **error);

/* The default device allow-list of DESIGN.md. */
extern const char *const guestd_default_cgroup_device_acl[];
