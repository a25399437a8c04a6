import Glibc
import Raft

/// The Raft log and hard state on disk: a directory of segment files, each a sequence of
/// checksummed records (`WALRecord`).
///
/// Files are named `<sequence>-<first index>.wal` (both 16 hex digits). The sequence orders
/// them; the first index (of the entries appended when the segment was started) tells an
/// operator what is inside. Every segment begins with the hard state and compaction point in
/// force when it was started, so deleting older segments never loses either.
///
/// Durability contract (what the Raft shell must follow):
/// - `append`, `truncateSuffix` only buffer or write to the page cache. Nothing is durable
///   until `sync()` returns (or, through `GroupCommitLog`, until the awaited call returns).
/// - The shell must persist a `Ready`'s entries and hard state and wait for that sync
///   BEFORE sending the messages of the same `Ready` (a vote granted, an append acknowledged):
///   a node that crashes after acknowledging must find on restart what it acknowledged.
/// - A crash before `sync()` returns may lose any suffix of what was written since the last
///   sync, at record granularity; recovery cuts a torn record away and reports the bytes.
///
/// Memory stays bounded: the log keeps, per live entry, its term and where its record is
/// (24 bytes), plus a small cache of the newest entries; older entries are read back from the
/// files on demand.
///
/// Not thread-safe: one owner at a time (the Raft shell, on its thread). `GroupCommitLog`
/// shares it between tasks.
public final class WriteAheadLog {
    struct Segment {
        let sequence: UInt64
        let firstIndex: UInt64
        let path: String
        /// Bytes in the file (records still in the write buffer are not counted).
        var size: Int
        /// The highest entry index ever written to this segment (0: none); a segment whose
        /// entries are all at or below a snapshot can go.
        var maxEntryIndex: UInt64
        var descriptor: Int32
    }

    struct Location {
        var term: UInt64
        var sequence: UInt64
        var offset: UInt32
        var size: UInt32
    }

    public let directory: String
    let settings: WriteAheadLogSettings
    private var segments: [Segment] = []
    /// `locations[i]` is the entry at index `snapshotIndex + 1 + i`.
    private var locations: ContiguousArray<Location> = []
    private var cache: EntryCache
    /// Encoded records not yet written to the active segment.
    private var buffer: [UInt8] = []
    private var needsSync = false
    private var isClosed = false
    /// Recovery only: whether an entry record was replayed yet, and the start of a log whose
    /// older segments were compacted away, until a snapshot marker confirms it.
    private var recoveredAnyEntry = false
    private var unconfirmedStart: UInt64?

    public private(set) var hardState = HardState.empty
    public private(set) var snapshotIndex: UInt64 = 0
    public private(set) var snapshotTerm: UInt64 = 0
    public private(set) var lastIndex: UInt64 = 0
    /// How many times a file or directory was synced (for statistics and tests).
    public private(set) var syncCount = 0

    public var firstIndex: UInt64 { snapshotIndex + 1 }

    /// The segment files, oldest first (for tests and operators).
    public var segmentPaths: [String] { segments.map(\.path) }

    private init(directory: String, settings: WriteAheadLogSettings) {
        precondition(settings.segmentSize > 0 && settings.segmentSize <= 1 << 30, "segmentSize must be in 1...1 GiB")
        precondition(settings.maxEntrySize > 0 && settings.maxEntrySize <= 1 << 30, "maxEntrySize must be in 1...1 GiB")
        self.directory = directory
        self.settings = settings
        self.cache = EntryCache(maxEntries: settings.cachedEntries, maxBytes: settings.cachedBytes)
    }

    deinit {
        for segment in segments where segment.descriptor >= 0 { Glibc.close(segment.descriptor) }
    }

    /// Opens (creating if needed) the log in `directory` and recovers it: every segment is
    /// read in order and every record checked; at the first record that is torn or corrupt
    /// the file is truncated there (later segments are renamed `*.corrupt`), the number of
    /// bytes dropped is logged and returned.
    public static func open(
        directory: String, settings: WriteAheadLogSettings = WriteAheadLogSettings()
    ) throws(RaftStorageError) -> (log: WriteAheadLog, recovery: WriteAheadLogRecovery) {
        try DurableFile.makeDirectory(directory)
        let log = WriteAheadLog(directory: directory, settings: settings)
        let recovery = try log.recover()
        return (log, recovery)
    }

    // MARK: Writing

    /// Appends `entries` (consecutive indexes; the first may be at or below `lastIndex`, which
    /// replaces the conflicting suffix, as a follower does for a leader) and, if given and
    /// changed, the hard state. Durable only after `sync()`; a change of the commit index
    /// alone is written but makes `sync()` no more necessary than it was (etcd's `MustSync`).
    public func append(_ entries: [LogEntry], hardState newState: HardState? = nil) throws(RaftStorageError) {
        try checkOpen()
        if let first = entries.first {
            guard first.index > snapshotIndex, first.index <= lastIndex + 1 else {
                throw RaftStorageError(
                    .misuse, "append at index \(first.index) leaves a gap or rewrites the snapshot (log \(firstIndex)...\(lastIndex))")
            }
            for (offset, entry) in entries.enumerated() {
                guard entry.index == first.index + UInt64(offset) else {
                    throw RaftStorageError(.misuse, "appended entries are not consecutive at index \(entry.index)")
                }
                guard entry.data.count <= settings.maxEntrySize else {
                    throw RaftStorageError(.misuse, "entry \(entry.index) has \(entry.data.count) bytes, over the limit")
                }
            }
            if first.index <= lastIndex { try truncateSuffix(after: first.index - 1) }
            for entry in entries {
                if segments[segments.count - 1].size + buffer.count >= settings.segmentSize {
                    try roll(nextIndex: entry.index)
                }
                let last = segments.count - 1
                let offset = segments[last].size + buffer.count
                encodeRecord(.entry(entry))
                let size = segments[last].size + buffer.count - offset
                locations.append(Location(term: entry.term, sequence: segments[last].sequence, offset: UInt32(offset), size: UInt32(size)))
                segments[last].maxEntryIndex = entry.index
                cache.append(entry)
                lastIndex = entry.index
                if buffer.count >= settings.writeBufferLimit { try flush() }
            }
            needsSync = true
        }
        if let newState, newState != hardState {
            encodeRecord(.hardState(newState))
            // A hard state that only moves the commit index asks for no sync of its own: Raft
            // relearns the commit index from the leader after a restart (recovery clamps it to
            // the entries found), while a term or a vote lost in a crash could elect two leaders.
            if newState.term != hardState.term || newState.vote != hardState.vote { needsSync = true }
            hardState = newState
        }
    }

    /// Removes every entry after `index` (a conflicting suffix a leader replaced). A marker
    /// record makes it durable at the next `sync()`. Truncating below the snapshot is refused.
    public func truncateSuffix(after index: UInt64) throws(RaftStorageError) {
        try checkOpen()
        guard index >= snapshotIndex else {
            throw RaftStorageError(.misuse, "cannot truncate after \(index): the log is compacted through \(snapshotIndex)")
        }
        guard index < lastIndex else { return }
        encodeRecord(.truncation(after: index))
        locations.removeLast(Int(lastIndex - index))
        cache.removeAfter(index)
        lastIndex = index
        needsSync = true
    }

    /// Records that a snapshot covers the log through `index` (whose entry had `term`), syncs
    /// that, then deletes every segment, except the active one, whose entries are all at or
    /// below `index`. A snapshot past `lastIndex` (one installed from the leader) empties the
    /// log; the next append then starts at `index + 1`.
    public func compact(through index: UInt64, term: UInt64) throws(RaftStorageError) {
        try checkOpen()
        guard index > snapshotIndex else { return }
        encodeRecord(.snapshot(index: index, term: term))
        applySnapshot(index: index, term: term)
        needsSync = true
        cache.removeThrough(index)
        // The marker must be durable before the files that held the entries go; otherwise a
        // crash could leave a log that starts after a gap.
        try sync()
        var removed = false
        while segments.count > 1 && segments[0].maxEntryIndex <= index {
            let segment = segments.removeFirst()
            if segment.descriptor >= 0 { Glibc.close(segment.descriptor) }
            guard unlink(segment.path) == 0 || errno == ENOENT else { throw .io("unlink", segment.path) }
            removed = true
        }
        if removed {
            try DurableFile.syncDirectory(directory, using: settings.fileSync)
            syncCount += 1
        }
    }

    /// Writes what is buffered and makes everything appended so far durable with one sync.
    public func sync() throws(RaftStorageError) {
        guard let descriptor = try prepareSync() else { return }
        let status = settings.fileSync(descriptor)
        try finishSync(status: status == 0 ? 0 : errno)
    }

    /// The first half of `sync()`: writes the buffer to the file and returns the descriptor to
    /// sync, or nil when nothing needs it. `GroupCommitLog` syncs outside its lock, so readers
    /// are not held up by the disk.
    func prepareSync() throws(RaftStorageError) -> Int32? {
        try checkOpen()
        try flush()
        return needsSync ? segments[segments.count - 1].descriptor : nil
    }

    /// The second half of `sync()`: `error` is the errno of the sync, 0 for success.
    func finishSync(status error: Int32) throws(RaftStorageError) {
        guard error == 0 else {
            // After a failed fsync the kernel may have dropped the dirty pages: nothing written
            // since the last good sync can be trusted, so the log refuses further use.
            isClosed = true
            throw .io("fsync", segments[segments.count - 1].path, errno: error)
        }
        needsSync = false
        syncCount += 1
    }

    /// Syncs and closes the files; later calls fail with `.misuse`.
    public func close() throws(RaftStorageError) {
        guard !isClosed else { return }
        try sync()
        isClosed = true
        for index in segments.indices where segments[index].descriptor >= 0 {
            Glibc.close(segments[index].descriptor)
            segments[index].descriptor = -1
        }
    }

    // MARK: Reading

    /// The term of the entry at `index`: the snapshot's term at `snapshotIndex`, nil outside
    /// `snapshotIndex...lastIndex`.
    public func term(at index: UInt64) -> UInt64? {
        if index == snapshotIndex { return snapshotTerm }
        guard index > snapshotIndex, index <= lastIndex else { return nil }
        return locations[Int(index - snapshotIndex - 1)].term
    }

    /// The entries `from...through` (clamped to the log), stopping once `maxBytes` of data
    /// are collected but always returning at least one entry when the range is not empty.
    public func entries(from: UInt64, through: UInt64, maxBytes: Int = .max) throws(RaftStorageError) -> [LogEntry] {
        try checkOpen()
        let low = max(from, firstIndex)
        let high = min(through, lastIndex)
        guard low <= high else { return [] }
        var result: [LogEntry] = []
        var bytes = 0
        for index in low...high {
            let entry = try entry(at: index)
            bytes += entry.data.count
            if !result.isEmpty && bytes > maxBytes { break }
            result.append(entry)
        }
        return result
    }

    private func entry(at index: UInt64) throws(RaftStorageError) -> LogEntry {
        if let cached = cache.entry(at: index) { return cached }
        let location = locations[Int(index - snapshotIndex - 1)]
        guard let first = segments.first, location.sequence >= first.sequence,
            location.sequence - first.sequence < UInt64(segments.count)
        else {
            throw RaftStorageError(.inconsistent, "entry \(index) points at a segment that is gone")
        }
        let segment = segments[Int(location.sequence - first.sequence)]
        let offset = Int(location.offset)
        let bytes: [UInt8]
        if segment.sequence == segments[segments.count - 1].sequence && offset >= segment.size {
            let start = offset - segment.size
            bytes = Array(buffer[start..<(start + Int(location.size))])
        } else {
            bytes = try DurableFile.read(segment.descriptor, count: Int(location.size), at: offset, path: segment.path)
        }
        let sealing = settings.atRestKey.map { WALRecord.Sealing(key: $0, sequence: segment.sequence, offset: offset) }
        let scanned = bytes.withUnsafeBytes { WALRecord.scan($0, at: 0, maxPayload: maxRecordPayload, sealing: sealing) }
        guard case .record(.entry(let entry), _) = scanned, entry.index == index else {
            throw RaftStorageError(.inconsistent, "entry \(index) in \(segment.path) at offset \(offset) no longer reads back")
        }
        return entry
    }

    // MARK: Internals

    private func checkOpen() throws(RaftStorageError) {
        guard !isClosed else { throw RaftStorageError(.misuse, "the write-ahead log in \(directory) is closed") }
    }

    /// Appends `record` to the write buffer, sealed for the place it will occupy in the
    /// active segment when encryption at rest is on.
    private func encodeRecord(_ record: WALRecord) {
        let sealing = settings.atRestKey.map { key in
            let active = segments[segments.count - 1]
            return WALRecord.Sealing(key: key, sequence: active.sequence, offset: active.size + buffer.count)
        }
        record.encode(into: &buffer, sealing: sealing)
    }

    /// The largest payload a valid record can have.
    var maxRecordPayload: Int { settings.maxEntrySize + 17 + WALRecord.sealingOverhead }

    private func flush() throws(RaftStorageError) {
        guard !buffer.isEmpty else { return }
        let last = segments.count - 1
        try DurableFile.write(segments[last].descriptor, buffer, at: segments[last].size, path: segments[last].path)
        segments[last].size += buffer.count
        buffer.removeAll(keepingCapacity: buffer.count <= settings.writeBufferLimit * 2)
    }

    /// Makes the active segment durable and starts the next one, whose first records repeat
    /// the compaction point and hard state.
    private func roll(nextIndex: UInt64) throws(RaftStorageError) {
        try flush()
        let active = segments[segments.count - 1]
        guard settings.fileSync(active.descriptor) == 0 else { throw .io("fsync", active.path) }
        syncCount += 1
        try startSegment(sequence: active.sequence + 1, firstIndex: nextIndex)
    }

    private func startSegment(sequence: UInt64, firstIndex: UInt64) throws(RaftStorageError) {
        let path = directory + "/" + WriteAheadLog.segmentName(sequence: sequence, firstIndex: firstIndex)
        let descriptor = Glibc.open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io("create", path) }
        segments.append(Segment(sequence: sequence, firstIndex: firstIndex, path: path, size: 0, maxEntryIndex: 0, descriptor: descriptor))
        try DurableFile.syncDirectory(directory, using: settings.fileSync)
        syncCount += 1
        writeSegmentHeader()
    }

    private func writeSegmentHeader() {
        if snapshotIndex > 0 { encodeRecord(.snapshot(index: snapshotIndex, term: snapshotTerm)) }
        if hardState != .empty { encodeRecord(.hardState(hardState)) }
        needsSync = true
    }

    private func applySnapshot(index: UInt64, term: UInt64) {
        if index >= lastIndex {
            locations.removeAll()
            lastIndex = index
        } else {
            locations.removeFirst(Int(index - snapshotIndex))
        }
        snapshotIndex = index
        snapshotTerm = term
    }

    static func segmentName(sequence: UInt64, firstIndex: UInt64) -> String {
        hex16(sequence) + "-" + hex16(firstIndex) + ".wal"
    }

    static func parseSegmentName(_ name: String) -> (sequence: UInt64, firstIndex: UInt64)? {
        guard name.hasSuffix(".wal") else { return nil }
        let parts = name.dropLast(4).split(separator: "-")
        guard parts.count == 2, parts[0].count == 16, parts[1].count == 16,
            let sequence = UInt64(parts[0], radix: 16), let firstIndex = UInt64(parts[1], radix: 16)
        else { return nil }
        return (sequence, firstIndex)
    }

    private static func hex16(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 16 - digits.count)) + digits
    }
}

extension WriteAheadLog {
    /// Reads every segment, rebuilds the index and cuts the first invalid record away.
    fileprivate func recover() throws(RaftStorageError) -> WriteAheadLogRecovery {
        let files = DurableFile.entries(of: directory)
            .compactMap { name in WriteAheadLog.parseSegmentName(name).map { (name: name, sequence: $0.sequence, firstIndex: $0.firstIndex) } }
            .sorted { $0.sequence < $1.sequence }
        for (previous, next) in zip(files, files.dropFirst()) where next.sequence != previous.sequence + 1 {
            throw RaftStorageError(.inconsistent, "segment \(previous.name) is followed by \(next.name): a segment is missing")
        }
        var entries: [LogEntry] = []
        var droppedBytes = 0
        var dropReason: String?
        for (position, file) in files.enumerated() {
            let path = directory + "/" + file.name
            let bytes = try DurableFile.readAll(path)
            var segment = Segment(
                sequence: file.sequence, firstIndex: file.firstIndex, path: path, size: 0, maxEntryIndex: 0, descriptor: -1)
            var offset = 0
            var invalid: String?
            var failure: RaftStorageError?
            bytes.withUnsafeBytes { raw in
                while offset < raw.count {
                    let sealing = settings.atRestKey.map { WALRecord.Sealing(key: $0, sequence: file.sequence, offset: offset) }
                    switch WALRecord.scan(raw, at: offset, maxPayload: maxRecordPayload, sealing: sealing) {
                    case .record(let record, let size):
                        if let error = replay(record, in: &segment, offset: offset, size: size, entries: &entries) {
                            failure = error
                            return
                        }
                        offset += size
                    case .invalid(let reason):
                        invalid = reason
                        return
                    case .unsupported(let type):
                        failure = RaftStorageError(
                            .unsupportedRecord, "\(path) at offset \(offset): record type \(type) is not understood by this version")
                        return
                    case .unauthenticated(let reason):
                        // The checksum held, so this is not a torn write: cutting here would
                        // silently drop acknowledged entries on the word of whoever altered the
                        // file (or of a wrong key). The log is not opened.
                        failure = RaftStorageError(
                            .unauthenticated,
                            "\(path) at offset \(offset): \(reason); the log was not opened. Start with the data key this log was written with, or restore the data directory from backup")
                        return
                    }
                }
            }
            if let failure { throw failure }
            segment.size = offset
            segment.descriptor = Glibc.open(path, O_RDWR | O_CLOEXEC)
            guard segment.descriptor >= 0 else { throw .io("open", path) }
            segments.append(segment)
            if let invalid {
                droppedBytes = try cutTail(of: segment, fileSize: bytes.count, later: files[(position + 1)...].map(\.name))
                let location = "\(file.name) at offset \(offset)"
                dropReason = "\(invalid) in \(location)"
                settings.logger(
                    "write-ahead log: dropped \(droppedBytes) bytes after the last valid record (\(invalid) in \(location))")
                break
            }
        }
        if let start = unconfirmedStart {
            throw RaftStorageError(
                .inconsistent, "the log starts after index \(start) but no snapshot marker covers the entries before it")
        }
        if segments.isEmpty {
            try startSegment(sequence: 1, firstIndex: lastIndex + 1)
        } else if segments[segments.count - 1].size == 0 {
            // A segment started just before a crash may lack its header records.
            writeSegmentHeader()
        }
        for entry in entries.suffix(settings.cachedEntries) { cache.append(entry) }
        return WriteAheadLogRecovery(
            hardState: hardState, snapshotIndex: snapshotIndex, snapshotTerm: snapshotTerm, entries: entries,
            firstIndex: firstIndex, lastIndex: lastIndex, droppedBytes: droppedBytes, dropReason: dropReason)
    }

    /// Applies one recovered record to the in-memory state; returns an error for records that
    /// contradict what came before.
    private func replay(
        _ record: WALRecord, in segment: inout Segment, offset: Int, size: Int, entries: inout [LogEntry]
    ) -> RaftStorageError? {
        switch record {
        case .entry(let entry):
            if !recoveredAnyEntry && entry.index > lastIndex + 1 {
                // The first entry left after compaction deleted older segments: the marker
                // saying how far the snapshot reaches is further on (it was synced before
                // the deletion), so the log provisionally starts here.
                unconfirmedStart = entry.index - 1
                applySnapshot(index: entry.index - 1, term: 0)
            }
            recoveredAnyEntry = true
            guard entry.index > snapshotIndex, entry.index <= lastIndex + 1 else {
                return RaftStorageError(
                    .inconsistent,
                    "\(segment.path) at offset \(offset): entry \(entry.index) does not follow the log \(firstIndex)...\(lastIndex)")
            }
            if entry.index <= lastIndex {
                let keep = Int(entry.index - snapshotIndex - 1)
                locations.removeLast(locations.count - keep)
                entries.removeLast(entries.count - keep)
            }
            locations.append(Location(term: entry.term, sequence: segment.sequence, offset: UInt32(offset), size: UInt32(size)))
            entries.append(entry)
            lastIndex = entry.index
            segment.maxEntryIndex = max(segment.maxEntryIndex, entry.index)
        case .hardState(let state):
            hardState = state
        case .truncation(let after):
            if after < lastIndex {
                let keep = after > snapshotIndex ? Int(after - snapshotIndex) : 0
                locations.removeLast(locations.count - keep)
                entries.removeLast(entries.count - keep)
                lastIndex = max(after, snapshotIndex)
            }
        case .snapshot(let index, let term):
            if let start = unconfirmedStart, index >= start { unconfirmedStart = nil }
            if index > snapshotIndex || (index > 0 && index == snapshotIndex && snapshotTerm == 0) {
                if index >= lastIndex {
                    entries.removeAll()
                } else {
                    entries.removeFirst(Int(index - snapshotIndex))
                }
                applySnapshot(index: index, term: term)
            }
        }
        return nil
    }

    /// Truncates `segment` at its last valid record and moves later segments aside (renamed
    /// `*.corrupt`, kept for inspection); returns the bytes dropped from the log.
    private func cutTail(of segment: Segment, fileSize: Int, later: [String]) throws(RaftStorageError) -> Int {
        var dropped = fileSize - segment.size
        guard ftruncate(segment.descriptor, off_t(segment.size)) == 0 else { throw .io("truncate", segment.path) }
        guard settings.fileSync(segment.descriptor) == 0 else { throw .io("fsync", segment.path) }
        syncCount += 1
        for name in later {
            let path = directory + "/" + name
            dropped += (try? DurableFile.readAll(path).count) ?? 0
            guard rename(path, path + ".corrupt") == 0 else { throw .io("rename", path) }
        }
        if !later.isEmpty {
            try DurableFile.syncDirectory(directory, using: settings.fileSync)
            syncCount += 1
        }
        return dropped
    }
}
