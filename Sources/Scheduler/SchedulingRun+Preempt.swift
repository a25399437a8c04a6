import ClusterModel

/// A job some of whose allocations a plan preempts.
struct PreemptedJob {
    var namespace: String
    var id: String
    var priority: Int
    var type: JobType
}

extension SchedulingRun {
    /// When no node has room for an allocation of the group: the node where stopping
    /// lower-priority work makes room most cheaply (see `Preemptor`), and that work.
    func preemptionTarget(
        among positions: [Int], placer: GroupPlacer, priority: Int
    ) -> (position: Int, victims: [Allocation])? {
        var best: (position: Int, victims: [Allocation], cost: Preemptor.Cost)?
        for position in positions where usageLoaded[position] {
            let node = nodes[position]
            if placer.hasPlacementRules,
                placer.placementRejection(node: node, jobCount: jobCountOnNode[position], groupCount: placer.groupCounts[position]) != nil
            {
                continue
            }
            let demand = placer.fixedDemand ?? placer.demand(on: node)
            let capacity = capacities[position]
            // Nothing stopped can make room for more than the whole node.
            if demand.cpuMHz > capacity.cpuMHz || demand.memoryMiB > capacity.memoryMiB { continue }
            let stopped = Set((plan.stops[node.id] ?? []).map(\.id))
            let live = state.allocations(onNode: node.id).filter { !$0.isTerminal && !stopped.contains($0.id) }
            guard live.contains(where: { Preemptor.mayPreempt($0.job.priority, for: priority) }) else { continue }
            let found = Preemptor.victims(
                among: live, priority: priority, usage: usages[position], capacity: capacity, neededPorts: demand.ports
            ) { usage in
                usage.exhaustedDimension(adding: demand, capacity: capacity) == nil && placer.dynamicPortShortage(usage) == nil
            }
            guard let found else { continue }
            if let current = best, !(found.cost < current.cost) { continue }
            best = (position, found.victims, found.cost)
        }
        return best.map { ($0.position, $0.victims) }
    }

    /// Stops a lower-priority allocation of another job for `allocation` (placed on the same
    /// node): a stop in the plan whose description names the preempting allocation, so the
    /// plan applier counts its resources as free and users see why their work stopped.
    mutating func preempt(_ victim: Allocation, for allocation: Allocation, at position: Int) {
        var stopped = victim
        stopped.desiredStatus = .stop
        stopped.desiredDescription =
            "Preempted by allocation \(allocation.id) of job \(allocation.jobID) (priority \(allocation.job.priority))"
        stopped.modifyTime = now
        plan.stops[victim.nodeID, default: []].append(stopped)
        if usageLoaded[position] { usages[position].remove(victim) }
        if !preemptedJobs.contains(where: { $0.namespace == victim.namespace && $0.id == victim.jobID }) {
            preemptedJobs.append(
                PreemptedJob(namespace: victim.namespace, id: victim.jobID, priority: victim.job.priority, type: victim.job.type))
        }
    }

    /// One evaluation per preempted job, so the scheduler places its stopped work again
    /// (blocked until capacity appears when the cluster is full).
    mutating func evaluatePreemptedJobs(random: inout some RandomNumberGenerator) {
        for job in preemptedJobs {
            let record = state.job(namespace: job.namespace, id: job.id)
            plan.followupEvaluations.append(
                Evaluation(
                    id: .random(using: &random), namespace: job.namespace, priority: record?.spec.priority ?? job.priority,
                    jobType: record?.spec.type ?? job.type, triggeredBy: .preemption, jobID: job.id,
                    jobModifyIndex: record?.jobModifyIndex ?? 0, status: .pending, previousEvaluation: evaluation.id,
                    createTime: now, modifyTime: now))
        }
    }
}
