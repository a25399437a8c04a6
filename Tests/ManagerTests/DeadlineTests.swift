@testable import Manager
import Testing

/// A manager stops waiting for Raft after a deadline instead of holding a request forever.
@Suite struct DeadlineTests {
    @Test func workThatFinishesInTimeGivesItsValue() async throws {
        #expect(try await Deadline.run(timeout: .seconds(60)) { 42 } == 42)
    }

    @Test func workThatFailsInTimeGivesItsError() async {
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await Deadline.run(timeout: .seconds(60)) { () async throws -> Int in throw Refused() } }
    }

    @Test func workThatNeverAnswersIsGivenUpAfterTheDeadline() async throws {
        let never: @Sendable () async throws -> Int = {
            try await Task.sleep(for: .seconds(3_600))
            return 1
        }
        #expect(try await Deadline.run(timeout: .milliseconds(20), never) == nil)
    }
}

extension DeadlineTests {
    /// Finishing work cancels the timer; a timer woken by that cancellation must not answer
    /// "too late" for work that finished in time (it did, once, for most read barriers).
    @Test func workThatFinishesInTimeIsNeverReportedLate() async throws {
        for _ in 0..<500 {
            let value: Void? = try await Deadline.run(timeout: .seconds(60)) { () }
            #expect(value != nil)
        }
    }
}
