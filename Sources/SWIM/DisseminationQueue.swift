/// The updates waiting to be piggybacked, at most one per member (a newer fact about a member
/// replaces the older one, which would only be overridden on arrival anyway).
///
/// Each entry is sent a bounded number of times (λ·⌈log10(n+1)⌉, enough for an infection to
/// reach everyone with high probability) and the least-sent entries go first, newest first
/// among equals, so a fresh update is never starved by old ones.
///
/// Entries sit in buckets by transmit count, so filling a packet costs about as much as the
/// entries it takes, not a sort of the whole queue: after a large join the queue holds one
/// entry per member, and every datagram draws from it.
struct DisseminationQueue: Sendable {
    struct Entry: Sendable {
        var gossip: SWIMGossip
        var transmits: Int
        /// Identifies this version of the entry; bucket slots naming another version are stale.
        var version: UInt64
        var size: Int
    }

    private struct Slot: Sendable {
        var member: SWIMNodeID
        var version: UInt64
    }

    private(set) var entries: [SWIMNodeID: Entry] = [:]
    /// `buckets[t]` lists the entries sent t times, oldest first; slots are left behind when an
    /// entry moves or is replaced, and skipped (and eventually compacted) as stale.
    private var buckets: [[Slot]] = []
    private var slotCount = 0
    private var nextVersion: UInt64 = 0

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }

    mutating func enqueue(_ gossip: SWIMGossip) {
        nextVersion += 1
        entries[gossip.member] = Entry(gossip: gossip, transmits: 0, version: nextVersion,
                                       size: SWIMCodec.encodedSize(of: gossip))
        place(Slot(member: gossip.member, version: nextVersion), in: 0)
    }

    func pending(about member: SWIMNodeID) -> SWIMGossip? { entries[member]?.gossip }

    /// Picks the entries to send in one packet with `budget` bytes free, counts the
    /// transmission, and drops those sent `limit` times.
    mutating func take(budget: Int, limit: Int, maximumCount: Int) -> [SWIMGossip] {
        if entries.isEmpty || budget <= 0 || maximumCount <= 0 { return [] }
        var left = budget
        var chosen: [SWIMGossip] = []
        var moved: [(Slot, Int)] = []
        var bucket = 0
        scan: while bucket < buckets.count {
            var index = buckets[bucket].count - 1
            while index >= 0 {
                if chosen.count >= maximumCount || left < 21 { break scan }
                let slot = buckets[bucket][index]
                index -= 1
                guard let entry = entries[slot.member], entry.version == slot.version, entry.transmits == bucket else { continue }
                if entry.size > left { continue }
                left -= entry.size
                chosen.append(entry.gossip)
                let transmits = bucket + 1
                if transmits >= limit {
                    entries[slot.member] = nil
                } else {
                    nextVersion += 1
                    entries[slot.member]?.transmits = transmits
                    entries[slot.member]?.version = nextVersion
                    moved.append((Slot(member: slot.member, version: nextVersion), transmits))
                }
            }
            bucket += 1
        }
        // Re-filed after the scan so that an entry is taken at most once per packet. Taken
        // newest first, they are appended oldest first to keep each bucket's order.
        for (slot, transmits) in moved.reversed() { place(slot, in: transmits) }
        if slotCount > 4 * entries.count + 256 { compact() }
        return chosen
    }

    private mutating func place(_ slot: Slot, in bucket: Int) {
        while buckets.count <= bucket { buckets.append([]) }
        buckets[bucket].append(slot)
        slotCount += 1
    }

    /// Drops stale slots, keeping each bucket's order.
    private mutating func compact() {
        slotCount = 0
        for bucket in buckets.indices {
            buckets[bucket].removeAll { slot in
                guard let entry = entries[slot.member] else { return true }
                return entry.version != slot.version || entry.transmits != bucket
            }
            slotCount += buckets[bucket].count
        }
        while let last = buckets.last, last.isEmpty { buckets.removeLast() }
    }
}
