/// One roll-out of a service job version, per the groups' `update` blocks: the scheduler
/// creates it when a new version must replace running allocations (or place canaries), the
/// state store counts what it placed and how healthy that is, and the leader's deployment
/// watcher decides when it succeeded, failed (and maybe reverted) or needs promoting.
///
/// It is replicated like every other object, so a new leader continues a roll-out exactly
/// where the old one stopped.
public struct Deployment: Sendable, Hashable, Codable {
    public var id: DeploymentID
    public var namespace: String
    public var jobID: String
    public var jobVersion: UInt64
    /// The job's modify index when the version was registered (Nomad's `JobSpecModifyIndex`).
    public var jobModifyIndex: UInt64
    public var status: DeploymentStatus
    public var statusDescription: String
    /// Per task group that rolls; groups without an `update` block are not listed.
    public var taskGroups: [String: DeploymentGroupState]
    public var createIndex: UInt64
    public var modifyIndex: UInt64
    public var createTime: Timestamp
    public var modifyTime: Timestamp

    public init(
        id: DeploymentID, namespace: String, jobID: String, jobVersion: UInt64, jobModifyIndex: UInt64 = 0,
        status: DeploymentStatus = .running, statusDescription: String = DeploymentStatus.running.defaultDescription,
        taskGroups: [String: DeploymentGroupState] = [:], createIndex: UInt64 = 0, modifyIndex: UInt64 = 0,
        createTime: Timestamp = .zero, modifyTime: Timestamp = .zero
    ) {
        self.id = id
        self.namespace = namespace
        self.jobID = jobID
        self.jobVersion = jobVersion
        self.jobModifyIndex = jobModifyIndex
        self.status = status
        self.statusDescription = statusDescription
        self.taskGroups = taskGroups
        self.createIndex = createIndex
        self.modifyIndex = modifyIndex
        self.createTime = createTime
        self.modifyTime = modifyTime
    }

    /// Running or paused: the roll-out may still change allocations.
    public var isActive: Bool { status == .running || status == .paused }

    /// Whether some group waits for its canaries to be promoted.
    public var requiresPromotion: Bool {
        taskGroups.values.contains { $0.desiredCanaries > 0 && !$0.promoted }
    }
}

/// Nomad's deployment statuses (the raw values are Nomad's).
public enum DeploymentStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case running
    case successful
    case failed
    case paused
    case cancelled

    public var isTerminal: Bool { self == .successful || self == .failed || self == .cancelled }

    /// What `deployment status` shows when nothing more specific was said.
    public var defaultDescription: String {
        switch self {
        case .running: "Deployment is running"
        case .successful: "Deployment completed successfully"
        case .failed: "Deployment failed"
        case .paused: "Deployment is paused"
        case .cancelled: "Deployment cancelled"
        }
    }
}
