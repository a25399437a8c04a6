import ClusterModel
import Scheduler

/// The whole store as plain arrays: what Raft writes as a snapshot and ships to a lagging
/// follower. Secondary indexes and tallies are not included; restoring rebuilds them, so a
/// snapshot cannot carry an inconsistent index.
public struct StateSnapshot: Sendable, Hashable, Codable {
    public var latestIndex: UInt64
    public var tableIndexes: [StateTable: UInt64]
    public var jobs: [JobRecord]
    /// Every kept version of every job, newest first per job.
    public var jobVersions: [JobRecord]
    public var nodes: [Node]
    public var allocations: [Allocation]
    public var evaluations: [Evaluation]
    public var queuedAllocations: [QueuedAllocations]
    /// Tokens with their secrets' hashes (never the secrets).
    public var aclTokens: [ACLToken]
    public var aclBootstrapAccessor: ACLAccessorID?
    /// Absent in snapshots taken before deployments existed.
    public var deployments: [Deployment] = []
    /// Absent while the defaults are in force, and in snapshots taken before it existed.
    public var schedulerConfiguration: SchedulerConfiguration?

    public init(
        latestIndex: UInt64 = 0, tableIndexes: [StateTable: UInt64] = [:], jobs: [JobRecord] = [],
        jobVersions: [JobRecord] = [], nodes: [Node] = [], allocations: [Allocation] = [],
        evaluations: [Evaluation] = [], queuedAllocations: [QueuedAllocations] = [],
        aclTokens: [ACLToken] = [], aclBootstrapAccessor: ACLAccessorID? = nil
    ) {
        self.latestIndex = latestIndex
        self.tableIndexes = tableIndexes
        self.jobs = jobs
        self.jobVersions = jobVersions
        self.nodes = nodes
        self.allocations = allocations
        self.evaluations = evaluations
        self.queuedAllocations = queuedAllocations
        self.aclTokens = aclTokens
        self.aclBootstrapAccessor = aclBootstrapAccessor
    }

    enum CodingKeys: String, CodingKey {
        case latestIndex, tableIndexes, jobs, jobVersions, nodes, allocations, evaluations, queuedAllocations
        case aclTokens, aclBootstrapAccessor, deployments, schedulerConfiguration
    }

    /// Snapshots written before ACLs existed have no token fields; they read as "no tokens".
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        latestIndex = try container.decode(UInt64.self, forKey: .latestIndex)
        tableIndexes = try container.decode([StateTable: UInt64].self, forKey: .tableIndexes)
        jobs = try container.decode([JobRecord].self, forKey: .jobs)
        jobVersions = try container.decode([JobRecord].self, forKey: .jobVersions)
        nodes = try container.decode([Node].self, forKey: .nodes)
        allocations = try container.decode([Allocation].self, forKey: .allocations)
        evaluations = try container.decode([Evaluation].self, forKey: .evaluations)
        queuedAllocations = try container.decode([QueuedAllocations].self, forKey: .queuedAllocations)
        aclTokens = try container.decodeIfPresent([ACLToken].self, forKey: .aclTokens) ?? []
        aclBootstrapAccessor = try container.decodeIfPresent(ACLAccessorID.self, forKey: .aclBootstrapAccessor)
        deployments = try container.decodeIfPresent([Deployment].self, forKey: .deployments) ?? []
        schedulerConfiguration = try container.decodeIfPresent(SchedulerConfiguration.self, forKey: .schedulerConfiguration)
    }

    /// The queued counts per group the last evaluation of a job reported.
    public struct QueuedAllocations: Sendable, Hashable, Codable {
        public var namespace: String
        public var jobID: String
        public var groups: [String: Int]

        public init(namespace: String, jobID: String, groups: [String: Int]) {
            self.namespace = namespace
            self.jobID = jobID
            self.groups = groups
        }
    }
}
