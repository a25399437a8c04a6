#!/usr/bin/env python3
"""Roost gossip benchmark driver (loopback only), the twin of ../shared/bench/serf/serf_bench.py.

For one cluster size N it starts N GossipBenchAgent processes (Roost's gossip layer alone,
SWIM with memberlist's LAN timing: probe interval 1 s, probe timeout 500 ms, suspicion
multiplier 4, gossip every 200 ms to 3 members, push-pull every 30 s), and measures what
serf_bench.py measures for Serf, the same way:
  1. join: agents 1..N-1 are told to join agent 0 at the same instant; every agent's member
     list is polled until it shows N alive  -> convergence time;
  2. idle: after --settle s, a --idle s window: the agents' CPU (/proc/PID/stat), RSS, and
     their own counters of UDP packets and payload bytes sent;
  3. fail: kill -9 the last agent; poll the others until the first / all list it failed;
  4. leave: the second-to-last agent leaves gracefully; poll until all list it left;
  5. every agent started here is stopped by PID (and dies with the driver: PDEATHSIG).
It imports serf_bench.py's /proc helpers so that both sides are measured by the same code.
One JSON object per run is appended to --out, with serf_bench.py's key names.
"""
import argparse
import base64
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

here = os.path.dirname(os.path.abspath(__file__))
serf_dir = os.environ.get("SERF_BENCH_DIR", os.path.join(here, "..", "..", "..", "..", "shared", "bench", "serf"))
sys.path.insert(0, serf_dir)
try:
    import serf_bench as sb  # noqa: E402  (its /proc helpers and percentile)
except ImportError as error:
    sys.stderr.write("gossip_bench.py needs %s/serf_bench.py (and python3-msgpack): %s\n" % (serf_dir, error))
    sys.exit(2)

LOOPBACK = "127.0.0.1"


class Agent(sb.Agent):
    def __init__(self, idx, name, gossip_port, http_port, logpath):
        super().__init__(idx, name, gossip_port, http_port, logpath)
        self.conn = None

    def request(self, method, path):
        for attempt in range(2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(LOOPBACK, self.rpc_port, timeout=15)
                self.conn.request(method, path)
                response = self.conn.getresponse()
                return json.loads(response.read() or b"{}")
            except (OSError, http.client.HTTPException):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == 1:
                    raise
        return {}


class Cluster:
    def __init__(self, args, workdir):
        self.args, self.workdir, self.agents = args, workdir, []

    def start(self):
        a = self.args
        for i in range(a.n):
            ag = Agent(i, "r%03d" % i, a.base_port + i, a.http_base_port + i,
                       os.path.join(self.workdir, "agent-%03d.log" % i))
            cmd = [a.bin, "--name", ag.name, "--port", str(ag.gossip_port), "--http-port", str(ag.rpc_port)]
            if a.key:
                cmd += ["--encrypt", a.key]
            with open(ag.logpath, "wb") as log:
                ag.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                           preexec_fn=sb.set_pdeathsig, cwd=self.workdir)
            self.agents.append(ag)

    def wait_up(self, timeout):
        deadline = sb.now() + timeout
        for ag in self.agents:
            while True:
                if not ag.alive():
                    raise RuntimeError("agent %s exited early, see %s" % (ag.name, ag.logpath))
                try:
                    ag.request("GET", "/members")
                    break
                except OSError:
                    if sb.now() > deadline:
                        raise RuntimeError("agent %s API not up after %ss" % (ag.name, timeout))
                    time.sleep(0.05)

    def stop_all(self):
        for ag in self.agents:
            if ag.proc is not None and ag.proc.poll() is None:
                try:
                    ag.proc.send_signal(signal.SIGTERM)
                except OSError:
                    pass
        for ag in self.agents:
            if ag.proc is None:
                continue
            try:
                ag.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                ag.proc.kill()
                ag.proc.wait(timeout=10)


def phase_join(cl, a, res):
    seed, joiners = cl.agents[0], cl.agents[1:]
    done = {}
    start = threading.Barrier(len(joiners) + 1)

    def join(ag):
        conn = http.client.HTTPConnection(LOOPBACK, ag.rpc_port, timeout=60)
        conn.connect()
        start.wait()
        conn.request("PUT", "/join?addr=%s:%d" % (LOOPBACK, seed.gossip_port))
        body = json.loads(conn.getresponse().read() or b"{}")
        done[ag.name] = (sb.now() - t0, body.get("Num"))
        conn.close()

    threads = [threading.Thread(target=join, args=(ag,), daemon=True) for ag in joiners]
    for th in threads:
        th.start()
    cpu0 = {ag.idx: sb.proc_cpu_ticks(ag.pid) for ag in cl.agents}
    t0 = sb.now()
    start.wait()
    first_full, pending = {}, list(cl.agents)
    deadline = t0 + a.phase_timeout
    while pending and sb.now() < deadline:
        still = []
        for ag in pending:
            members = ag.request("GET", "/members").get("Members", [])
            if sum(1 for m in members if m.get("Status") == "alive") >= a.n:
                first_full[ag.name] = sb.now() - t0
            else:
                still.append(ag)
        pending = still
        if pending:
            time.sleep(a.poll_interval)
    for th in threads:
        th.join(timeout=30)
    ft = sorted(first_full.values())
    converged = not pending
    res["join"] = {
        "converged": converged,
        "convergence_s": sb.r3(ft[-1]) if converged else None,
        "agents_full_p50_s": sb.r3(sb.pct(ft, 0.5)),
        "join_rpc_all_returned_s": sb.r3(max(v[0] for v in done.values()) if done else None),
        "agents_cpu_s": round(sum((sb.proc_cpu_ticks(ag.pid) or 0) - (cpu0[ag.idx] or 0)
                                  for ag in cl.agents) / sb.CLK_TCK, 2),
    }
    return converged


def stats(cl):
    return {ag.idx: ag.request("GET", "/stats") for ag in cl.agents}


def phase_idle(cl, a, res):
    time.sleep(a.settle)
    window = a.idle
    ticks0 = {ag.idx: sb.proc_cpu_ticks(ag.pid) for ag in cl.agents}
    stats0 = stats(cl)
    udp0 = sb.snmp_udp()
    t0 = sb.now()
    time.sleep(window)
    elapsed = sb.now() - t0
    ticks1 = {ag.idx: sb.proc_cpu_ticks(ag.pid) for ag in cl.agents}
    stats1 = stats(cl)
    udp1 = sb.snmp_udp()
    rss = [sb.proc_rss_kb(ag.pid) or 0 for ag in cl.agents]
    per_agent_cpu = [(ticks1[i] - ticks0[i]) / sb.CLK_TCK for i in ticks0]

    def total(key):
        return sum(stats1[i].get(key, 0) - stats0[i].get(key, 0) for i in stats0)

    pkts, payload = total("udp_packets_sent") / elapsed, total("udp_bytes_sent") / elapsed
    res["idle"] = {
        "window_s": round(elapsed, 1),
        "per_agent_cpu_pct_median": round(100 * sb.pct(per_agent_cpu, 0.5) / elapsed, 3),
        "per_agent_cpu_pct_max": round(100 * max(per_agent_cpu) / elapsed, 3),
        "rss_mb_median": round(sb.pct(rss, 0.5) / 1024, 1),
        "gossip_udp_pkts_per_s_per_agent": sb.r3(pkts / a.n),
        "gossip_udp_payload_bytes_per_s_per_agent": sb.r3(payload / a.n),
        "gossip_udp_mean_payload_bytes": sb.r3(payload / pkts) if pkts else None,
        "pushpull_tcp_bytes_per_s": sb.r3(total("tcp_bytes_sent") / elapsed),
        "swim_messages_per_s_per_agent": sb.r3(total("swim_messages_sent") / elapsed / a.n),
        "snmp_udp_out_dgrams_per_s": round((udp1["OutDatagrams"] - udp0["OutDatagrams"]) / elapsed, 1),
        "dropped_packets": total("dropped"),
        # Nobody is down during the idle window: every suspicion and failure is a false alarm.
        "false_suspect_events": total("suspect_events"),
        "false_failed_events": total("failed_events"),
    }


def wait_status(cl, a, watchers, target, want, t0):
    first, pending = {}, list(watchers)
    deadline = t0 + a.phase_timeout
    while pending and sb.now() < deadline:
        still = []
        for ag in pending:
            members = ag.request("GET", "/members?name=" + target.name).get("Members", [])
            if members and members[0].get("Status") == want:
                first[ag.name] = sb.now() - t0
            else:
                still.append(ag)
        pending = still
        if pending:
            time.sleep(a.poll_interval)
    return first


def phase_fail(cl, a, res):
    victim = cl.agents[-1]
    watchers = [ag for ag in cl.agents if ag is not victim and ag.alive()]
    t0 = sb.now()
    os.kill(victim.pid, signal.SIGKILL)
    victim.proc.wait(timeout=10)
    first = wait_status(cl, a, watchers, victim, "failed", t0)
    times = sorted(first.values())
    done = len(first) == len(watchers)
    res["fail"] = {
        "victim": victim.name, "all_detected": done,
        "first_s": sb.r3(times[0] if times else None), "p50_s": sb.r3(sb.pct(times, 0.5)),
        "all_s": sb.r3(times[-1]) if done else None, "watchers": len(watchers), "detected": len(first),
    }


def phase_leave(cl, a, res):
    if a.n < 3:
        return
    leaver = cl.agents[-2]
    watchers = [ag for ag in cl.agents if ag is not leaver and ag.alive()]
    t0 = sb.now()
    leaver.request("PUT", "/leave")
    first = wait_status(cl, a, watchers, leaver, "left", t0)
    times = sorted(first.values())
    done = len(first) == len(watchers)
    res["leave"] = {
        "leaver": leaver.name, "all_saw_left": done,
        "first_left_s": sb.r3(times[0] if times else None), "p50_left_s": sb.r3(sb.pct(times, 0.5)),
        "all_left_s": sb.r3(times[-1]) if done else None,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-n", type=int, required=True)
    p.add_argument("--bin", required=True, help="the GossipBenchAgent executable")
    p.add_argument("--encrypt", action="store_true", help="seal gossip with a fresh 32-byte key")
    p.add_argument("--base-port", type=int, default=19946)
    p.add_argument("--http-base-port", type=int, default=29946)
    p.add_argument("--idle", type=int, default=30)
    p.add_argument("--settle", type=float, default=10.0)
    p.add_argument("--poll-interval", type=float, default=0.05)
    p.add_argument("--phase-timeout", type=float, default=180.0)
    p.add_argument("--out", default="")
    p.add_argument("--tag", default="")
    p.add_argument("--phases", default="join,idle,fail,leave")
    p.add_argument("--keep-logs", action="store_true", help="keep the agents' logs (else removed at the end)")
    a = p.parse_args()
    a.bin = os.path.abspath(a.bin)  # the agents run in a scratch directory
    a.key = base64.b64encode(os.urandom(32)).decode() if a.encrypt else ""
    res = {"system": "roost", "n": a.n, "encrypted": a.encrypt, "profile": "lan", "tag": a.tag,
           "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "cores": os.cpu_count(),
           "loadavg_before": open("/proc/loadavg").read().split()[:3]}
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(SystemExit("terminated")))
    workdir = tempfile.mkdtemp(prefix="roost-gossip-bench-")
    cl = Cluster(a, workdir)
    try:
        cl.start()
        cl.wait_up(60)
        phases = a.phases.split(",")
        if phase_join(cl, a, res):
            if "idle" in phases:
                phase_idle(cl, a, res)
            if "fail" in phases:
                phase_fail(cl, a, res)
            if "leave" in phases:
                phase_leave(cl, a, res)
        res["ok"] = True
    except Exception as error:  # recorded, the cluster is still stopped
        res["ok"] = False
        res["error"] = str(error)
    finally:
        cl.stop_all()
        if a.keep_logs:
            res["workdir"] = workdir
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    line = json.dumps(res, sort_keys=True)
    if a.out:
        with open(a.out, "a") as f:
            f.write(line + "\n")
    print(line)
    return 0 if res.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
