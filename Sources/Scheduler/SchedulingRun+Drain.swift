import ClusterModel

extension SchedulingRun {
    /// The live allocations of a service or batch group that leave draining nodes in this
    /// evaluation. A group moves at most `migrate { max_parallel }` allocations at a time: a
    /// migration counts as in flight until its replacement runs, so the group never loses more
    /// than that many instances to the drain at once. At a drain's deadline everything left on
    /// the node moves. Batch allocations are left to finish until the deadline: moving one would
    /// throw away the work it has done.
    func allocationsToMigrate(_ group: GroupSpec, live: [Allocation], all: [Allocation], isBatch: Bool) -> Set<AllocationID> {
        let evicted = Set(all.lazy.filter { $0.desiredStatus == .evict }.map(\.id))
        var forced = Set<AllocationID>()
        var candidates: [Allocation] = []
        var inFlight = 0
        for allocation in live {
            if let strategy = drainStrategy(ofNodeRunning: allocation) {
                if strategy.isForced(at: now) {
                    forced.insert(allocation.id)
                } else if !isBatch {
                    candidates.append(allocation)
                }
            } else if allocation.clientStatus == .pending, allocation.previousAllocation.map(evicted.contains) == true {
                inFlight += 1
            }
        }
        let room = max(0, max(1, group.migrate?.maxParallel ?? 1) - inFlight)
        return forced.union(candidates.prefix(room).map(\.id))
    }

    /// The drain under way on the allocation's node, if that node is up and draining.
    func drainStrategy(ofNodeRunning allocation: Allocation) -> DrainStrategy? {
        guard let position = positions[allocation.nodeID] else { return nil }
        let node = nodes[position]
        guard node.drain, node.status == .ready else { return nil }
        return node.drainStrategy ?? DrainStrategy(deadline: nil, startedAt: node.statusUpdatedAt)
    }
}
