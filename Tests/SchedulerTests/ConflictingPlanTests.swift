import ClusterModel
import Foundation
import Scheduler
import StateStore
import Testing

/// Two evaluations scheduled on the same snapshot, committed one after the other through the
/// store's plan applier: the second plan's nodes that no longer fit are refused, the rest is
/// committed, and the evaluation run again on the newer state places what was refused. Over
/// random tight clusters from seeds; a failure names its seed.
@Suite struct ConflictingPlanTests {
    @Test func aPlanAppliedAfterAConflictingOneIsPartlyRejectedAndItsRetryPlacesTheRest() {
        var conflicts = 0
        for seed in UInt64(1)...60 {
            if let failure = run(seed: seed, conflicts: &conflicts) {
                Issue.record("seed \(seed): \(failure)")
                return
            }
        }
        // Tight clusters must make plans collide, or this proves nothing.
        #expect(conflicts > 10)
    }

    func run(seed: UInt64, conflicts: inout Int) -> String? {
        var random = SeededGenerator(seed: seed)
        var store = StateStore()
        var index: UInt64 = 0
        func apply(_ command: StateCommand) -> ApplyOutcome? {
            index += 1
            return try? store.apply(command, index: index).get()
        }
        let nodes = (0..<Int.random(in: 2...8, using: &random)).map { number in
            Node(
                id: .random(using: &random), name: "n\(number)",
                resources: NodeResources(cpuMHz: 2000, cores: 4, memoryMiB: 4096),
                drivers: ["raw_exec": DriverHealth(detected: true, healthy: true)], status: .ready)
        }
        for node in nodes { _ = apply(.upsertNode(node, evaluations: [], time: Fixture.start)) }
        // Each job alone fits in about half the cluster; both together need about all of it.
        let perJob = nodes.count * 2
        let jobs = ["left", "right"].map { Fixture.job($0, count: perJob, cpuMHz: 450, memoryMiB: 900) }
        var evaluations: [Evaluation] = []
        for job in jobs {
            let evaluation = Evaluation(id: .random(using: &random), jobType: job.type, triggeredBy: .jobRegister, jobID: job.id)
            evaluations.append(evaluation)
            _ = apply(.registerJob(job, evaluation: evaluation, submitTime: Fixture.start))
        }
        let snapshot = store
        let plans = evaluations.map { Scheduler().process($0, state: snapshot, now: Fixture.start, random: &random) }
        guard let first = apply(.submitPlan(StateStore.compactingJobs(of: plans[0]), time: Fixture.start)) else { return "the first plan was refused" }
        if !first.rejectedNodes.isEmpty { return "the first plan, made on the current state, lost nodes: \(first.rejectedNodes)" }
        guard let second = apply(.submitPlan(StateStore.compactingJobs(of: plans[1]), time: Fixture.start)) else { return "the second plan was refused" }
        if let problem = overcommitted(store, nodes) { return problem }
        guard !second.rejectedNodes.isEmpty else { return nil }
        conflicts += 1
        guard store.evaluation(id: evaluations[1].id)?.status == .pending else {
            return "a partly rejected plan's evaluation is not pending again"
        }
        // Retried on the newer state, as the broker would, until nothing is refused.
        for _ in 0..<5 {
            guard let pending = store.evaluation(id: evaluations[1].id), pending.status == .pending else { break }
            let retry = Scheduler().process(pending, state: store, now: Fixture.start, random: &random)
            guard let outcome = apply(.submitPlan(StateStore.compactingJobs(of: retry), time: Fixture.start)) else { return "the retry was refused" }
            if !outcome.rejectedNodes.isEmpty { return "a retry on the current state lost nodes: \(outcome.rejectedNodes)" }
        }
        if let problem = overcommitted(store, nodes) { return problem }
        // The retry placed every allocation that fits: the job's slots are all filled unless
        // the cluster is full.
        let live = store.allocations(jobID: "right").filter { !$0.isTerminal }
        let full = nodes.allSatisfy { store.usage(onNode: $0.id).cpuMHz + 450 > 2000 || store.usage(onNode: $0.id).memoryMiB + 900 > 4096 }
        if live.count < perJob && !full { return "the retry left \(perJob - live.count) allocations unplaced with room left" }
        if live.contains(where: { $0.job.groups.isEmpty }) { return "an applied allocation kept the job stub of the log" }
        return nil
    }

    func overcommitted(_ store: StateStore, _ nodes: [Node]) -> String? {
        for node in nodes {
            let usage = store.usage(onNode: node.id)
            if usage.cpuMHz > node.resources.cpuMHz || usage.memoryMiB > node.resources.memoryMiB {
                return "node \(node.name) is over-committed: \(usage.cpuMHz) MHz, \(usage.memoryMiB) MiB"
            }
        }
        return nil
    }
}
