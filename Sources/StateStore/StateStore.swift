import ClusterModel
import Scheduler

/// The replicated state machine: jobs (with versions), nodes, allocations and evaluations,
/// changed only by `apply(_:index:)`. It is a value: a copy is an immutable snapshot the
/// scheduler can work on (it conforms to `SchedulerState`) while the original moves on.
///
/// Secondary indexes (allocations by job and node, evaluations by job) and per-node resource
/// tallies are kept up to date on every write, so reads and placements never scan the whole
/// allocation table.
public struct StateStore: Sendable, Equatable {
    /// Nomad keeps six versions of a job; older ones are dropped on register.
    public static let maximumJobVersions = 6

    public internal(set) var latestIndex: UInt64 = 0
    var tableIndexes: [StateTable: UInt64] = [:]

    var jobsByKey: [JobKey: JobRecord] = [:]
    /// Newest first, at most `maximumJobVersions`.
    var versionsByKey: [JobKey: [JobRecord]] = [:]
    var nodesByID: [NodeID: Node] = [:]
    var allocationsByID = AllocationTable()
    var evaluationsByID: [EvaluationID: Evaluation] = [:]
    var queuedByKey: [JobKey: [String: Int]] = [:]
    var aclTokensByAccessor: [ACLAccessorID: ACLToken] = [:]
    var aclBootstrapToken: ACLAccessorID?
    var deploymentsByID: [DeploymentID: Deployment] = [:]
    /// The operator's scheduler configuration; nil while the defaults are in force.
    var storedSchedulerConfiguration: SchedulerConfiguration?

    // Derived from the tables above; rebuilt on restore.
    var allocationsByJob: [JobKey: Set<AllocationID>] = [:]
    var allocationsByNode: [NodeID: Set<AllocationID>] = [:]
    var evaluationsByJob: [JobKey: Set<EvaluationID>] = [:]
    var usageByNode: [NodeID: NodeUsage] = [:]
    var talliesByJob: [JobKey: JobTally] = [:]
    var deploymentsByJob: [JobKey: Set<DeploymentID>] = [:]

    public init() {}

    /// The index of the last command that changed the table; 0 when it never changed.
    public func index(of table: StateTable) -> UInt64 { tableIndexes[table] ?? 0 }

    /// The scheduler configuration in force: the operator's, or the defaults.
    public func schedulerConfiguration() -> SchedulerConfiguration {
        storedSchedulerConfiguration ?? SchedulerConfiguration()
    }
}

/// A job's identity: IDs are unique per namespace.
struct JobKey: Sendable, Hashable, Comparable {
    var namespace: String
    var id: String

    init(namespace: String, id: String) {
        self.namespace = namespace
        self.id = id
    }

    init(_ allocation: Allocation) { self.init(namespace: allocation.namespace, id: allocation.jobID) }
    init(_ evaluation: Evaluation) { self.init(namespace: evaluation.namespace, id: evaluation.jobID) }
    init(_ spec: JobSpec) { self.init(namespace: spec.namespace, id: spec.id) }

    static func < (lhs: JobKey, rhs: JobKey) -> Bool { (lhs.namespace, lhs.id) < (rhs.namespace, rhs.id) }
}

/// Counts kept per job so its status is known without scanning its allocations.
struct JobTally: Sendable, Hashable {
    var allocations = 0
    var liveAllocations = 0
    /// Pending or blocked evaluations.
    var activeEvaluations = 0

    /// Adds (`by: 1`) or removes (`by: -1`) an allocation from the counts.
    mutating func count(_ allocation: Allocation, by step: Int) {
        allocations += step
        if !allocation.isTerminal { liveAllocations += step }
    }
}

extension Dictionary {
    /// Removes `member` from the set under `key`, and the key once its set is empty.
    mutating func removeMember<Member>(_ member: Member, of key: Key) where Value == Set<Member> {
        guard let index = index(forKey: key) else { return }
        values[index].remove(member)
        if values[index].isEmpty { remove(at: index) }
    }
}

extension StateStore {
    // MARK: Index-maintaining writes. Every change to the tables goes through these.

    /// Inserts, replaces (`new` with the same ID as `old`) or deletes (`new == nil`) an
    /// allocation, keeping the job and node indexes, the node's usage and the job's tally right.
    ///
    /// Called once per allocation of every plan on every manager (a million times in the
    /// scheduler benchmark), so it builds no temporary collections and looks each key up once
    /// per table where it can.
    mutating func replaceAllocation(_ old: Allocation?, with new: Allocation?) {
        let oldKey = old.map(JobKey.init)
        let newKey = new.map(JobKey.init)
        if let old, let oldKey {
            if new?.id != old.id { allocationsByID[old.id] = nil }
            if newKey != oldKey || new?.id != old.id {
                allocationsByJob.removeMember(old.id, of: oldKey)
            }
            if new?.nodeID != old.nodeID || new?.id != old.id {
                allocationsByNode.removeMember(old.id, of: old.nodeID)
            }
            if let index = usageByNode.index(forKey: old.nodeID) {
                usageByNode.values[index].remove(old)
                if usageByNode.values[index].allocationCount == 0 { usageByNode.remove(at: index) }
            }
            talliesByJob[oldKey, default: JobTally()].count(old, by: -1)
        }
        if let new, let newKey {
            allocationsByID[new.id] = new
            if newKey != oldKey || old?.id != new.id { allocationsByJob[newKey, default: []].insert(new.id) }
            if old?.nodeID != new.nodeID || old?.id != new.id { allocationsByNode[new.nodeID, default: []].insert(new.id) }
            if !new.isTerminal { usageByNode[new.nodeID, default: NodeUsage()].add(new) }
            talliesByJob[newKey, default: JobTally()].count(new, by: 1)
        }
        if let oldKey, talliesByJob[oldKey] == JobTally() { talliesByJob[oldKey] = nil }
        if let newKey, newKey != oldKey, talliesByJob[newKey] == JobTally() { talliesByJob[newKey] = nil }
    }

    mutating func replaceEvaluation(_ old: Evaluation?, with new: Evaluation?) {
        if let old {
            let key = JobKey(old)
            evaluationsByID[old.id] = nil
            evaluationsByJob[key]?.remove(old.id)
            if evaluationsByJob[key]?.isEmpty == true { evaluationsByJob[key] = nil }
            if !old.status.isTerminal { talliesByJob[key, default: JobTally()].activeEvaluations -= 1 }
            if talliesByJob[key] == JobTally() { talliesByJob[key] = nil }
        }
        if let new {
            let key = JobKey(new)
            evaluationsByID[new.id] = new
            evaluationsByJob[key, default: []].insert(new.id)
            if !new.status.isTerminal { talliesByJob[key, default: JobTally()].activeEvaluations += 1 }
            if talliesByJob[key] == JobTally() { talliesByJob[key] = nil }
        }
    }

    /// Nomad's rule: running while any allocation is live; dead once stopped, or once every
    /// allocation is terminal and nothing is left to evaluate; pending before that. A periodic
    /// or parameterized parent places nothing itself but launches children: running until
    /// stopped, as Nomad shows it.
    func computedStatus(of key: JobKey, stopped: Bool, launchesChildren: Bool) -> JobStatus {
        let tally = talliesByJob[key] ?? JobTally()
        if stopped { return .dead }
        if launchesChildren { return .running }
        if tally.liveAllocations > 0 { return .running }
        if tally.activeEvaluations > 0 { return .pending }
        return tally.allocations > 0 ? .dead : .pending
    }
}
