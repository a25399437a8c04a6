/// The serials of revoked certificates, bounded so a long-lived cluster that removes many
/// nodes cannot grow it without limit. An entry is only needed while its certificate could
/// still be presented, so when the list is full the entry whose certificate expires first is
/// dropped — and if that certificate has not expired yet, the caller is told, because the
/// node would become usable again (`insert` returns it).
public struct CertificateDenyList: Sendable, Hashable, Codable {
    public static let defaultCapacity = 1_024

    public struct Entry: Sendable, Hashable, Codable {
        public var serial: UInt64
        /// When the revoked certificate would have expired (Unix seconds).
        public var notAfter: Int64

        public init(serial: UInt64, notAfter: Int64) {
            self.serial = serial
            self.notAfter = notAfter
        }
    }

    public private(set) var entries: [Entry] = []
    public let capacity: Int

    public init(capacity: Int = CertificateDenyList.defaultCapacity) {
        self.capacity = max(1, capacity)
    }

    public var serials: Set<UInt64> { Set(entries.map(\.serial)) }

    public func contains(_ serial: UInt64) -> Bool { entries.contains { $0.serial == serial } }

    /// Adds `entry` (again: no effect), first forgetting entries already expired at `now`,
    /// then, when still full, the one that expires first. Returns an entry dropped while its
    /// certificate was still valid, if any.
    @discardableResult
    public mutating func insert(_ entry: Entry, now: Int64) -> Entry? {
        guard !contains(entry.serial) else { return nil }
        entries.removeAll { $0.notAfter <= now }
        var evicted: Entry?
        if entries.count >= capacity, let first = entries.indices.min(by: { entries[$0].notAfter < entries[$1].notAfter }) {
            evicted = entries.remove(at: first)
        }
        entries.append(entry)
        return evicted
    }
}
