/* What the service benchmarks share. */
#pragma once

#include <gio/gio.h>

extern const char *bench_prog;   /* for messages */

void bench_die (const char *what, GError *error) G_GNUC_NORETURN;
void bench_die_with_parent (gpointer data);
/* A 64 MiB TCG guest with a pty serial port, and @devices. */
char *bench_domain_xml (const char *name, const char *devices);
double bench_median (double *v, guint n);
double bench_ms_since (gint64 start);
/* ms from exec of a bare QEMU (-S) to its QMP handshake; files in
 * @scratch. */
double bench_bare_qemu_once (const char *scratch);
/* Calls per second from one libdbus client on @address, one call at a
 * time (@with_flags: the method takes one "u" flags argument). */
double bench_rate (const char *address, const char *path, const char *iface,
                   const char *method, gboolean with_flags, double seconds);

/* A call to org.libvirt on @conn (NULL @path: the connection object);
 * dies on error. */
GVariant *bench_call (GDBusConnection *conn, const char *path,
                      const char *iface, const char *method,
                      GVariant *params, const char *type);
/* Per round, interleaved after a warm-up: a bare QEMU's start, then
 * DomainCreateXML(@xml, paused) and Destroy on @conn, in ms. */
void bench_start_rounds (GDBusConnection *conn, const char *xml,
                         const char *scratch, guint rounds, double *bare,
                         double *create, double *destroy);
/* Define bench-000… on @conn; the first one's object path. */
char *bench_define_many (GDBusConnection *conn, guint n);

typedef struct
{
  guint64 rss, anon, pss;
} BenchMemory;

/* RSS, private (anonymous) and proportional memory of @p, in KiB. */
BenchMemory bench_memory_of (GSubprocess *p);
