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
    let scheduler = Scheduler()

    func run() async {
        var random = SystemRandomNumberGenerator()
        while let evaluation = await broker.next() {
            await schedule(evaluation, random: &random)
        }
    }

    private func schedule(_ evaluation: Evaluation, random: inout SystemRandomNumberGenerator) async {
        for _ in 0..<max(1, maximumPlanAttempts) {
            let snapshot = await state.snapshot
            let plan = scheduler.process(evaluation, state: snapshot, now: clock(), random: &random)
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
