/// A member of a Raft group. Numbers, not names: they are compared, hashed and sent in every
/// message. The manager maps them to addresses; 0 means "none" and is never a member.
public struct RaftNodeID: RawRepresentable, Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public init(_ rawValue: UInt64) {
        self.rawValue = rawValue
    }

    public static let none = RaftNodeID(0)

    public static func < (lhs: RaftNodeID, rhs: RaftNodeID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { String(rawValue, radix: 16) }
}
