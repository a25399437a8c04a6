import ClusterModel

/// Counts a task's restarts inside the `restart` policy's interval and decides what happens
/// after each exit. The window opens at the first exit and stays open for `interval`; an exit
/// after the window closed opens a new one with the count back at zero, so a task that fails
/// rarely keeps being restarted forever while a crash loop is stopped after `attempts`.
public struct RestartTracker: Sendable, Hashable {
    public let policy: RestartPolicy
    /// When the current counting window opened; nil before the first exit.
    public private(set) var windowStart: Timestamp?
    /// Exits counted in the current window, including the latest one.
    public private(set) var exitsInWindow: Int = 0

    public init(policy: RestartPolicy) {
        self.policy = policy
    }

    public enum Decision: Sendable, Hashable {
        /// Start again after `delay`. `exhausted` is true when the attempts are used up and mode
        /// `delay` makes the task wait for the window to close instead of failing.
        case restart(after: Duration, exhausted: Bool)
        /// The attempts are used up and mode `fail`: the task fails for good.
        case giveUp
    }

    /// Records an exit at `now` (a failure, or any exit of a service task) and decides.
    public mutating func recordExit(now: Timestamp) -> Decision {
        let interval = Self.nonNegative(policy.interval)
        if let start = windowStart, now <= start + interval {
            exitsInWindow = exitsInWindow < Int.max ? exitsInWindow + 1 : exitsInWindow
        } else {
            windowStart = now
            exitsInWindow = 1
        }
        let delay = Self.nonNegative(policy.delay)
        if exitsInWindow <= max(policy.attempts, 0) {
            return .restart(after: delay, exhausted: false)
        }
        switch policy.mode {
        case .fail:
            return .giveUp
        case .delay:
            // Wait for the window to close; the next exit then opens a fresh window.
            let windowEnd = (windowStart ?? now) + interval
            let remaining = windowEnd - now
            return .restart(after: max(remaining, delay), exhausted: true)
        }
    }

    private static func nonNegative(_ duration: Duration) -> Duration { duration < .zero ? .zero : duration }
}
