/* Integration test harness: a private dbus-daemon, the real guestd-session
 * in scratch XDG directories, a client connection, and a recorder of the
 * DomainEvent signals. */
#pragma once

#include <gio/gio.h>

typedef struct
{
  char *path;
  int event;
  int detail;
} HarnessEvent;

typedef struct
{
  char *dir;            /* scratch root: home, config, cache, run */
  char *address;        /* the private bus */
  GSubprocess *bus;
  GSubprocess *service;
  GDBusConnection *conn;
  GPtrArray *events;    /* HarnessEvent */
  guint subscription;
  GPtrArray *service_args;
  /* System mode: guestd-system under --root ROOT on a private system bus
   * with the real polkitd. */
  gboolean system;
  char *root;
  GSubprocess *polkitd;
  char *status_dir;     /* where the service keeps status XML files */
  GPtrArray *others;    /* GSubprocess: more processes to end with it */
  GArray *other_pids;   /* their pids, for the abort handler */
} Harness;

/* Scratch dirs and the bus; then the service (with @args, NULL-ended). */
void harness_setup (Harness *h);
/* The system instance instead: call harness_enter_namespaces() first
 * thing in main() (a private mount and network namespace, so polkit's
 * actions and rules can be bind-mounted and bridges made); @rules is an
 * extra polkit rules file's text (may be NULL). A private system bus
 * with guestd's bus policy, polkitd as its own user, and ROOT. */
void harness_enter_namespaces (void);
void harness_setup_system (Harness *h, const char *rules);
/* Start @argv as @user with @env (NULL-ended "NAME=VALUE" list, may be
 * NULL) and DBUS_SYSTEM_BUS_ADDRESS; it is ended with the harness. */
GSubprocess *harness_spawn_as (Harness *h, const char *user,
                               const char *const *env,
                               const char *const *argv);
/* A session bus and guestd-session of @user's own, as at a desktop (its
 * system bus: the harness's); the programs are copied where @user can
 * read them. Both end with the harness. */
typedef struct
{
  const char *user;
  char *dir;
  char *address;        /* the user's session bus */
  char *env_bus;        /* "DBUS_SESSION_BUS_ADDRESS=…" */
} HarnessUserSession;

/* Copy a program (mode 0755) where another account can run it. */
void harness_copy_program (const char *from, const char *to);
void harness_start_user_session (Harness *h, const char *user,
                                 HarnessUserSession *us);
void harness_user_session_clear (HarnessUserSession *us);

/* Run @argv as @user (setpriv); its exit status, stdout and stderr. */
int harness_run_as (Harness *h, const char *user, const char *const *argv,
                    char **out, char **err);
void harness_start_service (Harness *h, ...) G_GNUC_NULL_TERMINATED;
/* Signal the service and wait for it to go. */
void harness_kill_service (Harness *h, int sig);
void harness_teardown (Harness *h);

/* Calls on the guestd bus name; @path NULL means /org/libvirt/QEMU. */
GVariant *harness_call (Harness *h, const char *path, const char *iface,
                        const char *method, GVariant *params,
                        const char *reply_type, GError **error);
/* The D-Bus error name of a failed call, and its message. */
void harness_assert_dbus_error (GError *error, const char *name,
                                const char *message_part);

char *harness_define (Harness *h, const char *xml);
char *harness_lookup (Harness *h, const char *name);
void harness_domain_call (Harness *h, const char *path, const char *method,
                          GVariant *params);
void harness_get_state (Harness *h, const char *path, int *state,
                        int *reason);

/* Wait (iterating the main context) until @event/@detail arrived for
 * @path since the last clear, or fail after @timeout_ms. */
void harness_wait_event (Harness *h, const char *path, int event, int detail,
                         guint timeout_ms);
void harness_clear_events (Harness *h);
/* "2:0,3:0" for the events seen on @path. */
char *harness_event_string (Harness *h, const char *path);

/* Run a small domain: @name, @extra_os inside <os>, @devices inside
 * <devices>. */
char *harness_domain_xml (const char *name, const char *type,
                          const char *extra_os, const char *devices);
/* Dead, even if nobody reaped it yet (this machine's PID 1 is slow). */
gboolean harness_process_gone (GPid pid);
/* QEMU's pid for a running domain, from its live XML's status file. */
GPid harness_qemu_pid (Harness *h, const char *name);
