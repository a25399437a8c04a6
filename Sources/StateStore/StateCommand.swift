import ClusterModel
import Scheduler

/// Every write to the replicated state, as one value. The store changes only by applying
/// these, in index order, so that Raft can later carry exactly this enum and every manager
/// that applies the same log reaches the same state. Commands carry everything that is
/// random or time-dependent (IDs, evaluations, instants); applying one never draws a random
/// number or reads a clock.
public enum StateCommand: Sendable, Hashable, Codable {
    /// Registers or updates a job. A spec different from the current one (or re-registering a
    /// stopped job) makes a new version; an identical spec changes nothing but still records
    /// the evaluation, so `job run` of an unchanged job re-reconciles it.
    case registerJob(JobSpec, evaluation: Evaluation?, submitTime: Timestamp)
    /// Stops a job (it stays listed as dead) or, with `purge`, removes it and its versions.
    /// Its allocations and evaluations stay until they are terminal and collected.
    /// `ifModifyIndex`, when given, makes it a compare-and-delete: refused unless the job's
    /// modify index is still that one. Garbage collection decides on a state read before the
    /// command commits; a job registered again (or changed) meanwhile must not be purged.
    /// Absent in commands of older builds, which then apply unconditionally.
    case deregisterJob(namespace: String, jobID: String, purge: Bool, evaluation: Evaluation?, time: Timestamp, ifModifyIndex: UInt64? = nil)
    /// Registers a node or replaces what it fingerprinted; `evaluations` are for the jobs the
    /// change affects (see `StateStore.evaluationsForNodeChange`).
    case upsertNode(Node, evaluations: [Evaluation], time: Timestamp)
    case updateNodeStatus(NodeID, status: NodeStatus, description: String, evaluations: [Evaluation], time: Timestamp)
    case updateNodeEligibility(
        NodeID, eligibility: NodeEligibility, drain: Bool, evaluations: [Evaluation], time: Timestamp)
    /// Starts (a strategy) or ends (nil) a drain. Starting makes the node ineligible; ending
    /// leaves it ineligible unless `markEligible`, so a drained machine gets no new work until
    /// the operator says so.
    case updateNodeDrain(NodeID, strategy: DrainStrategy?, markEligible: Bool, evaluations: [Evaluation], time: Timestamp)
    /// Forgets a node (`roost node rm`): its allocations count as lost, and `evaluations`
    /// replace them.
    case deregisterNode(NodeID, evaluations: [Evaluation], time: Timestamp)
    /// Creates or updates evaluations (the broker's status changes, blocked evaluations
    /// becoming pending again).
    case upsertEvaluations([Evaluation], time: Timestamp)
    /// Commits the accepted part of a plan (see `StateStore.validate(_:)`): new allocations,
    /// in-place updates, stops, the evaluation's outcome and its follow-up evaluations.
    case applyPlan(Plan, time: Timestamp)
    /// Re-checks a plan against the state at the moment it is applied and commits the part that
    /// still fits (`validate(_:)` then `applyPlan`), as one entry: with several managers the
    /// check and the commit cannot be separated by another write, and every replica reaches
    /// the same verdict because the check is deterministic. The refused nodes come back in
    /// `ApplyOutcome.rejectedNodes`.
    case submitPlan(Plan, time: Timestamp)
    /// What workers report about their allocations; a failed allocation usually comes with an
    /// evaluation (trigger `alloc-failure`) so the scheduler can reschedule it.
    case updateAllocations([ClientAllocationUpdate], evaluations: [Evaluation], time: Timestamp)
    /// Deletes terminal evaluations and allocations (see `StateStore.garbage()`); IDs that are
    /// unknown or not terminal are skipped, so a stale list is harmless.
    case garbageCollect(evaluations: [EvaluationID], allocations: [AllocationID])
    /// Creates or replaces an ACL token. It carries the secret's hash, never the secret.
    case upsertACLToken(ACLToken)
    /// Removes an ACL token; an unknown accessor is a no-op. The last management token cannot go.
    case deleteACLToken(ACLAccessorID)
    /// The management token made when the cluster is created; applied at most once per cluster
    /// (see `StateStore.aclBootstrapAccessor`).
    case bootstrapACL(ACLToken)
    /// The deployment watcher's or an operator's change to a deployment: its status, promotion,
    /// marking its job version stable, reverting the job (see `DeploymentUpdate`).
    case updateDeployment(DeploymentUpdate)
    /// Replaces the scheduler configuration (`roost operator scheduler set-config`); its
    /// indexes are set when applied.
    case setSchedulerConfiguration(SchedulerConfiguration)
}

/// One allocation's state as its worker reports it.
public struct ClientAllocationUpdate: Sendable, Hashable, Codable {
    public var id: AllocationID
    public var clientStatus: ClientStatus
    public var clientDescription: String
    public var taskStates: [String: TaskState]
    /// The worker's health verdict for the allocation's deployment; nil leaves the stored one.
    public var deploymentStatus: AllocationDeploymentStatus?
    /// True for an operator's verdict (`health_check = "manual"`): only `deploymentStatus`
    /// applies, and the status and task states stay as the worker last reported them, even
    /// if its report arrived after the operator's request read them. Absent (nil) in updates
    /// from workers and from older builds.
    public var healthOnly: Bool?

    public init(
        id: AllocationID, clientStatus: ClientStatus, clientDescription: String = "",
        taskStates: [String: TaskState] = [:], deploymentStatus: AllocationDeploymentStatus? = nil, healthOnly: Bool? = nil
    ) {
        self.id = id
        self.clientStatus = clientStatus
        self.clientDescription = clientDescription
        self.taskStates = taskStates
        self.deploymentStatus = deploymentStatus
        self.healthOnly = healthOnly
    }
}
