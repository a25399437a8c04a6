import ClusterModel

extension StateStore {
    /// The plan as it is written to the Raft log: new and updated allocations carry a stub of
    /// their job (ID, namespace, type, no groups) instead of the whole spec, which is most of
    /// an allocation's encoding (about 1.3 of 2 KB for a one-task job). Every manager holds the
    /// spec already, by version, and puts it back when it applies the plan (`restoringJobs`),
    /// so a 10,000-placement plan is not 20 MB of JSON and the followers do not keep 10,000
    /// decoded copies of one spec.
    public static func compactingJobs(of plan: Plan) -> Plan {
        var compact = plan
        for (nodeID, placements) in plan.placements {
            compact.placements[nodeID] = placements.map { placement in
                var stubbed = placement
                stubbed.job = JobSpec(id: placement.job.id, type: placement.job.type, namespace: placement.job.namespace)
                return stubbed
            }
        }
        return compact
    }

    /// Puts the stored spec of each placement's job version back where `compactingJobs` left a
    /// stub. A placement whose version is no longer stored keeps its stub; `validate` refuses it.
    func restoringJobs(of plan: Plan) -> Plan {
        var restored = plan
        for (nodeID, placements) in plan.placements where placements.contains(where: \.job.groups.isEmpty) {
            restored.placements[nodeID] = placements.map { placement in
                guard placement.job.groups.isEmpty, let spec = storedSpec(of: placement) else { return placement }
                var full = placement
                full.job = spec
                return full
            }
        }
        return restored
    }

    /// The spec of the allocation's job at the allocation's version, if still kept.
    func storedSpec(of allocation: Allocation) -> JobSpec? {
        let key = JobKey(allocation)
        if let current = jobsByKey[key], current.version == allocation.jobVersion { return current.spec }
        return versionsByKey[key]?.first { $0.version == allocation.jobVersion }?.spec
    }
}
