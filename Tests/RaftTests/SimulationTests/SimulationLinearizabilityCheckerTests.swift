import Raft
import Testing

@Suite struct SimulationLinearizabilityCheckerTests {
    typealias Op = SimulationOperation

    let checker = SimulationLinearizabilityChecker()

    @Test func sequentialOperationsThatAgreeWithTheStoreAreLinearizable() {
        let history = [
            Op(client: 1, operation: .put(key: 0, value: 5), invoked: 0, respondedAt: 10, output: .written),
            Op(client: 2, operation: .get(key: 0), invoked: 20, respondedAt: 30, output: .value(5)),
            Op(client: 1, operation: .compareAndSwap(key: 0, expected: 5, new: 6), invoked: 40, respondedAt: 50, output: .swapped(true)),
            Op(client: 2, operation: .get(key: 0), invoked: 60, respondedAt: 70, output: .value(6)),
        ]
        #expect(checker.check(history) == .linearizable)
    }

    @Test func aReadOfAValueOverwrittenBeforeTheReadBeganIsCaught() {
        let history = [
            Op(client: 1, operation: .put(key: 3, value: 1), invoked: 0, respondedAt: 10, output: .written),
            Op(client: 1, operation: .put(key: 3, value: 2), invoked: 20, respondedAt: 30, output: .written),
            Op(client: 2, operation: .get(key: 3), invoked: 40, respondedAt: 50, output: .value(1)),
        ]
        guard case .notLinearizable(let key, let operations) = checker.check(history) else {
            Issue.record("a stale read passed the checker")
            return
        }
        #expect(key == 3)
        #expect(operations.count == 3)
    }

    @Test func concurrentWritesMayBeSeenInEitherOrder() {
        // Two overlapping puts; readers after both may see either, but they must agree on the
        // order: once one reader saw 2 after 1, a later reader cannot go back to 1.
        let writes = [
            Op(client: 1, operation: .put(key: 0, value: 1), invoked: 0, respondedAt: 100, output: .written),
            Op(client: 2, operation: .put(key: 0, value: 2), invoked: 10, respondedAt: 90, output: .written),
        ]
        let eitherWins = writes + [Op(client: 3, operation: .get(key: 0), invoked: 110, respondedAt: 120, output: .value(1))]
        #expect(checker.check(eitherWins) == .linearizable)
        let otherWins = writes + [Op(client: 3, operation: .get(key: 0), invoked: 110, respondedAt: 120, output: .value(2))]
        #expect(checker.check(otherWins) == .linearizable)
        let flipFlop = writes + [
            Op(client: 3, operation: .get(key: 0), invoked: 110, respondedAt: 120, output: .value(2)),
            Op(client: 4, operation: .get(key: 0), invoked: 130, respondedAt: 140, output: .value(1)),
        ]
        #expect(checker.check(flipFlop) != .linearizable)
    }

    @Test func aReadOverlappingAWriteMaySeeTheOldOrTheNewValue() {
        let base = [
            Op(client: 1, operation: .put(key: 0, value: 1), invoked: 0, respondedAt: 10, output: .written),
            Op(client: 1, operation: .put(key: 0, value: 2), invoked: 20, respondedAt: 60, output: .written),
        ]
        for seen: UInt64 in [1, 2] {
            let history = base + [Op(client: 2, operation: .get(key: 0), invoked: 30, respondedAt: 40, output: .value(seen))]
            #expect(checker.check(history) == .linearizable)
        }
        let invented = base + [Op(client: 2, operation: .get(key: 0), invoked: 30, respondedAt: 40, output: .value(3))]
        #expect(checker.check(invented) != .linearizable)
    }

    @Test func twoSuccessfulCompareAndSwapsFromTheSameValueAreCaught() {
        let history = [
            Op(client: 1, operation: .put(key: 1, value: 7), invoked: 0, respondedAt: 5, output: .written),
            Op(client: 2, operation: .compareAndSwap(key: 1, expected: 7, new: 8), invoked: 10, respondedAt: 50, output: .swapped(true)),
            Op(client: 3, operation: .compareAndSwap(key: 1, expected: 7, new: 9), invoked: 20, respondedAt: 40, output: .swapped(true)),
        ]
        #expect(checker.check(history) == .notLinearizable(key: 1, operations: history))
    }

    @Test func anUnansweredWriteMayHaveHappenedOrNot() {
        let lost = Op(client: 1, operation: .put(key: 0, value: 9), invoked: 5)
        let sawIt = [lost, Op(client: 2, operation: .get(key: 0), invoked: 10, respondedAt: 20, output: .value(9))]
        #expect(checker.check(sawIt) == .linearizable)
        let missedIt = [lost, Op(client: 2, operation: .get(key: 0), invoked: 10, respondedAt: 20, output: .value(nil))]
        #expect(checker.check(missedIt) == .linearizable)
        // But it cannot take effect before it was invoked.
        let before = [Op(client: 2, operation: .get(key: 0), invoked: 0, respondedAt: 4, output: .value(9)), lost]
        #expect(checker.check(before) != .linearizable)
    }

    @Test func aFailureNamesTheKeyWhoseHistoryFailedAndKeepsOtherKeysOut() {
        let history = [
            Op(client: 1, operation: .put(key: 0, value: 1), invoked: 0, respondedAt: 10, output: .written),
            Op(client: 1, operation: .get(key: 0), invoked: 20, respondedAt: 30, output: .value(1)),
            Op(client: 2, operation: .put(key: 4, value: 1), invoked: 0, respondedAt: 10, output: .written),
            Op(client: 2, operation: .get(key: 4), invoked: 20, respondedAt: 30, output: .value(nil)),
        ]
        guard case .notLinearizable(let key, let operations) = checker.check(history) else {
            Issue.record("a lost write passed the checker")
            return
        }
        #expect(key == 4)
        #expect(operations.allSatisfy { $0.operation.key == 4 })
    }

    @Test func aHardHistoryBeyondTheBudgetIsUnknownRatherThanAHang() {
        // Many fully concurrent writes and one impossible read: every order must be tried.
        var history = (0..<20).map { client in
            Op(client: UInt32(client), operation: .put(key: 0, value: UInt64(client)), invoked: 0, respondedAt: 1_000, output: .written)
        }
        history.append(Op(client: 99, operation: .get(key: 0), invoked: 0, respondedAt: 1_000, output: .value(12_345)))
        let small = SimulationLinearizabilityChecker(budget: 1_000)
        #expect(small.check(history) == .unknown(key: 0))
    }
}
