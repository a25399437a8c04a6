import Raft

/// One node's disk. Writes land in a volatile batch and become durable only when `sync()` is
/// called, as with a write followed by fsync. A crash keeps what was synced and, of the batch
/// that was not, only a prefix chosen by the run's generator (records are atomic, so a torn
/// write loses the tail of the batch, including the tail of an entries record): the state a
/// real write-ahead log recovers to after it truncates a torn tail.
struct SimulationDisk {
    /// What the disk holds, durable or as the node currently sees it.
    struct Contents: Sendable, Equatable {
        var hardState = HardState.empty
        var snapshot: SnapshotMetadata?
        var snapshotData: [UInt8] = []
        /// Entries after the snapshot, contiguous.
        var entries: [LogEntry] = []

        /// Index of the first entry that may be in `entries` (one after the snapshot).
        var firstIndex: UInt64 { (snapshot?.index ?? 0) + 1 }
        var lastIndex: UInt64 { entries.last?.index ?? (snapshot?.index ?? 0) }

        /// The term of the entry at `index` as far as the disk can tell (the snapshot's term
        /// for its own index), or nil if it holds no such entry.
        func term(at index: UInt64) -> UInt64? {
            if let snapshot, index == snapshot.index { return snapshot.term }
            guard let entry = entry(at: index) else { return index == 0 ? 0 : nil }
            return entry.term
        }

        func entry(at index: UInt64) -> LogEntry? {
            guard index >= firstIndex, index <= lastIndex else { return nil }
            return entries[Int(index - firstIndex)]
        }

        /// Writes entries the way Raft's append does: an entry at an index already held
        /// replaces it and everything after it.
        mutating func append(_ newEntries: [LogEntry]) {
            guard let first = newEntries.first else { return }
            if first.index <= (snapshot?.index ?? 0) {
                // Entries the snapshot already covers: keep only the part after it.
                let kept = newEntries.filter { $0.index > (snapshot?.index ?? 0) }
                append(kept)
                return
            }
            let keep = Int(min(first.index, lastIndex + 1) - firstIndex)
            entries.removeSubrange(keep...)
            entries.append(contentsOf: newEntries)
        }

        /// Installs a snapshot: entries it covers go; entries after it stay only if the log
        /// agrees with the snapshot at its index.
        mutating func install(_ metadata: SnapshotMetadata, data: [UInt8]) {
            if let snapshot, snapshot.index >= metadata.index { return }
            if term(at: metadata.index) == metadata.term {
                entries.removeAll { $0.index <= metadata.index }
            } else {
                entries.removeAll()
            }
            snapshot = metadata
            snapshotData = data
        }
    }

    /// One atomic record of a batch.
    enum Record: Sendable, Equatable {
        case hardState(HardState)
        case entries([LogEntry])
        case snapshot(SnapshotMetadata, [UInt8])
        /// Drops every entry after the index (a conflict the leader resolved).
        case truncate(after: UInt64)
    }

    private(set) var durable = Contents()
    private(set) var pending: [Record] = []

    /// What a reader sees now: durable contents with the unsynced batch applied.
    private(set) var current = Contents()

    var hasUnsyncedWrites: Bool { !pending.isEmpty }

    mutating func write(_ record: Record) {
        pending.append(record)
        Self.apply(record, to: &current)
    }

    /// Makes every write so far durable.
    mutating func sync() {
        for record in pending {
            Self.apply(record, to: &durable)
        }
        pending.removeAll()
        current = durable
    }

    /// Power loss: unsynced writes are lost except a prefix, which may end in the middle of an
    /// entries record. Returns how many records (and entries of a torn record) survived, for the
    /// run's trace.
    @discardableResult
    mutating func crash(random: inout SimulationRandom, tearing: Bool) -> String {
        guard tearing, !pending.isEmpty else {
            let lost = pending.count
            pending.removeAll()
            current = durable
            return "lost \(lost) unsynced record(s)"
        }
        let keptRecords = Int(random.below(UInt64(pending.count) + 1))
        var survivors = Array(pending.prefix(keptRecords))
        var note = "kept \(keptRecords) of \(pending.count) unsynced record(s)"
        if keptRecords < pending.count, case .entries(let entries) = pending[keptRecords], entries.count > 1 {
            let keptEntries = Int(random.below(UInt64(entries.count)))
            if keptEntries > 0 {
                survivors.append(.entries(Array(entries.prefix(keptEntries))))
                note += " and \(keptEntries) of \(entries.count) entries of a torn record"
            }
        }
        for record in survivors {
            Self.apply(record, to: &durable)
        }
        pending.removeAll()
        current = durable
        return note
    }

    /// Compaction the state machine asks for after a snapshot: the log before it is dropped.
    /// Written like any other record, so a crash before the sync forgets it too.
    mutating func compact(to metadata: SnapshotMetadata, data: [UInt8]) {
        write(.snapshot(metadata, data))
    }

    private static func apply(_ record: Record, to contents: inout Contents) {
        switch record {
        case .hardState(let state):
            contents.hardState = state
        case .entries(let entries):
            contents.append(entries)
        case .snapshot(let metadata, let data):
            contents.install(metadata, data: data)
        case .truncate(let index):
            contents.entries.removeAll { $0.index > index }
        }
    }
}
