/// What a leader knows about one follower's log, exposed so that the shell (or an operator)
/// can tell when a learner has caught up and may be promoted.
public struct ReplicationProgress: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable {
        /// Finding where the logs agree: one AppendEntries at a time.
        case probe
        /// Logs agree through `match`: AppendEntries are pipelined up to the in-flight window.
        case replicate
        /// Too far behind for the log: receiving a snapshot.
        case snapshot
    }

    public var match: UInt64
    public var next: UInt64
    public var state: State
    public var isLearner: Bool
    /// Heard from within the current check-quorum period.
    public var recentlyActive: Bool

    public init(match: UInt64, next: UInt64, state: State, isLearner: Bool, recentlyActive: Bool) {
        self.match = match
        self.next = next
        self.state = state
        self.isLearner = isLearner
        self.recentlyActive = recentlyActive
    }
}
