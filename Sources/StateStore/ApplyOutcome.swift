/// What applying one command changed, so the manager can wake blocking queries and the eval
/// broker without diffing the state.
public struct ApplyOutcome: Sendable, Hashable {
    public var index: UInt64
    public var changedTables: Set<StateTable>

    public init(index: UInt64, changedTables: Set<StateTable> = []) {
        self.index = index
        self.changedTables = changedTables
    }
}
