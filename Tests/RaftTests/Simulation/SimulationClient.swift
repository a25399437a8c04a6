import Raft

/// A simulated client: one operation at a time, never retried (a retry could apply twice,
/// and the store does not deduplicate), sent to the node it believes leads.
struct SimulationClient {
    /// What the client is waiting for.
    enum Wait {
        /// Its command was accepted at this index and term: answered when that node applies it.
        case entry(index: UInt64, term: UInt64)
        /// A ReadIndex read: answered once the node's store reaches the confirmed index.
        case read
    }

    struct Pending {
        var sequence: UInt32
        var operation: SimulationCommand.Operation
        var invoked: UInt64
        var node: RaftNodeID
        var incarnation: Int
        var wait: Wait
    }

    let id: UInt32
    var sequence: UInt32 = 0
    var leaderGuess: RaftNodeID = .none
    var pending: Pending?

    init(id: UInt32) {
        self.id = id
    }

    /// The ReadIndex context naming this client's read.
    static func context(client: UInt32, sequence: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: client >> UInt32(8 * $0)) } + (0..<4).map { UInt8(truncatingIfNeeded: sequence >> UInt32(8 * $0)) }
    }
}
