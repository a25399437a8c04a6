/// What the shell read back from disk when the node starts: the hard state, the latest
/// snapshot (if any) and the log entries after it, in order.
public struct RaftPersistentState: Sendable, Hashable {
    public var hardState: HardState
    public var snapshot: RaftSnapshot?
    public var entries: [LogEntry]
    /// The index the state machine has already applied (it restored the snapshot, and maybe
    /// more). Committed entries after it are handed out again in `RaftReady.committedEntries`.
    /// `nil` means "the snapshot's index" (or 0).
    public var appliedIndex: UInt64?

    public init(hardState: HardState = .empty, snapshot: RaftSnapshot? = nil, entries: [LogEntry] = [], appliedIndex: UInt64? = nil) {
        self.hardState = hardState
        self.snapshot = snapshot
        self.entries = entries
        self.appliedIndex = appliedIndex
    }

    /// A brand-new node of a brand-new cluster: every founding voter starts from the same
    /// configuration, expressed as a snapshot at index 0 with no data. Nodes that join later
    /// start from `RaftPersistentState()` (no configuration) and learn it from the leader.
    public static func bootstrap(voters: Set<RaftNodeID>, learners: Set<RaftNodeID> = []) -> RaftPersistentState {
        let metadata = SnapshotMetadata(index: 0, term: 0, configuration: RaftConfiguration(voters: voters, learners: learners))
        return RaftPersistentState(snapshot: RaftSnapshot(metadata: metadata, data: []))
    }
}
