/// How an operator asked a node to be drained (`roost node drain -enable`): its allocations
/// move elsewhere, each group no faster than its `migrate { max_parallel }`, until the deadline;
/// what is still there at the deadline is moved at once.
public struct DrainStrategy: Sendable, Hashable, Codable {
    /// When every remaining allocation is moved regardless of `max_parallel`; nil for no
    /// deadline. Batch allocations are left to finish until then, as they cannot move mid-run.
    public var deadline: Timestamp?
    /// Leave system jobs' allocations running: a node being drained for maintenance often
    /// still wants its log shipper or monitoring agent.
    public var ignoreSystemJobs: Bool
    public var startedAt: Timestamp

    public init(deadline: Timestamp?, ignoreSystemJobs: Bool = false, startedAt: Timestamp) {
        self.deadline = deadline
        self.ignoreSystemJobs = ignoreSystemJobs
        self.startedAt = startedAt
    }

    /// Whether the deadline has passed at `now`.
    public func isForced(at now: Timestamp) -> Bool {
        deadline.map { now >= $0 } ?? false
    }
}
