import Synchronization

/// Encoded list answers, kept per request and state index. A list changes only when its tables
/// do, and encoding a thousand jobs as JSON costs tens of milliseconds, while dashboards and
/// scripts poll the same lists over and over: the second identical request at the same index
/// is served from here. Bounded, so odd query strings cannot grow it.
final class EncodedResponseCache: Sendable {
    private struct Entry {
        var index: UInt64
        var bytes: [UInt8]
    }

    private let entries = Mutex<[String: Entry]>([:])
    let capacity: Int

    init(capacity: Int = 64) {
        self.capacity = capacity
    }

    /// The cached bytes for `key` at exactly `index`, or the result of `encode`, stored for
    /// the next request.
    func bytes(for key: String, index: UInt64, encode: () throws -> [UInt8]) rethrows -> [UInt8] {
        if let hit = entries.withLock({ $0[key] }), hit.index == index { return hit.bytes }
        let bytes = try encode()
        entries.withLock { entries in
            if entries.count >= capacity, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(index: index, bytes: bytes)
        }
        return bytes
    }
}
