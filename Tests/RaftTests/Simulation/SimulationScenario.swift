/// The shape of one simulation run, drawn from its seed: how big the cluster is, how hostile
/// the network and the disks are, how long the faults last. Drawing these per seed (rather
/// than fixing them) lets a few hundred seeds cover calm and stormy runs alike.
struct SimulationScenario: Sendable, CustomStringConvertible {
    var seed: UInt64
    var nodeCount: Int
    /// Simulated milliseconds of faults before everything heals.
    var faultMilliseconds: UInt64
    /// After healing, a new write must be applied everywhere within this long.
    var livenessMilliseconds: UInt64 = 10_000
    /// Mean time between two fault events.
    var faultIntervalMilliseconds: UInt64
    var network: SimulationNetwork.Faults
    var clientCount: Int
    var keyCount: UInt8 = 3
    /// A node snapshots its state machine after this many applied entries.
    var snapshotThreshold: UInt64
    /// Chance that a crash tears the unsynced batch instead of losing it whole.
    var tearProbability: Double
    /// One tick per node every this many milliseconds (each node drifts a little around it).
    var tickMilliseconds: UInt64 = 10
    var maximumDiskLatency: UInt64
    /// A client gives up on an operation after this long (its outcome is then unknown).
    var clientTimeoutMilliseconds: UInt64 = 1_500
    /// The core's optional early send of the leader's appends, on in some runs.
    var sendAppendsBeforePersist: Bool
    /// Small in some runs, so that a node catching up applies over several Readies.
    var maxApplyBytesPerReady: Int
    /// Whether faults include membership changes (add a learner, promote it, remove a voter).
    var membershipChanges = true
    /// Deliberate defects of the harness, to show that the checks catch them.
    var breakage: SimulationBreakage = []

    /// Draws a scenario from the seed. `nodeCount` defaults to 3 for even seeds, 5 for odd ones.
    init(seed: UInt64, nodeCount: Int? = nil, faultMilliseconds: UInt64 = 3_000) {
        var random = SimulationRandom(seed: seed ^ 0x5CE9_A210)
        self.seed = seed
        self.nodeCount = nodeCount ?? (seed % 2 == 0 ? 3 : 5)
        self.faultMilliseconds = faultMilliseconds
        faultIntervalMilliseconds = random.between(60, 300)
        let calm = random.chance(0.2)
        network = SimulationNetwork.Faults(
            dropProbability: calm ? 0 : Double(random.below(15)) / 100,
            duplicateProbability: calm ? 0 : Double(random.below(8)) / 100,
            minimumDelay: 1,
            maximumDelay: random.between(2, 40))
        clientCount = Int(random.between(2, 5))
        snapshotThreshold = random.between(8, 40)
        tearProbability = random.chance(0.5) ? 0.8 : 0.2
        maximumDiskLatency = random.between(1, 8)
        sendAppendsBeforePersist = random.chance(0.5)
        maxApplyBytesPerReady = random.chance(0.3) ? 64 : 1 << 20
    }

    var description: String {
        "seed \(seed), \(nodeCount) nodes, faults for \(faultMilliseconds) ms every ~\(faultIntervalMilliseconds) ms, "
            + "drop \(network.dropProbability), duplicate \(network.duplicateProbability), delay \(network.minimumDelay)-\(network.maximumDelay) ms, "
            + "\(clientCount) clients, snapshot every \(snapshotThreshold) entries"
            + (sendAppendsBeforePersist ? ", early appends" : "") + (maxApplyBytesPerReady < 1024 ? ", small applies" : "")
    }
}

/// Ways to break the harness on purpose (each one a rule a real shell must keep), used to
/// prove that the invariants and the linearizability check notice.
struct SimulationBreakage: OptionSet, Sendable, CustomStringConvertible {
    let rawValue: Int

    var description: String {
        let names: [(SimulationBreakage, String)] = [
            (.sendBeforeSync, "sendBeforeSync"), (.readBeforeApplied, "readBeforeApplied"), (.skipSync, "skipSync"), (.staleReads, "staleReads"),
        ]
        let set = names.filter { contains($0.0) }.map(\.1)
        return set.isEmpty ? "none" : set.joined(separator: "+")
    }
    /// Send a Ready's messages before its writes are synced (a vote or an acknowledged entry can
    /// then be forgotten by a crash).
    static let sendBeforeSync = SimulationBreakage(rawValue: 1 << 0)
    /// Answer ReadIndex reads at once, before the state machine has applied the read index.
    static let readBeforeApplied = SimulationBreakage(rawValue: 1 << 1)
    /// Never fsync: writes reach the platter only when the OS happens to flush (here, at one
    /// Ready in ten), so a crash can forget votes and acknowledged entries.
    static let skipSync = SimulationBreakage(rawValue: 1 << 2)
    /// Serve reads from the contacted node's store at once, without ReadIndex (a `?stale` read
    /// passed off as linearizable).
    static let staleReads = SimulationBreakage(rawValue: 1 << 3)
}
