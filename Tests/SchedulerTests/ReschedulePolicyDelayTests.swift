import ClusterModel
import Scheduler
import Testing

@Suite struct ReschedulePolicyDelayTests {
    func policy(_ function: ReschedulePolicy.DelayFunction, max: Duration = .seconds(3600)) -> ReschedulePolicy {
        ReschedulePolicy(attempts: 0, interval: .zero, delay: .seconds(30), delayFunction: function, maxDelay: max, unlimited: true)
    }

    @Test func aConstantDelayNeverGrows() {
        #expect(policy(.constant).delay(afterAttempts: 0) == .seconds(30))
        #expect(policy(.constant).delay(afterAttempts: 7) == .seconds(30))
    }

    @Test func anExponentialDelayDoublesUpToTheMaximum() {
        let delays = (0..<5).map { policy(.exponential, max: .seconds(200)).delay(afterAttempts: $0) }
        #expect(delays == [.seconds(30), .seconds(60), .seconds(120), .seconds(200), .seconds(200)])
        #expect(policy(.exponential).delay(afterAttempts: 10_000) == .seconds(3600))
    }

    @Test func aFibonacciDelayAddsThePreviousTwo() {
        let delays = (0..<6).map { policy(.fibonacci).delay(afterAttempts: $0) }
        #expect(delays == [.seconds(30), .seconds(30), .seconds(60), .seconds(90), .seconds(150), .seconds(240)])
    }

    @Test func anUnboundedExponentialDelaySaturatesInsteadOfOverflowing() {
        #expect(policy(.exponential, max: .zero).delay(afterAttempts: 200) > .seconds(1_000_000_000))
    }
}
