/// One node's Raft, as a pure value: it takes ticks, messages and proposals, and hands back
/// work (`ready()`): what to persist, what to send, what to apply. It does no I/O and reads
/// no clock, so the same code runs under the real shell and in a deterministic simulator.
///
/// The protocol follows the Raft paper and Ongaro's thesis: pre-vote (§9.6) and check-quorum,
/// pipelined replication with flow control and fast conflict back-off, commitment of
/// current-term entries only (§5.4.2), snapshots sent in chunks, single-server membership
/// changes in force when appended (§4), leadership transfer (§3.10) and ReadIndex (§6.4).
///
/// How a shell drives it (one actor, one loop):
///
///     var raft = RaftInstance(settings: settings, restoring: stateReadFromDisk)  // or .bootstrap(voters:)
///     on a timer:            raft.tick()
///     on a message:          raft.step(message)
///     on a client write:     raft.propose(command)  → .accepted(index, term) / .notLeader(hint)
///     on a linearizable read: raft.readIndex(context: id) → later a ReadState(index, id)
///     after any of these:    while raft.hasReady {
///                                let ready = raft.ready()
///                                persist (snapshot, truncateAfter, entries, hardState) + fsync
///                                send ready.messages; apply ready.committedEntries;
///                                answer ready.readStates once applied ≥ their index
///                                raft.advance(ready)
///                            }
///     every N applied entries: let meta = raft.snapshotTaken(index: applied, data: stateBytes)
///                            write the snapshot (meta + bytes); raft.compact(through: applied - keep)
///
/// Snapshot data: the core keeps the latest snapshot's bytes (restored at start, handed over by
/// `snapshotTaken(index:data:)`, or received from a leader) and sends them, in chunks, to
/// followers that are too far behind for the log. The shell never has to be asked for them.
///
/// Entries of kind `.configurationChange` and `.empty` appear in `committedEntries` too; the
/// state machine skips them (the core has already put configuration changes in force).
public struct RaftInstance: Sendable {
    public let settings: RaftSettings
    var random: SeededGenerator

    // Persistent state (mirrored in HardState).
    public internal(set) var term: UInt64
    public internal(set) var vote: RaftNodeID
    var log: RaftLog

    // Volatile state.
    public internal(set) var role: RaftRole = .follower
    public internal(set) var leader: RaftNodeID = .none
    /// The configuration in force: the latest one in the log, committed or not (§4.1).
    public internal(set) var configuration: RaftConfiguration
    /// The index of the entry that set `configuration` (the snapshot's index if none since).
    public internal(set) var configurationIndex: UInt64
    /// The configuration at the log's compaction point, from which later changes are replayed
    /// when a conflict removes configuration entries.
    var baseConfiguration: RaftConfiguration
    var baseConfigurationIndex: UInt64

    var electionElapsed = 0
    var heartbeatElapsed = 0
    var randomizedElectionTimeout = 0

    // Candidate state: who answered, and how.
    var votes: [RaftNodeID: Bool] = [:]

    // Leader state.
    var progress: [RaftNodeID: FollowerProgress] = [:]
    /// A configuration change may be proposed only once the commit index reaches this: the
    /// previous change, and the leader's first entry of its term (so that a change never rides
    /// on an uncommitted configuration of an earlier leader).
    var pendingConfigurationIndex: UInt64 = 0
    var transferTarget: RaftNodeID = .none
    var transferElapsed = 0
    /// The leader's commit index moved and followers in replicate state should hear of it.
    var commitToBroadcast = false
    var pendingReads: [PendingRead] = []
    var readsAwaitingCommit: [PendingRead] = []
    var readSequence: UInt64 = 0

    // Snapshots.
    var latestSnapshot: RaftSnapshot?
    var incomingSnapshot: IncomingSnapshot?
    var snapshotToPersist: RaftSnapshot?

    // Output waiting for the next Ready.
    var outbox: [RaftMessage] = []
    var earlyOutbox: [RaftMessage] = []
    var readStates: [ReadState] = []
    var lastHardState: HardState
    var lastSoftState: RaftSoftState
    var readyOutstanding = false

    /// Starts a node from what the shell restored (see `RaftPersistentState.bootstrap`).
    public init(settings: RaftSettings, restoring state: RaftPersistentState = RaftPersistentState()) {
        settings.validate()
        self.settings = settings
        self.random = SeededGenerator(seed: settings.seed ^ (settings.id.rawValue &* 0x9E37_79B9_7F4A_7C15))
        self.term = state.hardState.term
        self.vote = state.hardState.vote
        let snapshotIndex = state.snapshot?.metadata.index ?? 0
        let snapshotTerm = state.snapshot?.metadata.term ?? 0
        self.log = RaftLog(
            offsetIndex: snapshotIndex, offsetTerm: snapshotTerm, entries: state.entries,
            committed: state.hardState.commit, applied: state.appliedIndex ?? snapshotIndex)
        let base = state.snapshot?.metadata.configuration ?? RaftConfiguration()
        self.baseConfiguration = base
        self.baseConfigurationIndex = snapshotIndex
        self.configuration = base
        self.configurationIndex = snapshotIndex
        self.latestSnapshot = state.snapshot
        self.lastHardState = HardState(term: state.hardState.term, vote: state.hardState.vote, commit: log.committed)
        if state.isUnpersisted {
            log.persistedIndex = log.offsetIndex
            log.mayBeOnDiskThrough = log.offsetIndex
            lastHardState = .empty
        }
        self.lastSoftState = RaftSoftState(role: .follower, leader: .none, term: state.hardState.term)
        rebuildConfiguration()
        resetRandomizedElectionTimeout()
    }

    /// Messages with a term at or above this are dropped as garbage.
    public static let maximumTerm: UInt64 = 1 << 62

    public var id: RaftNodeID { settings.id }
    public var commitIndex: UInt64 { log.committed }
    public var appliedIndex: UInt64 { log.applied }
    public var lastIndex: UInt64 { log.lastIndex }
    public var lastTerm: UInt64 { log.lastTerm }
    /// The first index still held in memory (entries before it were compacted).
    public var firstIndex: UInt64 { log.firstIndex }
    public var hardState: HardState { HardState(term: term, vote: vote, commit: log.committed) }
    public var softState: RaftSoftState { RaftSoftState(role: role, leader: leader, term: term) }
    /// The metadata of the snapshot the core would send to a lagging follower.
    public var latestSnapshotMetadata: SnapshotMetadata? { latestSnapshot?.metadata }
    /// The leadership transfer in progress, or `.none`.
    public var leadershipTransferTarget: RaftNodeID { transferTarget }

    /// Each follower's replication progress; empty unless this node leads. A learner whose
    /// `match` is close to the leader's `lastIndex` has caught up and may be promoted.
    public var replicationProgress: [RaftNodeID: ReplicationProgress] {
        var result: [RaftNodeID: ReplicationProgress] = [:]
        for (node, pr) in progress {
            result[node] = ReplicationProgress(
                match: pr.match, next: pr.next, state: pr.state,
                isLearner: configuration.learners.contains(node), recentlyActive: pr.recentlyActive)
        }
        return result
    }

    /// The entries the log still holds in `from...through` (for inspection and tests).
    public func entries(from: UInt64, through: UInt64) -> [LogEntry] {
        log.entries(from: from, through: through, maxBytes: Int.max)
    }

    /// Whether this node may stand for election: only voters may.
    var isPromotable: Bool { configuration.voters.contains(id) }

    var quorum: Int { configuration.voters.count / 2 + 1 }

    mutating func resetRandomizedElectionTimeout() {
        let timeout = settings.electionTimeoutTicks
        randomizedElectionTimeout = timeout + Int(random.next() % UInt64(timeout))
    }

    mutating func send(_ message: RaftMessage) {
        if settings.sendAppendsBeforePersist && role == .leader
            && (message.kind == .appendEntries || message.kind == .heartbeat || message.kind == .installSnapshot)
        {
            earlyOutbox.append(message)
        } else {
            outbox.append(message)
        }
    }

    // MARK: - Time

    /// Advances time by one tick: followers count toward an election, leaders toward a
    /// heartbeat and a check-quorum period.
    public mutating func tick() {
        if role == .leader {
            tickLeader()
        } else {
            electionElapsed += 1
            if isPromotable && electionElapsed >= randomizedElectionTimeout {
                electionElapsed = 0
                startCampaign(isLeadershipTransfer: false)
            }
        }
    }

    mutating func tickLeader() {
        electionElapsed += 1
        heartbeatElapsed += 1
        if transferTarget != .none {
            transferElapsed += 1
            if transferElapsed >= settings.electionTimeoutTicks { transferTarget = .none }
        }
        if electionElapsed >= settings.electionTimeoutTicks {
            electionElapsed = 0
            if settings.checkQuorum {
                var active = configuration.voters.contains(id) ? 1 : 0
                for node in configuration.voters where node != id && progress[node]?.recentlyActive == true {
                    active += 1
                }
                if active < quorum {
                    becomeFollower(term: term, leader: .none)
                    return
                }
            }
            for node in progress.keys { progress[node]?.recentlyActive = false }
        }
        // In node order, so the messages (and a replayed simulation) do not depend on hashing.
        for node in progress.keys.sorted() where progress[node]?.state == .snapshot {
            progress[node]?.snapshotTicksSinceSend += 1
            if let ticks = progress[node]?.snapshotTicksSinceSend, ticks >= settings.electionTimeoutTicks {
                resendSnapshot(to: node)
            }
        }
        if heartbeatElapsed >= settings.heartbeatTicks {
            heartbeatElapsed = 0
            broadcastHeartbeat()
        }
    }

    // MARK: - Client requests

    /// Appends a command to the log if this node leads.
    public mutating func propose(_ data: [UInt8]) -> ProposalOutcome {
        guard role == .leader else { return .notLeader(leaderHint: leader) }
        guard transferTarget == .none else { return .refused(.leadershipTransferInProgress) }
        let entry = LogEntry(term: term, index: log.lastIndex + 1, kind: .command, data: data)
        appendAsLeader(entry)
        return .accepted(index: entry.index, term: entry.term)
    }

    /// Proposes one membership change. Refused while another is uncommitted: with one server
    /// changed at a time, any two majorities of consecutive configurations overlap (§4).
    public mutating func proposeConfigurationChange(_ change: ConfigurationChange) -> ProposalOutcome {
        guard role == .leader else { return .notLeader(leaderHint: leader) }
        guard transferTarget == .none else { return .refused(.leadershipTransferInProgress) }
        guard log.committed >= pendingConfigurationIndex, log.committed >= configurationIndex else {
            return .refused(.configurationChangePending)
        }
        guard change.applied(to: configuration) != nil else { return .refused(.invalidConfigurationChange) }
        let entry = LogEntry(term: term, index: log.lastIndex + 1, kind: .configurationChange, data: change.encoded)
        appendAsLeader(entry)
        pendingConfigurationIndex = entry.index
        return .accepted(index: entry.index, term: entry.term)
    }

    /// Starts an election now (a pre-vote first if enabled). Useful to elect the single node of
    /// a new cluster without waiting for a timeout. Ignored on leaders and non-voters.
    public mutating func campaign() {
        guard role != .leader, isPromotable else { return }
        startCampaign(isLeadershipTransfer: false)
    }

    mutating func appendAsLeader(_ entry: LogEntry) {
        log.append(entry)
        if entry.kind == .configurationChange { applyConfigurationEntry(entry) }
        // A single-voter cluster commits as soon as the entry is on disk (see `advance`).
    }
}

/// A read waiting for its leadership confirmation (or for the leader's first commit).
struct PendingRead: Sendable {
    var sequence: UInt64
    var index: UInt64
    var context: [UInt8]
    var requester: RaftNodeID
    var acknowledgements: Set<RaftNodeID>
}

/// A snapshot being reassembled from InstallSnapshot chunks.
struct IncomingSnapshot: Sendable {
    var metadata: SnapshotMetadata
    var term: UInt64
    var totalBytes: UInt64
    var data: [UInt8]
}
