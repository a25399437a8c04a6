import ClusterModel
import Foundation
@testable import Manager
import Raft
import RaftRuntime
import StateStore
import Testing

/// Three managers on Raft over loopback: a roll-out started under one leader is finished by
/// the next, from the replicated deployment alone.
@Suite(.serialized) struct DeploymentLeaderChangeTests {
    @Test func aNewLeaderContinuesARollOutTheOldLeaderStarted() async throws {
        let clock = PeriodicTestClock(DeploymentWatcherTests.start)
        let trio = try await InProcessManagerTrio.start(label: "deploy", clock: clock.read)
        func state(_ what: String, _ condition: @escaping (StateStore) -> Bool) async throws -> StateStore {
            var found: StateStore?
            try await InProcessManagerTrio.waitFor(what) {
                guard let leader = await trio.leader() else { return false }
                let snapshot = await leader.snapshot()
                if condition(snapshot) { found = snapshot }
                return found != nil
            }
            return try #require(found)
        }
        do {
            let first = try await trio.waitForLeader()
            try await first.registerNode(ManagerServerTests.node("w1", memoryMiB: 8192))
            _ = try await first.register(DeploymentWatcherTests.job(count: 3, maxParallel: 1))
            _ = try await state("version 0 placed") { DeploymentWatcherTests.live(in: $0).count == 3 }
            await Self.reportHealth(among: trio)
            _ = try await state("version 0 stable") { $0.job(id: "web")?.stable == true }

            _ = try await first.register(DeploymentWatcherTests.job(count: 3, maxParallel: 1, mode: "v1"))
            let started = try await state("the first replacement") { DeploymentWatcherTests.live(in: $0).contains { $0.jobVersion == 1 } }
            let deployment = try #require(started.latestDeployment(namespace: "default", jobID: "web"))
            #expect(deployment.jobVersion == 1)

            // The leader dies mid-roll; the replacement it placed becomes healthy afterwards.
            await trio.remove(first)
            _ = try await trio.waitForLeader()
            let done = try await state("the new leader finished the roll") { state in
                if DeploymentWatcherTests.live(in: state).contains(where: { $0.deploymentStatus?.healthy == nil }) {
                    Task { await Self.reportHealth(among: trio) }
                }
                return state.deployment(id: deployment.id)?.status == .successful
            }
            let live = DeploymentWatcherTests.live(in: done)
            #expect(live.count == 3 && live.allSatisfy { $0.jobVersion == 1 })
            #expect(done.job(id: "web")?.stable == true)
            for manager in trio.managers {
                try await InProcessManagerTrio.waitFor("the outcome replicated") {
                    await manager.snapshot().deployment(id: deployment.id)?.status == .successful
                }
            }
        } catch {
            await trio.stop()
            throw error
        }
        await trio.stop()
    }

    /// Plays the worker: reports through whichever manager leads.
    static func reportHealth(among trio: InProcessManagerTrio) async {
        guard let leader = await trio.leader() else { return }
        try? await DeploymentWatcherTests.reportHealth(on: leader)
    }
}
