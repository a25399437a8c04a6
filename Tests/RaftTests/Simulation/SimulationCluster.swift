import Raft

/// A whole Raft cluster in one thread, driven by one seed. It plays the shell for every node —
/// ticks, persists each Ready to the node's simulated disk, syncs, *then* sends its messages,
/// applies committed entries to the key-value store, answers clients and advances — while
/// the network, the disks and a fault schedule do their worst. Every event is followed by the
/// safety checks; the run ends with a linearizability check of what the clients saw and a
/// liveness check once every fault has healed.
final class SimulationCluster {
    enum Event {
        case tick(RaftNodeID, incarnation: Int)
        case deliver(RaftMessage)
        case syncDone(RaftNodeID, incarnation: Int)
        case restart(RaftNodeID)
        case fault
        case clientStep(UInt32)
        case clientTimeout(UInt32, sequence: UInt32)
        case heal
        case probe
        case retire(RaftNodeID)
    }

    let scenario: SimulationScenario
    var queue = SimulationEventQueue<Event>()
    var network: SimulationNetwork
    var random: SimulationRandom
    var faultRandom: SimulationRandom
    var clientRandom: SimulationRandom
    var nodes: [RaftNodeID: SimulationNode] = [:]
    /// Node ids in a fixed order, so that iteration never depends on hashing.
    var nodeOrder: [RaftNodeID] = []
    var invariants = SimulationInvariants()
    var history: [SimulationOperation] = []
    var clients: [SimulationClient] = []
    var healed = false
    var probe: SimulationProbe?
    /// Nodes that crash right after their next writes are issued (before the sync).
    var crashAtNextWrite: Set<RaftNodeID> = []
    var statistics = SimulationStatistics()
    /// Print what happens (for replaying one seed).
    var verbose = false
    var events = 0

    init(scenario: SimulationScenario) {
        self.scenario = scenario
        var root = SimulationRandom(seed: scenario.seed)
        network = SimulationNetwork(faults: scenario.network, random: root.fork())
        random = root.fork()
        faultRandom = root.fork()
        clientRandom = root.fork()
    }

    func trace(_ line: @autoclosure () -> String) {
        if verbose { print("[\(queue.now) ms] \(line())") }
    }

    // MARK: - Running

    /// The voters the cluster is founded with: 1...nodeCount.
    var founders: Set<RaftNodeID> { Set((1...scenario.nodeCount).map { RaftNodeID(UInt64($0)) }) }

    /// Runs the scenario; throws the first violation found.
    func run() throws {
        let founders = self.founders
        for id in founders.sorted() {
            nodes[id] = makeNode(id)
            start(id)
        }
        for client in 1...scenario.clientCount {
            clients.append(SimulationClient(id: UInt32(client)))
            queue.schedule(after: clientRandom.between(1, 50), .clientStep(UInt32(client)))
        }
        queue.schedule(after: faultRandom.between(1, scenario.faultIntervalMilliseconds * 2), .fault)
        queue.schedule(after: scenario.faultMilliseconds, .heal)
        let deadline = scenario.faultMilliseconds + scenario.livenessMilliseconds

        while let (time, event) = queue.next() {
            if time > deadline { break }
            events += 1
            try handle(event)
            try processReadies()
            try checkRoles()
            if let probe, probe.isDone { break }
        }
        guard let probe, probe.isDone else {
            let state = nodeOrder.compactMap { id -> String? in
                guard let node = nodes[id], let instance = node.instance else { return nil }
                return "\(id): \(instance.role) term \(instance.term) applied \(node.appliedIndex) last \(instance.lastIndex)"
            }.joined(separator: "; ")
            throw SimulationInvariants.Violation(
                property: "liveness",
                detail: "no write committed and applied on every live member within \(scenario.livenessMilliseconds) ms of healing (\(probe?.summary ?? "no probe")); \(state)")
        }
        statistics.recoveryMilliseconds = queue.now - scenario.faultMilliseconds
        finishPendingOperations()
        let verdict = SimulationLinearizabilityChecker().check(history)
        if case .notLinearizable = verdict {
            throw SimulationInvariants.Violation(property: "linearizability", detail: verdict.description)
        }
        if case .unknown = verdict { statistics.linearizabilityUnknown = true }
    }

    func makeNode(_ id: RaftNodeID) -> SimulationNode {
        let drift = random.between(0, 2)
        let tick = scenario.tickMilliseconds - 1 + drift
        if !nodeOrder.contains(id) { nodeOrder.append(id) }
        return SimulationNode(id: id, tickMilliseconds: tick)
    }

    /// Boots (or reboots) a node from its disk.
    func start(_ id: RaftNodeID) {
        guard var node = nodes[id], !node.isRetired, !node.isRunning else { return }
        let settings = RaftSettings(
            id: id, electionTimeoutTicks: 10, heartbeatTicks: 2,
            seed: scenario.seed &+ UInt64(node.incarnation) &* 7919,
            maxInflightAppends: 4, maxAppendBytes: 256, snapshotChunkBytes: 16,
            maxApplyBytesPerReady: scenario.maxApplyBytesPerReady,
            sendAppendsBeforePersist: scenario.sendAppendsBeforePersist)
        // A founder whose disk is still empty (it never synced its first Ready) founds again;
        // everyone else starts from what the disk kept.
        let state = founders.contains(id) && node.disk.durable == SimulationDisk.Contents()
            ? RaftPersistentState.bootstrap(voters: founders)
            : node.persistentState
        node.instance = RaftInstance(settings: settings, restoring: state)
        node.store = SimulationKeyValueStore()
        node.appliedIndex = state.snapshot?.metadata.index ?? 0
        node.lastSnapshotIndex = node.appliedIndex
        if let data = state.snapshot?.data, !data.isEmpty, let store = SimulationKeyValueStore(snapshot: data) {
            node.store = store
        }
        nodes[id] = node
        queue.schedule(after: random.between(1, node.tickMilliseconds), .tick(id, incarnation: node.incarnation))
        trace("\(id) starts (term \(state.hardState.term), \(state.entries.count) entries, snapshot \(node.appliedIndex))")
    }

    func handle(_ event: Event) throws {
        switch event {
        case .tick(let id, let incarnation):
            guard nodes[id]?.incarnation == incarnation, nodes[id]?.instance != nil, let interval = nodes[id]?.tickMilliseconds else { return }
            nodes[id]?.instance?.tick()
            queue.schedule(after: interval, .tick(id, incarnation: incarnation))
        case .deliver(let message):
            guard nodes[message.to]?.instance != nil, network.canDeliver(from: message.from, to: message.to) else { return }
            if verbose, [.requestVote, .requestVoteResponse, .requestPreVote, .requestPreVoteResponse, .timeoutNow].contains(message.kind) {
                trace("\(message.from) -> \(message.to) \(message.kind) term \(message.term) index \(message.index) logTerm \(message.logTerm)\(message.reject ? " reject" : "")")
            }
            nodes[message.to]?.instance?.step(message)
        case .syncDone(let id, let incarnation):
            guard nodes[id]?.incarnation == incarnation else { return }
            try completeReady(id)
        case .restart(let id):
            start(id)
        case .fault:
            guard !healed else { return }
            try injectFault()
            queue.schedule(after: faultRandom.between(1, scenario.faultIntervalMilliseconds * 2), .fault)
        case .clientStep(let client):
            clientStep(client)
        case .clientTimeout(let client, let sequence):
            clientTimedOut(client, sequence: sequence)
        case .heal:
            heal()
        case .probe:
            try probeStep()
        case .retire(let id):
            retire(id)
        }
    }

    // MARK: - The shell's loop

    func processReadies() throws {
        var progressed = true
        while progressed {
            progressed = false
            for id in nodeOrder {
                guard let node = nodes[id], node.pendingReady == nil, let instance = node.instance, instance.hasReady else { continue }
                try takeReady(id)
                progressed = true
            }
        }
    }

    /// Writes a Ready to the disk and schedules its sync; nothing is sent before the sync.
    func takeReady(_ id: RaftNodeID) throws {
        guard var node = nodes[id], var instance = node.instance else { return }
        let ready = instance.ready()
        node.instance = instance
        if verbose, let hard = ready.hardState {
            trace("\(id) persists term \(hard.term) vote \(hard.vote) commit \(hard.commit), \(ready.entries.count) entries, role \(ready.softState.role), config \(instance.configuration.voters.sorted()) learners \(instance.configuration.learners.sorted())")
        }
        if let snapshot = ready.snapshot {
            node.disk.write(.snapshot(snapshot.metadata, snapshot.data))
        }
        if let after = ready.truncateAfter {
            node.disk.write(.truncate(after: after))
        }
        if let first = ready.entries.first {
            let held = node.disk.current.lastIndex
            guard first.index <= held + 1, first.index > (node.disk.current.snapshot?.index ?? 0) else {
                throw SimulationInvariants.Violation(
                    property: "log matching", detail: "\(id) was asked to append from index \(first.index) to a log ending at \(held)")
            }
            for (offset, entry) in ready.entries.enumerated() where entry.index != first.index + UInt64(offset) {
                throw SimulationInvariants.Violation(property: "log matching", detail: "\(id) was handed non-contiguous entries at \(entry.index)")
            }
            node.disk.write(.entries(ready.entries))
            try invariants.observeWrite(id, entries: ready.entries, contents: node.disk.current)
        }
        if let hardState = ready.hardState {
            node.disk.write(.hardState(hardState))
        }
        node.pendingReady = ready
        nodes[id] = node
        // The leader's appends may overlap its own fsync (they depend on nothing it persists).
        send(ready.messagesBeforePersist)
        if scenario.breakage.contains(.sendBeforeSync) {
            send(ready.messages)
            nodes[id]?.sentEarly = true
        }
        if ready.mustPersist && crashAtNextWrite.contains(id) {
            crashIfArmed(id)
            return
        }
        if ready.mustPersist {
            queue.schedule(after: random.between(1, scenario.maximumDiskLatency), .syncDone(id, incarnation: node.incarnation))
        } else {
            try completeReady(id)
        }
    }

    /// The sync finished: the writes are durable, so the messages may go; then apply and advance.
    func completeReady(_ id: RaftNodeID) throws {
        guard var node = nodes[id], let ready = node.pendingReady else { return }
        if !scenario.breakage.contains(.skipSync) || random.chance(0.1) { node.disk.sync() }
        nodes[id] = node
        if !node.sentEarly { send(ready.messages) }
        if let snapshot = ready.snapshot {
            guard let store = snapshot.data.isEmpty ? SimulationKeyValueStore() : SimulationKeyValueStore(snapshot: snapshot.data),
                  store.appliedIndex == snapshot.metadata.index || snapshot.data.isEmpty
            else {
                throw SimulationInvariants.Violation(property: "snapshot", detail: "\(id) received snapshot bytes its store did not write, at index \(snapshot.metadata.index)")
            }
            node.store = store
            node.appliedIndex = snapshot.metadata.index
            node.lastSnapshotIndex = snapshot.metadata.index
            statistics.snapshotsInstalled += 1
            try invariants.observeState(id, index: node.appliedIndex, hash: node.store.hashValue)
            trace("\(id) installs a snapshot at \(snapshot.metadata.index)")
        }
        for entry in ready.committedEntries {
            guard entry.index == node.appliedIndex + 1 else {
                throw SimulationInvariants.Violation(
                    property: "state-machine safety", detail: "\(id) was handed index \(entry.index) to apply after \(node.appliedIndex)")
            }
            try invariants.observeApply(id, entry: entry)
            var output: SimulationKeyValueStore.Output?
            switch entry.kind {
            case .command:
                output = node.store.apply(SimulationCommand(decoding: entry.data), at: entry.index)
            case .configurationChange:
                _ = node.store.apply(nil, at: entry.index)
                if let change = ConfigurationChange(encoded: entry.data) {
                    if case .removeMember(let removed) = change, nodes[removed]?.isRetired == false {
                        queue.schedule(after: random.between(1, 100), .retire(removed))
                    }
                }
            case .empty:
                _ = node.store.apply(nil, at: entry.index)
            }
            node.appliedIndex = entry.index
            try invariants.observeState(id, index: entry.index, hash: node.store.hashValue)
            nodes[id] = node
            try applied(entry, output: output, on: id)
            node = nodes[id] ?? node
        }
        node.readStates.append(contentsOf: ready.readStates)
        node.pendingReady = nil
        node.sentEarly = false
        node.instance?.advance(ready)
        nodes[id] = node
        answerReads(on: id)
        takeSnapshotIfDue(id)
    }

    func send(_ messages: [RaftMessage]) {
        for message in messages {
            guard nodes[message.to] != nil else { continue }
            for delay in network.deliveryDelays(from: message.from, to: message.to) {
                queue.schedule(after: delay, .deliver(message))
            }
        }
    }

    /// The state machine snapshots itself every so many entries; the log behind it is compacted,
    /// keeping a few entries so that slightly late followers still catch up from the log.
    func takeSnapshotIfDue(_ id: RaftNodeID) {
        guard var node = nodes[id], node.appliedIndex >= node.lastSnapshotIndex + scenario.snapshotThreshold,
              node.pendingReady == nil, var instance = node.instance else { return }
        let data = node.store.snapshotData()
        // The core fills in the term and the configuration as of the index.
        guard let metadata = instance.snapshotTaken(index: node.appliedIndex, data: data) else { return }
        // Written to a temporary file, synced and renamed: atomic and durable at once.
        node.disk.write(.snapshot(metadata, data))
        node.disk.sync()
        let keep = random.below(4)
        instance.compact(through: metadata.index > keep ? metadata.index - keep : 0)
        node.instance = instance
        node.lastSnapshotIndex = metadata.index
        nodes[id] = node
        statistics.snapshotsTaken += 1
    }

    // MARK: - Checks after every event

    func checkRoles() throws {
        for id in nodeOrder {
            guard let instance = nodes[id]?.instance, instance.role == .leader else { continue }
            if try invariants.observeLeader(id, term: instance.term) {
                statistics.elections += 1
                trace("\(id) leads term \(instance.term)")
                try invariants.checkNewLeader(logView(of: instance))
            }
        }
    }

    func logView(of instance: RaftInstance) -> SimulationLogView {
        SimulationLogView(node: instance.id, term: instance.term, firstIndex: instance.firstIndex) { index in
            guard index <= instance.lastIndex, index >= instance.firstIndex else { return nil }
            return instance.entries(from: index, through: index).first?.term
        }
    }

    var liveLeader: RaftNodeID? {
        nodeOrder.filter { nodes[$0]?.instance?.role == .leader }.max { (nodes[$0]?.instance?.term ?? 0) < (nodes[$1]?.instance?.term ?? 0) }
    }
}
