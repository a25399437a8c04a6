/// What a node is doing in its current term.
public enum RaftRole: String, Sendable, Hashable, Codable {
    case follower
    /// Asking for pre-votes without having bumped its term yet (thesis §9.6).
    case preCandidate
    case candidate
    case leader
}

/// What the shell may want to know but need not persist: who leads, and what this node is.
public struct RaftSoftState: Sendable, Hashable, Codable {
    public var role: RaftRole
    public var leader: RaftNodeID
    public var term: UInt64

    public init(role: RaftRole, leader: RaftNodeID, term: UInt64) {
        self.role = role
        self.leader = leader
        self.term = term
    }
}
