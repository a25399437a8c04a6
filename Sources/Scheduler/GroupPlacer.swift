import ClusterModel

/// What placing one group needs to know beyond the node: its per-node demand, its ports, and
/// its placement-dependent constraints (`distinct_hosts`, `distinct_property`).
struct GroupPlacer {
    let group: GroupSpec
    let job: JobSpec
    let portRange: ClosedRange<Int>
    var feasible: [Int] = []
    var feasibleSet = Set<Int>()
    var baseMetrics = AllocationMetrics()
    /// The group's `spread` and `affinity` scoring, when it has any.
    var spread: SpreadScorer?
    var affinity: AffinityScorer?
    /// Where in `feasible` the next placement starts looking (see `candidateLimit`).
    var cursor = 0
    /// Set once a placement of the group found no node.
    var hasFailed = false
    /// Live allocations of the group per node position (anti-affinity, `distinct_hosts`).
    var groupCounts: [Int] = []
    /// The demand when it is the same on every node (no task reserves whole cores).
    let fixedDemand: ResourceDemand?
    /// Whether any rule depends on where the job already runs.
    var hasPlacementRules: Bool { distinctHostsForJob || distinctHostsForGroup || !distinctProperties.isEmpty }

    let staticPorts: [NetworkSpec.Port]
    let dynamicPorts: [NetworkSpec.Port]
    let distinctHostsForJob: Bool
    let distinctHostsForGroup: Bool
    /// `distinct_property` rules: the target, how many allocations may share a value, whether
    /// it counts the whole job, and the current count per value.
    var distinctProperties: [(target: String, limit: Int, jobWide: Bool, counts: [String: Int])]

    init(group: GroupSpec, job: JobSpec, ports: ClosedRange<Int>) {
        self.group = group
        self.job = job
        self.portRange = ports
        let networks = group.networks + group.tasks.flatMap(\.resources.networks)
        staticPorts = networks.flatMap(\.reservedPorts).filter { $0.value > 0 }
        dynamicPorts = networks.flatMap(\.dynamicPorts) + networks.flatMap(\.reservedPorts).filter { $0.value <= 0 }
        func enabled(_ constraint: Constraint) -> Bool {
            constraint.operand == "distinct_hosts" && constraint.rightTarget.lowercased() != "false"
        }
        let groupLevel = group.constraints + group.tasks.flatMap(\.constraints)
        distinctHostsForJob = job.constraints.contains(where: enabled)
        distinctHostsForGroup = groupLevel.contains(where: enabled)
        var properties: [(String, Int, Bool, [String: Int])] = []
        for (constraint, jobWide) in job.constraints.map({ ($0, true) }) + groupLevel.map({ ($0, false) })
        where constraint.operand == "distinct_property" {
            let limit = Int(constraint.rightTarget.trimmingSpaces()).map { max(1, $0) } ?? 1
            properties.append((constraint.leftTarget, limit, jobWide, [:]))
        }
        distinctProperties = properties
        if group.tasks.allSatisfy({ $0.resources.cores <= 0 }) {
            var cpu = 0
            var memory = 0
            for task in group.tasks {
                cpu = cpu.saturatingAdd(max(0, task.resources.cpuMHz))
                memory = memory.saturatingAdd(max(0, task.resources.memoryMiB))
            }
            fixedDemand = ResourceDemand(cpuMHz: cpu, memoryMiB: memory, ports: staticPorts.map(\.value))
        } else {
            fixedDemand = nil
        }
    }

    /// CPU (whole cores converted at the node's MHz per core), memory, and static ports.
    func demand(on node: Node) -> ResourceDemand {
        var cpu = 0
        var memory = 0
        for task in group.tasks {
            cpu = cpu.saturatingAdd(Self.cpuMHz(of: task.resources, on: node))
            memory = memory.saturatingAdd(max(0, task.resources.memoryMiB))
        }
        return ResourceDemand(cpuMHz: cpu, memoryMiB: memory, ports: staticPorts.map(\.value))
    }

    func taskResources(on node: Node) -> [String: Resources] {
        var result: [String: Resources] = [:]
        for task in group.tasks {
            var resources = task.resources
            resources.cpuMHz = Self.cpuMHz(of: resources, on: node)
            result[task.name] = resources
        }
        return result
    }

    static func cpuMHz(of resources: Resources, on node: Node) -> Int {
        guard resources.cores > 0 else { return max(0, resources.cpuMHz) }
        let perCore = node.resources.cores > 0 ? node.resources.cpuMHz / node.resources.cores : 0
        let (total, overflow) = perCore.multipliedReportingOverflow(by: resources.cores)
        return overflow ? .max : total
    }

    /// `ports` when the node's dynamic range cannot hold the group's dynamic ports.
    func dynamicPortShortage(_ usage: NodeUsage) -> String? {
        guard !dynamicPorts.isEmpty else { return nil }
        // Counting every used port against the range is conservative only for static ports
        // outside it, and keeps this check O(1).
        return usage.ports.count + staticPorts.count + dynamicPorts.count > portRange.count ? "ports" : nil
    }

    /// Static ports as asked; dynamic ports drawn at random from the range (a few tries, then
    /// a scan from a random start), never one the node or this allocation already uses.
    func assignPorts(avoiding usage: NodeUsage, random: inout some RandomNumberGenerator) -> [AllocatedPort] {
        var result: [AllocatedPort] = []
        var taken = Set(staticPorts.map(\.value))
        for port in staticPorts {
            result.append(AllocatedPort(label: port.label, value: port.value, to: port.to))
        }
        for port in dynamicPorts {
            var chosen: Int?
            for _ in 0..<16 {
                let candidate = Int.random(in: portRange, using: &random)
                if !usage.isPortInUse(candidate) && !taken.contains(candidate) {
                    chosen = candidate
                    break
                }
            }
            if chosen == nil {
                let start = Int.random(in: portRange, using: &random)
                for offset in 0..<portRange.count {
                    let candidate = portRange.lowerBound + (start - portRange.lowerBound + offset) % portRange.count
                    if !usage.isPortInUse(candidate) && !taken.contains(candidate) {
                        chosen = candidate
                        break
                    }
                }
            }
            guard let value = chosen else { continue }
            taken.insert(value)
            result.append(AllocatedPort(label: port.label, value: value, to: port.to))
        }
        return result
    }

    /// Why the node cannot take another allocation of the group given where the job already
    /// runs, or nil.
    func placementRejection(node: Node, jobCount: Int, groupCount: Int) -> String? {
        if distinctHostsForJob && jobCount > 0 { return "constraint distinct_hosts" }
        if distinctHostsForGroup && groupCount > 0 { return "constraint distinct_hosts" }
        for property in distinctProperties {
            let value = FeasibilityChecker.resolve(property.target, on: node)
            guard let value else { return "constraint distinct_property \(property.target) is not set" }
            if (property.counts[value] ?? 0) >= property.limit { return "constraint distinct_property \(property.target)" }
        }
        return nil
    }

    /// Recounts, per `distinct_property` rule, how many live allocations share each value.
    mutating func refreshPropertyCounts(
        _ live: Dictionary<AllocationID, Allocation>.Values, nodes: [Node], positions: [NodeID: Int]
    ) {
        for index in distinctProperties.indices {
            var counts: [String: Int] = [:]
            for allocation in live where distinctProperties[index].jobWide || allocation.groupName == group.name {
                guard let position = positions[allocation.nodeID],
                    let value = FeasibilityChecker.resolve(distinctProperties[index].target, on: nodes[position])
                else { continue }
                counts[value, default: 0] += 1
            }
            distinctProperties[index].counts = counts
        }
    }
}
