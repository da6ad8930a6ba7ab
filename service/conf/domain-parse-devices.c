/* Domain XML → model: everything inside <devices>. */
#include "config.h"

#include "domain-parse-priv.h"

#include "util/error.h"
#include "util/i18n.h"

static const char *const usb_models[] = {
  "piix3-uhci", "piix4-uhci", "ehci", "ich9-ehci1", "ich9-uhci1",
  "ich9-uhci2", "ich9-uhci3", "vt82c686b-uhci", "pci-ohci", "nec-xhci",
  "qemu-xhci", "none", NULL
};
static const char *const pci_models[] = {
  "pci-root", "pcie-root", "pci-bridge", "dmi-to-pci-bridge",
  "pcie-root-port", "pcie-switch-upstream-port",
  "pcie-switch-downstream-port", "pcie-to-pci-bridge", NULL
};
static const char *const scsi_models[] = {
  "virtio-scsi", "virtio-transitional", "virtio-non-transitional",
  "lsilogic", NULL
};
static const char *const ide_models[] = { "piix3", "piix4", "ich6", NULL };
static const char *const virtio_models[] = {
  "virtio", "virtio-transitional", "virtio-non-transitional", NULL
};
static const char *const no_models[] = { NULL };

static const char *const *
controller_models (GuestdControllerType type)
{
  switch (type)
    {
    case GUESTD_CONTROLLER_USB:
      return usb_models;
    case GUESTD_CONTROLLER_PCI:
      return pci_models;
    case GUESTD_CONTROLLER_SCSI:
      return scsi_models;
    case GUESTD_CONTROLLER_IDE:
      return ide_models;
    case GUESTD_CONTROLLER_VIRTIO_SERIAL:
      return virtio_models;
    default:
      return no_models;
    }
}

static gboolean
check_model (xmlNode *node, const char *attr, const char *value,
             const char *const *models, GError **error)
{
  g_autofree char *list = NULL;

  if (value == NULL || g_strv_contains (models, value))
    return TRUE;
  list = models[0] != NULL ? g_strjoinv (", ", (char **) models)
                           : g_strdup (_("none; omit the attribute"));
  guestd_xml_error (error, node,
                    _("invalid value '%s' for attribute '%s' (expected one "
                      "of: %s)"),
                    value, attr, list);
  return FALSE;
}

static gboolean
parse_address (GuestdDomainParser *p, xmlNode *node,
               GuestdDeviceAddress *addr, GError **error)
{
  GuestdXmlReader *r = &p->r;
  int type = GUESTD_ADDR_NONE;

  if (!guestd_xml_attr_enum (r, node, "type", &guestd_address_type, &type,
                             error))
    return FALSE;
  addr->type = type;
  switch (addr->type)
    {
    case GUESTD_ADDR_NONE:
      guestd_xml_error (error, node,
                        _("attribute 'type' is required (pci, drive, usb, "
                          "virtio-serial or isa)"));
      return FALSE;
    case GUESTD_ADDR_PCI:
      return guestd_xml_attr_uint (r, node, "domain", 0xffff,
                                   &addr->pci.domain, NULL, error)
             && guestd_xml_attr_uint (r, node, "bus", 0xff, &addr->pci.bus,
                                      NULL, error)
             && guestd_xml_attr_uint (r, node, "slot", 0x1f,
                                      &addr->pci.slot, NULL, error)
             && guestd_xml_attr_uint (r, node, "function", 7,
                                      &addr->pci.function, NULL, error)
             && guestd_xml_attr_onoff (r, node, "multifunction",
                                       &addr->pci.multifunction, error);
    case GUESTD_ADDR_DRIVE:
      return guestd_xml_attr_uint (r, node, "controller", 255,
                                   &addr->drive.controller, NULL, error)
             && guestd_xml_attr_uint (r, node, "bus", 255, &addr->drive.bus,
                                      NULL, error)
             && guestd_xml_attr_uint (r, node, "target", 255,
                                      &addr->drive.target, NULL, error)
             && guestd_xml_attr_uint (r, node, "unit", 16383,
                                      &addr->drive.unit, NULL, error);
    case GUESTD_ADDR_USB:
      {
        const char *port = guestd_xml_attr (r, node, "port");

        if (!guestd_xml_attr_uint (r, node, "bus", 255, &addr->usb.bus, NULL,
                                   error))
          return FALSE;
        if (port != NULL)
          {
            g_auto (GStrv) parts = g_strsplit (port, ".", 0);
            guint n = g_strv_length (parts);

            for (guint i = 0; i < n; i++)
              if (!g_ascii_string_to_unsigned (parts[i], 10, 1, 255, NULL,
                                               NULL))
                n = 0;
            if (n == 0 || n > 5)
              {
                guestd_xml_error (error, node,
                                  _("invalid USB port '%s' (expected e.g. "
                                    "'1' or '1.2')"),
                                  port);
                return FALSE;
              }
            addr->usb.port = g_strdup (port);
          }
        return TRUE;
      }
    case GUESTD_ADDR_VIRTIO_SERIAL:
      return guestd_xml_attr_uint (r, node, "controller", 255,
                                   &addr->vioser.controller, NULL, error)
             && guestd_xml_attr_uint (r, node, "bus", 255,
                                      &addr->vioser.bus, NULL, error)
             && guestd_xml_attr_uint (r, node, "port", 30,
                                      &addr->vioser.port, NULL, error);
    case GUESTD_ADDR_ISA:
      return guestd_xml_attr_uint (r, node, "iobase", 0xffff,
                                   &addr->isa.iobase, &addr->isa.has_iobase,
                                   error)
             && guestd_xml_attr_uint (r, node, "irq", 15, &addr->isa.irq,
                                      &addr->isa.has_irq, error);
    }
  return TRUE;
}

/* <alias>, <address> and (when @bootable) <boot order=…/>. */
static gboolean
parse_device_info (GuestdDomainParser *p, xmlNode *dev,
                   GuestdDeviceInfo *info, gboolean bootable, GError **error)
{
  GuestdXmlReader *r = &p->r;
  xmlNode *alias, *addr, *boot;

  if (!guestd_xml_child (r, dev, "alias", &alias, error)
      || !guestd_xml_child (r, dev, "address", &addr, error))
    return FALSE;
  if (alias != NULL)
    {
      const char *name;

      if (!guestd_xml_attr_required (r, alias, "name", &name, error))
        return FALSE;
      for (const char *c = name; *c != '\0'; c++)
        if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_' && *c != '.')
          {
            guestd_xml_error (error, alias,
                              _("invalid alias '%s' (letters, digits, '-', "
                                "'_' and '.' only)"),
                              name);
            return FALSE;
          }
      /* Aliases the service assigns are runtime state: a definition keeps
       * only the user's own, which libvirt marks with "ua-". */
      if (g_str_has_prefix (name, "ua-") || (p->flags & GUESTD_DOMAIN_XML_LIVE))
        info->alias = g_strdup (name);
    }
  if (addr != NULL && !parse_address (p, addr, &info->addr, error))
    return FALSE;
  if (!bootable)
    return TRUE;
  if (!guestd_xml_child (r, dev, "boot", &boot, error))
    return FALSE;
  if (boot != NULL)
    {
      gboolean has = FALSE;

      if (!guestd_xml_attr_uint (r, boot, "order", 65535, &info->boot_order,
                                 &has, error))
        return FALSE;
      if (!has || info->boot_order == 0)
        {
          guestd_xml_error (error, boot,
                            _("attribute 'order' (1 or more) is required"));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
parse_disk (GuestdDomainParser *p, GuestdDomainDef *def, xmlNode *node,
            GError **error)
{
  GuestdXmlReader *r = &p->r;
  GuestdDiskDef *disk = guestd_disk_def_new ();
  xmlNode *source, *driver, *target, *n;

  g_ptr_array_add (def->disks, disk);
  if (!guestd_xml_attr_enum (r, node, "type", &guestd_disk_type,
                             (int *) &disk->type, error)
      || !guestd_xml_attr_enum (r, node, "device", &guestd_disk_device,
                                (int *) &disk->device, error)
      || !parse_device_info (p, node, &disk->info, TRUE, error)
      || !guestd_xml_child (r, node, "source", &source, error)
      || !guestd_xml_child (r, node, "driver", &driver, error)
      || !guestd_xml_child (r, node, "target", &target, error))
    return FALSE;
  if (source != NULL)
    {
      const char *attr = disk->type == GUESTD_DISK_TYPE_BLOCK ? "dev" : "file";
      const char *other = disk->type == GUESTD_DISK_TYPE_BLOCK ? "file" : "dev";
      const char *startup = guestd_xml_attr (r, source, "startupPolicy");

      if (guestd_xml_attr (r, source, other) != NULL)
        {
          guestd_xml_error (error, source,
                            _("attribute '%s' does not go with disk "
                              "type='%s' (use '%s')"),
                            other,
                            guestd_enum_to_string (&guestd_disk_type,
                                                   disk->type),
                            attr);
          return FALSE;
        }
      if (startup != NULL)
        {
          guestd_xml_error (error, source,
                            _("attribute 'startupPolicy' is not supported"));
          return FALSE;
        }
      if (!guestd_xml_attr_string (r, source, attr, &disk->src, error))
        return FALSE;
      if (disk->src != NULL && !g_path_is_absolute (disk->src))
        {
          guestd_xml_error (error, source,
                            _("disk source '%s' must be an absolute path"),
                            disk->src);
          return FALSE;
        }
    }

  if (driver != NULL)
    {
      disk->has_driver = TRUE;
      if (!guestd_xml_attr_string (r, driver, "name", &disk->driver_name,
                                   error)
          || !guestd_xml_attr_enum (r, driver, "type", &guestd_disk_format,
                                    (int *) &disk->format, error)
          || !guestd_xml_attr_enum (r, driver, "cache", &guestd_disk_cache,
                                    (int *) &disk->cache, error)
          || !guestd_xml_attr_enum (r, driver, "io", &guestd_disk_io,
                                    (int *) &disk->io, error)
          || !guestd_xml_attr_enum (r, driver, "discard", &guestd_disk_discard,
                                    (int *) &disk->discard, error)
          || !guestd_xml_attr_enum (r, driver, "detect_zeroes",
                                    &guestd_disk_detect_zeroes,
                                    (int *) &disk->detect_zeroes, error))
        return FALSE;
      if (disk->driver_name != NULL
          && !g_str_equal (disk->driver_name, "qemu"))
        {
          guestd_xml_error (error, driver,
                            _("invalid driver name '%s' (QEMU disks use "
                              "'qemu')"),
                            disk->driver_name);
          return FALSE;
        }
    }

  if (target == NULL)
    {
      guestd_xml_error (error, node,
                        _("a <target dev='…'/> is required (e.g. vda)"));
      return FALSE;
    }
  if (!guestd_xml_attr_string (r, target, "dev", &disk->target, error)
      || !guestd_xml_attr_enum (r, target, "bus", &guestd_disk_bus,
                                (int *) &disk->bus, error)
      || !guestd_xml_attr_enum (r, target, "tray", &guestd_disk_tray,
                                (int *) &disk->tray, error)
      || !guestd_xml_attr_onoff (r, target, "removable", &disk->removable,
                                 error))
    return FALSE;
  if (disk->target == NULL || guestd_disk_target_index (disk->target) < 0)
    {
      guestd_xml_error (error, target,
                        _("invalid or missing attribute 'dev' ('%s'; "
                          "expected e.g. vda, sdb, hdc or fda)"),
                        disk->target ? disk->target : "");
      return FALSE;
    }

  if (!guestd_xml_child (r, node, "readonly", &n, error))
    return FALSE;
  disk->readonly = n != NULL;
  if (!guestd_xml_child (r, node, "shareable", &n, error))
    return FALSE;
  disk->shareable = n != NULL;
  if (!guestd_xml_child (r, node, "transient", &n, error))
    return FALSE;
  disk->transient = n != NULL;
  if (!guestd_xml_child_text (r, node, "serial", &disk->serial, error))
    return FALSE;
  if (disk->serial != NULL)
    for (const char *c = disk->serial; *c != '\0'; c++)
      if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_' && *c != '.'
          && *c != ' ')
        {
          guestd_xml_error (error, node,
                            _("invalid disk serial '%s' (letters, digits, "
                              "' ', '-', '_' and '.' only)"),
                            disk->serial);
          return FALSE;
        }
  /* A live document may describe the backing chain QEMU opened. */
  if (!guestd_xml_child (r, node, "backingStore", &n, error))
    return FALSE;
  if (n != NULL && n->children != NULL)
    {
      guestd_xml_error (error, n,
                        _("explicit backing chains are not supported; "
                          "qcow2 images name their own backing file"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_controller (GuestdDomainParser *p, GuestdDomainDef *def, xmlNode *node,
                  GError **error)
{
  GuestdXmlReader *r = &p->r;
  GuestdControllerDef *c = guestd_controller_def_new ();
  xmlNode *master, *model, *target, *driver;
  gboolean has_index = FALSE;
  guint index = 0;

  g_ptr_array_add (def->controllers, c);
  if (!guestd_xml_attr_enum (r, node, "type", &guestd_controller_type,
                             (int *) &c->type, error)
      || !guestd_xml_attr_uint (r, node, "index", 255, &index, &has_index,
                                error)
      || !guestd_xml_attr_string (r, node, "model", &c->model, error)
      || !parse_device_info (p, node, &c->info, FALSE, error))
    return FALSE;
  if (c->type == GUESTD_CONTROLLER_NONE)
    {
      g_autofree char *list = guestd_enum_list (&guestd_controller_type);

      guestd_xml_error (error, node,
                        _("attribute 'type' is required (one of: %s)"), list);
      return FALSE;
    }
  if (has_index)
    c->index = (int) index;
  if (!check_model (node, "model", c->model, controller_models (c->type),
                    error))
    return FALSE;

  if (c->type == GUESTD_CONTROLLER_USB
      || c->type == GUESTD_CONTROLLER_VIRTIO_SERIAL)
    {
      if (!guestd_xml_attr_uint (r, node, "ports",
                                 c->type == GUESTD_CONTROLLER_USB ? 15 : 31,
                                 &c->ports, NULL, error))
        return FALSE;
    }
  if (c->type == GUESTD_CONTROLLER_VIRTIO_SERIAL
      && !guestd_xml_attr_uint (r, node, "vectors", 1024, &c->vectors, NULL,
                                error))
    return FALSE;

  if (!guestd_xml_child (r, node, "master", &master, error))
    return FALSE;
  if (master != NULL)
    {
      guint start = 0;
      gboolean has = FALSE;

      if (c->type != GUESTD_CONTROLLER_USB)
        {
          guestd_xml_error (error, master,
                            _("only USB companion controllers have a "
                              "<master>"));
          return FALSE;
        }
      if (!guestd_xml_attr_uint (r, master, "startport", 15, &start, &has,
                                 error))
        return FALSE;
      if (!has)
        {
          guestd_xml_error (error, master,
                            _("attribute 'startport' is required"));
          return FALSE;
        }
      c->master_startport = (int) start;
    }

  if (c->type == GUESTD_CONTROLLER_PCI)
    {
      if (!guestd_xml_child (r, node, "model", &model, error)
          || (model != NULL
              && !guestd_xml_attr_string (r, model, "name", &c->model_name,
                                          error))
          || !guestd_xml_child (r, node, "target", &target, error))
        return FALSE;
      if (target != NULL)
        {
          const char *names[] = { "chassis", "port", "busNr" };
          int *outs[] = { &c->target_chassis, &c->target_port,
                          &c->target_bus_nr };

          for (guint i = 0; i < G_N_ELEMENTS (names); i++)
            {
              guint v = 0;
              gboolean has = FALSE;

              if (!guestd_xml_attr_uint (r, target, names[i], 255, &v, &has,
                                         error))
                return FALSE;
              if (has)
                *outs[i] = (int) v;
            }
        }
    }
  if (c->type == GUESTD_CONTROLLER_SCSI)
    {
      if (!guestd_xml_child (r, node, "driver", &driver, error))
        return FALSE;
      if (driver != NULL
          && !guestd_xml_attr_uint (r, driver, "queues", 1024, &c->queues,
                                    NULL, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_interface (GuestdDomainParser *p, GuestdDomainDef *def, xmlNode *node,
                 GError **error)
{
  GuestdXmlReader *r = &p->r;
  GuestdNetDef *net = guestd_net_def_new ();
  xmlNode *mac, *model, *source, *target, *driver, *link, *mtu;

  g_ptr_array_add (def->nets, net);
  if (!guestd_xml_attr_enum (r, node, "type", &guestd_net_type,
                             (int *) &net->type, error)
      || !parse_device_info (p, node, &net->info, TRUE, error)
      || !guestd_xml_child (r, node, "mac", &mac, error)
      || !guestd_xml_child (r, node, "model", &model, error)
      || !guestd_xml_child (r, node, "source", &source, error)
      || !guestd_xml_child (r, node, "target", &target, error)
      || !guestd_xml_child (r, node, "driver", &driver, error)
      || !guestd_xml_child (r, node, "link", &link, error)
      || !guestd_xml_child (r, node, "mtu", &mtu, error))
    return FALSE;
  if (net->type == GUESTD_NET_NONE)
    {
      guestd_xml_error (error, node,
                        _("attribute 'type' is required (user, network, "
                          "bridge or ethernet)"));
      return FALSE;
    }
  if (mac != NULL)
    {
      const char *addr;

      if (!guestd_xml_attr_required (r, mac, "address", &addr, error))
        return FALSE;
      if (!guestd_mac_parse (addr, net->mac))
        {
          guestd_xml_error (error, mac,
                            _("invalid MAC address '%s' (expected a unicast "
                              "address like 52:54:00:12:34:56)"),
                            addr);
          return FALSE;
        }
    }
  if (model != NULL)
    {
      if (!guestd_xml_attr_string (r, model, "type", &net->model, error))
        return FALSE;
      if (net->model == NULL)
        {
          guestd_xml_error (error, model, _("attribute 'type' is required"));
          return FALSE;
        }
      for (const char *c = net->model; *c != '\0'; c++)
        if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_')
          {
            guestd_xml_error (error, model,
                              _("invalid NIC model '%s'"), net->model);
            return FALSE;
          }
    }
  if (source != NULL)
    {
      const char *attr = NULL;

      if (net->type == GUESTD_NET_NETWORK)
        attr = "network";
      else if (net->type == GUESTD_NET_BRIDGE)
        attr = "bridge";
      if (attr == NULL)
        {
          guestd_xml_error (error, source,
                            _("interfaces of type '%s' have no <source>"),
                            guestd_enum_to_string (&guestd_net_type,
                                                   net->type));
          return FALSE;
        }
      if (!guestd_xml_attr_string (r, source, attr, &net->source, error))
        return FALSE;
      /* Live XML of a network interface also names the bridge used. */
      if (net->type == GUESTD_NET_NETWORK)
        guestd_xml_attr (r, source, "bridge");
    }
  if ((net->type == GUESTD_NET_NETWORK || net->type == GUESTD_NET_BRIDGE)
      && net->source == NULL)
    {
      guestd_xml_error (error, node,
                        _("an interface of type '%s' needs <source %s='…'/>"),
                        guestd_enum_to_string (&guestd_net_type, net->type),
                        net->type == GUESTD_NET_NETWORK ? "network"
                                                        : "bridge");
      return FALSE;
    }
  if (net->source != NULL
      && (strlen (net->source) >= 16 || strchr (net->source, '/') != NULL)
      && net->type == GUESTD_NET_BRIDGE)
    {
      guestd_xml_error (error, source, _("invalid bridge name '%s'"),
                        net->source);
      return FALSE;
    }
  if (target != NULL)
    {
      if (!guestd_xml_attr_string (r, target, "dev", &net->target_dev, error))
        return FALSE;
      if (net->target_dev != NULL
          && (strlen (net->target_dev) >= 16
              || strchr (net->target_dev, '/') != NULL))
        {
          guestd_xml_error (error, target, _("invalid device name '%s'"),
                            net->target_dev);
          return FALSE;
        }
      /* guestd names the TAP devices it creates; a stale generated name
       * in a definition is dropped, as libvirt does with "vnet…". */
      if (net->target_dev != NULL && !(p->flags & GUESTD_DOMAIN_XML_LIVE)
          && g_str_has_prefix (net->target_dev, "vnet"))
        g_clear_pointer (&net->target_dev, g_free);
    }
  if (driver != NULL)
    {
      if (!guestd_xml_attr_string (r, driver, "name", &net->driver_name,
                                   error))
        return FALSE;
      if (net->driver_name != NULL
          && !g_str_equal (net->driver_name, "qemu")
          && !g_str_equal (net->driver_name, "vhost"))
        {
          guestd_xml_error (error, driver,
                            _("invalid driver name '%s' (qemu or vhost)"),
                            net->driver_name);
          return FALSE;
        }
    }
  if (link != NULL
      && !guestd_xml_attr_enum (r, link, "state", &guestd_link_state,
                                (int *) &net->link, error))
    return FALSE;
  if (mtu != NULL)
    {
      gboolean has = FALSE;

      if (!guestd_xml_attr_uint (r, mtu, "size", 65535, &net->mtu, &has,
                                 error))
        return FALSE;
      if (!has || net->mtu < 68)
        {
          guestd_xml_error (error, mtu,
                            _("attribute 'size' (68 to 65535) is required"));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
parse_input (GuestdDomainParser *p, GuestdDomainDef *def, xmlNode *node,
             GError **error)
{
  GuestdInputDef *in = guestd_input_def_new ();

  g_ptr_array_add (def->inputs, in);
  if (!guestd_xml_attr_enum (&p->r, node, "type", &guestd_input_type,
                             (int *) &in->type, error)
      || !guestd_xml_attr_enum (&p->r, node, "bus", &guestd_input_bus,
                                (int *) &in->bus, error)
      || !parse_device_info (p, node, &in->info, FALSE, error))
    return FALSE;
  if (in->type == GUESTD_INPUT_NONE)
    {
      guestd_xml_error (error, node,
                        _("attribute 'type' is required (mouse, tablet or "
                          "keyboard)"));
      return FALSE;
    }
  if (in->type == GUESTD_INPUT_TABLET && in->bus == GUESTD_INPUT_BUS_PS2)
    {
      guestd_xml_error (error, node,
                        _("a tablet cannot be on the ps2 bus (use usb or "
                          "virtio)"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_graphics (GuestdDomainParser *p, GuestdDomainDef *def, xmlNode *node,
                GError **error)
{
  GuestdXmlReader *r = &p->r;
  GuestdGraphicsDef *g = guestd_graphics_def_new ();
  g_autoptr (GPtrArray) listens = NULL;
  g_autofree char *listen_attr = NULL;
  xmlNode *image, *gl;
  gboolean is_vnc, is_spice;

  g_ptr_array_add (def->graphics, g);
  if (!guestd_xml_attr_enum (r, node, "type", &guestd_graphics_type,
                             (int *) &g->type, error))
    return FALSE;
  if (g->type == GUESTD_GRAPHICS_NONE)
    {
      g_autofree char *list = guestd_enum_list (&guestd_graphics_type);

      guestd_xml_error (error, node,
                        _("attribute 'type' is required (one of: %s)"), list);
      return FALSE;
    }
  is_vnc = g->type == GUESTD_GRAPHICS_VNC;
  is_spice = g->type == GUESTD_GRAPHICS_SPICE;
  if (is_vnc || is_spice)
    {
      if (!guestd_xml_attr_int (r, node, "port", -1, 65535, &g->port, error)
          || !guestd_xml_attr_yesno (r, node, "autoport", &g->autoport, error)
          || !guestd_xml_attr_string (r, node, "listen", &listen_attr, error)
          || !guestd_xml_attr_string (r, node, "keymap", &g->keymap, error)
          || !guestd_xml_attr_string (r, node, "passwd", &g->passwd, error))
        return FALSE;
      if (g->port > 0 && g->port < 5900 && is_vnc)
        {
          guestd_xml_error (error, node,
                            _("VNC port %d is below 5900 (use -1 or "
                              "autoport='yes' to pick one)"),
                            g->port);
          return FALSE;
        }
      if (g->keymap != NULL)
        for (const char *c = g->keymap; *c != '\0'; c++)
          if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_')
            {
              guestd_xml_error (error, node, _("invalid keymap '%s'"),
                                g->keymap);
              return FALSE;
            }
      if (g->passwd != NULL && strlen (g->passwd) > 8 && is_vnc)
        {
          guestd_xml_error (error, node,
                            _("a VNC password has at most 8 characters"));
          return FALSE;
        }
    }
  if (is_vnc && !guestd_xml_attr_int (r, node, "websocket", -1, 65535,
                                      &g->websocket, error))
    return FALSE;
  if (is_spice && !guestd_xml_attr_int (r, node, "tlsPort", -1, 65535,
                                        &g->tls_port, error))
    return FALSE;

  if (is_vnc || is_spice)
    {
      listens = guestd_xml_children (r, node, "listen");
      if (listens->len > 1)
        {
          guestd_xml_error (error, listens->pdata[1],
                            _("only one <listen> is supported"));
          return FALSE;
        }
      if (listens->len == 1)
        {
          xmlNode *ln = listens->pdata[0];

          if (!guestd_xml_attr_enum (r, ln, "type", &guestd_listen_type,
                                     (int *) &g->listen_type, error))
            return FALSE;
          switch (g->listen_type)
            {
            case GUESTD_LISTEN_ADDRESS:
              if (!guestd_xml_attr_string (r, ln, "address", &g->listen,
                                           error))
                return FALSE;
              break;
            case GUESTD_LISTEN_SOCKET:
              if (!guestd_xml_attr_string (r, ln, "socket", &g->listen,
                                           error))
                return FALSE;
              if (g->listen != NULL && !g_path_is_absolute (g->listen))
                {
                  guestd_xml_error (error, ln,
                                    _("socket '%s' must be an absolute path"),
                                    g->listen);
                  return FALSE;
                }
              break;
            case GUESTD_LISTEN_NONE:
              break;
            default:
              guestd_xml_error (error, ln,
                                _("attribute 'type' is required (address, "
                                  "socket or none)"));
              return FALSE;
            }
        }
      /* The attribute is the old spelling of <listen type='address'>. */
      if (listen_attr != NULL)
        {
          if (g->listen_type == GUESTD_LISTEN_NONE_GIVEN)
            {
              g->listen_type = GUESTD_LISTEN_ADDRESS;
              g->listen = g_steal_pointer (&listen_attr);
            }
          else if (g->listen_type != GUESTD_LISTEN_ADDRESS
                   || g_strcmp0 (g->listen, listen_attr) != 0)
            {
              guestd_xml_error (error, node,
                                _("attribute 'listen' ('%s') disagrees "
                                  "with <listen>"),
                                listen_attr);
              return FALSE;
            }
        }
    }

  if (is_spice)
    {
      if (!guestd_xml_child (r, node, "image", &image, error))
        return FALSE;
      if (image != NULL
          && !guestd_xml_attr_enum (r, image, "compression",
                                    &guestd_spice_image,
                                    (int *) &g->image_compression, error))
        return FALSE;
    }
  if (is_spice || g->type == GUESTD_GRAPHICS_EGL_HEADLESS
      || g->type == GUESTD_GRAPHICS_SDL)
    {
      if (!guestd_xml_child (r, node, "gl", &gl, error))
        return FALSE;
      if (gl != NULL
          && !guestd_xml_attr_yesno (r, gl, "enable", &g->gl, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_video (GuestdDomainParser *p, GuestdDomainDef *def, xmlNode *node,
             GError **error)
{
  GuestdXmlReader *r = &p->r;
  GuestdVideoDef *v = guestd_video_def_new ();
  xmlNode *model, *accel;

  g_ptr_array_add (def->videos, v);
  if (!parse_device_info (p, node, &v->info, FALSE, error)
      || !guestd_xml_child (r, node, "model", &model, error))
    return FALSE;
  if (model == NULL)
    {
      guestd_xml_error (error, node,
                        _("a <model type='…'/> is required (e.g. virtio)"));
      return FALSE;
    }
  if (!guestd_xml_attr_enum (r, model, "type", &guestd_video_model,
                             (int *) &v->model, error)
      || !guestd_xml_attr_uint (r, model, "vram", 1 << 22, &v->vram, NULL,
                                error)
      || !guestd_xml_attr_uint (r, model, "ram", 1 << 22, &v->ram, NULL,
                                error)
      || !guestd_xml_attr_uint (r, model, "vgamem", 1 << 22, &v->vgamem,
                                NULL, error)
      || !guestd_xml_attr_uint (r, model, "vram64", 1 << 22, &v->vram64,
                                NULL, error)
      || !guestd_xml_attr_uint (r, model, "heads", 16, &v->heads, NULL,
                                error)
      || !guestd_xml_attr_yesno (r, model, "primary", &v->primary, error)
      || !guestd_xml_child (r, model, "acceleration", &accel, error))
    return FALSE;
  if (v->model == GUESTD_VIDEO_NONE_GIVEN)
    {
      g_autofree char *list = guestd_enum_list (&guestd_video_model);

      guestd_xml_error (error, model,
                        _("attribute 'type' is required (one of: %s)"), list);
      return FALSE;
    }
  if (accel != NULL
      && !guestd_xml_attr_yesno (r, accel, "accel3d", &v->accel3d, error))
    return FALSE;
  return TRUE;
}

static gboolean
parse_sound (GuestdDomainParser *p, GuestdDomainDef *def, xmlNode *node,
             GError **error)
{
  GuestdXmlReader *r = &p->r;
  g_autoptr (GPtrArray) codecs = NULL;
  GuestdSoundDef *s = guestd_sound_def_new ();

  g_ptr_array_add (def->sounds, s);
  if (!guestd_xml_attr_enum (r, node, "model", &guestd_sound_model,
                             (int *) &s->model, error)
      || !parse_device_info (p, node, &s->info, FALSE, error))
    return FALSE;
  if (s->model == GUESTD_SOUND_NONE)
    {
      g_autofree char *list = guestd_enum_list (&guestd_sound_model);

      guestd_xml_error (error, node,
                        _("attribute 'model' is required (one of: %s)"),
                        list);
      return FALSE;
    }
  codecs = guestd_xml_children (r, node, "codec");
  for (guint i = 0; i < codecs->len; i++)
    {
      GuestdSoundCodec codec = GUESTD_CODEC_NONE;

      if (!guestd_xml_attr_enum (r, codecs->pdata[i], "type",
                                 &guestd_sound_codec, (int *) &codec, error))
        return FALSE;
      if (codec == GUESTD_CODEC_NONE)
        {
          guestd_xml_error (error, codecs->pdata[i],
                            _("attribute 'type' is required (duplex, micro "
                              "or output)"));
          return FALSE;
        }
      g_array_append_val (s->codecs, codec);
    }
  if (s->codecs->len > 0 && s->model != GUESTD_SOUND_ICH6
      && s->model != GUESTD_SOUND_ICH9)
    {
      guestd_xml_error (error, node,
                        _("only HDA sound cards (ich6, ich9) have codecs"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_chr_source (GuestdDomainParser *p, GuestdChrDef *chr, xmlNode *node,
                  GError **error)
{
  GuestdXmlReader *r = &p->r;
  g_autoptr (GPtrArray) sources = guestd_xml_children (r, node, "source");
  xmlNode *src;

  /* TCP in "bind" and "connect" mode each had a <source> once; one is
   * what QEMU can do, so one is what guestd accepts. */
  if (sources->len > 1)
    {
      guestd_xml_error (error, sources->pdata[1],
                        _("only one <source> is supported"));
      return FALSE;
    }
  src = sources->len == 1 ? sources->pdata[0] : NULL;

  switch (chr->type)
    {
    case GUESTD_CHR_FILE:
    case GUESTD_CHR_DEV:
    case GUESTD_CHR_PIPE:
      if (src == NULL
          || !guestd_xml_attr_string (r, src, "path", &chr->path, error))
        {
          if (src == NULL)
            guestd_xml_error (error, node,
                              _("a <source path='…'/> is required"));
          return FALSE;
        }
      if (chr->path == NULL)
        {
          guestd_xml_error (error, src, _("attribute 'path' is required"));
          return FALSE;
        }
      if (chr->type == GUESTD_CHR_FILE
          && !guestd_xml_attr_onoff (r, src, "append", &chr->append, error))
        return FALSE;
      break;
    case GUESTD_CHR_UNIX:
      if (src != NULL
          && (!guestd_xml_attr_string (r, src, "path", &chr->path, error)
              || !guestd_xml_attr_enum (r, src, "mode", &guestd_chr_mode,
                                        (int *) &chr->mode, error)))
        return FALSE;
      break;
    case GUESTD_CHR_TCP:
      {
        xmlNode *protocol;

        if (src == NULL)
          {
            guestd_xml_error (error, node,
                              _("a <source host='…' service='…'/> is "
                                "required"));
            return FALSE;
          }
        if (!guestd_xml_attr_enum (r, src, "mode", &guestd_chr_mode,
                                   (int *) &chr->mode, error)
            || !guestd_xml_attr_string (r, src, "host", &chr->host, error)
            || !guestd_xml_attr_string (r, src, "service", &chr->service,
                                        error)
            || !guestd_xml_child (r, node, "protocol", &protocol, error))
          return FALSE;
        if (chr->service == NULL
            || !g_ascii_string_to_unsigned (chr->service, 10, 1, 65535, NULL,
                                            NULL))
          {
            guestd_xml_error (error, src,
                              _("attribute 'service' must be a port number "
                                "from 1 to 65535"));
            return FALSE;
          }
        if (protocol != NULL
            && !guestd_xml_attr_enum (r, protocol, "type",
                                      &guestd_chr_protocol,
                                      (int *) &chr->protocol, error))
          return FALSE;
        break;
      }
    case GUESTD_CHR_PTY:
      /* Which pty QEMU opened is runtime state. */
      if (src != NULL)
        {
          const char *path = guestd_xml_attr (r, src, "path");

          if (path != NULL && (p->flags & GUESTD_DOMAIN_XML_LIVE))
            chr->path = g_strdup (path);
        }
      break;
    case GUESTD_CHR_SPICEPORT:
      if (src == NULL
          || !guestd_xml_attr_string (r, src, "channel", &chr->channel,
                                      error)
          || chr->channel == NULL)
        {
          if (error == NULL || *error == NULL)
            guestd_xml_error (error, node,
                              _("a <source channel='…'/> is required"));
          return FALSE;
        }
      break;
    default:
      if (src != NULL)
        {
          guestd_xml_error (error, src,
                            _("a '%s' character device has no <source>"),
                            guestd_enum_to_string (&guestd_chr_type,
                                                   chr->type));
          return FALSE;
        }
    }
  if (chr->path != NULL && !g_path_is_absolute (chr->path))
    {
      guestd_xml_error (error, node, _("path '%s' must be absolute"),
                        chr->path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_chr_target (GuestdDomainParser *p, GuestdChrDef *chr, xmlNode *node,
                  GError **error)
{
  GuestdXmlReader *r = &p->r;
  xmlNode *target, *model;

  if (!guestd_xml_child (r, node, "target", &target, error))
    return FALSE;
  if (target == NULL)
    {
      if (chr->device == GUESTD_CHR_DEV_CHANNEL)
        {
          guestd_xml_error (error, node,
                            _("a channel needs a <target type='virtio' "
                              "name='…'/>"));
          return FALSE;
        }
      return TRUE;
    }
  if (!guestd_xml_attr_enum (r, target, "type", &guestd_chr_target_type,
                             (int *) &chr->target_type, error)
      || !guestd_xml_attr_int (r, target, "port", 0, 65535, &chr->target_port,
                               error))
    return FALSE;

  switch (chr->device)
    {
    case GUESTD_CHR_DEV_SERIAL:
      if (chr->target_type > GUESTD_CHR_TARGET_PCI_SERIAL)
        goto bad_type;
      if (!guestd_xml_child (r, target, "model", &model, error)
          || (model != NULL
              && !guestd_xml_attr_string (r, model, "name",
                                          &chr->target_model, error)))
        return FALSE;
      break;
    case GUESTD_CHR_DEV_PARALLEL:
      if (chr->target_type != GUESTD_CHR_TARGET_NONE)
        goto bad_type;
      break;
    case GUESTD_CHR_DEV_CONSOLE:
      if (chr->target_type != GUESTD_CHR_TARGET_NONE
          && chr->target_type != GUESTD_CHR_TARGET_SERIAL
          && chr->target_type != GUESTD_CHR_TARGET_VIRTIO)
        goto bad_type;
      break;
    case GUESTD_CHR_DEV_CHANNEL:
      if (chr->target_type == GUESTD_CHR_TARGET_VIRTIO)
        {
          /* state= reports whether the guest agent is connected: live. */
          guestd_xml_attr (r, target, "state");
          if (!guestd_xml_attr_string (r, target, "name", &chr->target_name,
                                       error))
            return FALSE;
          if (chr->target_name == NULL && chr->type != GUESTD_CHR_SPICEVMC)
            {
              guestd_xml_error (error, target,
                                _("attribute 'name' is required (e.g. "
                                  "org.qemu.guest_agent.0)"));
              return FALSE;
            }
        }
      else if (chr->target_type == GUESTD_CHR_TARGET_GUESTFWD)
        {
          if (!guestd_xml_attr_string (r, target, "address",
                                       &chr->target_address, error))
            return FALSE;
          if (chr->target_address == NULL || chr->target_port < 1)
            {
              guestd_xml_error (error, target,
                                _("a guestfwd channel needs 'address' and "
                                  "'port'"));
              return FALSE;
            }
        }
      else
        goto bad_type;
      break;
    }
  return TRUE;

bad_type:
  guestd_xml_error (error, target,
                    _("target type '%s' does not go with <%s>"),
                    guestd_enum_to_string (&guestd_chr_target_type,
                                           chr->target_type)
                      ? guestd_enum_to_string (&guestd_chr_target_type,
                                               chr->target_type)
                      : "",
                    guestd_enum_to_string (&guestd_chr_device, chr->device));
  return FALSE;
}

static gboolean
parse_chr (GuestdDomainParser *p, GPtrArray *list, GuestdChrDevice device,
           xmlNode *node, GError **error)
{
  GuestdXmlReader *r = &p->r;
  GuestdChrDef *chr = guestd_chr_def_new (device);
  xmlNode *log;

  g_ptr_array_add (list, chr);
  if (!guestd_xml_attr_enum (r, node, "type", &guestd_chr_type,
                             (int *) &chr->type, error)
      || !parse_device_info (p, node, &chr->info, FALSE, error))
    return FALSE;
  if (chr->type == GUESTD_CHR_NONE)
    {
      g_autofree char *list_s = guestd_enum_list (&guestd_chr_type);

      guestd_xml_error (error, node,
                        _("attribute 'type' is required (one of: %s)"),
                        list_s);
      return FALSE;
    }
  /* tty= repeats the pty path in live XML. */
  guestd_xml_attr (r, node, "tty");
  if (!parse_chr_source (p, chr, node, error)
      || !parse_chr_target (p, chr, node, error)
      || !guestd_xml_child (r, node, "log", &log, error))
    return FALSE;
  if (log != NULL)
    {
      if (!guestd_xml_attr_string (r, log, "file", &chr->log_file, error)
          || !guestd_xml_attr_onoff (r, log, "append", &chr->log_append,
                                     error))
        return FALSE;
      if (chr->log_file == NULL || !g_path_is_absolute (chr->log_file))
        {
          guestd_xml_error (error, log,
                            _("attribute 'file' must be an absolute path"));
          return FALSE;
        }
    }
  if (chr->type == GUESTD_CHR_SPICEVMC && device != GUESTD_CHR_DEV_CHANNEL)
    {
      guestd_xml_error (error, node,
                        _("spicevmc is only for channels and redirdevs"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_rng (GuestdDomainParser *p, GuestdDomainDef *def, xmlNode *node,
           GError **error)
{
  GuestdXmlReader *r = &p->r;
  GuestdRngDef *rng = guestd_rng_def_new ();
  xmlNode *backend, *rate;

  g_ptr_array_add (def->rngs, rng);
  if (!guestd_xml_attr_string (r, node, "model", &rng->model, error)
      || !check_model (node, "model", rng->model ? rng->model : "virtio",
                       virtio_models, error)
      || !parse_device_info (p, node, &rng->info, FALSE, error)
      || !guestd_xml_child (r, node, "backend", &backend, error)
      || !guestd_xml_child (r, node, "rate", &rate, error))
    return FALSE;
  if (rng->model == NULL)
    {
      guestd_xml_error (error, node, _("attribute 'model' is required"));
      return FALSE;
    }
  if (backend == NULL)
    {
      guestd_xml_error (error, node,
                        _("a <backend model='random'>/dev/urandom</backend> "
                          "or <backend model='builtin'/> is required"));
      return FALSE;
    }
  if (!guestd_xml_attr_enum (r, backend, "model", &guestd_rng_backend,
                             (int *) &rng->backend, error))
    return FALSE;
  if (rng->backend == GUESTD_RNG_BACKEND_RANDOM)
    {
      g_autofree char *dev = g_strstrip (g_strdup (guestd_xml_text (r, backend)));

      if (*dev == '\0')
        g_clear_pointer (&dev, g_free);
      if (dev != NULL && !g_str_equal (dev, "/dev/urandom")
          && !g_str_equal (dev, "/dev/random")
          && !g_str_equal (dev, "/dev/hwrng"))
        {
          guestd_xml_error (error, backend,
                            _("invalid random source '%s' (/dev/urandom, "
                              "/dev/random or /dev/hwrng)"),
                            dev);
          return FALSE;
        }
      rng->device = dev ? g_steal_pointer (&dev) : g_strdup ("/dev/urandom");
    }
  else if (rng->backend != GUESTD_RNG_BACKEND_BUILTIN)
    {
      guestd_xml_error (error, backend,
                        _("attribute 'model' is required (random or "
                          "builtin)"));
      return FALSE;
    }
  if (rate != NULL)
    {
      gboolean has = FALSE;

      if (!guestd_xml_attr_uint (r, rate, "bytes", G_MAXUINT,
                                 &rng->rate_bytes, &has, error)
          || !guestd_xml_attr_uint (r, rate, "period", G_MAXUINT,
                                    &rng->rate_period, NULL, error))
        return FALSE;
      if (!has || rng->rate_bytes == 0)
        {
          guestd_xml_error (error, rate,
                            _("attribute 'bytes' (1 or more) is required"));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
parse_memballoon (GuestdDomainParser *p, GuestdDomainDef *def, xmlNode *node,
                  GError **error)
{
  GuestdXmlReader *r = &p->r;
  GuestdBalloonDef *b = guestd_balloon_def_new ();
  xmlNode *stats;

  def->memballoon = b;
  if (!guestd_xml_attr_enum (r, node, "model", &guestd_balloon_model,
                             (int *) &b->model, error)
      || !guestd_xml_attr_onoff (r, node, "autodeflate", &b->autodeflate,
                                 error)
      || !guestd_xml_attr_onoff (r, node, "freePageReporting",
                                 &b->free_page_reporting, error)
      || !parse_device_info (p, node, &b->info, FALSE, error)
      || !guestd_xml_child (r, node, "stats", &stats, error))
    return FALSE;
  if (b->model == GUESTD_BALLOON_NONE_GIVEN)
    {
      guestd_xml_error (error, node,
                        _("attribute 'model' is required (virtio or "
                          "none)"));
      return FALSE;
    }
  if (stats != NULL
      && !guestd_xml_attr_uint (r, stats, "period", 86400, &b->stats_period,
                                NULL, error))
    return FALSE;
  return TRUE;
}

static gboolean
parse_redirdev (GuestdDomainParser *p, GuestdDomainDef *def, xmlNode *node,
                GError **error)
{
  GuestdXmlReader *r = &p->r;
  GuestdRedirdevDef *rd = guestd_redirdev_def_new ();
  const char *bus = guestd_xml_attr (r, node, "bus");

  g_ptr_array_add (def->redirdevs, rd);
  if (bus != NULL && !g_str_equal (bus, "usb"))
    {
      guestd_xml_error (error, node,
                        _("invalid value '%s' for attribute 'bus' (only "
                          "usb)"),
                        bus);
      return FALSE;
    }
  if (!guestd_xml_attr_enum (r, node, "type", &guestd_chr_type,
                             (int *) &rd->type, error)
      || !parse_device_info (p, node, &rd->info, TRUE, error))
    return FALSE;
  if (rd->type == GUESTD_CHR_TCP)
    {
      xmlNode *src;

      if (!guestd_xml_child (r, node, "source", &src, error))
        return FALSE;
      if (src == NULL
          || !guestd_xml_attr_string (r, src, "host", &rd->host, error)
          || !guestd_xml_attr_string (r, src, "service", &rd->service, error)
          || rd->host == NULL || rd->service == NULL)
        {
          if (error == NULL || *error == NULL)
            guestd_xml_error (error, node,
                              _("a <source host='…' service='…'/> is "
                                "required"));
          return FALSE;
        }
      /* mode='connect' is the only way a redirdev works. */
      guestd_xml_attr (r, src, "mode");
    }
  else if (rd->type != GUESTD_CHR_SPICEVMC)
    {
      guestd_xml_error (error, node,
                        _("attribute 'type' must be spicevmc or tcp"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_watchdog (GuestdDomainParser *p, GuestdDomainDef *def, xmlNode *node,
                GError **error)
{
  GuestdWatchdogDef *w = guestd_watchdog_def_new ();

  g_ptr_array_add (def->watchdogs, w);
  if (!guestd_xml_attr_enum (&p->r, node, "model", &guestd_watchdog_model,
                             (int *) &w->model, error)
      || !guestd_xml_attr_enum (&p->r, node, "action",
                                &guestd_watchdog_action, (int *) &w->action,
                                error)
      || !parse_device_info (p, node, &w->info, FALSE, error))
    return FALSE;
  if (w->model == GUESTD_WATCHDOG_NONE)
    {
      guestd_xml_error (error, node,
                        _("attribute 'model' is required (i6300esb, ib700 "
                          "or itco)"));
      return FALSE;
    }
  return TRUE;
}

typedef gboolean (*DeviceParseFunc) (GuestdDomainParser *p,
                                     GuestdDomainDef *def, xmlNode *node,
                                     GError **error);

gboolean
guestd_domain_parse_devices (GuestdDomainParser *p, GuestdDomainDef *def,
                             xmlNode *devices, GError **error)
{
  GuestdXmlReader *r = &p->r;
  static const struct
  {
    const char *name;
    DeviceParseFunc parse;
  } kinds[] = {
    { "disk", parse_disk },
    { "controller", parse_controller },
    { "interface", parse_interface },
    { "input", parse_input },
    { "graphics", parse_graphics },
    { "video", parse_video },
    { "sound", parse_sound },
    { "rng", parse_rng },
    { "redirdev", parse_redirdev },
    { "watchdog", parse_watchdog },
  };
  struct
  {
    const char *name;
    GuestdChrDevice device;
    GPtrArray *list;
  } chrs[] = {
    { "serial", GUESTD_CHR_DEV_SERIAL, def->serials },
    { "parallel", GUESTD_CHR_DEV_PARALLEL, def->parallels },
    { "console", GUESTD_CHR_DEV_CONSOLE, def->consoles },
    { "channel", GUESTD_CHR_DEV_CHANNEL, def->channels },
  };
  xmlNode *n;

  if (!guestd_xml_child_text (r, devices, "emulator", &def->emulator, error))
    return FALSE;
  if (def->emulator != NULL && !g_path_is_absolute (def->emulator))
    {
      guestd_xml_error (error, devices,
                        _("emulator '%s' must be an absolute path"),
                        def->emulator);
      return FALSE;
    }
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr (GPtrArray) nodes
        = guestd_xml_children (r, devices, kinds[k].name);

      for (guint i = 0; i < nodes->len; i++)
        if (!kinds[k].parse (p, def, nodes->pdata[i], error))
          return FALSE;
    }
  for (guint k = 0; k < G_N_ELEMENTS (chrs); k++)
    {
      g_autoptr (GPtrArray) nodes
        = guestd_xml_children (r, devices, chrs[k].name);

      for (guint i = 0; i < nodes->len; i++)
        if (!parse_chr (p, chrs[k].list, chrs[k].device, nodes->pdata[i],
                        error))
          return FALSE;
    }
  if (!guestd_xml_child (r, devices, "memballoon", &n, error))
    return FALSE;
  if (n != NULL && !parse_memballoon (p, def, n, error))
    return FALSE;
  return TRUE;
}
