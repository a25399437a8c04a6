/// What a node must have on disk before it sends any message that depends on it: its current
/// term, whom it voted for in that term, and how far it knows the log is committed.
public struct HardState: Sendable, Hashable, Codable {
    public var term: UInt64
    public var vote: RaftNodeID
    public var commit: UInt64

    public init(term: UInt64 = 0, vote: RaftNodeID = .none, commit: UInt64 = 0) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }

    public static let empty = HardState()
}
