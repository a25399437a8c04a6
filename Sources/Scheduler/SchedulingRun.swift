import ClusterModel

/// One evaluation being scheduled: the working state of `Scheduler.process`.
struct SchedulingRun<State: SchedulerState> {
    let evaluation: Evaluation
    let state: State
    let now: Timestamp
    let settings: SchedulerSettings
    var plan: Plan

    init(evaluation: Evaluation, state: State, now: Timestamp, settings: SchedulerSettings) {
        self.evaluation = evaluation
        self.state = state
        self.now = now
        self.settings = settings
        var outcome = evaluation
        outcome.status = .complete
        outcome.modifyTime = now
        plan = Plan(
            evaluationID: evaluation.id, jobID: evaluation.jobID, namespace: evaluation.namespace,
            priority: evaluation.priority, evaluation: outcome)
    }

    mutating func schedule(random: inout some RandomNumberGenerator) {}
}
