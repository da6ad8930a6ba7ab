#!/bin/sh
# Set everything up and run the main job (README's first command).
# Run as root on Debian 12.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
[ -d build ] || meson setup build > /dev/null
ninja -C build > /dev/null
g=./build/tools/guestctl
seed=tests/data/native/seed-legacy.args

echo "== the host's emulators (guestctl capabilities, first lines)"
$g capabilities | head -n 20
echo "== the seed's legacy QEMU command line:"
cat "$seed"
echo "== as domain XML (guestctl domxml-from-native qemu-argv):"
$g domxml-from-native qemu-argv "$seed" | tee /tmp/guestd-demo.xml
echo "== and back to a QEMU 7.2 command line (guestctl domxml-to-native):"
$g domxml-to-native qemu-argv /tmp/guestd-demo.xml
