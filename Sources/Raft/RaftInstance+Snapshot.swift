extension RaftInstance {
    // MARK: - Leader side

    mutating func startSnapshot(to node: RaftNodeID) {
        guard var pr = progress[node] else { return }
        // Without a snapshot that reaches the log's start (the shell has not handed one over),
        // the follower cannot be caught up yet: pause it until its next heartbeat answer rather
        // than loop.
        guard let snapshot = latestSnapshot, snapshot.metadata.index >= log.offsetIndex else {
            if pr.state != .probe { pr.becomeProbe() }
            pr.probeSent = true
            progress[node] = pr
            return
        }
        pr.becomeSnapshot(index: snapshot.metadata.index)
        progress[node] = pr
        sendSnapshotChunk(to: node)
    }

    /// Nothing heard for a while: resend from what the follower confirmed, or start over with a
    /// newer snapshot if one was taken meanwhile.
    mutating func resendSnapshot(to node: RaftNodeID) {
        guard let pr = progress[node], let snapshot = latestSnapshot else { return }
        if snapshot.metadata.index != pr.snapshotIndex {
            startSnapshot(to: node)
        } else {
            sendSnapshotChunk(to: node)
        }
    }

    /// One chunk at a time per follower: the next goes out when this one is acknowledged.
    mutating func sendSnapshotChunk(to node: RaftNodeID) {
        guard var pr = progress[node], let snapshot = latestSnapshot, snapshot.metadata.index == pr.snapshotIndex else { return }
        let total = snapshot.data.count
        let start = Int(min(pr.snapshotAcknowledged, UInt64(total)))
        let end = min(start + settings.snapshotChunkBytes, total)
        send(RaftMessage(
            kind: .installSnapshot, from: id, to: node, term: term, index: snapshot.metadata.index,
            logTerm: snapshot.metadata.term, snapshot: snapshot.metadata, snapshotOffset: UInt64(start),
            snapshotTotalBytes: UInt64(total), snapshotData: Array(snapshot.data[start..<end]), snapshotDone: end == total))
        pr.snapshotTicksSinceSend = 0
        progress[node] = pr
    }

    mutating func handleSnapshotResponse(_ message: RaftMessage) {
        guard role == .leader, var pr = progress[message.from] else { return }
        pr.recentlyActive = true
        guard pr.state == .snapshot, message.index == pr.snapshotIndex else {
            progress[message.from] = pr
            return
        }
        if message.reject {
            // The follower will not take it (too big for it): try again after the next heartbeat
            // answer, not at once (that would loop).
            pr.becomeProbe()
            pr.probeSent = true
            progress[message.from] = pr
            return
        }
        if message.snapshotDone {
            pr.match = max(pr.match, message.index)
            pr.becomeReplicate()
            progress[message.from] = pr
            if maybeCommit() { afterLeaderCommit() }
            return
        }
        pr.snapshotAcknowledged = message.snapshotOffset
        progress[message.from] = pr
        sendSnapshotChunk(to: message.from)
    }

    // MARK: - Follower side

    mutating func handleSnapshotChunk(_ message: RaftMessage) {
        guard let metadata = message.snapshot, metadata.index == message.index else { return }
        func answer(offset: UInt64, done: Bool = false, reject: Bool = false) {
            send(RaftMessage(
                kind: .installSnapshotResponse, from: id, to: message.from, term: term, index: metadata.index,
                reject: reject, snapshotOffset: offset, snapshotDone: done))
        }
        if metadata.index <= log.committed {
            // Already holds everything it covers.
            incomingSnapshot = nil
            answer(offset: message.snapshotTotalBytes, done: true)
            return
        }
        guard message.snapshotTotalBytes <= UInt64(settings.maxSnapshotBytes) else {
            answer(offset: 0, reject: true)
            return
        }
        if let incoming = incomingSnapshot, incoming.metadata == metadata, incoming.term == message.term,
            incoming.totalBytes == message.snapshotTotalBytes
        {
            // Continue the same transfer.
        } else if message.snapshotOffset == 0 {
            incomingSnapshot = IncomingSnapshot(metadata: metadata, term: message.term, totalBytes: message.snapshotTotalBytes, data: [])
        } else {
            answer(offset: 0)
            return
        }
        guard var incoming = incomingSnapshot else { return }
        let held = UInt64(incoming.data.count)
        guard message.snapshotOffset == held else {
            answer(offset: held)  // A duplicate or a gap: say where to resume.
            return
        }
        guard held + UInt64(message.snapshotData.count) <= incoming.totalBytes else {
            incomingSnapshot = nil
            answer(offset: 0)
            return
        }
        incoming.data.append(contentsOf: message.snapshotData)
        incomingSnapshot = incoming
        let complete = UInt64(incoming.data.count) == incoming.totalBytes
        guard message.snapshotDone else {
            answer(offset: UInt64(incoming.data.count))
            return
        }
        guard complete else {
            incomingSnapshot = nil
            answer(offset: 0)
            return
        }
        incomingSnapshot = nil
        install(RaftSnapshot(metadata: metadata, data: incoming.data))
        answer(offset: incoming.totalBytes, done: true)
    }

    /// Replaces the log by the snapshot, unless the log already holds the entry it ends with
    /// (then only the commit index moves, and the entries after it are kept).
    mutating func install(_ snapshot: RaftSnapshot) {
        let metadata = snapshot.metadata
        if log.matches(index: metadata.index, term: metadata.term) {
            commit(through: metadata.index)
            return
        }
        log.restore(index: metadata.index, term: metadata.term)
        baseConfiguration = metadata.configuration
        baseConfigurationIndex = metadata.index
        configuration = metadata.configuration
        configurationIndex = metadata.index
        snapshotToPersist = snapshot
        // Committed state: it may be sent on (should this node lead) before it is on disk.
        latestSnapshot = snapshot
    }
}
