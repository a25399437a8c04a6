import ClusterModel

/// Chooses which running allocations on one node to stop so that a higher-priority
/// allocation fits. Pure: the caller passes the node's live allocations, its usage and a fit
/// test, and gets back a set of victims or nil.
///
/// The rules are the ones users are promised: only work at least `priorityGap` below the
/// placing job's priority is ever chosen (equal or higher priority never is), the
/// lowest-priority work goes first, and the result is minimal, in that dropping any one victim
/// would no longer make room. Among nodes, `Cost` prefers fewer victims, then lower
/// priorities, then less capacity taken away.
enum Preemptor {
    /// How far below the placing job's priority work must be to be preempted (Nomad's gap).
    static let priorityGap = 10

    /// How disruptive a set of victims is; smaller is better.
    struct Cost: Comparable {
        var count: Int
        var highestPriority: Int
        var prioritySum: Int
        /// Freed CPU and memory as fractions of the node's capacity, summed.
        var size: Double

        static func < (lhs: Cost, rhs: Cost) -> Bool {
            (lhs.count, lhs.highestPriority, lhs.prioritySum, lhs.size) < (rhs.count, rhs.highestPriority, rhs.prioritySum, rhs.size)
        }
    }

    /// Whether work of `victimPriority` may be stopped for work of `priority`.
    static func mayPreempt(_ victimPriority: Int, for priority: Int) -> Bool {
        victimPriority <= priority.saturatingSubtract(priorityGap)
    }

    /// The allocations of `live` to stop so that `fits` holds for the node's usage without
    /// them, or nil when no allowed set is enough.
    ///
    /// - Parameters:
    ///   - live: the node's live allocations not already stopped by the plan.
    ///   - usage: the node's usage as the plan leaves it so far.
    ///   - neededPorts: static host ports the new allocation asks for; whoever holds one must go.
    ///   - fits: whether the new allocation fits the node given a usage.
    static func victims(
        among live: [Allocation], priority: Int, usage: NodeUsage, capacity: NodeResources, neededPorts: [Int],
        fits: (NodeUsage) -> Bool
    ) -> (victims: [Allocation], cost: Cost)? {
        func size(_ allocation: Allocation) -> Double {
            let demand = ResourceDemand(allocation)
            let cpu = capacity.cpuMHz > 0 ? Double(demand.cpuMHz) / Double(capacity.cpuMHz) : 0
            let memory = capacity.memoryMiB > 0 ? Double(demand.memoryMiB) / Double(capacity.memoryMiB) : 0
            return cpu + memory
        }
        func remaining(without chosen: [Allocation]) -> NodeUsage {
            var remaining = usage
            for allocation in chosen { remaining.remove(allocation) }
            return remaining
        }
        // Holders of a port the new allocation needs must go whatever their size; one that
        // may not be preempted rules the node out.
        let ports = Set(neededPorts)
        var mandatory: [Allocation] = []
        for allocation in live where allocation.ports.contains(where: { ports.contains($0.value) }) {
            guard mayPreempt(allocation.job.priority, for: priority) else { return nil }
            mandatory.append(allocation)
        }
        let mandatoryIDs = Set(mandatory.map(\.id))
        // Lowest priority first; within a priority, larger first, so fewer are needed.
        var pool = live.filter { !mandatoryIDs.contains($0.id) && mayPreempt($0.job.priority, for: priority) }
            .map { (allocation: $0, size: size($0)) }
            .sorted { ($0.allocation.job.priority, -$0.size, $0.allocation.id) < ($1.allocation.job.priority, -$1.size, $1.allocation.id) }
        var chosen = mandatory
        while !fits(remaining(without: chosen)) {
            guard let lowest = pool.first?.allocation.job.priority else { return nil }
            // At the lowest priority left, the smallest allocation that is enough on its own
            // beats the largest (which is taken when none is enough).
            let level = pool.indices.filter { pool[$0].allocation.job.priority == lowest }
            let enough = level.filter { fits(remaining(without: chosen + [pool[$0].allocation])) }
            let pick = enough.min { pool[$0].size < pool[$1].size } ?? level[0]
            chosen.append(pool.remove(at: pick).allocation)
        }
        // Minimal: drop, highest priority and largest first, any victim the rest do without.
        let optional = chosen.filter { !mandatoryIDs.contains($0.id) }
            .sorted { ($0.job.priority, size($0), $0.id) > ($1.job.priority, size($1), $1.id) }
        for candidate in optional {
            let without = chosen.filter { $0.id != candidate.id }
            if fits(remaining(without: without)) { chosen = without }
        }
        let cost = Cost(
            count: chosen.count, highestPriority: chosen.map(\.job.priority).max() ?? 0,
            prioritySum: chosen.reduce(0) { $0.saturatingAdd($1.job.priority) }, size: chosen.reduce(0) { $0 + size($1) })
        return (chosen, cost)
    }
}
