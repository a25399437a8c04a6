/// The sequence numbers already accepted from one sender: the highest, and which of the
/// `size` numbers below it were seen (a sliding bitmap, as IPsec's anti-replay window).
/// Packets may arrive a little out of order (UDP, and TCP frames beside datagrams) and still
/// be accepted once; copies and anything older than the window are refused.
struct GossipReplayWindow: Sendable, Hashable {
    static let size = 256
    private(set) var highest: UInt64
    /// Bit i (word i / 64, bit i % 64) is set when `highest - i` was accepted.
    private var seen: [UInt64] = [1, 0, 0, 0]

    init(first: UInt64) {
        highest = first
    }

    /// Records `sequence` and says whether it is new.
    mutating func accept(_ sequence: UInt64) -> Bool {
        if sequence > highest {
            shift(by: sequence - highest)
            highest = sequence
            seen[0] |= 1
            return true
        }
        let age = highest - sequence
        guard age < UInt64(Self.size) else { return false }
        let word = Int(age / 64), bit = UInt64(1) << (age % 64)
        if seen[word] & bit != 0 { return false }
        seen[word] |= bit
        return true
    }

    private mutating func shift(by distance: UInt64) {
        guard distance < UInt64(Self.size) else {
            seen = [0, 0, 0, 0]
            return
        }
        let words = Int(distance / 64), bits = distance % 64
        for index in stride(from: seen.count - 1, through: 0, by: -1) {
            let source = index - words
            var value: UInt64 = source >= 0 ? seen[source] << bits : 0
            if bits > 0, source - 1 >= 0 { value |= seen[source - 1] >> (64 - bits) }
            seen[index] = value
        }
    }
}
