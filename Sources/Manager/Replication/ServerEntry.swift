import Raft

/// One manager as the others know it: its Raft identity and where to reach it. Replicated
/// (`ReplicatedCommand.upsertServer`) so that every manager, including one that joins or
/// restarts later, can dial every other and forward writes to whichever one leads.
public struct ServerEntry: Sendable, Hashable, Codable {
    public var id: RaftNodeID
    public var name: String
    /// `host:port` of the Raft transport.
    public var raftAddress: String
    /// `host:port` of the HTTP API, where followers forward writes.
    public var httpAddress: String

    public init(id: RaftNodeID, name: String, raftAddress: String, httpAddress: String) {
        self.id = id
        self.name = name
        self.raftAddress = raftAddress
        self.httpAddress = httpAddress
    }
}
