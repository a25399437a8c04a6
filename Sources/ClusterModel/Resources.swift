/// What a task asks of a node. Units are in the names: Nomad users write `cpu` in MHz and
/// `memory` in MB (mebibytes in practice).
public struct Resources: Sendable, Hashable, Codable {
    public var cpuMHz: Int
    /// Whole cores reserved exclusively; when set, `cpuMHz` is derived by the node.
    public var cores: Int
    public var memoryMiB: Int
    /// Oversubscription ceiling; 0 means no ceiling beyond `memoryMiB`.
    public var memoryMaxMiB: Int
    /// Task-level networks (a legacy form; new jobs declare networks on the group).
    public var networks: [NetworkSpec]
    public var devices: [DeviceRequest]

    public init(
        cpuMHz: Int = Resources.defaultCPUMHz, cores: Int = 0, memoryMiB: Int = Resources.defaultMemoryMiB,
        memoryMaxMiB: Int = 0, networks: [NetworkSpec] = [], devices: [DeviceRequest] = []
    ) {
        self.cpuMHz = cpuMHz
        self.cores = cores
        self.memoryMiB = memoryMiB
        self.memoryMaxMiB = memoryMaxMiB
        self.networks = networks
        self.devices = devices
    }

    public static let defaultCPUMHz = 100
    public static let defaultMemoryMiB = 300
}

/// A request for devices (GPUs, FPGAs) by name, e.g. `nvidia/gpu`. Accepted and stored;
/// Roost does not fingerprint devices yet.
public struct DeviceRequest: Sendable, Hashable, Codable {
    public var name: String
    public var count: Int
    public var constraints: [Constraint]
    public var affinities: [Affinity]

    public init(name: String, count: Int = 1, constraints: [Constraint] = [], affinities: [Affinity] = []) {
        self.name = name
        self.count = count
        self.constraints = constraints
        self.affinities = affinities
    }
}
