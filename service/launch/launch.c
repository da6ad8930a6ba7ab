/* guestd-launch: everything between fork and exec of QEMU, in a program
 * small enough to read in one sitting. It starts a new session, joins the
 * guest's cgroup, drops to the guest's account, clears every capability,
 * closes every descriptor it was not told to keep, checks that all of that
 * took effect, and execs QEMU. It dies on the first error, saying what
 * failed, on stderr (the guest's log). No GLib: nothing runs behind its
 * back.
 *
 * Usage: guestd-launch [--uid N --gid N [--groups G,G…]] [--keep-caps]
 *                      [--cgroup DIR] [--keep-fd N]… [--log-fd N]
 *                      [--chdir DIR] [--umask OCTAL] [--no-new-privs]
 *                      [--env NAME=VALUE]… -- PROGRAM [ARG…]
 *
 * PROGRAM gets exactly the --env variables: nothing of this program's own
 * environment, which the caller keeps empty (the dynamic loader reads it
 * while this program still has every privilege).
 */
#include "config.h"

#include <cap-ng.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define MAX_KEEP 64
#define MAX_GROUPS 64
#define MAX_ENV 256
#define EXIT_LAUNCH 126

typedef struct
{
  long uid, gid;
  gid_t groups[MAX_GROUPS];
  int n_groups;
  int keep_caps;
  const char *cgroup;
  int keep[MAX_KEEP];
  int n_keep;
  int log_fd;
  const char *chdir;
  long umask_value;
  int no_new_privs;
  char *env[MAX_ENV + 1];
  int n_env;
  char **argv;
} Options;

static void __attribute__ ((noreturn, format (printf, 1, 2)))
die (const char *fmt, ...)
{
  int errsv = errno;
  char msg[512];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  if (errsv != 0)
    fprintf (stderr, "guestd-launch: %s: %s\n", msg, strerror (errsv));
  else
    fprintf (stderr, "guestd-launch: %s\n", msg);
  _exit (EXIT_LAUNCH);
}

static long
number (const char *opt, const char *s, int base, long max)
{
  char *end = NULL;
  long v;

  errno = 0;
  if (s == NULL || *s == '\0')
    die ("%s needs a value", opt);
  v = strtol (s, &end, base);
  if (errno != 0 || *end != '\0' || v < 0 || v > max)
    {
      errno = 0;
      die ("%s: bad value '%s'", opt, s);
    }
  return v;
}

static void
parse_groups (Options *o, const char *s)
{
  char buf[1024];
  char *save = NULL;

  if (strlen (s) >= sizeof buf)
    die ("--groups: list too long");
  strcpy (buf, s);
  for (char *t = strtok_r (buf, ",", &save); t != NULL;
       t = strtok_r (NULL, ",", &save))
    {
      if (o->n_groups == MAX_GROUPS)
        die ("--groups: more than %d groups", MAX_GROUPS);
      o->groups[o->n_groups++] = (gid_t) number ("--groups", t, 10, INT_MAX);
    }
}

static void
parse_args (Options *o, int argc, char **argv)
{
  int i;

  o->uid = o->gid = -1;
  o->log_fd = -1;
  o->umask_value = -1;
  for (i = 1; i < argc; i++)
    {
      const char *a = argv[i];
      const char *v = i + 1 < argc ? argv[i + 1] : NULL;

      if (strcmp (a, "--") == 0)
        break;
      if (strcmp (a, "--keep-caps") == 0)
        o->keep_caps = 1;
      else if (strcmp (a, "--no-new-privs") == 0)
        o->no_new_privs = 1;
      else if (strcmp (a, "--uid") == 0)
        o->uid = number (a, v, 10, INT_MAX), i++;
      else if (strcmp (a, "--gid") == 0)
        o->gid = number (a, v, 10, INT_MAX), i++;
      else if (strcmp (a, "--groups") == 0)
        {
          if (v == NULL)
            die ("--groups needs a value");
          parse_groups (o, v), i++;
        }
      else if (strcmp (a, "--cgroup") == 0)
        o->cgroup = v, i++;
      else if (strcmp (a, "--chdir") == 0)
        o->chdir = v, i++;
      else if (strcmp (a, "--umask") == 0)
        o->umask_value = number (a, v, 8, 0777), i++;
      else if (strcmp (a, "--log-fd") == 0)
        o->log_fd = (int) number (a, v, 10, INT_MAX), i++;
      else if (strcmp (a, "--env") == 0)
        {
          if (v == NULL || strchr (v, '=') == NULL || v[0] == '=')
            die ("--env needs NAME=VALUE");
          if (o->n_env == MAX_ENV)
            die ("--env: more than %d variables", MAX_ENV);
          o->env[o->n_env++] = (char *) v, i++;
        }
      else if (strcmp (a, "--keep-fd") == 0)
        {
          if (o->n_keep == MAX_KEEP)
            die ("--keep-fd: more than %d descriptors", MAX_KEEP);
          o->keep[o->n_keep++] = (int) number (a, v, 10, INT_MAX), i++;
        }
      else
        die ("unknown option '%s'", a);
    }
  if (i >= argc - 1)
    die ("usage: guestd-launch [OPTIONS] -- PROGRAM [ARG...]");
  if ((o->uid < 0) != (o->gid < 0))
    die ("--uid and --gid go together");
  if (argv[i + 1][0] != '/')
    die ("PROGRAM must be an absolute path, not '%s'", argv[i + 1]);
  o->argv = &argv[i + 1];
}

static void
join_cgroup (const char *dir)
{
  char path[PATH_MAX];
  char pid[32];
  int fd, n;

  if (snprintf (path, sizeof path, "%s/cgroup.procs", dir) >= (int) sizeof path)
    die ("cgroup path too long");
  fd = open (path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    die ("cannot open %s", path);
  n = snprintf (pid, sizeof pid, "%ld\n", (long) getpid ());
  if (write (fd, pid, (size_t) n) != n)
    die ("cannot join cgroup %s", dir);
  close (fd);
}

static void
drop_identity (const Options *o)
{
  /* Supplementary groups first, while still allowed to set them. */
  if (setgroups ((size_t) o->n_groups, o->groups) < 0)
    die ("setgroups");
  if (setresgid ((gid_t) o->gid, (gid_t) o->gid, (gid_t) o->gid) < 0)
    die ("setresgid %ld", o->gid);
  /* Keep the permitted set across the uid change only to clear it
   * ourselves below, where the result is checked. */
  if (o->keep_caps && prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    die ("PR_SET_KEEPCAPS");
  if (setresuid ((uid_t) o->uid, (uid_t) o->uid, (uid_t) o->uid) < 0)
    die ("setresuid %ld", o->uid);
}

/* The bounding set limits what any later exec can gain (setuid binaries,
 * file capabilities). Emptying it needs CAP_SETPCAP, which root has only
 * until the uid changes: so this comes first. */
static int bounding_cleared;

static void
clear_bounding_set (void)
{
  capng_get_caps_process ();
  if (!capng_have_capability (CAPNG_EFFECTIVE, CAP_SETPCAP))
    return; /* unprivileged: nothing there that could be regained */
  capng_clear (CAPNG_SELECT_BOUNDS);
  if (capng_apply (CAPNG_SELECT_BOUNDS) < 0)
    die ("cannot clear the capability bounding set");
  bounding_cleared = 1;
}

static void
clear_capabilities (void)
{
  capng_get_caps_process ();
  capng_clear (CAPNG_SELECT_CAPS);
  if (capng_apply (CAPNG_SELECT_CAPS) < 0)
    die ("cannot clear capabilities");
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0
      && errno != EINVAL)
    die ("cannot clear ambient capabilities");
}

static void
verify (const Options *o)
{
  uid_t r, e, s;
  gid_t rg, eg, sg;

  /* Trust nothing: read back what the kernel now says. */
  if (getresuid (&r, &e, &s) < 0 || getresgid (&rg, &eg, &sg) < 0)
    die ("getresuid");
  if (o->uid >= 0
      && (r != (uid_t) o->uid || e != (uid_t) o->uid || s != (uid_t) o->uid
          || rg != (gid_t) o->gid || eg != (gid_t) o->gid
          || sg != (gid_t) o->gid))
    {
      errno = 0;
      die ("still running as uid %ld/%ld/%ld gid %ld/%ld/%ld", (long) r,
           (long) e, (long) s, (long) rg, (long) eg, (long) sg);
    }
  if (o->uid > 0 && (setuid (0) == 0 || seteuid (0) == 0))
    {
      errno = 0;
      die ("could regain root after dropping it");
    }
  if (!o->keep_caps)
    {
      capng_get_caps_process ();
      if (capng_have_capabilities (CAPNG_SELECT_CAPS) != CAPNG_NONE
          || (bounding_cleared
              && capng_have_capabilities (CAPNG_SELECT_BOUNDS) != CAPNG_NONE))
        {
          errno = 0;
          die ("capabilities are still set after clearing them");
        }
    }
}

static int
cloexec_from_3 (void)
{
  DIR *d;
  struct dirent *e;

#ifdef SYS_close_range
  if (syscall (SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return 0;
#endif
  /* Kernels before 5.11: walk the descriptor table. */
  d = opendir ("/proc/self/fd");
  if (d == NULL)
    return -1;
  while ((e = readdir (d)) != NULL)
    {
      int fd = atoi (e->d_name);

      if (fd >= 3 && fd != dirfd (d))
        fcntl (fd, F_SETFD, FD_CLOEXEC);
    }
  closedir (d);
  return 0;
}

static void
close_fds (const Options *o)
{
  /* Everything from 3 up closes at exec, except what we were told. */
  if (cloexec_from_3 () < 0)
    die ("cannot mark descriptors close-on-exec");
  for (int i = 0; i < o->n_keep; i++)
    {
      int flags = fcntl (o->keep[i], F_GETFD);

      if (flags < 0 || fcntl (o->keep[i], F_SETFD, flags & ~FD_CLOEXEC) < 0)
        die ("descriptor %d is not open", o->keep[i]);
    }
}

int
main (int argc, char **argv)
{
  Options o = { 0 };
  int devnull;

  parse_args (&o, argc, argv);

  /* QEMU outlives this service: its own session, no controlling tty, no
   * signals from the service's terminal or process group. */
  if (setsid () < 0 && errno != EPERM)
    die ("setsid");
  devnull = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull < 0 || dup2 (devnull, STDIN_FILENO) < 0)
    die ("cannot open /dev/null");
  if (o.log_fd >= 0
      && (dup2 (o.log_fd, STDOUT_FILENO) < 0
          || dup2 (o.log_fd, STDERR_FILENO) < 0))
    die ("cannot use log descriptor %d", o.log_fd);

  if (o.cgroup != NULL)
    join_cgroup (o.cgroup);
  if (o.umask_value >= 0)
    umask ((mode_t) o.umask_value);
  if (!o.keep_caps)
    clear_bounding_set ();
  if (o.uid >= 0)
    drop_identity (&o);
  if (!o.keep_caps)
    clear_capabilities ();
  if (o.chdir != NULL && chdir (o.chdir) < 0)
    die ("cannot change to %s", o.chdir);
  if (o.no_new_privs && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    die ("PR_SET_NO_NEW_PRIVS");
  verify (&o);
  close_fds (&o);

  o.env[o.n_env] = NULL;
  execve (o.argv[0], o.argv, o.env);
  die ("cannot execute %s", o.argv[0]);
}
