# A container job: busybox's web server in an OCI container run by crun (or runc), from an
# image built on this machine without any registry:
#
#   contrib/oci/build-busybox-image.sh            # writes /var/tmp/roost-busybox
#   roost job run jobspecs/busybox-oci.hcl
#
# `driver = "docker"` works the same: the oci driver reads the docker driver's config keys.
# With a registry, write e.g. image = "registry.local:5000/library/busybox:latest".
job "busybox-oci" {
  type        = "service"
  datacenters = ["*"]

  group "web" {
    network {
      port "http" {}
    }

    task "httpd" {
      driver = "oci"

      config {
        image   = "oci-layout:/var/tmp/roost-busybox:latest"
        command = "/bin/httpd"
        # Containers share the host's network, so the port the node picked is the one to bind.
        args  = ["-f", "-p", "${NOMAD_PORT_http}", "-h", "/www"]
        ports = ["http"]
      }

      resources {
        cpu    = 100 # MHz
        memory = 32  # MiB
      }
    }
  }
}
