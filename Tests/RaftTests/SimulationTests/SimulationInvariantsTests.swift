import Raft
import Testing

@Suite struct SimulationInvariantsTests {
    let one = RaftNodeID(1), two = RaftNodeID(2)

    func violation(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let violation as SimulationInvariants.Violation {
            return violation.property
        } catch {
            return "\(error)"
        }
    }

    func log(_ entries: [LogEntry]) -> SimulationDisk.Contents {
        var contents = SimulationDisk.Contents()
        contents.append(entries)
        return contents
    }

    @Test func twoLeadersInOneTermBreakElectionSafetyButOneLeaderSeenTwiceDoesNot() {
        var invariants = SimulationInvariants()
        #expect(violation { try invariants.observeLeader(one, term: 3) } == nil)
        #expect(violation { try invariants.observeLeader(one, term: 3) } == nil)
        #expect(violation { try invariants.observeLeader(two, term: 4) } == nil)
        #expect(violation { try invariants.observeLeader(two, term: 3) } == "election safety")
    }

    @Test func theSameIndexAndTermWithDifferentEntriesOrDifferentPredecessorsBreaksLogMatching() {
        var invariants = SimulationInvariants()
        let a = [LogEntry(term: 1, index: 1, data: [1]), LogEntry(term: 2, index: 2, data: [2])]
        #expect(violation { try invariants.observeWrite(one, entries: a, contents: log(a)) } == nil)
        let sameAgain = a
        #expect(violation { try invariants.observeWrite(two, entries: sameAgain, contents: log(sameAgain)) } == nil)
        let otherData = [LogEntry(term: 1, index: 1, data: [1]), LogEntry(term: 2, index: 2, data: [9])]
        #expect(violation { try invariants.observeWrite(two, entries: otherData, contents: log(otherData)) } == "log matching")
        var fresh = SimulationInvariants()
        let first = [LogEntry(term: 1, index: 1), LogEntry(term: 3, index: 2)]
        let second = [LogEntry(term: 2, index: 1), LogEntry(term: 3, index: 2)]
        #expect(violation { try fresh.observeWrite(one, entries: first, contents: log(first)) } == nil)
        #expect(violation { try fresh.observeWrite(two, entries: second, contents: log(second)) } == "log matching")
    }

    @Test func applyingDifferentEntriesAtOneIndexBreaksStateMachineSafety() {
        var invariants = SimulationInvariants()
        #expect(violation { try invariants.observeApply(one, entry: LogEntry(term: 1, index: 5, data: [1])) } == nil)
        #expect(violation { try invariants.observeApply(two, entry: LogEntry(term: 1, index: 5, data: [1])) } == nil)
        #expect(violation { try invariants.observeApply(two, entry: LogEntry(term: 2, index: 5, data: [1])) } == "state-machine safety")
        #expect(violation { try invariants.observeState(one, index: 5, hash: 10) } == nil)
        #expect(violation { try invariants.observeState(two, index: 5, hash: 11) } == "state-machine safety")
    }

    @Test func aLaterLeaderWithoutACommittedEntryBreaksLeaderCompleteness() throws {
        var invariants = SimulationInvariants()
        try invariants.observeLeader(one, term: 1)
        try invariants.observeApply(one, entry: LogEntry(term: 1, index: 1))
        let holds = SimulationLogView(node: two, term: 2, firstIndex: 1) { $0 == 1 ? 1 : nil }
        let lacks = SimulationLogView(node: two, term: 2, firstIndex: 1) { _ in nil }
        let differs = SimulationLogView(node: two, term: 2, firstIndex: 1) { _ in 2 }
        let compacted = SimulationLogView(node: two, term: 2, firstIndex: 5) { _ in nil }
        #expect(violation { try invariants.checkNewLeader(holds) } == nil)
        #expect(violation { try invariants.checkNewLeader(compacted) } == nil)
        #expect(violation { try invariants.checkNewLeader(lacks) } == "leader completeness")
        #expect(violation { try invariants.checkNewLeader(differs) } == "leader completeness")
        // A leader of the term that may have committed it, or earlier, is not bound by it.
        let sameTerm = SimulationLogView(node: two, term: 1, firstIndex: 1) { _ in nil }
        #expect(violation { try invariants.checkNewLeader(sameTerm) } == nil)
    }
}
