# A periodic batch job: every minute (on the minute, UTC) the leader launches a child job
# "periodic-report/periodic-<unix seconds>" that prints a short report and exits. While a
# previous child still runs, the launch is skipped (prohibit_overlap).
#
#   roost agent -dev &                                  # in another terminal
#   roost job run -detach jobspecs/periodic-report.hcl
#   roost job status periodic-report                    # the children, once a minute passed
#   roost job periodic force periodic-report            # one more child, now
#   roost alloc logs <alloc-id>                         # the report a child printed
job "periodic-report" {
  type = "batch"

  periodic {
    crons            = ["* * * * *"]
    time_zone        = "UTC"
    prohibit_overlap = true
  }

  group "report" {
    task "print" {
      driver = "raw_exec"

      config {
        command = "/bin/sh"
        args    = ["-c", "echo \"report from $NOMAD_JOB_ID at $(date -u +%H:%M:%S)\"; uptime"]
      }

      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
