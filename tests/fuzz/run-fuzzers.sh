#!/bin/sh
# Run every fuzz target for SECONDS each, seeded with the test fixtures;
# fail on the first crash, leak or round-trip mismatch.
# Usage: tests/fuzz/run-fuzzers.sh BUILDDIR [SECONDS]
set -eu
build=$1
seconds=${2:-60}
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/domain-xml" "$work/qemu-argv" "$work/qemu-conf" "$work/uri"
cp "$src"/tests/data/domain/*.xml "$src"/tests/data/domain/canonical/*.xml \
   "$src"/tests/data/native/*.xml "$work/domain-xml/" 2>/dev/null || true
cp "$src"/tests/data/native/*.args "$work/qemu-argv/"
cp "$src"/tests/fuzz/corpus/*.conf "$work/qemu-conf/"
cp "$src"/tests/fuzz/corpus/*.uri "$work/uri/"

crashes=${FUZZ_ARTIFACTS:-$src/$build/fuzz-artifacts}
mkdir -p "$crashes"
status=0
# Full stacks through GLib (built without frame pointers) for reports.
export ASAN_OPTIONS="${ASAN_OPTIONS:-fast_unwind_on_malloc=0}"
for t in domain-xml qemu-argv qemu-conf uri; do
  echo "fuzz-$t: ${seconds}s"
  if ! "$src/$build/tests/fuzz/fuzz-$t" -max_total_time="$seconds" \
      -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$crashes/$t-" -print_final_stats=1 \
      "$work/$t" > "$work/$t.log" 2>&1; then
    status=1
    grep -A30 -E "ERROR: |SUMMARY" "$work/$t.log" | head -n 60
    echo "fuzz-$t FAILED; reproducer in $crashes"
  else
    grep -E "^Done|stat::number_of_executed_units" "$work/$t.log"
  fi
done
exit $status
