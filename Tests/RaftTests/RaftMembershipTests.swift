import Raft
import Testing

@Suite struct RaftMembershipTests {
    @Test func aLearnerCatchesUpAndIsThenPromoted() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        cluster.elect(1)
        for value in ["a", "b"] { _ = cluster.propose(1, value) }
        cluster.stabilize()
        cluster.addEmptyNode(4)
        guard case .accepted = cluster[1].proposeConfigurationChange(.addLearner(RaftNodeID(4))) else {
            Issue.record("the leader refused to add a learner")
            return
        }
        // In force as soon as it is appended.
        #expect(cluster[1].configuration.learners == [RaftNodeID(4)])
        cluster.stabilize()
        let progress = cluster[1].replicationProgress[RaftNodeID(4)]
        #expect(progress?.isLearner == true)
        #expect(progress?.match == cluster[1].lastIndex)
        #expect(cluster.appliedCommands(4) == ["a", "b"])
        #expect(cluster[4].configuration.learners == [RaftNodeID(4)])
        // A learner never campaigns.
        cluster.isolate(4)
        for _ in 0..<40 { cluster.tick(4) }
        #expect(cluster[4].role == .follower)
        cluster.heal()
        guard case .accepted = cluster[1].proposeConfigurationChange(.promoteLearner(RaftNodeID(4))) else {
            Issue.record("the leader refused to promote the learner")
            return
        }
        cluster.stabilize()
        #expect(cluster[1].configuration.voters == [RaftNodeID(1), RaftNodeID(2), RaftNodeID(3), RaftNodeID(4)])
        #expect(cluster[4].configuration.voters.contains(RaftNodeID(4)))
    }

    @Test func aLearnerDoesNotCountTowardCommitment() {
        var cluster = RaftTestCluster(voters: [1, 2, 3], learners: [4])
        cluster.elect(1)
        cluster.isolate(2)
        cluster.isolate(3)
        _ = cluster.propose(1, "x")
        cluster.stabilize()
        #expect(cluster[4].lastIndex == 3)
        #expect(cluster[1].commitIndex == 2)
    }

    @Test func onlyOneChangeAtATime() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        cluster.elect(1)
        #expect(cluster[1].proposeConfigurationChange(.addLearner(RaftNodeID(4))) == .accepted(index: 3, term: 1))
        #expect(cluster[1].proposeConfigurationChange(.addLearner(RaftNodeID(5))) == .refused(.configurationChangePending))
        cluster.stabilize()
        #expect(cluster[1].proposeConfigurationChange(.addLearner(RaftNodeID(5))) == .accepted(index: 4, term: 1))
    }

    @Test func aNewLeaderTakesNoChangeBeforeItsFirstEntryCommits() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        cluster[1].campaign()
        for _ in 0..<4 { cluster.deliver { $0.kind != .appendEntries } }
        #expect(cluster[1].role == .leader)
        #expect(cluster[1].proposeConfigurationChange(.removeMember(RaftNodeID(3))) == .refused(.configurationChangePending))
    }

    @Test func senselessChangesAreRefused() {
        var cluster = RaftTestCluster(voters: [1, 2])
        cluster.elect(1)
        #expect(cluster[1].proposeConfigurationChange(.addVoter(RaftNodeID(2))) == .refused(.invalidConfigurationChange))
        #expect(cluster[1].proposeConfigurationChange(.promoteLearner(RaftNodeID(2))) == .refused(.invalidConfigurationChange))
        #expect(cluster[1].proposeConfigurationChange(.removeMember(RaftNodeID(7))) == .refused(.invalidConfigurationChange))
        #expect(cluster[2].proposeConfigurationChange(.addLearner(RaftNodeID(7))) == .notLeader(leaderHint: RaftNodeID(1)))
    }

    @Test func aRemovedFollowerNoLongerCountsOrHearsFromTheLeader() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        cluster.elect(1)
        _ = cluster[1].proposeConfigurationChange(.removeMember(RaftNodeID(3)))
        cluster.stabilize()
        #expect(cluster[1].configuration.voters == [RaftNodeID(1), RaftNodeID(2)])
        #expect(cluster[1].replicationProgress[RaftNodeID(3)] == nil)
        cluster.delivered.removeAll()
        _ = cluster.propose(1, "x")
        cluster.stabilize()
        #expect(!cluster.delivered.contains { $0.to == RaftNodeID(3) })
        #expect(cluster[1].commitIndex == 4)
    }

    @Test func aLeaderThatRemovesItselfStepsDownOnceTheRemovalCommits() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        cluster.elect(1)
        _ = cluster[1].proposeConfigurationChange(.removeMember(RaftNodeID(1)))
        #expect(cluster[1].role == .leader)
        cluster.stabilize()
        #expect(cluster[1].role == .follower)
        // It hands over at once (TimeoutNow to the most up-to-date voter).
        #expect(cluster.leaders.count == 1)
        let successor = cluster.leaders[0]
        #expect(successor != RaftNodeID(1))
        #expect(cluster[successor.rawValue].configuration.voters == [RaftNodeID(2), RaftNodeID(3)])
        // The removed node never campaigns again.
        cluster.isolate(1)
        for _ in 0..<50 { cluster.tick(1) }
        #expect(cluster[1].role == .follower)
        #expect(cluster.safetyViolation() == nil)
    }

    @Test func aConflictThatRemovesAConfigurationEntryRestoresThePreviousConfiguration() {
        var instance = RaftInstance(
            settings: RaftSettings(id: RaftNodeID(2)),
            restoring: RaftPersistentState(
                hardState: HardState(term: 1),
                snapshot: foundingSnapshot(voters: [1, 2, 3]),
                entries: [
                    LogEntry(term: 1, index: 1),
                    LogEntry(term: 1, index: 2, kind: .configurationChange, data: ConfigurationChange.addLearner(RaftNodeID(4)).encoded),
                ]))
        #expect(instance.configuration.learners == [RaftNodeID(4)])
        instance.step(RaftMessage(kind: .appendEntries, from: RaftNodeID(3), to: RaftNodeID(2), term: 2, index: 1, logTerm: 1, entries: [LogEntry(term: 2, index: 2)]))
        #expect(instance.configuration.learners.isEmpty)
        #expect(instance.configurationIndex == 0)
    }

    @Test func configurationChangesRoundTripThroughTheirEncoding() {
        for change: ConfigurationChange in [.addVoter(RaftNodeID(1)), .addLearner(RaftNodeID(0xABCDEF)), .promoteLearner(RaftNodeID(UInt64.max)), .removeMember(RaftNodeID(2))] {
            #expect(ConfigurationChange(encoded: change.encoded) == change)
        }
        #expect(ConfigurationChange(encoded: [9, 0, 0, 0, 0, 0, 0, 0, 0]) == nil)
        #expect(ConfigurationChange(encoded: [1, 2]) == nil)
    }
}
