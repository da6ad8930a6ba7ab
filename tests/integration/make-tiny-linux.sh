#!/bin/sh
# Build the tiny Linux guest the boot test runs: Debian's own kernel
# (downloaded with apt-get, not installed) and a busybox initramfs whose
# /init prints a marker on the serial console, then powers off after
# GUESTD_STAY seconds (a kernel command line word; default 0) or as soon as
# the host presses the ACPI power button (a libvirt-style shutdown).
# Usage: make-tiny-linux.sh OUTDIR   (writes OUTDIR/vmlinuz, OUTDIR/initrd)
# Reuses what OUTDIR already has.
set -eu
out=$1
marker=${GUESTD_BOOT_MARKER:-GUESTD-BOOT-MARKER}
mkdir -p "$out"
version=3   # bump when the initramfs changes
[ -s "$out/vmlinuz" ] && [ -s "$out/initrd" ] \
  && [ "$(cat "$out/version" 2>/dev/null)" = "$version" ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The kernel, and the two modules a power button needs (Debian builds
# them as modules): evdev for /dev/input/event*, button for the ACPI
# power button.
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null \
      | awk '/Depends: linux-image-/ {print $2; exit}')
[ -n "$pkg" ] || { echo "no linux-image package known to apt" >&2; exit 1; }
(cd "$work" && apt-get download -q "$pkg" > /dev/null 2>&1)
dpkg-deb --fsys-tarfile "$work"/*.deb | tar -x -C "$work" --wildcards \
  './boot/vmlinuz-*' '*/kernel/drivers/input/evdev.ko' \
  '*/kernel/drivers/acpi/button.ko'
cp "$work"/boot/vmlinuz-* "$out/vmlinuz.tmp"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"

# busybox-static's binary: no libraries to copy.
busybox=/bin/busybox
root="$work/root"
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/lib"
cp "$busybox" "$root/bin/busybox"
find "$work/lib/modules" -name '*.ko' -exec cp {} "$root/lib/" \;
cat > "$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
bb=/bin/busybox
\$bb insmod /lib/evdev.ko
\$bb insmod /lib/button.ko
# Any event from an input device (only the power button sends one)
# powers off. The devices are opened here, before the marker tells the
# host the guest is up: a press right after it is not lost.
n=3
for e in /dev/input/event*; do
  eval "exec \$n< \$e"
  ( \$bb dd bs=24 count=1 <&\$n > /dev/null 2>&1
    echo "power button pressed: powering off" > /dev/ttyS0
    \$bb poweroff -f ) &
  n=\$((n + 1))
done
echo "$marker \$(\$bb uname -r)" > /dev/ttyS0
i=0
while [ \$i -lt \${GUESTD_STAY:-0} ]; do
  \$bb sleep 1
  i=\$((i + 1))
  [ \$((i % 5)) = 0 ] && echo "guest up for \${i}s" > /dev/ttyS0
done
\$bb poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out/initrd.tmp"
mv "$out/initrd.tmp" "$out/initrd"
echo "$version" > "$out/version"
