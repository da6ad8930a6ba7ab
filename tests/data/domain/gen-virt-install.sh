#!/bin/sh
# Regenerate the virt-install fixtures: what virt-install 4.1 (Debian 12's
# virtinst) prints for common guests, fed guestd's own capabilities so the
# output is what it would define against guestd. Run from the source tree
# with a build in ./build: sh tests/data/domain/gen-virt-install.sh
set -eu
out=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# This machine may have no usable /dev/kvm; the fixtures describe KVM
# guests all the same, so claim it for virt-install's sake.
./build/tools/guestctl capabilities \
  | sed "s#<domain type='qemu'/>#<domain type='qemu'/><domain type='kvm'/>#" \
  > "$tmp/caps.xml"
./build/tools/guestctl domcapabilities --machine q35 > "$tmp/domcaps.xml"
uri="__virtinst_test__test:///default,predictable,fakeuri=qemu:///session,caps=$tmp/caps.xml,domcaps=$tmp/domcaps.xml"
vi() { virt-install --connect "$uri" --print-xml "$@"; }
truncate -s 1M "$tmp/install.iso" "$tmp/disk.img"

vi --name deb11 --memory 2048 --vcpus 2 --disk size=8 --osinfo debian11 \
   --import --virt-type kvm > "$out/virtinst-debian11-q35.xml"
vi 2 --name win10 --memory 4096 --vcpus 2 --disk size=40 \
   --cdrom "$tmp/install.iso" --osinfo win10 --virt-type kvm \
   > "$out/virtinst-win10-q35.xml"
vi --name legacy-pc --machine pc --memory 512 --disk "$tmp/disk.img" \
   --network bridge=br0 --graphics vnc,listen=0.0.0.0,keymap=de,password=foo \
   --serial pty --serial file,path=/tmp/serial.log \
   --channel unix,target.type=virtio,target.name=org.qemu.guest_agent.0 \
   --boot kernel=/boot/vmlinuz,initrd=/boot/initrd.img,kernel_args="console=ttyS0" \
   --osinfo linux2022 --virt-type qemu --watchdog i6300esb,action=poweroff \
   --rng /dev/urandom --controller scsi,model=virtio-scsi \
   --disk "$tmp/disk.img",bus=scsi,target=sdb --video vga --sound ac97 \
   --cpu qemu64 > "$out/virtinst-pc-many-devices.xml"
vi --name headless --memory 1024 --vcpus 4 --disk size=4,bus=sata \
   --network user,model=e1000e --graphics none --console pty,target.type=virtio \
   --osinfo fedora36 --import --virt-type qemu --machine q35 \
   > "$out/virtinst-fedora-headless.xml"
vi --name usbredir --memory 1536 --disk size=2 --osinfo ubuntu22.04 --import \
   --virt-type kvm --graphics spice --video qxl --redirdev usb,type=spicevmc \
   --controller usb,model=ich9-ehci1 --sound ich6 --input keyboard,bus=usb \
   --boot hd,cdrom,menu=on > "$out/virtinst-ubuntu-spice.xml"
# Paths of the temporary files must not leak into the fixtures.
sed -i "s#$tmp/#/var/lib/guestd-fixtures/#g" "$out"/virtinst-*.xml
