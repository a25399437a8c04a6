import ClusterModel

/// When each node was last heard from, and since when gossip has held it failed. Kept outside
/// the replicated state on purpose: heartbeats and gossip verdicts are frequent and only the
/// leader needs them; what they lead to (a node marked down) is a state command.
struct NodeLiveness: Sendable {
    private var lastHeard: [NodeID: Timestamp] = [:]
    private var failedByGossipSince: [NodeID: Timestamp] = [:]

    /// A heartbeat: the node is alive whatever gossip said before, since the node reached the
    /// leader itself (gossip's verdict may come from a UDP-only fault).
    mutating func heard(from node: NodeID, at now: Timestamp) {
        lastHeard[node] = now
        failedByGossipSince[node] = nil
    }

    /// Gossip declared the node failed. Only a suggestion: the leader acts on it after a grace
    /// period without a heartbeat (`nodesFailedByGossip`). A repeated verdict keeps the first time.
    mutating func gossipDeclaredFailed(_ node: NodeID, at now: Timestamp) {
        if failedByGossipSince[node] == nil { failedByGossipSince[node] = now }
    }

    /// Gossip sees the node alive again (it refuted, or rejoined): the suggestion is withdrawn.
    mutating func gossipDeclaredAlive(_ node: NodeID) {
        failedByGossipSince[node] = nil
    }

    /// Nodes silent for longer than `ttl`. Each is reported once per silence: it is forgotten
    /// until it is heard from again.
    mutating func silentNodes(at now: Timestamp, ttl: Duration) -> [NodeID] {
        let silent = lastHeard.filter { now - $0.value > ttl }.map(\.key).sorted()
        for node in silent { forget(node) }
        return silent
    }

    /// Nodes gossip has held failed for at least `grace`, with no heartbeat since. Each is
    /// reported once, like a silent node.
    mutating func nodesFailedByGossip(at now: Timestamp, grace: Duration) -> [NodeID] {
        let failed = failedByGossipSince.filter { now - $0.value >= grace }.map(\.key).sorted()
        for node in failed { forget(node) }
        return failed
    }

    /// Stops watching a node (it was removed from the cluster).
    mutating func forget(_ node: NodeID) {
        lastHeard[node] = nil
        failedByGossipSince[node] = nil
    }
}
