import ClusterModel

extension ReschedulePolicy {
    /// The wait before the next replacement, after `attempts` earlier reschedules of the same
    /// slot: constant, doubling, or growing like the Fibonacci sequence, never beyond
    /// `maxDelay` when one is set. Saturates rather than overflowing.
    public func delay(afterAttempts attempts: Int) -> Duration {
        let base = max(0, delay.totalNanoseconds)
        let ceiling = maxDelay > .zero ? maxDelay.totalNanoseconds : Int64.max
        var current = base
        switch delayFunction {
        case .constant:
            break
        case .exponential:
            for _ in 0..<max(0, attempts) {
                let (doubled, overflow) = current.multipliedReportingOverflow(by: 2)
                current = overflow ? .max : doubled
                if current >= ceiling { break }
            }
        case .fibonacci:
            var previous = base
            for _ in 1..<max(1, attempts) {
                let (next, overflow) = current.addingReportingOverflow(previous)
                previous = current
                current = overflow ? .max : next
                if current >= ceiling { break }
            }
        }
        return .nanoseconds(min(current, ceiling))
    }
}
