import ClusterModel

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

    public init(
        latestIndex: UInt64 = 0, tableIndexes: [StateTable: UInt64] = [:], jobs: [JobRecord] = [],
        jobVersions: [JobRecord] = [], nodes: [Node] = [], allocations: [Allocation] = [],
        evaluations: [Evaluation] = [], queuedAllocations: [QueuedAllocations] = []
    ) {
        self.latestIndex = latestIndex
        self.tableIndexes = tableIndexes
        self.jobs = jobs
        self.jobVersions = jobVersions
        self.nodes = nodes
        self.allocations = allocations
        self.evaluations = evaluations
        self.queuedAllocations = queuedAllocations
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
