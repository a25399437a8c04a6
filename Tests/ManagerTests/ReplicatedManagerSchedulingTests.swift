import ClusterModel
import Foundation
@testable import Manager
import Raft
import RaftRuntime
import Testing

/// A manager running on Raft (a one-member group here) schedules like the dev agent's: a
/// registered job is placed on a registered node.
@Suite struct ReplicatedManagerSchedulingTests {
    @Test func aJobRegisteredWithAReplicatedManagerIsPlaced() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("roost-replicated-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let id = RaftNodeID(7)
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        let settings = RaftShellSettings(
            raft: RaftSettings(id: id, seed: 1), dataDirectory: directory, bootstrapVoters: [id])
        try await manager.startReplicated(
            raft: settings, identity: ServerEntry(id: id, name: "m1", raftAddress: "127.0.0.1:1", httpAddress: "http://127.0.0.1:1"),
            forwarder: HTTPLeaderForwarder())
        await manager.start()
        try await manager.registerNode(ManagerServerTests.node("w1"))
        _ = try await manager.register(ManagerServerTests.job("web", count: 2))
        let placed = try await ManagerServerTests.state(of: manager, "placed", timeout: .seconds(60)) { $0.allocations(jobID: "web").count == 2 }
        #expect(placed.allocations(jobID: "web").allSatisfy { $0.desiredStatus == .run })
        await manager.shutDown()
    }
}
