#!/usr/bin/env bash
# Runs the Raft simulation over as many seeds as a time budget allows, in a release build, and
# prints every failing seed with its replay command.
#
#   contrib/soak.sh                      SOAK_SECONDS=600 (default)
#   SOAK_SECONDS=3600 contrib/soak.sh    a longer soak
#   SOAK_START=1000000 contrib/soak.sh   start at another seed (default: derived from the time)
#
# Seeds run in chunks, one test process per chunk. The simulation reports a broken invariant
# as a test failure naming the seed; if the core traps instead (a precondition), the process
# dies without naming it, so that chunk is re-run one seed per process to find the culprit.
# Exits 1 when any seed failed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

seconds=${SOAK_SECONDS:-600}
chunk=${SOAK_CHUNK:-500}
start=${SOAK_START:-$(( $(date +%s) % 100000 * 100000 ))}
filter="RaftSimulationTests/soak"

# Other test targets use @testable imports, so the release build must enable testing.
build_flags=(-c release -Xswiftc -enable-testing)
swift build "${build_flags[@]}" --build-tests
deadline=$(( $(date +%s) + seconds ))
failures=()
ran=0
next=$start
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_range() { # start count -> exit status of the test process; output in $log
  local from=$1 count=$2
  RAFT_SEED_START=$from RAFT_SEED_COUNT=$count RAFT_SOAK_DEADLINE=$deadline \
    swift test "${build_flags[@]}" --skip-build --filter "$filter" >"$log" 2>&1
}

while [ "$(date +%s)" -lt "$deadline" ]; do
  status=0
  run_range "$next" "$chunk" || status=$?
  done_count=$(sed -n 's/.*simulation: ran \([0-9]*\) seed.*/\1/p' "$log" | tail -1)
  mapfile -t failed < <(sed -n 's/.*FAILED seed \([0-9]*\).*/\1/p' "$log" | sort -un)
  if [ -z "$done_count" ]; then
    # The process died before its summary: find the seed that killed it, one per process.
    echo "soak: the chunk starting at seed $next did not finish (exit $status); re-running it seed by seed" >&2
    done_count=0
    for (( seed = next; seed < next + chunk; seed++ )); do
      [ "$(date +%s)" -lt "$deadline" ] || break
      if ! run_range "$seed" 1; then
        failed+=("$seed")
        grep -E "FAILED|Fatal error|precondition|error:" "$log" | head -5 >&2 || true
      fi
      done_count=$(( done_count + 1 ))
    done
  fi
  for seed in "${failed[@]}"; do
    failures+=("$seed")
    grep -F "seed $seed" "$log" | head -3 >&2 || true
  done
  ran=$(( ran + done_count ))
  next=$(( next + chunk ))
done

echo "soak: ran $ran seeds from $start in ${seconds}s"
if [ ${#failures[@]} -gt 0 ]; then
  echo "soak: ${#failures[@]} failing seed(s):"
  for seed in $(printf '%s\n' "${failures[@]}" | sort -un); do
    echo "  RAFT_SEED=$seed swift test --filter RaftSimulationTests"
  done
  exit 1
fi
echo "soak: no failures"
