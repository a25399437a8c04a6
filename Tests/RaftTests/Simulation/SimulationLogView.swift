import Raft

/// A leader's in-memory log as the invariants need it: which terms it holds at which indexes.
struct SimulationLogView {
    var node: RaftNodeID
    var term: UInt64
    /// Indexes below this were compacted into a snapshot and cannot be looked at.
    var firstIndex: UInt64
    var termAt: (UInt64) -> UInt64?
}
