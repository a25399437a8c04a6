#!/usr/bin/env bash
# Fuzzes the jobspec pipeline (parse → evaluate → decode, plus the formatter) and the HTTP
# parsers (request parser, split-independence, response parser) with libFuzzer.
#
#   contrib/fuzz.sh [extra libFuzzer flags]        FUZZ_SECONDS=60 contrib/fuzz.sh
#   FUZZ_TARGETS=HTTPParserFuzzer contrib/fuzz.sh   only some targets (default: all)
#   FUZZ_ASAN=1 contrib/fuzz.sh                      also AddressSanitizer (own build dir)
#
# Builds each target in Fuzz/ with the fuzzer sanitizer, seeds its corpus (jobspecs/ and the
# shared conformance corpus — ../shared/conformance or $ROOST_CONFORMANCE_DIR — for the
# jobspec target; Fuzz/http-seeds/ for the HTTP one), runs each for ${FUZZ_SECONDS:-600}
# seconds, and keeps every crashing, leaking or hanging input in fuzz-artifacts/<target>/.
# Exits non-zero when any artifacts directory holds an input: fix the bug, add the input as a
# regression test (Tests/JobspecTests/RobustnessTests.swift, Tests/HTTPTests/), then delete it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

seconds=${FUZZ_SECONDS:-600}
targets=${FUZZ_TARGETS:-"JobspecFuzzer HTTPParserFuzzer WireFuzzer SWIMCodecFuzzer GossipPacketFuzzer"}
build_flags=(-c release --sanitize=fuzzer)
if [ "${FUZZ_ASAN:-0}" = 1 ]; then
  # The lexer reads through unsafe pointers; AddressSanitizer checks every such read.
  build_flags+=(--sanitize=address --scratch-path .build-fuzz-asan)
fi

for target in $targets; do
  swift build "${build_flags[@]}" --product "$target"
done
bin_path="$(swift build "${build_flags[@]}" --show-bin-path)"

# Copies seed files into a corpus directory; prints how many.
seed() {
  local corpus=$1; shift
  local count=0 dir file
  for dir in "$@"; do
    [ -d "$dir" ] || continue
    for file in "$dir"/*; do
      case "$file" in *.hcl | *.nomad | *.txt) ;; *) continue ;; esac
      [ -f "$file" ] || continue
      cp "$file" "$corpus/seed-$(basename "$file")"
      count=$((count + 1))
    done
  done
  echo "$count"
}

failed=0
for target in $targets; do
  case "$target" in
    JobspecFuzzer)
      corpus=fuzz-corpus artifacts=fuzz-artifacts/jobspec dict=Fuzz/hcl.dict max_len=65536
      seed_dirs=(jobspecs ../shared/conformance/nomad-jobspecs)
      if [ -n "${ROOST_CONFORMANCE_DIR:-}" ]; then
        seed_dirs+=("$ROOST_CONFORMANCE_DIR" "$ROOST_CONFORMANCE_DIR/nomad-jobspecs")
      fi
      ;;
    HTTPParserFuzzer)
      corpus=fuzz-corpus-http artifacts=fuzz-artifacts/http dict=Fuzz/http.dict max_len=16384
      seed_dirs=(Fuzz/http-seeds)
      ;;
    WireFuzzer)
      corpus=fuzz-corpus-wire artifacts=fuzz-artifacts/wire dict= max_len=4096
      seed_dirs=()
      ;;
    SWIMCodecFuzzer)
      corpus=fuzz-corpus-swim artifacts=fuzz-artifacts/swim dict= max_len=4096
      seed_dirs=()
      ;;
    GossipPacketFuzzer)
      corpus=fuzz-corpus-gossip artifacts=fuzz-artifacts/gossip dict= max_len=4096
      seed_dirs=()
      ;;
    *) echo "fuzz.sh: unknown target $target" >&2; exit 64 ;;
  esac
  mkdir -p "$corpus" "$artifacts"
  seeded=$(seed "$corpus" ${seed_dirs[@]+"${seed_dirs[@]}"})
  echo "fuzz.sh: $target: $seeded seed files, $(ls "$corpus" | wc -l) inputs in $corpus/, running for ${seconds}s"
  status=0
  dict_flag=()
  [ -n "$dict" ] && dict_flag=(-dict="$dict")
  "$bin_path/$target" "$corpus" \
    "${dict_flag[@]}" \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 "$@" || status=$?
  found=$(find "$artifacts" -type f | wc -l)
  if [ "$status" -ne 0 ] || [ "$found" -gt 0 ]; then
    echo "fuzz.sh: $target: libFuzzer exited with $status; inputs in $artifacts/:" >&2
    find "$artifacts" -type f >&2
    failed=1
  fi
done
[ "$failed" = 0 ] || exit 1
echo "fuzz.sh: no crashes"
