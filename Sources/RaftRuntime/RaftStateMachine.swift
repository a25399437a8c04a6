/// What the Raft shell replicates: a deterministic machine that every manager feeds the same
/// committed commands in the same order. Called from the shell's actor only, one call at a time.
public protocol RaftStateMachine: AnyObject, Sendable {
    /// Applies one committed command; the result goes back to whoever proposed it on this node.
    func apply(_ command: [UInt8], at index: UInt64) -> [UInt8]
    /// The whole state, for a snapshot (taken after the command at the applied index).
    func snapshot() -> [UInt8]
    /// Replaces the whole state by a snapshot's (a restart, or a leader's InstallSnapshot).
    func restore(_ snapshot: [UInt8]) throws
}
