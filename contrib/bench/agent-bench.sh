#!/usr/bin/env bash
# Dev-agent benchmarks (issue #3): idle RSS, POST → 100 allocations running, GET /v1/jobs
# throughput with 1,000 jobs. Builds a release roost; installs wrk when it can (apt), and
# falls back to a Python client when it cannot.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v wrk >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== installing wrk (apt)"
        apt-get install -y -qq wrk >/dev/null 2>&1 || echo "== wrk could not be installed; using the Python client only"
    fi
fi
echo "== building roost (release)"
swift build -c release --product roost >/dev/null
python3 contrib/bench/agent_bench.py "$(swift build -c release --show-bin-path)/roost" "$@"
