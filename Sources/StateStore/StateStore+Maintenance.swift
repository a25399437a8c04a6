import ClusterModel

extension StateStore {
    /// The evaluations a change of the node calls for: one per job with live allocations on it
    /// (they may be lost or need to move) and one per running system job (it may now fit
    /// there, or no longer). The manager puts them into the node command it proposes.
    public func evaluationsForNodeChange(
        _ nodeID: NodeID, now: Timestamp, random: inout some RandomNumberGenerator
    ) -> [Evaluation] {
        var keys = Set<JobKey>()
        for id in allocationsByNode[nodeID] ?? [] {
            guard let allocation = allocationsByID[id], !allocation.isTerminal else { continue }
            keys.insert(JobKey(allocation))
        }
        for (key, record) in jobsByKey where !record.stopped && (record.spec.type == .system || record.spec.type == .sysbatch) {
            keys.insert(key)
        }
        return keys.sorted().compactMap { key in
            guard let record = jobsByKey[key] else { return nil }
            return Evaluation(
                id: .random(using: &random), namespace: key.namespace, priority: record.spec.priority,
                jobType: record.spec.type, triggeredBy: .nodeUpdate, jobID: key.id,
                jobModifyIndex: record.jobModifyIndex, nodeID: nodeID, createTime: now, modifyTime: now)
        }
    }

    /// Terminal evaluations and allocations of jobs that no longer exist (purged): what a
    /// `garbageCollect` command may delete.
    public func garbage() -> (evaluations: [EvaluationID], allocations: [AllocationID]) {
        var evaluations: [EvaluationID] = []
        var allocations: [AllocationID] = []
        for (key, ids) in evaluationsByJob where jobsByKey[key] == nil {
            evaluations += ids.filter { evaluationsByID[$0]?.status.isTerminal == true }
        }
        for (key, ids) in allocationsByJob where jobsByKey[key] == nil {
            allocations += ids.filter { allocationsByID[$0].map(isCollectable) == true }
        }
        return (evaluations.sorted(), allocations.sorted())
    }

    // MARK: Snapshot

    /// The whole state as plain, deterministically ordered arrays.
    public func snapshot() -> StateSnapshot {
        var queued: [StateSnapshot.QueuedAllocations] = []
        for key in queuedByKey.keys.sorted() {
            queued.append(.init(namespace: key.namespace, jobID: key.id, groups: queuedByKey[key] ?? [:]))
        }
        var saved = StateSnapshot(
            latestIndex: latestIndex, tableIndexes: tableIndexes,
            jobs: jobsByKey.keys.sorted().compactMap { jobsByKey[$0] },
            jobVersions: versionsByKey.keys.sorted().flatMap { versionsByKey[$0] ?? [] },
            nodes: nodesByID.values.sorted { $0.id < $1.id },
            allocations: allocationsByID.values.sorted { $0.id < $1.id },
            evaluations: evaluationsByID.values.sorted { $0.id < $1.id },
            queuedAllocations: queued, aclTokens: aclTokens(), aclBootstrapAccessor: aclBootstrapToken)
        saved.deployments = deploymentsByID.values.sorted { $0.id < $1.id }
        saved.schedulerConfiguration = storedSchedulerConfiguration
        return saved
    }

    /// A store equal to the one the snapshot was taken from, indexes and tallies rebuilt.
    public init(restoring snapshot: StateSnapshot) {
        self.init()
        latestIndex = snapshot.latestIndex
        tableIndexes = snapshot.tableIndexes
        for job in snapshot.jobs { jobsByKey[JobKey(job.spec)] = job }
        for version in snapshot.jobVersions {
            var versions = versionsByKey[JobKey(version.spec), default: []]
            guard versions.count < Self.maximumJobVersions else { continue }
            versions.append(version)
            versionsByKey[JobKey(version.spec)] = versions
        }
        for node in snapshot.nodes { nodesByID[node.id] = node }
        for allocation in snapshot.allocations { replaceAllocation(allocationsByID[allocation.id], with: allocation) }
        for evaluation in snapshot.evaluations { replaceEvaluation(evaluationsByID[evaluation.id], with: evaluation) }
        for queued in snapshot.queuedAllocations {
            queuedByKey[JobKey(namespace: queued.namespace, id: queued.jobID)] = queued.groups
        }
        for token in snapshot.aclTokens { aclTokensByAccessor[token.accessorID] = token }
        aclBootstrapToken = snapshot.aclBootstrapAccessor
        for deployment in snapshot.deployments { replaceDeployment(deploymentsByID[deployment.id], with: deployment) }
        storedSchedulerConfiguration = snapshot.schedulerConfiguration
    }

    /// Replaces the whole state by a saved snapshot's, as the command at `index` (an operator's
    /// `snapshot restore`): every table counts as changed at `index`, so blocking queries wake,
    /// and later commands keep their own increasing indexes.
    public mutating func replace(with snapshot: StateSnapshot, at index: UInt64) -> Result<ApplyOutcome, StateError> {
        guard index > latestIndex else { return .failure(.staleIndex(given: index, latest: latestIndex)) }
        self = StateStore(restoring: snapshot)
        latestIndex = index
        for table in StateTable.allCases { tableIndexes[table] = index }
        return .success(ApplyOutcome(index: index, changedTables: Set(StateTable.allCases)))
    }
}
