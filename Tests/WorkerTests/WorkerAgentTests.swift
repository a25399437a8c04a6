import ClusterModel
import Foundation
import Platform
import StateStore
import Supervisor
import Testing
@testable import Worker

/// A manager link that records what the worker says and hands it allocations, so the worker's
/// own behaviour (register, run what is assigned, report, stop on shutdown) is seen alone.
actor RecordingManagerLink: ManagerLink {
    private(set) var registrations = 0
    private(set) var reports: [ClientAllocationUpdate] = []
    private var assigned: [Allocation] = []
    private var index: UInt64 = 1
    private var failuresBeforeRegistering: Int

    init(failuresBeforeRegistering: Int = 0) {
        self.failuresBeforeRegistering = failuresBeforeRegistering
    }

    func assign(_ allocation: Allocation) {
        assigned.removeAll { $0.id == allocation.id }
        assigned.append(allocation)
        index += 1
    }

    func unassign(_ id: AllocationID) {
        assigned.removeAll { $0.id == id }
        index += 1
    }

    nonisolated func registerNode(_ node: Node) async throws { try await register() }

    private func register() throws {
        if failuresBeforeRegistering > 0 {
            failuresBeforeRegistering -= 1
            throw CancellationError()
        }
        registrations += 1
    }

    nonisolated func heartbeat(_ nodeID: NodeID) async throws -> Duration { .seconds(10) }

    nonisolated func allocations(forNode nodeID: NodeID, since index: UInt64, wait: Duration) async throws -> (allocations: [Allocation], index: UInt64) {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < min(wait, .milliseconds(500)) {
            let (allocations, current) = await snapshot()
            if current > index { return (allocations, current) }
            try await Task.sleep(for: .milliseconds(20))
        }
        return await snapshot()
    }

    private func snapshot() -> ([Allocation], UInt64) { (assigned, index) }

    nonisolated func updateAllocations(_ updates: [ClientAllocationUpdate]) async throws { await record(updates) }

    private func record(_ updates: [ClientAllocationUpdate]) { reports += updates }

    func latestStatus(of id: AllocationID) -> ClientStatus? { reports.last { $0.id == id }?.clientStatus }
}

@Suite struct WorkerAgentTests {
    static func makeWorker(link: RecordingManagerLink) throws -> (WorkerAgent, String) {
        let directory = FileManager.default.temporaryDirectory.path + "/roost-worker-\(UUID().uuidString.prefix(8))"
        let node = NodeFingerprinter.node(id: NodeID(uuid: UUID().uuidString.lowercased()), fingerprint: Fingerprint.probe())
        // No cgroups: what is tested here is the worker's bookkeeping, not isolation.
        let supervisor = try Supervisor(settings: SupervisorSettings(dataDirectory: directory, node: node, usesCgroups: false))
        return (WorkerAgent(node: node, supervisor: supervisor, link: link), directory)
    }

    static func allocation(command: String, args: [String], type: JobType) -> Allocation {
        let task = TaskSpec(name: "t", driver: "raw_exec", config: ["command": .string(command), "args": .list(args.map { .string($0) })])
        let group = GroupSpec(name: "g", tasks: [task], restart: RestartPolicy(attempts: 0, interval: .seconds(60), delay: .seconds(1), mode: .fail), reschedule: nil)
        let job = JobSpec(id: "j", type: type, groups: [group])
        return Allocation(
            id: AllocationID(uuid: UUID().uuidString.lowercased()), evaluationID: EvaluationID(uuid: UUID().uuidString.lowercased()),
            nodeID: NodeID(uuid: "n"), nodeName: "n", job: job, jobVersion: 0, groupName: "g", index: 0, modifyIndex: 1)
    }

    /// Bounded generously: other suites' CPU-heavy simulations share the 2-thread cooperative
    /// pool and can starve this one for tens of seconds; only a real hang should hit the bound.
    static func waitFor(_ what: String, _ condition: () async -> Bool) async throws {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(120) {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting for: \(what)")
    }

    @Test func theWorkerKeepsTryingToRegisterUntilTheManagerAnswers() async throws {
        let link = RecordingManagerLink(failuresBeforeRegistering: 2)
        let (worker, directory) = try Self.makeWorker(link: link)
        await worker.start()
        #expect(await link.registrations == 1)
        await worker.shutDown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func anAssignedBatchAllocationRunsAndItsCompletionIsReported() async throws {
        let link = RecordingManagerLink()
        let (worker, directory) = try Self.makeWorker(link: link)
        await worker.start()
        let allocation = Self.allocation(command: "/bin/true", args: [], type: .batch)
        await link.assign(allocation)
        try await Self.waitFor("complete reported") { await link.latestStatus(of: allocation.id) == .complete }
        let reported = await link.reports.filter { $0.id == allocation.id }
        #expect(reported.last?.taskStates["t"]?.events.contains { $0.kind == .started } == true)
        await worker.shutDown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func shuttingDownLeavesNoTaskProcessRunning() async throws {
        let link = RecordingManagerLink()
        let (worker, directory) = try Self.makeWorker(link: link)
        await worker.start()
        let allocation = Self.allocation(
            command: "/bin/sh", args: ["-c", "echo $$ > ${NOMAD_ALLOC_DIR}/pid; exec sleep 600"], type: .service)
        await link.assign(allocation)
        try await Self.waitFor("running reported") { await link.latestStatus(of: allocation.id) == .running }
        let pidFile = "\(directory)/alloc/\(allocation.id.uuid)/alloc/pid"
        var pid: Int32?
        try await Self.waitFor("the task wrote its pid") {
            pid = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return pid != nil
        }
        let taskPID = try #require(pid)
        #expect(kill(taskPID, 0) == 0, "the task runs before the shutdown")
        await worker.shutDown()
        try await Self.waitFor("the task process is gone") {
            let stat = try? String(contentsOfFile: "/proc/\(taskPID)/stat", encoding: .utf8)
            return stat == nil || stat!.contains(") Z ")
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func aStopFromTheManagerStopsTheAllocation() async throws {
        let link = RecordingManagerLink()
        let (worker, directory) = try Self.makeWorker(link: link)
        await worker.start()
        var allocation = Self.allocation(command: "/bin/sleep", args: ["600"], type: .service)
        await link.assign(allocation)
        try await Self.waitFor("running reported") { await link.latestStatus(of: allocation.id) == .running }
        allocation.desiredStatus = .stop
        allocation.modifyIndex = 2
        await link.assign(allocation)
        try await Self.waitFor("the stop reported") { await link.latestStatus(of: allocation.id) == .complete }
        await worker.shutDown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func aFinishedAllocationTheManagersCollectedIsForgottenWithItsDirectory() async throws {
        let link = RecordingManagerLink()
        let (worker, directory) = try Self.makeWorker(link: link)
        await worker.start()
        let allocation = Self.allocation(command: "/bin/sh", args: ["-c", "echo hi"], type: .batch)
        await link.assign(allocation)
        try await Self.waitFor("complete reported") { await link.latestStatus(of: allocation.id) == .complete }
        let allocationDirectory = "\(directory)/alloc/\(allocation.id.uuid)"
        #expect(FileManager.default.fileExists(atPath: allocationDirectory))
        await link.unassign(allocation.id)
        try await Self.waitFor("the directory is deleted") { !FileManager.default.fileExists(atPath: allocationDirectory) }
        await worker.shutDown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func aTakenOverAllocationTheManagersNoLongerListIsStoppedAndOneTheyListKeepsRunning() async throws {
        let link = RecordingManagerLink()
        let directory = FileManager.default.temporaryDirectory.path + "/roost-worker-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let node = NodeFingerprinter.node(id: NodeID(uuid: UUID().uuidString.lowercased()), fingerprint: Fingerprint.probe())
        let supervisor = try Supervisor(settings: SupervisorSettings(dataDirectory: directory, node: node, usesCgroups: false))
        // Two allocations running before the worker starts, as a previous agent's containers are
        // after `reattach()`; the managers list only the first.
        let kept = Self.allocation(command: "/bin/sleep", args: ["600"], type: .service)
        let orphan = Self.allocation(command: "/bin/sleep", args: ["600"], type: .service)
        await supervisor.run(kept)
        await supervisor.run(orphan)
        for allocation in [kept, orphan] {
            try await Self.waitFor("\(allocation.id.short) running") { await supervisor.status(of: allocation.id)?.clientStatus == .running }
        }
        await link.assign(kept)
        let worker = WorkerAgent(node: node, supervisor: supervisor, link: link, reattached: [kept.id, orphan.id])
        await worker.start()
        try await Self.waitFor("the unlisted allocation stopped") { await supervisor.status(of: orphan.id)?.clientStatus.isTerminal ?? true }
        #expect(await supervisor.status(of: kept.id)?.clientStatus == .running, "the listed allocation was stopped too")
        await worker.shutDown()
    }
}
