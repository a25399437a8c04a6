#!/usr/bin/env bash
# Roost's cluster on one machine, measured: three managers (the first creates the cluster, two
# join with the manager token), then
#   1. join latency: JOINS times, a fresh worker runs `roost join` and `roost agent -worker`;
#      measured from the join to the node being ready, and to the allocation of a system job
#      (one per node) running on it;
#   2. worker load: SWARM workers join (one `roost join` each), then WorkerSwarmBench holds all
#      of their authenticated channels in one process (registration, heartbeats at a third of
#      the TTL, one allocation long poll each) for SECONDS, while the managers' CPU is sampled.
# Everything listens on 127.0.0.1; every process is stopped by PID; the work dir is removed.
#
#   contrib/bench/cluster/cluster-bench.sh     env: JOINS (5), SWARM (1000), SECONDS_STEADY (60),
#                                              CONFIG (release|debug), OUT (keep the work dir)
set -euo pipefail
cd "$(dirname "$0")/../../.."
joins=${JOINS:-5} swarm=${SWARM:-1000} steady=${SECONDS_STEADY:-60} config=${CONFIG:-release}
echo "== building roost and WorkerSwarmBench ($config)"
swift build -c "$config" --product roost >/dev/null
swift build -c "$config" --product WorkerSwarmBench >/dev/null
bin=$(swift build -c "$config" --show-bin-path)
roost="$bin/roost"
work=${OUT:-$(mktemp -d)}
mkdir -p "$work"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
    sleep 2
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    [ -n "${OUT:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
base=$((41000 + RANDOM % 8000))
start_manager() { # index, extra args...
    local i=$1; shift
    "$roost" agent -server -node "m$i" -data-dir "$work/m$i" -bind 127.0.0.1 -http-port $((base + 10 * i)) \
        -rpc-port $((base + 10 * i + 1)) -serf-port $((base + 10 * i + 2)) "$@" >"$work/m$i.log" 2>&1 &
    pids+=($!)
}
start_manager 1 -bootstrap-expect 1 -encrypt "$(head -c 32 /dev/urandom | base64)"
for _ in $(seq 100); do grep -q "Manager: *ROOST-1" "$work/m1.log" 2>/dev/null && grep -q "Bootstrap management token" "$work/m1.log" && break; sleep 0.2; done
token=$(grep -o "Bootstrap management token (shown once): [^ ]*" "$work/m1.log" | awk '{print $NF}')
worker_token=$(grep -o "Worker: *ROOST-1-[0-9a-f-]*" "$work/m1.log" | awk '{print $NF}')
manager_token=$(grep -o "Manager: *ROOST-1-[0-9a-f-]*" "$work/m1.log" | awk '{print $NF}')
rpc1="127.0.0.1:$((base + 11))"
export ROOST_ADDR="http://127.0.0.1:$((base + 10))" ROOST_TOKEN="$token"
for i in 2 3; do
    "$roost" join --token "$manager_token" "$rpc1" -data-dir "$work/m$i" -node "m$i" -server >/dev/null
    start_manager "$i"
done
for _ in $(seq 300); do
    voters=$("$roost" operator raft list-peers 2>/dev/null | awk '$NF == "true"' | wc -l)
    [ "$voters" -ge 3 ] && break
    sleep 0.2
done
echo "== 3 managers, $voters voters"

cat >"$work/agent.hcl" <<'HCL'
job "node-agent" {
  type = "system"
  group "agent" {
    task "sleep" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["3600"]
      }
      resources {
        cpu    = 10
        memory = 16
      }
    }
  }
}
HCL
"$roost" job run -detach "$work/agent.hcl" >/dev/null

echo "== join latency ($joins workers, one after the other)"
join_results=()
for j in $(seq "$joins"); do
    dir="$work/w$j"
    t0=$(now)
    joined=$("$roost" join --token "$worker_token" "$rpc1" -data-dir "$dir" -node "w$j")
    t_join=$(now)
    node_id=$(echo "$joined" | awk '/Node ID:/{print $NF}')
    "$roost" agent -worker -data-dir "$dir" -bind 127.0.0.1 -http-port $((base + 100 + 3 * j)) -serf-port $((base + 101 + 3 * j)) \
        -cgroup-parent "roost-bench-w$j" >"$dir.log" 2>&1 &
    wpid=$!
    pids+=($wpid)
    t_ready="" t_running=""
    for _ in $(seq 600); do
        if [ -z "$t_ready" ] && curl -sf -H "X-Roost-Token: $token" "$ROOST_ADDR/v1/node/$node_id" 2>/dev/null | python3 -c "
import json,sys
try: sys.exit(0 if json.load(sys.stdin).get('Status')=='ready' else 1)
except ValueError: sys.exit(1)"; then t_ready=$(now); fi
        if curl -sf -H "X-Roost-Token: $token" "$ROOST_ADDR/v1/job/node-agent/allocations" | python3 -c "
import json,sys
sys.exit(0 if any(a['NodeID']=='$node_id' and a['ClientStatus']=='running' for a in json.load(sys.stdin)) else 1)"; then
            t_running=$(now)
            [ -n "$t_ready" ] || t_ready=$t_running
            break
        fi
        sleep 0.05
    done
    line=$(python3 -c "print('%.3f %.3f %.3f' % ($t_join-$t0, ${t_ready:-0}-$t0, ${t_running:-0}-$t0))")
    echo "   w$j: join $line (s: roost join, ready, first allocation running)"
    join_results+=("$line")
    kill -INT "$wpid"; wait "$wpid" 2>/dev/null || true
done
printf '%s\n' "${join_results[@]}" | python3 -c "
import sys, statistics
rows=[list(map(float,l.split())) for l in sys.stdin if l.strip()]
for i,name in enumerate(['roost join','node ready','first allocation running']):
    print('   median %-26s %.3f s (min %.3f, max %.3f)' % (name, statistics.median(r[i] for r in rows), min(r[i] for r in rows), max(r[i] for r in rows)))"

echo "== $swarm workers joining (roost join each)"
mkdir -p "$work/swarm"
t0=$(now)
for k in $(seq "$swarm"); do
    "$roost" join --token "$worker_token" "$rpc1" -data-dir "$work/swarm/s$k" -node "s$k" >/dev/null
done
echo "   $swarm joins in $(python3 -c "print('%.1f' % ($(now)-$t0))") s (sequential, each a process)"
cpu_ticks() { local total=0; for p in "${pids[@]:0:3}"; do [ -r /proc/$p/stat ] && total=$((total + $(awk '{print $14+$15}' /proc/$p/stat))); done; echo $total; }
c0=$(cpu_ticks); s0=$(now)
"$bin/WorkerSwarmBench" --credentials "$work/swarm" --seconds "$steady" | tee "$work/swarm.json"
c1=$(cpu_ticks); s1=$(now)
python3 - "$c0" "$c1" "$s0" "$s1" "$work/swarm.json" <<'PY'
import json, os, sys
c0, c1, s0, s1 = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
r = json.load(open(sys.argv[5]))
hz = os.sysconf('SC_CLK_TCK')
print('   managers: %.1f%% of one core for the three together over %.0f s (registration + steady state)' % (100 * (c1 - c0) / hz / (s1 - s0), s1 - s0))
print('   registration: %d of %d in %.1f s (%.0f/s), p50 %.1f ms, p99 %.1f ms' % (r['registered'], r['workers'], r['registration_seconds'], r['registrations_per_second'], r['registration_p50_ms'], r['registration_p99_ms']))
print('   heartbeats: %.0f/s, p50 %.1f ms, p99 %.1f ms, %d failures; long polls answered %d, %d failures' % (r['heartbeats_per_second'], r['heartbeat_p50_ms'], r['heartbeat_p99_ms'], r['heartbeat_failures'], r['long_polls_answered'], r['long_poll_failures']))
if r['last_failure']: print('   last failure: ' + r['last_failure'])
PY
for j in $(seq "$joins"); do
    for hierarchy in /sys/fs/cgroup/*/roost-bench-w$j /sys/fs/cgroup/roost-bench-w$j; do
        [ -d "$hierarchy" ] || continue
        find "$hierarchy" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
        find "$hierarchy" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
done
