#!/bin/sh
# Build the tiny Linux guest the boot test runs: Debian's own kernel
# (downloaded with apt-get, not installed) and a busybox initramfs whose
# /init prints a marker on the serial console and powers off.
# Usage: make-tiny-linux.sh OUTDIR   (writes OUTDIR/vmlinuz, OUTDIR/initrd)
# Reuses what OUTDIR already has.
set -eu
out=$1
marker=${GUESTD_BOOT_MARKER:-GUESTD-BOOT-MARKER}
mkdir -p "$out"
[ -s "$out/vmlinuz" ] && [ -s "$out/initrd" ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -s "$out/vmlinuz" ]; then
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null \
        | awk '/Depends: linux-image-/ {print $2; exit}')
  [ -n "$pkg" ] || { echo "no linux-image package known to apt" >&2; exit 1; }
  (cd "$work" && apt-get download -q "$pkg" > /dev/null)
  dpkg-deb --fsys-tarfile "$work"/*.deb | tar -x -C "$work" --wildcards './boot/vmlinuz-*'
  cp "$work"/boot/vmlinuz-* "$out/vmlinuz.tmp"
  mv "$out/vmlinuz.tmp" "$out/vmlinuz"
fi

# busybox-static's binary: no libraries to copy.
busybox=/bin/busybox
root="$work/root"
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev"
cp "$busybox" "$root/bin/busybox"
cat > "$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
echo "$marker \$(/bin/busybox uname -r)" > /dev/ttyS0
/bin/busybox sleep \${GUESTD_STAY:-0}
/bin/busybox poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$out/initrd.tmp"
mv "$out/initrd.tmp" "$out/initrd"
