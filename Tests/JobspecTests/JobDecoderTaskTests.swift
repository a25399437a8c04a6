import ClusterModel
import Testing

@testable import Jobspec

@Suite struct JobDecoderTaskTests {
    private func task(@DecoderFixture.Builder _ lines: () -> [DecoderFixture.Node]) throws -> TaskSpec {
        let outcome = minimalJob(task: lines).decoded()
        return try #require(outcome.job?.groups.first?.tasks.first, "\(outcome.report)")
    }

    @Test func aTaskGetsNomadsDefaults() throws {
        let task = try task {}
        #expect(task.driver == "raw_exec")
        #expect(task.resources == Resources(cpuMHz: 100, memoryMiB: 300))
        #expect(task.killTimeout == .seconds(5))
        #expect(task.logs == LogConfig(maxFiles: 10, maxFileSizeMiB: 10))
        #expect(task.shutdownDelay == .zero)
        #expect(task.lifecycle == nil)
    }

    @Test func aTaskWithoutADriverDecodesWithAWarning() throws {
        let outcome = DecoderFixture {
            block("job", "web") { block("group", "g") { block("task", "t") } }
        }.decoded()
        #expect(outcome.job != nil)
        let warning = try #require(outcome.warning(containing: "has no driver"))
        #expect(warning.message == "task \"t\" has no driver, so Roost cannot run it")
        #expect(warning.start.line == 3)
    }

    @Test func taskSettingsAreRead() throws {
        let task = try task {
            attr("user", "bob")
            attr("leader", true)
            attr("kind", "connect-proxy:web")
            attr("kill_timeout", "22s")
            attr("kill_signal", "SIGQUIT")
            attr("shutdown_delay", "11s")
        }
        #expect(task.user == "bob")
        #expect(task.leader)
        #expect(task.kind == "connect-proxy:web")
        #expect(task.killTimeout == .seconds(22))
        #expect(task.killSignal == "SIGQUIT")
        #expect(task.shutdownDelay == .seconds(11))
    }

    @Test func aBadDurationShowsTheAcceptedForms() throws {
        let outcome = minimalJob(task: { attr("kill_timeout", "10 secs") }).decoded()
        let error = try #require(outcome.error(containing: "kill_timeout"))
        #expect(error.message == "kill_timeout is not a valid duration: unknown unit \" secs\" in \"10 secs\"")
        #expect(error.hint == DurationParser.acceptedForms)
        #expect(error.start.line == 5)
    }

    @Test func aNumberForADurationIsNanoseconds() throws {
        let task = try task { attr("kill_timeout", 2_000_000_000) }
        #expect(task.killTimeout == .seconds(2))
    }

    @Test func envValuesBecomeText() throws {
        let task = try task {
            block("env") {
                attr("HELLO", "world")
                attr("PORT", 8080)
                attr("DEBUG", false)
            }
        }
        #expect(task.env == ["HELLO": "world", "PORT": "8080", "DEBUG": "false"])
    }

    @Test func driverConfigKeepsAttributesAndTurnsBlocksIntoListsOfMaps() throws {
        let task = try task {
            block("config") {
                attr("image", "redis:7")
                attr("args", ["-c", "echo hi"])
                attr("port", 6379)
                block("labels") { attr("team", "ops") }
                block("mount") { attr("target", "/a") }
                block("mount") { attr("target", "/b") }
            }
        }
        #expect(task.config["image"] == .string("redis:7"))
        #expect(task.config["args"] == .list([.string("-c"), .string("echo hi")]))
        #expect(task.config["port"] == .number(6379))
        #expect(task.config["labels"] == .list([.map(["team": .string("ops")])]))
        #expect(task.config["mount"] == .list([.map(["target": .string("/a")]), .map(["target": .string("/b")])]))
    }

    /// The shapes `config-compatibility.hcl` pins down for Nomad's two parsers.
    @Test func labeledConfigBlocksNestOneMapPerLabel() throws {
        let task = try task {
            block("config") {
                block("labeled_block", "label1") { attr("k", "b") }
                block("multi_labeled_block", "label1", "label2") { attr("k", "b") }
                block("label_repeated", "l1") { attr("a", 1) }
                block("label_repeated", "l1") { attr("a", 2) }
            }
        }
        let inner: DynamicValue = .map(["k": .string("b")])
        #expect(task.config["labeled_block"] == .list([.map(["label1": .list([inner])])]))
        #expect(
            task.config["multi_labeled_block"] == .list([.map(["label1": .list([.map(["label2": .list([inner])])])])]))
        #expect(
            task.config["label_repeated"]
                == .list([
                    .map(["l1": .list([.map(["a": .number(1)])])]), .map(["l1": .list([.map(["a": .number(2)])])]),
                ]))
    }

    @Test func resourcesReplaceTheDefaultsTheyName() throws {
        let task = try task {
            block("resources") {
                attr("cpu", 500)
                attr("memory", 128)
                attr("memory_max", 256)
            }
        }
        #expect(task.resources == Resources(cpuMHz: 500, memoryMiB: 128, memoryMaxMiB: 256))
    }

    @Test func reservingCoresLeavesCPUAtZero() throws {
        let task = try task { block("resources") { attr("cores", 4) } }
        #expect(task.resources.cores == 4)
        #expect(task.resources.cpuMHz == 0)
        #expect(task.resources.memoryMiB == 300)
    }

    @Test func cpuAndCoresTogetherAreAnError() {
        let outcome = minimalJob(task: {
            block("resources") {
                attr("cpu", 500)
                attr("cores", 2)
            }
        }).decoded()
        #expect(outcome.error(containing: "a task asks for either cpu or cores, not both") != nil)
    }

    @Test func negativeOrTinyResourcesAreErrors() {
        let outcome = minimalJob(task: {
            block("resources") {
                attr("cpu", -1)
                attr("memory", 4)
            }
        }).decoded()
        #expect(outcome.error(containing: "cpu must be at least 1, got -1") != nil)
        #expect(outcome.error(containing: "memory must be at least 10, got 4") != nil)
    }

    @Test func memoryMaxBelowMemoryIsAnError() {
        let outcome = minimalJob(task: {
            block("resources") {
                attr("memory", 512)
                attr("memory_max", 256)
            }
        }).decoded()
        #expect(outcome.error(containing: "memory_max (256) must not be less than memory (512)") != nil)
    }

    @Test func portsWithAStaticNumberAreReservedAndOthersDynamic() throws {
        let outcome = minimalJob(group: {
            block("network") {
                attr("mode", "bridge")
                attr("mbits", "100")
                block("port", "http") {
                    attr("static", 80)
                    attr("to", 8080)
                    attr("host_network", "public")
                }
                block("port", "metrics") {}
                block("dns") { attr("servers", ["8.8.8.8"]) }
            }
        }).decoded()
        let network = try #require(outcome.job?.groups.first?.networks.first, "\(outcome.report)")
        #expect(network.mode == "bridge")
        #expect(network.mbits == 100)
        #expect(network.reservedPorts == [NetworkSpec.Port(label: "http", value: 80, to: 8080, hostNetwork: "public")])
        #expect(network.dynamicPorts == [NetworkSpec.Port(label: "metrics")])
        #expect(network.dns == NetworkSpec.DNSConfig(servers: ["8.8.8.8"]))
    }

    @Test func anEmptyPortLabelIsRefusedAtTheLabel() throws {
        let outcome = minimalJob(group: { block("network") { block("port", "") {} } }).decoded()
        let error = try #require(outcome.error(containing: "port label"))
        #expect(error.message == "port label \"\" is invalid: it must match ^[a-zA-Z0-9_]+$")
        #expect(error.start.line == 4)
        #expect(error.start.column == 12)
    }

    @Test func portLabelsThatDifferOnlyInCaseCollide() throws {
        let outcome = minimalJob(task: {
            block("resources") {
                block("network") {
                    block("port", "Http") {}
                    block("port", "http") {}
                }
            }
        }).decoded()
        let error = try #require(outcome.error(containing: "port label collision"))
        #expect(error.message == "port label collision: \"http\" is already used by port \"Http\" at line 7")
        #expect(error.start.line == 9)
    }

    @Test func aTaskPortCollidesWithAGroupPort() {
        let outcome = minimalJob(
            group: { block("network") { block("port", "http") {} } },
            task: { block("resources") { block("network") { block("port", "HTTP") {} } } }
        ).decoded()
        #expect(outcome.error(containing: "port label collision: \"HTTP\" is already used by port \"http\" at line 4") != nil)
    }

    @Test func twoTasksMayEachHaveALegacyPortOfTheSameName() {
        let outcome = minimalJob(group: {
            block("task", "other") {
                attr("driver", "exec")
                block("resources") { block("network") { block("port", "http") {} } }
            }
        }, task: {
            block("resources") { block("network") { block("port", "http") {} } }
        }).decoded()
        #expect(outcome.errors.isEmpty, "\(outcome.report)")
    }

    @Test func aSecondNetworkInResourcesIsAnErrorAtTheSecond() throws {
        let outcome = minimalJob(task: {
            block("resources") {
                block("network") { attr("mbits", 10) }
                block("network") { attr("mbits", 20) }
            }
        }).decoded()
        let error = try #require(outcome.errors.first)
        #expect(error.message == "only one network block is allowed in resources")
        #expect(error.start.line == 9)
    }

    @Test func preZeroFivePortListsGetAHintInsteadOfAGuess() throws {
        let outcome = minimalJob(group: { block("network") { attr("reserved_ports", ["1", "2"]) } }).decoded()
        let error = try #require(outcome.error(containing: "unknown attribute \"reserved_ports\" in network"))
        #expect(error.hint?.contains("port \"label\" { static = 8080 }") == true)
    }

    @Test func devicesAreRead() throws {
        let task = try task {
            block("resources") {
                block("device", "nvidia/gpu") {
                    attr("count", 2)
                    block("constraint") {
                        attr("attribute", "${device.attr.memory}")
                        attr("operator", ">=")
                        attr("value", "2 GiB")
                    }
                }
                block("device", "intel/gpu") {}
            }
        }
        #expect(task.resources.devices.map(\.name) == ["nvidia/gpu", "intel/gpu"])
        #expect(task.resources.devices.map(\.count) == [2, 1])
        #expect(
            task.resources.devices[0].constraints
                == [Constraint(leftTarget: "${device.attr.memory}", rightTarget: "2 GiB", operand: ">=")])
    }

    @Test func logsAreRead() throws {
        let task = try task {
            block("logs") {
                attr("max_files", 14)
                attr("max_file_size", 101)
                attr("disabled", false)
            }
        }
        #expect(task.logs == LogConfig(maxFiles: 14, maxFileSizeMiB: 101))
    }

    @Test func lifecycleHooksAreCheckedAndSuggested() throws {
        let ok = try task {
            block("lifecycle") {
                attr("hook", "prestart")
                attr("sidecar", true)
            }
        }
        #expect(ok.lifecycle == Lifecycle(hook: .prestart, sidecar: true))

        let outcome = minimalJob(task: { block("lifecycle") { attr("hook", "pre-start") } }).decoded()
        let error = try #require(outcome.error(containing: "hook must be"))
        #expect(error.message == "hook must be one of \"prestart\", \"poststart\" or \"poststop\", got \"pre-start\"")
        #expect(error.hint == "did you mean \"prestart\"?")

        let missing = minimalJob(task: { block("lifecycle") { attr("sidecar", true) } }).decoded()
        #expect(missing.error(containing: "lifecycle needs a hook") != nil)
    }

    @Test func aDispatchPayloadFileMustStayInsideTheTasksLocalDirectory() throws {
        let ok = try task { block("dispatch_payload") { attr("file", "in/input.txt") } }
        #expect(ok.dispatchPayload == DispatchPayloadConfig(file: "in/input.txt"))

        for escaping in ["/etc/passwd", "../secrets/token", "a/../../b"] {
            let outcome = minimalJob(task: { block("dispatch_payload") { attr("file", escaping) } }).decoded()
            let error = try #require(outcome.error(containing: "must be a relative path inside the task's local/ directory"), "\(escaping)")
            #expect(error.hint?.contains("input.txt") == true)
        }
        let missing = minimalJob(task: { block("dispatch_payload") {} }).decoded()
        #expect(missing.error(containing: "dispatch_payload needs a file") != nil)
    }

    @Test func artifactsGetNomadsDefaultDestination() throws {
        let task = try task {
            block("artifact") { attr("source", "https://example.com/app.tar.gz") }
            block("artifact") {
                attr("source", "https://example.com/bin/tool")
                attr("mode", "file")
                block("options") { attr("checksum", "md5:abc") }
                block("headers") { attr("User-Agent", "roost") }
            }
            block("artifact") {
                attr("source", "git::https://example.com/repo")
                attr("destination", "var/repo")
            }
        }
        #expect(task.artifacts[0] == Artifact(source: "https://example.com/app.tar.gz"))
        #expect(
            task.artifacts[1]
                == Artifact(
                    source: "https://example.com/bin/tool", destination: "local/tool", mode: "file",
                    options: ["checksum": "md5:abc"], headers: ["User-Agent": "roost"]))
        #expect(task.artifacts[2].destination == "var/repo")
    }

    @Test func anUnknownArtifactKeyIsAnErrorAtTheKey() throws {
        let outcome = minimalJob(task: { block("artifact") { attr("bad", "bad") } }).decoded()
        let first = try #require(outcome.errors.first)
        #expect(first.message == "unknown attribute \"bad\" in artifact")
        #expect(first.start.line == 6)
        #expect(outcome.error(containing: "artifact needs a source") != nil)
    }

    @Test func missingSettingsAreNotBlamedWhenEvaluationAlreadyFailed() {
        // The evaluator drops an attribute it could not evaluate and reports that instead.
        let fixture = minimalJob(task: { block("artifact") {} })
        var sink = DiagnosticSink(source: fixture.source)
        sink.error("unknown variable \"url\"", at: .none)
        let job = JobDecoder(source: fixture.source).decode(fixture.body, into: &sink)
        #expect(job == nil)
        #expect(sink.diagnostics.map(\.message) == ["unknown variable \"url\""])
    }

    @Test func templatesGetDefaultsAndKeepWhatIsWritten() throws {
        let task = try task {
            block("template") {
                attr("data", "{{ key \"x\" }}")
                attr("destination", "local/x.conf")
                attr("change_mode", "signal")
                attr("splay", "10s")
                attr("env", true)
                attr("uid", 1001)
                block("wait") {
                    attr("min", "5s")
                    attr("max", "60s")
                }
            }
            block("template") {
                attr("source", "local/in.tpl")
                attr("destination", "local/out")
                attr("change_mode", "script")
                attr("change_signal", "sigusr1")
                block("change_script") {
                    attr("command", "/bin/reload")
                    attr("args", ["-v"])
                }
            }
        }
        let first = task.templates[0]
        #expect(first.embeddedTemplate == "{{ key \"x\" }}")
        #expect(first.changeSignal == "SIGHUP")
        #expect(first.splay == .seconds(10))
        #expect(first.perms == "0644")
        #expect(first.envvars)
        #expect(first.uid == 1001)
        #expect(first.gid == nil)
        #expect(first.waitMin == .seconds(5))
        #expect(first.waitMax == .seconds(60))
        let second = task.templates[1]
        #expect(second.changeSignal == "SIGUSR1")
        #expect(second.changeScript == TemplateSpec.ChangeScript(command: "/bin/reload", args: ["-v"]))
        #expect(second.splay == .seconds(5))
    }

    @Test func anUnknownTemplateChangeModeIsAWarning() throws {
        let outcome = minimalJob(task: {
            block("template") {
                attr("data", "x")
                attr("destination", "local/x")
                attr("change_mode", "restrat")
            }
        }).decoded()
        #expect(outcome.job != nil)
        #expect(outcome.warning(containing: "change_mode \"restrat\"")?.hint == "did you mean \"restart\"?")
    }

    @Test func blocksRoostDoesNotRunYetAreWarningsNamingTheBlockAndLine() throws {
        let outcome = minimalJob(task: {
            block("vault") { attr("policies", ["p"]) }
            block("volume_mount") { attr("volume", "data") }
            block("identity") { attr("env", true) }
            block("csi_plugin") { attr("id", "x") }
            block("consul") { attr("namespace", "x") }
            block("scaling", "cpu") { attr("max", 4) }
        }).decoded()
        #expect(outcome.job != nil, "\(outcome.report)")
        let names = ["vault", "volume_mount", "identity", "csi_plugin", "consul", "scaling"]
        for name in names {
            #expect(
                outcome.warning(containing: "`\(name)` block is not supported by Roost yet and is ignored") != nil,
                "no warning for \(name)")
        }
        #expect(outcome.warning(containing: "`vault`")?.start.line == 5)
    }

    @Test func anUnknownTaskBlockIsAnErrorWithASuggestion() throws {
        let outcome = minimalJob(task: { block("resorces") { attr("cpu", 100) } }).decoded()
        let error = try #require(outcome.error(containing: "unknown block \"resorces\" in task"))
        #expect(error.hint == "did you mean \"resources\"?")
    }
}
