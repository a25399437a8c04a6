/// A wall-clock instant as nanoseconds since the Unix epoch. The pure cores never read a clock:
/// the shells pass `now` in, and the state records the instants it was given, so a replayed
/// command log (Raft) produces the same state on every manager.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var nanosecondsSinceEpoch: Int64

    public init(nanosecondsSinceEpoch: Int64) {
        self.nanosecondsSinceEpoch = nanosecondsSinceEpoch
    }

    public static let zero = Timestamp(nanosecondsSinceEpoch: 0)

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }

    /// Saturates instead of trapping, so a huge user-supplied duration cannot crash a core.
    public static func + (lhs: Timestamp, rhs: Duration) -> Timestamp {
        let (sum, overflow) = lhs.nanosecondsSinceEpoch.addingReportingOverflow(rhs.totalNanoseconds)
        return Timestamp(nanosecondsSinceEpoch: overflow ? (rhs < .zero ? .min : .max) : sum)
    }

    public static func - (lhs: Timestamp, rhs: Timestamp) -> Duration {
        let (difference, overflow) = lhs.nanosecondsSinceEpoch.subtractingReportingOverflow(rhs.nanosecondsSinceEpoch)
        return .nanoseconds(overflow ? (lhs < rhs ? Int64.min : Int64.max) : difference)
    }

    public var description: String { "\(nanosecondsSinceEpoch)ns" }

    /// Encoded as a bare integer of nanoseconds, the unit Nomad's JSON API uses for times.
    public init(from decoder: any Decoder) throws {
        nanosecondsSinceEpoch = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(nanosecondsSinceEpoch)
    }
}

extension Duration {
    /// Whole nanoseconds, saturated at Int64's range (a Duration can hold more).
    public var totalNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        let (sum, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }
}
