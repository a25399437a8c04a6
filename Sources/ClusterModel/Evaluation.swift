/// A request to the scheduler to reconcile one job with the cluster: created when a job is
/// registered or stopped, a node changes, or an allocation fails. The scheduler's answer is a
/// `Plan`; what it could not place is recorded here so users see why.
public struct Evaluation: Sendable, Hashable, Codable {
    public var id: EvaluationID
    public var namespace: String
    public var priority: Int
    public var jobType: JobType
    public var triggeredBy: EvaluationTrigger
    public var jobID: String
    /// The job's modify index when the evaluation was made; the scheduler works on a state at
    /// least this new.
    public var jobModifyIndex: UInt64
    public var nodeID: NodeID?
    public var status: EvaluationStatus
    public var statusDescription: String
    /// For delayed reschedules: not to be processed before this instant.
    public var waitUntil: Timestamp?
    public var previousEvaluation: EvaluationID?
    /// The blocked evaluation created for groups that did not fit, retried when capacity appears.
    public var blockedEvaluation: EvaluationID?
    /// Groups that could not be placed, with the scheduler's reasons.
    public var failedGroupAllocations: [String: AllocationMetrics]
    /// Placements still wanted per group after this evaluation.
    public var queuedAllocations: [String: Int]
    public var createIndex: UInt64
    public var modifyIndex: UInt64
    public var createTime: Timestamp
    public var modifyTime: Timestamp

    /// `jobType` is Nomad's `Type`; spelled out here so the API's key mapping stays one-to-one
    /// (TaskEvent's `kind` is also `Type`).
    enum CodingKeys: String, CodingKey {
        case id, namespace, priority, jobType = "type", triggeredBy, jobID, jobModifyIndex, nodeID, status
        case statusDescription, waitUntil, previousEvaluation, blockedEvaluation, failedGroupAllocations
        case queuedAllocations, createIndex, modifyIndex, createTime, modifyTime
    }

    public init(
        id: EvaluationID, namespace: String = JobSpec.defaultNamespace, priority: Int = JobSpec.defaultPriority,
        jobType: JobType, triggeredBy: EvaluationTrigger, jobID: String, jobModifyIndex: UInt64 = 0,
        nodeID: NodeID? = nil, status: EvaluationStatus = .pending, statusDescription: String = "",
        waitUntil: Timestamp? = nil, previousEvaluation: EvaluationID? = nil, blockedEvaluation: EvaluationID? = nil,
        failedGroupAllocations: [String: AllocationMetrics] = [:], queuedAllocations: [String: Int] = [:],
        createIndex: UInt64 = 0, modifyIndex: UInt64 = 0, createTime: Timestamp = .zero, modifyTime: Timestamp = .zero
    ) {
        self.id = id
        self.namespace = namespace
        self.priority = priority
        self.jobType = jobType
        self.triggeredBy = triggeredBy
        self.jobID = jobID
        self.jobModifyIndex = jobModifyIndex
        self.nodeID = nodeID
        self.status = status
        self.statusDescription = statusDescription
        self.waitUntil = waitUntil
        self.previousEvaluation = previousEvaluation
        self.blockedEvaluation = blockedEvaluation
        self.failedGroupAllocations = failedGroupAllocations
        self.queuedAllocations = queuedAllocations
        self.createIndex = createIndex
        self.modifyIndex = modifyIndex
        self.createTime = createTime
        self.modifyTime = modifyTime
    }
}

/// Why an evaluation exists; the raw values are Nomad's.
public enum EvaluationTrigger: String, Sendable, Hashable, Codable, CaseIterable {
    case jobRegister = "job-register"
    case jobDeregister = "job-deregister"
    case nodeUpdate = "node-update"
    case nodeDrain = "node-drain"
    case allocationFailure = "alloc-failure"
    case retryFailedAllocation = "alloc-reschedule"
    case queuedAllocations = "queued-allocs"
    case maxPlanAttempts = "max-plan-attempts"
    /// A periodic job launched a child (on schedule or forced).
    case periodicJob = "periodic-job"
    /// A deployment moved on (allocations became healthy, promotion, resume): roll further.
    case deploymentWatcher = "deployment-watcher"
    /// A system job's node-by-node update continuing after its `stagger`.
    case rollingUpdate = "rolling-update"
    /// A higher-priority job stopped some of this job's allocations: place them again.
    case preemption = "preemption"
}

public enum EvaluationStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending
    /// Waiting for capacity: retried when a node joins or frees resources.
    case blocked
    case complete
    case failed
    case canceled

    public var isTerminal: Bool { self == .complete || self == .failed || self == .canceled }
}
