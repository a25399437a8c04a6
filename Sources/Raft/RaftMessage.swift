/// Everything nodes say to each other. One flat value type (rather than an enum with payloads)
/// so that the binary codec is a fixed list of fields; each kind documents which it uses.
public struct RaftMessage: Sendable, Hashable, Codable {
    public enum Kind: UInt8, Sendable, Hashable, Codable, CaseIterable {
        /// Leader → follower: `index`/`logTerm` are the entry before `entries`, `commit` is the
        /// leader's commit index. An empty `entries` probes or carries a commit.
        case appendEntries = 1
        /// `reject == false`: the follower's log matches through `index`.
        /// `reject == true`: it does not match at `index`; `hintIndex`/`hintTerm` say where the
        /// leader should look next (the follower's last entry at or below `index` whose term is
        /// at most the leader's `logTerm`), so the leader skips a whole term per round trip.
        case appendEntriesResponse = 2
        /// Candidate → voter: `index`/`logTerm` are the candidate's last entry.
        case requestVote = 3
        /// `reject == false`: vote granted.
        case requestVoteResponse = 4
        /// Like `requestVote`, but `term` is the term the sender *would* campaign in; nobody
        /// changes term or vote because of it.
        case requestPreVote = 5
        case requestPreVoteResponse = 6
        /// Leader → follower: `commit` (never past what the follower is known to hold) and an
        /// opaque `context` echoed back, used to confirm leadership for reads.
        case heartbeat = 7
        case heartbeatResponse = 8
        /// Leader → follower: one chunk of the snapshot described by `snapshot`, starting at byte
        /// `snapshotOffset` of `snapshotTotalBytes`; `snapshotDone` on the last.
        case installSnapshot = 9
        /// `snapshotOffset` is how many bytes of the snapshot at `index` the follower holds;
        /// `snapshotDone` once it has installed it (or already had everything it covers).
        case installSnapshotResponse = 10
        /// Leader → transfer target: campaign now, even without an election timeout.
        case timeoutNow = 11
        /// Follower → leader: a client wants a linearizable read; `context` identifies it.
        case readIndex = 12
        /// Leader → follower: the read `context` may be served once applied ≥ `index`.
        /// `reject` when the leader could not serve it.
        case readIndexResponse = 13
    }

    public var kind: Kind
    public var from: RaftNodeID
    public var to: RaftNodeID
    public var term: UInt64
    public var index: UInt64
    public var logTerm: UInt64
    public var commit: UInt64
    public var entries: [LogEntry]
    public var reject: Bool
    public var hintIndex: UInt64
    public var hintTerm: UInt64
    public var context: [UInt8]
    /// Set on vote requests caused by a leadership transfer: voters then skip the check-quorum
    /// lease (they are still hearing from the leader that asked for the transfer).
    public var isLeadershipTransfer: Bool
    public var snapshot: SnapshotMetadata?
    public var snapshotOffset: UInt64
    public var snapshotTotalBytes: UInt64
    public var snapshotData: [UInt8]
    public var snapshotDone: Bool

    public init(
        kind: Kind,
        from: RaftNodeID,
        to: RaftNodeID,
        term: UInt64,
        index: UInt64 = 0,
        logTerm: UInt64 = 0,
        commit: UInt64 = 0,
        entries: [LogEntry] = [],
        reject: Bool = false,
        hintIndex: UInt64 = 0,
        hintTerm: UInt64 = 0,
        context: [UInt8] = [],
        isLeadershipTransfer: Bool = false,
        snapshot: SnapshotMetadata? = nil,
        snapshotOffset: UInt64 = 0,
        snapshotTotalBytes: UInt64 = 0,
        snapshotData: [UInt8] = [],
        snapshotDone: Bool = false
    ) {
        self.kind = kind
        self.from = from
        self.to = to
        self.term = term
        self.index = index
        self.logTerm = logTerm
        self.commit = commit
        self.entries = entries
        self.reject = reject
        self.hintIndex = hintIndex
        self.hintTerm = hintTerm
        self.context = context
        self.isLeadershipTransfer = isLeadershipTransfer
        self.snapshot = snapshot
        self.snapshotOffset = snapshotOffset
        self.snapshotTotalBytes = snapshotTotalBytes
        self.snapshotData = snapshotData
        self.snapshotDone = snapshotDone
    }

    /// Roughly how many bytes this takes on the wire: used to cap batches, not to size buffers.
    public var sizeEstimate: Int {
        var size = 64 + context.count + snapshotData.count
        for entry in entries { size += entry.sizeEstimate }
        if let snapshot { size += 24 + 8 * snapshot.configuration.members.count }
        return size
    }
}

extension LogEntry {
    /// Bytes on the wire, roughly: the payload plus a fixed header.
    public var sizeEstimate: Int { data.count + 24 }
}
