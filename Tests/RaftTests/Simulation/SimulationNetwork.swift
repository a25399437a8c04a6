import Raft

/// The simulated network between the nodes of one run. It decides the fate of every message
/// (lost, delayed, duplicated: reordering follows from independent delays) and keeps the set of
/// cut links. A partition is a set of one-way cuts, so a symmetric split, an asymmetric
/// one-way cut and an isolated leader are all the same thing seen from here; a message is
/// checked against the cuts both when it is sent and when it would arrive, as a real partition
/// also swallows what was in flight.
struct SimulationNetwork {
    /// How unreliable the links are when no partition is in force.
    struct Faults: Sendable {
        var dropProbability: Double = 0.0
        var duplicateProbability: Double = 0.0
        /// Delivery delay in simulated milliseconds, drawn uniformly per copy.
        var minimumDelay: UInt64 = 1
        var maximumDelay: UInt64 = 5

        /// A network that delivers everything once, quickly: what liveness is judged under.
        static let calm = Faults(dropProbability: 0, duplicateProbability: 0, minimumDelay: 1, maximumDelay: 3)
    }

    /// A one-way link that is cut.
    struct Link: Hashable, Sendable, CustomStringConvertible {
        var from: RaftNodeID
        var to: RaftNodeID
        var description: String { "\(from)->\(to)" }
    }

    var faults: Faults
    private(set) var cut: Set<Link> = []
    private var random: SimulationRandom

    /// Counters a failing run prints, to show what the network did.
    private(set) var sent = 0
    private(set) var dropped = 0
    private(set) var duplicated = 0

    init(faults: Faults, random: SimulationRandom) {
        self.faults = faults
        self.random = random
    }

    /// The delays after which copies of a message sent now arrive: none when it is lost, two
    /// when it is duplicated.
    mutating func deliveryDelays(from: RaftNodeID, to: RaftNodeID) -> [UInt64] {
        sent += 1
        if !canDeliver(from: from, to: to) || random.chance(faults.dropProbability) {
            dropped += 1
            return []
        }
        var delays = [random.between(faults.minimumDelay, faults.maximumDelay)]
        if random.chance(faults.duplicateProbability) {
            duplicated += 1
            delays.append(random.between(faults.minimumDelay, faults.maximumDelay * 3))
        }
        return delays
    }

    /// Whether the link is whole at this moment.
    func canDeliver(from: RaftNodeID, to: RaftNodeID) -> Bool {
        !cut.contains(Link(from: from, to: to))
    }

    /// Splits the nodes into two sides that cannot hear each other.
    mutating func partition(_ side: Set<RaftNodeID>, from other: Set<RaftNodeID>) {
        for a in side {
            for b in other where a != b {
                cut.insert(Link(from: a, to: b))
                cut.insert(Link(from: b, to: a))
            }
        }
    }

    /// Cuts only the direction `from → to` for every pair: the receivers still talk back.
    mutating func cutOneWay(from senders: Set<RaftNodeID>, to receivers: Set<RaftNodeID>) {
        for a in senders {
            for b in receivers where a != b {
                cut.insert(Link(from: a, to: b))
            }
        }
    }

    /// Cuts a node off from everyone (the leader, typically).
    mutating func isolate(_ node: RaftNodeID, among nodes: Set<RaftNodeID>) {
        partition([node], from: nodes.subtracting([node]))
    }

    /// Mends every cut.
    mutating func heal() {
        cut.removeAll()
    }

    var summary: String {
        "sent \(sent), dropped \(dropped), duplicated \(duplicated), cut links \(cut.count)"
    }
}
