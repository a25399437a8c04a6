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
    typealias Cluster = PeriodicLeaderChangeTests

    @Test func aNewLeaderContinuesARollOutTheOldLeaderStarted() async throws {
        let clock = PeriodicTestClock(DeploymentWatcherTests.start)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("roost-deploy-\(UInt32.random(in: 0...UInt32.max))").path
        let ids = [RaftNodeID(1), RaftNodeID(2), RaftNodeID(3)]
        let ports = try Cluster.freePorts(3)
        var peers: [RaftNodeID: PeerAddress] = [:]
        for (index, id) in ids.enumerated() { peers[id] = PeerAddress(host: "127.0.0.1", port: ports[index]) }
        let forwarder = Cluster.DirectForwarder()
        var managers: [ManagerServer] = []
        for (index, id) in ids.enumerated() {
            let manager = ManagerServer(clock: clock.read)
            forwarder.managers.withLock { $0[id] = manager }
            let settings = RaftShellSettings(
                raft: RaftSettings(id: id, seed: id.rawValue), dataDirectory: "\(directory)/\(id.rawValue)",
                listenPort: ports[index], peers: peers, tickInterval: .milliseconds(20), bootstrapVoters: Set(ids))
            try await manager.startReplicated(
                raft: settings,
                identity: ServerEntry(id: id, name: "m\(id.rawValue)", raftAddress: "127.0.0.1:\(ports[index])", httpAddress: "http://127.0.0.1:1"),
                forwarder: forwarder)
            await manager.start()
            managers.append(manager)
        }
        func stopAll() async {
            for manager in managers { await manager.shutDown() }
            try? FileManager.default.removeItem(atPath: directory)
        }
        func state(_ what: String, _ condition: @escaping (StateStore) -> Bool) async throws -> StateStore {
            var found: StateStore?
            try await Cluster.waitFor(what) {
                guard let leader = await Cluster.leader(among: managers) else { return false }
                let snapshot = await leader.snapshot()
                if condition(snapshot) { found = snapshot }
                return found != nil
            }
            return try #require(found)
        }
        do {
            try await Cluster.waitFor("a leader") { await Cluster.leader(among: managers) != nil }
            let first = try #require(await Cluster.leader(among: managers))
            try await first.registerNode(ManagerServerTests.node("w1", memoryMiB: 8192))
            _ = try await first.register(DeploymentWatcherTests.job(count: 3, maxParallel: 1))
            _ = try await state("version 0 placed") { DeploymentWatcherTests.live(in: $0).count == 3 }
            await Self.reportHealth(among: managers)
            _ = try await state("version 0 stable") { $0.job(id: "web")?.stable == true }

            _ = try await first.register(DeploymentWatcherTests.job(count: 3, maxParallel: 1, mode: "v1"))
            let started = try await state("the first replacement") { DeploymentWatcherTests.live(in: $0).contains { $0.jobVersion == 1 } }
            let deployment = try #require(started.latestDeployment(namespace: "default", jobID: "web"))
            #expect(deployment.jobVersion == 1)

            // The leader dies mid-roll; the replacement it placed becomes healthy afterwards.
            await first.shutDown()
            managers.removeAll { $0 === first }
            forwarder.managers.withLock { managers in managers = managers.filter { $0.value !== first } }
            try await Cluster.waitFor("a new leader") { await Cluster.leader(among: managers) != nil }
            let survivors = managers
            let done = try await state("the new leader finished the roll") { state in
                if DeploymentWatcherTests.live(in: state).contains(where: { $0.deploymentStatus?.healthy == nil }) {
                    Task { await Self.reportHealth(among: survivors) }
                }
                return state.deployment(id: deployment.id)?.status == .successful
            }
            let live = DeploymentWatcherTests.live(in: done)
            #expect(live.count == 3 && live.allSatisfy { $0.jobVersion == 1 })
            #expect(done.job(id: "web")?.stable == true)
            for manager in managers {
                try await Cluster.waitFor("the outcome replicated") {
                    await manager.snapshot().deployment(id: deployment.id)?.status == .successful
                }
            }
        } catch {
            await stopAll()
            throw error
        }
        await stopAll()
    }

    /// Plays the worker: reports through whichever manager leads.
    static func reportHealth(among managers: [ManagerServer]) async {
        guard let leader = await Cluster.leader(among: managers) else { return }
        try? await DeploymentWatcherTests.reportHealth(on: leader)
    }
}
