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
            let (verdict, outcome) = await state.commit(plan, now: clock())
            if case .success = outcome {
                await broker.enqueue(StateCommand.applyPlan(verdict.accepted, time: clock()).carriedEvaluations)
                if verdict.accepted.stops.values.contains(where: { !$0.isEmpty }) {
                    let released = await broker.unblockAll()
                    if !released.isEmpty { _ = await state.submit(.upsertEvaluations(released, time: clock())) }
                }
            }
            if verdict.isFullyAccepted {
                await broker.acknowledge(evaluation.id)
                return
            }
        }
        // The cluster kept changing under every plan: give the evaluation up and say why.
        if let givenUp = await broker.negativelyAcknowledge(evaluation.id) {
            var failed = givenUp
            failed.status = .failed
            failed.statusDescription = "plans were refused \(maximumPlanAttempts) times because the cluster changed under them"
            _ = await state.submit(.upsertEvaluations([failed], time: clock()))
        }
    }
}
