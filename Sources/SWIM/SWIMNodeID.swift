/// The identity of a gossip member. A number rather than a name because it is compared, hashed
/// and sent in every message; the agent derives it from its node ID and keeps it across
/// restarts, so that a restarted node is recognised (and refutes its old death) rather than
/// appearing as a stranger.
public struct SWIMNodeID: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public static func < (lhs: SWIMNodeID, rhs: SWIMNodeID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { String(rawValue, radix: 16) }
}
