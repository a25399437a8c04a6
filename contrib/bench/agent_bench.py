#!/usr/bin/env python3
"""Dev-agent benchmarks (issue #3), against a release `roost agent -dev` on 127.0.0.1.

  agent_bench.py ROOST_BINARY [--rounds N] [--wrk PATH]

Measures, in one run:
  1. idle RSS of the agent (target < 40 MiB), read from /proc/<pid>/status;
  2. time from POST /v1/jobs to all 100 allocations of a raw_exec `sleep` job running
     (target < 1 s), median of N rounds, each job stopped before the next;
  3. GET /v1/jobs throughput with 1,000 jobs registered (wrk when given, else a Python
     keep-alive client), in requests per second.

The agent runs with its own data directory and cgroup parent and is stopped by PID (SIGINT,
which stops every task) whatever happens. Standard library only.
"""
import argparse, http.client, json, os, re, shutil, signal, statistics, subprocess, sys, tempfile, threading, time

def start_agent(binary, workdir, parent):
    proc = subprocess.Popen(
        [binary, "agent", "-dev", "-http-port", "0", "-data-dir", workdir, "-cgroup-parent", parent],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 30
    address = None
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = re.search(r"API address: http://([\d.]+):(\d+)", line)
        if m:
            address = (m.group(1), int(m.group(2)))
            break
    if address is None:
        proc.kill()
        sys.exit("agent did not start")
    # Drain the rest of its output so it never blocks on a full pipe.
    threading.Thread(target=lambda: proc.stdout.read(), daemon=True).start()
    return proc, address

def request(conn, method, path, body=None):
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
    response = conn.getresponse()
    data = response.read()
    return response.status, data, response.getheader("X-Roost-Index")

def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")

def sleep_job(job_id, count):
    hcl = f'''job "{job_id}" {{
  group "g" {{
    count = {count}
    task "sleep" {{
      driver = "raw_exec"
      config {{
        command = "/bin/sleep"
        args    = ["600"]
      }}
      resources {{
        cpu    = 10
        memory = 10
      }}
    }}
  }}
}}
'''
    return json.dumps({"JobHCL": hcl, "Filename": f"{job_id}.hcl"}).encode()

def time_to_running(address, job_id, count):
    conn = http.client.HTTPConnection(*address, timeout=120)
    body = sleep_job(job_id, count)
    start = time.perf_counter()
    status, data, _ = request(conn, "POST", "/v1/jobs", body)
    if status != 200:
        sys.exit(f"register failed: {status} {data[:300]}")
    index = 0
    while True:
        status, data, idx = request(conn, "GET", f"/v1/job/{job_id}/summary?index={index}&wait=5s")
        index = int(idx or 0)
        running = json.loads(data)["Summary"]["g"]["Running"]
        if running >= count:
            elapsed = time.perf_counter() - start
            break
        if time.perf_counter() - start > 120:
            sys.exit(f"only {running}/{count} running after 120 s")
    # Stop and wait until every allocation has stopped before the next round.
    request(conn, "DELETE", f"/v1/job/{job_id}?purge=true")
    deadline = time.time() + 120
    while time.time() < deadline:
        _, data, _ = request(conn, "GET", "/v1/allocations")
        live = [a for a in json.loads(data) if a["JobID"] == job_id and a["ClientStatus"] in ("pending", "running")]
        if not live:
            break
        time.sleep(0.2)
    return elapsed

def register_idle_jobs(address, n):
    conn = http.client.HTTPConnection(*address, timeout=60)
    for i in range(n):
        hcl = f'job "idle-{i:04d}" {{\n  group "g" {{\n    count = 0\n    task "t" {{\n      driver = "raw_exec"\n      config {{\n        command = "/bin/true"\n      }}\n    }}\n  }}\n}}\n'
        status, data, _ = request(conn, "POST", "/v1/jobs", json.dumps({"JobHCL": hcl}).encode())
        if status != 200:
            sys.exit(f"register idle-{i} failed: {status} {data[:200]}")

def python_read_throughput(address, seconds, clients):
    counts = [0] * clients
    stop = time.time() + seconds
    def worker(k):
        conn = http.client.HTTPConnection(*address, timeout=30)
        while time.time() < stop:
            status, _, _ = request(conn, "GET", "/v1/jobs")
            if status == 200:
                counts[k] += 1
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads: t.start()
    for t in threads: t.join()
    return sum(counts) / seconds

def wrk_throughput(wrk, address, seconds, connections):
    out = subprocess.run([wrk, "-t2", f"-c{connections}", f"-d{seconds}s", f"http://{address[0]}:{address[1]}/v1/jobs"],
                         capture_output=True, text=True, timeout=seconds + 60).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(m.group(1)) if m else float("nan"), out

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--wrk", default=shutil.which("wrk"))
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="roost-bench-")
    parent = f"roost-bench-{os.getpid()}"
    proc, address = start_agent(args.binary, workdir, parent)
    results = {}
    try:
        time.sleep(3)
        results["idle_rss_mib"] = rss_mib(proc.pid)
        print(f"idle RSS of the dev agent: {results['idle_rss_mib']:.1f} MiB (target < 40)")
        rounds = [time_to_running(address, f"bench-{r}", 100) for r in range(args.rounds)]
        results["post_to_100_running_s"] = statistics.median(rounds)
        print("POST /v1/jobs -> 100 allocations running: " + ", ".join(f"{t:.3f}" for t in rounds)
              + f" s; median {results['post_to_100_running_s']:.3f} s (target < 1)")
        register_idle_jobs(address, 1000)
        if args.wrk:
            rps, raw = wrk_throughput(args.wrk, address, 10, 16)
            results["get_jobs_rps_wrk"] = rps
            print(f"GET /v1/jobs with 1,000 jobs (wrk -t2 -c16 -d10s): {rps:.0f} requests/s")
        # The first read after a change encodes the list afresh; repeated reads at the same
        # index reuse that encoding. Report the cold cost too, so the cache does not hide it.
        colds = []
        conn = http.client.HTTPConnection(*address, timeout=60)
        for k in range(5):
            request(conn, "POST", "/v1/jobs", json.dumps({"JobHCL": f'job "extra-{k}" {{\n group "g" {{\n count = 0\n task "t" {{\n driver = "raw_exec"\n config {{\n command = "/bin/true"\n }}\n }}\n }}\n}}\n'}).encode())
            started = time.perf_counter()
            request(conn, "GET", "/v1/jobs")
            colds.append(time.perf_counter() - started)
        results["get_jobs_cold_ms"] = statistics.median(colds) * 1000
        print(f"GET /v1/jobs right after a change (encoded afresh): median {results['get_jobs_cold_ms']:.1f} ms")
        rps = python_read_throughput(address, 5, 4)
        results["get_jobs_rps_python"] = rps
        print(f"GET /v1/jobs with 1,000 jobs (Python keep-alive client, 4 threads): {rps:.0f} requests/s")
        results["rss_after_mib"] = rss_mib(proc.pid)
        print(f"RSS after the runs: {results['rss_after_mib']:.1f} MiB")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)
        for root, dirs, _ in os.walk("/sys/fs/cgroup"):
            if os.path.basename(root) == parent:
                try: os.rmdir(root)
                except OSError: pass
            if root.count("/") > 5: dirs.clear()
    ok = results.get("idle_rss_mib", 99) < 40 and results.get("post_to_100_running_s", 99) < 1
    print(json.dumps(results))
    print("targets (idle RSS < 40 MiB, 100 running < 1 s):", "met" if ok else "NOT met")
    sys.exit(0 if ok else 1)

main()
