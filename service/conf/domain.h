/* The domain model: libvirt's domain XML as C structures. No D-Bus, no
 * QEMU here; conf/domain-parse.c reads it, conf/domain-format.c writes it. */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "conf/xml-reader.h"
#include "util/enum.h"

#define GUESTD_UUID_STRING_LEN 36
#define GUESTD_QEMU_NS_HREF "http://libvirt.org/schemas/domain/qemu/1.0"

/* Enum value 0 is always "not given": nothing is written for it. */

typedef enum
{
  GUESTD_VIRT_NONE,
  GUESTD_VIRT_QEMU,
  GUESTD_VIRT_KVM,
} GuestdVirtType;
extern const GuestdEnum guestd_virt_type;

typedef enum
{
  GUESTD_ADDR_NONE,
  GUESTD_ADDR_PCI,
  GUESTD_ADDR_DRIVE,
  GUESTD_ADDR_USB,
  GUESTD_ADDR_VIRTIO_SERIAL,
  GUESTD_ADDR_ISA,
} GuestdAddressType;
extern const GuestdEnum guestd_address_type;

typedef struct
{
  GuestdAddressType type;
  union
  {
    struct
    {
      guint domain, bus, slot, function;
      GuestdTristate multifunction; /* on/off */
    } pci;
    struct
    {
      guint controller, bus, target, unit;
    } drive;
    struct
    {
      guint bus;
      char *port; /* "1" or "1.2.3" for hubs */
    } usb;
    struct
    {
      guint controller, bus, port;
    } vioser;
    struct
    {
      guint iobase, irq;
      gboolean has_iobase, has_irq;
    } isa;
  };
} GuestdDeviceAddress;

/* What every device may carry. */
typedef struct
{
  char *alias;     /* only user aliases ("ua-…") are kept in definitions */
  GuestdDeviceAddress addr;
  guint boot_order; /* <boot order='N'/>, 0 when absent */
} GuestdDeviceInfo;

/* ---- disks ---- */

typedef enum
{
  GUESTD_DISK_TYPE_NONE,
  GUESTD_DISK_TYPE_FILE,
  GUESTD_DISK_TYPE_BLOCK,
} GuestdDiskType;
extern const GuestdEnum guestd_disk_type;

typedef enum
{
  GUESTD_DISK_DEVICE_NONE, /* means disk */
  GUESTD_DISK_DEVICE_DISK,
  GUESTD_DISK_DEVICE_CDROM,
  GUESTD_DISK_DEVICE_FLOPPY,
  GUESTD_DISK_DEVICE_LUN,
} GuestdDiskDevice;
extern const GuestdEnum guestd_disk_device;

typedef enum
{
  GUESTD_DISK_BUS_NONE,
  GUESTD_DISK_BUS_IDE,
  GUESTD_DISK_BUS_SATA,
  GUESTD_DISK_BUS_SCSI,
  GUESTD_DISK_BUS_VIRTIO,
  GUESTD_DISK_BUS_USB,
  GUESTD_DISK_BUS_FDC,
} GuestdDiskBus;
extern const GuestdEnum guestd_disk_bus;

typedef enum
{
  GUESTD_DISK_FORMAT_NONE, /* raw: guestd never probes formats */
  GUESTD_DISK_FORMAT_RAW,
  GUESTD_DISK_FORMAT_QCOW2,
  GUESTD_DISK_FORMAT_QCOW,
  GUESTD_DISK_FORMAT_QED,
  GUESTD_DISK_FORMAT_VMDK,
  GUESTD_DISK_FORMAT_VPC,
  GUESTD_DISK_FORMAT_VHDX,
  GUESTD_DISK_FORMAT_VDI,
  GUESTD_DISK_FORMAT_ISO, /* libvirt's name for raw CD images */
} GuestdDiskFormat;
extern const GuestdEnum guestd_disk_format;

typedef enum
{
  GUESTD_DISK_CACHE_NONE_GIVEN,
  GUESTD_DISK_CACHE_DEFAULT,
  GUESTD_DISK_CACHE_NONE,
  GUESTD_DISK_CACHE_WRITETHROUGH,
  GUESTD_DISK_CACHE_WRITEBACK,
  GUESTD_DISK_CACHE_DIRECTSYNC,
  GUESTD_DISK_CACHE_UNSAFE,
} GuestdDiskCache;
extern const GuestdEnum guestd_disk_cache;

typedef enum
{
  GUESTD_DISK_IO_NONE,
  GUESTD_DISK_IO_NATIVE,
  GUESTD_DISK_IO_THREADS,
  GUESTD_DISK_IO_URING,
} GuestdDiskIo;
extern const GuestdEnum guestd_disk_io;

typedef enum
{
  GUESTD_DISK_DISCARD_NONE,
  GUESTD_DISK_DISCARD_UNMAP,
  GUESTD_DISK_DISCARD_IGNORE,
} GuestdDiskDiscard;
extern const GuestdEnum guestd_disk_discard;

typedef enum
{
  GUESTD_DISK_DETECT_ZEROES_NONE,
  GUESTD_DISK_DETECT_ZEROES_OFF,
  GUESTD_DISK_DETECT_ZEROES_ON,
  GUESTD_DISK_DETECT_ZEROES_UNMAP,
} GuestdDiskDetectZeroes;
extern const GuestdEnum guestd_disk_detect_zeroes;

typedef enum
{
  GUESTD_DISK_TRAY_NONE,
  GUESTD_DISK_TRAY_OPEN,
  GUESTD_DISK_TRAY_CLOSED,
} GuestdDiskTray;
extern const GuestdEnum guestd_disk_tray;

typedef struct
{
  GuestdDeviceInfo info;
  GuestdDiskType type;
  GuestdDiskDevice device;
  char *src;          /* file= or dev=; NULL for an empty CD-ROM drive */
  gboolean has_driver;
  char *driver_name;  /* "qemu" */
  GuestdDiskFormat format;
  GuestdDiskCache cache;
  GuestdDiskIo io;
  GuestdDiskDiscard discard;
  GuestdDiskDetectZeroes detect_zeroes;
  char *target;       /* "vda", "hdc", … */
  GuestdDiskBus bus;
  GuestdDiskTray tray;
  GuestdTristate removable; /* on/off, usb disks */
  gboolean readonly;
  gboolean shareable;
  gboolean transient;
  char *serial;
} GuestdDiskDef;

/* ---- controllers ---- */

typedef enum
{
  GUESTD_CONTROLLER_NONE,
  GUESTD_CONTROLLER_IDE,
  GUESTD_CONTROLLER_FDC,
  GUESTD_CONTROLLER_SCSI,
  GUESTD_CONTROLLER_SATA,
  GUESTD_CONTROLLER_VIRTIO_SERIAL,
  GUESTD_CONTROLLER_USB,
  GUESTD_CONTROLLER_PCI,
  GUESTD_CONTROLLER_LAST,
} GuestdControllerType;
extern const GuestdEnum guestd_controller_type;

typedef struct
{
  GuestdDeviceInfo info;
  GuestdControllerType type;
  int index;          /* -1 until assigned */
  char *model;        /* checked against the type's models */
  guint ports;        /* usb, virtio-serial; 0 = default */
  guint vectors;      /* virtio-serial */
  int master_startport; /* usb companions: -1 when absent */
  char *model_name;   /* pci: <model name='…'/> */
  int target_chassis; /* pci root ports; -1 when absent */
  int target_port;
  int target_bus_nr;
  guint queues;       /* scsi: <driver queues='N'/> */
} GuestdControllerDef;

/* ---- network interfaces ---- */

typedef enum
{
  GUESTD_NET_NONE,
  GUESTD_NET_USER,
  GUESTD_NET_NETWORK,
  GUESTD_NET_BRIDGE,
  GUESTD_NET_ETHERNET,
} GuestdNetType;
extern const GuestdEnum guestd_net_type;

typedef enum
{
  GUESTD_LINK_NONE,
  GUESTD_LINK_UP,
  GUESTD_LINK_DOWN,
} GuestdLinkState;
extern const GuestdEnum guestd_link_state;

typedef struct
{
  GuestdDeviceInfo info;
  GuestdNetType type;
  char mac[18];       /* lower case, filled in when missing */
  char *model;        /* virtio, e1000, e1000e, rtl8139, … */
  char *source;       /* network name or bridge name */
  char *target_dev;   /* tap device name */
  char *driver_name;  /* qemu, vhost */
  GuestdLinkState link;
  guint mtu;
} GuestdNetDef;

/* ---- input ---- */

typedef enum
{
  GUESTD_INPUT_NONE,
  GUESTD_INPUT_MOUSE,
  GUESTD_INPUT_TABLET,
  GUESTD_INPUT_KEYBOARD,
} GuestdInputType;
extern const GuestdEnum guestd_input_type;

typedef enum
{
  GUESTD_INPUT_BUS_NONE,
  GUESTD_INPUT_BUS_PS2,
  GUESTD_INPUT_BUS_USB,
  GUESTD_INPUT_BUS_VIRTIO,
} GuestdInputBus;
extern const GuestdEnum guestd_input_bus;

typedef struct
{
  GuestdDeviceInfo info;
  GuestdInputType type;
  GuestdInputBus bus;
} GuestdInputDef;

/* ---- graphics ---- */

typedef enum
{
  GUESTD_GRAPHICS_NONE,
  GUESTD_GRAPHICS_VNC,
  GUESTD_GRAPHICS_SPICE,
  GUESTD_GRAPHICS_SDL,
  GUESTD_GRAPHICS_EGL_HEADLESS,
  GUESTD_GRAPHICS_DBUS,
} GuestdGraphicsType;
extern const GuestdEnum guestd_graphics_type;

typedef enum
{
  GUESTD_LISTEN_NONE_GIVEN,
  GUESTD_LISTEN_ADDRESS,
  GUESTD_LISTEN_SOCKET,
  GUESTD_LISTEN_NONE,
} GuestdListenType;
extern const GuestdEnum guestd_listen_type;

typedef enum
{
  GUESTD_SPICE_IMAGE_NONE,
  GUESTD_SPICE_IMAGE_AUTO_GLZ,
  GUESTD_SPICE_IMAGE_AUTO_LZ,
  GUESTD_SPICE_IMAGE_QUIC,
  GUESTD_SPICE_IMAGE_GLZ,
  GUESTD_SPICE_IMAGE_LZ,
  GUESTD_SPICE_IMAGE_OFF,
} GuestdSpiceImage;
extern const GuestdEnum guestd_spice_image;

typedef struct
{
  GuestdGraphicsType type;
  int port;            /* -1: choose one (autoport) */
  int tls_port;        /* spice; -1: choose one */
  int websocket;       /* vnc; 0: none, -1: choose one */
  GuestdTristate autoport;
  GuestdListenType listen_type;
  char *listen;        /* address, or socket path */
  char *keymap;
  char *passwd;
  GuestdSpiceImage image_compression;
  GuestdTristate gl;   /* spice/egl: <gl enable='yes|no'/> */
} GuestdGraphicsDef;

/* ---- video ---- */

typedef enum
{
  GUESTD_VIDEO_NONE_GIVEN,
  GUESTD_VIDEO_VGA,
  GUESTD_VIDEO_CIRRUS,
  GUESTD_VIDEO_QXL,
  GUESTD_VIDEO_VIRTIO,
  GUESTD_VIDEO_BOCHS,
  GUESTD_VIDEO_RAMFB,
  GUESTD_VIDEO_NONE,
} GuestdVideoModel;
extern const GuestdEnum guestd_video_model;

typedef struct
{
  GuestdDeviceInfo info;
  GuestdVideoModel model;
  guint vram, ram, vgamem, vram64; /* KiB; 0 = default */
  guint heads;
  GuestdTristate primary;
  GuestdTristate accel3d;
} GuestdVideoDef;

/* ---- sound ---- */

typedef enum
{
  GUESTD_SOUND_NONE,
  GUESTD_SOUND_ICH6,
  GUESTD_SOUND_ICH9,
  GUESTD_SOUND_AC97,
  GUESTD_SOUND_ES1370,
  GUESTD_SOUND_SB16,
  GUESTD_SOUND_USB,
} GuestdSoundModel;
extern const GuestdEnum guestd_sound_model;

typedef enum
{
  GUESTD_CODEC_NONE,
  GUESTD_CODEC_DUPLEX,
  GUESTD_CODEC_MICRO,
  GUESTD_CODEC_OUTPUT,
} GuestdSoundCodec;
extern const GuestdEnum guestd_sound_codec;

typedef struct
{
  GuestdDeviceInfo info;
  GuestdSoundModel model;
  GArray *codecs; /* GuestdSoundCodec */
} GuestdSoundDef;

/* ---- character devices: serial, parallel, console, channel ---- */

typedef enum
{
  GUESTD_CHR_DEV_SERIAL,
  GUESTD_CHR_DEV_PARALLEL,
  GUESTD_CHR_DEV_CONSOLE,
  GUESTD_CHR_DEV_CHANNEL,
} GuestdChrDevice;
extern const GuestdEnum guestd_chr_device;

typedef enum
{
  GUESTD_CHR_NONE,
  GUESTD_CHR_NULL,
  GUESTD_CHR_VC,
  GUESTD_CHR_PTY,
  GUESTD_CHR_DEV,
  GUESTD_CHR_FILE,
  GUESTD_CHR_PIPE,
  GUESTD_CHR_STDIO,
  GUESTD_CHR_TCP,
  GUESTD_CHR_UNIX,
  GUESTD_CHR_SPICEVMC,
  GUESTD_CHR_SPICEPORT,
} GuestdChrType;
extern const GuestdEnum guestd_chr_type;

typedef enum
{
  GUESTD_CHR_MODE_NONE,
  GUESTD_CHR_MODE_BIND,
  GUESTD_CHR_MODE_CONNECT,
} GuestdChrMode;
extern const GuestdEnum guestd_chr_mode;

typedef enum
{
  GUESTD_CHR_TARGET_NONE,
  GUESTD_CHR_TARGET_ISA_SERIAL,
  GUESTD_CHR_TARGET_USB_SERIAL,
  GUESTD_CHR_TARGET_PCI_SERIAL,
  GUESTD_CHR_TARGET_SERIAL,   /* console on a serial port */
  GUESTD_CHR_TARGET_VIRTIO,   /* console or channel on virtio-serial */
  GUESTD_CHR_TARGET_GUESTFWD, /* channel */
} GuestdChrTargetType;
extern const GuestdEnum guestd_chr_target_type;

typedef enum
{
  GUESTD_CHR_PROTOCOL_NONE,
  GUESTD_CHR_PROTOCOL_RAW,
  GUESTD_CHR_PROTOCOL_TELNET,
} GuestdChrProtocol;
extern const GuestdEnum guestd_chr_protocol;

typedef struct
{
  GuestdDeviceInfo info;
  GuestdChrDevice device;
  GuestdChrType type;
  char *path;          /* file, dev, pipe, unix; pty once started */
  GuestdChrMode mode;  /* unix, tcp */
  GuestdTristate append; /* file: on/off */
  char *host, *service; /* tcp */
  char *channel;       /* spiceport: channel='org.…' */
  GuestdChrProtocol protocol;
  char *log_file;
  GuestdTristate log_append;
  GuestdChrTargetType target_type;
  int target_port;     /* -1 when absent */
  char *target_name;   /* channel: virtio port name */
  char *target_address; /* guestfwd */
  char *target_model;  /* serial: <model name='isa-serial'/> */
} GuestdChrDef;

/* ---- rng, memballoon, redirdev, watchdog ---- */

typedef enum
{
  GUESTD_RNG_BACKEND_NONE,
  GUESTD_RNG_BACKEND_RANDOM,
  GUESTD_RNG_BACKEND_BUILTIN,
} GuestdRngBackend;
extern const GuestdEnum guestd_rng_backend;

typedef struct
{
  GuestdDeviceInfo info;
  char *model;               /* virtio (and its transitional variants) */
  GuestdRngBackend backend;
  char *device;              /* random: /dev/urandom or /dev/random */
  guint rate_period, rate_bytes;
} GuestdRngDef;

typedef enum
{
  GUESTD_BALLOON_NONE_GIVEN,
  GUESTD_BALLOON_VIRTIO,
  GUESTD_BALLOON_NONE,
} GuestdBalloonModel;
extern const GuestdEnum guestd_balloon_model;

typedef struct
{
  GuestdDeviceInfo info;
  GuestdBalloonModel model;
  GuestdTristate autodeflate;       /* on/off */
  GuestdTristate free_page_reporting;
  guint stats_period;               /* seconds; 0 = none */
} GuestdBalloonDef;

typedef struct
{
  GuestdDeviceInfo info;
  GuestdChrType type; /* spicevmc or tcp */
  char *host, *service;
} GuestdRedirdevDef;

typedef enum
{
  GUESTD_WATCHDOG_NONE,
  GUESTD_WATCHDOG_I6300ESB,
  GUESTD_WATCHDOG_IB700,
  GUESTD_WATCHDOG_ITCO,
} GuestdWatchdogModel;
extern const GuestdEnum guestd_watchdog_model;

typedef enum
{
  GUESTD_WATCHDOG_ACTION_NONE_GIVEN,
  GUESTD_WATCHDOG_ACTION_RESET,
  GUESTD_WATCHDOG_ACTION_SHUTDOWN,
  GUESTD_WATCHDOG_ACTION_POWEROFF,
  GUESTD_WATCHDOG_ACTION_PAUSE,
  GUESTD_WATCHDOG_ACTION_NONE,
  GUESTD_WATCHDOG_ACTION_DUMP,
  GUESTD_WATCHDOG_ACTION_INJECT_NMI,
} GuestdWatchdogAction;
extern const GuestdEnum guestd_watchdog_action;

typedef struct
{
  GuestdDeviceInfo info;
  GuestdWatchdogModel model;
  GuestdWatchdogAction action;
} GuestdWatchdogDef;

/* ---- top-level sections ---- */

typedef enum
{
  GUESTD_BOOT_NONE,
  GUESTD_BOOT_HD,
  GUESTD_BOOT_CDROM,
  GUESTD_BOOT_FD,
  GUESTD_BOOT_NETWORK,
} GuestdBootDev;
extern const GuestdEnum guestd_boot_dev;

typedef enum
{
  GUESTD_LOADER_NONE,
  GUESTD_LOADER_ROM,
  GUESTD_LOADER_PFLASH,
} GuestdLoaderType;
extern const GuestdEnum guestd_loader_type;

typedef enum
{
  GUESTD_FIRMWARE_NONE,
  GUESTD_FIRMWARE_BIOS,
  GUESTD_FIRMWARE_EFI,
} GuestdFirmware;
extern const GuestdEnum guestd_firmware;

#define GUESTD_MAX_BOOT_DEVS 4

typedef struct
{
  char *type;           /* "hvm" */
  char *arch;           /* "x86_64", "i686", … */
  char *machine;        /* as written: "pc", "q35", "pc-q35-7.2" */
  GuestdFirmware firmware;
  char *loader;
  GuestdTristate loader_readonly;
  GuestdLoaderType loader_type;
  GuestdTristate loader_secure;
  char *nvram;
  char *nvram_template;
  char *kernel, *initrd, *cmdline, *dtb;
  GuestdBootDev boot[GUESTD_MAX_BOOT_DEVS];
  guint n_boot;
  GuestdTristate bootmenu;
  int bootmenu_timeout; /* ms, -1 when absent */
  GuestdTristate bios_useserial;
  gboolean has_reboot_timeout;
  int reboot_timeout;   /* ms; -1 means never reboot after a failed boot */
} GuestdOsDef;

typedef enum
{
  GUESTD_HYPERV_RELAXED,
  GUESTD_HYPERV_VAPIC,
  GUESTD_HYPERV_SPINLOCKS,
  GUESTD_HYPERV_VPINDEX,
  GUESTD_HYPERV_RUNTIME,
  GUESTD_HYPERV_SYNIC,
  GUESTD_HYPERV_STIMER,
  GUESTD_HYPERV_RESET,
  GUESTD_HYPERV_VENDOR_ID,
  GUESTD_HYPERV_FREQUENCIES,
  GUESTD_HYPERV_REENLIGHTENMENT,
  GUESTD_HYPERV_TLBFLUSH,
  GUESTD_HYPERV_IPI,
  GUESTD_HYPERV_EVMCS,
  GUESTD_HYPERV_LAST,
} GuestdHypervFeature;
extern const GuestdEnum guestd_hyperv_feature;

typedef struct
{
  gboolean acpi, apic, pae;
  GuestdTristate vmport;   /* on/off */
  GuestdTristate smm;      /* on/off */
  GuestdTristate kvm_hidden;
  gboolean has_hyperv;
  GuestdTristate hyperv[GUESTD_HYPERV_LAST];
  guint hyperv_spinlock_retries;
  char *hyperv_vendor_id;
} GuestdFeaturesDef;

typedef enum
{
  GUESTD_CPU_MODE_NONE,
  GUESTD_CPU_MODE_CUSTOM,
  GUESTD_CPU_MODE_HOST_MODEL,
  GUESTD_CPU_MODE_HOST_PASSTHROUGH,
  GUESTD_CPU_MODE_MAXIMUM,
} GuestdCpuMode;
extern const GuestdEnum guestd_cpu_mode;

typedef enum
{
  GUESTD_CPU_MATCH_NONE,
  GUESTD_CPU_MATCH_MINIMUM,
  GUESTD_CPU_MATCH_EXACT,
  GUESTD_CPU_MATCH_STRICT,
} GuestdCpuMatch;
extern const GuestdEnum guestd_cpu_match;

typedef enum
{
  GUESTD_CPU_CHECK_NONE_GIVEN,
  GUESTD_CPU_CHECK_NONE,
  GUESTD_CPU_CHECK_PARTIAL,
  GUESTD_CPU_CHECK_FULL,
} GuestdCpuCheck;
extern const GuestdEnum guestd_cpu_check;

typedef enum
{
  GUESTD_CPU_FALLBACK_NONE,
  GUESTD_CPU_FALLBACK_ALLOW,
  GUESTD_CPU_FALLBACK_FORBID,
} GuestdCpuFallback;
extern const GuestdEnum guestd_cpu_fallback;

typedef enum
{
  GUESTD_CPU_POLICY_NONE,
  GUESTD_CPU_POLICY_FORCE,
  GUESTD_CPU_POLICY_REQUIRE,
  GUESTD_CPU_POLICY_OPTIONAL,
  GUESTD_CPU_POLICY_DISABLE,
  GUESTD_CPU_POLICY_FORBID,
} GuestdCpuPolicy;
extern const GuestdEnum guestd_cpu_policy;

typedef struct
{
  GuestdCpuPolicy policy;
  char *name;
} GuestdCpuFeature;

typedef struct
{
  gboolean present;         /* a <cpu> element was given */
  GuestdCpuMode mode;
  GuestdCpuMatch match;
  GuestdCpuCheck check;
  GuestdTristate migratable; /* on/off */
  char *model;
  GuestdCpuFallback fallback;
  char *vendor;
  guint sockets, dies, cores, threads; /* 0 when no <topology> */
  GArray *features;         /* GuestdCpuFeature */
} GuestdCpuDef;

typedef enum
{
  GUESTD_CLOCK_NONE,
  GUESTD_CLOCK_UTC,
  GUESTD_CLOCK_LOCALTIME,
  GUESTD_CLOCK_TIMEZONE,
  GUESTD_CLOCK_VARIABLE,
} GuestdClockOffset;
extern const GuestdEnum guestd_clock_offset;

typedef enum
{
  GUESTD_TIMER_NONE,
  GUESTD_TIMER_PLATFORM,
  GUESTD_TIMER_PIT,
  GUESTD_TIMER_RTC,
  GUESTD_TIMER_HPET,
  GUESTD_TIMER_TSC,
  GUESTD_TIMER_KVMCLOCK,
  GUESTD_TIMER_HYPERVCLOCK,
} GuestdTimerName;
extern const GuestdEnum guestd_timer_name;

typedef enum
{
  GUESTD_TICKPOLICY_NONE,
  GUESTD_TICKPOLICY_DELAY,
  GUESTD_TICKPOLICY_CATCHUP,
  GUESTD_TICKPOLICY_MERGE,
  GUESTD_TICKPOLICY_DISCARD,
} GuestdTickPolicy;
extern const GuestdEnum guestd_tickpolicy;

typedef enum
{
  GUESTD_TIMER_TRACK_NONE,
  GUESTD_TIMER_TRACK_BOOT,
  GUESTD_TIMER_TRACK_GUEST,
  GUESTD_TIMER_TRACK_WALL,
  GUESTD_TIMER_TRACK_REALTIME,
} GuestdTimerTrack;
extern const GuestdEnum guestd_timer_track;

typedef struct
{
  GuestdTimerName name;
  GuestdTristate present; /* yes/no */
  GuestdTickPolicy tickpolicy;
  GuestdTimerTrack track;
} GuestdTimerDef;

typedef enum
{
  GUESTD_CLOCK_BASIS_NONE,
  GUESTD_CLOCK_BASIS_UTC,
  GUESTD_CLOCK_BASIS_LOCALTIME,
} GuestdClockBasis;
extern const GuestdEnum guestd_clock_basis;

typedef struct
{
  GuestdClockOffset offset;
  char *timezone;
  gint64 adjustment;
  gboolean has_adjustment;
  GuestdClockBasis basis;
  GArray *timers; /* GuestdTimerDef */
} GuestdClockDef;

typedef enum
{
  GUESTD_LIFECYCLE_NONE,
  GUESTD_LIFECYCLE_DESTROY,
  GUESTD_LIFECYCLE_RESTART,
  GUESTD_LIFECYCLE_RENAME_RESTART,
  GUESTD_LIFECYCLE_PRESERVE,
  GUESTD_LIFECYCLE_COREDUMP_DESTROY,
  GUESTD_LIFECYCLE_COREDUMP_RESTART,
} GuestdLifecycleAction;
extern const GuestdEnum guestd_lifecycle_action;

typedef enum
{
  GUESTD_VCPU_PLACEMENT_NONE,
  GUESTD_VCPU_PLACEMENT_STATIC,
  GUESTD_VCPU_PLACEMENT_AUTO,
} GuestdVcpuPlacement;
extern const GuestdEnum guestd_vcpu_placement;

typedef struct
{
  char *name;
  char *value;
} GuestdQemuEnv;

typedef struct _GuestdDomainDef GuestdDomainDef;

struct _GuestdDomainDef
{
  GuestdVirtType virt_type;
  int id;                     /* -1 unless running */
  /* Who wrote this definition (the system instance hands only the
   * author's files to a guest); not part of the XML. 0: root. */
  guint author;
  char *name;
  char uuid[GUESTD_UUID_STRING_LEN + 1];
  char *title;
  char *description;
  xmlDoc *metadata;           /* the <metadata> element, verbatim */

  guint64 memory_kib;         /* <memory> */
  guint64 current_memory_kib; /* <currentMemory>; 0 = same as memory */
  guint64 max_memory_kib;     /* <maxMemory>, 0 when absent */
  guint max_memory_slots;

  guint vcpus;
  guint vcpus_current;        /* 0 = all */
  GuestdVcpuPlacement vcpu_placement;
  char *cpuset;

  GuestdOsDef os;
  GuestdFeaturesDef features;
  gboolean has_features;
  GuestdCpuDef cpu;
  GuestdClockDef clock;
  GuestdLifecycleAction on_poweroff, on_reboot, on_crash;
  GuestdTristate pm_suspend_to_mem, pm_suspend_to_disk;

  char *emulator;
  GPtrArray *disks;       /* GuestdDiskDef */
  GPtrArray *controllers; /* GuestdControllerDef */
  GPtrArray *nets;        /* GuestdNetDef */
  GPtrArray *inputs;      /* GuestdInputDef */
  GPtrArray *graphics;    /* GuestdGraphicsDef */
  GPtrArray *videos;      /* GuestdVideoDef */
  GPtrArray *sounds;      /* GuestdSoundDef */
  GPtrArray *serials;     /* GuestdChrDef */
  GPtrArray *parallels;   /* GuestdChrDef */
  GPtrArray *consoles;    /* GuestdChrDef */
  GPtrArray *channels;    /* GuestdChrDef */
  GPtrArray *rngs;        /* GuestdRngDef */
  GPtrArray *redirdevs;   /* GuestdRedirdevDef */
  GPtrArray *watchdogs;   /* GuestdWatchdogDef */
  GuestdBalloonDef *memballoon;

  GPtrArray *qemu_args;   /* char * */
  GPtrArray *qemu_env;    /* GuestdQemuEnv */
};

GuestdDomainDef *guestd_domain_def_new (void);
void guestd_domain_def_free (GuestdDomainDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GuestdDomainDef, guestd_domain_def_free)

GuestdDiskDef *guestd_disk_def_new (void);
GuestdControllerDef *guestd_controller_def_new (void);
GuestdNetDef *guestd_net_def_new (void);
GuestdInputDef *guestd_input_def_new (void);
GuestdGraphicsDef *guestd_graphics_def_new (void);
GuestdVideoDef *guestd_video_def_new (void);
GuestdSoundDef *guestd_sound_def_new (void);
GuestdChrDef *guestd_chr_def_new (GuestdChrDevice device);
GuestdRngDef *guestd_rng_def_new (void);
GuestdBalloonDef *guestd_balloon_def_new (void);
GuestdRedirdevDef *guestd_redirdev_def_new (void);
GuestdWatchdogDef *guestd_watchdog_def_new (void);
void guestd_qemu_env_free (GuestdQemuEnv *env);

/* Flags for parse and format. */
typedef enum
{
  GUESTD_DOMAIN_XML_INACTIVE = 1 << 0, /* format: the definition only */
  GUESTD_DOMAIN_XML_LIVE = 1 << 1,     /* parse: runtime state too (status) */
  GUESTD_DOMAIN_XML_SECURE = 1 << 2,   /* format: include passwords */
} GuestdDomainXmlFlags;

GuestdDomainDef *guestd_domain_def_parse (const char *xml, gssize len,
                                          GuestdDomainXmlFlags flags,
                                          GError **error);
/* The same for a <domain> element inside another document. */
GuestdDomainDef *guestd_domain_def_parse_node (xmlDoc *doc, xmlNode *root,
                                               GuestdDomainXmlFlags flags,
                                               GError **error);
char *guestd_domain_def_format (const GuestdDomainDef *def,
                                GuestdDomainXmlFlags flags);
/* A deep copy, through format and parse. */
GuestdDomainDef *guestd_domain_def_copy (const GuestdDomainDef *def,
                                         GError **error);

/* Defaults a definition gets once (uuid, MAC addresses, controller
 * indexes), then the rules a complete definition must follow. */
gboolean guestd_domain_def_post_parse (GuestdDomainDef *def, GError **error);
gboolean guestd_domain_def_validate (const GuestdDomainDef *def,
                                     GError **error);

/* Helpers for the model's users. */
guint64 guestd_domain_def_current_memory (const GuestdDomainDef *def);
const char *guestd_domain_def_machine (const GuestdDomainDef *def);
gboolean guestd_domain_def_is_q35 (const GuestdDomainDef *def);
GuestdControllerDef *guestd_domain_def_find_controller (
  const GuestdDomainDef *def, GuestdControllerType type, int index);
GuestdDiskBus guestd_disk_bus_from_target (const char *target);
/* "hdc" → 2, "vdaa" → 26; -1 when @target is not NAME+letters. */
int guestd_disk_target_index (const char *target);
char *guestd_disk_target_name (const char *prefix, int index);

gboolean guestd_uuid_parse (const char *in, char out[GUESTD_UUID_STRING_LEN + 1]);
void guestd_uuid_generate (char out[GUESTD_UUID_STRING_LEN + 1]);
gboolean guestd_mac_parse (const char *in, char out[18]);
void guestd_mac_generate (char out[18]);
/* Make generated MAC addresses repeatable, for golden-file tests. */
void guestd_domain_seed_random_for_tests (guint32 seed);
/* NULL when fine, else why the name is not usable. */
const char *guestd_domain_name_check (const char *name);
