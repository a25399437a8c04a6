# A batch job that runs to completion, with input variables and locals:
#
#   roost job validate jobspecs/countdown.hcl
#   roost job validate -var from=10 -var 'greeting=Hi there' jobspecs/countdown.hcl
#   NOMAD_VAR_from=3 roost job inspect jobspecs/countdown.hcl
variable "from" {
  type        = number
  default     = 5
  description = "The number to count down from."
}

variable "greeting" {
  type    = string
  default = "Hello"
}

locals {
  message = "${var.greeting} from Roost"
  # Plain shell: $n is not an HCL interpolation; only ${...} is.
  script = "for n in $(seq ${var.from} -1 1); do echo \"$n...\"; sleep 1; done; echo '${local.message}'"
}

job "countdown" {
  type = "batch"

  group "countdown" {
    # A batch task that fails is retried twice, 10 seconds apart, before the group gives up.
    restart {
      attempts = 2
      delay    = "10s"
      interval = "10m"
      mode     = "fail"
    }

    task "count" {
      driver = "raw_exec"

      config {
        command = "/bin/sh"
        args    = ["-c", local.script]
      }

      env {
        GREETING = var.greeting
      }

      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
