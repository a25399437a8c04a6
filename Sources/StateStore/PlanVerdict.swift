import ClusterModel

/// The plan applier's answer to a plan made on an older snapshot: the part that still fits
/// the current state, and the nodes whose placements were refused (with why).
public struct PlanVerdict: Sendable, Hashable {
    /// The plan with the refused nodes' placements removed; commit it with
    /// `StateCommand.applyPlan`. Stops are always accepted.
    public var accepted: Plan
    /// Node → reason. When not empty, the evaluation should be scheduled again on a newer
    /// state (Nomad retries a bounded number of times) rather than marked complete.
    public var rejectedNodes: [NodeID: String]

    public init(accepted: Plan, rejectedNodes: [NodeID: String] = [:]) {
        self.accepted = accepted
        self.rejectedNodes = rejectedNodes
    }

    public var isFullyAccepted: Bool { rejectedNodes.isEmpty }
}
