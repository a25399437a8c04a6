import API
import ClusterModel

/// What `roost job plan` reports: the diff against the running version, and what the
/// scheduler would do per group if the job were submitted now — computed on a copy of the
/// state, so nothing changes.
public struct JobPlanResult: Sendable, Hashable {
    public typealias GroupUpdates = JobPlanGroupUpdates

    public var diff: [String]
    public var groups: [String: GroupUpdates]
    /// Groups the scheduler could not place completely, with its reasons.
    public var failed: [String: AllocationMetrics]
    /// The job's modify index now (0 for a new job), for a later check-and-set submit.
    public var jobModifyIndex: UInt64
    public var warnings: [String]
    /// Lower-priority allocations of other jobs the placements would stop (preemption).
    public var preempted: [Allocation] = []

    /// Whether submitting would create or destroy allocations.
    public var changesAllocations: Bool {
        groups.values.contains(where: \.changesAllocations)
    }
}
