/// The scheduler's answer to an evaluation: allocations to create or update and allocations
/// to stop, per node. The plan applier on the leader re-checks each node against the newest
/// state before committing (optimistic concurrency), so a plan made from a stale snapshot
/// can be rejected for the nodes that no longer fit.
public struct Plan: Sendable, Hashable, Codable {
    public var evaluationID: EvaluationID
    public var jobID: String
    public var namespace: String
    public var priority: Int
    /// New or updated allocations, by node.
    public var placements: [NodeID: [Allocation]]
    /// Allocations to stop (their desired status and description already set), by node.
    public var stops: [NodeID: [Allocation]]
    /// The evaluation updated with what was not placed and why.
    public var evaluation: Evaluation
    /// Evaluations to create alongside (blocked evaluations, delayed reschedules).
    public var followupEvaluations: [Evaluation]
    /// Deployments the plan creates (a new version's roll-out) or cancels (an older one's).
    public var deployments: [Deployment] = []

    public init(
        evaluationID: EvaluationID, jobID: String, namespace: String, priority: Int,
        placements: [NodeID: [Allocation]] = [:], stops: [NodeID: [Allocation]] = [:], evaluation: Evaluation,
        followupEvaluations: [Evaluation] = []
    ) {
        self.evaluationID = evaluationID
        self.jobID = jobID
        self.namespace = namespace
        self.priority = priority
        self.placements = placements
        self.stops = stops
        self.evaluation = evaluation
        self.followupEvaluations = followupEvaluations
    }

    public var isEmpty: Bool {
        placements.values.allSatisfy(\.isEmpty) && stops.values.allSatisfy(\.isEmpty)
    }
}
