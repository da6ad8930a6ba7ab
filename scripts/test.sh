#!/bin/sh
# Set everything up and run the whole test suite (README's second
# command; CI runs this through .ci/run). Run as root on Debian 12.
#   FUZZ_SECONDS=N  time per fuzz target (default 60; 0 skips fuzzing)
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh

rm -rf build-ci build-ci-fuzz
meson setup build-ci --buildtype=debugoptimized -Dwerror=true > /dev/null
ninja -C build-ci
ninja -C build-ci guestd-pot   # the message catalogue template builds
meson test -C build-ci --print-errorlogs --num-processes 2

fuzz=${FUZZ_SECONDS:-60}
if [ "$fuzz" -gt 0 ]; then
  CC=clang meson setup build-ci-fuzz -Dfuzzing=true -Dtests=false \
    --buildtype=debug > /dev/null
  ninja -C build-ci-fuzz
  sh tests/fuzz/run-fuzzers.sh build-ci-fuzz "$fuzz"
fi
echo "All tests passed."
