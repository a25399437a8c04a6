import ClusterModel

/// What the rolling-update rules decided during one run: the deployment the run works under
/// and where canaries go. Applied to the plan once placements are made (`attachDeployment`).
struct RolloutPlanning {
    /// The deployment of the job's current version: found in the state, or made by this run.
    var deployment: Deployment?
    var isNew = false
    /// An older version's deployment this run supersedes.
    var cancelled: Deployment?
    /// Per group, the indexes at which a canary was requested.
    var canaryIndexes: [String: Set<Int>] = [:]
}

extension SchedulingRun {
    /// Takes a group's canaries out of `live`, so they neither hold nor lose a slot while they
    /// wait for promotion. Canaries whose deployment ended unpromoted (failed, cancelled, an
    /// older version's) are stopped: they were never meant to stay.
    mutating func setAsideCanaries(of group: GroupSpec, from live: inout [Allocation], record: JobRecord) -> [Allocation] {
        var canaries: [Allocation] = []
        var others: [Allocation] = []
        for allocation in live {
            guard allocation.deploymentStatus?.canary == true, let id = allocation.deploymentID,
                  let deployment = rollout.deployment?.id == id ? rollout.deployment : state.deployment(id: id),
                  let groupState = deployment.taskGroups[group.name], !groupState.promoted
            else {
                others.append(allocation)
                continue
            }
            if deployment.isActive && deployment.jobVersion == record.version {
                canaries.append(allocation)
            } else {
                stop(allocation, because: "alloc was a canary of deployment \(deployment.id.short), which ended without promoting it")
            }
        }
        live = others
        return canaries
    }

    /// The rolling-update rule for one group, given the old-version allocations that need
    /// replacing (`destructive`, lowest slots first) and the canaries set aside:
    /// - the first time a version needs replacing (or a job is placed fresh), a deployment is
    ///   made, and an older version's running one is cancelled;
    /// - while the group has canaries to place or promote, canaries are placed beside the old
    ///   allocations and nothing old is stopped;
    /// - then at most `max_parallel` replacements are in flight: every allocation this
    ///   deployment placed that is not yet healthy counts against it;
    /// - a paused, failed or cancelled deployment replaces nothing.
    mutating func roll(
        _ group: GroupSpec, strategy: UpdateStrategy, of record: JobRecord, destructive: [Allocation],
        canaries: [Allocation], fresh: Bool, random: inout some RandomNumberGenerator
    ) -> [PlacementRequest] {
        if rollout.deployment == nil, let latest = state.latestDeployment(namespace: record.spec.namespace, jobID: record.spec.id) {
            if latest.jobVersion == record.version {
                rollout.deployment = latest
            } else if latest.isActive, latest.jobVersion < record.version, rollout.cancelled == nil, !destructive.isEmpty || fresh {
                var cancelled = latest
                cancelled.status = .cancelled
                cancelled.statusDescription = "Cancelled due to newer version of job (\(record.version))"
                rollout.cancelled = cancelled
            }
        }
        if rollout.deployment == nil {
            guard !destructive.isEmpty || fresh else { return [] }
            rollout.deployment = Deployment(
                id: .random(using: &random), namespace: record.spec.namespace, jobID: record.spec.id,
                jobVersion: record.version, jobModifyIndex: record.jobModifyIndex, createTime: now, modifyTime: now)
            rollout.isNew = true
        }
        guard var deployment = rollout.deployment else { return [] }
        if deployment.taskGroups[group.name] == nil {
            guard rollout.isNew, !destructive.isEmpty || fresh else {
                // A group the deployment does not cover (added after it began) rolls at once.
                return destructive.map { replace($0) }
            }
            let canaryCount = fresh ? 0 : min(max(0, strategy.canary), destructive.count)
            deployment.taskGroups[group.name] = DeploymentGroupState(
                autoRevert: strategy.autoRevert, autoPromote: strategy.autoPromote, desiredTotal: max(0, group.count),
                desiredCanaries: canaryCount, progressDeadline: strategy.progressDeadline,
                requireProgressBy: strategy.progressDeadline > .zero ? now + strategy.progressDeadline : .zero)
            if canaryCount > 0 && !strategy.autoPromote {
                deployment.statusDescription = "Deployment is running but requires manual promotion"
            }
            rollout.deployment = deployment
        }
        guard let groupState = deployment.taskGroups[group.name] else { return [] }
        switch deployment.status {
        case .running: break
        case .successful: return destructive.map { replace($0) }
        case .paused, .failed, .cancelled: return []
        }
        if groupState.desiredCanaries > 0 && !groupState.promoted {
            let missing = groupState.desiredCanaries - canaries.count
            guard missing > 0 else { return [] }
            let taken = Set(canaries.map(\.index))
            var requests: [PlacementRequest] = []
            for allocation in destructive where !taken.contains(allocation.index) && requests.count < missing {
                requests.append(PlacementRequest(index: allocation.index))
                rollout.canaryIndexes[group.name, default: []].insert(allocation.index)
            }
            return requests
        }
        let inFlight = state.allocations(namespace: record.spec.namespace, jobID: record.spec.id).filter {
            $0.deploymentID == deployment.id && $0.groupName == group.name && $0.desiredStatus == .run
                && !$0.clientStatus.isTerminal && $0.deploymentStatus?.healthy != true
        }.count
        let budget = max(0, strategy.maxParallel - inFlight)
        return destructive.prefix(budget).map { replace($0) }
    }

    private mutating func replace(_ allocation: Allocation) -> PlacementRequest {
        stop(allocation, because: "alloc is being updated due to job update")
        return PlacementRequest(index: allocation.index, previous: allocation.id)
    }

    /// Marks the run's new allocations with the deployment (and canaries as canaries) and puts
    /// a new or cancelled deployment into the plan.
    mutating func attachDeployment() {
        if let cancelled = rollout.cancelled { plan.deployments.append(cancelled) }
        guard let deployment = rollout.deployment else { return }
        if rollout.isNew { plan.deployments.append(deployment) }
        guard deployment.isActive else { return }
        // In-place updates are in the placements too; only allocations new to the state join.
        let existing = Set(state.allocations(namespace: plan.namespace, jobID: plan.jobID).map(\.id))
        for nodeID in Array(plan.placements.keys) {
            guard var placements = plan.placements[nodeID] else { continue }
            for position in placements.indices {
                let allocation = placements[position]
                guard !existing.contains(allocation.id), allocation.deploymentID == nil,
                      deployment.taskGroups[allocation.groupName] != nil
                else { continue }
                placements[position].deploymentID = deployment.id
                if allocation.previousAllocation == nil,
                   rollout.canaryIndexes[allocation.groupName]?.contains(allocation.index) == true
                {
                    placements[position].deploymentStatus = AllocationDeploymentStatus(canary: true)
                }
            }
            plan.placements[nodeID] = placements
        }
    }
}
