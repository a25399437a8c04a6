import ClusterModel
import Foundation
@testable import Manager
import StateStore
import Testing

/// The leader's deployment watcher with real scheduler workers and a simulated clock: health
/// is reported through `updateAllocations`, as a worker reports it, and only the clock the
/// test moves decides deadlines.
@Suite struct DeploymentWatcherTests {
    static let start = Timestamp(nanosecondsSinceEpoch: 1_800_000_000_000_000_000)

    static func job(count: Int = 5, maxParallel: Int = 2, canary: Int = 0, autoPromote: Bool = false, autoRevert: Bool = false, mode: String = "v0") -> JobSpec {
        var job = ManagerServerTests.job("web", count: count, memoryMiB: 32)
        job.groups[0].tasks[0].env["MODE"] = mode
        job.groups[0].update = UpdateStrategy(
            maxParallel: maxParallel, healthCheck: .taskStates, minHealthyTime: .seconds(1),
            progressDeadline: .seconds(600), autoRevert: autoRevert, autoPromote: autoPromote, canary: canary)
        return job
    }

    /// A manager with one roomy node, the clock, and the job placed and healthy at version 0.
    static func running(_ job: JobSpec) async throws -> (ManagerServer, PeriodicTestClock) {
        let clock = PeriodicTestClock(start)
        let manager = ManagerServer(clock: clock.read)
        await manager.start()
        try await manager.registerNode(ManagerServerTests.node("w1", memoryMiB: 8192))
        _ = try await manager.register(job)
        _ = try await ManagerServerTests.state(of: manager, "\(job.groups[0].count) allocations") {
            live(in: $0).count == job.groups[0].count
        }
        try await reportHealth(on: manager)
        _ = try await ManagerServerTests.state(of: manager, "version 0 stable") { $0.job(id: "web")?.stable == true }
        return (manager, clock)
    }

    static func live(in state: StateStore) -> [Allocation] {
        state.allocations(jobID: "web").filter { !$0.isTerminal }
    }

    /// Reports every live allocation that has no verdict yet as running and `healthy`.
    static func reportHealth(on manager: ManagerServer, healthy: Bool = true, now: Timestamp = start) async throws {
        let state = await manager.snapshot()
        let updates = live(in: state).filter { $0.deploymentStatus?.healthy == nil }.map {
            ClientAllocationUpdate(
                id: $0.id, clientStatus: .running, deploymentStatus: AllocationDeploymentStatus(healthy: healthy, timestamp: now))
        }
        try await manager.updateAllocations(updates)
    }

    @Test func aCount5RollWithMaxParallel2NeverHasMoreThan2InFlightAndSucceeds() async throws {
        let (manager, _) = try await Self.running(Self.job())
        _ = try await manager.register(Self.job(mode: "v1"))
        var worst = 0
        let done = try await ManagerServerTests.state(of: manager, "the version 1 deployment succeeded") { state in
            guard let deployment = state.latestDeployment(namespace: "default", jobID: "web"), deployment.jobVersion == 1 else { return false }
            let inFlight = Self.live(in: state).filter { $0.deploymentID == deployment.id && $0.deploymentStatus?.healthy != true }
            worst = max(worst, inFlight.count)
            if deployment.status == .running && !inFlight.isEmpty {
                // The test plays the workers: whatever was placed becomes healthy.
                Task { try? await Self.reportHealth(on: manager) }
            }
            return deployment.status == .successful
        }
        #expect(worst <= 2 && worst > 0)
        #expect(Self.live(in: done).count == 5 && Self.live(in: done).allSatisfy { $0.jobVersion == 1 })
        #expect(done.job(id: "web")?.stable == true)
        await manager.shutDown()
    }

    @Test func anUnhealthyVersionFailsTheDeploymentAndAutoRevertReturnsToTheStableVersion() async throws {
        let good = Self.job(autoRevert: true)
        let (manager, _) = try await Self.running(good)
        _ = try await manager.register(Self.job(autoRevert: true, mode: "broken"))
        _ = try await ManagerServerTests.state(of: manager, "replacements of version 1") { state in
            Self.live(in: state).contains { $0.jobVersion == 1 }
        }
        try await Self.reportHealth(on: manager, healthy: false)
        let reverted = try await ManagerServerTests.state(of: manager, "the job back at version 0's spec") { state in
            state.deployments(jobID: "web").contains { $0.jobVersion == 1 && $0.status == .failed }
                && state.job(id: "web")?.version == 2
        }
        let failed = try #require(reverted.deployments(jobID: "web").first { $0.jobVersion == 1 })
        #expect(failed.statusDescription.contains("unhealthy") && failed.statusDescription.contains("rolling back to job version 0"))
        #expect(reverted.job(id: "web")?.spec == good)
        // The revert rolls out like any version; healthy, it ends with all five on version 2.
        let settled = try await ManagerServerTests.state(of: manager, "version 2 deployed") { state in
            let current = Self.live(in: state)
            if current.contains(where: { $0.deploymentStatus?.healthy == nil }) { Task { try? await Self.reportHealth(on: manager) } }
            return state.latestDeployment(namespace: "default", jobID: "web")?.status == .successful
                && current.count == 5 && current.allSatisfy { $0.jobVersion == 2 }
        }
        #expect(settled.job(id: "web")?.stable == true)
        await manager.shutDown()
    }

    @Test func noNewlyHealthyAllocationBeforeTheProgressDeadlineFailsTheDeployment() async throws {
        let (manager, clock) = try await Self.running(Self.job())
        _ = try await manager.register(Self.job(mode: "slow"))
        _ = try await ManagerServerTests.state(of: manager, "version 1 deployment") {
            $0.latestDeployment(namespace: "default", jobID: "web")?.jobVersion == 1
        }
        await manager.watchDeployments()
        #expect(await manager.snapshot().latestDeployment(namespace: "default", jobID: "web")?.status == .running)
        clock.set(Self.start + .seconds(601))
        let failed = try await ManagerServerTests.state(of: manager, "the deadline failed it") {
            $0.latestDeployment(namespace: "default", jobID: "web")?.status == .failed
        }
        #expect(failed.latestDeployment(namespace: "default", jobID: "web")?.statusDescription.contains("progress deadline") == true)
        await manager.shutDown()
    }

    @Test func canariesWaitForPromotionAndThenTheRestRolls() async throws {
        let (manager, _) = try await Self.running(Self.job(canary: 1))
        _ = try await manager.register(Self.job(canary: 1, mode: "v1"))
        let withCanary = try await ManagerServerTests.state(of: manager, "one canary") { state in
            Self.live(in: state).contains { $0.deploymentStatus?.canary == true }
        }
        let deployment = try #require(withCanary.latestDeployment(namespace: "default", jobID: "web"))
        await #expect(throws: ManagerError.self) { _ = try await manager.promoteDeployment(deployment.id.short, groups: nil) }
        try await Self.reportHealth(on: manager)
        _ = try await ManagerServerTests.state(of: manager, "the canary counted healthy") {
            $0.deployment(id: deployment.id)?.taskGroups["g"]?.healthyAllocations == 1
        }
        await manager.watchDeployments()
        let waiting = await manager.snapshot()
        #expect(Self.live(in: waiting).count == 6 && Self.live(in: waiting).filter { $0.jobVersion == 1 }.count == 1)
        #expect(waiting.deployment(id: deployment.id)?.status == .running)

        _ = try await manager.promoteDeployment(deployment.id.short, groups: nil)
        let done = try await ManagerServerTests.state(of: manager, "promoted and rolled") { state in
            if Self.live(in: state).contains(where: { $0.deploymentStatus?.healthy == nil }) { Task { try? await Self.reportHealth(on: manager) } }
            return state.deployment(id: deployment.id)?.status == .successful
        }
        #expect(Self.live(in: done).count == 5 && Self.live(in: done).allSatisfy { $0.jobVersion == 1 })
        await manager.shutDown()
    }

    @Test func healthyCanariesWithAutoPromoteArePromotedByTheWatcher() async throws {
        let (manager, _) = try await Self.running(Self.job(count: 3, canary: 1, autoPromote: true))
        _ = try await manager.register(Self.job(count: 3, canary: 1, autoPromote: true, mode: "v1"))
        _ = try await ManagerServerTests.state(of: manager, "one canary") { Self.live(in: $0).contains { $0.deploymentStatus?.canary == true } }
        try await Self.reportHealth(on: manager)
        let promoted = try await ManagerServerTests.state(of: manager, "auto-promoted") {
            $0.latestDeployment(namespace: "default", jobID: "web")?.taskGroups["g"]?.promoted == true
        }
        #expect(promoted.latestDeployment(namespace: "default", jobID: "web")?.jobVersion == 1)
        await manager.shutDown()
    }

    @Test func aPausedDeploymentMakesNoProgressUntilResumed() async throws {
        let (manager, _) = try await Self.running(Self.job(maxParallel: 1))
        _ = try await manager.register(Self.job(maxParallel: 1, mode: "v1"))
        let first = try await ManagerServerTests.state(of: manager, "the first replacement") { Self.live(in: $0).contains { $0.jobVersion == 1 } }
        let deployment = try #require(first.latestDeployment(namespace: "default", jobID: "web"))
        _ = try await manager.pauseDeployment(deployment.id.uuid, pause: true)
        try await Self.reportHealth(on: manager)
        _ = try await ManagerServerTests.state(of: manager, "healthy counted") { $0.deployment(id: deployment.id)?.taskGroups["g"]?.healthyAllocations == 1 }
        await manager.watchDeployments()
        // Give a stray evaluation every chance to run: the broker drains before the next check.
        _ = try await ManagerServerTests.state(of: manager, "no pending evaluation") { $0.evaluations(status: .pending).isEmpty }
        let paused = await manager.snapshot()
        #expect(Self.live(in: paused).filter { $0.jobVersion == 1 }.count == 1)
        #expect(paused.deployment(id: deployment.id)?.status == .paused)

        _ = try await manager.pauseDeployment(deployment.id.uuid, pause: false)
        _ = try await ManagerServerTests.state(of: manager, "the second replacement") { Self.live(in: $0).filter { $0.jobVersion == 1 }.count == 2 }
        await manager.shutDown()
    }

    @Test func revertingRegistersAnOldVersionAsTheNewest() async throws {
        let (manager, _) = try await Self.running(Self.job(count: 1))
        _ = try await manager.register(Self.job(count: 1, mode: "v1"))
        _ = try await manager.revertJob(namespace: "default", jobID: "web", to: 0)
        let state = await manager.snapshot()
        #expect(state.job(id: "web")?.version == 2)
        #expect(state.job(id: "web")?.spec == Self.job(count: 1))
        await #expect(throws: ManagerError.self) { _ = try await manager.revertJob(namespace: "default", jobID: "web", to: 9) }
        await manager.shutDown()
    }
}
