import ClusterModel

/// How a follower hands a write to the leader. The HTTP implementation is what managers use;
/// the protocol keeps the manager testable without sockets and lets an authenticated channel
/// replace HTTP later without touching the manager.
public protocol LeaderForwarding: Sendable {
    /// What the leader answered: the command's outcome or why the state refused it.
    func submit(_ command: ReplicatedCommand, to leader: ServerEntry) async throws(ForwardingFailure) -> ReplicatedResult
    /// Hands a worker's heartbeat to the leader, the only manager that watches for silent
    /// nodes (heartbeats are not written to the log: too frequent for what they say).
    func heartbeat(_ node: NodeID, to leader: ServerEntry) async throws(ForwardingFailure)
}

extension LeaderForwarding {
    public func heartbeat(_ node: NodeID, to leader: ServerEntry) async throws(ForwardingFailure) {
        throw .notDelivered("this manager cannot forward heartbeats")
    }
}

/// Why forwarding did not produce an answer, split by whether the write may have happened:
/// only a write that certainly did not reach the leader may be sent again.
public enum ForwardingFailure: Error, Sendable, Hashable {
    /// The leader was not reached, or said it does not lead: nothing was applied. Retry.
    case notDelivered(String)
    /// The request left but no answer came back: it may or may not have been applied.
    case outcomeUnknown(String)
}
