/// The log as the core holds it: every entry after the compaction point, in memory, plus the
/// bookkeeping of how much of it is on disk. The core never reads the disk, so the shell hands
/// it the entries it restored and compacts it (`RaftInstance.compact(through:)`) once a
/// snapshot covers a prefix.
struct RaftLog: Sendable {
    /// The index and term of the entry just before `entries` (the compaction point, or the
    /// snapshot that replaced the log). 0/0 for a log that starts at the beginning.
    private(set) var offsetIndex: UInt64
    private(set) var offsetTerm: UInt64
    private(set) var entries: [LogEntry]
    /// Entries through this index are on disk (handed out in a `RaftReady` and advanced).
    var persistedIndex: UInt64
    /// The highest index that may be on disk, including entries handed out in a `RaftReady`
    /// that has not been advanced yet: a conflict at or below it needs a truncation on disk.
    var mayBeOnDiskThrough: UInt64
    /// Set when a conflict replaced entries that may be on disk.
    var needsTruncation = false
    var committed: UInt64
    var applied: UInt64

    init(offsetIndex: UInt64, offsetTerm: UInt64, entries: [LogEntry], committed: UInt64, applied: UInt64) {
        self.offsetIndex = offsetIndex
        self.offsetTerm = offsetTerm
        // Keep only a contiguous run that follows the offset: the shell's restore is trusted,
        // but a gap would make every index computation below wrong.
        var kept: [LogEntry] = []
        var expected = offsetIndex + 1
        for entry in entries where entry.index >= expected {
            guard entry.index == expected else { break }
            kept.append(entry)
            expected += 1
        }
        self.entries = kept
        let last = offsetIndex + UInt64(kept.count)
        self.persistedIndex = last
        self.mayBeOnDiskThrough = last
        self.committed = min(max(committed, offsetIndex), last)
        self.applied = min(max(applied, offsetIndex), self.committed)
    }

    var firstIndex: UInt64 { offsetIndex + 1 }
    var lastIndex: UInt64 { offsetIndex + UInt64(entries.count) }
    var lastTerm: UInt64 { term(at: lastIndex) ?? 0 }

    /// The term of the entry at `index`, or nil if it is compacted away or past the end.
    func term(at index: UInt64) -> UInt64? {
        if index == offsetIndex { return offsetTerm }
        guard index > offsetIndex, index <= lastIndex else { return nil }
        return entries[Int(index - offsetIndex - 1)].term
    }

    func entry(at index: UInt64) -> LogEntry? {
        guard index > offsetIndex, index <= lastIndex else { return nil }
        return entries[Int(index - offsetIndex - 1)]
    }

    func matches(index: UInt64, term: UInt64) -> Bool { self.term(at: index) == term }

    /// Whether a log ending at (`index`, `term`) is at least as up to date as this one (§5.4.1).
    func isUpToDate(lastIndex index: UInt64, lastTerm term: UInt64) -> Bool {
        term > lastTerm || (term == lastTerm && index >= lastIndex)
    }

    /// Entries in `from...through` (clamped to what is held), cut once `maxBytes` is reached
    /// (always at least one entry, so a single big entry still moves).
    func entries(from: UInt64, through: UInt64, maxBytes: Int) -> [LogEntry] {
        let low = max(from, firstIndex)
        let high = min(through, lastIndex)
        guard low <= high else { return [] }
        var result: [LogEntry] = []
        var bytes = 0
        for index in low...high {
            let entry = entries[Int(index - offsetIndex - 1)]
            bytes += entry.sizeEstimate
            if !result.isEmpty && bytes > maxBytes { break }
            result.append(entry)
        }
        return result
    }

    mutating func append(_ entry: LogEntry) {
        entries.append(entry)
    }

    /// Drops every entry from `index` on (a conflicting suffix). Never below the commit point:
    /// the caller checks that, since committed entries are final.
    mutating func truncate(from index: UInt64) {
        guard index > offsetIndex, index <= lastIndex else { return }
        entries.removeSubrange(Int(index - offsetIndex - 1)...)
        if index <= mayBeOnDiskThrough { needsTruncation = true }
        persistedIndex = min(persistedIndex, index - 1)
    }

    /// The index of the first entry of `incoming` that is not already in the log with the same
    /// term, or nil if all are present.
    func firstConflict(in incoming: [LogEntry]) -> UInt64? {
        for entry in incoming where !matches(index: entry.index, term: entry.term) {
            return entry.index
        }
        return nil
    }

    /// The last index at or below `index` whose term is at most `term`: where a follower tells
    /// a leader to look for agreement, and where the leader resumes after such a hint.
    func lastIndex(atOrBelow index: UInt64, withTermAtMost term: UInt64) -> UInt64 {
        var candidate = min(index, lastIndex)
        while candidate > offsetIndex {
            if let found = self.term(at: candidate), found <= term { return candidate }
            candidate -= 1
        }
        return offsetIndex
    }

    /// Forgets every entry through `index` (a snapshot covers them).
    mutating func compact(through index: UInt64) {
        guard index > offsetIndex, index <= lastIndex, let term = term(at: index) else { return }
        entries.removeSubrange(..<Int(index - offsetIndex))
        offsetIndex = index
        offsetTerm = term
    }

    /// Replaces the whole log by a snapshot's point.
    mutating func restore(index: UInt64, term: UInt64) {
        entries = []
        offsetIndex = index
        offsetTerm = term
        committed = index
        applied = index
        persistedIndex = index
        mayBeOnDiskThrough = index
        needsTruncation = false
    }
}
