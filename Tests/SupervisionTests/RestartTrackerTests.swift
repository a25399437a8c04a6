import ClusterModel
import Testing

@testable import Supervision

@Suite struct RestartTrackerTests {
    let policy = RestartPolicy(attempts: 2, interval: .seconds(60), delay: .seconds(5), mode: .fail)

    @Test func restartsAfterTheDelayWhileAttemptsRemain() {
        var tracker = RestartTracker(policy: policy)
        var clock = TestClock()
        #expect(tracker.recordExit(now: clock.now) == .restart(after: .seconds(5), exhausted: false))
        clock.advance(.seconds(10))
        #expect(tracker.recordExit(now: clock.now) == .restart(after: .seconds(5), exhausted: false))
        #expect(tracker.exitsInWindow == 2)
    }

    @Test func givesUpWhenAttemptsAreUsedUpWithinTheIntervalInFailMode() {
        var tracker = RestartTracker(policy: policy)
        var clock = TestClock()
        _ = tracker.recordExit(now: clock.now)
        clock.advance(.seconds(10))
        _ = tracker.recordExit(now: clock.now)
        clock.advance(.seconds(10))
        #expect(tracker.recordExit(now: clock.now) == .giveUp)
    }

    @Test func anExitAfterTheIntervalOpensAFreshWindow() {
        var tracker = RestartTracker(policy: policy)
        var clock = TestClock()
        _ = tracker.recordExit(now: clock.now)
        clock.advance(.seconds(30))
        _ = tracker.recordExit(now: clock.now)
        clock.advance(.seconds(31))  // 61 s after the window opened
        #expect(tracker.recordExit(now: clock.now) == .restart(after: .seconds(5), exhausted: false))
        #expect(tracker.exitsInWindow == 1)
        #expect(tracker.windowStart == clock.now)
    }

    @Test func anExitExactlyAtTheEndOfTheIntervalStillCountsInTheWindow() {
        var tracker = RestartTracker(policy: policy)
        var clock = TestClock()
        _ = tracker.recordExit(now: clock.now)
        clock.advance(.seconds(1))
        _ = tracker.recordExit(now: clock.now)
        clock.advance(.seconds(59))  // exactly interval after the first exit
        #expect(tracker.recordExit(now: clock.now) == .giveUp)
    }

    @Test func delayModeWaitsUntilTheWindowClosesThenCountsAgain() {
        var tracker = RestartTracker(policy: RestartPolicy(attempts: 1, interval: .seconds(60), delay: .seconds(5), mode: .delay))
        var clock = TestClock()
        #expect(tracker.recordExit(now: clock.now) == .restart(after: .seconds(5), exhausted: false))
        clock.advance(.seconds(20))
        #expect(tracker.recordExit(now: clock.now) == .restart(after: .seconds(40), exhausted: true))
        clock.advance(.seconds(40) + .milliseconds(1))
        #expect(tracker.recordExit(now: clock.now) == .restart(after: .seconds(5), exhausted: false))
    }

    @Test func delayModeNeverWaitsLessThanTheRestartDelay() {
        var tracker = RestartTracker(policy: RestartPolicy(attempts: 1, interval: .seconds(60), delay: .seconds(5), mode: .delay))
        var clock = TestClock()
        _ = tracker.recordExit(now: clock.now)
        clock.advance(.seconds(58))
        #expect(tracker.recordExit(now: clock.now) == .restart(after: .seconds(5), exhausted: true))
    }

    @Test func zeroAttemptsFailsAtTheFirstExit() {
        var tracker = RestartTracker(policy: RestartPolicy(attempts: 0, interval: .seconds(60), delay: .seconds(5), mode: .fail))
        #expect(tracker.recordExit(now: TestClock().now) == .giveUp)
    }

    @Test func negativeDurationsAndAttemptsAreTreatedAsZeroInsteadOfTrapping() {
        var tracker = RestartTracker(policy: RestartPolicy(attempts: -3, interval: .seconds(-1), delay: .seconds(-5), mode: .delay))
        let decision = tracker.recordExit(now: TestClock().now)
        #expect(decision == .restart(after: .zero, exhausted: true))
    }

    @Test func hugeIntervalsSaturateInsteadOfOverflowing() {
        var tracker = RestartTracker(
            policy: RestartPolicy(attempts: 1, interval: .seconds(Int64.max), delay: .seconds(1), mode: .fail)
        )
        var clock = TestClock()
        _ = tracker.recordExit(now: clock.now)
        clock.advance(.seconds(1_000_000_000))
        #expect(tracker.recordExit(now: clock.now) == .giveUp)
    }
}
