import ClusterModel
import Testing

@testable import Jobspec

/// The decoder behind the real parser and evaluator: what a user sees for the text they wrote.
@Suite struct JobDecoderSourceTests {
    private func load(_ text: String, variables: [String: VariableInput] = [:]) -> JobFile {
        JobFile.load(SourceFile(name: "web.hcl", text: text), variables: variables)
    }

    @Test func aSmallServiceFileGetsEveryDefault() throws {
        let file = load(
            """
            job "web" {
              group "app" {
                task "server" {
                  driver = "raw_exec"
                  config {
                    command = "/bin/server"
                  }
                }
              }
            }
            """)
        let job = try #require(file.job, "\(file.renderedDiagnostics)")
        #expect(file.diagnostics.isEmpty, "\(file.renderedDiagnostics)")
        let group = job.groups[0]
        #expect(group.restart == .defaults(for: .service))
        #expect(group.update == .defaults)
        #expect(group.migrate == .defaults)
        #expect(group.tasks[0].config == ["command": .string("/bin/server")])
        #expect(group.tasks[0].resources == Resources())
    }

    @Test func aMisspelledCheckKeyPointsAtTheKeyWithAHint() throws {
        let file = load(
            """
            job "web" {
              group "app" {
                task "server" {
                  driver = "raw_exec"
                  service {
                    check {
                      type    = "tcp"
                      nterval = "10s"
                    }
                  }
                }
              }
            }
            """)
        #expect(file.job == nil)
        #expect(
            file.renderedDiagnostics
                == """
                web.hcl:8:11: error: unknown attribute "nterval" in check
                              nterval = "10s"
                              ^~~~~~~
                    hint: did you mean "interval"?
                """)
    }

    @Test func unsupportedBlocksWarnAtTheirLine() throws {
        let file = load(
            """
            job "web" {
              vault_token = "x"
              group "app" {
                volume "data" {
                  type = "host"
                }
                task "server" {
                  driver = "raw_exec"
                  vault {
                    policies = ["p"]
                  }
                }
              }
            }
            """)
        #expect(file.job != nil, "\(file.renderedDiagnostics)")
        let warnings = file.diagnostics.map { "\($0.start.line): \($0.message)" }
        #expect(
            warnings == [
                "2: `vault_token` is not supported by Roost yet and is ignored",
                "4: `volume` block is not supported by Roost yet and is ignored",
                "9: `vault` block is not supported by Roost yet and is ignored",
            ])
    }

    @Test func everyProblemOfAFileIsReportedInOrder() throws {
        let file = load(
            """
            job "web" {
              type     = "servce"
              priority = 500
              group "app" {
                count = "many"
                task "server" {
                  driver       = "raw_exec"
                  kill_timeout = "5 sec"
                  resources {
                    memory = -1
                  }
                }
              }
            }
            """)
        #expect(file.job == nil)
        #expect(
            file.diagnostics.map { "\($0.start.line):\($0.start.column) \($0.message)" } == [
                "2:14 type must be one of \"service\", \"batch\", \"system\" or \"sysbatch\", got \"servce\"",
                "3:14 priority must be between 1 and 100, got 500",
                "5:13 count must be a whole number, got a string \"many\"",
                "8:22 kill_timeout is not a valid duration: unknown unit \" sec\" in \"5 sec\"",
                "10:18 memory must be at least 10, got -1",
            ])
    }

    @Test func variablesAndDynamicBlocksFeedTheDecoder() throws {
        let file = load(
            """
            variable "ports" {
              default = ["http", "admin"]
            }
            job "web" {
              group "app" {
                network {
                  dynamic "port" {
                    for_each = var.ports
                    labels   = [port.value]
                    content {}
                  }
                }
                task "server" {
                  driver = "raw_exec"
                  env {
                    PORTS = length(var.ports)
                  }
                }
              }
            }
            """)
        let job = try #require(file.job, "\(file.renderedDiagnostics)")
        #expect(job.groups[0].networks[0].dynamicPorts.map(\.label) == ["http", "admin"])
        #expect(job.groups[0].tasks[0].env == ["PORTS": "2"])
    }

    @Test func generatedPortsThatCollideAreReported() throws {
        let file = load(
            """
            job "web" {
              group "app" {
                network {
                  port "http" {}
                  dynamic "port" {
                    for_each = ["HTTP"]
                    labels   = [port.value]
                    content {}
                  }
                }
              }
            }
            """)
        #expect(file.job == nil)
        let error = try #require(file.diagnostics.first { $0.message.contains("port label collision") })
        #expect(error.message == "port label collision: \"HTTP\" is already used by port \"http\" at line 4")
    }

    @Test func runtimeReferencesReachTheJobVerbatim() throws {
        let file = load(
            """
            job "web" {
              constraint {
                attribute = "${attr.kernel.name}"
                value     = "linux"
              }
              group "app" {
                task "server" {
                  driver = "raw_exec"
                  meta {
                    my-cool-key = "${node.unique.id}"
                  }
                }
              }
            }
            """)
        let job = try #require(file.job, "\(file.renderedDiagnostics)")
        #expect(job.constraints == [Constraint(leftTarget: "${attr.kernel.name}", rightTarget: "linux")])
        #expect(job.groups[0].tasks[0].meta == ["my-cool-key": "${node.unique.id}"])
    }

    @Test func driverConfigBlocksKeepNomadsShape() throws {
        let file = load(
            """
            job "web" {
              group "app" {
                task "server" {
                  driver = "docker"
                  config {
                    image = "redis:7"
                    attr_map = { "KEY" = "VAL" }
                    port_map {
                      db = 6379
                    }
                    labeled "a" "b" {
                      k = 1
                    }
                  }
                }
              }
            }
            """)
        let config = try #require(file.job?.groups[0].tasks[0].config, "\(file.renderedDiagnostics)")
        #expect(config["image"] == .string("redis:7"))
        #expect(config["attr_map"] == .map(["KEY": .string("VAL")]))
        #expect(config["port_map"] == .list([.map(["db": .number(6379)])]))
        #expect(config["labeled"] == .list([.map(["a": .list([.map(["b": .list([.map(["k": .number(1)])])])])])]))
    }

    @Test func repeatedSingleBlocksAreEachReportedAtTheRepetition() throws {
        let file = load(
            """
            job "binstore" {
              group "binsl" {
                ephemeral_disk {
                  size = 500
                }
                ephemeral_disk {
                  size = 100
                }
                task "binstore" {
                  driver = "docker"
                  resources {
                    cpu = 500
                  }
                  resources {
                    cpu = 500
                  }
                }
              }
            }
            """)
        #expect(file.job == nil)
        #expect(
            file.diagnostics.map { "\($0.start.line): \($0.message) (\($0.hint ?? ""))" } == [
                "6: only one ephemeral_disk block is allowed in group (the first is at line 3)",
                "14: only one resources block is allowed in task (the first is at line 11)",
            ])
    }

    @Test func anEmptyPortLabelAndACaseOnlyCollisionAreBothNamed() throws {
        let file = load(
            """
            job "web" {
              group "app" {
                task "server" {
                  driver = "docker"
                  resources {
                    network {
                      mbits = "100"
                      port "Http" {}
                      port "http" {}
                      port "" {}
                    }
                  }
                }
              }
            }
            """)
        #expect(file.job == nil)
        #expect(
            file.diagnostics.map { "\($0.start.line):\($0.start.column) \($0.message)" } == [
                "9:16 port label collision: \"http\" is already used by port \"Http\" at line 8",
                "10:16 port label \"\" is invalid: it must match ^[a-zA-Z0-9_]+$",
            ])
    }

    @Test func theJSONOfAFileShowsItsDurationsInNanoseconds() throws {
        let file = load(
            """
            job "web" {
              group "app" {
                restart {
                  interval = "10m"
                  attempts = 4
                }
                task "server" {
                  driver = "raw_exec"
                }
              }
            }
            """)
        let json = NomadJSON.encode(try #require(file.job), pretty: false)
        #expect(json.contains(#""RestartPolicy":{"Interval":600000000000,"Attempts":4,"Delay":15000000000,"Mode":"fail""#))
    }
}
