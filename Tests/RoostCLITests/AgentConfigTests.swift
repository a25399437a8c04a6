import Foundation
import Jobspec
@testable import RoostCLI
import Synchronization
import Testing

/// `roost agent -config FILE`: every key of the file reaches the agent, flags win over the
/// file, and a mistake in the file is reported at its line and column with a way out, before
/// anything starts.
@Suite struct AgentConfigTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// What one run handed to the agent launcher (nil when the agent was not started).
    struct AgentRun {
        var status: Int32
        var errors: String
        var options: AgentOptions?
    }

    static func agent(_ arguments: String...) async -> AgentRun {
        let captured = Mutex<AgentOptions?>(nil)
        let console = CapturingConsole()
        let status = await CommandLineTool.run(
            arguments: ["agent"] + arguments, console: console, environment: [:],
            agentLauncher: { options, _ in
                captured.withLock { $0 = options }
                return 0
            })
        return AgentRun(status: status, errors: console.errors, options: captured.withLock { $0 })
    }

    static let everyKey = """
        data_dir      = "/var/lib/roost"
        name          = "manager-1"
        datacenter    = "eu-west"
        bind_addr     = "0.0.0.0"
        cgroup_parent = "roost-prod"
        retry_join    = ["10.0.0.2", "10.0.0.3:4648"]
        encrypt       = "cg8StVXbQJ0gPvMd9o7yrg=="
        log_level     = "debug"

        advertise {
          http = "192.0.2.10"
          rpc  = "192.0.2.10:4647"
          serf = "192.0.2.10"
        }

        ports {
          http = 5646
          rpc  = 5647
          serf = 5648
        }

        server {
          enabled                 = true
          bootstrap_expect        = 3
          raft_snapshot_threshold = 4096
          data_encryption         = false
          certificate_validity    = "48h"
          worker_down_grace       = "40s"
          job_gc_threshold        = "2h"

          default_scheduler_config {
            preemption_config {
              service_scheduler_enabled = true
              system_scheduler_enabled  = false
            }
          }
        }

        client {
          enabled = false
          servers = ["10.0.0.2:4647"]
          meta {
            rack = "r12"
            tier = "gold"
          }
        }

        """

    @Test func everyKeyOfTheFileReachesTheAgent() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let run = await Self.agent("-config", try directory.file("agent.hcl", Self.everyKey))
        #expect(run.status == 0, "\(run.errors)")
        let options = try #require(run.options)
        #expect(options.dataDirectory == "/var/lib/roost")
        #expect(options.nodeName == "manager-1")
        #expect(options.datacenter == "eu-west")
        #expect(options.bindAddress == "0.0.0.0")
        #expect(options.cgroupParent == "roost-prod")
        #expect(options.join == ["10.0.0.2", "10.0.0.3:4648"])
        #expect(options.encryptKey == "cg8StVXbQJ0gPvMd9o7yrg==")
        #expect(options.logLevel == "DEBUG")
        #expect(options.advertiseHTTP == "192.0.2.10" && options.advertiseRPC == "192.0.2.10:4647" && options.advertiseSerf == "192.0.2.10")
        #expect(options.httpPort == 5646 && options.raftPort == 5647 && options.serfPort == 5648)
        #expect(options.server && !options.dev)
        #expect(options.bootstrapExpect == 3)
        #expect(options.raftSnapshotThreshold == 4096)
        #expect(options.dataEncryption == false)
        #expect(options.certificateValidity == .seconds(48 * 3_600))
        #expect(options.workerDownGrace == .seconds(40))
        #expect(options.jobGarbageThreshold == .seconds(2 * 3_600))
        #expect(options.preemptionDefaults?.serviceSchedulerEnabled == true)
        #expect(options.preemptionDefaults?.systemSchedulerEnabled == false)
        #expect(options.preemptionDefaults?.batchSchedulerEnabled == nil, "a switch left out must keep the built-in default")
        #expect(!options.worker && options.workerServers == ["10.0.0.2:4647"])
        #expect(options.nodeMeta == ["rack": "r12", "tier": "gold"])
    }

    @Test func certificateValidityAndWorkerGraceOutsideTheirRangesAreRefusedFromTheFileAndTheFlags() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let tooShort = await Self.agent("-config", try directory.file("a.hcl", "server {\n  certificate_validity = \"30s\"\n}\n"))
        #expect(tooShort.options == nil)
        #expect(tooShort.errors.contains("\"certificate_validity\" must be from 60s to 87600h, got \"30s\""), "\(tooShort.errors)")
        let notADuration = await Self.agent("-config", try directory.file("b.hcl", "server {\n  worker_down_grace = \"soon\"\n}\n"))
        #expect(notADuration.options == nil)
        #expect(notADuration.errors.contains("is not a valid duration"), "\(notADuration.errors)")
        let flag = await Self.agent("-server", "-data-dir", "/nonexistent", "-cert-validity", "10s")
        #expect(flag.status == 64)
        #expect(flag.errors.contains("-cert-validity must be from 60s to 87600h, got 10s"), "\(flag.errors)")
        let misspelt = await Self.agent(
            "-config", try directory.file("c.hcl", "server {\n  default_scheduler_config {\n    preemption_config {\n      service_scheduler = true\n    }\n  }\n}\n"))
        #expect(misspelt.options == nil)
        #expect(misspelt.errors.contains("service_scheduler_enabled"), "the closest known key is suggested: \(misspelt.errors)")
        let tooSoon = await Self.agent("-server", "-data-dir", "/nonexistent", "-job-gc-threshold", "5s")
        #expect(tooSoon.status == 64)
        #expect(tooSoon.errors.contains("-job-gc-threshold must be from 60s to 8760h, got 5s"), "\(tooSoon.errors)")
        let good = await Self.agent("-server", "-data-dir", "/nonexistent", "-cert-validity", "2h", "-worker-down-grace", "1m")
        #expect(good.options?.certificateValidity == .seconds(7_200))
        #expect(good.options?.workerDownGrace == .seconds(60))
    }

    @Test func registryBlocksAndTheInsecureRegistryFlagReachTheWorker() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("agent.hcl", """
            client {
              registry "registry.local:5000" {
                insecure = true
              }
              registry "ghcr.example.com" {
                username = "ci"
                password = "s3cret"
              }
            }

            """)
        let run = await Self.agent("-dev", "-config", file, "-insecure-registry", "10.0.0.9:5000", "-insecure-registry", "ghcr.example.com")
        #expect(run.status == 0, "\(run.errors)")
        let registries = try #require(run.options?.registries)
        #expect(registries.count == 3)
        #expect(registries.contains(AgentRegistry(host: "registry.local:5000", insecure: true)))
        #expect(registries.contains(AgentRegistry(host: "ghcr.example.com", insecure: true, username: "ci", password: "s3cret")))
        #expect(registries.contains(AgentRegistry(host: "10.0.0.9:5000", insecure: true)))
    }

    @Test func aRegistryBlockWithoutItsHostOrWithHalfTheCredentialsIsRefused() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let cases = [
            ("client {\n  registry {\n    insecure = true\n  }\n}\n", "takes one label, the registry's HOST[:PORT]"),
            ("client {\n  registry \"http://r:5000/x\" {\n    insecure = true\n  }\n}\n", "is not a registry's HOST[:PORT]"),
            ("client {\n  registry \"r:5000\" {\n    username = \"ci\"\n  }\n}\n", "has a username but no password"),
            ("client {\n  registry \"r:5000\" {\n    insecur = true\n  }\n}\n", "unknown key \"insecur\""),
        ]
        for (number, (text, message)) in cases.enumerated() {
            let run = await Self.agent("-config", try directory.file("bad\(number).hcl", text))
            #expect(run.options == nil, "\(text)")
            #expect(run.errors.contains(message), "\(text): \(run.errors)")
        }
        let flag = await Self.agent("-dev", "-insecure-registry", "http://r:5000")
        #expect(flag.status == 64)
        #expect(flag.errors.contains("-insecure-registry takes a registry's HOST[:PORT]"))
    }

    @Test func aWorkerBlockMayBeCalledWorkerAsWellAsClient() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("agent.hcl", """
            data_dir = "/tmp/x"
            worker {
              enabled = true
              servers = ["127.0.0.1:4647"]
            }
            """)
        let run = await Self.agent("-config", file)
        #expect(run.options?.worker == true && run.options?.workerServers == ["127.0.0.1:4647"], "\(run.errors)")
    }

    @Test func flagsOverrideTheFileAndTheFileOverridesTheDefaults() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("agent.hcl", """
            data_dir   = "/from/file"
            name       = "file-name"
            bind_addr  = "10.1.1.1"
            retry_join = ["10.0.0.9"]
            ports { http = 5000 }
            server {
              enabled          = true
              bootstrap_expect = 3
              data_encryption  = false
            }
            """)
        let run = await Self.agent(
            "-config", file, "-http-port", "6000", "-node", "flag-name", "-join", "10.0.0.7", "-join", "10.0.0.8",
            "-data-encryption=true", "-log-level", "warn")
        let options = try #require(run.options, "\(run.errors)")
        // Flags win…
        #expect(options.httpPort == 6000 && options.nodeName == "flag-name" && options.join == ["10.0.0.7", "10.0.0.8"])
        #expect(options.dataEncryption && options.logLevel == "WARN")
        // …the file keeps what no flag set…
        #expect(options.dataDirectory == "/from/file" && options.bindAddress == "10.1.1.1" && options.bootstrapExpect == 3)
        // …and the defaults fill the rest.
        #expect(options.raftPort == AgentOptions.defaultRaftPort && options.serfPort == nil && options.datacenter == "dc1")
    }

    @Test func theServerFlagTurnsOnAServerTheFileLeftOffAndRetryJoinCountsAsJoin() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("agent.hcl", """
            data_dir   = "/d"
            retry_join = ["10.0.0.2"]
            server {
              enabled          = false
              bootstrap_expect = 3
            }
            """)
        let run = await Self.agent("-config", file, "-server")
        #expect(run.options?.server == true && run.options?.bootstrapExpect == 3, "\(run.errors)")
    }

    @Test func anUnknownKeyIsReportedAtItsLineAndColumnWithTheClosestKnownKey() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("agent.hcl", """
            data_dri = "/d"
            server {
              enabled = true
              bootstrap_expected = 3
            }
            telemetry {}
            """)
        let run = await Self.agent("-config", file)
        #expect(run.status == 1 && run.options == nil)
        #expect(run.errors.contains("\(file):1:1: error: unknown key \"data_dri\" in the top level"), "\(run.errors)")
        #expect(run.errors.contains("hint: did you mean \"data_dir\"?"))
        #expect(run.errors.contains("\(file):4:3: error: unknown key \"bootstrap_expected\" in the server block"))
        #expect(run.errors.contains("hint: did you mean \"bootstrap_expect\"?"))
        #expect(run.errors.contains("\(file):6:1: error: unknown block \"telemetry\" in the top level"))
        #expect(run.errors.contains("hint: allowed here: data_dir, name"))
        #expect(run.errors.contains("agent.hcl: 3 errors; the agent was not started"))
    }

    @Test func aValueOfTheWrongTypeIsReportedAtTheValueWithHowToWriteIt() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("agent.hcl", """
            data_dir   = 7
            retry_join = "10.0.0.2"
            ports {
              http = "4646"
              rpc  = 70000
            }
            server {
              enabled          = "yes"
              bootstrap_expect = 2.5
            }
            log_level = "loud"
            """)
        let run = await Self.agent("-config", file)
        #expect(run.status == 1 && run.options == nil)
        let expected = [
            "\(file):1:14: error: \"data_dir\" must be a string, got a number",
            "\(file):2:14: error: \"retry_join\" must be a list of strings, got a string",
            "\(file):4:10: error: \"http\" must be a whole number (a port number from 0 to 65535), got a string",
            "hint: write http = 4646 (without quotes)",
            "\(file):5:10: error: \"rpc\" must be a port number from 0 to 65535, got 70000",
            "\(file):8:22: error: \"enabled\" must be true or false, got a string",
            "hint: write enabled = true (without quotes)",
            "\(file):9:22: error: \"bootstrap_expect\" must be the number of managers, 1 to 9 (3 or 5 in production), got 2.5",
            "\(file):11:13: error: \"log_level\" must be one of TRACE, DEBUG, INFO, WARN, ERROR, got \"loud\"",
        ]
        for line in expected {
            #expect(run.errors.contains(line), "missing: \(line)\n\(run.errors)")
        }
    }

    @Test func aBlockWrittenAsAnAttributeAndARepeatedBlockAreErrors() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("agent.hcl", """
            server = true
            ports { http = 1 }
            ports { rpc = 2 }
            name "x" {}
            """)
        let run = await Self.agent("-config", file)
        #expect(run.errors.contains("\(file):1:1: error: \"server\" is a block, not an attribute"), "\(run.errors)")
        #expect(run.errors.contains("hint: write server { ... } without the \"=\""))
        #expect(run.errors.contains("\(file):3:1: error: only one \"ports\" block is allowed (the first is on line 2)"))
        #expect(run.errors.contains("\(file):4:1: error: \"name\" is an attribute, not a block"))
    }

    @Test func aMissingFileOrASyntaxErrorStopsTheAgentBeforeItStarts() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let missing = await Self.agent("-config", directory.path + "/nope.hcl")
        #expect(missing.status == 1 && missing.options == nil)
        #expect(missing.errors.contains("nope.hcl") && missing.errors.contains("No such file or directory"), "\(missing.errors)")

        let broken = try directory.file("broken.hcl", "server {\n  enabled = \n}\n")
        let run = await Self.agent("-config", broken)
        #expect(run.status == 1 && run.options == nil)
        #expect(run.errors.contains("\(broken):"), "\(run.errors)")

        let twice = await Self.agent("-config", broken, "-config", broken)
        #expect(twice.status == 64 && twice.errors.contains("-config can be given once"))
    }

    @Test func aWorkerNeedsTheDataDirectoryItsJoinFilledAndCannotShareAnAgentWithAManager() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let alone = await Self.agent("-config", try directory.file("worker.hcl", "client { enabled = true }\n"))
        #expect(alone.status == 64 && alone.options == nil)
        #expect(alone.errors.contains("-worker needs -data-dir"), "\(alone.errors)")
        let both = await Self.agent("-config", try directory.file("both.hcl", "data_dir = \"/tmp/x\"\nserver { enabled = true }\nclient { enabled = true }\n"))
        #expect(both.status == 64 && both.options == nil)
        #expect(both.errors.contains("-worker and -server in one agent are not supported yet"), "\(both.errors)")
    }

    @Test func theExampleInTheDocumentationParsesToTheOptionsItDescribes() throws {
        let text = try String(contentsOfFile: Self.repository + "/docs/agent-config.md", encoding: .utf8)
        let blocks = text.components(separatedBy: "```hcl\n").dropFirst().compactMap { $0.components(separatedBy: "```").first }
        #expect(blocks.count >= 1, "docs/agent-config.md has no ```hcl example")
        for block in blocks {
            let (config, diagnostics) = AgentConfig.decode(SourceFile(name: "agent-config.md", text: block))
            #expect(diagnostics.isEmpty, "\(diagnostics.map { $0.rendered(in: nil) })")
            #expect(config != nil)
        }
        let firstBlock = try #require(blocks.first)
        let first = try #require(AgentConfig.decode(SourceFile(name: "agent-config.md", text: firstBlock)).config)
        #expect(first.serverEnabled == true && first.dataDirectory != nil && first.bootstrapExpect == 3)
    }

    @Test(arguments: ["server.hcl", "worker.hcl"])
    func theSystemdExampleConfigParses(name: String) throws {
        let path = Self.repository + "/contrib/systemd/" + name
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let (config, diagnostics) = AgentConfig.decode(SourceFile(name: name, text: text))
        #expect(diagnostics.isEmpty, "\(diagnostics.map { $0.rendered(in: nil) })")
        #expect(config?.dataDirectory?.hasPrefix("/var/lib/roost") == true)
    }
}
