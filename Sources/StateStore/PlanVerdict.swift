import ClusterModel

/// The plan applier's answer to a plan made on an older snapshot: the part that still fits
/// the current state, and the nodes whose placements were refused (with why).
public struct PlanVerdict: Sendable, Hashable {
    /// The plan with the refused nodes' placements removed; commit it with
    /// `StateCommand.applyPlan`. Stops are always accepted. When some node was refused, its
    /// evaluation's status is `pending` again, so committing it puts the evaluation back in
    /// the broker's queue to be scheduled on the newer state (bound the retries per
    /// evaluation in the broker, as Nomad does).
    public var accepted: Plan
    /// Node → reason.
    public var rejectedNodes: [NodeID: String]

    public init(accepted: Plan, rejectedNodes: [NodeID: String] = [:]) {
        self.accepted = accepted
        self.rejectedNodes = rejectedNodes
    }

    public var isFullyAccepted: Bool { rejectedNodes.isEmpty }
}
