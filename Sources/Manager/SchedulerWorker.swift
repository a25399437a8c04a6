import ClusterModel
import Scheduler
import StateStore

/// One scheduler worker: takes an evaluation from the broker, runs the scheduler on a snapshot,
/// and has the plan applier commit the result. A plan partly refused (the cluster changed
/// under it) is made again on a fresh snapshot, a bounded number of times.
struct SchedulerWorker: Sendable {
    let manager: ManagerServer
    let broker: EvaluationBroker
    let state: ReplicatedState
    let clock: @Sendable () -> Timestamp
    let maximumPlanAttempts: Int
    /// Plans are bounded to a few thousand placements: each is one Raft entry (a few MB of
    /// JSON at this size, far below the log's 64 MiB limit on an entry), encoded, written and
    /// applied by every manager while the others wait; the rest of a large group follows in
    /// the next evaluation at once.
    let scheduler = Scheduler(settings: SchedulerSettings(maximumPlacementsPerEvaluation: 5_000))

    func run() async {
        while let evaluation = await broker.next() {
            // Seeded from the system once per evaluation: a large plan draws two random words
            // per allocation ID, and a system call for each dominated placing a million.
            var random = SchedulingRandom(seed: SystemRandomNumberGenerator())
            await schedule(evaluation, random: &random)
        }
    }

    /// The scheduler's plan on a fresh snapshot, which is released when this returns: a
    /// snapshot still held while the plan applies would make the store copy every table the
    /// plan writes (a dictionary of a million allocations in the benchmark) instead of
    /// changing it in place.
    private func makePlan(for evaluation: Evaluation, random: inout SchedulingRandom) -> Plan {
        // Read straight from the state machine rather than through the actor: the copy is then
        // not held while this task waits for a thread to resume on.
        let snapshot = state.machine.store
        return StateStore.compactingJobs(of: scheduler.process(evaluation, state: snapshot, now: clock(), random: &random))
    }

    private func schedule(_ evaluation: Evaluation, random: inout SchedulingRandom) async {
        for _ in 0..<max(1, maximumPlanAttempts) {
            let plan = makePlan(for: evaluation, random: &random)
            // The plan is re-checked against the state at the moment it is applied; the part
            // that no longer fits comes back as rejected nodes, and the evaluation runs again.
            guard let outcome = try? await manager.submit(.submitPlan(plan, time: clock())) else { break }
            if outcome.rejectedNodes.isEmpty {
                await broker.acknowledge(evaluation.id)
                return
            }
        }
        // The cluster kept changing under every plan: give the evaluation up and say why.
        if let givenUp = await broker.negativelyAcknowledge(evaluation.id) {
            var failed = givenUp
            failed.status = .failed
            failed.statusDescription = "plans were refused \(maximumPlanAttempts) times because the cluster changed under them"
            _ = try? await manager.submit(.upsertEvaluations([failed], time: clock()))
        }
    }
}

/// xoshiro256** seeded from the system generator: unpredictable across evaluations, cheap
/// within one (IDs and tie-breaking only; nothing secret is drawn from it).
struct SchedulingRandom: RandomNumberGenerator {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    init(seed: SystemRandomNumberGenerator) {
        var system = seed
        state = (system.next(), system.next(), system.next(), system.next())
        if state == (0, 0, 0, 0) { state.0 = 1 }
    }

    mutating func next() -> UInt64 {
        let result = ((state.1 &* 5) << 7 | (state.1 &* 5) >> 57) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = state.3 << 45 | state.3 >> 19
        return result
    }
}
