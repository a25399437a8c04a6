/// How the cluster replaces a failed allocation on another node once local restarts are
/// exhausted.
public struct ReschedulePolicy: Sendable, Hashable, Codable {
    public enum DelayFunction: String, Sendable, Hashable, Codable, CaseIterable {
        case constant
        case exponential
        case fibonacci
    }

    public var attempts: Int
    public var interval: Duration
    public var delay: Duration
    public var delayFunction: DelayFunction
    public var maxDelay: Duration
    public var unlimited: Bool

    public init(
        attempts: Int, interval: Duration, delay: Duration, delayFunction: DelayFunction,
        maxDelay: Duration, unlimited: Bool
    ) {
        self.attempts = attempts
        self.interval = interval
        self.delay = delay
        self.delayFunction = delayFunction
        self.maxDelay = maxDelay
        self.unlimited = unlimited
    }

    /// Nomad's defaults: services reschedule without limit with an exponential delay from 30 s
    /// up to 1 h; batch jobs once per 24 h after 5 s. System jobs are never rescheduled (nil).
    public static func defaults(for type: JobType) -> ReschedulePolicy? {
        switch type {
        case .service:
            ReschedulePolicy(
                attempts: 0, interval: .zero, delay: .seconds(30), delayFunction: .exponential,
                maxDelay: .seconds(3600), unlimited: true)
        case .batch:
            ReschedulePolicy(
                attempts: 1, interval: .seconds(24 * 3600), delay: .seconds(5), delayFunction: .constant,
                maxDelay: .zero, unlimited: false)
        case .system, .sysbatch:
            nil
        }
    }
}
