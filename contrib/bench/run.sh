#!/usr/bin/env bash
# Jobspec throughput, side by side with python-hcl2 on the same generated file, in one run.
# Targets (issue #2): Roost parse + decode >= 50 MB/s and >= 20x python-hcl2.
# Env: BENCH_MB (size of the generated file, default 1), BENCH_REPS (default 30), OUT (results dir).
set -euo pipefail
cd "$(dirname "$0")/../.."

size_mb=${BENCH_MB:-1}
reps=${BENCH_REPS:-30}
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"

echo "== building JobspecBench (release)"
swift build -c release --product JobspecBench >/dev/null
bench=$(swift build -c release --show-bin-path)/JobspecBench

venv=.build/bench-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import hcl2' 2>/dev/null; then
    echo "== installing python-hcl2 into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet 'python-hcl2==8.1.4'
fi

file="$out/bench-job.hcl"
"$bench" generate "$size_mb" "$file"

echo "== measuring (median of runs; the machine is shared, compare ratios)"
"$bench" measure "$file" "$reps" | tee "$out/roost.txt"
"$venv/bin/python" contrib/bench/python_hcl2_parse.py "$file" 1 | tee "$out/python-hcl2.txt"

# HashiCorp's own parser (Go, syntax only), when the peer scripts are beside the repository.
hcl_go_builder=../shared/bench/hcl-go/build.sh
if [ -f "$hcl_go_builder" ] && [ "${BENCH_HCL_GO:-1}" = 1 ]; then
    bash "$hcl_go_builder" "$out/hclparse" >/dev/null
    "$out/hclparse" -bench "$reps" "$file" | sed 's/^/hcl-go parse         /' | tee "$out/hcl-go.txt"
fi

roost_pipeline=$(awk '/parse\+decode/ {print $(NF-3)}' "$out/roost.txt")
roost_parse=$(awk '/roost parse / {print $(NF-1)}' "$out/roost.txt")
python=$(awk '{print $(NF-1)}' "$out/python-hcl2.txt")
hcl_go=$(awk '{print $(NF-1)}' "$out/hcl-go.txt" 2>/dev/null || true)
awk -v rp="$roost_pipeline" -v rs="$roost_parse" -v py="$python" -v go="${hcl_go:-0}" 'BEGIN {
    ratio = rp / py
    printf "\n| measure | MB/s |\n|---|---|\n"
    printf "| roost parse | %.1f |\n| roost parse+decode | %.1f |\n| python-hcl2 parse | %.2f |\n", rs, rp, py
    if (go > 0) printf "| hcl/v2 (Go) parse | %.1f |\n\nroost parse / hcl/v2 parse = %.1fx\n", go, rs / go
    printf "\nroost parse+decode / python-hcl2 parse = %.0fx\n", ratio
    ok = (rp >= 50 && ratio >= 20)
    printf "target (>= 50 MB/s and >= 20x): %s\n", ok ? "met" : "NOT met"
    exit ok ? 0 : 1
}'
echo "results in $out"
