import ClusterModel

/// What applying one command changed, so the manager can wake blocking queries and the eval
/// broker without diffing the state.
public struct ApplyOutcome: Sendable, Hashable, Codable {
    public var index: UInt64
    public var changedTables: Set<StateTable>
    /// For `submitPlan`: the nodes whose placements no longer fit, with why. Empty when the
    /// whole plan was committed.
    public var rejectedNodes: [NodeID: String]

    public init(index: UInt64, changedTables: Set<StateTable> = [], rejectedNodes: [NodeID: String] = [:]) {
        self.index = index
        self.changedTables = changedTables
        self.rejectedNodes = rejectedNodes
    }
}
