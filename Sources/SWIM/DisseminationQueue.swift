/// The updates waiting to be piggybacked, at most one per member (a newer fact about a member
/// replaces the older one, which would only be overridden on arrival anyway).
///
/// Each entry is sent a bounded number of times (λ·⌈log10(n+1)⌉, enough for an infection to
/// reach everyone with high probability) and the least-sent entries go first, so a fresh
/// update is never starved by old ones.
struct DisseminationQueue: Sendable {
    struct Entry: Sendable {
        var gossip: SWIMGossip
        var transmits: Int
        /// Insertion order: among equally-sent entries the newest goes first.
        var order: UInt64
        var size: Int
    }

    private(set) var entries: [SWIMNodeID: Entry] = [:]
    private var nextOrder: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }

    mutating func enqueue(_ gossip: SWIMGossip) {
        nextOrder += 1
        entries[gossip.member] = Entry(gossip: gossip, transmits: 0, order: nextOrder,
                                       size: SWIMCodec.encodedSize(of: gossip))
    }

    func pending(about member: SWIMNodeID) -> SWIMGossip? { entries[member]?.gossip }

    /// Picks the entries to send in one packet with `budget` bytes free, counts the
    /// transmission, and drops those sent `limit` times.
    mutating func take(budget: Int, limit: Int, maximumCount: Int, excluding excluded: SWIMNodeID? = nil) -> [SWIMGossip] {
        if entries.isEmpty || budget <= 0 || maximumCount <= 0 { return [] }
        let ordered = entries.values.sorted { a, b in
            a.transmits != b.transmits ? a.transmits < b.transmits : a.order > b.order
        }
        var left = budget
        var chosen: [SWIMGossip] = []
        for entry in ordered {
            if chosen.count >= maximumCount || left < 21 { break }
            if entry.gossip.member == excluded || entry.size > left { continue }
            left -= entry.size
            chosen.append(entry.gossip)
            let member = entry.gossip.member
            let transmits = entry.transmits + 1
            if transmits >= limit {
                entries[member] = nil
            } else {
                entries[member]?.transmits = transmits
            }
        }
        return chosen
    }
}
