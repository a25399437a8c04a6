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

    /// True for a state that is not on disk yet (made by `bootstrap`): the first `RaftReady`
    /// then carries its entries and hard state, so that the shell persists them like any other.
    public var isUnpersisted: Bool

    public init(
        hardState: HardState = .empty, snapshot: RaftSnapshot? = nil, entries: [LogEntry] = [], appliedIndex: UInt64? = nil,
        isUnpersisted: Bool = false
    ) {
        self.hardState = hardState
        self.snapshot = snapshot
        self.entries = entries
        self.appliedIndex = appliedIndex
        self.isUnpersisted = isUnpersisted
    }

    /// A founding member of a brand-new cluster. Every founder starts from the same log: one
    /// committed entry at index 1 (term 0) that sets the initial configuration. Keeping it in
    /// the log (rather than in a snapshot at index 0) means a node that joins later, with an
    /// empty log, learns the configuration it is joining by replication like everything else.
    /// Call it only when the disk is empty; the first `RaftReady` persists it. Nodes that join
    /// later start from `RaftPersistentState()` and are added by a configuration change.
    public static func bootstrap(voters: Set<RaftNodeID>, learners: Set<RaftNodeID> = []) -> RaftPersistentState {
        let configuration = RaftConfiguration(voters: voters, learners: learners)
        let entry = LogEntry(term: 0, index: 1, kind: .configurationChange, data: ConfigurationChange.encodeInitial(configuration))
        return RaftPersistentState(hardState: HardState(term: 0, vote: .none, commit: 1), entries: [entry], isUnpersisted: true)
    }
}
