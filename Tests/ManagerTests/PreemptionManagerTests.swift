import ClusterModel
import Foundation
@testable import Manager
import Scheduler
import StateStore
import Testing

/// Preemption end to end on one manager with real scheduler workers and plan applier: batch
/// work fills the cluster, a priority-90 service arrives, and what happens to each is what the
/// operator switched on.
@Suite struct PreemptionManagerTests {
    static func batch() -> JobSpec {
        var job = ManagerServerTests.job("crunch", count: 4, memoryMiB: 512, type: .batch)
        job.priority = 20
        return job
    }

    static func service() -> JobSpec {
        var job = ManagerServerTests.job("web", count: 1, memoryMiB: 512)
        job.priority = 90
        return job
    }

    static func live(_ jobID: String, in state: StateStore) -> [Allocation] {
        state.allocations(jobID: jobID).filter { !$0.isTerminal }
    }

    /// Two 1 GiB nodes full of the batch job's four 512 MiB allocations, all running.
    static func fullCluster() async throws -> ManagerServer {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        await manager.start()
        try await manager.registerNode(ManagerServerTests.node("w1", memoryMiB: 1024))
        try await manager.registerNode(ManagerServerTests.node("w2", memoryMiB: 1024))
        _ = try await manager.register(batch())
        let placed = try await ManagerServerTests.state(of: manager, "the batch job on both nodes") { live("crunch", in: $0).count == 4 }
        try await manager.updateAllocations(live("crunch", in: placed).map { ClientAllocationUpdate(id: $0.id, clientStatus: .running) })
        return manager
    }

    @Test func jobPlanListsTheAllocationsASubmitWouldPreemptApartFromTheJobsOwnChanges() async throws {
        let manager = try await Self.fullCluster()
        #expect(try await manager.planJob(Self.service()).preempted.isEmpty, "nothing is preempted by default")
        var configuration = SchedulerConfiguration()
        configuration.preemptionConfig.serviceSchedulerEnabled = true
        _ = try await manager.setSchedulerConfiguration(configuration)
        let plan = try await manager.planJob(Self.service())
        #expect(plan.preempted.count == 1 && plan.preempted.allSatisfy { $0.jobID == "crunch" })
        // Both jobs name their group "g": the batch job's stop is not the service's.
        #expect(plan.groups["g"]?.place == 1 && plan.groups["g"]?.stop == 0)
        #expect(await manager.snapshot().allocations(jobID: "web").isEmpty, "planning changes nothing")
        await manager.shutDown()
    }

    @Test func aHighPriorityServiceWaitsForCapacityWhileServicePreemptionIsOff() async throws {
        let manager = try await Self.fullCluster()
        _ = try await manager.register(Self.service())
        let state = try await ManagerServerTests.state(of: manager, "a blocked evaluation for the service") { state in
            state.evaluations(status: .blocked).contains { $0.jobID == "web" }
        }
        #expect(Self.live("web", in: state).isEmpty)
        #expect(Self.live("crunch", in: state).count == 4, "nothing is preempted by default")
        await manager.shutDown()
    }

    @Test func withServicePreemptionOnTheServiceStopsOneBatchAllocationWhichRunsAgainOnceTheServiceStops() async throws {
        let manager = try await Self.fullCluster()
        var configuration = SchedulerConfiguration()
        configuration.preemptionConfig.serviceSchedulerEnabled = true
        let index = try await manager.setSchedulerConfiguration(configuration)
        let stored = try await manager.schedulerConfiguration()
        #expect(stored.preemptionEnabled(for: .service) && stored.modifyIndex == index)

        _ = try await manager.register(Self.service())
        let preempted = try await ManagerServerTests.state(of: manager, "the service placed and a batch allocation blocked") { state in
            Self.live("web", in: state).count == 1 && state.evaluations(status: .blocked).contains { $0.jobID == "crunch" }
        }
        let web = try #require(Self.live("web", in: preempted).first)
        let stopped = preempted.allocations(jobID: "crunch").filter { $0.desiredStatus == .stop }
        #expect(stopped.count == 1, "one 512 MiB allocation is exactly what the service needs")
        #expect(stopped.first?.desiredDescription == "Preempted by allocation \(web.id) of job web (priority 90)")
        #expect(stopped.first?.nodeID == web.nodeID)
        #expect(Self.live("crunch", in: preempted).count == 3)
        #expect(preempted.evaluations(jobID: "crunch").contains { $0.triggeredBy == .preemption })

        // The worker stops the preempted allocation; then the service is stopped.
        try await manager.updateAllocations(stopped.map { ClientAllocationUpdate(id: $0.id, clientStatus: .complete) })
        _ = try await manager.deregister(namespace: "default", jobID: "web", purge: false)
        let restored = try await ManagerServerTests.state(of: manager, "the batch job back at four allocations") { state in
            Self.live("web", in: state).isEmpty && Self.live("crunch", in: state).count == 4
        }
        #expect(Self.live("crunch", in: restored).allSatisfy { $0.nodeID != web.nodeID || $0.id != stopped.first?.id })
        await manager.shutDown()
    }
}
