/// One batch of work for the shell, in this order:
/// 1. if `snapshot` is set, replace the whole log by it (write it durably, restore the state
///    machine from it);
/// 2. if `truncateAfter` is set, drop every log entry with a bigger index;
/// 3. append `entries` (they always follow the log without a gap) and write `hardState` if
///    set — durably (fsync) before step 4;
/// 4. send `messages` (`messagesBeforePersist` may go out before step 1, or during it);
/// 5. apply `committedEntries` in order, answer `readStates` once applied ≥ their index;
/// 6. call `advance(_:)` with this value.
public struct RaftReady: Sendable, Hashable {
    public var hardState: HardState?
    public var softState: RaftSoftState
    public var snapshot: RaftSnapshot?
    public var truncateAfter: UInt64?
    public var entries: [LogEntry]
    public var messages: [RaftMessage]
    /// Only with `RaftSettings.sendAppendsBeforePersist`: the leader's AppendEntries and
    /// heartbeats, which depend on nothing this Ready persists. Empty otherwise.
    public var messagesBeforePersist: [RaftMessage]
    public var committedEntries: [LogEntry]
    public var readStates: [ReadState]

    public init(
        hardState: HardState? = nil,
        softState: RaftSoftState,
        snapshot: RaftSnapshot? = nil,
        truncateAfter: UInt64? = nil,
        entries: [LogEntry] = [],
        messages: [RaftMessage] = [],
        committedEntries: [LogEntry] = [],
        readStates: [ReadState] = [],
        messagesBeforePersist: [RaftMessage] = []
    ) {
        self.hardState = hardState
        self.softState = softState
        self.snapshot = snapshot
        self.truncateAfter = truncateAfter
        self.entries = entries
        self.messages = messages
        self.committedEntries = committedEntries
        self.readStates = readStates
        self.messagesBeforePersist = messagesBeforePersist
    }

    /// Whether anything must be written before the messages go out.
    public var mustPersist: Bool { hardState != nil || snapshot != nil || truncateAfter != nil || !entries.isEmpty }
}
