/// A point on the shell's monotonic clock, in nanoseconds since an arbitrary origin.
///
/// The core never reads a clock: every entry point is handed `now`, so a simulation can drive
/// thousands of instances from one simulated timeline and replay it exactly from a seed.
public struct SWIMInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    public static let zero = SWIMInstant(nanoseconds: 0)

    public static func < (lhs: SWIMInstant, rhs: SWIMInstant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// Saturates instead of trapping so that an absurd setting cannot crash the agent.
    public static func + (lhs: SWIMInstant, rhs: Duration) -> SWIMInstant {
        let (sum, overflow) = lhs.nanoseconds.addingReportingOverflow(rhs.swimNanoseconds)
        return SWIMInstant(nanoseconds: overflow ? (rhs < .zero ? .min : .max) : sum)
    }

    public static func - (lhs: SWIMInstant, rhs: SWIMInstant) -> Duration {
        .nanoseconds(lhs.nanoseconds &- rhs.nanoseconds)
    }

    public var description: String { "\(Double(nanoseconds) / 1e9)s" }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating at the bounds of `Int64`.
    var swimNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow2 ? (seconds < 0 ? .min : .max) : sum
    }

    /// `self` scaled by a factor, for the awareness multiplier and the suspicion formula.
    func swimScaled(by factor: Double) -> Duration {
        let value = Double(swimNanoseconds) * factor
        if !(value < 9.2e18) { return .nanoseconds(Int64.max) }
        if !(value > -9.2e18) { return .nanoseconds(Int64.min) }
        return .nanoseconds(Int64(value))
    }
}
