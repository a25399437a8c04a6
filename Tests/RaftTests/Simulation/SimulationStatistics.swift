/// What a run did, printed with its result.
struct SimulationStatistics: Sendable, CustomStringConvertible {
    var elections = 0
    var crashes = 0
    var partitions = 0
    var membershipChanges = 0
    var transfers = 0
    var snapshotsTaken = 0
    var snapshotsInstalled = 0
    var operations = 0
    var linearizabilityUnknown = false
    /// Simulated time from healing until the probe write was applied everywhere (the most of
    /// any run, once summed).
    var recoveryMilliseconds: UInt64 = 0
    /// Runs summed by `add` (1 for a single run).
    var undecidedRuns = 0

    /// Sums another run's figures into these (for a batch summary).
    mutating func add(_ other: SimulationStatistics) {
        elections += other.elections
        crashes += other.crashes
        partitions += other.partitions
        membershipChanges += other.membershipChanges
        transfers += other.transfers
        snapshotsTaken += other.snapshotsTaken
        snapshotsInstalled += other.snapshotsInstalled
        operations += other.operations
        undecidedRuns += other.linearizabilityUnknown ? 1 : 0
        recoveryMilliseconds = max(recoveryMilliseconds, other.recoveryMilliseconds)
    }

    var description: String {
        "\(elections) elections, \(crashes) crashes, \(partitions) partitions, \(membershipChanges) membership changes, "
            + "\(transfers) transfers, \(snapshotsTaken) snapshots taken, \(snapshotsInstalled) installed, \(operations) client operations, "
            + "recovery after healing \(recoveryMilliseconds) ms"
            + (linearizabilityUnknown ? ", linearizability undecided" : "")
            + (undecidedRuns > 0 ? ", linearizability undecided in \(undecidedRuns) run(s)" : "")
    }
}
