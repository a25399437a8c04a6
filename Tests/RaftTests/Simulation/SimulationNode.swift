import Raft

/// One simulated server: its Raft core while it runs, its disk always, and the volatile state
/// a real server would rebuild on restart (the key-value store, the Ready being persisted).
struct SimulationNode {
    let id: RaftNodeID
    /// Bumped on every restart: timers and syncs scheduled for an earlier life are ignored.
    var incarnation = 0
    var instance: RaftInstance?
    var disk = SimulationDisk()
    /// Removed from the cluster and shut down for good.
    var isRetired = false
    var tickMilliseconds: UInt64

    // Volatile: lost in a crash.
    var store = SimulationKeyValueStore()
    var appliedIndex: UInt64 = 0
    var lastSnapshotIndex: UInt64 = 0
    /// The Ready whose writes are waiting for their sync.
    var pendingReady: RaftReady?
    /// Whether `pendingReady`'s messages already went out (only with a deliberate breakage).
    var sentEarly = false
    /// Confirmed reads waiting for the store to reach their index.
    var readStates: [ReadState] = []

    var isRunning: Bool { instance != nil }

    init(id: RaftNodeID, tickMilliseconds: UInt64) {
        self.id = id
        self.tickMilliseconds = tickMilliseconds
    }

    /// Power loss: everything volatile goes, the disk keeps what it keeps.
    mutating func crash(random: inout SimulationRandom, tearing: Bool) -> String {
        instance = nil
        pendingReady = nil
        sentEarly = false
        readStates = []
        incarnation += 1
        return disk.crash(random: &random, tearing: tearing)
    }

    /// What the disk hands Raft on start.
    var persistentState: RaftPersistentState {
        let durable = disk.durable
        return RaftPersistentState(
            hardState: durable.hardState,
            snapshot: durable.snapshot.map { RaftSnapshot(metadata: $0, data: durable.snapshotData) },
            entries: durable.entries)
    }
}
