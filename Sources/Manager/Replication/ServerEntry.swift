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
    /// The newest form of Raft log entry this manager's build reads; nil for builds from before
    /// binary plan entries, which read JSON entries only. The leader writes plans in the
    /// binary form only once every manager reads it, so that during a rolling upgrade no
    /// manager is handed an entry it cannot apply. A manager announces its own entry (with
    /// this field) when it starts.
    public var logFormat: Int?

    /// Every entry as JSON.
    public static let jsonLogFormat = 1
    /// Plans in `PlanEntryCodec`'s binary form, everything else as JSON.
    public static let binaryPlansLogFormat = 2
    /// What this build reads.
    public static let currentLogFormat = binaryPlansLogFormat

    public init(id: RaftNodeID, name: String, raftAddress: String, httpAddress: String, logFormat: Int? = nil) {
        self.id = id
        self.name = name
        self.raftAddress = raftAddress
        self.httpAddress = httpAddress
        self.logFormat = logFormat
    }

    /// Whether this manager reads plans in the binary form.
    var readsBinaryPlans: Bool { (logFormat ?? Self.jsonLogFormat) >= Self.binaryPlansLogFormat }
}
