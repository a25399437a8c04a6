import ClusterModel
import StateStore

/// What the managers replicate about periodic jobs beside the jobs themselves: for each parent,
/// the last schedule time launched (or deliberately skipped) and the last launch of any kind.
/// The leader's launcher reads it to know what is due; the state machine checks every launch
/// against it, so a launch proposed twice (two leaders, a retried proposal) is applied once.
struct PeriodicLaunchTable: Sendable, Hashable, Codable {
    struct Entry: Sendable, Hashable, Codable {
        var namespace: String
        var jobID: String
        /// The latest schedule time handled; the launcher only looks after it.
        var lastScheduled: Timestamp?
        /// The latest launch, scheduled or forced (what `job status` shows).
        var lastLaunch: Timestamp?
    }

    private(set) var entries: [Entry] = []

    func entry(namespace: String, jobID: String) -> Entry? {
        entries.first { $0.namespace == namespace && $0.jobID == jobID }
    }

    /// Why `launch` must not be applied to `store`, or nil when it may. Deterministic: every
    /// manager refuses the same launches.
    func refusal(of launch: PeriodicLaunch, in store: StateStore) -> String? {
        let name = "periodic job \"\(launch.parentID)\""
        guard let parent = store.job(namespace: launch.parentNamespace, id: launch.parentID) else {
            return "\(name) not found in namespace \"\(launch.parentNamespace)\""
        }
        guard let periodic = parent.spec.periodic else { return "job \"\(launch.parentID)\" is not periodic: it has no `periodic` block" }
        guard !parent.stopped else { return "\(name) is stopped: run it again to resume launches" }
        guard periodic.enabled else { return "\(name) is disabled (`enabled = false` in its periodic block)" }
        if let scheduled = launch.scheduledTime, let last = entry(namespace: launch.parentNamespace, jobID: launch.parentID)?.lastScheduled,
           scheduled <= last
        {
            return "\(name) was already launched for \(scheduled.unixSeconds) (last launch for \(last.unixSeconds))"
        }
        if let child = launch.child {
            guard child.parentID == launch.parentID, child.namespace == launch.parentNamespace else {
                return "the child of \(name) names another parent"
            }
            if store.job(namespace: child.namespace, id: child.id) != nil {
                return "job \"\(child.id)\" already exists: a launch of \(name) was already made for that second; retry in a second"
            }
            guard launch.evaluation != nil else { return "the launch of \(name) carries no evaluation" }
        }
        return nil
    }

    mutating func record(_ launch: PeriodicLaunch) {
        var entry = entry(namespace: launch.parentNamespace, jobID: launch.parentID)
            ?? Entry(namespace: launch.parentNamespace, jobID: launch.parentID)
        if let scheduled = launch.scheduledTime { entry.lastScheduled = max(entry.lastScheduled ?? scheduled, scheduled) }
        if launch.child != nil { entry.lastLaunch = max(entry.lastLaunch ?? launch.launchTime, launch.launchTime) }
        if let position = entries.firstIndex(where: { $0.namespace == entry.namespace && $0.jobID == entry.jobID }) {
            entries[position] = entry
        } else {
            entries.append(entry)
        }
    }
}
