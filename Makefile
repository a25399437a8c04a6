# Roost: `make run` and `make test` set everything up on a fresh Debian machine that has the
# Swift toolchain; contrib/install-deps.sh adds the few Debian packages the build needs.
#
#   make test         build everything, check the layering rules, run all tests
#   make run          build roost, start a dev agent, run the example jobs (Ctrl-C stops all)
#   make conformance  run roost over ../shared/conformance/nomad-jobspecs (when present)
#   make bench        jobspec throughput vs python-hcl2, dev-agent latency/RSS/API reads, Raft vs etcd, gossip vs Serf
#   make fuzz         fuzz the HCL parser for a bounded time (FUZZ_SECONDS=…)
#   make clean        remove build products

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test

SWIFT ?= swift
.PHONY: deps build test layering run conformance bench fuzz clean

deps:
	contrib/install-deps.sh

build: deps
	$(SWIFT) build --build-tests

layering:
	contrib/check-layering.sh --self-test
	contrib/check-layering.sh

# One test at a time: the simulation suites are CPU-bound and, run in parallel, hold both
# threads of the cooperative pool for tens of seconds, so tests that wait on real processes,
# sockets and timers would meet their deadlines starved. Serial, the suite takes about 2 min.
test: build layering
	$(SWIFT) test --no-parallel

run: deps
	$(SWIFT) build --product roost
	$(SWIFT) build --product roost-oci-monitor
	contrib/dev-run.sh "$$($(SWIFT) build --show-bin-path)/roost"

conformance: deps
	$(SWIFT) build --product roost
	contrib/conformance.sh "$$($(SWIFT) build --show-bin-path)/roost"

bench: deps
	@status=0; \
	bash contrib/bench/run.sh || status=1; \
	bash contrib/bench/agent-bench.sh || status=1; \
	bash contrib/bench/raft/raft-bench.sh || status=1; \
	bash contrib/bench/gossip/gossip-bench.sh || status=1; \
	bash contrib/bench/cluster/cluster-bench.sh || status=1; \
	bash contrib/bench/scheduler/scheduler-bench.sh || status=1; \
	if [ "$$(id -u)" = 0 ]; then bash contrib/bench/oci/oci-bench.sh || status=1; fi; \
	exit $$status

# FUZZ_SECONDS given on the make command line reaches the script through the environment.
fuzz: deps
	@test -f contrib/fuzz.sh || { echo "make fuzz: contrib/fuzz.sh is not written yet" >&2; exit 1; }
	bash contrib/fuzz.sh

clean:
	rm -rf .build

# The Raft simulation over as many seeds as SOAK_SECONDS allows (default 600), release build.
.PHONY: soak
soak: deps
	bash contrib/soak.sh
