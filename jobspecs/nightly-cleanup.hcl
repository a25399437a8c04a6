# A periodic batch job: every night at 03:00 UTC, list the scratch files under /tmp that are
# older than a week. It only prints them; change -print to -delete to clean for real.
#
#   roost job validate jobspecs/nightly-cleanup.hcl
job "nightly-cleanup" {
  type = "batch"

  periodic {
    crons            = ["0 3 * * *"]
    time_zone        = "UTC"
    prohibit_overlap = true
  }

  group "cleanup" {
    task "find-old-files" {
      driver = "raw_exec"

      config {
        command = "/usr/bin/find"
        args    = ["/tmp", "-maxdepth", "1", "-name", "roost-*", "-mtime", "+7", "-print"]
      }

      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
