import Raft

/// How one manager runs its Raft node: where it keeps its log, where it listens, who its
/// peers are, how long a tick lasts, and when it snapshots.
public struct RaftShellSettings: Sendable {
    public var raft: RaftSettings
    public var dataDirectory: String
    public var listenHost: String
    /// 0 picks a free port (see `RaftShell.port`).
    public var listenPort: Int
    public var peers: [RaftNodeID: PeerAddress]
    /// Election timeouts and heartbeats are counted in ticks (`RaftSettings`); 100 ms with the
    /// default 10-tick timeout gives 1–2 s elections, etcd's default.
    public var tickInterval: Duration
    /// Take a snapshot (and compact the log) after this many applied entries.
    public var snapshotThreshold: UInt64
    /// Entries kept in the log behind a snapshot, so a follower slightly behind catches up by
    /// log rather than by a whole snapshot.
    public var entriesKeptAfterSnapshot: UInt64
    /// The founding voters of a new cluster, used only when the data directory is empty.
    public var bootstrapVoters: Set<RaftNodeID>?
    /// How connections between managers are authenticated and protected: plain (node IDs
    /// stated, nothing encrypted) unless the cluster's certificates are given
    /// (`SecurePeerChannelFactory`).
    public var channels: any PeerChannelFactory = PlainPeerChannelFactory()
    /// Encryption at rest: the key the log and the snapshots are sealed with (see
    /// `AtRestKey`); nil keeps them plain.
    public var atRestKey: AtRestKey?
    /// The transport's limits. Workers' channels arrive on the same port as Raft's, so a
    /// manager that serves many workers needs room for one inbound connection per worker.
    public var transport = FrameTransportSettings()
    /// What the RPC port hands to services other than Raft: joins and worker channels.
    public var inboundDiversion = InboundDiversion()

    public init(
        raft: RaftSettings, dataDirectory: String, listenHost: String = "127.0.0.1", listenPort: Int = 0,
        peers: [RaftNodeID: PeerAddress] = [:], tickInterval: Duration = .milliseconds(100),
        snapshotThreshold: UInt64 = 10_000, entriesKeptAfterSnapshot: UInt64 = 1_000, bootstrapVoters: Set<RaftNodeID>? = nil
    ) {
        self.raft = raft
        self.dataDirectory = dataDirectory
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.peers = peers
        self.tickInterval = tickInterval
        self.snapshotThreshold = snapshotThreshold
        self.entriesKeptAfterSnapshot = entriesKeptAfterSnapshot
        self.bootstrapVoters = bootstrapVoters
    }
}

public struct PeerAddress: Sendable, Hashable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}

/// Why a proposal or a read did not go through. The caller retries elsewhere or later.
public enum RaftShellError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Only the leader takes writes; this node believes `leaderHint` leads (or nobody).
    case notLeader(leaderHint: RaftNodeID)
    case refused(ProposalRefusal)
    /// The entry was replaced by a new leader's log before it committed: it did not happen.
    case lost
    case shutDown
    case storage(String)

    public var description: String {
        switch self {
        case .notLeader(let hint): hint == .none ? "no leader is known" : "not the leader; node \(hint) leads"
        case .refused(let reason): "refused: \(reason.rawValue)"
        case .lost: "the entry was replaced by another leader's before it committed"
        case .shutDown: "the Raft node is shutting down"
        case .storage(let message): "storage failed: \(message)"
        }
    }
}
