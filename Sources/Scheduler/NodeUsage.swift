import ClusterModel

/// What the live (non-terminal) allocations on one node hold: the tally that both the
/// scheduler (ranking, fit) and the plan applier (re-validation) compare with the node's
/// capacity, so neither rescans every allocation per placement.
public struct NodeUsage: Sendable, Hashable, Codable {
    public var cpuMHz: Int
    public var memoryMiB: Int
    /// Host port → how many live allocations hold it. More than one only if the state is
    /// already inconsistent; counting keeps removal exact even then.
    public var ports: [Int: Int]
    public var allocationCount: Int

    public init(cpuMHz: Int = 0, memoryMiB: Int = 0, ports: [Int: Int] = [:], allocationCount: Int = 0) {
        self.cpuMHz = cpuMHz
        self.memoryMiB = memoryMiB
        self.ports = ports
        self.allocationCount = allocationCount
    }

    /// Counts the allocation if it is live; terminal allocations hold nothing.
    public mutating func add(_ allocation: Allocation) {
        guard !allocation.isTerminal else { return }
        add(ResourceDemand(allocation))
    }

    /// Forgets a live allocation previously added; terminal ones were never counted.
    public mutating func remove(_ allocation: Allocation) {
        guard !allocation.isTerminal else { return }
        let demand = ResourceDemand(allocation)
        cpuMHz = cpuMHz.saturatingSubtract(demand.cpuMHz)
        memoryMiB = memoryMiB.saturatingSubtract(demand.memoryMiB)
        for port in demand.ports {
            let held = (ports[port] ?? 0) - 1
            ports[port] = held > 0 ? held : nil
        }
        allocationCount = max(0, allocationCount - 1)
    }

    public mutating func add(_ demand: ResourceDemand) {
        cpuMHz = cpuMHz.saturatingAdd(demand.cpuMHz)
        memoryMiB = memoryMiB.saturatingAdd(demand.memoryMiB)
        for port in demand.ports { ports[port, default: 0] += 1 }
        allocationCount += 1
    }

    public func isPortInUse(_ port: Int) -> Bool { ports[port] != nil }

    /// The first resource dimension the demand would overrun on the node (`cpu`, `memory`,
    /// `ports`), or nil when it fits. The names are the keys of
    /// `AllocationMetrics.dimensionExhausted`.
    public func exhaustedDimension(adding demand: ResourceDemand, capacity: NodeResources) -> String? {
        if cpuMHz.saturatingAdd(demand.cpuMHz) > capacity.cpuMHz { return "cpu" }
        if memoryMiB.saturatingAdd(demand.memoryMiB) > capacity.memoryMiB { return "memory" }
        guard !demand.ports.isEmpty else { return nil }
        var seen = Set<Int>()
        for port in demand.ports where isPortInUse(port) || !seen.insert(port).inserted { return "ports" }
        return nil
    }
}

/// What one allocation asks of a node: CPU and memory summed over its tasks, and its host ports.
public struct ResourceDemand: Sendable, Hashable {
    public var cpuMHz: Int
    public var memoryMiB: Int
    public var ports: [Int]

    public init(cpuMHz: Int, memoryMiB: Int, ports: [Int] = []) {
        self.cpuMHz = cpuMHz
        self.memoryMiB = memoryMiB
        self.ports = ports
    }

    public init(_ allocation: Allocation) {
        var cpu = 0
        var memory = 0
        for resources in allocation.taskResources.values {
            cpu = cpu.saturatingAdd(max(0, resources.cpuMHz))
            memory = memory.saturatingAdd(max(0, resources.memoryMiB))
        }
        self.init(cpuMHz: cpu, memoryMiB: memory, ports: allocation.ports.map(\.value))
    }
}

extension Int {
    /// Sums user-supplied sizes without trapping: a job asking for `Int.max` MHz simply does
    /// not fit anywhere.
    func saturatingAdd(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other < 0 ? .min : .max) : sum
    }

    func saturatingSubtract(_ other: Int) -> Int {
        let (difference, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other < 0 ? .max : .min) : difference
    }
}
