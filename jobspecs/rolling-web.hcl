# A web service that rolls out new versions two allocations at a time, each replacement
# healthy (its HTTP check passing) before the next pair goes, and rolls back by itself when a
# version never gets healthy.
#
#   roost job run jobspecs/rolling-web.hcl
#   roost job run -var release=2 jobspecs/rolling-web.hcl           # a new version: rolls out
#   roost job run -var release=3 -var check_path=/missing jobspecs/rolling-web.hcl
#                                                                   # never healthy: reverted
#   roost deployment list
#   roost job history rolling-web
variable "release" {
  type        = string
  default     = "1"
  description = "Any change makes a new version of the job (it reaches the tasks as RELEASE)."
}

variable "check_path" {
  type        = string
  default     = "/"
  description = "What the health check asks for; a path that does not exist makes a bad version."
}

job "rolling-web" {
  type        = "service"
  datacenters = ["*"]

  update {
    max_parallel      = 2
    health_check      = "checks"
    min_healthy_time  = "5s"
    healthy_deadline  = "1m"
    progress_deadline = "3m"
    auto_revert       = true
  }

  group "web" {
    count = 5

    network {
      port "http" {}
    }

    service {
      name     = "rolling-web"
      port     = "http"
      provider = "nomad"

      check {
        type     = "http"
        path     = var.check_path
        interval = "2s"
        timeout  = "1s"
      }
    }

    task "server" {
      driver = "raw_exec"

      env {
        RELEASE = var.release
      }

      config {
        command = "python3"
        args    = ["-m", "http.server", "${NOMAD_PORT_http}", "--directory", "${NOMAD_TASK_DIR}"]
      }

      resources {
        cpu    = 50 # MHz
        memory = 48 # MiB
      }
    }
  }
}
