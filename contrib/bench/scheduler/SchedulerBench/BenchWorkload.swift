import ClusterModel

/// The simulated cluster and the jobs placed on it: deterministic (the same on every run), so
/// figures from different runs and commits compare.
///
/// Nodes come in three sizes across three datacenters, a quarter of them arm64, each in one of
/// 25 racks. Jobs are half service, half batch, each group `allocationsPerJob` strong; some are
/// restricted to amd64 or to two datacenters, some spread over datacenters or racks. The
/// requests average about three quarters of the cluster's CPU and memory, so the packing has
/// room to be good or bad.
struct BenchWorkload {
    var nodeCount: Int
    var allocationTotal: Int
    var allocationsPerJob: Int

    static let sizes: [(name: String, cores: Int, mhzPerCore: Int, memoryMiB: Int)] = [
        ("small", 4, 2400, 16_384), ("medium", 8, 2400, 32_768), ("large", 16, 2400, 65_536),
    ]

    func nodes() -> [Node] {
        (0..<nodeCount).map { index in
            // 30% small, 50% medium, 20% large.
            let size = Self.sizes[index % 10 < 3 ? 0 : (index % 10 < 8 ? 1 : 2)]
            let id = NodeID(uuid: Self.uuid(prefix: 0x6e6f_6465, index))
            return Node(
                id: id, name: "sim-\(index)", datacenter: "dc\(index % 3 + 1)", nodeClass: size.name,
                attributes: [
                    "kernel.name": "linux", "cpu.arch": index % 4 == 0 ? "arm64" : "amd64",
                    "unique.hostname": "sim-\(index)", "driver.raw_exec": "1",
                ],
                meta: ["rack": "r\(index % 25)"],
                resources: NodeResources(cpuMHz: size.cores * size.mhzPerCore, cores: size.cores, memoryMiB: size.memoryMiB),
                drivers: ["raw_exec": DriverHealth(detected: true, healthy: true)], status: .ready)
        }
    }

    func jobs() -> [JobSpec] {
        let jobCount = (allocationTotal + allocationsPerJob - 1) / allocationsPerJob
        return (0..<jobCount).map { index in
            let count = min(allocationsPerJob, allocationTotal - index * allocationsPerJob)
            let type: JobType = index % 2 == 0 ? .service : .batch
            // Averages 75 MHz and 128 MiB per allocation.
            let cpu = [50, 75, 100][index % 3]
            let memory = [96, 128, 160][(index / 3) % 3]
            var constraints: [Constraint] = []
            if index % 5 == 1 { constraints.append(Constraint(leftTarget: "${attr.cpu.arch}", rightTarget: "amd64", operand: "=")) }
            var spreads: [Spread] = []
            if index % 4 == 2 { spreads.append(Spread(attribute: "${node.datacenter}", weight: 50)) }
            if index % 8 == 3 { spreads.append(Spread(attribute: "${meta.rack}", weight: 30)) }
            let datacenters = index % 7 == 3 ? ["dc1", "dc2"] : ["*"]
            let task = TaskSpec(
                name: "main", driver: "raw_exec", config: ["command": .string("/bin/sleep"), "args": .list([.string("3600")])],
                resources: Resources(cpuMHz: cpu, memoryMiB: memory))
            let group = GroupSpec(
                name: "work", count: count, tasks: [task], restart: RestartPolicy.defaults(for: type),
                reschedule: ReschedulePolicy.defaults(for: type))
            return JobSpec(
                id: "bench-\(index)", type: type, datacenters: datacenters, constraints: constraints, spreads: spreads,
                groups: [group])
        }
    }

    /// What the jobs ask for, summed, and what the nodes offer: the ratio is the utilisation a
    /// perfect packing reaches with everything placed (the lower bound on nodes' fullness).
    func totals() -> (requestedCPU: Int, requestedMemory: Int, capacityCPU: Int, capacityMemory: Int) {
        var requestedCPU = 0
        var requestedMemory = 0
        for job in jobs() {
            for group in job.groups {
                for task in group.tasks {
                    requestedCPU += task.resources.cpuMHz * group.count
                    requestedMemory += task.resources.memoryMiB * group.count
                }
            }
        }
        let nodes = nodes()
        return (requestedCPU, requestedMemory, nodes.reduce(0) { $0 + $1.resources.cpuMHz }, nodes.reduce(0) { $0 + $1.resources.memoryMiB })
    }

    /// A fixed UUID-shaped ID, so node IDs are the same on every run.
    static func uuid(prefix: UInt32, _ index: Int) -> String {
        func hex(_ value: UInt64, _ digits: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: max(0, digits - text.count)) + text
        }
        let value = UInt64(index)
        return "\(hex(UInt64(prefix), 8))-0000-4000-8000-\(hex(value, 12))"
    }
}
