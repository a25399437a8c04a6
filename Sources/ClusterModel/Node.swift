/// A machine that can run work, as the managers know it: what the worker fingerprinted
/// (attributes, resources, drivers) and what the cluster decided about it (status,
/// eligibility, drain).
public struct Node: Sendable, Hashable, Codable {
    public var id: NodeID
    public var name: String
    public var datacenter: String
    public var nodePool: String
    public var nodeClass: String
    /// Fingerprinted facts: `kernel.name`, `cpu.arch`, `os.name`, `unique.hostname`,
    /// `driver.raw_exec`… Constraints refer to them as `${attr.<key>}`.
    public var attributes: [String: String]
    /// Operator-set labels (`${meta.<key>}` in constraints).
    public var meta: [String: String]
    /// The total the scheduler may hand out, after any reserved share is removed.
    public var resources: NodeResources
    /// Task drivers by name, and whether each is usable now.
    public var drivers: [String: DriverHealth]
    /// Where the worker's HTTP API answers (used to stream logs).
    public var httpAddress: String
    public var status: NodeStatus
    public var statusDescription: String
    public var eligibility: NodeEligibility
    public var drain: Bool
    /// How the drain was asked for, while `drain` is on.
    public var drainStrategy: DrainStrategy?
    public var statusUpdatedAt: Timestamp
    public var createIndex: UInt64
    public var modifyIndex: UInt64

    public init(
        id: NodeID, name: String, datacenter: String = "dc1", nodePool: String = "default", nodeClass: String = "",
        attributes: [String: String] = [:], meta: [String: String] = [:], resources: NodeResources,
        drivers: [String: DriverHealth] = [:], httpAddress: String = "", status: NodeStatus = .initializing,
        statusDescription: String = "", eligibility: NodeEligibility = .eligible, drain: Bool = false,
        statusUpdatedAt: Timestamp = .zero, createIndex: UInt64 = 0, modifyIndex: UInt64 = 0
    ) {
        self.id = id
        self.name = name
        self.datacenter = datacenter
        self.nodePool = nodePool
        self.nodeClass = nodeClass
        self.attributes = attributes
        self.meta = meta
        self.resources = resources
        self.drivers = drivers
        self.httpAddress = httpAddress
        self.status = status
        self.statusDescription = statusDescription
        self.eligibility = eligibility
        self.drain = drain
        self.statusUpdatedAt = statusUpdatedAt
        self.createIndex = createIndex
        self.modifyIndex = modifyIndex
    }

    /// Whether the scheduler may place new work here.
    public var isSchedulable: Bool { status == .ready && eligibility == .eligible && !drain }
}

/// What a node offers to tasks.
public struct NodeResources: Sendable, Hashable, Codable {
    public var cpuMHz: Int
    public var cores: Int
    public var memoryMiB: Int
    public var diskMiB: Int

    public init(cpuMHz: Int, cores: Int, memoryMiB: Int, diskMiB: Int = 0) {
        self.cpuMHz = cpuMHz
        self.cores = cores
        self.memoryMiB = memoryMiB
        self.diskMiB = diskMiB
    }
}

public struct DriverHealth: Sendable, Hashable, Codable {
    public var detected: Bool
    public var healthy: Bool
    public var description: String

    public init(detected: Bool, healthy: Bool, description: String = "") {
        self.detected = detected
        self.healthy = healthy
        self.description = description
    }
}

public enum NodeStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case initializing
    case ready
    case down
    case disconnected
}

public enum NodeEligibility: String, Sendable, Hashable, Codable, CaseIterable {
    case eligible
    case ineligible
}
