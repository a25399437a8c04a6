import ClusterModel

/// The deployments table: what the scheduler's plans create, the counts the store keeps as
/// allocations are placed and report their health, and the watcher's and operators' changes.
extension StateStore {
    /// Ended deployments kept per job (the newest); older ones are dropped as new ones come,
    /// so a job updated daily for years does not grow the state.
    public static let maximumDeploymentsPerJob = 10

    // MARK: Queries

    public func deployment(id: DeploymentID) -> Deployment? { deploymentsByID[id] }

    /// The deployment whose ID is `prefix` or starts with it.
    public func deployment(idPrefix prefix: String) throws(LookupError) -> Deployment {
        let id = try Self.unique(prefix, among: deploymentsByID.keys, kind: "deployment")
        guard let deployment = deploymentsByID[id] else { throw .notFound(kind: "deployment", prefix: prefix) }
        return deployment
    }

    /// A job's deployments, newest first.
    public func deployments(namespace: String = JobSpec.defaultNamespace, jobID: String) -> [Deployment] {
        (deploymentsByJob[JobKey(namespace: namespace, id: jobID)] ?? []).compactMap { deploymentsByID[$0] }
            .sorted { ($0.createIndex, $0.id) > ($1.createIndex, $1.id) }
    }

    /// Every deployment, newest first.
    public func allDeployments() -> [Deployment] {
        deploymentsByID.values.sorted { ($0.createIndex, $0.id) > ($1.createIndex, $1.id) }
    }

    public func latestDeployment(namespace: String, jobID: String) -> Deployment? {
        deployments(namespace: namespace, jobID: jobID).first
    }

    // MARK: Index-maintaining write

    mutating func replaceDeployment(_ old: Deployment?, with new: Deployment?) {
        if let old {
            let key = JobKey(namespace: old.namespace, id: old.jobID)
            deploymentsByID[old.id] = nil
            deploymentsByJob[key]?.remove(old.id)
            if deploymentsByJob[key]?.isEmpty == true { deploymentsByJob[key] = nil }
        }
        if let new {
            deploymentsByID[new.id] = new
            deploymentsByJob[JobKey(namespace: new.namespace, id: new.jobID), default: []].insert(new.id)
        }
    }

    mutating func removeDeployments(of key: JobKey, _ change: inout Change) {
        for id in deploymentsByJob[key] ?? [] { replaceDeployment(deploymentsByID[id], with: nil) }
        change.tables.insert(.deployments)
    }

    private mutating func store(_ deployment: Deployment, _ change: inout Change) {
        var deployment = deployment
        deployment.modifyIndex = change.index
        replaceDeployment(deploymentsByID[deployment.id], with: deployment)
        change.tables.insert(.deployments)
    }

    // MARK: From plans

    /// A plan's new deployment is stored as made (its counts start at zero and grow as its
    /// placements are applied); for one already stored, only a cancellation is taken, so a
    /// scheduler working on an older snapshot cannot undo the counts or the watcher's verdict.
    mutating func upsertDeployments(from plan: Plan, time: Timestamp, _ change: inout Change) {
        for deployment in plan.deployments {
            guard deployment.namespace == plan.namespace, deployment.jobID == plan.jobID else { continue }
            if var existing = deploymentsByID[deployment.id] {
                guard deployment.status == .cancelled, existing.isActive else { continue }
                existing.status = .cancelled
                existing.statusDescription = String(deployment.statusDescription.prefix(1024))
                existing.modifyTime = time
                store(existing, &change)
                continue
            }
            var new = deployment
            for name in Array(new.taskGroups.keys) {
                new.taskGroups[name]?.placedCanaries = []
                new.taskGroups[name]?.placedAllocations = 0
                new.taskGroups[name]?.healthyAllocations = 0
                new.taskGroups[name]?.unhealthyAllocations = 0
            }
            new.createIndex = change.index
            new.createTime = time
            new.modifyTime = time
            store(new, &change)
            pruneDeployments(of: JobKey(namespace: new.namespace, id: new.jobID))
        }
    }

    private mutating func pruneDeployments(of key: JobKey) {
        let all = deployments(namespace: key.namespace, jobID: key.id)
        guard all.count > Self.maximumDeploymentsPerJob else { return }
        for old in all.dropFirst(Self.maximumDeploymentsPerJob) where !old.isActive {
            replaceDeployment(old, with: nil)
        }
    }

    /// A new allocation of a deployment counts as placed (and as a canary when marked so).
    mutating func countPlacement(of allocation: Allocation, _ change: inout Change) {
        guard let id = allocation.deploymentID, var deployment = deploymentsByID[id],
              var group = deployment.taskGroups[allocation.groupName]
        else { return }
        group.placedAllocations += 1
        if allocation.deploymentStatus?.canary == true { group.placedCanaries.append(allocation.id) }
        deployment.taskGroups[allocation.groupName] = group
        store(deployment, &change)
    }

    /// A changed health verdict moves the deployment's counts; a newly healthy allocation is
    /// progress, so the group's progress deadline starts again from `time`.
    mutating func countHealth(of new: Allocation, before old: Allocation, time: Timestamp, _ change: inout Change) {
        let before = old.deploymentStatus?.healthy
        let after = new.deploymentStatus?.healthy
        guard before != after, let id = new.deploymentID, var deployment = deploymentsByID[id],
              var group = deployment.taskGroups[new.groupName]
        else { return }
        if before == true { group.healthyAllocations -= 1 }
        if before == false { group.unhealthyAllocations -= 1 }
        if after == true {
            group.healthyAllocations += 1
            if group.progressDeadline > .zero && deployment.isActive {
                group.requireProgressBy = time + group.progressDeadline
            }
        }
        if after == false { group.unhealthyAllocations += 1 }
        deployment.taskGroups[new.groupName] = group
        deployment.modifyTime = time
        store(deployment, &change)
    }

    // MARK: Watcher and operator changes

    mutating func updateDeployment(_ update: DeploymentUpdate, _ change: inout Change) throws(StateError) {
        guard var deployment = deploymentsByID[update.deploymentID] else {
            throw .invalid("deployment \(update.deploymentID) not found; list them with \"roost deployment list\"")
        }
        if update.status != nil || !update.promoteGroups.isEmpty, deployment.status.isTerminal {
            throw .invalid("deployment \(deployment.id.short) has already ended (\(deployment.status.rawValue)); only a running or paused deployment can change")
        }
        for name in update.promoteGroups {
            guard let group = deployment.taskGroups[name], group.desiredCanaries > 0 else {
                throw .invalid("group \"\(name)\" of deployment \(deployment.id.short) has no canaries to promote")
            }
            let healthy = group.placedCanaries.filter { allocationsByID[$0]?.deploymentStatus?.healthy == true }.count
            guard healthy >= group.desiredCanaries else {
                throw .invalid("group \"\(name)\" has \(healthy) of \(group.desiredCanaries) canaries healthy; promote once they are (see \"roost deployment status \(deployment.id.short)\") or fail the deployment")
            }
        }
        if let revert = update.revertTo {
            guard revert.namespace == deployment.namespace, revert.id == deployment.jobID else {
                throw .invalid("a deployment can only revert its own job")
            }
        }
        if let status = update.status {
            deployment.status = status
            deployment.statusDescription = String((update.statusDescription ?? status.defaultDescription).prefix(1024))
        }
        for name in update.promoteGroups { deployment.taskGroups[name]?.promoted = true }
        if update.resetProgressDeadlines {
            for (name, group) in deployment.taskGroups where group.progressDeadline > .zero {
                deployment.taskGroups[name]?.requireProgressBy = update.time + group.progressDeadline
            }
        }
        deployment.modifyTime = update.time
        store(deployment, &change)
        if update.markJobStable { markStable(JobKey(namespace: deployment.namespace, id: deployment.jobID), version: deployment.jobVersion, &change) }
        var evaluations = update.evaluations
        if let revert = update.revertTo {
            let placing = evaluations.isEmpty ? nil : evaluations.removeFirst()
            try registerJob(revert, evaluation: placing, submitTime: update.time, &change)
        }
        upsertEvaluations(evaluations, time: update.time, &change)
    }

    private mutating func markStable(_ key: JobKey, version: UInt64, _ change: inout Change) {
        if var record = jobsByKey[key], record.version == version, !record.stable {
            record.stable = true
            record.modifyIndex = change.index
            jobsByKey[key] = record
            change.tables.insert(.jobs)
        }
        guard let position = versionsByKey[key]?.firstIndex(where: { $0.version == version }) else { return }
        versionsByKey[key]?[position].stable = true
        change.tables.insert(.jobs)
    }
}
