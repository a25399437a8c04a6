import ClusterModel

/// One evaluation being scheduled: the working state of `Scheduler.process`. It copies
/// nothing from the state but the nodes; per-node usage is loaded once from the state's
/// tallies and then kept current as the plan stops and places, so a placement costs one pass
/// over the feasible nodes, not over the cluster's allocations.
struct SchedulingRun<State: SchedulerState> {
    let evaluation: Evaluation
    let state: State
    let now: Timestamp
    let settings: SchedulerSettings
    var plan: Plan

    /// Every node, by ID, and where each sits in that order.
    var nodes: [Node] = []
    var positions: [NodeID: Int] = [:]
    /// Usage per node position, loaded for the candidate nodes (the only ones placed on).
    var usages: [NodeUsage] = []
    var usageLoaded: [Bool] = []
    var capacities: [NodeResources] = []
    /// Live allocations of this job per node position, and per group (plan included).
    var jobCountOnNode: [Int] = []
    var groupCountOnNode: [String: [Int]] = [:]
    /// The job's live allocations as the plan leaves them, kept only when a
    /// `distinct_property` rule needs them (keeping them costs a hash insert per placement).
    var liveAllocations: [AllocationID: Allocation] = [:]
    var tracksLiveAllocations = false
    var checker = FeasibilityChecker()
    /// Nodes the job may use at all: schedulable, in its node pool and datacenters.
    var candidates: [Int] = []
    var placementsMade = 0
    /// Placements the reconcilers asked for so far (bounded like `placementsMade`).
    var requestedPlacements = 0

    /// What was asked per group and what could not be placed.
    var unplaced: [String: Int] = [:]
    var failures: [String: AllocationMetrics] = [:]
    /// Placements beyond `maximumPlacementsPerEvaluation`, left for a follow-up evaluation.
    var deferred = 0
    /// The deployment this run rolls under, and its canaries (SchedulingRun+Deployment).
    var rollout = RolloutPlanning()
    /// Whether this job's scheduler type may preempt (the replicated scheduler configuration).
    var mayPreempt = false
    /// Jobs whose allocations this plan preempts, in the order first met, each to get an
    /// evaluation so its work is placed again (SchedulingRun+Preempt).
    var preemptedJobs: [PreemptedJob] = []

    init(evaluation: Evaluation, state: State, now: Timestamp, settings: SchedulerSettings) {
        self.evaluation = evaluation
        self.state = state
        self.now = now
        self.settings = settings
        var outcome = evaluation
        outcome.status = .complete
        outcome.statusDescription = ""
        outcome.modifyTime = now
        outcome.failedGroupAllocations = [:]
        outcome.queuedAllocations = [:]
        outcome.blockedEvaluation = nil
        plan = Plan(
            evaluationID: evaluation.id, jobID: evaluation.jobID, namespace: evaluation.namespace,
            priority: evaluation.priority, evaluation: outcome)
    }

    mutating func schedule(random: inout some RandomNumberGenerator) {
        let allocations = state.allocations(namespace: evaluation.namespace, jobID: evaluation.jobID)
        guard let record = state.job(namespace: evaluation.namespace, id: evaluation.jobID), !record.stopped else {
            let reason = state.job(namespace: evaluation.namespace, id: evaluation.jobID) == nil ? "purged" : "stopped"
            for allocation in allocations where allocation.desiredStatus == .run && !allocation.clientStatus.isTerminal {
                stop(allocation, because: "alloc not needed since the job was \(reason)")
            }
            return
        }
        plan.priority = record.spec.priority
        mayPreempt = state.schedulerConfiguration().preemptionEnabled(for: record.spec.type)
        let rules = record.spec.constraints + record.spec.groups.flatMap { $0.constraints + $0.tasks.flatMap(\.constraints) }
        tracksLiveAllocations = rules.contains { $0.operand == "distinct_property" }
        loadNodes(for: record.spec, allocations: allocations)
        let known = Set(record.spec.groups.map(\.name))
        for allocation in allocations
        where !known.contains(allocation.groupName) && allocation.desiredStatus == .run
            && !allocation.clientStatus.isTerminal
        {
            stop(allocation, because: "alloc not needed since its group was removed from the job")
        }
        var byGroup: [String: [Allocation]] = [:]
        for allocation in allocations where known.contains(allocation.groupName) {
            byGroup[allocation.groupName, default: []].append(allocation)
        }
        // Every group's stops go into the plan before any placement, so placements can use
        // what the stops free.
        var requests: [(group: GroupSpec, requests: [PlacementRequest])] = []
        for group in record.spec.groups {
            let allocations = byGroup[group.name] ?? []
            switch record.spec.type {
            case .service, .batch:
                requests.append((group, reconcile(group, of: record, allocations: allocations, random: &random)))
            case .system, .sysbatch:
                requests.append((group, reconcileSystem(group, of: record, allocations: allocations, random: &random)))
            }
        }
        place(requests, of: record, random: &random)
        attachDeployment()
        evaluatePreemptedJobs(random: &random)
        finish(record, random: &random)
    }

    // MARK: Nodes and tallies

    private mutating func loadNodes(for job: JobSpec, allocations: [Allocation]) {
        nodes = state.allNodes().sorted { $0.id < $1.id }
        usages = Array(repeating: NodeUsage(), count: nodes.count)
        usageLoaded = Array(repeating: false, count: nodes.count)
        jobCountOnNode = Array(repeating: 0, count: nodes.count)
        capacities = nodes.map(\.resources)
        for (position, node) in nodes.enumerated() {
            positions[node.id] = position
            guard node.isSchedulable, job.nodePool == "all" || node.nodePool == job.nodePool,
                job.datacenters.contains(where: { datacenter(node.datacenter, matches: $0) })
            else { continue }
            candidates.append(position)
            usages[position] = state.usage(onNode: node.id)
            usageLoaded[position] = true
        }
        for allocation in allocations where !allocation.isTerminal { count(allocation, by: 1) }
    }

    private mutating func count(_ allocation: Allocation, by delta: Int) {
        if tracksLiveAllocations { liveAllocations[allocation.id] = delta > 0 ? allocation : nil }
        guard let position = positions[allocation.nodeID] else { return }
        jobCountOnNode[position] += delta
        if groupCountOnNode[allocation.groupName] == nil {
            groupCountOnNode[allocation.groupName] = Array(repeating: 0, count: nodes.count)
        }
        groupCountOnNode[allocation.groupName]?[position] += delta
    }

    // MARK: Plan edits

    /// Adds a stop to the plan and frees what the allocation held, so later placements in the
    /// same plan (a destructive update) can use it.
    mutating func stop(_ allocation: Allocation, because description: String, lost: Bool = false, desired: DesiredStatus = .stop) {
        var stopped = allocation
        stopped.desiredStatus = desired
        stopped.desiredDescription = description
        if lost && !allocation.clientStatus.isTerminal { stopped.clientStatus = .lost }
        stopped.modifyTime = now
        plan.stops[allocation.nodeID, default: []].append(stopped)
        guard !allocation.isTerminal else { return }
        if let position = positions[allocation.nodeID], usageLoaded[position] {
            usages[position].remove(allocation)
        }
        count(allocation, by: -1)
    }

    /// Records a change to an existing allocation that needs no new resources (a new job
    /// version with the same group, a follow-up evaluation).
    mutating func update(_ allocation: Allocation) {
        plan.placements[allocation.nodeID, default: []].append(allocation)
    }

    // MARK: Outcome

    private mutating func finish(_ record: JobRecord, random: inout some RandomNumberGenerator) {
        for group in record.spec.groups { plan.evaluation.queuedAllocations[group.name] = unplaced[group.name] ?? 0 }
        plan.evaluation.failedGroupAllocations = failures
        let stuck = failures.keys.contains { (unplaced[$0] ?? 0) > 0 }
        if stuck {
            if evaluation.triggeredBy == .queuedAllocations {
                // A blocked evaluation retried after a capacity change that still does not fit
                // goes back to waiting rather than spawning another.
                plan.evaluation.status = .blocked
                plan.evaluation.statusDescription = "waiting for capacity"
            } else {
                var blocked = followup(for: record, trigger: .queuedAllocations, random: &random)
                blocked.status = .blocked
                blocked.statusDescription = "created to place remaining allocations when capacity appears"
                blocked.failedGroupAllocations = failures
                plan.evaluation.blockedEvaluation = blocked.id
                plan.followupEvaluations.append(blocked)
            }
        }
        if deferred > 0 {
            var more = followup(for: record, trigger: .queuedAllocations, random: &random)
            more.statusDescription = "continues \(deferred) placements beyond the per-evaluation limit"
            plan.followupEvaluations.append(more)
        }
    }

    func followup(
        for record: JobRecord, trigger: EvaluationTrigger, random: inout some RandomNumberGenerator
    ) -> Evaluation {
        Evaluation(
            id: .random(using: &random), namespace: record.spec.namespace, priority: record.spec.priority,
            jobType: record.spec.type, triggeredBy: trigger, jobID: record.id, jobModifyIndex: record.jobModifyIndex,
            status: .pending, previousEvaluation: evaluation.id, createTime: now, modifyTime: now)
    }
}

/// One allocation of a group to place: a fresh slot, or the replacement of `previous`.
/// Kept small: a large job makes tens of thousands of these.
struct PlacementRequest {
    var index: Int
    var previous: AllocationID?
    var tracker = RescheduleTracker()
    /// System jobs place on one given node.
    var node: Int?
}
