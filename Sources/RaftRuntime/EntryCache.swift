import Raft

/// The newest log entries, kept in memory so that reads near the end of the log (followers
/// that are only slightly behind, the state machine applying what was just committed) do not
/// touch the disk. Bounded by a count and a byte budget; always a contiguous run of indexes
/// ending at the log's last index.
struct EntryCache {
    let maxEntries: Int
    let maxBytes: Int
    private var storage: [LogEntry] = []
    /// Position in `storage` of the oldest live entry; the dead prefix is dropped in bulk.
    private var head = 0
    private var bytes = 0

    init(maxEntries: Int, maxBytes: Int) {
        self.maxEntries = max(0, maxEntries)
        self.maxBytes = max(0, maxBytes)
    }

    var count: Int { storage.count - head }

    private var firstIndex: UInt64? { head < storage.count ? storage[head].index : nil }

    mutating func append(_ entry: LogEntry) {
        guard maxEntries > 0 else { return }
        if let last = storage.last, head < storage.count, last.index + 1 != entry.index {
            removeAll()
        }
        storage.append(entry)
        bytes += entry.data.count
        while count > maxEntries || (bytes > maxBytes && count > 1) {
            bytes -= storage[head].data.count
            head += 1
        }
        if head > 64 && head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
    }

    func entry(at index: UInt64) -> LogEntry? {
        guard let first = firstIndex, index >= first else { return nil }
        let position = head + Int(index - first)
        return position < storage.count ? storage[position] : nil
    }

    /// Forgets entries after `index` (a truncated suffix).
    mutating func removeAfter(_ index: UInt64) {
        while head < storage.count, let last = storage.last, last.index > index {
            bytes -= last.data.count
            storage.removeLast()
        }
    }

    /// Forgets entries at or below `index` (compacted away).
    mutating func removeThrough(_ index: UInt64) {
        while head < storage.count, storage[head].index <= index {
            bytes -= storage[head].data.count
            head += 1
        }
    }

    mutating func removeAll() {
        storage.removeAll()
        head = 0
        bytes = 0
    }
}
