import Raft

extension SimulationCluster {
    /// A client invokes its next operation (or retries finding a leader).
    func clientStep(_ clientID: UInt32) {
        guard !healed, let position = clients.firstIndex(where: { $0.id == clientID }), clients[position].pending == nil else { return }
        var client = clients[position]
        defer { clients[position] = client }
        let running = nodeOrder.filter { nodes[$0]?.instance != nil }
        guard !running.isEmpty else {
            queue.schedule(after: clientRandom.between(10, 50), .clientStep(clientID))
            return
        }
        // Mostly the node believed to lead; sometimes any node (a follower serves ReadIndex reads
        // itself once the leader has confirmed the read index).
        let knowsLeader = nodes[client.leaderGuess]?.instance != nil && clientRandom.chance(0.7)
        let target = knowsLeader ? client.leaderGuess : clientRandom.pick(running)
        guard var instance = nodes[target]?.instance, let incarnation = nodes[target]?.incarnation else { return }

        let key = UInt8(clientRandom.below(UInt64(scenario.keyCount)))
        let sequence = client.sequence + 1
        let unique = UInt64(clientID) << 32 | UInt64(sequence)
        let operation: SimulationCommand.Operation
        switch clientRandom.below(10) {
        case 0...3: operation = .put(key: key, value: unique)
        case 4...6: operation = .get(key: key)
        default:
            let expected: UInt64? = clientRandom.chance(0.8) ? nodes[target]?.store.read(key) : nil
            operation = .compareAndSwap(key: key, expected: expected, new: unique)
        }
        let now = queue.now
        var retry = false
        if case .get = operation, scenario.breakage.contains(.staleReads) {
            client.sequence = sequence
            statistics.operations += 1
            history.append(SimulationOperation(client: clientID, operation: operation, invoked: now, respondedAt: now,
                                               output: .value(nodes[target]?.store.read(key))))
            clients[position] = client
            queue.schedule(after: clientRandom.between(1, 30), .clientStep(clientID))
            return
        } else if case .get = operation, clientRandom.chance(0.6) {
            switch instance.readIndex(context: SimulationClient.context(client: clientID, sequence: sequence)) {
            case .pending:
                client.pending = .init(sequence: sequence, operation: operation, invoked: now, node: target, incarnation: incarnation, wait: .read)
            case .noLeader:
                client.leaderGuess = .none
                retry = true
            }
        } else {
            let command = SimulationCommand(client: clientID, sequence: sequence, operation: operation)
            switch instance.propose(command.encoded()) {
            case .accepted(let index, let term):
                client.pending = .init(sequence: sequence, operation: operation, invoked: now, node: target, incarnation: incarnation,
                                       wait: .entry(index: index, term: term))
            case .notLeader(let hint):
                client.leaderGuess = hint
                retry = true
            case .refused:
                retry = true
            }
        }
        nodes[target]?.instance = instance
        if retry {
            queue.schedule(after: clientRandom.between(5, 30), .clientStep(clientID))
            return
        }
        client.sequence = sequence
        client.leaderGuess = target
        statistics.operations += 1
        queue.schedule(after: scenario.clientTimeoutMilliseconds, .clientTimeout(clientID, sequence: sequence))
    }

    /// A node applied an entry: the client waiting on that index learns its outcome.
    func applied(_ entry: LogEntry, output: SimulationKeyValueStore.Output?, on id: RaftNodeID) throws {
        for position in clients.indices {
            guard let pending = clients[position].pending, pending.node == id, pending.incarnation == nodes[id]?.incarnation,
                  case .entry(let index, let term) = pending.wait, index == entry.index else { continue }
            guard entry.term == term else {
                // Another leader's entry took the index: this command was never committed.
                finish(position, output: nil, happened: false)
                continue
            }
            let command = SimulationCommand(decoding: entry.data)
            guard entry.kind == .command, command?.client == clients[position].id, command?.sequence == pending.sequence, let output else {
                throw SimulationInvariants.Violation(
                    property: "state-machine safety",
                    detail: "\(id) applied index \(index) term \(term) as \(command.map(String.init(describing:)) ?? "\(entry.kind)"), not c\(clients[position].id)#\(pending.sequence)")
            }
            finish(position, output: output, happened: true)
        }
    }

    /// Serves confirmed reads whose index the node's store has reached.
    func answerReads(on id: RaftNodeID) {
        guard var node = nodes[id], !node.readStates.isEmpty else { return }
        let servable = scenario.breakage.contains(.readBeforeApplied) ? node.readStates : node.readStates.filter { $0.index <= node.appliedIndex }
        node.readStates.removeAll { state in servable.contains(state) }
        nodes[id] = node
        for state in servable {
            for position in clients.indices {
                guard let pending = clients[position].pending, pending.node == id, pending.incarnation == node.incarnation,
                      case .read = pending.wait,
                      SimulationClient.context(client: clients[position].id, sequence: pending.sequence) == state.context else { continue }
                finish(position, output: .value(node.store.read(pending.operation.key)), happened: true)
            }
        }
    }

    func clientTimedOut(_ clientID: UInt32, sequence: UInt32) {
        guard let position = clients.firstIndex(where: { $0.id == clientID }), clients[position].pending?.sequence == sequence else { return }
        finish(position, output: nil, happened: true)
    }

    /// The node serving these clients went down: their outcomes are unknown.
    func abandonOperations(on id: RaftNodeID) {
        for position in clients.indices where clients[position].pending?.node == id {
            clients[position].leaderGuess = .none
            finish(position, output: nil, happened: true)
        }
    }

    /// Records the operation: answered (`output`), unknown (`output == nil`, `happened`), or
    /// known never to have happened (left out of the history).
    func finish(_ position: Int, output: SimulationKeyValueStore.Output?, happened: Bool) {
        guard let pending = clients[position].pending else { return }
        clients[position].pending = nil
        if happened {
            history.append(SimulationOperation(
                client: clients[position].id, operation: pending.operation, invoked: pending.invoked,
                respondedAt: output == nil ? nil : queue.now, output: output))
        }
        if !healed {
            queue.schedule(after: clientRandom.between(1, 30), .clientStep(clients[position].id))
        }
    }

    /// At the end, operations still waiting have unknown outcomes.
    func finishPendingOperations() {
        for position in clients.indices { finish(position, output: nil, happened: true) }
    }
}
