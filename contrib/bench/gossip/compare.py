#!/usr/bin/env python3
"""Prints Serf's and Roost's gossip benchmark results side by side (medians over repetitions)
as a markdown table, with the ratio Roost/Serf (below 1 is better for Roost on every row).

    compare.py SERF.jsonl ROOST.jsonl
"""
import json
import statistics
import sys

ROWS = [
    ("join convergence (s)", "join", "convergence_s"),
    ("kill -9: first detects (s)", "fail", "first_s"),
    ("kill -9: median agent (s)", "fail", "p50_s"),
    ("kill -9: all agents (s)", "fail", "all_s"),
    ("leave: all agents (s)", "leave", "all_left_s"),
    ("idle CPU per agent (% of a core)", "idle", "per_agent_cpu_pct_median"),
    ("idle UDP packets/s per agent", "idle", "gossip_udp_pkts_per_s_per_agent"),
    ("idle UDP payload bytes/s per agent", "idle", "gossip_udp_payload_bytes_per_s_per_agent"),
    ("RSS per agent (MB)", "idle", "rss_mb_median"),
    ("idle window: false failed verdicts", "idle", "false_failed_events"),
]


def load(path):
    runs = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            run = json.loads(line)
            runs.setdefault((run["n"], bool(run.get("encrypted"))), []).append(run)
    return runs


def median(runs, phase, key):
    values = [r.get(phase, {}).get(key) for r in runs]
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value):
    if value is None:
        return "–"
    return "%.3g" % value if value < 100 else "%.0f" % value


def main():
    serf, roost = load(sys.argv[1]), load(sys.argv[2])
    print("| N | encryption | measure | Serf | Roost | Roost/Serf |")
    print("|---|---|---|---|---|---|")
    for config in sorted(set(serf) | set(roost)):
        n, encrypted = config
        for label, phase, key in ROWS:
            s = median(serf.get(config, []), phase, key)
            r = median(roost.get(config, []), phase, key)
            ratio = "%.2f" % (r / s) if s and r is not None else "–"
            print("| %d | %s | %s | %s | %s | %s |" % (n, "on" if encrypted else "off", label, fmt(s), fmt(r), ratio))


if __name__ == "__main__":
    main()
