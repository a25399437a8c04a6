import ClusterRPC

/// How a worker reaches the managers over RPC, with documented defaults.
public struct RemoteManagerLinkSettings: Sendable {
    /// The channel's limits (frame cap, handshake and send timeouts).
    public var rpc: RPCSettings
    /// How long a call other than the long poll may wait for its answer. Long enough for a
    /// follower to wait out a leader election (the manager's `leaderWait`, 7 s), short enough
    /// that a hung manager is left for the next one within about one default heartbeat TTL.
    public var callTimeout: Duration
    /// Added to a long poll's `wait` for its answer to arrive before the call counts as lost.
    public var longPollGrace: Duration
    /// The first pause after a round in which no manager could be reached; doubled after
    /// each such round up to `maximumBackoff`, reset by a successful connect.
    public var initialBackoff: Duration
    public var maximumBackoff: Duration
    /// The most allocation reports one `updateAllocations` call carries; more go in the next.
    public var maximumBatch: Int

    public init(
        rpc: RPCSettings = RPCSettings(), callTimeout: Duration = .seconds(10), longPollGrace: Duration = .seconds(15),
        initialBackoff: Duration = .milliseconds(100), maximumBackoff: Duration = .seconds(5), maximumBatch: Int = 1_000
    ) {
        precondition(maximumBatch >= 1, "RemoteManagerLinkSettings.maximumBatch must be at least 1")
        self.rpc = rpc
        self.callTimeout = callTimeout
        self.longPollGrace = longPollGrace
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.maximumBatch = maximumBatch
    }
}
