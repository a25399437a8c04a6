#!/usr/bin/env bash
# Roost's gossip beside Serf, in one run: for each cluster size and with and without
# encryption, ../shared/bench/serf/bench.sh runs N Serf agents (memberlist, "lan" profile),
# then gossip_bench.py runs N Roost GossipBenchAgents (SWIM + Lifeguard with the same LAN
# timing: probe 1 s, timeout 500 ms, suspicion multiplier 4) and measures them the same way:
# join convergence, kill -9 detection (first and all), leave propagation, idle CPU, RSS and
# UDP packets/bytes per agent. Prints both side by side with Roost/Serf ratios.
#
#   contrib/bench/gossip/gossip-bench.sh     env: SIZES ("5 20 50"), IDLE (30 s), SETTLE (10 s),
#                                            REPS (1), OUT (results dir), SKIP_SERF=1
# Serf and python3-msgpack are Debian packages (serf, python3-msgpack): installed when
# missing and root. Every agent is on 127.0.0.1 and is stopped by PID by its driver.
set -euo pipefail
cd "$(dirname "$0")/../../.."
serf_dir=${SERF_BENCH_DIR:-../shared/bench/serf}
[ -f "$serf_dir/bench.sh" ] || { echo "gossip-bench: $serf_dir/bench.sh not found (the peer scripts live beside the repository)" >&2; exit 2; }
sizes=${SIZES:-"5 20 50"} idle=${IDLE:-30} settle=${SETTLE:-10} reps=${REPS:-1}
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
serf_results="$out/serf.jsonl" roost_results="$out/roost.jsonl"
: >"$serf_results"
: >"$roost_results"

if ! command -v serf >/dev/null || ! /usr/bin/python3 -c 'import msgpack' 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get install -y -qq serf python3-msgpack >/dev/null || { apt-get update -qq && apt-get install -y -qq serf python3-msgpack >/dev/null; }
    fi
fi
py=python3
python3 -c 'import msgpack' 2>/dev/null || py=/usr/bin/python3

# Statically linked and position-dependent, as Go links Serf by default: a shared Swift runtime
# and Foundation would add some 7 MB of library pages to every agent's RSS, and a PIE's load-time
# relocations another 1.7 MB of dirtied pages.
echo "== building GossipBenchAgent (release, static Swift runtime, no PIE)"
build=(swift build -c release --product GossipBenchAgent --static-swift-stdlib -Xlinker -no-pie --scratch-path .build-static)
"${build[@]}" >/dev/null
bin="$("${build[@]}" --show-bin-path)/GossipBenchAgent"

status=0
for ((r = 1; r <= reps; r++)); do
    for n in $sizes; do
        for mode in plain encrypted; do
            flag=()
            [ "$mode" = encrypted ] && flag=(--encrypt)
            if [ "${SKIP_SERF:-0}" != 1 ]; then
                echo "== serf  N=$n $mode (rep $r)"
                bash "$serf_dir/bench.sh" "$n" ${flag[@]+"${flag[@]}"} --out "$serf_results" --idle "$idle" --settle "$settle" \
                    --skip-cli-check >/dev/null || { echo "gossip-bench: serf run N=$n $mode failed" >&2; status=1; }
                sleep 3
            fi
            echo "== roost N=$n $mode (rep $r)"
            "$py" contrib/bench/gossip/gossip_bench.py -n "$n" --bin "$bin" ${flag[@]+"${flag[@]}"} --out "$roost_results" \
                --idle "$idle" --settle "$settle" >/dev/null || { echo "gossip-bench: roost run N=$n $mode failed" >&2; status=1; }
            sleep 3
        done
    done
done
"$py" contrib/bench/gossip/compare.py "$serf_results" "$roost_results"
echo "results: $out"
exit "$status"
