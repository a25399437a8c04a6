#!/usr/bin/env bash
# The oci driver's benchmark (issue #7), on this machine, root only:
#  1. task start latency: allocation received -> container running, through Roost's Supervisor,
#     against `crun create` + `crun start` (and `crun run`) by hand on the same prepared bundle;
#  2. cold pull + unpack of a ~5 MiB image from a local registry: Roost's ImageStore +
#     LayerUnpacker against `skopeo copy` + `umoci unpack`.
#
#   contrib/bench/oci/oci-bench.sh [RUNS]     (default 40 start runs, 20 pull runs)
#
# Needs crun or runc, busybox-static, docker-registry, skopeo and umoci (apt-get install …).
# Starts one docker-registry on 127.0.0.1 at a free port and kills it (by pid) at exit.
set -euo pipefail
cd "$(dirname "$0")/../../.."
runs=${1:-40}
pull_runs=$(( runs / 2 > 0 ? runs / 2 : 1 ))

[[ $(id -u) -eq 0 ]] || { echo "oci-bench: containers need root; run it as root" >&2; exit 1; }
for tool in docker-registry skopeo umoci; do
    command -v "$tool" >/dev/null || { echo "oci-bench: $tool is missing (apt-get install $tool)" >&2; exit 1; }
done

swift build -c release --product OCIBench >/dev/null
# The container monitor the agent starts for each container, found next to the bench binary.
swift build -c release --product roost-oci-monitor >/dev/null
bench="$(swift build -c release --show-bin-path)/OCIBench"

work=$(mktemp -d "${TMPDIR:-/tmp}/roost-oci-bench.XXXXXX")
registry_pid=""
cleanup() {
    [[ -z $registry_pid ]] || { kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; }
    rm -rf "$work"
    # crun makes the by-hand containers' cgroup parent in hierarchies Roost does not manage.
    for parent in /sys/fs/cgroup/*/roost-oci-bench /sys/fs/cgroup/roost-oci-bench; do
        [[ -d $parent ]] && rmdir "$parent" 2>/dev/null || true
    done
}
trap cleanup EXIT

contrib/oci/build-busybox-image.sh "$work/busybox" >/dev/null
EXTRA_RANDOM_MIB=4 contrib/oci/build-busybox-image.sh "$work/big" >/dev/null
size=$(du -sb "$work/big/blobs" | cut -f1)

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/registry.yml" <<YAML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $work/registry-data}}
http: {addr: 127.0.0.1:$port, secret: roost-bench}
YAML
docker-registry serve "$work/registry.yml" >/dev/null 2>&1 &
registry_pid=$!
for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.05; done
skopeo copy --quiet --dest-tls-verify=false "oci:$work/big:latest" "docker://127.0.0.1:$port/bench/big:latest"

echo "== task start latency (busybox /bin/true, $runs runs)"
"$bench" start "$work/busybox" --runs "$runs"

echo
echo "== cold pull + unpack of a $((size / 1024)) KiB image from 127.0.0.1:$port ($pull_runs runs)"
"$bench" pull "127.0.0.1:$port/bench/big:latest" --runs "$pull_runs" --insecure "127.0.0.1:$port"
samples=()
for _ in $(seq 1 "$pull_runs"); do
    rm -rf "$work/skopeo-layout" "$work/umoci-bundle"
    start=$(date +%s%N)
    skopeo copy --quiet --src-tls-verify=false "docker://127.0.0.1:$port/bench/big:latest" "oci:$work/skopeo-layout:latest"
    umoci unpack --image "$work/skopeo-layout:latest" "$work/umoci-bundle" >/dev/null 2>&1
    samples+=($(( ($(date +%s%N) - start) / 1000000 )))
done
median=$(printf '%s\n' "${samples[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "skopeo copy + umoci unpack: median ${median} ms (n=$pull_runs)"
