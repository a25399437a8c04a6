#!/usr/bin/env bash
# Roost's Raft beside etcd, in one run, with the same client (the shared kvload.py), value
# size, concurrency levels and failover procedure. Roost: three RaftKVBench processes (a
# RaftShell each, WAL with fsync on, 100 ms ticks × 10 = etcd's 1 s election timeout) on
# 127.0.0.1. etcd: ../shared/bench/etcd/bench.sh (Debian's etcd-server, installed when missing
# and root). Prints both summaries and the ratios the issue's targets are stated in.
#
#   contrib/bench/raft/raft-bench.sh         env: SEQ_N (500), TPUT_SECONDS (5), VALUE_SIZE (256),
#                                            FAILOVER_TRIES (3), BASE_PORT (23390), SKIP_ETCD=1
set -euo pipefail
cd "$(dirname "$0")/../../.."
shared=../shared/bench
kv=$shared/lib/kvload.py
[ -f "$kv" ] || { echo "raft-bench: $kv not found (the peer scripts live beside the repository)" >&2; exit 2; }
seq_n=${SEQ_N:-500} tput_seconds=${TPUT_SECONDS:-5} size=${VALUE_SIZE:-256} tries=${FAILOVER_TRIES:-3}
base=${BASE_PORT:-23390}
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
work=$(mktemp -d)
declare -a pid=("" "" "")

echo "== building RaftKVBench (release)"
swift build -c release --product RaftKVBench >/dev/null
bin="$(swift build -c release --show-bin-path)/RaftKVBench"

peers="1=127.0.0.1:$((base + 101)),2=127.0.0.1:$((base + 102)),3=127.0.0.1:$((base + 103))"
endpoint() { echo "http://127.0.0.1:$((base + 1 + $1))"; }
all="$(endpoint 0),$(endpoint 1),$(endpoint 2)"
start_node() {
    "$bin" --id $(($1 + 1)) --http-port $((base + 1 + $1)) --raft-port $((base + 101 + $1)) \
        --data "$work/n$1" --peers "$peers" >>"$work/n$1.log" 2>&1 &
    pid[$1]=$!
}
stop_node() {
    local p=${pid[$1]}
    if [ -n "$p" ]; then kill -9 "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; fi
    pid[$1]=""
}
# Never stops half way: every node started here is killed by PID whatever else failed.
cleanup() { set +e; for i in 0 1 2; do stop_node "$i"; done; rm -rf "$work"; }
trap cleanup EXIT
pids_csv() { local IFS=,; echo "${pid[*]}"; }
leader_index() {
    python3 "$kv" leader --endpoints "$all" --timeout 30 | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["leader_index"] if j.get("ok") else "")'
}

res="$out/roost.jsonl"; : >"$res"
t0=$(date +%s.%N)
for i in 0 1 2; do start_node "$i"; done
python3 "$kv" first-put --endpoints "$all" --t0 "$t0" --timeout 30 --label roost-3node >>"$res"
li=$(leader_index); [ -n "$li" ] || { echo "raft-bench: no leader" >&2; exit 1; }
python3 "$kv" seq --endpoint "$(endpoint "$li")" --n 300 --size "$size" --prefix bench/warm --label warmup >/dev/null
python3 "$kv" seq --endpoint "$(endpoint "$li")" --n "$seq_n" --size "$size" --label "roost via leader" --pids "$(pids_csv)" >>"$res"
for c in 1 16 64; do
    python3 "$kv" tput --endpoint "$(endpoint "$li")" --conc "$c" --duration "$tput_seconds" --size "$size" \
        --label "roost via leader" --pids "$(pids_csv)" >>"$res"
done
for k in $(seq 1 "$tries"); do
    li=$(leader_index); [ -n "$li" ] || { echo "raft-bench: cluster not healthy before failover $k" >&2; break; }
    survivors=""
    for i in 0 1 2; do [ "$i" != "$li" ] && survivors="${survivors:+$survivors,}$(endpoint "$i")"; done
    python3 "$kv" failover --endpoints "$survivors" --kill-pid "${pid[$li]}" --expect-comm RaftKVBench --timeout 30 \
        --label roost-3node >>"$res" || echo "raft-bench: failover $k: no put within 30 s" >&2
    wait "${pid[$li]}" 2>/dev/null || true; pid[$li]=""
    start_node "$li"
    sleep 0.5
done
echo; echo "## Roost"; python3 "$kv" summarize "$res" | tee "$out/roost.md"

if [ "${SKIP_ETCD:-0}" != 1 ]; then
    if ! command -v etcd >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "== installing etcd-server etcd-client (apt)"
        apt-get install -y -qq etcd-server etcd-client >/dev/null 2>&1 || true
    fi
    if command -v etcd >/dev/null 2>&1; then
        echo; echo "## etcd (same client and settings)"
        REPS=1 STARTS=1 CHECK_PERF=0 SEQ_N="$seq_n" TPUT_SECONDS="$tput_seconds" VALUE_SIZE="$size" \
            FAILOVER_TRIES="$tries" OUT="$out/etcd" bash "$shared/etcd/bench.sh" >/dev/null 2>"$out/etcd.log" || true
        cat "$out/etcd/summary.md" 2>/dev/null || echo "etcd bench failed: see $out/etcd.log"
        python3 - "$res" "$out/etcd/rep1/results.jsonl" <<'PY'
import json, statistics, sys
def load(path):
    try:
        return [json.loads(l) for l in open(path) if l.startswith("{")]
    except OSError:
        return []
roost, etcd = load(sys.argv[1]), load(sys.argv[2])
def tput(rows, c): return next((r["puts_per_s"] for r in rows if r["kind"] == "tput" and r["conc"] == c), None)
def seq_p50(rows): return next((r["p50_ms"] for r in rows if r["kind"] == "seq" and "leader" in r["label"]), None)
def failover(rows):
    values = [r["failover_s"] for r in rows if r["kind"] == "failover" and r.get("ok")]
    return statistics.median(values) if values else None
print("\n| measure | roost | etcd | ratio | target |\n|---|---|---|---|---|")
for c in (1, 16, 64):
    r, e = tput(roost, c), tput(etcd, c)
    print(f"| puts/s at concurrency {c} | {r} | {e} | {r / e:.2f}x |" + (" ≥ 1.5x |" if c == 64 else " |") if r and e else f"| puts/s at concurrency {c} | {r} | {e} | n/a | |")
r, e = seq_p50(roost), seq_p50(etcd)
print(f"| sequential p50 ms | {r} | {e} | {r / e:.2f}x | ≤ 1.0x |" if r and e else f"| sequential p50 ms | {r} | {e} | n/a | |")
r, e = failover(roost), failover(etcd)
print(f"| failover median s | {r} | {e} | {r / e:.2f}x | ≤ 1.0x |" if r and e else f"| failover median s | {r} | {e} | n/a | |")
PY
    else
        echo "raft-bench: etcd is not installed (apt-get install etcd-server etcd-client); Roost figures only"
    fi
fi
