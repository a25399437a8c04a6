import Raft
import Testing

@Suite struct RaftReadIndexTests {
    @Test func theLeaderAnswersAReadAfterAHeartbeatRound() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        cluster.elect(1)
        _ = cluster.propose(1, "x")
        cluster.stabilize()
        #expect(cluster[1].readIndex(context: [1]) == .pending)
        cluster.process(RaftNodeID(1))
        #expect(cluster.node(1).readStates.isEmpty)
        cluster.stabilize()
        #expect(cluster.node(1).readStates == [ReadState(index: 3, context: [1])])
    }

    @Test func anIsolatedLeaderNeverConfirmsARead() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        cluster.elect(1)
        cluster.isolate(1)
        _ = cluster[1].readIndex(context: [1])
        for _ in 0..<5 { cluster.tick(1); cluster.stabilize() }
        #expect(cluster.node(1).readStates.isEmpty)
    }

    @Test func aFollowerForwardsItsReadToTheLeader() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        cluster.elect(1)
        _ = cluster.propose(1, "x")
        cluster.stabilize()
        #expect(cluster[2].readIndex(context: [7, 7]) == .pending)
        cluster.stabilize()
        #expect(cluster.node(2).readStates == [ReadState(index: 3, context: [7, 7])])
    }

    @Test func aNodeWithoutALeaderSaysSo() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        #expect(cluster[2].readIndex(context: []) == .noLeader)
    }

    @Test func aNewLeaderWaitsForItsFirstCommitBeforeAnsweringReads() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        cluster[1].campaign()
        for _ in 0..<4 { cluster.deliver { $0.kind != .appendEntries } }
        #expect(cluster[1].role == .leader)
        _ = cluster[1].readIndex(context: [3])
        cluster.drop { $0.kind == .appendEntries }
        cluster.tick(1)
        cluster.deliver { $0.kind == .heartbeat }
        cluster.deliver { $0.kind == .heartbeatResponse }
        #expect(cluster.node(1).readStates.isEmpty)
        cluster.stabilize()
        #expect(cluster.node(1).readStates == [ReadState(index: 2, context: [3])])
    }

    @Test func aLeaseReadNeedsNoRoundTrip() {
        var cluster = RaftTestCluster(voters: [1, 2, 3]) { $0.leaseRead = true }
        cluster.elect(1)
        _ = cluster[1].readIndex(context: [5])
        cluster.process(RaftNodeID(1))
        #expect(cluster.node(1).readStates == [ReadState(index: 2, context: [5])])
    }

    @Test func aSingleVoterAnswersAtOnce() {
        var cluster = RaftTestCluster(voters: [1])
        cluster.elect(1)
        _ = cluster[1].readIndex(context: [5])
        cluster.process(RaftNodeID(1))
        #expect(cluster.node(1).readStates == [ReadState(index: 2, context: [5])])
    }
}
