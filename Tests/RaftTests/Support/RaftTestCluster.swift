import Raft
import Testing

/// What one test node has "on disk": exactly what the shell would have written by following
/// each `RaftReady` in order.
struct TestDisk: Sendable {
    var hardState = HardState.empty
    var snapshot: RaftSnapshot?
    var entries: [LogEntry] = []

    mutating func persist(_ ready: RaftReady) {
        if let snapshot = ready.snapshot {
            self.snapshot = snapshot
            entries = []
        }
        if let after = ready.truncateAfter {
            entries.removeAll { $0.index > after }
        }
        if let first = ready.entries.first {
            entries.removeAll { $0.index >= first.index }
            entries.append(contentsOf: ready.entries)
        }
        if let hard = ready.hardState { hardState = hard }
    }

    var state: RaftPersistentState {
        RaftPersistentState(hardState: hardState, snapshot: snapshot, entries: entries)
    }
}

/// The other way to found a cluster: a snapshot at index 0 that holds the configuration.
func foundingSnapshot(voters: [UInt64], learners: [UInt64] = []) -> RaftSnapshot {
    let configuration = RaftConfiguration(voters: Set(voters.map { RaftNodeID($0) }), learners: Set(learners.map { RaftNodeID($0) }))
    return RaftSnapshot(metadata: SnapshotMetadata(index: 0, term: 0, configuration: configuration), data: [])
}

/// One node of the hand-driven test network: the core, its disk, and what it applied.
struct TestNode: Sendable {
    var instance: RaftInstance
    var disk: TestDisk
    var applied: [LogEntry] = []
    var readStates: [ReadState] = []
    var restoredSnapshots: [SnapshotMetadata] = []
    var isUp = true
    /// The index the state machine is at: committed entries must follow it without a gap.
    var appliedThrough: UInt64 = 0
}

/// A tiny in-memory network for unit tests and scripts: messages sit in `pending` until a
/// test delivers them, so every interleaving is chosen by hand. No randomness, no clock.
struct RaftTestCluster: Sendable {
    var nodes: [RaftNodeID: TestNode] = [:]
    var pending: [RaftMessage] = []
    /// Links that lose every message (both directions are listed separately).
    var cutLinks: Set<[UInt64]> = []
    var settingsTemplate: RaftSettings
    var delivered: [RaftMessage] = []
    /// Readies handed out and not yet persisted (see `beginReady`).
    var outstanding: [RaftNodeID: RaftReady] = [:]
    /// Broken rules noticed while running the Ready loop (applying out of order).
    var violations: [String] = []

    init(voters: [UInt64], learners: [UInt64] = [], configure: (inout RaftSettings) -> Void = { _ in }) {
        var template = RaftSettings(id: RaftNodeID(1))
        configure(&template)
        settingsTemplate = template
        let state = RaftPersistentState.bootstrap(
            voters: Set(voters.map { RaftNodeID($0) }), learners: Set(learners.map { RaftNodeID($0) }))
        bootstrapSnapshot = foundingSnapshot(voters: voters, learners: learners)
        for raw in voters + learners {
            nodes[RaftNodeID(raw)] = TestNode(instance: RaftInstance(settings: settings(for: raw), restoring: state), disk: TestDisk())
        }
    }

    /// The founders' configuration as a snapshot at index 0, for tests that write whole logs of
    /// their own (in place of the bootstrap entry at index 1).
    var bootstrapSnapshot: RaftSnapshot

    func settings(for raw: UInt64) -> RaftSettings {
        var settings = settingsTemplate
        settings.id = RaftNodeID(raw)
        settings.seed = settingsTemplate.seed &+ raw
        return settings
    }

    subscript(_ raw: UInt64) -> RaftInstance {
        get { nodes[RaftNodeID(raw)]!.instance }
        set { nodes[RaftNodeID(raw)]!.instance = newValue }
    }

    func node(_ raw: UInt64) -> TestNode { nodes[RaftNodeID(raw)]! }

    var ids: [RaftNodeID] { nodes.keys.sorted() }

    /// Adds a node that starts empty (it joins through a configuration change).
    mutating func addEmptyNode(_ raw: UInt64) {
        nodes[RaftNodeID(raw)] = TestNode(instance: RaftInstance(settings: settings(for: raw)), disk: TestDisk())
    }

    /// Replaces a node's disk and restarts it from there.
    mutating func setDisk(_ raw: UInt64, _ disk: TestDisk) {
        nodes[RaftNodeID(raw)]!.disk = disk
        restart(raw)
    }

    /// Runs the Ready loop of one node: persist, queue its messages, apply, advance. A node
    /// whose Ready is still being "written" (`beginReady`) is busy and skipped.
    mutating func process(_ id: RaftNodeID) {
        guard let node = nodes[id], node.isUp, outstanding[id] == nil else { return }
        var rounds = 0
        while nodes[id]!.instance.hasReady {
            rounds += 1
            if rounds > 100 {
                // `hasReady` must mean that `ready()` makes progress, or a shell would spin.
                violations.append("node \(id) reports hasReady forever")
                break
            }
            let ready = nodes[id]!.instance.ready()
            complete(ready, on: id)
        }
    }

    /// Takes a Ready and leaves it "being written": the node keeps receiving messages meanwhile,
    /// as a real node does during its fsync. Messages allowed before the persist go out now.
    mutating func beginReady(_ id: RaftNodeID) {
        guard let node = nodes[id], node.isUp, outstanding[id] == nil, node.instance.hasReady else { return }
        let ready = nodes[id]!.instance.ready()
        pending.append(contentsOf: ready.messagesBeforePersist)
        outstanding[id] = ready
    }

    /// Finishes the write started by `beginReady`, then runs the rest of the loop.
    mutating func finishReady(_ id: RaftNodeID) {
        guard let ready = outstanding.removeValue(forKey: id) else { return }
        var rest = ready
        rest.messagesBeforePersist = []
        complete(rest, on: id)
        process(id)
    }

    private mutating func complete(_ ready: RaftReady, on id: RaftNodeID) {
        var node = nodes[id]!
        node.disk.persist(ready)
        if let snapshot = ready.snapshot {
            node.restoredSnapshots.append(snapshot.metadata)
            node.appliedThrough = snapshot.metadata.index
        }
        pending.append(contentsOf: ready.messagesBeforePersist + ready.messages)
        for entry in ready.committedEntries {
            if entry.index != node.appliedThrough + 1 {
                violations.append("node \(id) applied \(entry.index) after \(node.appliedThrough)")
            }
            node.appliedThrough = entry.index
        }
        node.applied.append(contentsOf: ready.committedEntries)
        node.readStates.append(contentsOf: ready.readStates)
        node.instance.advance(ready)
        nodes[id] = node
    }

    mutating func processAll() {
        for id in ids { process(id) }
    }

    func canDeliver(_ message: RaftMessage) -> Bool {
        guard let target = nodes[message.to], target.isUp, nodes[message.from]?.isUp == true else { return false }
        return !cutLinks.contains([message.from.rawValue, message.to.rawValue])
    }

    /// Delivers the pending messages that match, once (answers stay pending). Returns them.
    @discardableResult
    mutating func deliver(where matches: (RaftMessage) -> Bool = { _ in true }) -> [RaftMessage] {
        processAll()
        var now: [RaftMessage] = []
        var keep: [RaftMessage] = []
        for message in pending {
            if matches(message) { now.append(message) } else { keep.append(message) }
        }
        pending = keep
        var handed: [RaftMessage] = []
        for message in now where canDeliver(message) {
            nodes[message.to]!.instance.step(message)
            handed.append(message)
        }
        delivered.append(contentsOf: handed)
        processAll()
        return handed
    }

    /// Delivers until nothing is left to say (bounded, so a livelock fails instead of hanging).
    mutating func stabilize(maxRounds: Int = 1000) {
        for _ in 0..<maxRounds {
            processAll()
            if pending.isEmpty { return }
            deliver()
        }
        Issue.record("the cluster did not stabilize within \(maxRounds) rounds (a livelock)")
    }

    mutating func drop(where matches: (RaftMessage) -> Bool) {
        pending.removeAll(where: matches)
    }

    mutating func tick(_ raw: UInt64, times: Int = 1) {
        for _ in 0..<times where nodes[RaftNodeID(raw)]!.isUp { self[raw].tick() }
        process(RaftNodeID(raw))
    }

    mutating func tickAll(times: Int = 1) {
        for _ in 0..<times {
            for id in ids where nodes[id]!.isUp { nodes[id]!.instance.tick() }
        }
        processAll()
    }

    /// Elects `raw` by having it campaign and delivering everything.
    mutating func elect(_ raw: UInt64) {
        self[raw].campaign()
        stabilize()
    }

    mutating func isolate(_ raw: UInt64) {
        for other in ids where other.rawValue != raw {
            cutLinks.insert([raw, other.rawValue])
            cutLinks.insert([other.rawValue, raw])
        }
    }

    mutating func partition(_ groups: [[UInt64]]) {
        cutLinks = []
        for group in groups {
            for other in ids.map(\.rawValue) where !group.contains(other) {
                for member in group {
                    cutLinks.insert([member, other])
                    cutLinks.insert([other, member])
                }
            }
        }
    }

    mutating func heal() { cutLinks = [] }

    /// Stops a node: what it had not persisted is gone, and so are messages to it.
    mutating func crash(_ raw: UInt64) {
        nodes[RaftNodeID(raw)]!.isUp = false
        outstanding[RaftNodeID(raw)] = nil
        pending.removeAll { $0.to.rawValue == raw || $0.from.rawValue == raw }
    }

    /// Starts a node again from its disk (its state machine replays from the snapshot).
    mutating func restart(_ raw: UInt64) {
        let id = RaftNodeID(raw)
        let disk = nodes[id]!.disk
        outstanding[id] = nil
        nodes[id]!.instance = RaftInstance(settings: settings(for: raw), restoring: disk.state)
        nodes[id]!.applied = []
        nodes[id]!.appliedThrough = disk.snapshot?.metadata.index ?? 0
        nodes[id]!.isUp = true
        pending.removeAll { $0.to == id }
    }

    @discardableResult
    mutating func propose(_ raw: UInt64, _ text: String) -> ProposalOutcome {
        let outcome = self[raw].propose(Array(text.utf8))
        process(RaftNodeID(raw))
        return outcome
    }

    var leaders: [RaftNodeID] { ids.filter { nodes[$0]!.isUp && nodes[$0]!.instance.role == .leader } }

    /// The commands a node applied, as text (snapshots restore nothing textual in these tests).
    func appliedCommands(_ raw: UInt64) -> [String] {
        node(raw).applied.filter { $0.kind == .command }.map { String(decoding: $0.data, as: UTF8.self) }
    }

    /// State-machine safety and log matching over what the nodes hold: returns a description of
    /// the first violation, or nil.
    func safetyViolation() -> String? {
        if let first = violations.first { return first }
        var appliedAt: [UInt64: LogEntry] = [:]
        for id in ids {
            for entry in nodes[id]!.applied {
                if let other = appliedAt[entry.index], other != entry {
                    return "node \(id) applied \(entry) at \(entry.index) but another node applied \(other)"
                }
                appliedAt[entry.index] = entry
            }
        }
        let instances = ids.map { nodes[$0]!.instance }
        for a in instances {
            for b in instances where a.id < b.id {
                let through = min(a.lastIndex, b.lastIndex)
                guard through > 0 else { continue }
                let low = max(a.firstIndex, b.firstIndex)
                guard low <= through else { continue }
                let left = a.entries(from: low, through: through)
                let right = b.entries(from: low, through: through)
                // Log matching: from the last common (index, term) down, the logs are identical.
                let pairs = Array(zip(left, right))
                if let lastCommon = pairs.lastIndex(where: { $0.0.term == $0.1.term && $0.0.index == $0.1.index }) {
                    for position in 0...lastCommon where left[position] != right[position] {
                        return "logs of \(a.id) and \(b.id) differ at \(left[position].index) below a common entry"
                    }
                }
            }
        }
        return nil
    }
}
