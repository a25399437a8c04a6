import ClusterModel
import StateStore

extension StateCommand {
    /// The evaluations the broker must see once the command is applied: pending ones to
    /// schedule, blocked ones to retry when capacity appears.
    var carriedEvaluations: [Evaluation] {
        let all: [Evaluation] =
            switch self {
            case .registerJob(_, let evaluation, _): evaluation.map { [$0] } ?? []
            case .deregisterJob(_, _, _, let evaluation, _, _): evaluation.map { [$0] } ?? []
            case .upsertNode(_, let evaluations, _): evaluations
            case .updateNodeStatus(_, _, _, let evaluations, _): evaluations
            case .updateNodeEligibility(_, _, _, let evaluations, _): evaluations
            case .updateNodeDrain(_, _, _, let evaluations, _): evaluations
            case .deregisterNode(_, let evaluations, _): evaluations
            case .updateAllocations(_, let evaluations, _): evaluations
            // A retried blocked evaluation that still does not fit is blocked again by its own plan.
            case .applyPlan(let plan, _), .submitPlan(let plan, _):
                (plan.evaluation.status == .blocked ? [plan.evaluation] : []) + plan.followupEvaluations
            case .updateDeployment(let update): update.evaluations
            case .upsertEvaluations, .garbageCollect, .upsertACLToken, .deleteACLToken, .bootstrapACL, .setSchedulerConfiguration: []
            }
        return all.filter { $0.status == .pending || $0.status == .blocked }
    }

    /// Whether applying the command can make room for work that did not fit: a node joined or
    /// came back, allocations ended, or a job stopped.
    var mayFreeCapacity: Bool {
        switch self {
        case .upsertNode, .deregisterJob: true
        case .updateNodeStatus(_, let status, _, _, _): status == .ready
        case .updateNodeEligibility(_, let eligibility, let drain, _, _): eligibility == .eligible && !drain
        case .updateNodeDrain(_, let strategy, let markEligible, _, _): strategy == nil && markEligible
        case .updateAllocations(let updates, _, _): updates.contains { $0.clientStatus.isTerminal }
        case .applyPlan(let plan, _), .submitPlan(let plan, _): plan.stops.values.contains { !$0.isEmpty }
        case .deregisterNode, .registerJob, .upsertEvaluations, .garbageCollect, .upsertACLToken, .deleteACLToken, .bootstrapACL,
             .updateDeployment, .setSchedulerConfiguration: false
        }
    }
}
