import ClusterModel
import Scheduler

extension StateStore: SchedulerState {
    // MARK: Jobs

    /// Every registered job (stopped ones included), ordered by namespace and ID.
    public func jobs(namespace: String? = nil) -> [JobRecord] {
        jobsByKey.keys.filter { namespace == nil || $0.namespace == namespace }.sorted().compactMap { jobsByKey[$0] }
    }

    public func job(namespace: String = JobSpec.defaultNamespace, id: String) -> JobRecord? {
        jobsByKey[JobKey(namespace: namespace, id: id)]
    }

    /// The kept versions of a job, newest first (at most `maximumJobVersions`).
    public func jobVersions(namespace: String = JobSpec.defaultNamespace, id: String) -> [JobRecord] {
        versionsByKey[JobKey(namespace: namespace, id: id)] ?? []
    }

    /// Allocations per group by client status, plus what the last evaluation left queued.
    /// Every group of the current spec appears, even with nothing placed yet.
    public func jobSummary(namespace: String = JobSpec.defaultNamespace, id: String) -> [String: GroupSummary] {
        let key = JobKey(namespace: namespace, id: id)
        var summary: [String: GroupSummary] = [:]
        for group in jobsByKey[key]?.spec.groups ?? [] { summary[group.name] = GroupSummary() }
        for allocationID in allocationsByJob[key] ?? [] {
            guard let allocation = allocationsByID[allocationID] else { continue }
            var counts = summary[allocation.groupName] ?? GroupSummary()
            switch allocation.clientStatus {
            case .pending:
                // A pending allocation the managers already stopped will never start.
                if allocation.desiredStatus == .run { counts.starting += 1 }
            case .running: counts.running += 1
            case .failed: counts.failed += 1
            case .complete: counts.complete += 1
            case .lost: counts.lost += 1
            }
            summary[allocation.groupName] = counts
        }
        for (group, queued) in queuedByKey[key] ?? [:] { summary[group, default: GroupSummary()].queued = queued }
        return summary
    }

    /// Why groups of the job are still waiting for placement, from the newest evaluation the
    /// scheduler finished: what `roost job status` shows under "Placement Failure"
    /// (`metrics.summary()`). Empty once everything is placed.
    public func placementFailures(namespace: String = JobSpec.defaultNamespace, jobID: String) -> [String: AllocationMetrics] {
        let key = JobKey(namespace: namespace, id: jobID)
        let queued = queuedByKey[key] ?? [:]
        let newest = (evaluationsByJob[key] ?? []).compactMap { evaluationsByID[$0] }
            .filter { $0.status == .complete || $0.status == .blocked }
            .max { ($0.modifyIndex, $0.id) < ($1.modifyIndex, $1.id) }
        return (newest?.failedGroupAllocations ?? [:]).filter { (queued[$0.key] ?? 0) > 0 }
    }

    // MARK: Allocations

    /// Oldest first (by create index, then ID), terminal ones included.
    public func allocations(namespace: String = JobSpec.defaultNamespace, jobID: String) -> [Allocation] {
        sortedAllocations(allocationsByJob[JobKey(namespace: namespace, id: jobID)])
    }

    public func allocations(onNode nodeID: NodeID) -> [Allocation] {
        sortedAllocations(allocationsByNode[nodeID])
    }

    /// Every allocation, oldest first.
    public func allAllocations() -> [Allocation] {
        allocationsByID.values.sorted(by: Self.creationOrder)
    }

    public func allocation(id: AllocationID) -> Allocation? { allocationsByID[id] }

    /// The allocation whose ID is `prefix` or starts with it.
    public func allocation(idPrefix prefix: String) throws(LookupError) -> Allocation {
        let id = try Self.unique(prefix, among: allocationsByID.keys, kind: "allocation")
        guard let allocation = allocationsByID[id] else { throw .notFound(kind: "allocation", prefix: prefix) }
        return allocation
    }

    public func usage(onNode nodeID: NodeID) -> NodeUsage { usageByNode[nodeID] ?? NodeUsage() }

    // MARK: Evaluations

    /// Oldest first.
    public func evaluations(namespace: String = JobSpec.defaultNamespace, jobID: String) -> [Evaluation] {
        (evaluationsByJob[JobKey(namespace: namespace, id: jobID)] ?? [])
            .compactMap { evaluationsByID[$0] }
            .sorted { ($0.createIndex, $0.id) < ($1.createIndex, $1.id) }
    }

    /// Every evaluation with the given status, oldest first: what the eval broker loads when a
    /// manager becomes leader (pending ones to run, blocked ones to hold).
    public func evaluations(status: EvaluationStatus) -> [Evaluation] {
        evaluationsByID.values.filter { $0.status == status }
            .sorted { ($0.createIndex, $0.id) < ($1.createIndex, $1.id) }
    }

    public func evaluation(id: EvaluationID) -> Evaluation? { evaluationsByID[id] }

    public func evaluation(idPrefix prefix: String) throws(LookupError) -> Evaluation {
        let id = try Self.unique(prefix, among: evaluationsByID.keys, kind: "evaluation")
        guard let evaluation = evaluationsByID[id] else { throw .notFound(kind: "evaluation", prefix: prefix) }
        return evaluation
    }

    // MARK: Nodes

    /// Every node, ordered by name then ID.
    public func allNodes() -> [Node] {
        nodesByID.values.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    public func node(id: NodeID) -> Node? { nodesByID[id] }

    public func node(idPrefix prefix: String) throws(LookupError) -> Node {
        let id = try Self.unique(prefix, among: nodesByID.keys, kind: "node")
        guard let node = nodesByID[id] else { throw .notFound(kind: "node", prefix: prefix) }
        return node
    }

    // MARK: Helpers

    /// How many matches an ambiguous-prefix error lists.
    static let maximumListedMatches = 10

    private func sortedAllocations(_ ids: Set<AllocationID>?) -> [Allocation] {
        (ids ?? []).compactMap { allocationsByID[$0] }.sorted(by: Self.creationOrder)
    }

    static func creationOrder(_ lhs: Allocation, _ rhs: Allocation) -> Bool {
        (lhs.createIndex, lhs.id) < (rhs.createIndex, rhs.id)
    }

    static func unique<ID: Identifier>(
        _ prefix: String, among ids: some Collection<ID>, kind: String
    ) throws(LookupError) -> ID {
        let wanted = prefix.lowercased()
        guard !wanted.isEmpty else { throw .notFound(kind: kind, prefix: prefix) }
        if ids.contains(ID(uuid: wanted)) { return ID(uuid: wanted) }
        let matches = ids.filter { $0.uuid.hasPrefix(wanted) }.sorted()
        guard let first = matches.first else { throw .notFound(kind: kind, prefix: prefix) }
        guard matches.count == 1 else {
            throw .ambiguous(kind: kind, prefix: prefix, matches: matches.prefix(maximumListedMatches).map(\.uuid))
        }
        return first
    }
}
