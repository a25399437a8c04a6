import ClusterModel

/// When each node was last heard from. Kept outside the replicated state on purpose:
/// heartbeats are frequent and only the leader needs them; what they lead to (a node marked
/// down) is a state command.
struct NodeLiveness: Sendable {
    private var lastHeard: [NodeID: Timestamp] = [:]

    mutating func heard(from node: NodeID, at now: Timestamp) {
        lastHeard[node] = now
    }

    /// Nodes silent for longer than `ttl`. Each is reported once per silence: it is forgotten
    /// until it is heard from again.
    mutating func silentNodes(at now: Timestamp, ttl: Duration) -> [NodeID] {
        let silent = lastHeard.filter { now - $0.value > ttl }.map(\.key).sorted()
        for node in silent { lastHeard[node] = nil }
        return silent
    }
}
