import ClusterModel
import Foundation
import Scheduler
import Testing

/// Random clusters and jobs from seeds, each job scheduled and committed in turn, with what a
/// user relies on checked after every plan: no node holds more than it has, constraints and
/// `distinct_hosts` hold wherever an allocation went, and spread targets are met to within
/// one allocation. A failure names its seed; `SCHEDULER_PROPERTY_SEED=<n> swift test --filter
/// SchedulerPropertyTests` replays just that one.
@Suite struct SchedulerPropertyTests {
    static let seeds = Fixture.seeds(replaying: "SCHEDULER_PROPERTY_SEED", otherwise: 1...120)

    @Test func randomClustersAndJobsNeverOvercommitAndAlwaysHonourConstraintsAndSpreadTargets() {
        var placed = 0
        var spreadGroupsChecked = 0
        var distinctChecked = 0
        var unplaced = 0
        for seed in Self.seeds {
            var run = PropertyRun(seed: seed)
            if let failure = run.run() {
                Issue.record("seed \(seed): \(failure) (replay with SCHEDULER_PROPERTY_SEED=\(seed))")
                return
            }
            placed += run.placed
            spreadGroupsChecked += run.spreadGroupsChecked
            distinctChecked += run.distinctChecked
            unplaced += run.unplaced
        }
        // The runs must exercise what the properties guard: placements, spread targets checked,
        // distinct_hosts jobs, and clusters too small for everything.
        if Self.seeds.count > 1 {
            #expect(placed > 1_000 && spreadGroupsChecked > 20 && distinctChecked > 5 && unplaced > 0)
        }
    }
}

/// One seeded run: a cluster, then jobs placed one after the other on what the earlier ones
/// left.
struct PropertyRun {
    var random: SeededGenerator
    var state = FakeState()
    var placed = 0
    var unplaced = 0
    var spreadGroupsChecked = 0
    var distinctChecked = 0

    init(seed: UInt64) {
        random = SeededGenerator(seed: seed)
    }

    mutating func run() -> String? {
        let nodeCount = Int.random(in: 3...40, using: &random)
        for index in 0..<nodeCount {
            var attributes = ["kernel.name": "linux", "cpu.arch": Int.random(in: 0..<4, using: &random) == 0 ? "arm64" : "amd64"]
            attributes["unique.hostname"] = "n\(index)"
            state.nodes.append(
                Node(
                    id: .random(using: &random), name: "n\(index)", datacenter: "dc\(Int.random(in: 1...3, using: &random))",
                    attributes: attributes, meta: ["rack": "r\(Int.random(in: 0..<4, using: &random))"],
                    resources: NodeResources(
                        cpuMHz: Int.random(in: 1...8, using: &random) * 1000, cores: 4,
                        memoryMiB: Int.random(in: 1...16, using: &random) * 1024),
                    drivers: ["raw_exec": DriverHealth(detected: true, healthy: true)], status: .ready))
        }
        for index in 0..<Int.random(in: 1...6, using: &random) {
            let job = randomJob("job\(index)")
            state.register(job)
            var generator = SeededGenerator(seed: random.next())
            let evaluation = Evaluation(id: .random(using: &generator), jobType: job.type, triggeredBy: .jobRegister, jobID: job.id)
            let plan = Scheduler().process(evaluation, state: state, now: Fixture.start, random: &generator)
            state.commit(plan)
            let count = plan.placements.values.reduce(0) { $0 + $1.count }
            placed += count
            if count < job.groups[0].count { unplaced += 1 }
            if let failure = check(job, plan: plan) { return "after \(job.id): \(failure)" }
        }
        return nil
    }

    func randomJob(_ id: String) -> JobSpec {
        var random = random
        var constraints: [Constraint] = []
        if Int.random(in: 0..<4, using: &random) == 0 {
            constraints.append(Constraint(leftTarget: "${attr.cpu.arch}", rightTarget: "amd64", operand: "="))
        }
        if Int.random(in: 0..<5, using: &random) == 0 {
            constraints.append(Constraint(leftTarget: "${node.datacenter}", rightTarget: "dc3", operand: "!="))
        }
        if Int.random(in: 0..<5, using: &random) == 0 { constraints.append(Constraint(operand: "distinct_hosts")) }
        var spreads: [Spread] = []
        var affinities: [Affinity] = []
        switch Int.random(in: 0..<4, using: &random) {
        case 0: spreads = [Spread(attribute: "${node.datacenter}", weight: 100)]
        case 1:
            let first = Int.random(in: 0...100, using: &random)
            spreads = [
                Spread(attribute: "${meta.rack}", weight: 100, targets: [.init(value: "r0", percent: first), .init(value: "r1", percent: 100 - first)])
            ]
        case 2: affinities = [Affinity(leftTarget: "${meta.rack}", rightTarget: "r2", operand: "=", weight: [-50, 50].randomElement(using: &random) ?? 50)]
        default: break
        }
        let task = TaskSpec(
            name: "main", driver: "raw_exec",
            resources: Resources(cpuMHz: Int.random(in: 1...20, using: &random) * 50, memoryMiB: Int.random(in: 1...20, using: &random) * 64))
        let type: JobType = Bool.random(using: &random) ? .service : .batch
        let group = GroupSpec(
            name: "g", count: Int.random(in: 1...60, using: &random), tasks: [task], restart: RestartPolicy.defaults(for: type),
            reschedule: ReschedulePolicy.defaults(for: type))
        return JobSpec(id: id, type: type, constraints: constraints, affinities: affinities, spreads: spreads, groups: [group])
    }

    /// The properties, over the whole state after the job's plan was committed.
    mutating func check(_ job: JobSpec, plan: Plan) -> String? {
        let live = state.allocations.filter { !$0.isTerminal }
        var byNode: [NodeID: [Allocation]] = [:]
        for allocation in live { byNode[allocation.nodeID, default: []].append(allocation) }
        for node in state.nodes {
            let here = byNode[node.id] ?? []
            let cpu = here.reduce(0) { $0 + $1.reservedCPUMHz }
            let memory = here.reduce(0) { $0 + $1.reservedMemoryMiB }
            if cpu > node.resources.cpuMHz || memory > node.resources.memoryMiB {
                return "node \(node.name) holds \(cpu) MHz / \(memory) MiB of \(node.resources.cpuMHz) / \(node.resources.memoryMiB)"
            }
        }
        let nodes = Dictionary(uniqueKeysWithValues: state.nodes.map { ($0.id, $0) })
        let mine = live.filter { $0.jobID == job.id }
        for allocation in mine {
            guard let node = nodes[allocation.nodeID] else { return "\(allocation.name) is on an unknown node" }
            for constraint in job.constraints where constraint.operand == "=" || constraint.operand == "!=" {
                let value = constraint.leftTarget == "${node.datacenter}" ? node.datacenter : node.attributes["cpu.arch"]
                let holds = constraint.operand == "=" ? value == constraint.rightTarget : value != constraint.rightTarget
                if !holds { return "\(allocation.name) on \(node.name) breaks \(constraint.leftTarget) \(constraint.operand) \(constraint.rightTarget)" }
            }
        }
        if job.constraints.contains(where: { $0.operand == "distinct_hosts" }) {
            distinctChecked += 1
            let perNode = Dictionary(grouping: mine, by: \.nodeID)
            if let crowded = perNode.first(where: { $0.value.count > 1 }) {
                return "distinct_hosts broken: \(crowded.value.count) allocations on \(nodes[crowded.key]?.name ?? "?")"
            }
        }
        if let spread = job.spreads.first, let failure = checkSpread(spread, job: job, allocations: mine, nodes: nodes) {
            return failure
        }
        return nil
    }

    /// When every allocation was placed and each value that fell short still has a feasible
    /// node with room for one more, each value's count is within one of its target (or of the
    /// other values', for even spread). A value that ran out of room may fall short; the
    /// others then absorb the rest, so only the complete, unconstrained case is asserted.
    mutating func checkSpread(_ spread: Spread, job: JobSpec, allocations: [Allocation], nodes: [NodeID: Node]) -> String? {
        let group = job.groups[0]
        guard allocations.count == group.count else { return nil }
        func value(_ node: Node) -> String { spread.attribute == "${node.datacenter}" ? node.datacenter : node.meta["rack"] ?? "" }
        let demand = group.tasks[0].resources
        let used = Dictionary(grouping: state.allocations.filter { !$0.isTerminal }, by: \.nodeID)
        func feasible(_ node: Node) -> Bool {
            job.constraints.allSatisfy { constraint in
                switch constraint.operand {
                case "=": return node.attributes["cpu.arch"] == constraint.rightTarget
                case "!=": return node.datacenter != constraint.rightTarget
                default: return true
                }
            }
        }
        func hasRoom(_ node: Node) -> Bool {
            let here = used[node.id] ?? []
            if job.constraints.contains(where: { $0.operand == "distinct_hosts" }) && here.contains(where: { $0.jobID == job.id }) {
                return false
            }
            return here.reduce(0) { $0 + $1.reservedCPUMHz } + demand.cpuMHz <= node.resources.cpuMHz
                && here.reduce(0) { $0 + $1.reservedMemoryMiB } + demand.memoryMiB <= node.resources.memoryMiB
        }
        let feasibleNodes = state.nodes.filter(feasible)
        let values = Set(feasibleNodes.map(value))
        var counts: [String: Int] = [:]
        for value in values { counts[value] = 0 }
        for allocation in allocations {
            if let node = nodes[allocation.nodeID] { counts[value(node), default: 0] += 1 }
        }
        let roomLeft = Set(feasibleNodes.filter(hasRoom).map(value))
        if spread.targets.isEmpty {
            guard let least = counts.min(by: { $0.value < $1.value }), let most = counts.max(by: { $0.value < $1.value }) else { return nil }
            // The least used value is short only if it had room all along.
            guard roomLeft.contains(least.key) else { return nil }
            spreadGroupsChecked += 1
            if most.value - least.value > 1 { return "even spread over \(spread.attribute) is off by more than one: \(counts.sorted { $0.key < $1.key })" }
        } else {
            // Only values the targets name, with every named value present and with room.
            let named = spread.targets.filter { values.contains($0.value) }
            guard named.count == spread.targets.count, named.allSatisfy({ roomLeft.contains($0.value) }) else { return nil }
            spreadGroupsChecked += 1
            for target in named {
                let desired = Double(target.percent) / 100 * Double(group.count)
                let actual = Double(counts[target.value] ?? 0)
                if abs(actual - desired) > 1 {
                    return "spread target \(target.value) = \(target.percent)% of \(group.count) wanted \(desired), got \(Int(actual)): \(counts.sorted { $0.key < $1.key })"
                }
            }
        }
        return nil
    }
}
