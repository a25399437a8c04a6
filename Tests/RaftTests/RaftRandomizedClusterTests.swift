import Raft
import Testing

/// Small randomized runs over the hand-driven network, to shake out bugs in the core close to
/// where they are written (the full simulator, with its fault model and linearizability checker,
/// lives in the Simulation tests). Replay one seed with `RAFT_SEED=<n> swift test --filter
/// RaftRandomizedClusterTests`.
@Suite struct RaftRandomizedClusterTests {
    static let seedCount: UInt64 = 150
    static let steps = 600

    @Test func safetyHoldsAndTheClusterRecoversUnderRandomFaults() {
        let count = environmentValue("RAFT_SEED_COUNT").flatMap { UInt64($0) } ?? Self.seedCount
        var seeds = Array(0..<count)
        if let text = environmentValue("RAFT_SEED"), let seed = UInt64(text) { seeds = [seed] }
        for seed in seeds {
            if let failure = Self.run(seed: seed) {
                Issue.record("seed \(seed): \(failure). Replay: RAFT_SEED=\(seed) swift test --filter RaftRandomizedClusterTests")
                return
            }
        }
    }

    static func run(seed: UInt64) -> String? {
        var random = TestRandom(seed: seed)
        let voterCount: UInt64 = seed % 2 == 0 ? 3 : 5
        let voters = Array(1...voterCount)
        var cluster = RaftTestCluster(voters: voters) {
            $0.seed = seed
            $0.snapshotChunkBytes = 8
            $0.maxInflightAppends = 4
            $0.maxAppendBytes = 200
            $0.sendAppendsBeforePersist = seed % 3 == 0
        }
        var leaderOfTerm: [UInt64: RaftNodeID] = [:]
        var proposals = 0
        func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
        func check() -> String? {
            for id in cluster.ids where cluster.nodes[id]!.isUp && cluster.nodes[id]!.instance.role == .leader {
                let term = cluster.nodes[id]!.instance.term
                if let other = leaderOfTerm[term], other != id {
                    var dump = ""
                    for node in cluster.ids {
                        let i = cluster[node.rawValue]
                        dump += "\n  \(node): up=\(cluster.node(node.rawValue).isUp) \(i.role) t\(i.term) vote=\(i.vote) voters=\(i.configuration.voters.sorted()) learners=\(i.configuration.learners.sorted()) cfgIndex=\(i.configurationIndex) commit=\(i.commitIndex) log=\(i.entries(from: i.firstIndex, through: i.lastIndex).map { "\($0.index)@\($0.term)\($0.kind == .configurationChange ? "C" + String(describing: ConfigurationChange(encoded: $0.data)!) : "")" })"
                    }
                    return "two leaders in term \(term): \(other) and \(id)" + dump
                }
                leaderOfTerm[term] = id
            }
            return cluster.safetyViolation()
        }

        for _ in 0..<steps {
            let roll = random.next() % 100
            let node = pick(cluster.ids).rawValue
            switch roll {
            case 0..<24:
                cluster.tick(node)
            case 24..<27:
                cluster.beginReady(RaftNodeID(node))
            case 27..<30:
                cluster.finishReady(RaftNodeID(node))
            case 30..<60:
                cluster.processAll()
                for _ in 0..<4 where !cluster.pending.isEmpty {
                    let position = Int(random.next() % UInt64(cluster.pending.count))
                    let message = cluster.pending[position]
                    if random.next() % 10 != 0 { cluster.pending.remove(at: position) }  // else duplicated
                    if cluster.canDeliver(message) { cluster.nodes[message.to]!.instance.step(message) }
                    cluster.process(message.to)
                }
            case 60..<65:
                if !cluster.pending.isEmpty { cluster.pending.remove(at: Int(random.next() % UInt64(cluster.pending.count))) }
            case 65..<78:
                if let leader = cluster.leaders.first {
                    proposals += 1
                    _ = cluster.propose(leader.rawValue, "p\(proposals)")
                }
            case 78..<81:
                let cut = voters.filter { _ in random.next() % 3 == 0 }
                cluster.partition([cut, voters.filter { !cut.contains($0) }])
            case 81..<83:
                cluster.heal()
            case 83..<84:
                // One direction only: node hears but is not heard (or the reverse).
                let other = pick(cluster.ids).rawValue
                if other != node { cluster.cutLinks.insert([node, other]) }
            case 84..<85:
                if let leader = cluster.leaders.first { cluster.isolate(leader.rawValue) }
            case 85..<87:
                if cluster.node(node).isUp { cluster.crash(node) } else { cluster.restart(node) }
            case 87..<90:
                if !cluster.node(node).isUp { cluster.restart(node) }
            case 90..<93:
                // Snapshot at the applied index, then compact all but a couple of entries.
                let instance = cluster[node]
                guard cluster.node(node).isUp, instance.appliedIndex > instance.firstIndex + 2 else { break }
                let index = instance.appliedIndex
                let data = Array("snapshot-\(index)".utf8)
                guard let metadata = cluster[node].snapshotTaken(index: index, data: data) else { break }
                cluster.nodes[RaftNodeID(node)]!.disk.snapshot = RaftSnapshot(metadata: metadata, data: data)
                cluster.nodes[RaftNodeID(node)]!.disk.entries.removeAll { $0.index <= index - 2 }
                cluster[node].compact(through: index - 2)
            case 93..<95:
                if let leader = cluster.leaders.first {
                    _ = cluster[leader.rawValue].transferLeadership(to: RaftNodeID(pick(voters)))
                    cluster.process(leader)
                }
            case 95..<97:
                if cluster.node(node).isUp {
                    _ = cluster[node].readIndex(context: [UInt8(truncatingIfNeeded: random.next())])
                    cluster.process(RaftNodeID(node))
                }
            default:
                // Membership under faults: node 9 joins as a learner, is promoted or removed;
                // voters are removed (never below three) and come back as learners.
                if let leader = cluster.leaders.first {
                    if cluster.nodes[RaftNodeID(9)] == nil { cluster.addEmptyNode(9) }
                    let configuration = cluster[leader.rawValue].configuration
                    var options: [ConfigurationChange] = []
                    if !configuration.members.contains(RaftNodeID(9)) { options.append(.addLearner(RaftNodeID(9))) }
                    for learner in configuration.learners { options += [.promoteLearner(learner), .removeMember(learner)] }
                    if configuration.voters.count > 3 { options.append(.removeMember(pick(configuration.voters.sorted()))) }
                    for original in voters where !configuration.members.contains(RaftNodeID(original)) {
                        options.append(.addLearner(RaftNodeID(original)))
                    }
                    if !options.isEmpty {
                        _ = cluster[leader.rawValue].proposeConfigurationChange(pick(options))
                        cluster.process(leader)
                    }
                }
            }
            if let failure = check() { return failure }
        }

        // Liveness: heal everything, restart everyone, and require a write to commit everywhere.
        cluster.heal()
        for id in cluster.ids { cluster.finishReady(id) }
        for id in cluster.ids where !cluster.nodes[id]!.isUp { cluster.restart(id.rawValue) }
        var committedFinal = false
        for _ in 0..<400 {
            cluster.tickAll()
            cluster.stabilize()
            if let failure = check() { return failure }
            guard let leader = cluster.leaders.first else { continue }
            if case .accepted(let index, _) = cluster.propose(leader.rawValue, "final") {
                for _ in 0..<30 {
                    cluster.tickAll()
                    cluster.stabilize()
                }
                let voting = cluster[leader.rawValue].configuration.voters
                if voting.allSatisfy({ cluster[$0.rawValue].commitIndex >= index }) {
                    committedFinal = true
                    break
                }
            }
        }
        if let failure = check() { return failure }
        if environmentValue("RAFT_STATS") != nil {
            let applied = cluster.ids.map { cluster.node($0.rawValue).applied.count }
            let snapshots = cluster.ids.map { cluster.node($0.rawValue).restoredSnapshots.count }
            print("seed \(seed): terms \(leaderOfTerm.count) proposals \(proposals) applied \(applied) snapshots \(snapshots) commit \(cluster.ids.map { cluster[$0.rawValue].commitIndex }) learners \(cluster.leaders.first.map { cluster[$0.rawValue].configuration.learners } ?? [])")
        }
        return committedFinal ? nil : "no progress after healing (leaders: \(cluster.leaders))"
    }
}
