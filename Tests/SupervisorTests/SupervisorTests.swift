import ClusterModel
import Foundation
import Platform
import Supervision
import Testing

@testable import Supervisor

/// Real processes (and, as root, real cgroups) run through the whole worker shell.
@Suite struct SupervisorTests {
    @Test func aTaskRunsWithItsEnvironmentAndItsOutputLandsInTheLogFiles() async throws {
        try await SupervisorHarness.run { harness in
            let task = SupervisorHarness.task(
                "hello", "/bin/sh",
                ["-c", "echo \"$1 $ROOST_TASK_NAME $NOMAD_ALLOC_INDEX $GREETING\"; echo oops >&2; pwd", "sh", "${NOMAD_ALLOC_ID}/${attr.kernel.name}"],
                env: ["GREETING": "hi from ${NOMAD_JOB_ID}"]
            )
            let allocation = SupervisorHarness.allocation(tasks: [task])
            await harness.supervisor.run(allocation)
            let final = await harness.waitFor(allocation.id, "the batch task completes") { $0.clientStatus == .complete && $0.isFinished }
            #expect(final?.taskStates["hello"]?.state == .dead)
            let directory = harness.supervisor.directory(of: allocation.id)
            #expect(
                await harness.eventually("stdout is written") {
                    FileIO.readText(directory.logsDirectory + "/hello.stdout.0")?.contains(directory.taskDirectory("hello")) == true
                }
            )
            let output = await harness.logText(allocation.id, task: "hello")
            #expect(output.hasPrefix("\(allocation.id.uuid)/linux hello 0 hi from \(allocation.jobID)\n"))
            #expect(await harness.logText(allocation.id, task: "hello", stream: .stderr) == "oops\n")
            for sub in ["alloc/logs", "alloc/tmp", "hello/local", "hello/secrets", "hello/tmp"] {
                #expect(FileIO.isDirectory(directory.path + "/" + sub))
            }
        }
    }

    @Test func aTaskExitingOneIsRestartedPerPolicyThenFails() async throws {
        try await SupervisorHarness.run { harness in
            let allocation = SupervisorHarness.allocation(
                tasks: [SupervisorHarness.task("flaky", "/bin/sh", ["-c", "echo run; exit 1"])],
                restart: RestartPolicy(attempts: 2, interval: .seconds(600), delay: .milliseconds(50), mode: .fail)
            )
            await harness.supervisor.run(allocation)
            let final = await harness.waitFor(allocation.id, "the task fails") { $0.clientStatus == .failed && $0.isFinished }
            let state = try #require(final?.taskStates["flaky"])
            #expect(state.restarts == 2)
            #expect(state.failed)
            #expect(state.events.last?.kind == .notRestarting)
            #expect(state.events.filter { $0.kind == .terminated }.allSatisfy { $0.exitCode == 1 })
            #expect(await harness.eventually("three runs are logged") { true })
            let output = await harness.logText(allocation.id, task: "flaky")
            #expect(output == "run\nrun\nrun\n")
        }
    }

    @Test func aTaskKilledWithSigkillIsRestarted() async throws {
        try await SupervisorHarness.run { harness in
            let allocation = SupervisorHarness.allocation(
                type: .service, tasks: [SupervisorHarness.task("web", "/bin/sleep", ["300"])],
                restart: RestartPolicy(attempts: 3, interval: .seconds(600), delay: .milliseconds(50), mode: .fail)
            )
            await harness.supervisor.run(allocation)
            await harness.waitFor(allocation.id, "the task runs") { $0.clientStatus == .running }
            let firstPID = try #require(await pid(of: "web", in: allocation, harness: harness))
            kill(firstPID, SIGKILL)
            let restarted = await harness.waitFor(allocation.id, "the task is restarted") {
                $0.taskStates["web"]?.restarts == 1 && $0.taskStates["web"]?.state == .running
            }
            #expect(restarted?.taskStates["web"]?.events.contains { $0.kind == .terminated && $0.signal == 9 } == true)
            let secondPID = await pid(of: "web", in: allocation, harness: harness)
            #expect(secondPID != nil && secondPID != firstPID)
        }
    }

    @Test func aTaskOverItsMemoryLimitIsReportedOOMKilled() async throws {
        guard SupervisorHarness.isRoot else {
            print("skipped: needs root")
            return
        }
        try await SupervisorHarness.run { harness in
            let allocation = SupervisorHarness.allocation(
                tasks: [SupervisorHarness.task("hog", "/bin/sh", ["-c", "x=$(head -c 200000000 /dev/zero | tr '\\0' a)"], memoryMiB: 16)]
            )
            await harness.supervisor.run(allocation)
            let final = await harness.waitFor(allocation.id, "the task fails") { $0.clientStatus == .failed && $0.isFinished }
            let events = final?.taskStates["hog"]?.events ?? []
            #expect(events.contains { $0.kind == .oomKilled && $0.oomKilled })
        }
    }

    @Test func stoppingKillsATaskThatIgnoresSigtermAndItsChildrenAndRemovesTheCgroup() async throws {
        try await SupervisorHarness.run { harness in
            let task = SupervisorHarness.task(
                "stubborn", "/bin/sh", ["-c", "trap '' TERM; sleep 300 & sleep 300 & echo ready; wait"], killTimeout: .milliseconds(300)
            )
            let allocation = SupervisorHarness.allocation(type: .service, tasks: [task])
            await harness.supervisor.run(allocation)
            await harness.waitFor(allocation.id, "the task runs") { $0.clientStatus == .running }
            #expect(await harness.eventually("the children started") { FileIO.readText(harness.supervisor.directory(of: allocation.id).logsDirectory + "/stubborn.stdout.0") == "ready\n" })
            let mainPID = try #require(await pid(of: "stubborn", in: allocation, harness: harness))
            var treePIDs: [Int32] = [mainPID]
            if SupervisorHarness.isRoot {
                let cgroup = try #require(harness.cgroup(allocation.id, task: "stubborn"))
                treePIDs = cgroup.processIDs()
                #expect(treePIDs.count == 3)
            }
            await harness.supervisor.stop(allocation.id)
            await harness.supervisor.waitUntilFinished(allocation.id)
            let final = await harness.supervisor.status(of: allocation.id)
            #expect(final?.clientStatus == .complete)
            #expect(final?.isFinished == true)
            let messages = final?.taskStates["stubborn"]?.events.map(\.message) ?? []
            #expect(messages.contains { $0.contains("SIGKILL") && $0.contains("expired") })
            for pid in treePIDs { #expect(!ProcessSignals.isAlive(pid), "pid \(pid) survived") }
            #expect(harness.cgroup(allocation.id, task: "stubborn") == nil)
        }
    }

    @Test func aMissingExecutableFailsTheAllocationQuicklyWithExecutableNotFound() async throws {
        try await SupervisorHarness.run { harness in
            let allocation = SupervisorHarness.allocation(
                type: .service, tasks: [SupervisorHarness.task("ghost", "roost-no-such-command")],
                restart: RestartPolicy(attempts: 5, interval: .seconds(600), delay: .seconds(15), mode: .fail)
            )
            await harness.supervisor.run(allocation)
            let final = await harness.waitFor(allocation.id, seconds: 30, "the allocation fails") { $0.clientStatus == .failed && $0.isFinished }
            let event = final?.taskStates["ghost"]?.events.last
            #expect(event?.kind == .driverFailure)
            #expect(event?.message.contains("executable not found") == true)
            #expect(harness.cgroup(allocation.id, task: "ghost") == nil)
        }
    }

    @Test func logsRotateAtMaxFileSizeAndKeepMaxFiles() async throws {
        try await SupervisorHarness.run { harness in
            let task = SupervisorHarness.task(
                "chatty", "/bin/sh", ["-c", "head -c 3500000 /dev/zero | tr '\\0' x; echo; echo end"],
                logs: LogConfig(maxFiles: 2, maxFileSizeMiB: 1)
            )
            let allocation = SupervisorHarness.allocation(tasks: [task])
            await harness.supervisor.run(allocation)
            await harness.waitFor(allocation.id, "the task completes") { $0.clientStatus == .complete && $0.isFinished }
            let logs = harness.supervisor.directory(of: allocation.id).logsDirectory
            #expect(await harness.eventually("the last file ends the output") { FileIO.readText(logs + "/chatty.stdout.3")?.hasSuffix("\nend\n") == true })
            #expect(LogFileReader.indexes(directory: logs, baseName: "chatty.stdout") == [2, 3])
            #expect(FileIO.size(logs + "/chatty.stdout.2") == 1 << 20)
            let reader = try await harness.supervisor.logReader(allocation: allocation.id, task: "chatty", stream: .stdout)
            let (bytes, next) = reader.read(from: 0, limit: 16)
            #expect(bytes == Array(repeating: UInt8(ascii: "x"), count: 16))
            #expect(next == Int64(2 << 20) + 16)
            #expect(reader.endOffset() == 3_500_000 + 5)
        }
    }

    @Test func templatesAreRenderedIntoTheTaskDirectoryBeforeTheTaskStarts() async throws {
        try await SupervisorHarness.run { harness in
            let template = TemplateSpec(destinationPath: "local/app.conf", embeddedTemplate: "alloc=${NOMAD_ALLOC_ID} dc={{ env \"NOMAD_DC\" }}\n")
            let task = SupervisorHarness.task("reader", "/bin/cat", ["local/app.conf"], templates: [template])
            let allocation = SupervisorHarness.allocation(tasks: [task])
            await harness.supervisor.run(allocation)
            await harness.waitFor(allocation.id, "the task completes") { $0.clientStatus == .complete && $0.isFinished }
            #expect(await harness.eventually("the template is printed") { true })
            #expect(await harness.logText(allocation.id, task: "reader") == "alloc=\(allocation.id.uuid) dc=dc1\n")
        }
    }

    @Test func aTemplateEscapingTheTaskDirectoryIsASetupFailure() async throws {
        try await SupervisorHarness.run { harness in
            let template = TemplateSpec(destinationPath: "../../escape.txt", embeddedTemplate: "x")
            let allocation = SupervisorHarness.allocation(tasks: [SupervisorHarness.task("bad", "/bin/true", templates: [template])])
            await harness.supervisor.run(allocation)
            let final = await harness.waitFor(allocation.id, "the allocation fails") { $0.clientStatus == .failed && $0.isFinished }
            #expect(final?.taskStates["bad"]?.events.last?.kind == .setupFailure)
        }
    }

    @Test func aFailingTaskKillsItsSiblingAndFailsTheAllocation() async throws {
        try await SupervisorHarness.run { harness in
            let allocation = SupervisorHarness.allocation(
                type: .service,
                tasks: [
                    SupervisorHarness.task("main", "/bin/sh", ["-c", "sleep 0.2; exit 3"]),
                    SupervisorHarness.task("sidecar", "/bin/sleep", ["300"], killTimeout: .seconds(1)),
                ]
            )
            await harness.supervisor.run(allocation)
            let final = await harness.waitFor(allocation.id, "the allocation fails") { $0.clientStatus == .failed && $0.isFinished }
            #expect(final?.taskStates["sidecar"]?.events.contains { $0.kind == .siblingFailed } == true)
            #expect(final?.taskStates["sidecar"]?.state == .dead)
        }
    }

    @Test func updatesArePublishedOnTheStream() async throws {
        try await SupervisorHarness.run { harness in
            let allocation = SupervisorHarness.allocation(tasks: [SupervisorHarness.task("quick", "/bin/true")])
            let collector = Task {
                var statuses: [ClientStatus] = []
                for await update in harness.supervisor.updates where update.allocationID == allocation.id {
                    statuses.append(update.clientStatus)
                    if update.isFinished { break }
                }
                return statuses
            }
            await harness.supervisor.run(allocation)
            let statuses = await collector.value
            #expect(statuses.first == .pending)
            #expect(statuses.last == .complete)
        }
    }

    /// The pid of a running task's main process, from the cgroup (root) or the task's state.
    func pid(of task: String, in allocation: Allocation, harness: SupervisorHarness) async -> Int32? {
        await harness.supervisor.runnerPID(allocation.id, task: task)
    }
}

@Suite struct SupervisorLogFollowTests {
    @Test func followingATasksOutputDeliversItAsItIsWrittenAndEndsWhenTheAllocationFinishes() async throws {
        try await SupervisorHarness.run { harness in
            let task = SupervisorHarness.task("ticker", "/bin/sh", ["-c", "for i in 1 2 3; do echo tick $i; sleep 0.1; done"])
            let allocation = SupervisorHarness.allocation(tasks: [task])
            await harness.supervisor.run(allocation)
            let stream = try await harness.supervisor.followLogs(allocation: allocation.id, task: "ticker", stream: .stdout, from: 0, untilFinished: true)
            var text = ""
            for await chunk in stream { text += String(decoding: chunk.bytes, as: UTF8.self) }
            #expect(text == "tick 1\ntick 2\ntick 3\n")
        }
    }

    @Test func logsOfAnUnknownAllocationOrTaskAreAClearError() async throws {
        try await SupervisorHarness.run { harness in
            await #expect(throws: SupervisorError.self) {
                try await harness.supervisor.logReader(allocation: AllocationID(uuid: "nope"), task: "x", stream: .stdout)
            }
            let allocation = SupervisorHarness.allocation(tasks: [SupervisorHarness.task("a", "/bin/true")])
            await harness.supervisor.run(allocation)
            do {
                _ = try await harness.supervisor.logReader(allocation: allocation.id, task: "b", stream: .stderr)
                Issue.record("expected an error")
            } catch {
                #expect((error as? SupervisorError)?.code == .unknownTask)
            }
        }
    }

    @Test func anOrphanATaskLeavesBehindIsKilledAndReapedWhenTheTaskEnds() async throws {
        guard SupervisorHarness.isRoot else {
            print("skipped: needs root")
            return
        }
        try await SupervisorHarness.run { harness in
            // The shell exits at once, leaving its background sleep re-parented to the agent.
            let task = SupervisorHarness.task("daemon", "/bin/sh", ["-c", "sleep 300 & echo $!"])
            let allocation = SupervisorHarness.allocation(tasks: [task])
            await harness.supervisor.run(allocation)
            await harness.waitFor(allocation.id, "the task completes") { $0.clientStatus == .complete && $0.isFinished }
            var orphan: Int32 = 0
            #expect(await harness.eventually("the orphan's pid is logged") {
                orphan = Int32(FileIO.readText(harness.supervisor.directory(of: allocation.id).logsDirectory + "/daemon.stdout.0")?.filter(\.isNumber) ?? "") ?? 0
                return orphan > 0
            })
            #expect(await harness.eventually("the orphan is killed and reaped, not a zombie") { !FileIO.exists("/proc/\(orphan)") })
        }
    }

    /// The housekeeping adopts what it sees in a task's cgroup about once a second, and a
    /// cgroup does not list zombies: an orphan that ends at once (0.2 s) is found by its
    /// session; one that lives on (2 s) may be adopted first. Either way it is reaped.
    @Test("an orphan that exits while its task still runs is reaped, not left a zombie", arguments: ["2", "0.2"])
    func anOrphanThatExitsWhileItsTaskStillRunsIsReapedNotLeftAZombie(lifetime: String) async throws {
        guard SupervisorHarness.isRoot else {
            print("skipped: needs root")
            return
        }
        try await SupervisorHarness.run { harness in
            // The inner shell exits at once; its `sleep` is re-parented to the agent and exits later.
            let task = SupervisorHarness.task("parent", "/bin/sh", ["-c", "sh -c 'sleep \(lifetime) & echo $!'; exec sleep 300"])
            let allocation = SupervisorHarness.allocation(type: .service, tasks: [task])
            await harness.supervisor.run(allocation)
            var orphan: Int32 = 0
            #expect(await harness.eventually("the orphan's pid is logged") {
                orphan = Int32(FileIO.readText(harness.supervisor.directory(of: allocation.id).logsDirectory + "/parent.stdout.0")?.filter(\.isNumber) ?? "") ?? 0
                return orphan > 0
            })
            #expect(await harness.eventually("the orphan exits and is reaped") { !FileIO.exists("/proc/\(orphan)") })
            #expect(await harness.supervisor.status(of: allocation.id)?.clientStatus == .running)
        }
    }
}

@Suite struct SupervisorScaleTests {
    @Test func aHundredAllocationsAllRunAndAllStopWithNothingLeftBehind() async throws {
        try await SupervisorHarness.run { harness in
            let allocations = (0..<100).map { _ in
                SupervisorHarness.allocation(type: .service, tasks: [SupervisorHarness.task("sleep", "/bin/sleep", ["300"], killTimeout: .seconds(1))])
            }
            let started = ContinuousClock.now
            for allocation in allocations { await harness.supervisor.run(allocation) }
            for allocation in allocations {
                await harness.waitFor(allocation.id, seconds: 60, "allocation \(allocation.id.short) runs") { $0.clientStatus == .running }
            }
            print("100 allocations running after \(ContinuousClock.now - started)")
            var pids: [Int32] = []
            for allocation in allocations {
                if let pid = await harness.supervisor.runnerPID(allocation.id, task: "sleep") { pids.append(pid) }
            }
            #expect(pids.count == 100)
            await harness.supervisor.shutdown()
            for pid in pids { #expect(!ProcessSignals.isAlive(pid)) }
            for allocation in allocations {
                #expect(await harness.supervisor.status(of: allocation.id)?.isFinished == true)
            }
        }
    }

    @Test func aStopThatOvertakesTheStartEndsTheAllocationWithoutRunningIt() async throws {
        try await SupervisorHarness.run { harness in
            let allocation = SupervisorHarness.allocation(type: .service, tasks: [SupervisorHarness.task("late", "/bin/sleep", ["300"])])
            await harness.supervisor.run(allocation)
            await harness.supervisor.stop(allocation.id)
            await harness.supervisor.waitUntilFinished(allocation.id)
            let final = await harness.supervisor.status(of: allocation.id)
            #expect(final?.isFinished == true)
            #expect(final?.taskStates["late"]?.state == .dead)
            #expect(await harness.supervisor.runnerPID(allocation.id, task: "late") == nil)
        }
    }
}

/// The Supervisor's cgroup handling on fake trees, so the v2 path is exercised on this v1 host.
@Suite struct SupervisorFakeCgroupTests {
    func node() -> Node { Node(id: NodeID(uuid: "n"), name: "n", resources: NodeResources(cpuMHz: 1000, cores: 1, memoryMiB: 1024)) }

    @Test func onAV2HostATaskGetsMemoryMaxAndItsCgroupIsRemovedAfterwards() async throws {
        let tree = FileManager.default.temporaryDirectory.path + "/roost-fake-v2-\(UUID().uuidString.prefix(8))"
        let data = tree + "-data"
        defer {
            try? FileManager.default.removeItem(atPath: tree)
            try? FileManager.default.removeItem(atPath: data)
        }
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        try "cpu memory pids\n".write(toFile: tree + "/cgroup.controllers", atomically: false, encoding: .utf8)
        let supervisor = try Supervisor(settings: SupervisorSettings(dataDirectory: data, node: node(), cgroupRoot: tree))
        #expect(supervisor.cgroupVersion == .v2)
        let task = SupervisorHarness.task("v2", "/bin/sh", ["-c", "cat \"$0\"; sleep 0.2", "/dev/null"], memoryMiB: 48)
        let allocation = SupervisorHarness.allocation(tasks: [task])
        await supervisor.run(allocation)
        let cgroup = tree + "/roost/" + CgroupNames.task(allocation: allocation.id.uuid, task: "v2")
        var limit: String?
        let deadline = Date().addingTimeInterval(20)
        while limit == nil && Date() < deadline {
            limit = FileIO.readText(cgroup + "/memory.max")
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(limit == String(48 << 20))
        await supervisor.waitUntilFinished(allocation.id)
        #expect(await supervisor.status(of: allocation.id)?.clientStatus == .complete)
        #expect(!FileIO.exists(cgroup))
        await supervisor.shutdown()
        #expect(!FileIO.exists(tree + "/roost"))
    }

    @Test func aWorkerThatCannotCreateItsCgroupParentFailsAtStartWithAClearError() throws {
        let tree = FileManager.default.temporaryDirectory.path + "/roost-fake-v1-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: tree) }
        try FileManager.default.createDirectory(atPath: tree + "/memory", withIntermediateDirectories: true)
        try "not a directory".write(toFile: tree + "/memory/roost", atomically: false, encoding: .utf8)
        do {
            _ = try Supervisor(settings: SupervisorSettings(dataDirectory: tree + "/data", node: node(), cgroupRoot: tree))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .cgroups)
        }
    }
}
