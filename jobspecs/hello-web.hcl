# A small web service: two copies of Python's built-in HTTP server, each on a port the node
# picks, registered as a service with an HTTP health check.
#
#   roost job validate jobspecs/hello-web.hcl
#   roost job inspect jobspecs/hello-web.hcl
job "hello-web" {
  type        = "service"
  datacenters = ["*"]

  # Replace one allocation at a time, and only after the new one has been healthy for 10s.
  update {
    max_parallel     = 1
    min_healthy_time = "10s"
    healthy_deadline = "2m"
  }

  group "web" {
    count = 2

    network {
      # A dynamic port: the worker picks a free one and passes it as NOMAD_PORT_http.
      port "http" {}
    }

    service {
      name     = "hello-web"
      port     = "http"
      provider = "nomad"

      check {
        type     = "http"
        path     = "/"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "server" {
      driver = "raw_exec"

      config {
        command = "python3"
        # ${NOMAD_PORT_http} and ${NOMAD_TASK_DIR} are runtime references: roost keeps them as
        # written, and the worker fills them in when it starts the task.
        args = ["-m", "http.server", "${NOMAD_PORT_http}", "--directory", "${NOMAD_TASK_DIR}"]
      }

      resources {
        cpu    = 100 # MHz
        memory = 64  # MiB
      }
    }
  }
}
