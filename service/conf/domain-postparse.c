/* Defaults a definition receives once, when it is first read: a UUID, MAC
 * addresses, controller indexes, drive addresses and the devices a QEMU PC
 * always has. Written into the definition, as libvirt does, so the guest
 * looks the same to itself at every start. Idempotent. */
#include "config.h"

#include "domain.h"

#include <sys/utsname.h>

#include "util/error.h"
#include "util/i18n.h"

static const char *
host_arch (void)
{
  static char arch[65];

  if (arch[0] == '\0')
    {
      struct utsname u;

      if (uname (&u) == 0)
        g_strlcpy (arch, u.machine, sizeof arch);
      else
        g_strlcpy (arch, "x86_64", sizeof arch);
    }
  return arch;
}

static gboolean
arch_is_x86 (const char *arch)
{
  return g_str_equal (arch, "x86_64") || g_str_equal (arch, "i686");
}

static GuestdControllerDef *
add_controller (GuestdDomainDef *def, GuestdControllerType type, int index,
                const char *model)
{
  GuestdControllerDef *c = guestd_controller_def_new ();

  c->type = type;
  c->index = index;
  c->model = g_strdup (model);
  g_ptr_array_add (def->controllers, c);
  return c;
}

static gboolean
has_controller_type (const GuestdDomainDef *def, GuestdControllerType type)
{
  for (guint i = 0; i < def->controllers->len; i++)
    if (((GuestdControllerDef *) def->controllers->pdata[i])->type == type)
      return TRUE;
  return FALSE;
}

static gboolean
is_pci_root (const GuestdControllerDef *c)
{
  return c->type == GUESTD_CONTROLLER_PCI && c->model != NULL
         && (g_str_equal (c->model, "pci-root")
             || g_str_equal (c->model, "pcie-root"));
}

static void
assign_controller_indexes (GuestdDomainDef *def)
{
  /* Roots first: the PCI root must be index 0 whatever order it came in. */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < def->controllers->len; i++)
      {
        GuestdControllerDef *c = def->controllers->pdata[i];
        int idx;

        if (c->index >= 0 || (pass == 0) != is_pci_root (c))
          continue;
        /* Index 0 of the PCI controllers is the root, never a port. */
        idx = c->type == GUESTD_CONTROLLER_PCI && !is_pci_root (c) ? 1 : 0;
        while (guestd_domain_def_find_controller (def, c->type, idx) != NULL)
          idx++;
        c->index = idx;
      }
}

static void
pci_defaults (GuestdDomainDef *def)
{
  gboolean q35 = guestd_domain_def_is_q35 (def);
  int port = 0x10;

  if (guestd_domain_def_find_controller (def, GUESTD_CONTROLLER_PCI, 0)
      == NULL)
    add_controller (def, GUESTD_CONTROLLER_PCI, 0,
                    q35 ? "pcie-root" : "pci-root");
  for (guint i = 0; i < def->controllers->len; i++)
    {
      GuestdControllerDef *c = def->controllers->pdata[i];

      if (c->type != GUESTD_CONTROLLER_PCI)
        continue;
      if (c->model == NULL)
        c->model = g_strdup (c->index == 0 ? (q35 ? "pcie-root" : "pci-root")
                                           : (q35 ? "pcie-root-port"
                                                  : "pci-bridge"));
      /* QEMU refuses two root ports with the same chassis and slot;
       * libvirt's numbering (chassis = index, ports from 0x10) keeps them
       * apart and stable. */
      if (g_str_equal (c->model, "pcie-root-port"))
        {
          if (c->target_chassis < 0)
            c->target_chassis = c->index;
          if (c->target_port < 0)
            c->target_port = port;
          port = MAX (port, c->target_port) + 1;
        }
      if (g_str_equal (c->model, "pci-bridge") && c->target_chassis < 0)
        c->target_chassis = c->index;
    }
}

static const char *
default_disk_controller_model (GuestdControllerType type)
{
  return type == GUESTD_CONTROLLER_SCSI ? "virtio-scsi" : NULL;
}

static gboolean
disk_defaults (GuestdDomainDef *def, GError **error)
{
  gboolean q35 = guestd_domain_def_is_q35 (def);

  for (guint i = 0; i < def->disks->len; i++)
    {
      GuestdDiskDef *d = def->disks->pdata[i];
      int idx = guestd_disk_target_index (d->target);
      GuestdControllerType ctype = GUESTD_CONTROLLER_NONE;
      guint per_bus = 1, per_ctrl = 1;

      if (d->type == GUESTD_DISK_TYPE_NONE)
        d->type = GUESTD_DISK_TYPE_FILE;
      if (d->device == GUESTD_DISK_DEVICE_NONE)
        d->device = GUESTD_DISK_DEVICE_DISK;
      if (d->bus == GUESTD_DISK_BUS_NONE)
        {
          d->bus = d->device == GUESTD_DISK_DEVICE_FLOPPY
                     ? GUESTD_DISK_BUS_FDC
                     : guestd_disk_bus_from_target (d->target);
          /* q35 has no IDE: its "sd" disks are SATA, as virt-install
           * writes them. */
          if (d->bus == GUESTD_DISK_BUS_IDE && q35)
            d->bus = GUESTD_DISK_BUS_SATA;
          if (d->bus == GUESTD_DISK_BUS_NONE)
            {
              g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_XML,
                           _("disk '%s': cannot tell its bus from the "
                             "name; add <target bus='…'/>"),
                           d->target);
              return FALSE;
            }
        }

      switch (d->bus)
        {
        case GUESTD_DISK_BUS_IDE:
          ctype = GUESTD_CONTROLLER_IDE;
          per_bus = 2;
          per_ctrl = 4;
          break;
        case GUESTD_DISK_BUS_SATA:
          ctype = GUESTD_CONTROLLER_SATA;
          per_bus = 6;
          per_ctrl = 6;
          break;
        case GUESTD_DISK_BUS_SCSI:
          ctype = GUESTD_CONTROLLER_SCSI;
          per_bus = 16384;
          per_ctrl = 16384;
          break;
        case GUESTD_DISK_BUS_FDC:
          ctype = GUESTD_CONTROLLER_FDC;
          per_bus = 2;
          per_ctrl = 2;
          break;
        default:
          break;
        }
      if (ctype == GUESTD_CONTROLLER_NONE)
        continue;
      if (d->info.addr.type == GUESTD_ADDR_NONE && idx / per_ctrl > 255)
        {
          g_set_error (error, GUESTD_ERROR, GUESTD_ERROR_XML,
                       _("disk '%s': the name is past the last slot of "
                         "controller 255"),
                       d->target);
          return FALSE;
        }
      if (d->info.addr.type == GUESTD_ADDR_NONE)
        {
          /* The name picks the slot: hdc is the master of the second IDE
           * bus, sdb the second SATA port, as in libvirt. */
          d->info.addr.type = GUESTD_ADDR_DRIVE;
          d->info.addr.drive.controller = idx / per_ctrl;
          d->info.addr.drive.bus = ctype == GUESTD_CONTROLLER_SATA
                                     ? 0
                                     : (idx % per_ctrl) / per_bus;
          d->info.addr.drive.unit = idx % per_bus;
        }
      /* A pc has its floppy controller built in; q35 needs one added. */
      if (d->info.addr.type == GUESTD_ADDR_DRIVE
          && (ctype != GUESTD_CONTROLLER_FDC || q35)
          && guestd_domain_def_find_controller (def, ctype,
                                                d->info.addr.drive.controller)
               == NULL)
        add_controller (def, ctype, d->info.addr.drive.controller,
                        default_disk_controller_model (ctype));
    }
  return TRUE;
}

static gboolean
port_taken (GPtrArray *chrs, int port)
{
  for (guint i = 0; i < chrs->len; i++)
    if (((GuestdChrDef *) chrs->pdata[i])->target_port == port)
      return TRUE;
  return FALSE;
}

static int
lowest_free_port (GPtrArray *chrs)
{
  int port = 0;

  while (port_taken (chrs, port))
    port++;
  return port;
}

static GuestdChrDef *
chr_copy (const GuestdChrDef *src, GuestdChrDevice device)
{
  GuestdChrDef *c = guestd_chr_def_new (device);

  c->type = src->type;
  c->path = g_strdup (src->path);
  c->mode = src->mode;
  c->append = src->append;
  c->host = g_strdup (src->host);
  c->service = g_strdup (src->service);
  c->channel = g_strdup (src->channel);
  c->protocol = src->protocol;
  c->log_file = g_strdup (src->log_file);
  c->log_append = src->log_append;
  return c;
}

/* A PC's serial console is its first serial port: the XML lists both, as
 * libvirt does, and each implies the other. */
static void
serial_console_pair (GuestdDomainDef *def)
{
  GuestdChrDef *console = def->consoles->len > 0 ? def->consoles->pdata[0]
                                                 : NULL;

  if (console != NULL && console->target_type == GUESTD_CHR_TARGET_SERIAL)
    {
      if (!port_taken (def->serials, console->target_port))
        {
          GuestdChrDef *serial = chr_copy (console, GUESTD_CHR_DEV_SERIAL);

          serial->target_type = GUESTD_CHR_TARGET_ISA_SERIAL;
          serial->target_port = console->target_port;
          g_ptr_array_insert (def->serials, 0, serial);
        }
    }
  else if (console == NULL && def->serials->len > 0)
    {
      GuestdChrDef *serial = def->serials->pdata[0];

      console = chr_copy (serial, GUESTD_CHR_DEV_CONSOLE);
      console->target_type = GUESTD_CHR_TARGET_SERIAL;
      console->target_port = serial->target_port;
      g_ptr_array_add (def->consoles, console);
    }
}

static void
chr_defaults (GuestdDomainDef *def)
{
  gboolean need_vioser = FALSE;

  for (guint i = 0; i < def->serials->len; i++)
    {
      GuestdChrDef *c = def->serials->pdata[i];

      if (c->target_type == GUESTD_CHR_TARGET_NONE)
        c->target_type = GUESTD_CHR_TARGET_ISA_SERIAL;
      if (c->target_port < 0)
        c->target_port = lowest_free_port (def->serials);
    }
  for (guint i = 0; i < def->parallels->len; i++)
    {
      GuestdChrDef *c = def->parallels->pdata[i];

      if (c->target_port < 0)
        c->target_port = lowest_free_port (def->parallels);
    }
  for (guint i = 0; i < def->consoles->len; i++)
    {
      GuestdChrDef *c = def->consoles->pdata[i];

      /* The first console of a PC is its first serial port; any more are
       * virtio consoles. */
      if (c->target_type == GUESTD_CHR_TARGET_NONE)
        c->target_type = i == 0 ? GUESTD_CHR_TARGET_SERIAL
                                : GUESTD_CHR_TARGET_VIRTIO;
      if (c->target_port < 0)
        c->target_port = c->target_type == GUESTD_CHR_TARGET_SERIAL ? 0
                                                                    : (int) i;
      if (c->target_type == GUESTD_CHR_TARGET_VIRTIO)
        need_vioser = TRUE;
    }
  for (guint i = 0; i < def->channels->len; i++)
    if (((GuestdChrDef *) def->channels->pdata[i])->target_type
        == GUESTD_CHR_TARGET_VIRTIO)
      need_vioser = TRUE;
  serial_console_pair (def);
  if (need_vioser && !has_controller_type (def, GUESTD_CONTROLLER_VIRTIO_SERIAL))
    add_controller (def, GUESTD_CONTROLLER_VIRTIO_SERIAL, 0, NULL);
}

static void
graphics_defaults (GuestdDomainDef *def)
{
  for (guint i = 0; i < def->graphics->len; i++)
    {
      GuestdGraphicsDef *g = def->graphics->pdata[i];

      if (g->type != GUESTD_GRAPHICS_VNC && g->type != GUESTD_GRAPHICS_SPICE)
        continue;
      /* port='-1' is libvirt's way of asking for autoport. */
      if (g->autoport == GUESTD_TRISTATE_ABSENT)
        g->autoport = g->port == -1 ? GUESTD_TRISTATE_YES : GUESTD_TRISTATE_NO;
    }
}

static void
input_defaults (GuestdDomainDef *def)
{
  gboolean has_ps2_mouse = FALSE, has_ps2_kbd = FALSE;

  for (guint i = 0; i < def->inputs->len; i++)
    {
      GuestdInputDef *in = def->inputs->pdata[i];

      if (in->bus == GUESTD_INPUT_BUS_NONE)
        in->bus = in->type == GUESTD_INPUT_TABLET ? GUESTD_INPUT_BUS_USB
                                                  : GUESTD_INPUT_BUS_PS2;
      if (in->bus == GUESTD_INPUT_BUS_PS2)
        {
          has_ps2_mouse |= in->type == GUESTD_INPUT_MOUSE;
          has_ps2_kbd |= in->type == GUESTD_INPUT_KEYBOARD;
        }
    }
  /* A PC always has its i8042 PS/2 mouse and keyboard; libvirt lists them
   * when there is graphics to use them with. */
  if (def->graphics->len == 0)
    return;
  if (!has_ps2_mouse)
    {
      GuestdInputDef *in = guestd_input_def_new ();

      in->type = GUESTD_INPUT_MOUSE;
      in->bus = GUESTD_INPUT_BUS_PS2;
      g_ptr_array_add (def->inputs, in);
    }
  if (!has_ps2_kbd)
    {
      GuestdInputDef *in = guestd_input_def_new ();

      in->type = GUESTD_INPUT_KEYBOARD;
      in->bus = GUESTD_INPUT_BUS_PS2;
      g_ptr_array_add (def->inputs, in);
    }
}

static gint
controller_order (gconstpointer a, gconstpointer b)
{
  const GuestdControllerDef *x = *(GuestdControllerDef *const *) a;
  const GuestdControllerDef *y = *(GuestdControllerDef *const *) b;

  if (x->type != y->type)
    return (int) x->type - (int) y->type;
  return x->index - y->index;
}

gboolean
guestd_domain_def_post_parse (GuestdDomainDef *def, GError **error)
{
  if (def->uuid[0] == '\0')
    guestd_uuid_generate (def->uuid);
  if (def->os.arch == NULL)
    def->os.arch = g_strdup (host_arch ());
  if (def->on_poweroff == GUESTD_LIFECYCLE_NONE)
    def->on_poweroff = GUESTD_LIFECYCLE_DESTROY;
  if (def->on_reboot == GUESTD_LIFECYCLE_NONE)
    def->on_reboot = GUESTD_LIFECYCLE_RESTART;
  if (def->on_crash == GUESTD_LIFECYCLE_NONE)
    def->on_crash = GUESTD_LIFECYCLE_DESTROY;
  if (def->clock.offset == GUESTD_CLOCK_NONE)
    def->clock.offset = GUESTD_CLOCK_UTC;

  for (guint i = 0; i < def->nets->len; i++)
    {
      GuestdNetDef *n = def->nets->pdata[i];

      if (n->mac[0] == '\0')
        guestd_mac_generate (n->mac);
    }

  if (!arch_is_x86 (def->os.arch))
    {
      assign_controller_indexes (def);
      return disk_defaults (def, error);
    }

  assign_controller_indexes (def);
  if (!disk_defaults (def, error))
    return FALSE;
  /* The controllers a PC has built in, listed as libvirt lists them. */
  if (!has_controller_type (def, GUESTD_CONTROLLER_USB))
    add_controller (def, GUESTD_CONTROLLER_USB, 0,
                    guestd_domain_def_is_q35 (def) ? "qemu-xhci"
                                                   : "piix3-uhci");
  if (guestd_domain_def_is_q35 (def))
    {
      if (guestd_domain_def_find_controller (def, GUESTD_CONTROLLER_SATA, 0)
          == NULL)
        add_controller (def, GUESTD_CONTROLLER_SATA, 0, NULL);
    }
  else if (guestd_domain_def_find_controller (def, GUESTD_CONTROLLER_IDE, 0)
           == NULL)
    add_controller (def, GUESTD_CONTROLLER_IDE, 0, NULL);
  chr_defaults (def);
  pci_defaults (def);
  assign_controller_indexes (def);
  /* Stable sort: USB companions keep their order behind the master. */
  g_ptr_array_sort (def->controllers, controller_order);
  graphics_defaults (def);
  input_defaults (def);
  /* With -nodefaults a guest has no display adapter unless one is listed:
   * graphics without video would show nothing. */
  if (def->graphics->len > 0 && def->videos->len == 0)
    {
      GuestdVideoDef *v = guestd_video_def_new ();

      v->model = GUESTD_VIDEO_VGA;
      g_ptr_array_add (def->videos, v);
    }
  if (def->memballoon == NULL)
    {
      def->memballoon = guestd_balloon_def_new ();
      def->memballoon->model = GUESTD_BALLOON_VIRTIO;
    }
  return TRUE;
}
