import Raft
import Testing

@Suite struct RaftEarlySendTests {
    @Test func aLeaderMaySendAppendsBeforeItsOwnWriteButCountsItselfOnlyAfter() {
        var cluster = RaftTestCluster(voters: [1, 2, 3]) { $0.sendAppendsBeforePersist = true }
        cluster.elect(1)
        _ = cluster[1].propose([1])
        let ready = cluster[1].ready()
        #expect(ready.entries.map(\.index) == [3])
        #expect(ready.messagesBeforePersist.filter { $0.kind == .appendEntries }.count == 2)
        #expect(ready.messages.isEmpty)
        // Both followers acknowledge while the leader's own write is still under way: a
        // quorum without the leader is still a quorum, so index 3 commits.
        for message in ready.messagesBeforePersist { cluster[message.to.rawValue].step(message) }
        for raw: UInt64 in [2, 3] { cluster.process(RaftNodeID(raw)) }
        for message in cluster.pending where message.to == RaftNodeID(1) { cluster[1].step(message) }
        #expect(cluster[1].commitIndex == 3)
        cluster[1].advance(ready)
        cluster.pending.removeAll()
        cluster.stabilize()
        #expect(cluster.safetyViolation() == nil)
    }

    @Test func aSingleVoterCommitsOnlyWhatIsOnItsDisk() {
        var cluster = RaftTestCluster(voters: [1]) { $0.sendAppendsBeforePersist = true }
        cluster.elect(1)
        _ = cluster[1].propose([1])
        let ready = cluster[1].ready()
        #expect(cluster[1].commitIndex == 2)
        cluster[1].advance(ready)
        #expect(cluster[1].commitIndex == 3)
    }

    @Test func byDefaultEveryMessageWaitsForThePersist() {
        var cluster = RaftTestCluster(voters: [1, 2, 3])
        cluster.elect(1)
        _ = cluster[1].propose([1])
        let ready = cluster[1].ready()
        #expect(ready.messagesBeforePersist.isEmpty)
        #expect(ready.messages.filter { $0.kind == .appendEntries }.count == 2)
    }
}
