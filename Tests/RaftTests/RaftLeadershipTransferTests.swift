import Raft
import Testing

@Suite struct RaftLeadershipTransferTests {
    @Test func anUpToDateTargetTakesOverWithoutWaitingForATimeout() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        cluster.elect(1)
        #expect(cluster[1].transferLeadership(to: RaftNodeID(2)) == .started)
        cluster.stabilize()
        #expect(cluster[2].role == .leader)
        #expect(cluster[2].term == 2)
        #expect(cluster[1].role == .follower)
        #expect(cluster[1].leader == RaftNodeID(2))
    }

    @Test func aLaggingTargetIsCaughtUpFirst() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        cluster.elect(1)
        cluster.isolate(3)
        for value in 0..<5 { _ = cluster.propose(1, "v\(value)") }
        cluster.stabilize()
        cluster.heal()
        #expect(cluster[1].transferLeadership(to: RaftNodeID(3)) == .started)
        #expect(cluster.propose(1, "during") == .refused(.leadershipTransferInProgress))
        cluster.tick(1)
        cluster.stabilize()
        #expect(cluster[3].role == .leader)
        #expect(cluster.appliedCommands(3).count == 5)
        #expect(cluster.safetyViolation() == nil)
    }

    @Test func aTransferThatDoesNotHappenIsAbandonedAfterAnElectionTimeout() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        cluster.elect(1)
        cluster.cutLinks = [[1, 3], [3, 1]]
        _ = cluster.propose(1, "x")
        cluster.stabilize()
        #expect(cluster[1].transferLeadership(to: RaftNodeID(3)) == .started)
        #expect(cluster[1].leadershipTransferTarget == RaftNodeID(3))
        for _ in 0..<10 { cluster.tick(1); cluster.stabilize() }
        #expect(cluster[1].leadershipTransferTarget == .none)
        #expect(cluster[1].role == .leader)
        guard case .accepted = cluster.propose(1, "again") else {
            Issue.record("proposals still refused after the transfer was abandoned")
            return
        }
    }

    @Test func transfersToStrangersOrFromFollowersAreRefused() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        cluster.elect(1)
        #expect(cluster[1].transferLeadership(to: RaftNodeID(9)) == .refused(.invalidTransferTarget))
        #expect(cluster[1].transferLeadership(to: RaftNodeID(1)) == .refused(.invalidTransferTarget))
        #expect(cluster[2].transferLeadership(to: RaftNodeID(3)) == .notLeader(leaderHint: RaftNodeID(1)))
    }
}
