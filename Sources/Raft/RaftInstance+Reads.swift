extension RaftInstance {
    /// Asks for a linearizable read (thesis §6.4). The leader notes its commit index, confirms
    /// with a heartbeat round that it still leads, and then produces a `ReadState`: the read is
    /// served once the state machine has applied that index. A follower forwards the request to
    /// the leader and produces the `ReadState` when the answer comes back.
    public mutating func readIndex(context: [UInt8]) -> ReadRequestOutcome {
        if role == .leader {
            handleRead(context: context, requester: id)
            return .pending
        }
        guard leader != .none else { return .noLeader }
        send(RaftMessage(kind: .readIndex, from: id, to: leader, term: term, context: context))
        return .pending
    }

    mutating func handleForwardedRead(_ message: RaftMessage) {
        guard role == .leader, configuration.members.contains(message.from) else {
            send(RaftMessage(kind: .readIndexResponse, from: id, to: message.from, term: term, reject: true, context: message.context))
            return
        }
        handleRead(context: message.context, requester: message.from)
    }

    mutating func handleRead(context: [UInt8], requester: RaftNodeID) {
        var read = PendingRead(sequence: 0, index: log.committed, context: context, requester: requester, acknowledgements: [])
        // Until the leader commits an entry of its term, its commit index may be behind what an
        // earlier leader acknowledged: wait for that first commit.
        guard log.term(at: log.committed) == term else {
            readsAwaitingCommit.append(read)
            return
        }
        if configuration.voters == [id] || (settings.leaseRead && settings.checkQuorum) {
            deliver(read)
            return
        }
        readSequence += 1
        read.sequence = readSequence
        if configuration.voters.contains(id) { read.acknowledgements.insert(id) }
        pendingReads.append(read)
        let context = encodeReadSequence(readSequence)
        for node in progress.keys.sorted() {
            guard let pr = progress[node] else { continue }
            send(RaftMessage(kind: .heartbeat, from: id, to: node, term: term, commit: min(pr.match, log.committed), context: context))
        }
    }

    mutating func releaseReadsAwaitingCommit() {
        guard !readsAwaitingCommit.isEmpty, log.term(at: log.committed) == term else { return }
        let waiting = readsAwaitingCommit
        readsAwaitingCommit = []
        for read in waiting { handleRead(context: read.context, requester: read.requester) }
    }

    /// A heartbeat answer for read `sequence` confirms leadership for it and every earlier read.
    mutating func acknowledgeReads(through sequence: UInt64, from node: RaftNodeID) {
        guard configuration.voters.contains(node) else { return }
        var confirmedThrough = -1
        for position in pendingReads.indices where pendingReads[position].sequence <= sequence {
            pendingReads[position].acknowledgements.insert(node)
            if pendingReads[position].acknowledgements.count >= quorum { confirmedThrough = position }
        }
        guard confirmedThrough >= 0 else { return }
        let confirmed = pendingReads[...confirmedThrough]
        pendingReads.removeSubrange(...confirmedThrough)
        for read in confirmed { deliver(read) }
    }

    mutating func deliver(_ read: PendingRead) {
        if read.requester == id {
            readStates.append(ReadState(index: read.index, context: read.context))
        } else {
            send(RaftMessage(kind: .readIndexResponse, from: id, to: read.requester, term: term, index: read.index, context: read.context))
        }
    }

    func encodeReadSequence(_ sequence: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: sequence >> UInt64(8 * $0)) }
    }

    func decodeReadSequence(_ bytes: [UInt8]) -> UInt64? {
        guard bytes.count == 8 else { return nil }
        var value: UInt64 = 0
        for (offset, byte) in bytes.enumerated() { value |= UInt64(byte) << UInt64(8 * offset) }
        return value
    }
}
