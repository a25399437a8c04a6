extension RaftInstance {
    /// Whether `ready()` would hand out any work.
    public var hasReady: Bool {
        if !outbox.isEmpty || !earlyOutbox.isEmpty || !readStates.isEmpty || snapshotToPersist != nil { return true }
        if hardState != lastHardState || softState != lastSoftState { return true }
        if log.lastIndex > log.persistedIndex || log.needsTruncation { return true }
        if min(log.committed, log.persistedIndex) > log.applied { return true }
        return role == .leader && hasAppendsToSend
    }

    /// Collects the work to do; call `advance(_:)` with it once done, before the next `ready()`.
    /// Appends to followers are built here rather than on each proposal, so that everything
    /// proposed since the last Ready travels in one batch per follower.
    public mutating func ready() -> RaftReady {
        precondition(!readyOutstanding, "RaftInstance.ready() called again before advance(_:)")
        if role == .leader { sendPendingAppends() }
        var ready = RaftReady(softState: softState)
        let current = hardState
        if current != lastHardState { ready.hardState = current }
        ready.snapshot = snapshotToPersist
        if log.needsTruncation { ready.truncateAfter = log.persistedIndex }
        ready.entries = log.entries(from: log.persistedIndex + 1, through: log.lastIndex, maxBytes: Int.max)
        let applyThrough = min(log.committed, log.persistedIndex)
        if applyThrough > log.applied {
            ready.committedEntries = log.entries(from: log.applied + 1, through: applyThrough, maxBytes: settings.maxApplyBytesPerReady)
        }
        ready.messages = outbox
        ready.messagesBeforePersist = earlyOutbox
        ready.readStates = readStates
        outbox = []
        earlyOutbox = []
        readStates = []
        snapshotToPersist = nil
        log.needsTruncation = false
        log.mayBeOnDiskThrough = max(log.mayBeOnDiskThrough, log.lastIndex)
        readyOutstanding = true
        return ready
    }

    /// Records that the shell persisted, sent and applied `ready`.
    public mutating func advance(_ ready: RaftReady) {
        readyOutstanding = false
        if let hard = ready.hardState { lastHardState = hard }
        lastSoftState = ready.softState
        if let snapshot = ready.snapshot {
            if snapshot.metadata.index >= (latestSnapshot?.metadata.index ?? 0) { latestSnapshot = snapshot }
        }
        if let last = ready.entries.last, log.term(at: last.index) == last.term {
            log.persistedIndex = max(log.persistedIndex, last.index)
        }
        if let last = ready.committedEntries.last {
            log.applied = max(log.applied, min(last.index, log.committed))
        }
        // The leader counts its own vote for an entry only once the entry is on its disk.
        if role == .leader, maybeCommit() { afterLeaderCommit() }
    }

    /// The shell took a snapshot of its state machine at `index` (≤ applied, still in the log):
    /// the core keeps its bytes to send to followers, and returns the metadata to store with it
    /// (the term of that entry and the configuration in force there), or nil if `index` is not
    /// usable (not applied yet, or compacted away).
    public mutating func snapshotTaken(index: UInt64, data: [UInt8]) -> SnapshotMetadata? {
        guard index <= log.applied, let term = log.term(at: index), index > (latestSnapshot?.metadata.index ?? 0) || latestSnapshot == nil else {
            return nil
        }
        let metadata = SnapshotMetadata(index: index, term: term, configuration: configuration(asOf: index))
        latestSnapshot = RaftSnapshot(metadata: metadata, data: data)
        return metadata
    }

    /// The shell took a snapshot of its state machine at `metadata.index` (≤ applied): keep its
    /// bytes to send to followers that fall behind the compacted log.
    public mutating func snapshotTaken(metadata: SnapshotMetadata, data: [UInt8]) {
        guard metadata.index <= log.applied else { return }
        guard metadata.index > (latestSnapshot?.metadata.index ?? 0) || latestSnapshot == nil else { return }
        latestSnapshot = RaftSnapshot(metadata: metadata, data: data)
    }

    /// Drops the log through `index`, which must be covered by the latest snapshot (it is
    /// clamped to it and to the applied index). Keep some entries behind it if followers that are
    /// slightly behind should be caught up from the log rather than by a snapshot.
    public mutating func compact(through index: UInt64) {
        let limit = min(index, log.applied, latestSnapshot?.metadata.index ?? 0)
        guard limit > log.offsetIndex else { return }
        baseConfiguration = configuration(asOf: limit)
        baseConfigurationIndex = limit
        log.compact(through: limit)
    }
}
