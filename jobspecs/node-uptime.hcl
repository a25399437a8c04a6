# A system job: one copy on every eligible Linux node, printing the node's load every minute.
#
#   roost job validate jobspecs/node-uptime.hcl
job "node-uptime" {
  type     = "system"
  priority = 60

  # ${attr.kernel.name} is a node attribute: the scheduler compares it on each node.
  constraint {
    attribute = "${attr.kernel.name}"
    value     = "linux"
  }

  group "uptime" {
    task "uptime" {
      driver = "raw_exec"

      config {
        command = "/bin/sh"
        args    = ["-c", "while true; do uptime; sleep 60; done"]
      }

      # SIGINT lets the shell loop stop at once; after 10 seconds it is killed anyway.
      kill_signal  = "SIGINT"
      kill_timeout = "10s"

      resources {
        cpu    = 20
        memory = 16
      }
    }
  }
}
