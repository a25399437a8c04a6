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

    /// The payload of the bootstrap entry: operation 5 sets the whole configuration (voter count
    /// and ids, learner count and ids, little-endian). It is never proposed, only written by
    /// `RaftPersistentState.bootstrap`.
    static func encodeInitial(_ configuration: RaftConfiguration) -> [UInt8] {
        var bytes: [UInt8] = [5]
        for group in [configuration.voters.sorted(), configuration.learners.sorted()] {
            appendLittleEndian(UInt64(group.count), to: &bytes)
            for id in group { appendLittleEndian(id.rawValue, to: &bytes) }
        }
        return bytes
    }

    /// The configuration after the entry payload `bytes` takes effect on `current`, or nil if the
    /// payload is malformed or makes no sense there (the entry then changes nothing).
    static func configuration(applying bytes: [UInt8], to current: RaftConfiguration) -> RaftConfiguration? {
        if bytes.first == 5 {
            var position = 1
            var groups: [Set<RaftNodeID>] = []
            for _ in 0..<2 {
                guard let count = readLittleEndian(bytes, at: &position), count <= UInt64(bytes.count / 8) else { return nil }
                var group: Set<RaftNodeID> = []
                for _ in 0..<count {
                    guard let raw = readLittleEndian(bytes, at: &position), raw != 0 else { return nil }
                    group.insert(RaftNodeID(raw))
                }
                groups.append(group)
            }
            guard position == bytes.count, !groups[0].isEmpty, groups[0].isDisjoint(with: groups[1]) else { return nil }
            return RaftConfiguration(voters: groups[0], learners: groups[1])
        }
        return ConfigurationChange(encoded: bytes)?.applied(to: current)
    }

    private static func appendLittleEndian(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    private static func readLittleEndian(_ bytes: [UInt8], at position: inout Int) -> UInt64? {
        guard position + 8 <= bytes.count else { return nil }
        var value: UInt64 = 0
        for offset in 0..<8 { value |= UInt64(bytes[position + offset]) << UInt64(8 * offset) }
        position += 8
        return value
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
