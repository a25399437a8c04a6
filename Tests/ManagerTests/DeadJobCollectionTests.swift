import ClusterModel
import Foundation
@testable import Manager
import StateStore
import Testing

/// Dead jobs are purged after `job_gc_threshold`, so finished batch runs, periodic launches and
/// dispatches do not pile up in the state forever; what still runs, or launches children, stays.
@Suite struct DeadJobCollectionTests {
    static let start = PeriodicTestClock.utc(2026, 3, 1, 10, 7)
    static let threshold: Duration = .seconds(3_600)

    static func manager(_ clock: PeriodicTestClock) async -> ManagerServer {
        // A GC interval of an hour: only the test's own passes run.
        let settings = ManagerSettings(garbageCollectionInterval: .seconds(3_600), jobGarbageThreshold: threshold)
        let manager = ManagerServer(settings: settings, clock: clock.read)
        await manager.start()
        return manager
    }

    static func finish(_ jobID: String, on manager: ManagerServer) async throws {
        let placed = try await ManagerServerTests.state(of: manager, "\(jobID) placed") { !$0.allocations(jobID: jobID).isEmpty }
        try await manager.updateAllocations(placed.allocations(jobID: jobID).map { ClientAllocationUpdate(id: $0.id, clientStatus: .complete) })
        _ = try await ManagerServerTests.state(of: manager, "\(jobID) dead, its evaluations done") {
            $0.job(id: jobID)?.status == .dead && $0.evaluations(jobID: jobID).allSatisfy(\.status.isTerminal)
        }
    }

    @Test func aFinishedBatchJobIsPurgedOnlyOnceItHasBeenDeadForTheThreshold() async throws {
        let clock = PeriodicTestClock(Self.start)
        let manager = await Self.manager(clock)
        try await manager.registerNode(ManagerServerTests.node("w1"))
        _ = try await manager.register(ManagerServerTests.job("nightly", count: 2, type: .batch))
        try await Self.finish("nightly", on: manager)

        clock.set(Self.start + .seconds(3_599))
        await manager.collectGarbage()
        #expect(await manager.snapshot().job(id: "nightly") != nil, "purged before the threshold")

        clock.set(Self.start + .seconds(3_601))
        await manager.collectGarbage()
        let state = await manager.snapshot()
        #expect(state.job(id: "nightly") == nil)
        #expect(state.allocations(jobID: "nightly").isEmpty)
        #expect(state.evaluations(jobID: "nightly").isEmpty)
        await manager.shutDown()
    }

    @Test func runningWorkAndAStoppedJobStillRunningOnItsWorkerAreKept() async throws {
        let clock = PeriodicTestClock(Self.start)
        let manager = await Self.manager(clock)
        try await manager.registerNode(ManagerServerTests.node("w1"))
        _ = try await manager.register(ManagerServerTests.job("web", count: 1))
        _ = try await manager.register(ManagerServerTests.job("old", count: 1))
        let placed = try await ManagerServerTests.state(of: manager, "both placed") {
            $0.allocations(jobID: "web").count == 1 && $0.allocations(jobID: "old").count == 1
        }
        _ = try await manager.deregister(namespace: JobSpec.defaultNamespace, jobID: "old", purge: false)
        _ = try await ManagerServerTests.state(of: manager, "old stopped") { $0.job(id: "old")?.status == .dead }

        clock.set(Self.start + .seconds(10 * 3_600))
        let report = try await manager.forceGarbageCollection()
        #expect(report.purgedJobs == 0, "a job whose allocation its worker still runs was purged")
        #expect(await manager.snapshot().job(id: "web")?.status == .running)
        #expect(await manager.snapshot().job(id: "old") != nil)

        // Once the worker says the stopped copy ended, the stopped job goes.
        try await manager.updateAllocations(placed.allocations(jobID: "old").map { ClientAllocationUpdate(id: $0.id, clientStatus: .complete) })
        _ = try await ManagerServerTests.state(of: manager, "old's copy complete, its evaluations done") {
            $0.allocations(jobID: "old").allSatisfy(\.clientStatus.isTerminal) && $0.evaluations(jobID: "old").allSatisfy(\.status.isTerminal)
        }
        let second = try await manager.forceGarbageCollection()
        #expect(second.purgedJobs == 1)
        #expect(await manager.snapshot().job(id: "old") == nil)
        #expect(await manager.snapshot().job(id: "web") != nil)
        await manager.shutDown()
    }

    @Test func aFinishedPeriodicLaunchIsPurgedAndItsParentStaysRunning() async throws {
        let clock = PeriodicTestClock(Self.start)
        let manager = await Self.manager(clock)
        try await manager.registerNode(ManagerServerTests.node("w1"))
        // A schedule that never comes during the test: only forced launches.
        _ = try await manager.register(PeriodicLaunchTests.periodicJob("report", crons: ["0 0 1 1 * 2099"]))
        #expect(await manager.snapshot().job(id: "report")?.status == .running, "a periodic parent shows running, as in Nomad")
        _ = try await manager.forcePeriodicLaunch(namespace: JobSpec.defaultNamespace, jobID: "report")
        let child = try #require(await PeriodicLaunchTests.children(of: "report", in: manager).first)
        try await Self.finish(child, on: manager)

        clock.set(Self.start + .seconds(2 * 3_600))
        await manager.collectGarbage()
        let state = await manager.snapshot()
        #expect(state.job(id: child) == nil)
        #expect(state.allocations(jobID: child).isEmpty)
        #expect(state.job(id: "report")?.status == .running)
        await manager.shutDown()
    }
}
