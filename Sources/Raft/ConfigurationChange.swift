/// One membership change (thesis §4: one server at a time, in force as soon as it is appended).
public enum ConfigurationChange: Sendable, Hashable, Codable {
    /// Add a voter directly (or promote it, if it is a learner).
    case addVoter(RaftNodeID)
    /// Add a non-voting member that receives the log; promote it once it has caught up.
    case addLearner(RaftNodeID)
    case promoteLearner(RaftNodeID)
    case removeMember(RaftNodeID)

    public var node: RaftNodeID {
        switch self {
        case .addVoter(let id), .addLearner(let id), .promoteLearner(let id), .removeMember(let id): id
        }
    }

    /// The configuration after this change, or nil if it makes no sense against `current`
    /// (adding a voter twice, promoting a non-learner, removing a stranger or the last voter).
    public func applied(to current: RaftConfiguration) -> RaftConfiguration? {
        var next = current
        switch self {
        case .addVoter(let id):
            guard id != .none, !current.voters.contains(id) else { return nil }
            next.learners.remove(id)
            next.voters.insert(id)
        case .addLearner(let id):
            guard id != .none, !current.members.contains(id) else { return nil }
            next.learners.insert(id)
        case .promoteLearner(let id):
            guard current.learners.contains(id) else { return nil }
            next.learners.remove(id)
            next.voters.insert(id)
        case .removeMember(let id):
            guard current.members.contains(id) else { return nil }
            next.voters.remove(id)
            next.learners.remove(id)
            if next.voters.isEmpty { return nil }
        }
        return next
    }

    /// The entry payload: one byte of operation, then the node id in 8 little-endian bytes.
    /// Fixed and tiny so that every node decodes the same change from the same entry.
    public var encoded: [UInt8] {
        let operation: UInt8
        switch self {
        case .addVoter: operation = 1
        case .addLearner: operation = 2
        case .promoteLearner: operation = 3
        case .removeMember: operation = 4
        }
        var bytes: [UInt8] = [operation]
        let raw = node.rawValue
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: raw >> UInt64(shift))) }
        return bytes
    }

    /// Decodes an entry payload; nil for anything malformed (such an entry changes nothing).
    public init?(encoded bytes: [UInt8]) {
        guard bytes.count == 9 else { return nil }
        var raw: UInt64 = 0
        for offset in 0..<8 { raw |= UInt64(bytes[1 + offset]) << UInt64(8 * offset) }
        let id = RaftNodeID(raw)
        switch bytes[0] {
        case 1: self = .addVoter(id)
        case 2: self = .addLearner(id)
        case 3: self = .promoteLearner(id)
        case 4: self = .removeMember(id)
        default: return nil
        }
    }
}
