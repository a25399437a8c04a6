# A parameterized batch job: registering it runs nothing; each dispatch runs it once with its
# own input (the payload, written to local/input.txt) and metadata (NOMAD_META_size, …):
#
#   roost agent -dev &
#   roost job run jobspecs/dispatch-resize.hcl
#   echo "photos/cat.png" | roost job dispatch -meta size=640x480 resize -
#   printf 'photos/dog.png' > /tmp/dog.txt
#   roost job dispatch -meta size=64x64 -meta quality=40 -id-prefix-template thumb resize /tmp/dog.txt
#   roost job status resize              # lists the dispatched children
#   roost alloc logs <alloc-id>          # what a child printed
job "resize" {
  type = "batch"

  parameterized {
    payload       = "required"
    meta_required = ["size"]
    meta_optional = ["quality"]
  }

  # Defaults a dispatch may override with -meta.
  meta {
    quality = "85"
  }

  group "resize" {
    # A child that fails (an empty payload, say) is not retried: the input will not change.
    restart {
      attempts = 0
      mode     = "fail"
    }

    task "resize" {
      driver = "raw_exec"

      dispatch_payload {
        file = "input.txt"
      }

      config {
        command = "/bin/sh"
        # Plain shell: only ${...} is HCL interpolation, $NOMAD_META_size is the shell's.
        args = ["-c", "test -s local/input.txt || { echo 'no input' >&2; exit 1; }; echo \"resizing $(head -c 200 local/input.txt) to $NOMAD_META_size at quality $NOMAD_META_quality\"; wc -c < local/input.txt"]
      }

      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
