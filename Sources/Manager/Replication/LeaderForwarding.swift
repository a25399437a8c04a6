/// How a follower hands a write to the leader. The HTTP implementation is what managers use;
/// the protocol keeps the manager testable without sockets and lets an authenticated channel
/// replace HTTP later without touching the manager.
public protocol LeaderForwarding: Sendable {
    /// What the leader answered: the command's outcome or why the state refused it.
    func submit(_ command: ReplicatedCommand, to leader: ServerEntry) async throws(ForwardingFailure) -> ReplicatedResult
}

/// Why forwarding did not produce an answer, split by whether the write may have happened:
/// only a write that certainly did not reach the leader may be sent again.
public enum ForwardingFailure: Error, Sendable, Hashable {
    /// The leader was not reached, or said it does not lead: nothing was applied. Retry.
    case notDelivered(String)
    /// The request left but no answer came back: it may or may not have been applied.
    case outcomeUnknown(String)
}
