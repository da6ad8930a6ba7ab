#!/bin/sh
# Run a test program as an unprivileged user created for the purpose:
# the session instance must work without root. Skips (77) unless root.
# Usage: run-as-user.sh TEST-BINARY
# The build tree may sit where the user cannot read it (/root/…): the
# programs the test needs are copied to a directory of its own.
set -eu
[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root to create a user"; exit 77; }
user=guestd-test
id "$user" > /dev/null 2>&1 || useradd --system --no-create-home \
  --shell /usr/sbin/nologin "$user"

work=$(mktemp -d /tmp/guestd-user-XXXXXX)
trap 'rm -rf "$work"' EXIT
for f in "$1" "$GUESTD_SESSION" "$GUESTD_LAUNCH" "$GUESTD_DBUS_SERVICE_TEMPLATE"; do
  cp "$f" "$work/"
done
if [ -n "${GUESTD_TINY_LINUX:-}" ] && [ -s "$GUESTD_TINY_LINUX/vmlinuz" ]; then
  mkdir "$work/tiny-linux"
  cp "$GUESTD_TINY_LINUX/vmlinuz" "$GUESTD_TINY_LINUX/initrd" "$work/tiny-linux/"
fi
chown -R "$user:" "$work"
chmod 755 "$work"

exec setpriv --reuid="$user" --regid="$user" --init-groups --reset-env -- \
  env PATH=/usr/bin:/bin LC_ALL=C.UTF-8 HOME="$work" TMPDIR="$work" \
      GUESTD_SESSION="$work/$(basename "$GUESTD_SESSION")" \
      GUESTD_LAUNCH="$work/$(basename "$GUESTD_LAUNCH")" \
      GUESTD_TINY_LINUX="$work/tiny-linux" \
      GUESTD_DBUS_SERVICE_TEMPLATE="$work/$(basename "$GUESTD_DBUS_SERVICE_TEMPLATE")" \
      GUESTD_TEST_UNPRIVILEGED=1 \
      "$work/$(basename "$1")"
