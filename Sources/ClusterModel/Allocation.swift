/// One placement of a task group on a node: the unit the scheduler creates, the worker runs,
/// and users inspect with `roost alloc status`. It carries the job version it was made for,
/// so a worker never needs to look the job up, and a newer version never changes a running
/// allocation behind its back.
public struct Allocation: Sendable, Hashable, Codable {
    public var id: AllocationID
    public var evaluationID: EvaluationID
    public var nodeID: NodeID
    public var nodeName: String
    public var jobID: String
    public var namespace: String
    /// The job as it was when this allocation was placed.
    public var job: JobSpec
    public var jobVersion: UInt64
    public var groupName: String
    /// `<job>.<group>[<index>]`, stable across replacements of the same slot.
    public var name: String
    public var index: Int
    /// What was reserved on the node for each task.
    public var taskResources: [String: Resources]
    /// Ports given to the group's `network` block, by label.
    public var ports: [AllocatedPort]
    public var desiredStatus: DesiredStatus
    public var desiredDescription: String
    public var clientStatus: ClientStatus
    public var clientDescription: String
    public var taskStates: [String: TaskState]
    /// The allocation this one replaces, when it was rescheduled.
    public var previousAllocation: AllocationID?
    /// The replacement placed when this one failed.
    public var nextAllocation: AllocationID?
    public var rescheduleTracker: RescheduleTracker
    /// The evaluation that will place this allocation's replacement after a delay.
    public var followupEvaluationID: EvaluationID?
    /// How the scheduler chose the node.
    public var metrics: AllocationMetrics
    /// The deployment that placed it (a service job's update); nil outside deployments.
    public var deploymentID: DeploymentID?
    /// Its health for that deployment, as its worker reports it.
    public var deploymentStatus: AllocationDeploymentStatus?
    public var createIndex: UInt64
    public var modifyIndex: UInt64
    public var createTime: Timestamp
    public var modifyTime: Timestamp

    public init(
        id: AllocationID, evaluationID: EvaluationID, nodeID: NodeID, nodeName: String, job: JobSpec,
        jobVersion: UInt64, groupName: String, index: Int, taskResources: [String: Resources] = [:],
        ports: [AllocatedPort] = [], desiredStatus: DesiredStatus = .run, desiredDescription: String = "",
        clientStatus: ClientStatus = .pending, clientDescription: String = "", taskStates: [String: TaskState] = [:],
        previousAllocation: AllocationID? = nil, nextAllocation: AllocationID? = nil,
        rescheduleTracker: RescheduleTracker = RescheduleTracker(), followupEvaluationID: EvaluationID? = nil,
        metrics: AllocationMetrics = AllocationMetrics(), createIndex: UInt64 = 0, modifyIndex: UInt64 = 0,
        createTime: Timestamp = .zero, modifyTime: Timestamp = .zero
    ) {
        self.id = id
        self.evaluationID = evaluationID
        self.nodeID = nodeID
        self.nodeName = nodeName
        self.jobID = job.id
        self.namespace = job.namespace
        self.job = job
        self.jobVersion = jobVersion
        self.groupName = groupName
        self.name = "\(job.id).\(groupName)[\(index)]"
        self.index = index
        self.taskResources = taskResources
        self.ports = ports
        self.desiredStatus = desiredStatus
        self.desiredDescription = desiredDescription
        self.clientStatus = clientStatus
        self.clientDescription = clientDescription
        self.taskStates = taskStates
        self.previousAllocation = previousAllocation
        self.nextAllocation = nextAllocation
        self.rescheduleTracker = rescheduleTracker
        self.followupEvaluationID = followupEvaluationID
        self.metrics = metrics
        self.createIndex = createIndex
        self.modifyIndex = modifyIndex
        self.createTime = createTime
        self.modifyTime = modifyTime
    }

    public var group: GroupSpec? { job.groups.first { $0.name == groupName } }

    /// Whether the allocation is over for good: nothing will run for it again on its node.
    public var isTerminal: Bool {
        desiredStatus != .run || clientStatus.isTerminal
    }

    /// CPU and memory reserved on the node, summed over the tasks.
    public var reservedCPUMHz: Int { taskResources.values.reduce(0) { $0 &+ $1.cpuMHz } }
    public var reservedMemoryMiB: Int { taskResources.values.reduce(0) { $0 &+ $1.memoryMiB } }
}

/// What the managers want for an allocation.
public enum DesiredStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case run
    case stop
    /// Stopped to make room (drain, preemption); the scheduler replaces it.
    case evict
}

/// What the worker reports about an allocation.
public enum ClientStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending
    case running
    case complete
    case failed
    /// Its node went down; the scheduler replaces it.
    case lost

    public var isTerminal: Bool { self == .complete || self == .failed || self == .lost }
}

/// A port the scheduler assigned on the node for a `network { port "label" {} }`.
public struct AllocatedPort: Sendable, Hashable, Codable {
    public var label: String
    /// The port on the host.
    public var value: Int
    /// The port inside the task's network namespace, when mapped (`to`).
    public var to: Int
    public var hostIP: String

    public init(label: String, value: Int, to: Int = 0, hostIP: String = "127.0.0.1") {
        self.label = label
        self.value = value
        self.to = to
        self.hostIP = hostIP
    }
}

/// The reschedule attempts behind an allocation (carried from each failed allocation to its
/// replacement) so the `reschedule` policy's attempts-per-interval can be counted.
public struct RescheduleTracker: Sendable, Hashable, Codable {
    public var events: [RescheduleEvent]

    public init(events: [RescheduleEvent] = []) {
        self.events = events
    }
}

public struct RescheduleEvent: Sendable, Hashable, Codable {
    public var time: Timestamp
    public var previousAllocation: AllocationID
    public var delay: Duration

    enum CodingKeys: String, CodingKey {
        case time, previousAllocation, delay
    }

    /// The delay is written as integer nanoseconds, as Nomad's API writes durations.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        time = try container.decode(Timestamp.self, forKey: .time)
        previousAllocation = try container.decode(AllocationID.self, forKey: .previousAllocation)
        delay = .nanoseconds(try container.decode(Int64.self, forKey: .delay))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(time, forKey: .time)
        try container.encode(previousAllocation, forKey: .previousAllocation)
        try container.encode(delay.totalNanoseconds, forKey: .delay)
    }

    public init(time: Timestamp, previousAllocation: AllocationID, delay: Duration) {
        self.time = time
        self.previousAllocation = previousAllocation
        self.delay = delay
    }
}
