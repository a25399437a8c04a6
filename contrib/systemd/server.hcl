# /etc/roost/server.hcl: one of three managers. Copy it to each manager's machine and change
# name, bind_addr and retry_join. See docs/agent-config.md for every key.
data_dir  = "/var/lib/roost"
name      = "manager-1"
bind_addr = "10.0.0.1"

ports {
  http = 4646
  rpc  = 4647
  serf = 4648
}

server {
  enabled          = true
  bootstrap_expect = 3
  # On by default: the Raft log and snapshots are sealed with /var/lib/roost/server/data.key.
  data_encryption  = true
}

# The other managers' gossip addresses (port 4648 when left out).
retry_join = ["10.0.0.2", "10.0.0.3"]

# The gossip key, the same on every agent: generate one with
#   head -c 32 /dev/urandom | base64
encrypt = "REPLACE-WITH-32-RANDOM-BYTES-IN-BASE64="

log_level = "INFO"
