# /etc/roost/worker.hcl: a machine that runs tasks. See docs/agent-config.md for every key.
data_dir  = "/var/lib/roost-worker"
name      = "worker-1"
bind_addr = "10.0.1.1"

client {
  enabled = true
  # The managers' RPC addresses.
  servers = ["10.0.0.1:4647", "10.0.0.2:4647", "10.0.0.3:4647"]
  meta {
    rack = "r1"
  }
}

# Run once before enabling the unit: roost join --token ROOST-1-… 10.0.0.1 -data-dir /var/lib/roost-worker
# The gossip key and the worker's certificate come from that join.
retry_join = ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
log_level  = "INFO"
