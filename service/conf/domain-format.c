/* Model → domain XML, in libvirt's canonical element order and layout. */
#include "config.h"

#include "domain.h"

#include <libxml/xmlsave.h>

#include "conf/xml-writer.h"

#define ATTR(s, n, v) guestd_xml_add_attr ((s), (n), (v))
#define ATTRF(s, n, ...) guestd_xml_add_attr_printf ((s), (n), __VA_ARGS__)
#define ENUM_ATTR(s, n, e, v) ATTR ((s), (n), guestd_enum_to_string (&(e), (v)))

typedef struct
{
  GString *out;
  GuestdDomainXmlFlags flags;
} Fmt;

static const char *
yesno (GuestdTristate t)
{
  return t == GUESTD_TRISTATE_YES ? "yes" : t == GUESTD_TRISTATE_NO ? "no" : NULL;
}

static const char *
onoff (GuestdTristate t)
{
  return t == GUESTD_TRISTATE_YES ? "on" : t == GUESTD_TRISTATE_NO ? "off" : NULL;
}

static gboolean
is_live (const Fmt *f)
{
  return !(f->flags & GUESTD_DOMAIN_XML_INACTIVE);
}

static void
format_address (GString *out, int indent, const GuestdDeviceAddress *a)
{
  g_autoptr (GString) attrs = g_string_new (NULL);

  if (a->type == GUESTD_ADDR_NONE)
    return;
  ENUM_ATTR (attrs, "type", guestd_address_type, a->type);
  switch (a->type)
    {
    case GUESTD_ADDR_PCI:
      ATTRF (attrs, "domain", "0x%04x", a->pci.domain);
      ATTRF (attrs, "bus", "0x%02x", a->pci.bus);
      ATTRF (attrs, "slot", "0x%02x", a->pci.slot);
      ATTRF (attrs, "function", "0x%x", a->pci.function);
      ATTR (attrs, "multifunction", onoff (a->pci.multifunction));
      break;
    case GUESTD_ADDR_DRIVE:
      ATTRF (attrs, "controller", "%u", a->drive.controller);
      ATTRF (attrs, "bus", "%u", a->drive.bus);
      ATTRF (attrs, "target", "%u", a->drive.target);
      ATTRF (attrs, "unit", "%u", a->drive.unit);
      break;
    case GUESTD_ADDR_USB:
      ATTRF (attrs, "bus", "%u", a->usb.bus);
      ATTR (attrs, "port", a->usb.port);
      break;
    case GUESTD_ADDR_VIRTIO_SERIAL:
      ATTRF (attrs, "controller", "%u", a->vioser.controller);
      ATTRF (attrs, "bus", "%u", a->vioser.bus);
      ATTRF (attrs, "port", "%u", a->vioser.port);
      break;
    case GUESTD_ADDR_ISA:
      if (a->isa.has_iobase)
        ATTRF (attrs, "iobase", "0x%x", a->isa.iobase);
      if (a->isa.has_irq)
        ATTRF (attrs, "irq", "0x%x", a->isa.irq);
      break;
    default:
      break;
    }
  guestd_xml_add_element (out, indent, "address", attrs, NULL);
}

/* Boot order goes before the alias and the address, as in libvirt. */
static void
format_boot_order (GString *out, int indent, const GuestdDeviceInfo *info)
{
  g_autoptr (GString) attrs = g_string_new (NULL);

  if (info->boot_order == 0)
    return;
  ATTRF (attrs, "order", "%u", info->boot_order);
  guestd_xml_add_element (out, indent, "boot", attrs, NULL);
}

static void
format_alias_address (const Fmt *f, GString *out, int indent,
                      const GuestdDeviceInfo *info)
{
  if (info->alias != NULL
      && (is_live (f) || g_str_has_prefix (info->alias, "ua-")))
    {
      g_autoptr (GString) attrs = g_string_new (NULL);

      ATTR (attrs, "name", info->alias);
      guestd_xml_add_element (out, indent, "alias", attrs, NULL);
    }
  format_address (out, indent, &info->addr);
}

static void
format_disk (const Fmt *f, GString *out, const GuestdDiskDef *d)
{
  g_autoptr (GString) attrs = g_string_new (NULL);
  g_autoptr (GString) kids = g_string_new (NULL);
  g_autoptr (GString) a = g_string_new (NULL);

  ENUM_ATTR (attrs, "type", guestd_disk_type, d->type);
  ENUM_ATTR (attrs, "device", guestd_disk_device, d->device);

  if (d->has_driver)
    {
      ATTR (a, "name", d->driver_name);
      ENUM_ATTR (a, "type", guestd_disk_format, d->format);
      ENUM_ATTR (a, "cache", guestd_disk_cache, d->cache);
      ENUM_ATTR (a, "io", guestd_disk_io, d->io);
      ENUM_ATTR (a, "discard", guestd_disk_discard, d->discard);
      ENUM_ATTR (a, "detect_zeroes", guestd_disk_detect_zeroes,
                 d->detect_zeroes);
      guestd_xml_add_element (kids, 6, "driver", a, NULL);
      g_string_truncate (a, 0);
    }
  if (d->src != NULL)
    {
      ATTR (a, d->type == GUESTD_DISK_TYPE_BLOCK ? "dev" : "file", d->src);
      guestd_xml_add_element (kids, 6, "source", a, NULL);
      g_string_truncate (a, 0);
    }
  ATTR (a, "dev", d->target);
  ENUM_ATTR (a, "bus", guestd_disk_bus, d->bus);
  ENUM_ATTR (a, "tray", guestd_disk_tray, d->tray);
  ATTR (a, "removable", onoff (d->removable));
  guestd_xml_add_element (kids, 6, "target", a, NULL);
  format_boot_order (kids, 6, &d->info);
  if (d->readonly)
    guestd_xml_add_element (kids, 6, "readonly", NULL, NULL);
  if (d->shareable)
    guestd_xml_add_element (kids, 6, "shareable", NULL, NULL);
  if (d->transient)
    guestd_xml_add_element (kids, 6, "transient", NULL, NULL);
  guestd_xml_add_text_element (kids, 6, "serial", NULL, d->serial);
  format_alias_address (f, kids, 6, &d->info);
  guestd_xml_add_element (out, 4, "disk", attrs, kids);
}

static void
format_controller (const Fmt *f, GString *out, const GuestdControllerDef *c)
{
  g_autoptr (GString) attrs = g_string_new (NULL);
  g_autoptr (GString) kids = g_string_new (NULL);
  g_autoptr (GString) a = g_string_new (NULL);

  ENUM_ATTR (attrs, "type", guestd_controller_type, c->type);
  ATTRF (attrs, "index", "%d", c->index);
  ATTR (attrs, "model", c->model);
  if (c->ports > 0)
    ATTRF (attrs, "ports", "%u", c->ports);
  if (c->vectors > 0)
    ATTRF (attrs, "vectors", "%u", c->vectors);
  if (c->model_name != NULL)
    {
      ATTR (a, "name", c->model_name);
      guestd_xml_add_element (kids, 6, "model", a, NULL);
      g_string_truncate (a, 0);
    }
  if (c->target_chassis >= 0)
    ATTRF (a, "chassis", "%d", c->target_chassis);
  if (c->target_port >= 0)
    ATTRF (a, "port", "0x%x", c->target_port);
  if (c->target_bus_nr >= 0)
    ATTRF (a, "busNr", "%d", c->target_bus_nr);
  if (a->len > 0)
    {
      guestd_xml_add_element (kids, 6, "target", a, NULL);
      g_string_truncate (a, 0);
    }
  if (c->queues > 0)
    {
      ATTRF (a, "queues", "%u", c->queues);
      guestd_xml_add_element (kids, 6, "driver", a, NULL);
      g_string_truncate (a, 0);
    }
  if (c->master_startport >= 0)
    {
      ATTRF (a, "startport", "%d", c->master_startport);
      guestd_xml_add_element (kids, 6, "master", a, NULL);
    }
  format_alias_address (f, kids, 6, &c->info);
  guestd_xml_add_element (out, 4, "controller", attrs, kids);
}

static void
format_interface (const Fmt *f, GString *out, const GuestdNetDef *n)
{
  g_autoptr (GString) attrs = g_string_new (NULL);
  g_autoptr (GString) kids = g_string_new (NULL);
  g_autoptr (GString) a = g_string_new (NULL);

  ENUM_ATTR (attrs, "type", guestd_net_type, n->type);
  if (n->mac[0] != '\0')
    {
      ATTR (a, "address", n->mac);
      guestd_xml_add_element (kids, 6, "mac", a, NULL);
      g_string_truncate (a, 0);
    }
  if (n->source != NULL)
    {
      ATTR (a, n->type == GUESTD_NET_NETWORK ? "network" : "bridge",
            n->source);
      guestd_xml_add_element (kids, 6, "source", a, NULL);
      g_string_truncate (a, 0);
    }
  if (n->target_dev != NULL)
    {
      ATTR (a, "dev", n->target_dev);
      guestd_xml_add_element (kids, 6, "target", a, NULL);
      g_string_truncate (a, 0);
    }
  if (n->model != NULL)
    {
      ATTR (a, "type", n->model);
      guestd_xml_add_element (kids, 6, "model", a, NULL);
      g_string_truncate (a, 0);
    }
  if (n->driver_name != NULL)
    {
      ATTR (a, "name", n->driver_name);
      guestd_xml_add_element (kids, 6, "driver", a, NULL);
      g_string_truncate (a, 0);
    }
  if (n->link != GUESTD_LINK_NONE)
    {
      ENUM_ATTR (a, "state", guestd_link_state, n->link);
      guestd_xml_add_element (kids, 6, "link", a, NULL);
      g_string_truncate (a, 0);
    }
  if (n->mtu > 0)
    {
      ATTRF (a, "size", "%u", n->mtu);
      guestd_xml_add_element (kids, 6, "mtu", a, NULL);
    }
  format_boot_order (kids, 6, &n->info);
  format_alias_address (f, kids, 6, &n->info);
  guestd_xml_add_element (out, 4, "interface", attrs, kids);
}

static void
format_chr_source (const Fmt *f, GString *kids, const GuestdChrDef *c)
{
  g_autoptr (GString) a = g_string_new (NULL);

  switch (c->type)
    {
    case GUESTD_CHR_PTY:
      if (c->path == NULL || !is_live (f))
        return;
      ATTR (a, "path", c->path);
      break;
    case GUESTD_CHR_FILE:
      ATTR (a, "path", c->path);
      ATTR (a, "append", onoff (c->append));
      break;
    case GUESTD_CHR_DEV:
    case GUESTD_CHR_PIPE:
      ATTR (a, "path", c->path);
      break;
    case GUESTD_CHR_UNIX:
      ENUM_ATTR (a, "mode", guestd_chr_mode, c->mode);
      ATTR (a, "path", c->path);
      break;
    case GUESTD_CHR_TCP:
      ENUM_ATTR (a, "mode", guestd_chr_mode, c->mode);
      ATTR (a, "host", c->host);
      ATTR (a, "service", c->service);
      break;
    case GUESTD_CHR_SPICEPORT:
      ATTR (a, "channel", c->channel);
      break;
    default:
      return;
    }
  guestd_xml_add_element (kids, 6, "source", a, NULL);
  if (c->type == GUESTD_CHR_TCP && c->protocol != GUESTD_CHR_PROTOCOL_NONE)
    {
      g_string_truncate (a, 0);
      ENUM_ATTR (a, "type", guestd_chr_protocol, c->protocol);
      guestd_xml_add_element (kids, 6, "protocol", a, NULL);
    }
}

static void
format_chr (const Fmt *f, GString *out, const GuestdChrDef *c)
{
  g_autoptr (GString) attrs = g_string_new (NULL);
  g_autoptr (GString) kids = g_string_new (NULL);
  g_autoptr (GString) a = g_string_new (NULL);
  g_autoptr (GString) tk = g_string_new (NULL);

  ENUM_ATTR (attrs, "type", guestd_chr_type, c->type);
  if (c->type == GUESTD_CHR_PTY && c->path != NULL && is_live (f))
    ATTR (attrs, "tty", c->path);
  format_chr_source (f, kids, c);

  ENUM_ATTR (a, "type", guestd_chr_target_type, c->target_type);
  ATTR (a, "name", c->target_name);
  ATTR (a, "address", c->target_address);
  if (c->target_port >= 0)
    ATTRF (a, "port", "%d", c->target_port);
  if (c->target_model != NULL)
    {
      g_autoptr (GString) ma = g_string_new (NULL);

      ATTR (ma, "name", c->target_model);
      guestd_xml_add_element (tk, 8, "model", ma, NULL);
    }
  if (a->len > 0 || tk->len > 0)
    guestd_xml_add_element (kids, 6, "target", a, tk);
  if (c->log_file != NULL)
    {
      g_string_truncate (a, 0);
      ATTR (a, "file", c->log_file);
      ATTR (a, "append", onoff (c->log_append));
      guestd_xml_add_element (kids, 6, "log", a, NULL);
    }
  format_alias_address (f, kids, 6, &c->info);
  guestd_xml_add_element (out, 4,
                          guestd_enum_to_string (&guestd_chr_device,
                                                 c->device),
                          attrs, kids);
}

static void
format_input (const Fmt *f, GString *out, const GuestdInputDef *in)
{
  g_autoptr (GString) attrs = g_string_new (NULL);
  g_autoptr (GString) kids = g_string_new (NULL);

  ENUM_ATTR (attrs, "type", guestd_input_type, in->type);
  ENUM_ATTR (attrs, "bus", guestd_input_bus, in->bus);
  format_alias_address (f, kids, 6, &in->info);
  guestd_xml_add_element (out, 4, "input", attrs, kids);
}

static void
format_graphics (const Fmt *f, GString *out, const GuestdGraphicsDef *g)
{
  g_autoptr (GString) attrs = g_string_new (NULL);
  g_autoptr (GString) kids = g_string_new (NULL);
  g_autoptr (GString) a = g_string_new (NULL);
  gboolean remote = g->type == GUESTD_GRAPHICS_VNC
                    || g->type == GUESTD_GRAPHICS_SPICE;
  gboolean autoport = g->autoport == GUESTD_TRISTATE_YES;

  ENUM_ATTR (attrs, "type", guestd_graphics_type, g->type);
  if (remote)
    {
      /* A definition with autoport shows no port: one is chosen at each
       * start, and the live XML shows it. */
      gboolean hide = autoport && !is_live (f);

      if (g->listen_type != GUESTD_LISTEN_SOCKET
          && g->listen_type != GUESTD_LISTEN_NONE)
        {
          ATTRF (attrs, "port", "%d", hide ? -1 : g->port);
          if (g->type == GUESTD_GRAPHICS_SPICE)
            ATTRF (attrs, "tlsPort", "%d", hide ? -1 : g->tls_port);
        }
      if (g->type == GUESTD_GRAPHICS_VNC && g->websocket != 0)
        ATTRF (attrs, "websocket", "%d", g->websocket);
      ATTR (attrs, "autoport", yesno (g->autoport));
      if (g->listen_type == GUESTD_LISTEN_ADDRESS)
        ATTR (attrs, "listen", g->listen);
      ATTR (attrs, "keymap", g->keymap);
      if (f->flags & GUESTD_DOMAIN_XML_SECURE)
        ATTR (attrs, "passwd", g->passwd);

      if (g->listen_type != GUESTD_LISTEN_NONE_GIVEN)
        {
          ENUM_ATTR (a, "type", guestd_listen_type, g->listen_type);
          if (g->listen_type == GUESTD_LISTEN_ADDRESS)
            ATTR (a, "address", g->listen);
          else if (g->listen_type == GUESTD_LISTEN_SOCKET)
            ATTR (a, "socket", g->listen);
          guestd_xml_add_element (kids, 6, "listen", a, NULL);
          g_string_truncate (a, 0);
        }
    }
  if (g->image_compression != GUESTD_SPICE_IMAGE_NONE)
    {
      ENUM_ATTR (a, "compression", guestd_spice_image, g->image_compression);
      guestd_xml_add_element (kids, 6, "image", a, NULL);
      g_string_truncate (a, 0);
    }
  if (g->gl != GUESTD_TRISTATE_ABSENT)
    {
      ATTR (a, "enable", yesno (g->gl));
      guestd_xml_add_element (kids, 6, "gl", a, NULL);
    }
  guestd_xml_add_element (out, 4, "graphics", attrs, kids);
}

static void
format_sound (const Fmt *f, GString *out, const GuestdSoundDef *s)
{
  g_autoptr (GString) attrs = g_string_new (NULL);
  g_autoptr (GString) kids = g_string_new (NULL);

  ENUM_ATTR (attrs, "model", guestd_sound_model, s->model);
  for (guint i = 0; i < s->codecs->len; i++)
    {
      g_autoptr (GString) a = g_string_new (NULL);

      ENUM_ATTR (a, "type", guestd_sound_codec,
                 g_array_index (s->codecs, GuestdSoundCodec, i));
      guestd_xml_add_element (kids, 6, "codec", a, NULL);
    }
  format_alias_address (f, kids, 6, &s->info);
  guestd_xml_add_element (out, 4, "sound", attrs, kids);
}

static void
format_video (const Fmt *f, GString *out, const GuestdVideoDef *v)
{
  g_autoptr (GString) kids = g_string_new (NULL);
  g_autoptr (GString) a = g_string_new (NULL);
  g_autoptr (GString) mk = g_string_new (NULL);

  ENUM_ATTR (a, "type", guestd_video_model, v->model);
  if (v->ram)
    ATTRF (a, "ram", "%u", v->ram);
  if (v->vram)
    ATTRF (a, "vram", "%u", v->vram);
  if (v->vram64)
    ATTRF (a, "vram64", "%u", v->vram64);
  if (v->vgamem)
    ATTRF (a, "vgamem", "%u", v->vgamem);
  if (v->heads)
    ATTRF (a, "heads", "%u", v->heads);
  ATTR (a, "primary", yesno (v->primary));
  if (v->accel3d != GUESTD_TRISTATE_ABSENT)
    {
      g_autoptr (GString) aa = g_string_new (NULL);

      ATTR (aa, "accel3d", yesno (v->accel3d));
      guestd_xml_add_element (mk, 8, "acceleration", aa, NULL);
    }
  guestd_xml_add_element (kids, 6, "model", a, mk);
  format_alias_address (f, kids, 6, &v->info);
  guestd_xml_add_element (out, 4, "video", NULL, kids);
}

static void
format_redirdev (const Fmt *f, GString *out, const GuestdRedirdevDef *r)
{
  g_autoptr (GString) attrs = g_string_new (NULL);
  g_autoptr (GString) kids = g_string_new (NULL);

  ATTR (attrs, "bus", "usb");
  ENUM_ATTR (attrs, "type", guestd_chr_type, r->type);
  if (r->type == GUESTD_CHR_TCP)
    {
      g_autoptr (GString) a = g_string_new (NULL);

      ATTR (a, "mode", "connect");
      ATTR (a, "host", r->host);
      ATTR (a, "service", r->service);
      guestd_xml_add_element (kids, 6, "source", a, NULL);
    }
  format_boot_order (kids, 6, &r->info);
  format_alias_address (f, kids, 6, &r->info);
  guestd_xml_add_element (out, 4, "redirdev", attrs, kids);
}

static void
format_watchdog (const Fmt *f, GString *out, const GuestdWatchdogDef *w)
{
  g_autoptr (GString) attrs = g_string_new (NULL);
  g_autoptr (GString) kids = g_string_new (NULL);

  ENUM_ATTR (attrs, "model", guestd_watchdog_model, w->model);
  ENUM_ATTR (attrs, "action", guestd_watchdog_action, w->action);
  format_alias_address (f, kids, 6, &w->info);
  guestd_xml_add_element (out, 4, "watchdog", attrs, kids);
}

static void
format_memballoon (const Fmt *f, GString *out, const GuestdBalloonDef *b)
{
  g_autoptr (GString) attrs = g_string_new (NULL);
  g_autoptr (GString) kids = g_string_new (NULL);

  ENUM_ATTR (attrs, "model", guestd_balloon_model, b->model);
  ATTR (attrs, "autodeflate", onoff (b->autodeflate));
  ATTR (attrs, "freePageReporting", onoff (b->free_page_reporting));
  if (b->stats_period > 0)
    {
      g_autoptr (GString) a = g_string_new (NULL);

      ATTRF (a, "period", "%u", b->stats_period);
      guestd_xml_add_element (kids, 6, "stats", a, NULL);
    }
  format_alias_address (f, kids, 6, &b->info);
  guestd_xml_add_element (out, 4, "memballoon", attrs, kids);
}

static void
format_rng (const Fmt *f, GString *out, const GuestdRngDef *r)
{
  g_autoptr (GString) attrs = g_string_new (NULL);
  g_autoptr (GString) kids = g_string_new (NULL);
  g_autoptr (GString) a = g_string_new (NULL);

  ATTR (attrs, "model", r->model);
  if (r->rate_bytes > 0)
    {
      ATTRF (a, "bytes", "%u", r->rate_bytes);
      if (r->rate_period > 0)
        ATTRF (a, "period", "%u", r->rate_period);
      guestd_xml_add_element (kids, 6, "rate", a, NULL);
      g_string_truncate (a, 0);
    }
  ENUM_ATTR (a, "model", guestd_rng_backend, r->backend);
  if (r->backend == GUESTD_RNG_BACKEND_RANDOM)
    guestd_xml_add_text_element (kids, 6, "backend", a, r->device);
  else
    guestd_xml_add_element (kids, 6, "backend", a, NULL);
  format_alias_address (f, kids, 6, &r->info);
  guestd_xml_add_element (out, 4, "rng", attrs, kids);
}

static void
format_devices (const Fmt *f, const GuestdDomainDef *def)
{
  g_autoptr (GString) kids = g_string_new (NULL);

  guestd_xml_add_text_element (kids, 4, "emulator", NULL, def->emulator);
  for (guint i = 0; i < def->disks->len; i++)
    format_disk (f, kids, def->disks->pdata[i]);
  for (guint i = 0; i < def->controllers->len; i++)
    format_controller (f, kids, def->controllers->pdata[i]);
  for (guint i = 0; i < def->nets->len; i++)
    format_interface (f, kids, def->nets->pdata[i]);
  for (guint i = 0; i < def->serials->len; i++)
    format_chr (f, kids, def->serials->pdata[i]);
  for (guint i = 0; i < def->parallels->len; i++)
    format_chr (f, kids, def->parallels->pdata[i]);
  for (guint i = 0; i < def->consoles->len; i++)
    format_chr (f, kids, def->consoles->pdata[i]);
  for (guint i = 0; i < def->channels->len; i++)
    format_chr (f, kids, def->channels->pdata[i]);
  for (guint i = 0; i < def->inputs->len; i++)
    format_input (f, kids, def->inputs->pdata[i]);
  for (guint i = 0; i < def->graphics->len; i++)
    format_graphics (f, kids, def->graphics->pdata[i]);
  for (guint i = 0; i < def->sounds->len; i++)
    format_sound (f, kids, def->sounds->pdata[i]);
  for (guint i = 0; i < def->videos->len; i++)
    format_video (f, kids, def->videos->pdata[i]);
  for (guint i = 0; i < def->redirdevs->len; i++)
    format_redirdev (f, kids, def->redirdevs->pdata[i]);
  for (guint i = 0; i < def->watchdogs->len; i++)
    format_watchdog (f, kids, def->watchdogs->pdata[i]);
  if (def->memballoon != NULL)
    format_memballoon (f, kids, def->memballoon);
  for (guint i = 0; i < def->rngs->len; i++)
    format_rng (f, kids, def->rngs->pdata[i]);
  guestd_xml_add_element (f->out, 2, "devices", NULL, kids);
}

static void
format_metadata (const Fmt *f, const GuestdDomainDef *def)
{
  xmlNode *root = xmlDocGetRootElement (def->metadata);
  xmlBuffer *buf = xmlBufferCreate ();

  /* xmlNodeDump indents children relative to the level it is given. */
  g_string_append (f->out, "  ");
  xmlNodeDump (buf, def->metadata, root, 1, 1);
  g_string_append_len (f->out, (const char *) xmlBufferContent (buf),
                       xmlBufferLength (buf));
  g_string_append_c (f->out, '\n');
  xmlBufferFree (buf);
}

static void
format_memory (const Fmt *f, const char *name, guint64 kib, guint slots)
{
  g_autoptr (GString) a = g_string_new (NULL);
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, kib);

  if (slots > 0)
    ATTRF (a, "slots", "%u", slots);
  ATTR (a, "unit", "KiB");
  guestd_xml_add_text_element (f->out, 2, name, a, text);
}

static void
format_os (const Fmt *f, const GuestdDomainDef *def)
{
  const GuestdOsDef *o = &def->os;
  g_autoptr (GString) attrs = g_string_new (NULL);
  g_autoptr (GString) kids = g_string_new (NULL);
  g_autoptr (GString) a = g_string_new (NULL);

  ENUM_ATTR (attrs, "firmware", guestd_firmware, o->firmware);
  ATTR (a, "arch", o->arch);
  ATTR (a, "machine", o->machine);
  guestd_xml_add_text_element (kids, 4, "type", a, o->type);
  g_string_truncate (a, 0);
  if (o->loader != NULL)
    {
      ATTR (a, "readonly", yesno (o->loader_readonly));
      ATTR (a, "secure", yesno (o->loader_secure));
      ENUM_ATTR (a, "type", guestd_loader_type, o->loader_type);
      guestd_xml_add_text_element (kids, 4, "loader", a, o->loader);
      g_string_truncate (a, 0);
    }
  if (o->nvram != NULL || o->nvram_template != NULL)
    {
      ATTR (a, "template", o->nvram_template);
      if (o->nvram != NULL)
        guestd_xml_add_text_element (kids, 4, "nvram", a, o->nvram);
      else
        guestd_xml_add_element (kids, 4, "nvram", a, NULL);
      g_string_truncate (a, 0);
    }
  guestd_xml_add_text_element (kids, 4, "kernel", NULL, o->kernel);
  guestd_xml_add_text_element (kids, 4, "initrd", NULL, o->initrd);
  guestd_xml_add_text_element (kids, 4, "cmdline", NULL, o->cmdline);
  guestd_xml_add_text_element (kids, 4, "dtb", NULL, o->dtb);
  for (guint i = 0; i < o->n_boot; i++)
    {
      ENUM_ATTR (a, "dev", guestd_boot_dev, o->boot[i]);
      guestd_xml_add_element (kids, 4, "boot", a, NULL);
      g_string_truncate (a, 0);
    }
  if (o->bootmenu != GUESTD_TRISTATE_ABSENT)
    {
      ATTR (a, "enable", yesno (o->bootmenu));
      if (o->bootmenu_timeout >= 0)
        ATTRF (a, "timeout", "%d", o->bootmenu_timeout);
      guestd_xml_add_element (kids, 4, "bootmenu", a, NULL);
      g_string_truncate (a, 0);
    }
  if (o->bios_useserial != GUESTD_TRISTATE_ABSENT || o->has_reboot_timeout)
    {
      ATTR (a, "useserial", yesno (o->bios_useserial));
      if (o->has_reboot_timeout)
        ATTRF (a, "rebootTimeout", "%d", o->reboot_timeout);
      guestd_xml_add_element (kids, 4, "bios", a, NULL);
    }
  guestd_xml_add_element (f->out, 2, "os", attrs, kids);
}

static void
format_state (GString *out, int indent, const char *name, GuestdTristate t)
{
  g_autoptr (GString) a = g_string_new (NULL);

  if (t == GUESTD_TRISTATE_ABSENT)
    return;
  ATTR (a, "state", onoff (t));
  guestd_xml_add_element (out, indent, name, a, NULL);
}

static void
format_features (const Fmt *f, const GuestdDomainDef *def)
{
  const GuestdFeaturesDef *ft = &def->features;
  g_autoptr (GString) kids = g_string_new (NULL);

  if (!def->has_features)
    return;
  if (ft->acpi)
    guestd_xml_add_element (kids, 4, "acpi", NULL, NULL);
  if (ft->apic)
    guestd_xml_add_element (kids, 4, "apic", NULL, NULL);
  if (ft->pae)
    guestd_xml_add_element (kids, 4, "pae", NULL, NULL);
  if (ft->has_hyperv)
    {
      g_autoptr (GString) hk = g_string_new (NULL);
      g_autoptr (GString) ha = g_string_new (NULL);

      ATTR (ha, "mode", "custom");
      for (int i = 0; i < GUESTD_HYPERV_LAST; i++)
        {
          g_autoptr (GString) a = g_string_new (NULL);

          if (ft->hyperv[i] == GUESTD_TRISTATE_ABSENT)
            continue;
          ATTR (a, "state", onoff (ft->hyperv[i]));
          if (i == GUESTD_HYPERV_SPINLOCKS
              && ft->hyperv[i] == GUESTD_TRISTATE_YES)
            ATTRF (a, "retries", "%u", ft->hyperv_spinlock_retries);
          if (i == GUESTD_HYPERV_VENDOR_ID
              && ft->hyperv[i] == GUESTD_TRISTATE_YES)
            ATTR (a, "value", ft->hyperv_vendor_id);
          guestd_xml_add_element (hk, 6,
                                  guestd_enum_to_string (&guestd_hyperv_feature,
                                                         i),
                                  a, NULL);
        }
      guestd_xml_add_element (kids, 4, "hyperv", ha, hk);
    }
  if (ft->kvm_hidden != GUESTD_TRISTATE_ABSENT)
    {
      g_autoptr (GString) kk = g_string_new (NULL);

      format_state (kk, 6, "hidden", ft->kvm_hidden);
      guestd_xml_add_element (kids, 4, "kvm", NULL, kk);
    }
  format_state (kids, 4, "vmport", ft->vmport);
  format_state (kids, 4, "smm", ft->smm);
  guestd_xml_add_element (f->out, 2, "features", NULL, kids);
}

static void
format_cpu (const Fmt *f, const GuestdDomainDef *def)
{
  const GuestdCpuDef *cpu = &def->cpu;
  g_autoptr (GString) attrs = g_string_new (NULL);
  g_autoptr (GString) kids = g_string_new (NULL);
  g_autoptr (GString) a = g_string_new (NULL);

  if (!cpu->present)
    return;
  ENUM_ATTR (attrs, "mode", guestd_cpu_mode, cpu->mode);
  ENUM_ATTR (attrs, "match", guestd_cpu_match, cpu->match);
  ENUM_ATTR (attrs, "check", guestd_cpu_check, cpu->check);
  ATTR (attrs, "migratable", onoff (cpu->migratable));
  if (cpu->model != NULL)
    {
      ENUM_ATTR (a, "fallback", guestd_cpu_fallback, cpu->fallback);
      guestd_xml_add_text_element (kids, 4, "model", a, cpu->model);
      g_string_truncate (a, 0);
    }
  guestd_xml_add_text_element (kids, 4, "vendor", NULL, cpu->vendor);
  if (cpu->sockets > 0)
    {
      ATTRF (a, "sockets", "%u", cpu->sockets);
      ATTRF (a, "dies", "%u", cpu->dies);
      ATTRF (a, "cores", "%u", cpu->cores);
      ATTRF (a, "threads", "%u", cpu->threads);
      guestd_xml_add_element (kids, 4, "topology", a, NULL);
      g_string_truncate (a, 0);
    }
  for (guint i = 0; i < cpu->features->len; i++)
    {
      const GuestdCpuFeature *ft
        = &g_array_index (cpu->features, GuestdCpuFeature, i);

      ENUM_ATTR (a, "policy", guestd_cpu_policy, ft->policy);
      ATTR (a, "name", ft->name);
      guestd_xml_add_element (kids, 4, "feature", a, NULL);
      g_string_truncate (a, 0);
    }
  guestd_xml_add_element (f->out, 2, "cpu", attrs, kids);
}

static void
format_clock (const Fmt *f, const GuestdDomainDef *def)
{
  const GuestdClockDef *c = &def->clock;
  g_autoptr (GString) attrs = g_string_new (NULL);
  g_autoptr (GString) kids = g_string_new (NULL);

  ENUM_ATTR (attrs, "offset", guestd_clock_offset, c->offset);
  ATTR (attrs, "timezone", c->timezone);
  if (c->has_adjustment)
    ATTRF (attrs, "adjustment", "%" G_GINT64_FORMAT, c->adjustment);
  ENUM_ATTR (attrs, "basis", guestd_clock_basis, c->basis);
  for (guint i = 0; i < c->timers->len; i++)
    {
      const GuestdTimerDef *t = &g_array_index (c->timers, GuestdTimerDef, i);
      g_autoptr (GString) a = g_string_new (NULL);

      ENUM_ATTR (a, "name", guestd_timer_name, t->name);
      ENUM_ATTR (a, "tickpolicy", guestd_tickpolicy, t->tickpolicy);
      ENUM_ATTR (a, "track", guestd_timer_track, t->track);
      ATTR (a, "present", yesno (t->present));
      guestd_xml_add_element (kids, 4, "timer", a, NULL);
    }
  guestd_xml_add_element (f->out, 2, "clock", attrs, kids);
}

static void
format_pm (const Fmt *f, const GuestdDomainDef *def)
{
  g_autoptr (GString) kids = g_string_new (NULL);
  g_autoptr (GString) a = g_string_new (NULL);

  if (def->pm_suspend_to_mem != GUESTD_TRISTATE_ABSENT)
    {
      ATTR (a, "enabled", yesno (def->pm_suspend_to_mem));
      guestd_xml_add_element (kids, 4, "suspend-to-mem", a, NULL);
      g_string_truncate (a, 0);
    }
  if (def->pm_suspend_to_disk != GUESTD_TRISTATE_ABSENT)
    {
      ATTR (a, "enabled", yesno (def->pm_suspend_to_disk));
      guestd_xml_add_element (kids, 4, "suspend-to-disk", a, NULL);
    }
  if (kids->len > 0)
    guestd_xml_add_element (f->out, 2, "pm", NULL, kids);
}

static void
format_qemu_commandline (const Fmt *f, const GuestdDomainDef *def)
{
  g_autoptr (GString) kids = g_string_new (NULL);

  if (def->qemu_args->len == 0 && def->qemu_env->len == 0)
    return;
  for (guint i = 0; i < def->qemu_args->len; i++)
    {
      g_autoptr (GString) a = g_string_new (NULL);

      ATTR (a, "value", def->qemu_args->pdata[i]);
      guestd_xml_add_element (kids, 4, "qemu:arg", a, NULL);
    }
  for (guint i = 0; i < def->qemu_env->len; i++)
    {
      const GuestdQemuEnv *env = def->qemu_env->pdata[i];
      g_autoptr (GString) a = g_string_new (NULL);

      ATTR (a, "name", env->name);
      ATTR (a, "value", env->value);
      guestd_xml_add_element (kids, 4, "qemu:env", a, NULL);
    }
  guestd_xml_add_element (f->out, 2, "qemu:commandline", NULL, kids);
}

static void
format_lifecycle (const Fmt *f, const char *name, GuestdLifecycleAction a)
{
  guestd_xml_add_text_element (f->out, 2, name, NULL,
                               guestd_enum_to_string (&guestd_lifecycle_action,
                                                      a));
}

char *
guestd_domain_def_format (const GuestdDomainDef *def,
                          GuestdDomainXmlFlags flags)
{
  g_autoptr (GString) out = g_string_sized_new (4096);
  g_autoptr (GString) attrs = g_string_new (NULL);
  Fmt f = { out, flags };
  g_autoptr (GString) a = g_string_new (NULL);

  ENUM_ATTR (attrs, "type", guestd_virt_type, def->virt_type);
  if (def->id >= 0 && is_live (&f))
    ATTRF (attrs, "id", "%d", def->id);
  if (def->qemu_args->len > 0 || def->qemu_env->len > 0)
    ATTR (attrs, "xmlns:qemu", GUESTD_QEMU_NS_HREF);
  g_string_append_c (out, '<');
  g_string_append (out, "domain");
  g_string_append_len (out, attrs->str, attrs->len);
  g_string_append (out, ">\n");

  guestd_xml_add_text_element (out, 2, "name", NULL, def->name);
  if (def->uuid[0] != '\0')
    guestd_xml_add_text_element (out, 2, "uuid", NULL, def->uuid);
  guestd_xml_add_text_element (out, 2, "title", NULL, def->title);
  guestd_xml_add_text_element (out, 2, "description", NULL,
                               def->description);
  if (def->metadata != NULL)
    format_metadata (&f, def);
  if (def->max_memory_kib > 0)
    format_memory (&f, "maxMemory", def->max_memory_kib,
                   def->max_memory_slots);
  format_memory (&f, "memory", def->memory_kib, 0);
  format_memory (&f, "currentMemory", guestd_domain_def_current_memory (def),
                 0);

  ENUM_ATTR (a, "placement", guestd_vcpu_placement, def->vcpu_placement);
  ATTR (a, "cpuset", def->cpuset);
  if (def->vcpus_current > 0 && def->vcpus_current != def->vcpus)
    ATTRF (a, "current", "%u", def->vcpus_current);
  {
    g_autofree char *n = g_strdup_printf ("%u", def->vcpus);

    guestd_xml_add_text_element (out, 2, "vcpu", a, n);
  }

  format_os (&f, def);
  format_features (&f, def);
  format_cpu (&f, def);
  format_clock (&f, def);
  format_lifecycle (&f, "on_poweroff", def->on_poweroff);
  format_lifecycle (&f, "on_reboot", def->on_reboot);
  format_lifecycle (&f, "on_crash", def->on_crash);
  format_pm (&f, def);
  format_devices (&f, def);
  format_qemu_commandline (&f, def);
  g_string_append (out, "</domain>\n");
  return g_string_free (g_steal_pointer (&out), FALSE);
}
