import Raft

/// What forming managers tell each other (`POST /v1/internal/raft/hello`) until enough of them
/// know each other to bootstrap Raft (`-bootstrap-expect`): who they are, whom they have met,
/// and whether they already started a cluster, with which founding voters.
public struct ServerGreeting: Sendable, Hashable, Codable {
    public var sender: ServerEntry
    public var known: [ServerEntry]
    /// The founding voters, once the sender has bootstrapped (or restarted with state).
    public var bootstrapVoters: [RaftNodeID]?
    /// The sender already belongs to a running cluster.
    public var hasCluster: Bool

    public init(sender: ServerEntry, known: [ServerEntry], bootstrapVoters: [RaftNodeID]?, hasCluster: Bool) {
        self.sender = sender
        self.known = known
        self.bootstrapVoters = bootstrapVoters
        self.hasCluster = hasCluster
    }
}
