/* Domain XML → model: the <domain> element and every section outside
 * <devices> (conf/domain-parse-devices.c has those). */
#include "config.h"

#include "domain-parse-priv.h"

#include <libxml/xmlsave.h>

#include "conf/units.h"
#include "util/error.h"
#include "util/i18n.h"

/* Far beyond any real guest, small enough that KiB fit comfortably. */
#define MAX_MEMORY_BYTES (G_GUINT64_CONSTANT (1) << 53)
#define MAX_VCPUS 4096

static gboolean
parse_memory_element (GuestdDomainParser *p, xmlNode *node, guint64 *kib,
                      GError **error)
{
  g_autoptr (GError) local = NULL;
  const char *unit = guestd_xml_attr (&p->r, node, "unit");
  const char *text = guestd_xml_text (&p->r, node);
  guint64 bytes;

  if (!guestd_scale_integer (text, unit, 1024, MAX_MEMORY_BYTES, &bytes,
                             &local))
    {
      guestd_xml_error (error, node, "%s", local->message);
      return FALSE;
    }
  /* Sizes are kept in KiB; a byte count rounds up, as libvirt does. */
  *kib = (bytes + 1023) / 1024;
  return TRUE;
}

static void
strip_blank_text (xmlNode *node)
{
  xmlNode *c = node->children;
  gboolean has_elements = FALSE;

  for (xmlNode *i = node->children; i != NULL; i = i->next)
    if (i->type == XML_ELEMENT_NODE)
      has_elements = TRUE;
  while (c != NULL)
    {
      xmlNode *next = c->next;

      if (has_elements && c->type == XML_TEXT_NODE && xmlIsBlankNode (c))
        {
          xmlUnlinkNode (c);
          xmlFreeNode (c);
        }
      else if (c->type == XML_ELEMENT_NODE)
        strip_blank_text (c);
      c = next;
    }
}

static gboolean
parse_metadata (GuestdDomainParser *p, GuestdDomainDef *def, xmlNode *node,
                GError **error)
{
  g_autoptr (xmlDoc) doc = xmlNewDoc (BAD_CAST "1.0");
  xmlNode *copy;

  for (xmlNode *c = node->children; c != NULL; c = c->next)
    if (c->type == XML_ELEMENT_NODE && c->ns == NULL)
      {
        /* libvirt requires a namespace per application, so that two
         * programs' metadata cannot collide; so do we. */
        guestd_xml_error (error, c,
                          _("metadata element <%s> needs its own XML "
                            "namespace (xmlns:app='…')"),
                          (const char *) c->name);
        return FALSE;
      }
  /* Kept verbatim: the copy carries the namespaces its elements use. */
  copy = xmlDocCopyNode (node, doc, 1);
  if (copy == NULL)
    g_error ("out of memory");
  xmlDocSetRootElement (doc, copy);
  strip_blank_text (copy);
  guestd_xml_use_subtree (&p->r, node);
  def->metadata = g_steal_pointer (&doc);
  return TRUE;
}

static gboolean
parse_vcpu (GuestdDomainParser *p, GuestdDomainDef *def, xmlNode *node,
            GError **error)
{
  const char *text = guestd_xml_text (&p->r, node);
  g_autofree char *trimmed = g_strstrip (g_strdup (text));
  guint64 n;

  if (!g_ascii_string_to_unsigned (trimmed, 10, 1, MAX_VCPUS, &n, NULL))
    {
      guestd_xml_error (error, node,
                        _("invalid vCPU count '%s' (expected 1 to %d)"),
                        text, MAX_VCPUS);
      return FALSE;
    }
  def->vcpus = (guint) n;
  if (!guestd_xml_attr_uint (&p->r, node, "current", MAX_VCPUS,
                             &def->vcpus_current, NULL, error)
      || !guestd_xml_attr_enum (&p->r, node, "placement",
                                &guestd_vcpu_placement,
                                (int *) &def->vcpu_placement, error)
      || !guestd_xml_attr_string (&p->r, node, "cpuset", &def->cpuset, error))
    return FALSE;
  if (def->vcpus_current > def->vcpus)
    {
      guestd_xml_error (error, node,
                        _("current vCPUs (%u) must not exceed the maximum "
                          "(%u)"),
                        def->vcpus_current, def->vcpus);
      return FALSE;
    }
  if (def->vcpus_current == 0 && guestd_xml_attr (&p->r, node, "current"))
    {
      guestd_xml_error (error, node, _("current vCPUs must be at least 1"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_os (GuestdDomainParser *p, GuestdDomainDef *def, xmlNode *os,
          GError **error)
{
  GuestdXmlReader *r = &p->r;
  GuestdOsDef *o = &def->os;
  xmlNode *type, *loader, *nvram, *bootmenu, *bios, *cmdline;
  g_autoptr (GPtrArray) boots = NULL;

  if (!guestd_xml_attr_enum (r, os, "firmware", &guestd_firmware,
                             (int *) &o->firmware, error)
      || !guestd_xml_child (r, os, "type", &type, error))
    return FALSE;
  if (type == NULL)
    {
      guestd_xml_error (error, os, _("an <os> needs a <type> (e.g. "
                                     "<type arch='x86_64'>hvm</type>)"));
      return FALSE;
    }
  if (!guestd_xml_text_required (r, type, &o->type, error)
      || !guestd_xml_attr_string (r, type, "arch", &o->arch, error)
      || !guestd_xml_attr_string (r, type, "machine", &o->machine, error))
    return FALSE;
  if (!g_str_equal (o->type, "hvm"))
    {
      guestd_xml_error (error, type,
                        _("unsupported OS type '%s' (QEMU guests are 'hvm')"),
                        o->type);
      return FALSE;
    }

  if (!guestd_xml_child (r, os, "loader", &loader, error))
    return FALSE;
  if (loader != NULL)
    {
      if (!guestd_xml_text_required (r, loader, &o->loader, error)
          || !guestd_xml_attr_yesno (r, loader, "readonly",
                                     &o->loader_readonly, error)
          || !guestd_xml_attr_enum (r, loader, "type", &guestd_loader_type,
                                    (int *) &o->loader_type, error)
          || !guestd_xml_attr_yesno (r, loader, "secure", &o->loader_secure,
                                     error))
        return FALSE;
    }
  if (!guestd_xml_child (r, os, "nvram", &nvram, error))
    return FALSE;
  if (nvram != NULL)
    {
      g_autofree char *path = g_strstrip (g_strdup (guestd_xml_text (r, nvram)));

      if (!guestd_xml_attr_string (r, nvram, "template", &o->nvram_template,
                                   error))
        return FALSE;
      /* An empty <nvram/> asks for the default store, like no element. */
      if (*path != '\0')
        o->nvram = g_steal_pointer (&path);
    }

  if (!guestd_xml_child_text (r, os, "kernel", &o->kernel, error)
      || !guestd_xml_child_text (r, os, "initrd", &o->initrd, error)
      || !guestd_xml_child_text (r, os, "dtb", &o->dtb, error)
      || !guestd_xml_child (r, os, "cmdline", &cmdline, error))
    return FALSE;
  /* The command line is kept as written: spaces can matter to a kernel. */
  if (cmdline != NULL)
    o->cmdline = g_strdup (guestd_xml_text (r, cmdline));

  boots = guestd_xml_children (r, os, "boot");
  if (boots->len > GUESTD_MAX_BOOT_DEVS)
    {
      guestd_xml_error (error, boots->pdata[GUESTD_MAX_BOOT_DEVS],
                        _("at most %d boot devices may be listed"),
                        GUESTD_MAX_BOOT_DEVS);
      return FALSE;
    }
  for (guint i = 0; i < boots->len; i++)
    {
      xmlNode *b = boots->pdata[i];
      int dev = GUESTD_BOOT_NONE;

      if (!guestd_xml_attr_enum (r, b, "dev", &guestd_boot_dev, &dev, error))
        return FALSE;
      if (dev == GUESTD_BOOT_NONE)
        {
          guestd_xml_error (error, b, _("attribute 'dev' is required"));
          return FALSE;
        }
      o->boot[o->n_boot++] = dev;
    }

  if (!guestd_xml_child (r, os, "bootmenu", &bootmenu, error))
    return FALSE;
  if (bootmenu != NULL)
    {
      if (!guestd_xml_attr_yesno (r, bootmenu, "enable", &o->bootmenu, error)
          || !guestd_xml_attr_int (r, bootmenu, "timeout", 0, 65535,
                                   &o->bootmenu_timeout, error))
        return FALSE;
      if (o->bootmenu == GUESTD_TRISTATE_ABSENT)
        {
          guestd_xml_error (error, bootmenu,
                            _("attribute 'enable' is required"));
          return FALSE;
        }
    }
  if (!guestd_xml_child (r, os, "bios", &bios, error))
    return FALSE;
  if (bios != NULL)
    {
      if (!guestd_xml_attr_yesno (r, bios, "useserial", &o->bios_useserial,
                                  error)
          || !guestd_xml_attr_int (r, bios, "rebootTimeout", -1, 65535,
                                   &o->reboot_timeout, error))
        return FALSE;
      o->has_reboot_timeout = guestd_xml_attr (r, bios, "rebootTimeout") != NULL;
      if (o->bios_useserial == GUESTD_TRISTATE_ABSENT
          && !o->has_reboot_timeout)
        {
          guestd_xml_error (error, bios,
                            _("give 'useserial' or 'rebootTimeout'"));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
parse_state_feature (GuestdDomainParser *p, xmlNode *features,
                     const char *name, GuestdTristate *out, GError **error)
{
  xmlNode *n;

  if (!guestd_xml_child (&p->r, features, name, &n, error))
    return FALSE;
  if (n == NULL)
    return TRUE;
  if (!guestd_xml_attr_onoff (&p->r, n, "state", out, error))
    return FALSE;
  /* <smm/> alone means on, as in libvirt. */
  if (*out == GUESTD_TRISTATE_ABSENT)
    *out = GUESTD_TRISTATE_YES;
  return TRUE;
}

static gboolean
parse_hyperv (GuestdDomainParser *p, GuestdFeaturesDef *f, xmlNode *hv,
              GError **error)
{
  GuestdXmlReader *r = &p->r;
  const char *mode = guestd_xml_attr (r, hv, "mode");

  if (mode != NULL && !g_str_equal (mode, "custom"))
    {
      guestd_xml_error (error, hv,
                        _("invalid value '%s' for attribute 'mode' (only "
                          "'custom' is supported)"),
                        mode);
      return FALSE;
    }
  f->has_hyperv = TRUE;
  for (int i = 0; i < GUESTD_HYPERV_LAST; i++)
    {
      const char *name = guestd_enum_to_string (&guestd_hyperv_feature, i);
      xmlNode *n;

      if (!guestd_xml_child (r, hv, name, &n, error))
        return FALSE;
      if (n == NULL)
        continue;
      if (!guestd_xml_attr_onoff (r, n, "state", &f->hyperv[i], error))
        return FALSE;
      if (f->hyperv[i] == GUESTD_TRISTATE_ABSENT)
        {
          guestd_xml_error (error, n, _("attribute 'state' is required"));
          return FALSE;
        }
      if (i == GUESTD_HYPERV_SPINLOCKS && f->hyperv[i] == GUESTD_TRISTATE_YES)
        {
          gboolean has = FALSE;

          if (!guestd_xml_attr_uint (r, n, "retries", G_MAXUINT,
                                     &f->hyperv_spinlock_retries, &has,
                                     error))
            return FALSE;
          if (!has || f->hyperv_spinlock_retries < 4095)
            {
              guestd_xml_error (error, n,
                                _("attribute 'retries' must be at least "
                                  "4095"));
              return FALSE;
            }
        }
      if (i == GUESTD_HYPERV_VENDOR_ID && f->hyperv[i] == GUESTD_TRISTATE_YES)
        {
          if (!guestd_xml_attr_string (r, n, "value", &f->hyperv_vendor_id,
                                       error))
            return FALSE;
          if (f->hyperv_vendor_id == NULL
              || strlen (f->hyperv_vendor_id) > 12)
            {
              guestd_xml_error (error, n,
                                _("attribute 'value' must be 1 to 12 "
                                  "characters"));
              return FALSE;
            }
        }
    }
  return TRUE;
}

static gboolean
parse_features (GuestdDomainParser *p, GuestdDomainDef *def, xmlNode *node,
                GError **error)
{
  GuestdXmlReader *r = &p->r;
  GuestdFeaturesDef *f = &def->features;
  xmlNode *n, *kvm, *hv;

  def->has_features = TRUE;
  if (!guestd_xml_child (r, node, "acpi", &n, error))
    return FALSE;
  f->acpi = n != NULL;
  if (!guestd_xml_child (r, node, "apic", &n, error))
    return FALSE;
  f->apic = n != NULL;
  if (!guestd_xml_child (r, node, "pae", &n, error))
    return FALSE;
  f->pae = n != NULL;
  if (!parse_state_feature (p, node, "vmport", &f->vmport, error)
      || !parse_state_feature (p, node, "smm", &f->smm, error)
      || !guestd_xml_child (r, node, "kvm", &kvm, error))
    return FALSE;
  if (kvm != NULL && !parse_state_feature (p, kvm, "hidden", &f->kvm_hidden,
                                           error))
    return FALSE;
  if (!guestd_xml_child (r, node, "hyperv", &hv, error))
    return FALSE;
  if (hv != NULL && !parse_hyperv (p, f, hv, error))
    return FALSE;
  return TRUE;
}

static gboolean
parse_cpu (GuestdDomainParser *p, GuestdDomainDef *def, xmlNode *node,
           GError **error)
{
  GuestdXmlReader *r = &p->r;
  GuestdCpuDef *cpu = &def->cpu;
  xmlNode *model, *topology;
  g_autoptr (GPtrArray) features = NULL;

  cpu->present = TRUE;
  if (!guestd_xml_attr_enum (r, node, "mode", &guestd_cpu_mode,
                             (int *) &cpu->mode, error)
      || !guestd_xml_attr_enum (r, node, "match", &guestd_cpu_match,
                                (int *) &cpu->match, error)
      || !guestd_xml_attr_enum (r, node, "check", &guestd_cpu_check,
                                (int *) &cpu->check, error)
      || !guestd_xml_attr_onoff (r, node, "migratable", &cpu->migratable,
                                 error)
      || !guestd_xml_child (r, node, "model", &model, error)
      || !guestd_xml_child_text (r, node, "vendor", &cpu->vendor, error)
      || !guestd_xml_child (r, node, "topology", &topology, error))
    return FALSE;
  if (model != NULL
      && (!guestd_xml_text_required (r, model, &cpu->model, error)
          || !guestd_xml_attr_enum (r, model, "fallback",
                                    &guestd_cpu_fallback,
                                    (int *) &cpu->fallback, error)))
    return FALSE;
  if (cpu->mode == GUESTD_CPU_MODE_NONE && cpu->model != NULL)
    cpu->mode = GUESTD_CPU_MODE_CUSTOM;
  if (cpu->mode == GUESTD_CPU_MODE_CUSTOM && cpu->model == NULL
      && topology == NULL)
    {
      guestd_xml_error (error, node,
                        _("mode 'custom' needs a <model> (e.g. "
                          "<model>qemu64</model>)"));
      return FALSE;
    }
  if (topology != NULL)
    {
      guint *parts[] = { &cpu->sockets, &cpu->dies, &cpu->cores,
                         &cpu->threads };
      const char *names[] = { "sockets", "dies", "cores", "threads" };

      for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
        {
          gboolean has = FALSE;

          if (!guestd_xml_attr_uint (r, topology, names[i], MAX_VCPUS,
                                     parts[i], &has, error))
            return FALSE;
          if (!has && i != 1)
            {
              guestd_xml_error (error, topology,
                                _("attribute '%s' is required"), names[i]);
              return FALSE;
            }
          if (has && *parts[i] == 0)
            {
              guestd_xml_error (error, topology,
                                _("attribute '%s' must be at least 1"),
                                names[i]);
              return FALSE;
            }
        }
      if (cpu->dies == 0)
        cpu->dies = 1;
    }
  features = guestd_xml_children (r, node, "feature");
  for (guint i = 0; i < features->len; i++)
    {
      xmlNode *fn = features->pdata[i];
      GuestdCpuFeature f = { GUESTD_CPU_POLICY_NONE, NULL };
      const char *name;

      if (!guestd_xml_attr_required (r, fn, "name", &name, error)
          || !guestd_xml_attr_enum (r, fn, "policy", &guestd_cpu_policy,
                                    (int *) &f.policy, error))
        return FALSE;
      if (f.policy == GUESTD_CPU_POLICY_NONE)
        f.policy = GUESTD_CPU_POLICY_REQUIRE;
      for (const char *c = name; *c != '\0'; c++)
        if (!g_ascii_isalnum (*c) && *c != '-' && *c != '_' && *c != '.')
          {
            guestd_xml_error (error, fn, _("invalid CPU feature name '%s'"),
                              name);
            return FALSE;
          }
      f.name = g_strdup (name);
      g_array_append_val (cpu->features, f);
    }
  return TRUE;
}

static gboolean
parse_clock (GuestdDomainParser *p, GuestdDomainDef *def, xmlNode *node,
             GError **error)
{
  GuestdXmlReader *r = &p->r;
  GuestdClockDef *clk = &def->clock;
  GuestdClockOffset sync = GUESTD_CLOCK_NONE;
  const char *adj;
  g_autoptr (GPtrArray) timers = NULL;

  if (!guestd_xml_attr_enum (r, node, "offset", &guestd_clock_offset,
                             (int *) &clk->offset, error)
      || !guestd_xml_attr_enum (r, node, "sync", &guestd_clock_offset,
                                (int *) &sync, error)
      || !guestd_xml_attr_string (r, node, "timezone", &clk->timezone, error)
      || !guestd_xml_attr_enum (r, node, "basis", &guestd_clock_basis,
                                (int *) &clk->basis, error))
    return FALSE;
  /* sync= is the name the first libvirt releases used for offset=. */
  if (sync != GUESTD_CLOCK_NONE)
    {
      if (clk->offset != GUESTD_CLOCK_NONE && clk->offset != sync)
        {
          guestd_xml_error (error, node,
                            _("attributes 'offset' and 'sync' disagree"));
          return FALSE;
        }
      clk->offset = sync;
    }
  if (clk->offset == GUESTD_CLOCK_NONE)
    clk->offset = GUESTD_CLOCK_UTC;
  if ((clk->offset == GUESTD_CLOCK_TIMEZONE) != (clk->timezone != NULL))
    {
      guestd_xml_error (error, node,
                        _("attribute 'timezone' goes with "
                          "offset='timezone', and only with it"));
      return FALSE;
    }
  adj = guestd_xml_attr (r, node, "adjustment");
  if (adj != NULL)
    {
      if (clk->offset == GUESTD_CLOCK_UTC && g_str_equal (adj, "reset"))
        adj = NULL;
      else if (!g_ascii_string_to_signed (adj, 10, G_MININT64 / 2,
                                          G_MAXINT64 / 2, &clk->adjustment,
                                          NULL))
        {
          guestd_xml_error (error, node,
                            _("invalid value '%s' for attribute "
                              "'adjustment' (expected seconds)"),
                            adj);
          return FALSE;
        }
      else
        clk->has_adjustment = TRUE;
    }
  if (clk->basis != GUESTD_CLOCK_BASIS_NONE
      && clk->offset != GUESTD_CLOCK_VARIABLE)
    {
      guestd_xml_error (error, node,
                        _("attribute 'basis' goes with offset='variable'"));
      return FALSE;
    }

  timers = guestd_xml_children (r, node, "timer");
  for (guint i = 0; i < timers->len; i++)
    {
      xmlNode *tn = timers->pdata[i];
      GuestdTimerDef t = { 0 };

      if (!guestd_xml_attr_enum (r, tn, "name", &guestd_timer_name,
                                 (int *) &t.name, error)
          || !guestd_xml_attr_yesno (r, tn, "present", &t.present, error)
          || !guestd_xml_attr_enum (r, tn, "tickpolicy", &guestd_tickpolicy,
                                    (int *) &t.tickpolicy, error)
          || !guestd_xml_attr_enum (r, tn, "track", &guestd_timer_track,
                                    (int *) &t.track, error))
        return FALSE;
      if (t.name == GUESTD_TIMER_NONE)
        {
          guestd_xml_error (error, tn, _("attribute 'name' is required"));
          return FALSE;
        }
      for (guint j = 0; j < clk->timers->len; j++)
        if (g_array_index (clk->timers, GuestdTimerDef, j).name == t.name)
          {
            guestd_xml_error (error, tn, _("timer '%s' is listed twice"),
                              guestd_enum_to_string (&guestd_timer_name,
                                                     t.name));
            return FALSE;
          }
      g_array_append_val (clk->timers, t);
    }
  return TRUE;
}

static gboolean
parse_lifecycle (GuestdDomainParser *p, xmlNode *root, const char *name,
                 gboolean is_crash, GuestdLifecycleAction *out,
                 GError **error)
{
  xmlNode *n;
  g_autofree char *text = NULL;
  int v;

  if (!guestd_xml_child (&p->r, root, name, &n, error))
    return FALSE;
  if (n == NULL)
    return TRUE;
  if (!guestd_xml_text_required (&p->r, n, &text, error))
    return FALSE;
  v = guestd_enum_from_string (&guestd_lifecycle_action, text);
  if (v < 0
      || (!is_crash && (v == GUESTD_LIFECYCLE_COREDUMP_DESTROY
                        || v == GUESTD_LIFECYCLE_COREDUMP_RESTART)))
    {
      guestd_xml_error (error, n,
                        _("invalid action '%s' (expected destroy, restart, "
                          "rename-restart or preserve%s)"),
                        text,
                        is_crash ? ", coredump-destroy, coredump-restart"
                                 : "");
      return FALSE;
    }
  *out = v;
  return TRUE;
}

static gboolean
parse_pm (GuestdDomainParser *p, GuestdDomainDef *def, xmlNode *pm,
          GError **error)
{
  xmlNode *n;

  if (!guestd_xml_child (&p->r, pm, "suspend-to-mem", &n, error))
    return FALSE;
  if (n != NULL && !guestd_xml_attr_yesno (&p->r, n, "enabled",
                                           &def->pm_suspend_to_mem, error))
    return FALSE;
  if (!guestd_xml_child (&p->r, pm, "suspend-to-disk", &n, error))
    return FALSE;
  if (n != NULL && !guestd_xml_attr_yesno (&p->r, n, "enabled",
                                           &def->pm_suspend_to_disk, error))
    return FALSE;
  return TRUE;
}

static gboolean
parse_qemu_commandline (GuestdDomainParser *p, GuestdDomainDef *def,
                        xmlNode *root, GError **error)
{
  GuestdXmlReader *r = &p->r;
  g_autoptr (GPtrArray) cls
    = guestd_xml_children_ns (r, root, GUESTD_QEMU_NS_HREF, "commandline");

  for (guint i = 0; i < cls->len; i++)
    {
      xmlNode *cl = cls->pdata[i];
      g_autoptr (GPtrArray) args
        = guestd_xml_children_ns (r, cl, GUESTD_QEMU_NS_HREF, "arg");
      g_autoptr (GPtrArray) envs
        = guestd_xml_children_ns (r, cl, GUESTD_QEMU_NS_HREF, "env");

      for (guint j = 0; j < args->len; j++)
        {
          const char *value = guestd_xml_attr (r, args->pdata[j], "value");

          if (value == NULL)
            {
              guestd_xml_error (error, args->pdata[j],
                                _("attribute 'value' is required"));
              return FALSE;
            }
          g_ptr_array_add (def->qemu_args, g_strdup (value));
        }
      for (guint j = 0; j < envs->len; j++)
        {
          xmlNode *en = envs->pdata[j];
          const char *name;
          const char *value;
          GuestdQemuEnv *env;

          if (!guestd_xml_attr_required (r, en, "name", &name, error))
            return FALSE;
          value = guestd_xml_attr (r, en, "value");
          if (!g_ascii_isalpha (name[0]) && name[0] != '_')
            {
              guestd_xml_error (error, en,
                                _("invalid environment variable name '%s'"),
                                name);
              return FALSE;
            }
          for (const char *c = name; *c != '\0'; c++)
            if (!g_ascii_isalnum (*c) && *c != '_')
              {
                guestd_xml_error (error, en,
                                  _("invalid environment variable name "
                                    "'%s'"),
                                  name);
                return FALSE;
              }
          env = g_new0 (GuestdQemuEnv, 1);
          env->name = g_strdup (name);
          env->value = g_strdup (value);
          g_ptr_array_add (def->qemu_env, env);
        }
    }
  return TRUE;
}

static gboolean
parse_identity (GuestdDomainParser *p, GuestdDomainDef *def, xmlNode *root,
                GError **error)
{
  GuestdXmlReader *r = &p->r;
  xmlNode *n;
  const char *why;

  if (!guestd_xml_attr_enum (r, root, "type", &guestd_virt_type,
                             (int *) &def->virt_type, error))
    return FALSE;
  if (def->virt_type == GUESTD_VIRT_NONE)
    {
      guestd_xml_error (error, root,
                        _("attribute 'type' is required (qemu or kvm)"));
      return FALSE;
    }
  /* A live document (dumpxml of a running guest) carries its id; only the
   * service's own status files keep it. */
  if (p->flags & GUESTD_DOMAIN_XML_LIVE)
    {
      if (!guestd_xml_attr_int (r, root, "id", -1, G_MAXINT, &def->id, error))
        return FALSE;
    }
  else
    guestd_xml_attr (r, root, "id");

  if (!guestd_xml_child (r, root, "name", &n, error))
    return FALSE;
  if (n == NULL)
    {
      guestd_xml_error (error, root, _("a <name> is required"));
      return FALSE;
    }
  def->name = g_strdup (guestd_xml_text (r, n));
  why = guestd_domain_name_check (def->name);
  if (why != NULL)
    {
      guestd_xml_error (error, n, _("invalid name '%s': %s"), def->name, why);
      return FALSE;
    }

  if (!guestd_xml_child (r, root, "uuid", &n, error))
    return FALSE;
  if (n != NULL)
    {
      g_autofree char *text = g_strstrip (g_strdup (guestd_xml_text (r, n)));

      if (!guestd_uuid_parse (text, def->uuid))
        {
          guestd_xml_error (error, n,
                            _("invalid UUID '%s' (expected 32 hexadecimal "
                              "digits, e.g. "
                              "c7a5fdbd-edaf-9455-926a-d65c16db1809)"),
                            text);
          return FALSE;
        }
    }

  if (!guestd_xml_child (r, root, "title", &n, error))
    return FALSE;
  if (n != NULL)
    {
      def->title = g_strdup (guestd_xml_text (r, n));
      if (strchr (def->title, '\n') != NULL)
        {
          guestd_xml_error (error, n,
                            _("a title must be a single line"));
          return FALSE;
        }
    }
  if (!guestd_xml_child (r, root, "description", &n, error))
    return FALSE;
  if (n != NULL)
    def->description = g_strdup (guestd_xml_text (r, n));
  if (!guestd_xml_child (r, root, "metadata", &n, error))
    return FALSE;
  if (n != NULL && !parse_metadata (p, def, n, error))
    return FALSE;
  return TRUE;
}

static gboolean
parse_memory (GuestdDomainParser *p, GuestdDomainDef *def, xmlNode *root,
              GError **error)
{
  GuestdXmlReader *r = &p->r;
  xmlNode *mem, *cur, *max;

  if (!guestd_xml_child (r, root, "memory", &mem, error)
      || !guestd_xml_child (r, root, "currentMemory", &cur, error)
      || !guestd_xml_child (r, root, "maxMemory", &max, error))
    return FALSE;
  if (mem == NULL)
    {
      guestd_xml_error (error, root,
                        _("a <memory> is required (e.g. <memory "
                          "unit='MiB'>1024</memory>)"));
      return FALSE;
    }
  if (!parse_memory_element (p, mem, &def->memory_kib, error))
    return FALSE;
  if (def->memory_kib == 0)
    {
      guestd_xml_error (error, mem, _("the memory size must not be zero"));
      return FALSE;
    }
  if (cur != NULL)
    {
      if (!parse_memory_element (p, cur, &def->current_memory_kib, error))
        return FALSE;
      if (def->current_memory_kib > def->memory_kib)
        {
          guestd_xml_error (error, cur,
                            _("currentMemory (%llu KiB) must not exceed memory "
                              "(%llu KiB)"),
                            (unsigned long long) def->current_memory_kib,
                            (unsigned long long) def->memory_kib);
          return FALSE;
        }
      if (def->current_memory_kib == 0)
        {
          guestd_xml_error (error, cur,
                            _("currentMemory must not be zero"));
          return FALSE;
        }
    }
  if (max != NULL)
    {
      gboolean has_slots = FALSE;

      if (!parse_memory_element (p, max, &def->max_memory_kib, error)
          || !guestd_xml_attr_uint (r, max, "slots", 255,
                                    &def->max_memory_slots, &has_slots,
                                    error))
        return FALSE;
      if (!has_slots || def->max_memory_slots == 0)
        {
          guestd_xml_error (error, max,
                            _("attribute 'slots' (1 to 255) is required"));
          return FALSE;
        }
      if (def->max_memory_kib < def->memory_kib)
        {
          guestd_xml_error (error, max,
                            _("maxMemory must not be smaller than memory"));
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
parse_domain (GuestdDomainParser *p, GuestdDomainDef *def, xmlNode *root,
              GError **error)
{
  GuestdXmlReader *r = &p->r;
  xmlNode *n;

  if (!xmlStrEqual (root->name, BAD_CAST "domain") || root->ns != NULL)
    {
      guestd_xml_error (error, root,
                        _("the root element must be <domain>"));
      return FALSE;
    }
  guestd_xml_use (r, root);
  if (!parse_identity (p, def, root, error)
      || !parse_memory (p, def, root, error))
    return FALSE;

  if (!guestd_xml_child (r, root, "vcpu", &n, error))
    return FALSE;
  if (n != NULL)
    {
      if (!parse_vcpu (p, def, n, error))
        return FALSE;
    }
  else
    def->vcpus = 1;

  if (!guestd_xml_child (r, root, "os", &n, error))
    return FALSE;
  if (n == NULL)
    {
      guestd_xml_error (error, root,
                        _("an <os> is required (e.g. <os><type>hvm</type>"
                          "</os>)"));
      return FALSE;
    }
  if (!parse_os (p, def, n, error))
    return FALSE;

  if (!guestd_xml_child (r, root, "features", &n, error)
      || (n != NULL && !parse_features (p, def, n, error))
      || !guestd_xml_child (r, root, "cpu", &n, error)
      || (n != NULL && !parse_cpu (p, def, n, error))
      || !guestd_xml_child (r, root, "clock", &n, error))
    return FALSE;
  if (n != NULL)
    {
      if (!parse_clock (p, def, n, error))
        return FALSE;
    }
  else
    def->clock.offset = GUESTD_CLOCK_UTC;

  if (!parse_lifecycle (p, root, "on_poweroff", FALSE, &def->on_poweroff,
                        error)
      || !parse_lifecycle (p, root, "on_reboot", FALSE, &def->on_reboot,
                           error)
      || !parse_lifecycle (p, root, "on_crash", TRUE, &def->on_crash, error)
      || !guestd_xml_child (r, root, "pm", &n, error)
      || (n != NULL && !parse_pm (p, def, n, error))
      || !guestd_xml_child (r, root, "devices", &n, error))
    return FALSE;
  if (n != NULL && !guestd_domain_parse_devices (p, def, n, error))
    return FALSE;
  if (!parse_qemu_commandline (p, def, root, error))
    return FALSE;
  return guestd_xml_reader_check_used (r, root, error);
}

GuestdDomainDef *
guestd_domain_def_parse_node (xmlDoc *doc, xmlNode *root,
                              GuestdDomainXmlFlags flags, GError **error)
{
  g_autoptr (GuestdDomainDef) def = guestd_domain_def_new ();
  GuestdDomainParser p = { { 0 }, flags };
  gboolean ok;

  guestd_xml_reader_init (&p.r, doc);
  ok = parse_domain (&p, def, root, error);
  guestd_xml_reader_clear (&p.r);
  if (!ok)
    return NULL;
  if (!guestd_domain_def_post_parse (def, error)
      || !guestd_domain_def_validate (def, error))
    return NULL;
  return g_steal_pointer (&def);
}

GuestdDomainDef *
guestd_domain_def_parse (const char *xml, gssize len,
                         GuestdDomainXmlFlags flags, GError **error)
{
  g_autoptr (xmlDoc) doc = guestd_xml_parse (xml, len, error);

  if (doc == NULL)
    return NULL;
  return guestd_domain_def_parse_node (doc, xmlDocGetRootElement (doc), flags,
                                       error);
}
