#if canImport(Glibc)
import Glibc
#endif
import ClusterModel
import Foundation
import Platform
import Supervision
import Testing

@testable import Supervisor

/// An agent restart with real containers: one Supervisor detaches (what the agent does when it
/// exits), a second on the same data directory and cgroup parent takes the containers over.
/// Skipped, with the reason, when the machine cannot run containers (see `OCITestImage`).
@Suite("Containers across an agent restart", .serialized, .enabled(if: OCITestImage.isAvailable, "\(OCITestImage.unavailableReason ?? "")"))
struct OCIReattachTests {
    /// Two supervisors in turn on one data directory; `finish` stops what runs and checks
    /// that no container or cgroup is left.
    final class Agents {
        let dataDirectory = FileManager.default.temporaryDirectory.path + "/roost-reattach-\(UUID().uuidString.prefix(8))"
        let cgroupParent = "roost-test-\(UUID().uuidString.prefix(8).lowercased())"
        let settings: SupervisorSettings

        init() {
            let node = NodeFingerprinter.node(
                id: NodeID(uuid: "00000000-0000-4000-8000-000000000001"), name: "test-node", fingerprint: Fingerprint.probe())
            settings = SupervisorSettings(dataDirectory: dataDirectory, node: node, cgroupParent: cgroupParent, usesCgroups: true)
        }

        func start() throws -> Supervisor { try Supervisor(settings: settings) }

        func cgroup(_ id: AllocationID, task: String) -> CgroupHandle? {
            CgroupManager(parent: cgroupParent)?.existing(name: CgroupNames.task(allocation: id.uuid, task: task))
        }

        func finish(_ supervisor: Supervisor?) async {
            if let supervisor { await supervisor.shutdown() }
            if let manager = CgroupManager(parent: cgroupParent) {
                #expect(manager.taskCgroupNames().isEmpty, "no task cgroup is left behind")
                manager.removeParentIfEmpty()
            }
            try? FileManager.default.removeItem(atPath: dataDirectory)
        }
    }

    static func serviceAllocation(layout: String, script: String) -> Allocation {
        let spec = OCIDriverTests.task("svc", image: "oci-layout:\(layout)", command: "/bin/sh", args: ["-c", script], killTimeout: .milliseconds(500))
        return SupervisorHarness.allocation(type: .service, tasks: [spec])
    }

    /// Polls `supervisor` until the allocation's status satisfies `condition` (generous bound: two shared cores).
    @discardableResult
    static func waitFor(
        _ supervisor: Supervisor, _ id: AllocationID, _ what: String, _ condition: (AllocationUpdate) -> Bool
    ) async -> AllocationUpdate? {
        let deadline = Date().addingTimeInterval(60)
        var last: AllocationUpdate?
        while Date() < deadline {
            last = await supervisor.status(of: id)
            if let last, condition(last) { return last }
            try? await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting for: \(what); last \(String(describing: last?.clientStatus)) \(String(describing: last?.taskStates.mapValues { $0.events.map(\.message) }))")
        return last
    }

    static func eventually(_ what: String, _ condition: () async -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting for: \(what)")
        return false
    }

    /// What each test starts from: a first agent runs a service container running `script`,
    /// then detaches (exits without stopping it). `beforeDetach` runs while it still watches.
    /// The first agent is finished here when anything fails before it detached.
    static func detachedContainer(
        _ agents: Agents, script: String, beforeDetach: (Supervisor, Allocation) async -> Void = { _, _ in }
    ) async throws -> (first: Supervisor, allocation: Allocation, initPID: Int32, id: String) {
        let first = try agents.start()
        do {
            let layout = try OCITestImage.layout(in: agents.dataDirectory)
            let allocation = Self.serviceAllocation(layout: layout, script: script)
            await first.run(allocation)
            await Self.waitFor(first, allocation.id, "the service container runs") { $0.clientStatus == .running }
            let initPID = try #require(await first.runnerPID(allocation.id, task: "svc"))
            await beforeDetach(first, allocation)
            #expect(await first.detach() == [allocation.id])
            return (first, allocation, initPID, OCIDriver.containerID(allocation: allocation.id, task: "svc"))
        } catch {
            await agents.finish(first)
            throw error
        }
    }

    static func log(_ supervisor: Supervisor, _ id: AllocationID) async -> String {
        guard let reader = try? await supervisor.logReader(allocation: id, task: "svc", stream: .stdout) else { return "" }
        return String(decoding: reader.read(from: 0).bytes, as: UTF8.self)
    }

    @Test("a service container keeps running across an agent restart; the new agent sees it, its output, and stops it leaving nothing")
    func reattachRunning() async throws {
        let runtime = try #require(OCIRuntimeProbe.runtime)
        let agents = Agents()
        var current: Supervisor?
        do {
            let (first, allocation, initPID, id) = try await Self.detachedContainer(
                agents, script: "i=0; while true; do echo tick$i; i=$((i+1)); sleep 0.1; done"
            ) { first, allocation in
                #expect(await Self.eventually("the first ticks reach the log") { await Self.log(first, allocation.id).contains("tick2") })
            }
            #expect(runtime.status(id) == "running", "detaching leaves the container running")
            #expect(agents.cgroup(allocation.id, task: "svc") != nil, "and its cgroup")
            let seenBefore = await Self.log(first, allocation.id).split(separator: "\n").count

            let second = try agents.start()
            current = second
            #expect(await second.reattach() == [allocation.id])
            let status = await Self.waitFor(second, allocation.id, "the new agent reports the container running") { $0.clientStatus == .running }
            #expect(status?.taskStates["svc"]?.state == .running)
            #expect(await second.runnerPID(allocation.id, task: "svc") == initPID, "the same container, not a new one")
            #expect(runtime.run(["list", "-q"]).output.split(separator: "\n").filter { $0 == id }.count == 1)
            // Output written while no agent read it, and after, reaches the log in order.
            #expect(await Self.eventually("new ticks reach the log after the restart") {
                await Self.log(second, allocation.id).split(separator: "\n").count > seenBefore + 5
            })
            let lines = await Self.log(second, allocation.id).split(separator: "\n")
            #expect(lines.enumerated().allSatisfy { $0.element == "tick\($0.offset)" }, "no line lost or duplicated: \(lines.prefix(40))")

            await second.stop(allocation.id)
            let final = await Self.waitFor(second, allocation.id, "the reattached container stops") { $0.isFinished }
            #expect(final?.clientStatus == .complete)
            #expect(!runtime.run(["list", "-q"]).output.contains(id), "no container is left")
            #expect(agents.cgroup(allocation.id, task: "svc") == nil, "no cgroup is left")
            #expect(!FileManager.default.fileExists(atPath: agents.dataDirectory + "/oci/bundles/" + id))
        } catch {
            await agents.finish(current)
            throw error
        }
        await agents.finish(current)
    }

    @Test("a container killed while the agent was away is reported with its exit status")
    func killedWhileAway() async throws {
        let runtime = try #require(OCIRuntimeProbe.runtime)
        let agents = Agents()
        var current: Supervisor?
        do {
            let (_, allocation, initPID, id) = try await Self.detachedContainer(agents, script: "echo up; while true; do sleep 0.1; done")
            #expect(kill(initPID, SIGKILL) == 0)
            let container = OCIContainer(id: id, bundle: agents.dataDirectory + "/oci/bundles/" + id)
            #expect(await Self.eventually("the monitor records the exit") { container.recordedExit() != nil })

            let second = try agents.start()
            current = second
            await second.reattach()
            let final = await Self.waitFor(second, allocation.id, "the new agent reports the ended container") { $0.isFinished }
            #expect(final?.clientStatus == .failed)
            let events = final?.taskStates["svc"]?.events.map(\.message) ?? []
            #expect(events.contains { $0.contains("Exit Code: 137, Signal: 9") }, "events: \(events)")
            // The output pipes of an ended container are drained and closed: a follower to the end returns.
            let stream = try await second.followLogs(allocation: allocation.id, task: "svc", stream: .stdout, from: 0, untilFinished: true)
            let reader = Task { () -> (String, Bool) in
                var text = ""
                for await chunk in stream { text += String(decoding: chunk.bytes, as: UTF8.self) }
                return (text, !Task.isCancelled)
            }
            let timeout = Task {
                try? await Task.sleep(for: .seconds(60))
                reader.cancel()
            }
            let (text, ended) = await reader.value
            timeout.cancel()
            #expect(ended, "following the logs to the end returns once the container ended")
            #expect(text.contains("up"))
            #expect(!runtime.run(["list", "-q"]).output.contains(id), "no container is left")
            #expect(agents.cgroup(allocation.id, task: "svc") == nil, "no cgroup is left")
        } catch {
            await agents.finish(current)
            throw error
        }
        await agents.finish(current)
    }

    @Test("a container that vanished while the agent was away fails its task with a message saying so")
    func vanishedWhileAway() async throws {
        let runtime = try #require(OCIRuntimeProbe.runtime)
        let agents = Agents()
        var current: Supervisor?
        do {
            let (_, allocation, _, id) = try await Self.detachedContainer(agents, script: "while true; do sleep 0.1; done")
            // Someone removed the container and its monitor behind Roost's back: no exit status anywhere.
            let record = try #require(OCIContainerRecord.load(bundle: agents.dataDirectory + "/oci/bundles/" + id))
            #expect(kill(record.monitorPID, SIGKILL) == 0)
            #expect(await Self.eventually("the monitor is gone") { !ProcessSignals.isAlive(record.monitorPID) })
            #expect(runtime.run(["delete", "--force", id]).status == 0)

            let second = try agents.start()
            current = second
            await second.reattach()
            let final = await Self.waitFor(second, allocation.id, "the new agent reports the lost container") { $0.isFinished }
            #expect(final?.clientStatus == .failed)
            let events = final?.taskStates["svc"]?.events.map(\.message) ?? []
            #expect(events.contains { $0.contains("was lost while the agent was away") }, "events: \(events)")
            #expect(agents.cgroup(allocation.id, task: "svc") == nil, "no cgroup is left")
        } catch {
            await agents.finish(current)
            throw error
        }
        await agents.finish(current)
    }
}
