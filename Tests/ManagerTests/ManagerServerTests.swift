import ClusterModel
import Foundation
@testable import Manager
import StateStore
import Testing

/// The manager in process, with real scheduler workers: what users see through the API when
/// jobs are registered, nodes come and go, and workers report failures.
@Suite struct ManagerServerTests {
    static let clock: @Sendable () -> Timestamp = {
        Timestamp(nanosecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1_000_000_000))
    }

    static func node(_ name: String, memoryMiB: Int = 4096) -> Node {
        var random = SystemRandomNumberGenerator()
        return Node(
            id: .random(using: &random), name: name, attributes: ["kernel.name": "linux", "driver.raw_exec": "1"],
            resources: NodeResources(cpuMHz: 4000, cores: 2, memoryMiB: memoryMiB),
            drivers: ["raw_exec": DriverHealth(detected: true, healthy: true)])
    }

    static func job(_ id: String, count: Int = 2, memoryMiB: Int = 64, type: JobType = .service) -> JobSpec {
        var task = TaskSpec(name: "t", driver: "raw_exec", config: ["command": .string("/bin/sleep")])
        task.resources = Resources(cpuMHz: 100, memoryMiB: memoryMiB)
        let group = GroupSpec(
            name: "g", count: count, tasks: [task], restart: RestartPolicy.defaults(for: type),
            reschedule: ReschedulePolicy(attempts: 0, interval: .zero, delay: .zero, delayFunction: .constant, maxDelay: .zero, unlimited: true))
        return JobSpec(id: id, type: type, groups: [group])
    }

    /// Waits (bounded) until the manager's state satisfies `condition`.
    /// Bounded generously: other suites' CPU-heavy simulations share the 2-thread cooperative
    /// pool and can starve this one for tens of seconds; only a real hang should hit the bound.
    static func state(
        of manager: ManagerServer, _ what: String, timeout: Duration = .seconds(120), _ condition: (StateStore) -> Bool
    ) async throws -> StateStore {
        let start = ContinuousClock.now
        var index: UInt64 = 0
        while ContinuousClock.now - start < timeout {
            let state = await manager.snapshot(afterChangeOf: Set(StateTable.allCases), since: index, wait: .milliseconds(200))
            if condition(state) { return state }
            index = state.latestIndex
        }
        Issue.record("timed out waiting for: \(what)")
        throw CancellationError()
    }

    @Test func aRegisteredJobIsPlacedOnTheReadyNode() async throws {
        let manager = ManagerServer(clock: Self.clock)
        await manager.start()
        let worker = Self.node("w1")
        try await manager.registerNode(worker)
        let registration = try await manager.register(Self.job("web", count: 3))
        #expect(registration.evaluationID != nil)
        let state = try await Self.state(of: manager, "3 allocations placed") { $0.allocations(jobID: "web").count == 3 }
        #expect(state.allocations(jobID: "web").allSatisfy { $0.nodeID == worker.id && $0.desiredStatus == .run })
        let (forNode, index) = await manager.allocations(forNode: worker.id, since: 0, wait: .zero)
        #expect(forNode.count == 3 && index > 0)
        await manager.shutDown()
    }

    @Test func aGroupThatDoesNotFitWaitsBlockedWithItsReasonAndIsPlacedWhenABiggerNodeJoins() async throws {
        let manager = ManagerServer(clock: Self.clock)
        await manager.start()
        try await manager.registerNode(Self.node("small", memoryMiB: 256))
        _ = try await manager.register(Self.job("big", count: 1, memoryMiB: 1024))
        let blocked = try await Self.state(of: manager, "a blocked evaluation") { state in
            state.evaluations(status: .blocked).contains { $0.jobID == "big" }
        }
        let reasons = blocked.evaluations(jobID: "big").compactMap { $0.failedGroupAllocations["g"] }.first
        #expect(reasons?.summary().contains("memory exhausted") == true, "\(String(describing: reasons))")
        #expect(blocked.allocations(jobID: "big").isEmpty)

        let large = Self.node("large", memoryMiB: 8192)
        try await manager.registerNode(large)
        let placed = try await Self.state(of: manager, "placed on the new node") { !$0.allocations(jobID: "big").isEmpty }
        #expect(placed.allocations(jobID: "big").first?.nodeID == large.id)
        await manager.shutDown()
    }

    @Test func aFailedAllocationReportedByTheWorkerIsReplaced() async throws {
        let manager = ManagerServer(clock: Self.clock)
        await manager.start()
        try await manager.registerNode(Self.node("w1"))
        _ = try await manager.register(Self.job("web", count: 1))
        let placed = try await Self.state(of: manager, "placed") { $0.allocations(jobID: "web").count == 1 }
        let first = try #require(placed.allocations(jobID: "web").first)
        try await manager.updateAllocations([ClientAllocationUpdate(id: first.id, clientStatus: .failed, clientDescription: "exit 1")])
        let replaced = try await Self.state(of: manager, "a replacement") { state in
            state.allocations(jobID: "web").contains { $0.previousAllocation == first.id }
        }
        #expect(replaced.allocations(jobID: "web").filter { !$0.isTerminal }.count == 1)
        await manager.shutDown()
    }

    @Test func stoppingAJobStopsItsAllocationsAndPurgingRemovesIt() async throws {
        let manager = ManagerServer(clock: Self.clock)
        await manager.start()
        try await manager.registerNode(Self.node("w1"))
        _ = try await manager.register(Self.job("web", count: 2))
        _ = try await Self.state(of: manager, "placed") { $0.allocations(jobID: "web").count == 2 }
        _ = try await manager.deregister(namespace: JobSpec.defaultNamespace, jobID: "web", purge: false)
        let stopped = try await Self.state(of: manager, "stops") { state in
            state.allocations(jobID: "web").allSatisfy { $0.desiredStatus == .stop }
        }
        #expect(stopped.job(id: "web")?.stopped == true)
        _ = try await manager.deregister(namespace: JobSpec.defaultNamespace, jobID: "web", purge: true)
        #expect(await manager.snapshot().job(id: "web") == nil)
        await #expect(throws: ManagerError.notFound("job \"web\" not found")) {
            try await manager.deregister(namespace: JobSpec.defaultNamespace, jobID: "web", purge: false)
        }
        await manager.shutDown()
    }

    @Test func aJobWithoutTasksOrDriversIsRefusedWithWhatToAdd() async throws {
        let manager = ManagerServer(clock: Self.clock)
        var job = Self.job("broken")
        job.groups[0].tasks[0].driver = ""
        job.groups.append(GroupSpec(name: "empty", restart: RestartPolicy.defaults(for: .service), reschedule: nil))
        await #expect(throws: ManagerError.self) { try await manager.register(job) }
        do {
            _ = try await manager.register(job)
        } catch {
            #expect(error.description.contains("group \"empty\" has no task"))
            #expect(error.description.contains("task \"t\" in group \"g\" has no driver"))
        }
        #expect(await manager.snapshot().jobs().isEmpty)
    }

    @Test func aNodeThatStopsSendingHeartbeatsIsMarkedDownAndComesBackWithTheNextOne() async throws {
        let manager = ManagerServer(settings: ManagerSettings(heartbeatTTL: .milliseconds(300)), clock: Self.clock)
        await manager.start()
        let worker = Self.node("w1")
        try await manager.registerNode(worker)
        _ = try await Self.state(of: manager, "node down") { $0.node(id: worker.id)?.status == .down }
        _ = try await manager.heartbeat(worker.id)
        #expect(await manager.snapshot().node(id: worker.id)?.status == .ready)
        await manager.shutDown()
    }

    @Test func aWorkerGossipHoldsFailedIsMarkedDownAfterTheGraceAndItsAllocationsAreReplaced() async throws {
        // Heartbeats alone would take an hour here: only the gossip verdict can mark the node down.
        let settings = ManagerSettings(heartbeatTTL: .seconds(3_600), gossipFailureGrace: .milliseconds(400))
        let manager = ManagerServer(settings: settings, clock: Self.clock)
        await manager.start()
        let doomed = Self.node("w1")
        let spare = Self.node("w2")
        try await manager.registerNode(doomed)
        _ = try await manager.register(Self.job("web", count: 1))
        let placed = try await Self.state(of: manager, "placed") { $0.allocations(jobID: "web").count == 1 }
        #expect(placed.allocations(jobID: "web").first?.nodeID == doomed.id)
        try await manager.registerNode(spare)

        await manager.gossipReported(node: doomed.id, failed: true)
        let replaced = try await Self.state(of: manager, "replaced on the spare") { state in
            state.node(id: doomed.id)?.status == .down
                && state.allocations(jobID: "web").contains { $0.nodeID == spare.id && $0.desiredStatus == .run }
        }
        #expect(replaced.allocations(jobID: "web").contains { $0.nodeID == doomed.id && $0.clientStatus == .lost })
        await manager.shutDown()
    }
}

@Suite struct ManagerGarbageCollectionTests {
    @Test func whatAPurgedJobLeftBehindIsCollectedOnceItIsTerminal() async throws {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        await manager.start()
        try await manager.registerNode(ManagerServerTests.node("w1"))
        _ = try await manager.register(ManagerServerTests.job("web", count: 2))
        let placed = try await ManagerServerTests.state(of: manager, "placed") { $0.allocations(jobID: "web").count == 2 }
        _ = try await manager.deregister(namespace: JobSpec.defaultNamespace, jobID: "web", purge: true)
        await manager.collectGarbage()
        // Still stopping on the worker: nothing may be deleted yet.
        #expect(await manager.snapshot().allocations(jobID: "web").count == 2)
        try await manager.updateAllocations(placed.allocations(jobID: "web").map {
            ClientAllocationUpdate(id: $0.id, clientStatus: .complete)
        })
        await manager.collectGarbage()
        let state = await manager.snapshot()
        #expect(state.allocations(jobID: "web").isEmpty)
        #expect(state.evaluations(jobID: "web").filter(\.status.isTerminal).isEmpty)
        await manager.shutDown()
    }
}
