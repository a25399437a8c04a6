/// How one Raft node behaves. Times are in ticks: the shell decides how long a tick is (the
/// core has no clock), so a simulator can run years of elections in a second.
public struct RaftSettings: Sendable, Hashable, Codable {
    /// This node. Never `.none`.
    public var id: RaftNodeID
    /// A follower that hears nothing from a leader for a random number of ticks in
    /// `[electionTimeoutTicks, 2 × electionTimeoutTicks)` starts an election. The spread keeps
    /// split votes rare; the lower bound is also the leader's lease for check-quorum.
    public var electionTimeoutTicks: Int
    /// A leader sends heartbeats this often. Must be well below the election timeout.
    public var heartbeatTicks: Int
    /// Seeds the generator that draws election timeouts, so a run replays exactly.
    public var seed: UInt64
    /// Ask "would you vote for me?" before bumping the term (thesis §9.6): a node that was cut
    /// off does not disrupt a healthy leader when it comes back.
    public var preVote: Bool
    /// A leader that has not heard from a quorum within an election timeout steps down, and
    /// followers that hear from a leader ignore vote requests for that long.
    public var checkQuorum: Bool
    /// At most this many AppendEntries may be in flight to one follower (flow control).
    public var maxInflightAppends: Int
    /// An AppendEntries carries at most this many bytes of entries (at least one entry).
    public var maxAppendBytes: Int
    /// InstallSnapshot sends the snapshot in chunks of at most this many bytes.
    public var snapshotChunkBytes: Int
    /// A follower refuses to reassemble a snapshot bigger than this (a limit on memory).
    public var maxSnapshotBytes: Int
    /// Let the leader send AppendEntries and heartbeats before its own disk write of the same
    /// Ready (`RaftReady.messagesBeforePersist`), overlapping its fsync with replication (thesis
    /// §10.2.1). Safe: the leader counts itself toward commitment only once its entries are on
    /// its disk, and its term was made durable before it could be elected.
    public var sendAppendsBeforePersist: Bool
    /// One `RaftReady` hands out at most this many bytes of committed entries to apply (at
    /// least one entry), so that a node catching up applies in bounded steps.
    public var maxApplyBytesPerReady: Int
    /// Answer ReadIndex from the leader's lease instead of a heartbeat round. Faster, but safe
    /// only if clocks do not drift more than the election timeout allows; needs `checkQuorum`.
    public var leaseRead: Bool

    public init(
        id: RaftNodeID,
        electionTimeoutTicks: Int = 10,
        heartbeatTicks: Int = 1,
        seed: UInt64 = 0,
        preVote: Bool = true,
        checkQuorum: Bool = true,
        maxInflightAppends: Int = 256,
        maxAppendBytes: Int = 1 << 20,
        snapshotChunkBytes: Int = 1 << 20,
        maxSnapshotBytes: Int = 1 << 32,
        leaseRead: Bool = false,
        maxApplyBytesPerReady: Int = 64 << 20,
        sendAppendsBeforePersist: Bool = false
    ) {
        self.id = id
        self.electionTimeoutTicks = electionTimeoutTicks
        self.heartbeatTicks = heartbeatTicks
        self.seed = seed
        self.preVote = preVote
        self.checkQuorum = checkQuorum
        self.maxInflightAppends = maxInflightAppends
        self.maxAppendBytes = maxAppendBytes
        self.snapshotChunkBytes = snapshotChunkBytes
        self.maxSnapshotBytes = maxSnapshotBytes
        self.leaseRead = leaseRead
        self.maxApplyBytesPerReady = maxApplyBytesPerReady
        self.sendAppendsBeforePersist = sendAppendsBeforePersist
    }

    /// Misuse by the shell (a zero id, a heartbeat not shorter than the election timeout) is a
    /// programmer error: it would make the cluster unable to elect anyone.
    func validate() {
        precondition(id != .none, "RaftSettings.id must not be RaftNodeID.none")
        precondition(electionTimeoutTicks > 0 && heartbeatTicks > 0, "RaftSettings: tick counts must be positive")
        precondition(heartbeatTicks < electionTimeoutTicks, "RaftSettings: heartbeatTicks must be below electionTimeoutTicks")
        precondition(maxInflightAppends > 0 && maxAppendBytes > 0 && snapshotChunkBytes > 0 && maxApplyBytesPerReady > 0, "RaftSettings: limits must be positive")
    }
}
