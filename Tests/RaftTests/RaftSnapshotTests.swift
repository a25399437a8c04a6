import Raft
import Testing

@Suite struct RaftSnapshotTests {
    /// A cluster where node 3 missed `count` commands and the leader then snapshotted and
    /// compacted its log past them.
    static func clusterWithLaggingFollower(count: Int, chunkBytes: Int) -> RaftTestCluster {
        var cluster = RaftTestCluster(voters: [1, 2, 3]) { $0.snapshotChunkBytes = chunkBytes }
        cluster.elect(1)
        cluster.isolate(3)
        for value in 0..<count { _ = cluster.propose(1, "v\(value)") }
        cluster.stabilize()
        let applied = cluster[1].appliedIndex
        let metadata = SnapshotMetadata(index: applied, term: cluster[1].term, configuration: cluster[1].configuration)
        cluster[1].snapshotTaken(metadata: metadata, data: Array("state-at-\(applied)".utf8))
        cluster[1].compact(through: applied)
        return cluster
    }

    @Test func aLaggingFollowerIsCaughtUpWithASnapshotSentInChunks() {
        var cluster = Self.clusterWithLaggingFollower(count: 10, chunkBytes: 4)
        #expect(cluster[1].firstIndex == 13)
        cluster.heal()
        _ = cluster.propose(1, "after")
        cluster.stabilize()
        cluster.tick(1)
        cluster.stabilize()
        let chunks = cluster.delivered.filter { $0.kind == .installSnapshot && $0.to == RaftNodeID(3) }
        // "state-at-12" is 11 bytes: three chunks of at most 4.
        #expect(chunks.count == 3)
        #expect(chunks.allSatisfy { $0.snapshotData.count <= 4 })
        #expect(cluster.node(3).restoredSnapshots.map(\.index) == [12])
        #expect(cluster.node(3).disk.snapshot?.data == Array("state-at-12".utf8))
        #expect(cluster[3].commitIndex == 13)
        #expect(cluster.appliedCommands(3) == ["after"])
        #expect(cluster[1].replicationProgress[RaftNodeID(3)]?.state == .replicate)
    }

    @Test func aFollowerDiscardsTheLogTheSnapshotCovers() {
        var cluster = Self.clusterWithLaggingFollower(count: 5, chunkBytes: 100)
        #expect(cluster.node(3).disk.entries.count == 2)
        cluster.heal()
        cluster.tick(1)
        cluster.stabilize()
        #expect(cluster[3].firstIndex == 8)
        #expect(cluster.node(3).disk.entries.allSatisfy { $0.index > 7 })
        #expect(cluster[3].lastIndex == cluster[1].lastIndex)
    }

    @Test func aLostChunkIsSentAgainAfterAnElectionTimeout() {
        var cluster = Self.clusterWithLaggingFollower(count: 10, chunkBytes: 4)
        cluster.heal()
        cluster.tick(1)
        cluster.deliver()  // heartbeat
        cluster.deliver()  // answers
        cluster.deliver()  // probe, rejected
        cluster.deliver()  // rejection: the first chunk goes out
        #expect(cluster.pending.contains { $0.kind == .installSnapshot })
        cluster.drop { $0.kind == .installSnapshot }
        cluster.stabilize()
        #expect(cluster[3].commitIndex < 12)
        for _ in 0..<10 { cluster.tick(1); cluster.stabilize() }
        #expect(cluster[3].commitIndex == 12)
    }

    @Test func duplicatedAndReorderedChunksStillReassembleTheSnapshot() {
        var follower = RaftInstance(settings: RaftSettings(id: RaftNodeID(2)), restoring: .bootstrap(voters: [RaftNodeID(1), RaftNodeID(2)]))
        let data = Array("0123456789A".utf8)
        let metadata = SnapshotMetadata(index: 20, term: 3, configuration: RaftConfiguration(voters: [RaftNodeID(1), RaftNodeID(2)]))
        func chunk(_ start: Int, _ end: Int) -> RaftMessage {
            RaftMessage(
                kind: .installSnapshot, from: RaftNodeID(1), to: RaftNodeID(2), term: 3, index: 20, logTerm: 3, snapshot: metadata,
                snapshotOffset: UInt64(start), snapshotTotalBytes: UInt64(data.count), snapshotData: Array(data[start..<end]),
                snapshotDone: end == data.count)
        }
        for message in [chunk(0, 4), chunk(0, 4), chunk(8, 11), chunk(4, 8), chunk(4, 8), chunk(8, 11)] {
            follower.step(message)
        }
        let ready = follower.ready()
        #expect(ready.snapshot == RaftSnapshot(metadata: metadata, data: data))
        // The early last chunk was answered with where to resume, not taken.
        let offsets = ready.messages.filter { $0.kind == .installSnapshotResponse }.map(\.snapshotOffset)
        #expect(offsets == [4, 4, 4, 8, 8, 11])
        #expect(follower.commitIndex == 20)
        #expect(follower.firstIndex == 21)
    }

    @Test func aSnapshotTooBigForTheFollowerIsRefusedWithoutTrapping() {
        var cluster = Self.clusterWithLaggingFollower(count: 3, chunkBytes: 4)
        var node3 = cluster.node(3)
        var settings = node3.instance.settings
        settings.maxSnapshotBytes = 5
        node3.instance = RaftInstance(settings: settings, restoring: node3.disk.state)
        cluster.nodes[RaftNodeID(3)] = node3
        cluster.heal()
        cluster.tick(1)
        cluster.stabilize()
        #expect(cluster.node(3).restoredSnapshots.isEmpty)
        #expect(cluster.delivered.contains { $0.kind == .installSnapshotResponse && $0.reject })
    }

    @Test func compactionNeverPassesTheLatestSnapshot() {
        var cluster = RaftTestCluster(voters: [1])
        cluster.elect(1)
        for value in 0..<5 { _ = cluster.propose(1, "\(value)") }
        cluster.stabilize()
        cluster[1].compact(through: 4)
        #expect(cluster[1].firstIndex == 1)
        cluster[1].snapshotTaken(metadata: SnapshotMetadata(index: 3, term: 1, configuration: cluster[1].configuration), data: [1])
        cluster[1].compact(through: 6)
        #expect(cluster[1].firstIndex == 4)
    }

    @Test func aNodeRestartsFromItsSnapshotAndLog() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        cluster.elect(1)
        for value in 0..<4 { _ = cluster.propose(1, "v\(value)") }
        cluster.stabilize()
        cluster.tick(1)
        cluster.stabilize()
        let metadata = SnapshotMetadata(index: 4, term: 1, configuration: cluster[2].configuration)
        cluster.nodes[RaftNodeID(2)]!.disk.snapshot = RaftSnapshot(metadata: metadata, data: [7])
        cluster.nodes[RaftNodeID(2)]!.disk.entries.removeAll { $0.index <= 4 }
        cluster.restart(2)
        cluster.processAll()
        #expect(cluster[2].firstIndex == 5)
        #expect(cluster.appliedCommands(2) == ["v2", "v3"])
        #expect(cluster[2].latestSnapshotMetadata == metadata)
    }
}
