import Raft
import Testing

@Suite struct RaftElectionTests {
    @Test func aSingleVoterElectsItselfWhenItCampaigns() {
        var cluster = RaftTestCluster(voters: [1])
        cluster.elect(1)
        #expect(cluster[1].role == .leader)
        #expect(cluster[1].term == 1)
        #expect(cluster[1].commitIndex == 2)
    }

    @Test func threeNodesElectALeaderAfterAnElectionTimeout() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        for _ in 0..<30 {
            cluster.tickAll()
            cluster.stabilize()
            if !cluster.leaders.isEmpty { break }
        }
        #expect(cluster.leaders.count == 1)
        let leader = cluster.leaders[0].rawValue
        for raw: UInt64 in [1, 2, 3] {
            #expect(cluster[raw].leader.rawValue == leader)
            #expect(cluster[raw].commitIndex == 2)
        }
    }

    @Test func electionTimeoutsAreRandomizedWithinOneToTwoTimeouts() {
        // Followers with different seeds time out at different ticks, all in [T, 2T).
        var firstCampaign: [Int] = []
        for seed: UInt64 in 0..<20 {
            var instance = RaftInstance(
                settings: RaftSettings(id: RaftNodeID(1), seed: seed),
                restoring: .bootstrap(voters: [RaftNodeID(1), RaftNodeID(2), RaftNodeID(3)]))
            var ticks = 0
            while instance.role == .follower && ticks < 100 {
                instance.tick()
                ticks += 1
            }
            firstCampaign.append(ticks)
        }
        #expect(firstCampaign.allSatisfy { (10..<20).contains($0) })
        #expect(Set(firstCampaign).count > 3)
    }

    @Test func preVoteDoesNotBumpTheTerm() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        cluster[1].campaign()
        #expect(cluster[1].role == .preCandidate)
        #expect(cluster[1].term == 0)
        cluster.stabilize()
        #expect(cluster[1].role == .leader)
        #expect(cluster[1].term == 1)
    }

    @Test func aPartitionedNodeRejoiningDoesNotDisruptAHealthyLeader() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        cluster.elect(1)
        cluster.isolate(3)
        for _ in 0..<100 {
            cluster.tickAll()
            cluster.stabilize()
        }
        // Node 3 kept pre-campaigning without winning, so its term never moved.
        #expect(cluster[3].term == 1)
        #expect(cluster[3].role == .preCandidate)
        cluster.heal()
        // Its logs are as good as anyone's, so only the lease stops its pre-vote: the others
        // hear from the leader and ignore it.
        cluster[3].campaign()
        cluster.stabilize()
        #expect(cluster[1].role == .leader)
        #expect(cluster[1].term == 1)
        cluster.tickAll(times: 1)
        cluster.stabilize()
        #expect(cluster[3].leader == RaftNodeID(1))
        #expect(cluster[3].role == .follower)
    }

    @Test func withoutPreVoteARejoiningNodeWouldForceANewTerm() {
        // The contrast that shows what pre-vote buys: the same scenario, pre-vote off.
        var cluster = RaftTestCluster(voters: [1, 2, 3]) { $0.preVote = false; $0.checkQuorum = false }
        cluster.elect(1)
        cluster.isolate(3)
        for _ in 0..<40 { cluster.tickAll(); cluster.stabilize() }
        #expect(cluster[3].term > 1)
        cluster.heal()
        cluster.tickAll()
        cluster.stabilize()
        #expect(cluster[1].term > 1)
    }

    @Test func aLeaderThatLosesItsQuorumStepsDown() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        cluster.elect(1)
        cluster.isolate(1)
        for _ in 0..<25 {
            cluster[1].tick()
            cluster.process(RaftNodeID(1))
        }
        #expect(cluster[1].role == .follower)
        #expect(cluster[1].leader == .none)
    }

    @Test func aLeaderHearingFromItsQuorumStaysLeader() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        cluster.elect(1)
        for _ in 0..<50 {
            cluster.tick(1)
            cluster.stabilize()
        }
        #expect(cluster[1].role == .leader)
    }

    @Test func aVoterGrantsOneVotePerTerm() {
        var instance = RaftInstance(settings: RaftSettings(id: RaftNodeID(1), preVote: false), restoring: .bootstrap(voters: [RaftNodeID(1), RaftNodeID(2), RaftNodeID(3)]))
        instance.step(RaftMessage(kind: .requestVote, from: RaftNodeID(2), to: RaftNodeID(1), term: 5, index: 1))
        instance.step(RaftMessage(kind: .requestVote, from: RaftNodeID(3), to: RaftNodeID(1), term: 5, index: 1))
        let replies = instance.ready().messages
        #expect(replies.map(\.reject) == [false, true])
        #expect(instance.vote == RaftNodeID(2))
    }

    @Test func aFollowerThatKnowsTheLeaderOfItsTermVotesForNobodyElseInIt() {
        var instance = RaftInstance(settings: RaftSettings(id: RaftNodeID(2)), restoring: .bootstrap(voters: [RaftNodeID(1), RaftNodeID(2), RaftNodeID(3)]))
        instance.step(RaftMessage(kind: .heartbeat, from: RaftNodeID(1), to: RaftNodeID(2), term: 2))
        #expect(instance.leader == RaftNodeID(1))
        #expect(instance.vote == .none)
        instance.step(RaftMessage(kind: .requestVote, from: RaftNodeID(3), to: RaftNodeID(2), term: 2, index: 5, logTerm: 2))
        let votes = instance.ready().messages.filter { $0.kind == .requestVoteResponse }
        #expect(votes.map(\.reject) == [true])
    }

    @Test func aCandidateWithAnOlderLogIsRefused() {
        var instance = RaftInstance(
            settings: RaftSettings(id: RaftNodeID(1)),
            restoring: RaftPersistentState(
                hardState: HardState(term: 2), snapshot: foundingSnapshot(voters: [1, 2]),
                entries: [LogEntry(term: 2, index: 1)]))
        instance.step(RaftMessage(kind: .requestVote, from: RaftNodeID(2), to: RaftNodeID(1), term: 3, index: 5, logTerm: 1))
        #expect(instance.ready().messages.first?.reject == true)
    }

    @Test func aFollowerThatHearsFromItsLeaderIgnoresVoteRequests() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        cluster.elect(1)
        cluster[2].step(RaftMessage(kind: .requestVote, from: RaftNodeID(3), to: RaftNodeID(2), term: 9, index: 100, logTerm: 9))
        #expect(cluster[2].term == 1)
        #expect(cluster[2].leader == RaftNodeID(1))
    }

    @Test func aNodeRemovedOrNeverAddedDoesNotCampaign() {
        var instance = RaftInstance(settings: RaftSettings(id: RaftNodeID(9)))
        for _ in 0..<100 { instance.tick() }
        #expect(instance.role == .follower)
        #expect(!instance.hasReady || instance.ready().messages.isEmpty)
    }
}
