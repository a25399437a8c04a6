"""Parses one HCL file with python-hcl2 (the PyPI HCL2 parser) and prints its throughput,
in the same format as JobspecBench, so that contrib/bench/run.sh can compare them."""
import sys
import time

import hcl2

path = sys.argv[1]
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 1
with open(path) as handle:
    text = handle.read()
samples = []
for _ in range(reps):
    start = time.perf_counter()
    hcl2.loads(text)
    samples.append(time.perf_counter() - start)
samples.sort()
seconds = samples[len(samples) // 2]
megabytes = len(text.encode()) / 1e6
print(f"python-hcl2 parse    {megabytes:.3f} MB in {seconds:.4f} s = {megabytes / seconds:.2f} MB/s")
