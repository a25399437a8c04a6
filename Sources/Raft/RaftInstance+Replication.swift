extension RaftInstance {
    // MARK: - Follower side

    mutating func handleAppendEntries(_ message: RaftMessage) {
        if message.index < log.committed && !log.matches(index: message.index, term: message.logTerm) {
            // Everything through the commit index is final and already here (the previous
            // entry may be compacted away, so it cannot be checked): say so.
            send(RaftMessage(kind: .appendEntriesResponse, from: id, to: message.from, term: term, index: log.committed))
            return
        }
        guard log.matches(index: message.index, term: message.logTerm) else {
            let hint = log.lastIndex(atOrBelow: message.index, withTermAtMost: message.logTerm)
            send(RaftMessage(
                kind: .appendEntriesResponse, from: id, to: message.from, term: term, index: message.index,
                reject: true, hintIndex: hint, hintTerm: log.term(at: hint) ?? 0))
            return
        }
        // Entries must follow the previous one without a gap and carry terms no newer than the
        // message's; anything else is not from a correct leader and is dropped.
        var expected = message.index + 1
        var previousTerm = message.logTerm
        for entry in message.entries {
            guard entry.index == expected, entry.term >= previousTerm, entry.term <= message.term else { return }
            expected += 1
            previousTerm = entry.term
        }
        if let conflict = log.firstConflict(in: message.entries) {
            guard conflict > log.committed else { return }
            if conflict <= log.lastIndex {
                log.truncate(from: conflict)
                if conflict <= configurationIndex { rebuildConfiguration() }
            }
            for entry in message.entries where entry.index >= conflict {
                log.append(entry)
                if entry.kind == .configurationChange { applyConfigurationEntry(entry) }
            }
        }
        let lastNew = message.index + UInt64(message.entries.count)
        commit(through: min(message.commit, lastNew))
        send(RaftMessage(kind: .appendEntriesResponse, from: id, to: message.from, term: term, index: lastNew))
    }

    mutating func handleHeartbeat(_ message: RaftMessage) {
        // The leader never sends a commit index past what it knows this follower holds.
        commit(through: message.commit)
        send(RaftMessage(kind: .heartbeatResponse, from: id, to: message.from, term: term, context: message.context))
    }

    mutating func commit(through index: UInt64) {
        let target = min(index, log.lastIndex)
        if target > log.committed { log.committed = target }
    }

    // MARK: - Leader side

    var hasAppendsToSend: Bool {
        if commitToBroadcast { return true }
        for pr in progress.values where !pr.isPaused(maxInflight: settings.maxInflightAppends) {
            if pr.state == .probe || pr.next <= log.lastIndex { return true }
        }
        return false
    }

    /// Sends each follower what it lacks, as far as its flow-control window allows.
    mutating func sendPendingAppends() {
        let carryCommit = commitToBroadcast
        commitToBroadcast = false
        for node in progress.keys.sorted() {
            sendAppends(to: node, allowEmpty: carryCommit)
        }
    }

    /// Pipelining: in replicate state, several AppendEntries go out without waiting for answers,
    /// until the window is full.
    mutating func sendAppends(to node: RaftNodeID, allowEmpty: Bool) {
        var sentAny = false
        while let pr = progress[node], !pr.isPaused(maxInflight: settings.maxInflightAppends) {
            let hasEntries = pr.next <= log.lastIndex
            if !hasEntries && pr.state == .replicate && (sentAny || !allowEmpty) { return }
            sendAppend(to: node)
            sentAny = true
            if !hasEntries { return }
        }
    }

    /// One AppendEntries from the follower's `next`, or the start of a snapshot transfer if the
    /// entries it needs are compacted away.
    mutating func sendAppend(to node: RaftNodeID) {
        guard var pr = progress[node] else { return }
        let previous = pr.next - 1
        guard let previousTerm = log.term(at: previous) else {
            startSnapshot(to: node)
            return
        }
        let entries = log.entries(from: pr.next, through: log.lastIndex, maxBytes: settings.maxAppendBytes)
        send(RaftMessage(
            kind: .appendEntries, from: id, to: node, term: term, index: previous, logTerm: previousTerm,
            commit: log.committed, entries: entries))
        switch pr.state {
        case .replicate:
            if let last = entries.last {
                pr.next = last.index + 1
                pr.inflight.append(last.index)
            }
        case .probe:
            pr.probeSent = true
        case .snapshot:
            break
        }
        progress[node] = pr
    }

    mutating func handleAppendEntriesResponse(_ message: RaftMessage) {
        guard role == .leader, var pr = progress[message.from] else { return }
        pr.recentlyActive = true
        if message.reject {
            // Only the answer to what is outstanding counts; older rejections are stale.
            switch pr.state {
            case .replicate where message.index > pr.match, .probe where message.index == pr.next - 1:
                var resume = min(message.hintIndex, log.lastIndex)
                if message.hintTerm > 0 {
                    resume = log.lastIndex(atOrBelow: message.hintIndex, withTermAtMost: message.hintTerm)
                }
                pr.becomeProbe()
                // `message.index` is the rejected previous index: the next try starts at or
                // below it, so every rejection makes progress.
                pr.next = max(min(resume + 1, message.index), pr.match + 1)
                progress[message.from] = pr
                sendAppend(to: message.from)
            default:
                progress[message.from] = pr
            }
            return
        }
        // A follower cannot hold more than the leader sent; a bigger index is garbage.
        guard message.index <= log.lastIndex else {
            progress[message.from] = pr
            return
        }
        var advanced = false
        if message.index > pr.match {
            pr.match = message.index
            pr.next = max(pr.next, message.index + 1)
            advanced = true
        }
        pr.acknowledgeInflight(through: message.index)
        switch pr.state {
        case .probe:
            pr.becomeReplicate()
        case .snapshot where pr.match >= pr.snapshotIndex:
            pr.becomeReplicate()
        default:
            break
        }
        progress[message.from] = pr
        if advanced, maybeCommit() { afterLeaderCommit() }
        if role == .leader, message.from == transferTarget, progress[message.from]?.match == log.lastIndex {
            sendTimeoutNow(to: message.from)
        }
    }

    mutating func broadcastHeartbeat() {
        let context = pendingReads.last.map { encodeReadSequence($0.sequence) } ?? []
        for node in progress.keys.sorted() {
            guard let pr = progress[node] else { continue }
            send(RaftMessage(
                kind: .heartbeat, from: id, to: node, term: term, commit: min(pr.match, log.committed),
                context: context))
        }
    }

    mutating func handleHeartbeatResponse(_ message: RaftMessage) {
        guard role == .leader, var pr = progress[message.from] else { return }
        pr.recentlyActive = true
        pr.probeSent = false
        if pr.state == .replicate && pr.match < log.lastIndex && pr.inflight.count >= settings.maxInflightAppends {
            // A lost AppendEntries would hold its window slot forever: free the oldest, and let
            // the empty append below find out (a rejection sends the follower back to probe).
            pr.inflight.removeFirst()
        }
        progress[message.from] = pr
        if pr.match < log.lastIndex && pr.state != .snapshot {
            if pr.state == .replicate {
                sendEmptyAppendCheck(to: message.from)
            } else {
                sendAppend(to: message.from)
            }
        }
        if let sequence = decodeReadSequence(message.context) {
            acknowledgeReads(through: sequence, from: message.from)
        }
    }

    /// An AppendEntries with no entries at the follower's `next`: answered positively if nothing
    /// was lost, with a rejection (and so a probe) if an earlier AppendEntries never arrived.
    mutating func sendEmptyAppendCheck(to node: RaftNodeID) {
        guard let pr = progress[node], let previousTerm = log.term(at: pr.next - 1) else {
            startSnapshot(to: node)
            return
        }
        send(RaftMessage(
            kind: .appendEntries, from: id, to: node, term: term, index: pr.next - 1, logTerm: previousTerm,
            commit: log.committed))
    }

    /// Moves the commit index to the highest index a quorum of voters holds, if that entry is of
    /// the current term (§5.4.2: older entries are committed only indirectly).
    mutating func maybeCommit() -> Bool {
        guard role == .leader, !configuration.voters.isEmpty else { return false }
        var matches: [UInt64] = []
        for voter in configuration.voters {
            matches.append(voter == id ? log.persistedIndex : progress[voter]?.match ?? 0)
        }
        matches.sort(by: >)
        let candidate = matches[quorum - 1]
        guard candidate > log.committed, log.term(at: candidate) == term else { return false }
        log.committed = candidate
        return true
    }

    mutating func afterLeaderCommit() {
        commitToBroadcast = true
        releaseReadsAwaitingCommit()
        // A leader that removed itself leads until the removal commits, then steps down and
        // hands over to the most up-to-date voter.
        if !configuration.voters.contains(id) && log.committed >= configurationIndex {
            let successor = configuration.voters.max { lhs, rhs in
                let left = progress[lhs]?.match ?? 0
                let right = progress[rhs]?.match ?? 0
                return left == right ? lhs > rhs : left < right
            }
            sendPendingAppends()
            if let successor, progress[successor]?.match == log.lastIndex {
                send(RaftMessage(kind: .timeoutNow, from: id, to: successor, term: term))
            }
            becomeFollower(term: term, leader: .none)
        }
    }
}
