#!/usr/bin/env bash
# The Raft write-ahead log alone: 1 KiB entries appended with group commit by 1, 16 and 64
# concurrent writers, every append synced (fdatasync) before it is acknowledged. Prints
# entries/s, p50/p99 latency, syncs used, and the raw write+fdatasync latency of the disk.
#
#   contrib/bench/raft/wal-bench.sh [--dir DIR] [--seconds S] [--size BYTES] [--concurrency 1,16,64]
#
# DIR defaults to a directory under $TMPDIR: point it at the disk the managers will use, since
# the sync latency of that disk is what bounds the figures.
set -euo pipefail
cd "$(dirname "$0")/../../.."
swift build -c release --product RaftWALBench >&2
exec "$(swift build -c release --show-bin-path)/RaftWALBench" bench "$@"
