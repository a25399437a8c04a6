import ClusterModel
import Foundation
import Scheduler
import StateStore
import Testing

/// Random clusters and jobs of random priorities from seeds, with preemption on for every
/// scheduler type, each plan made on and applied to a real `StateStore` (so the plan
/// applier's fit check decides, as on a manager). After every plan: no preempted allocation
/// was within ten priority points of the job that preempted it, no node holds more than it
/// has, the applier refused nothing, and no preemption went further than needed (putting any
/// one victim back would not fit). `PREEMPTION_PROPERTY_SEED=<n>` replays one seed.
@Suite struct PreemptionPropertyTests {
    static let seeds = Fixture.seeds(replaying: "PREEMPTION_PROPERTY_SEED", otherwise: 1...80)

    @Test func preemptionNeverStopsWorkWithinTenPointsNorMoreThanNeededAndNeverOvercommitsOnceApplied() {
        var preempted = 0
        var placed = 0
        for seed in Self.seeds {
            var run = PreemptionRun(seed: seed)
            if let failure = run.run() {
                Issue.record("seed \(seed): \(failure) (replay with PREEMPTION_PROPERTY_SEED=\(seed))")
                return
            }
            preempted += run.preempted
            placed += run.placed
        }
        if Self.seeds.count > 1 { #expect(preempted > 50 && placed > 500, "the runs must actually preempt (\(preempted)) and place (\(placed))") }
    }
}

struct PreemptionRun {
    var random: SeededGenerator
    var store = StateStore()
    var index: UInt64 = 0
    var preempted = 0
    var placed = 0

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    mutating func apply(_ command: StateCommand) -> String? {
        index += 1
        switch store.apply(command, index: index) {
        case .success(let outcome):
            return outcome.rejectedNodes.isEmpty ? nil : "the plan applier refused \(outcome.rejectedNodes)"
        case .failure(let error): return "the store refused a command: \(error)"
        }
    }

    mutating func run() -> String? {
        let all = PreemptionConfig(systemSchedulerEnabled: true, sysBatchSchedulerEnabled: true, batchSchedulerEnabled: true, serviceSchedulerEnabled: true)
        if let failure = apply(.setSchedulerConfiguration(SchedulerConfiguration(preemptionConfig: all))) { return failure }
        for number in 0..<Int.random(in: 1...6, using: &random) {
            let node = Node(
                id: .random(using: &random), name: "n\(number)", attributes: ["kernel.name": "linux"],
                resources: NodeResources(cpuMHz: Int.random(in: 1...4, using: &random) * 1000, cores: 4, memoryMiB: Int.random(in: 1...4, using: &random) * 1024),
                drivers: ["raw_exec": DriverHealth(detected: true, healthy: true)], status: .ready)
            if let failure = apply(.upsertNode(node, evaluations: [], time: Fixture.start)) { return failure }
        }
        for number in 0..<Int.random(in: 2...10, using: &random) {
            let types: [JobType] = [.service, .batch, .service, .system]
            let type = types[Int.random(in: 0..<types.count, using: &random)]
            var networks: [NetworkSpec] = []
            if Int.random(in: 0..<4, using: &random) == 0 {
                networks = [NetworkSpec(reservedPorts: [NetworkSpec.Port(label: "p", value: 8000 + Int.random(in: 0..<3, using: &random))])]
            }
            var spec = Fixture.job(
                "job\(number)", type: type, count: Int.random(in: 1...8, using: &random),
                cpuMHz: Int.random(in: 1...10, using: &random) * 100, memoryMiB: Int.random(in: 1...10, using: &random) * 128,
                networks: networks)
            spec.priority = Int.random(in: 1...100, using: &random)
            if let failure = apply(.registerJob(spec, evaluation: nil, submitTime: Fixture.start)) { return failure }
            let evaluation = Evaluation(
                id: .random(using: &random), priority: spec.priority, jobType: type, triggeredBy: .jobRegister, jobID: spec.id)
            let plan = Scheduler().process(evaluation, state: store, now: Fixture.start, random: &random)
            let victims = plan.stopped.filter { $0.desiredDescription.hasPrefix("Preempted by") }
            for victim in victims where !isFarEnoughBelow(victim.job.priority, for: spec.priority) {
                return "\(spec.id) (priority \(spec.priority)) preempted \(victim.jobID) of priority \(victim.job.priority)"
            }
            if let failure = apply(.submitPlan(plan, time: Fixture.start)) { return "\(spec.id): \(failure)" }
            preempted += victims.count
            placed += plan.placed.count
            let running = plan.placed.map { ClientAllocationUpdate(id: $0.id, clientStatus: .running) }
            if let failure = apply(.updateAllocations(running, evaluations: [], time: Fixture.start)) { return failure }
            for node in store.allNodes() {
                let live = store.allocations(onNode: node.id).filter { !$0.isTerminal }
                let cpu = live.reduce(0) { $0 + $1.reservedCPUMHz }
                let memory = live.reduce(0) { $0 + $1.reservedMemoryMiB }
                if cpu > node.resources.cpuMHz || memory > node.resources.memoryMiB {
                    return "after \(spec.id): node \(node.name) holds \(cpu) MHz / \(memory) MiB of \(node.resources.cpuMHz) / \(node.resources.memoryMiB)"
                }
            }
            for victim in victims {
                guard let node = store.node(id: victim.nodeID) else { continue }
                if store.usage(onNode: node.id).exhaustedDimension(adding: ResourceDemand(victim), capacity: node.resources) == nil {
                    return "\(spec.id) preempted \(victim.name) on \(node.name) although it still fits there"
                }
            }
        }
        return nil
    }
}

/// The rule the property checks, written out independently of the scheduler's code.
func isFarEnoughBelow(_ victim: Int, for priority: Int) -> Bool { victim + 10 <= priority }
