import Raft

extension SimulationCluster {
    /// One fault, drawn from the fault generator (so client choices do not shift the faults).
    func injectFault() throws {
        let running = nodeOrder.filter { nodes[$0]?.instance != nil }
        switch faultRandom.below(100) {
        case 0..<20:
            crashSomeone(running)
        case 20..<30:
            guard running.count > 1 else { return }
            let shuffled = faultRandom.shuffled(running)
            let cut = Int(faultRandom.between(1, UInt64(shuffled.count - 1)))
            network.partition(Set(shuffled[..<cut]), from: Set(shuffled[cut...]))
            statistics.partitions += 1
            trace("partition \(shuffled[..<cut].map(\.description)) | \(shuffled[cut...].map(\.description))")
        case 30..<38:
            guard running.count > 1 else { return }
            let shuffled = faultRandom.shuffled(running)
            let cut = Int(faultRandom.between(1, UInt64(shuffled.count - 1)))
            network.cutOneWay(from: Set(shuffled[..<cut]), to: Set(shuffled[cut...]))
            statistics.partitions += 1
            trace("one-way cut \(shuffled[..<cut].map(\.description)) -> \(shuffled[cut...].map(\.description))")
        case 38..<48:
            guard let leader = liveLeader else { return }
            network.isolate(leader, among: Set(nodeOrder))
            statistics.partitions += 1
            trace("isolate leader \(leader)")
        case 48..<63:
            network.heal()
            trace("network heals")
        case 63..<70:
            network.faults = SimulationNetwork.Faults(
                dropProbability: Double(faultRandom.below(30)) / 100,
                duplicateProbability: Double(faultRandom.below(10)) / 100,
                minimumDelay: 1, maximumDelay: faultRandom.between(2, 60))
            trace("network now drops \(network.faults.dropProbability), delays up to \(network.faults.maximumDelay) ms")
        case 70..<85:
            if scenario.membershipChanges { changeMembership() }
        case 85..<93:
            guard let leader = liveLeader, var instance = nodes[leader]?.instance else { return }
            let voters = instance.configuration.voters.subtracting([leader]).sorted()
            guard !voters.isEmpty else { return }
            let target = faultRandom.pick(voters)
            let outcome = instance.transferLeadership(to: target)
            nodes[leader]?.instance = instance
            statistics.transfers += 1
            trace("\(leader) transfers leadership to \(target): \(outcome)")
        default:
            for id in nodeOrder where nodes[id]?.instance == nil { start(id) }
        }
    }

    /// Crashes a node (the leader, often), keeping at least a majority of founders' worth up.
    func crashSomeone(_ running: [RaftNodeID]) {
        let down = nodeOrder.filter { nodes[$0]?.instance == nil && nodes[$0]?.isRetired == false }.count
        guard down < (scenario.nodeCount - 1) / 2 + (faultRandom.chance(0.3) ? 1 : 0), !running.isEmpty else { return }
        if faultRandom.chance(0.3) {
            // Crash it at the worst moment: just after its next writes are issued, before the sync.
            let target = faultRandom.pick(running)
            crashAtNextWrite.insert(target)
            trace("\(target) will crash at its next write")
            return
        }
        let victim: RaftNodeID
        let syncing = running.filter { nodes[$0]?.disk.hasUnsyncedWrites == true }
        if !syncing.isEmpty, faultRandom.chance(0.5) {
            // The nastiest moment: writes handed to the disk but not yet synced.
            victim = faultRandom.pick(syncing)
        } else if let leader = liveLeader, faultRandom.chance(0.4) {
            victim = leader
        } else {
            victim = faultRandom.pick(running)
        }
        crash(victim)
        queue.schedule(after: faultRandom.between(20, 800), .restart(victim))
    }

    /// A crash armed by `crashSomeone` goes off between a Ready's writes and their sync.
    func crashIfArmed(_ id: RaftNodeID) {
        guard crashAtNextWrite.remove(id) != nil, !healed else { return }
        crash(id)
        queue.schedule(after: faultRandom.between(20, 800), .restart(id))
    }

    func crash(_ id: RaftNodeID) {
        guard var node = nodes[id], node.instance != nil else { return }
        let tearing = faultRandom.chance(scenario.tearProbability)
        let note = node.crash(random: &faultRandom, tearing: tearing)
        nodes[id] = node
        statistics.crashes += 1
        abandonOperations(on: id)
        trace("\(id) crashes: \(note)")
    }

    /// One membership step: add a learner, promote a caught-up learner, or remove a voter
    /// (the leader itself sometimes), keeping between 3 voters and one more than at the start.
    func changeMembership() {
        guard let leader = liveLeader, var instance = nodes[leader]?.instance else { return }
        let configuration = instance.configuration
        let change: ConfigurationChange
        if let learner = configuration.learners.sorted().first {
            guard let progress = instance.replicationProgress[learner], progress.match >= instance.commitIndex else { return }
            change = .promoteLearner(learner)
        } else if configuration.voters.count > scenario.nodeCount
                    || (configuration.voters.count > 3 && faultRandom.chance(0.3)) {
            change = .removeMember(faultRandom.pick(configuration.voters.sorted()))
        } else {
            guard let spare = (1...UInt64(scenario.nodeCount + 4)).map({ RaftNodeID($0) }).first(where: { nodes[$0] == nil }) else { return }
            change = .addLearner(spare)
        }
        let outcome = instance.proposeConfigurationChange(change)
        nodes[leader]?.instance = instance
        trace("\(leader) proposes \(change): \(outcome)")
        guard case .accepted = outcome else { return }
        statistics.membershipChanges += 1
        if case .addLearner(let spare) = change {
            nodes[spare] = makeNode(spare)
            start(spare)
        }
    }

    /// A removed member is shut down for good once its removal is applied somewhere.
    func retire(_ id: RaftNodeID) {
        guard var node = nodes[id], !node.isRetired else { return }
        if node.instance != nil {
            _ = node.crash(random: &faultRandom, tearing: false)
        }
        node.isRetired = true
        nodes[id] = node
        abandonOperations(on: id)
        trace("\(id) is retired")
    }

    /// The end of the faults: the network mends and calms down, every crashed node restarts,
    /// clients stop, and a probe write must now get through.
    func heal() {
        healed = true
        crashAtNextWrite.removeAll()
        network.heal()
        network.faults = .calm
        for id in nodeOrder where nodes[id]?.instance == nil { start(id) }
        probe = SimulationProbe()
        queue.schedule(after: 1, .probe)
        trace("everything heals")
    }

    /// Liveness: proposes a write through whoever leads, then waits until it is committed and
    /// every running member of the leader's configuration has applied it.
    func probeStep() throws {
        guard var probe, !probe.isDone else { return }
        defer {
            self.probe = probe
            if !probe.isDone { queue.schedule(after: 20, .probe) }
        }
        let leader = liveLeader
        for proposal in probe.proposals {
            guard let committed = invariants.committedEntry(at: proposal.index),
                  committed.term == proposal.term, committed.data == proposal.data else { continue }
            guard let leader, let configuration = nodes[leader]?.instance?.configuration else {
                probe.detail = "probe at \(proposal.index) committed, no leader to name the members"
                return
            }
            let lagging = configuration.members.sorted().filter { id in
                guard let node = nodes[id], node.instance != nil else { return false }
                return node.appliedIndex < proposal.index
            }
            if lagging.isEmpty {
                probe.isDone = true
                trace("liveness: probe at \(proposal.index) applied on every member")
            } else {
                probe.detail = "probe at \(proposal.index) committed, not yet applied on \(lagging.map(\.description))"
            }
            return
        }
        let stale = probe.proposals.last.map { queue.now - $0.at > 1_000 } ?? true
        guard stale, let leader, var instance = nodes[leader]?.instance else { return }
        probe.sequence += 1
        let data = SimulationCommand(client: 0, sequence: probe.sequence, operation: .put(key: 255, value: UInt64(probe.sequence))).encoded()
        if case .accepted(let index, let term) = instance.propose(data) {
            probe.proposals.append((index, term, data, queue.now))
            trace("liveness: probe proposed at \(index) term \(term) on \(leader)")
        }
        nodes[leader]?.instance = instance
    }
}
