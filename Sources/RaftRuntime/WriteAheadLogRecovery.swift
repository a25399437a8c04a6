import Raft

/// What `WriteAheadLog.open` found on disk.
public struct WriteAheadLogRecovery: Sendable, Equatable {
    /// The last hard state written (`.empty` for a new log).
    public var hardState: HardState
    /// The log is compacted through this index (0 when never compacted); its term is
    /// `snapshotTerm`. The caller's snapshot store must hold a snapshot at least this new.
    public var snapshotIndex: UInt64
    public var snapshotTerm: UInt64
    /// Every live entry after `snapshotIndex`, in order.
    public var entries: [LogEntry]
    /// `snapshotIndex + 1`.
    public var firstIndex: UInt64
    /// The index of the last entry (`snapshotIndex` when there is none).
    public var lastIndex: UInt64
    /// Bytes cut from the end because they did not form valid records (a torn write or
    /// corruption); 0 when the log was clean.
    public var droppedBytes: Int
    /// Why bytes were dropped and where, for the operator; nil when none were.
    public var dropReason: String?
}
