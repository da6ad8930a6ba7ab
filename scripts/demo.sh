#!/bin/sh
# README's first command: set everything up and run the main job, the
# session service with a demo guest. Run as root on Debian 12 (it installs
# packages); the service and the guest themselves need no privilege.
#
#   1. install dependencies, build
#   2. make the demo guest: Debian's kernel + a busybox initramfs
#   3. start guestd-session on the session bus (the user's own, or a
#      private one when there is none)
#   4. define and boot the guest with guestctl, show `guestctl list` and
#      its serial console, shut it down over ACPI, undefine it
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
sh scripts/install-deps.sh
[ -d build ] || meson setup build > /dev/null
ninja -C build > /dev/null

guest_dir="$top/build/demo-guest"
echo "== making the demo guest (Debian's kernel, a busybox initramfs)"
GUESTD_BOOT_MARKER="Hello from the guestd demo guest, kernel" \
  sh tests/integration/make-tiny-linux.sh "$guest_dir"

work=$(mktemp -d /tmp/guestd-demo-XXXXXX)
bus_pid=
service_pid=
cleanup() {
  if [ -n "$service_pid" ]; then
    kill "$service_pid" 2> /dev/null || true
    wait "$service_pid" 2> /dev/null || true
  fi
  [ -z "$bus_pid" ] || kill "$bus_pid" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  echo "== no session bus here: starting a private one"
  dbus-daemon --session --fork --print-address=3 --print-pid=4 \
    3> "$work/address" 4> "$work/pid"
  DBUS_SESSION_BUS_ADDRESS=$(cat "$work/address")
  bus_pid=$(cat "$work/pid")
  export DBUS_SESSION_BUS_ADDRESS
fi

echo "== starting guestd-session (qemu:///session on $DBUS_SESSION_BUS_ADDRESS)"
GUESTD_LAUNCH="$top/build/service/guestd-launch" \
  "$top/build/service/guestd-session" --timeout 30 &
service_pid=$!
g="$top/build/tools/guestctl"
for _ in $(seq 100); do
  $g uri > /dev/null 2>&1 && break
  sleep 0.1
done

# The guest stays up for 60 s unless shut down sooner; its serial
# console goes to a file.
serial="$work/console.log"
cat > "$work/demo.xml" <<EOF
<domain type='qemu'>
  <name>guestd-demo</name>
  <uuid>6a1f1f4e-9c1b-4c53-8d1e-2f0e0b5d0d01</uuid>
  <title>guestd demo guest</title>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$guest_dir/vmlinuz</kernel>
    <initrd>$guest_dir/initrd</initrd>
    <cmdline>console=ttyS0 panic=-1 quiet GUESTD_STAY=60</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <serial type='file'><source path='$serial'/></serial>
    <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'/>
  </devices>
</domain>
EOF

$g define "$work/demo.xml"
$g start guestd-demo
echo "== guestctl list"
$g list
echo "== waiting for the guest's console"
for _ in $(seq 300); do
  grep -q "Hello from" "$serial" 2> /dev/null && break
  sleep 0.1
done
echo "== guestctl dominfo guestd-demo"
$g dominfo guestd-demo
echo "== its live XML: the VNC port QEMU got, the pid-specific id"
$g dumpxml guestd-demo | grep -E "<domain |<graphics "
echo "== shutting it down (ACPI power button)"
$g shutdown guestd-demo
for _ in $(seq 300); do
  [ "$($g domstate guestd-demo | head -n 1)" = "shut off" ] && break
  sleep 0.1
done
echo "== its serial console said:"
cat "$serial"
echo "== guestctl list --all"
$g list --all
$g undefine guestd-demo
