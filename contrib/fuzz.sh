#!/usr/bin/env bash
# Fuzzes the jobspec pipeline (parse → evaluate → decode, plus the formatter) with libFuzzer.
#
#   contrib/fuzz.sh [extra libFuzzer flags]        FUZZ_SECONDS=60 contrib/fuzz.sh
#   FUZZ_ASAN=1 contrib/fuzz.sh                      also AddressSanitizer (own build dir)
#
# Builds Fuzz/JobspecFuzzer with the fuzzer sanitizer, seeds fuzz-corpus/ from jobspecs/ and
# the shared conformance corpus (../shared/conformance or $ROOST_CONFORMANCE_DIR, when present),
# runs for ${FUZZ_SECONDS:-600} seconds, and keeps every crashing, leaking or hanging input in
# fuzz-artifacts/. Exits non-zero when fuzz-artifacts/ holds any input: fix the bug, add the
# input as a regression test (Tests/JobspecTests/RobustnessTests.swift), then delete it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

seconds=${FUZZ_SECONDS:-600}
corpus=fuzz-corpus
artifacts=fuzz-artifacts
build_flags=(-c release --sanitize=fuzzer)
if [ "${FUZZ_ASAN:-0}" = 1 ]; then
  # The lexer reads through unsafe pointers; AddressSanitizer checks every such read.
  build_flags+=(--sanitize=address --scratch-path .build-fuzz-asan)
fi

swift build "${build_flags[@]}" --product JobspecFuzzer
binary="$(swift build "${build_flags[@]}" --show-bin-path)/JobspecFuzzer"

mkdir -p "$corpus" "$artifacts"
seed_dirs=(jobspecs ../shared/conformance/nomad-jobspecs)
if [ -n "${ROOST_CONFORMANCE_DIR:-}" ]; then
  seed_dirs+=("$ROOST_CONFORMANCE_DIR" "$ROOST_CONFORMANCE_DIR/nomad-jobspecs")
fi
seeded=0
for dir in "${seed_dirs[@]}"; do
  [ -d "$dir" ] || continue
  for file in "$dir"/*.hcl "$dir"/*.nomad; do
    [ -f "$file" ] || continue
    cp "$file" "$corpus/seed-$(basename "$file")"
    seeded=$((seeded + 1))
  done
done
echo "fuzz.sh: $seeded seed files, $(ls "$corpus" | wc -l) inputs in $corpus/, running for ${seconds}s"

status=0
"$binary" "$corpus" \
  -dict=Fuzz/hcl.dict \
  -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 "$@" || status=$?

found=$(find "$artifacts" -type f | wc -l)
if [ "$status" -ne 0 ] || [ "$found" -gt 0 ]; then
  echo "fuzz.sh: libFuzzer exited with $status; inputs in $artifacts/:" >&2
  find "$artifacts" -type f >&2
  exit 1
fi
echo "fuzz.sh: no crashes"
