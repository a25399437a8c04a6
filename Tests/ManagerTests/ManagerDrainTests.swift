import ClusterModel
import Foundation
@testable import Manager
import StateStore
import Testing

/// `roost node drain` against a real manager, with a fake worker that starts and stops what it
/// is told at once.
@Suite struct ManagerDrainTests {
    /// Plays every worker: pending allocations start running, stopped and evicted ones finish.
    static func actAsWorkers(_ manager: ManagerServer) async throws {
        let state = await manager.snapshot()
        var updates: [ClientAllocationUpdate] = []
        for node in state.allNodes() {
            for allocation in state.allocations(onNode: node.id) {
                if allocation.desiredStatus == .run && allocation.clientStatus == .pending {
                    updates.append(ClientAllocationUpdate(id: allocation.id, clientStatus: .running))
                } else if allocation.desiredStatus != .run && !allocation.clientStatus.isTerminal {
                    updates.append(ClientAllocationUpdate(id: allocation.id, clientStatus: .complete))
                }
            }
        }
        if !updates.isEmpty { try await manager.updateAllocations(updates) }
    }

    /// A started manager whose node "w1" runs a count-4 job with `migrate { max_parallel = 2 }`,
    /// and a second, empty node "w2".
    static func fourRunningOnOneOfTwoNodes(drainWatchInterval: Duration) async throws -> (ManagerServer, drained: Node, spare: Node) {
        let manager = ManagerServer(settings: ManagerSettings(drainWatchInterval: drainWatchInterval), clock: ManagerServerTests.clock)
        await manager.start()
        let drained = ManagerServerTests.node("w1")
        try await manager.registerNode(drained)
        var job = ManagerServerTests.job("web", count: 4)
        job.groups[0].migrate = MigrateStrategy(maxParallel: 2)
        _ = try await manager.register(job)
        _ = try await ManagerServerTests.state(of: manager, "placed") { $0.allocations(jobID: "web").count == 4 }
        try await actAsWorkers(manager)
        let spare = ManagerServerTests.node("w2")
        try await manager.registerNode(spare)
        return (manager, drained, spare)
    }

    @Test func aDrainedNodeEndsEmptyAndIneligibleWithNoMoreThanMaxParallelMovingAtOnce() async throws {
        let (manager, drained, spare) = try await Self.fourRunningOnOneOfTwoNodes(drainWatchInterval: .milliseconds(50))

        _ = try await manager.startDrain(drained.id, deadline: .seconds(600), ignoreSystemJobs: false)
        var mostMovingAtOnce = 0
        let start = ContinuousClock.now
        var finished: StateStore?
        while ContinuousClock.now - start < .seconds(60) {
            let state = await manager.snapshot()
            let moving = state.allocations(jobID: "web").count { $0.desiredStatus == .run && $0.clientStatus == .pending }
            mostMovingAtOnce = max(mostMovingAtOnce, moving)
            if state.node(id: drained.id)?.drain == false { finished = state; break }
            try await Self.actAsWorkers(manager)
            try await Task.sleep(for: .milliseconds(20))
        }
        let state = try #require(finished, "the drain did not complete within 60 s")
        #expect(state.node(id: drained.id)?.eligibility == .ineligible)
        #expect(state.allocations(onNode: drained.id).allSatisfy { $0.desiredStatus != .run })
        let live = state.allocations(jobID: "web").filter { $0.desiredStatus == .run && !$0.clientStatus.isTerminal }
        #expect(live.count == 4 && live.allSatisfy { $0.nodeID == spare.id })
        // The fake worker acts only between these observations, so each batch the scheduler
        // places is seen whole: exactly max_parallel, never more.
        #expect(mostMovingAtOnce == 2, "\(mostMovingAtOnce) allocations were moving at once; max_parallel is 2")
        await manager.shutDown()
    }

    @Test func aDrainingNodeCannotBeMadeEligibleAndAnUnknownNodeIsNamed() async throws {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        await manager.start()
        let node = ManagerServerTests.node("w1")
        try await manager.registerNode(node)
        _ = try await manager.startDrain(node.id, deadline: nil, ignoreSystemJobs: false)
        await #expect(throws: ManagerError.self) { _ = try await manager.setEligibility(node.id, eligible: true) }
        _ = try await manager.stopDrain(node.id, markEligible: true)
        #expect(await manager.snapshot().node(id: node.id)?.eligibility == .eligible)
        do {
            _ = try await manager.startDrain(NodeID(uuid: "00000000-0000-0000-0000-000000000000"), deadline: nil, ignoreSystemJobs: false)
            Issue.record("draining an unknown node succeeded")
        } catch {
            #expect(error.description.contains("not registered"))
        }
        await manager.shutDown()
    }
}

/// The drain watch notices progress however the worker's reports fall between its looks.
@Suite struct DrainWatchProgressTests {
    @Test func aDrainMovesOnWhenReplacementsRunEvenIfTheRunningCountLooksTheSame() async throws {
        // The watch runs only when the test says, so what it sees is known.
        let (manager, drained, _) = try await ManagerDrainTests.fourRunningOnOneOfTwoNodes(drainWatchInterval: .seconds(3_600))
        _ = try await manager.startDrain(drained.id, deadline: nil, ignoreSystemJobs: false)
        _ = try await ManagerServerTests.state(of: manager, "first batch") { state in
            state.allocations(jobID: "web").count { $0.desiredStatus == .evict } == 2 && state.allocations(jobID: "web").count == 6
        }
        await manager.advanceDrains()
        // Whatever that look asked for is scheduled before the worker reports.
        _ = try await ManagerServerTests.state(of: manager, "evaluations done") { state in
            state.evaluations(jobID: "web").allSatisfy { $0.status.isTerminal }
        }
        #expect(await manager.snapshot().allocations(jobID: "web").count { $0.desiredStatus == .evict } == 2)
        // The worker finishes the evicted two and starts their replacements in one report:
        // four allocations run before and after, but two of them are new.
        try await ManagerDrainTests.actAsWorkers(manager)
        await manager.advanceDrains()
        let second = try await ManagerServerTests.state(of: manager, "second batch", timeout: .seconds(30)) { state in
            state.allocations(jobID: "web").count { $0.desiredStatus == .evict } == 4
        }
        #expect(second.allocations(jobID: "web").count == 8)
        await manager.shutDown()
    }
}
