import ClusterModel

/// Turns one evaluation into a `Plan`: which allocations to place where, which to stop, and,
/// for what cannot be placed, why. It is a pure function of an immutable state, the instant
/// and a random generator, so the same inputs always give the same plan (the simulation
/// tests replay seeds) and any manager can run it on its own snapshot.
public struct Scheduler: Sendable {
    public var settings: SchedulerSettings

    public init(settings: SchedulerSettings = SchedulerSettings()) {
        self.settings = settings
    }

    /// Reconciles the evaluation's job with the cluster.
    ///
    /// The returned plan's `evaluation` is the input evaluation with its outcome filled in:
    /// status `complete` (or `blocked` when a blocked evaluation is retried and still cannot
    /// place everything), `queuedAllocations` per group, `failedGroupAllocations` with the
    /// reasons, and `blockedEvaluation` when a new blocked evaluation is among
    /// `followupEvaluations`. Delayed reschedules also appear there, with `waitUntil` set.
    public func process(
        _ evaluation: Evaluation, state: some SchedulerState, now: Timestamp,
        random: inout some RandomNumberGenerator
    ) -> Plan {
        var run = SchedulingRun(
            evaluation: evaluation, state: state, now: now, settings: settings)
        run.schedule(random: &random)
        return run.plan
    }
}

/// Tunables of the scheduler, with the defaults Nomad uses where it has one.
public struct SchedulerSettings: Sendable, Hashable {
    /// Where dynamic ports are drawn from on every node.
    public var dynamicPortRange: ClosedRange<Int>
    /// A failed allocation whose reschedule is due within this window is replaced now rather
    /// than through a follow-up evaluation.
    public var rescheduleWindow: Duration
    /// Bounds the work (and the plan size) of one evaluation; what is left is queued and a
    /// follow-up evaluation continues.
    public var maximumPlacementsPerEvaluation: Int
    /// Bounds the reschedule history an allocation carries to its replacement.
    public var maximumRescheduleEvents: Int
    /// How many nodes that can take an allocation are ranked before the best of them is chosen.
    /// Ranking every feasible node makes a placement cost O(nodes), which on a large cluster
    /// dominates everything else; the candidates are the next nodes with room after where the
    /// group's previous placement looked, so a group keeps filling the same nodes (good
    /// packing) and a full node is skipped once per evaluation, not once per placement.
    public var candidateLimit: Int

    public init(
        dynamicPortRange: ClosedRange<Int> = 20000...32000, rescheduleWindow: Duration = .seconds(1),
        maximumPlacementsPerEvaluation: Int = 50_000, maximumRescheduleEvents: Int = 32,
        candidateLimit: Int = 64
    ) {
        self.candidateLimit = max(1, candidateLimit)
        self.dynamicPortRange = dynamicPortRange
        self.rescheduleWindow = rescheduleWindow
        self.maximumPlacementsPerEvaluation = maximumPlacementsPerEvaluation
        self.maximumRescheduleEvents = maximumRescheduleEvents
    }
}
