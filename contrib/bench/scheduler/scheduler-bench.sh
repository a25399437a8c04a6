#!/usr/bin/env bash
# Scheduler throughput and packing (issue 8): 5,000 simulated nodes, 1,000,000 allocations in
# 100 jobs (half service, half batch; some constrained to amd64 or two datacenters, some
# spread over datacenters or racks), placed through evaluation -> plan -> plan apply:
#   store   the scheduler and the plan applier on one state store (the pure hot path)
#   manager one manager without Raft (the dev agent)
#   raft    three managers on Raft over loopback in one process
# Target: all placed in under 60 s through Raft. Prints each mode's figures; exits non-zero
# when the Raft run misses the target.
#   contrib/bench/scheduler/scheduler-bench.sh   env: NODES (5000), ALLOCATIONS (1000000),
#                                                WORKERS (scheduler workers per manager, 1),
#                                                MODES ("store manager raft")
set -euo pipefail
cd "$(dirname "$0")/../../.."
nodes=${NODES:-5000} allocations=${ALLOCATIONS:-1000000} workers=${WORKERS:-1} modes=${MODES:-store manager raft}
echo "== building SchedulerBench (release)"
swift build -c release --product SchedulerBench >/dev/null
bench=$(swift build -c release --show-bin-path)/SchedulerBench
status=0
for mode in $modes; do
    out=$("$bench" --mode "$mode" --nodes "$nodes" --allocations "$allocations" --workers "$workers") || status=1
    echo "$out"
    if [ "$mode" = raft ]; then
        seconds=$(echo "$out" | grep '^result ' | grep -o '"seconds": [0-9.]*' | awk '{print $2}')
        if awk -v s="${seconds:-9999}" 'BEGIN { exit !(s < 60) }'; then
            echo "target (all placed through Raft in < 60 s): met"
        else
            echo "target (all placed through Raft in < 60 s): NOT met (${seconds:-no result} s)"
            status=1
        fi
    fi
done
exit $status
