/// The slots of a schema's keys met so far in one body: a bit mask, since schemas know
/// fewer than 64 names; larger slots (none today) fall back to a list.
struct KeySet {
    private var bits: UInt64 = 0
    private var overflow: [Int] = []

    /// False when the slot was already in the set.
    mutating func insert(_ slot: Int) -> Bool {
        if slot < 64 {
            let bit: UInt64 = 1 << UInt64(slot)
            defer { bits |= bit }
            return bits & bit == 0
        }
        if overflow.contains(slot) { return false }
        overflow.append(slot)
        return true
    }

    mutating func remove(_ slot: Int) {
        if slot < 64 {
            bits &= ~(1 << UInt64(slot))
        } else {
            overflow.removeAll { $0 == slot }
        }
    }

    func contains(_ slot: Int) -> Bool {
        slot < 64 ? bits & (1 << UInt64(slot)) != 0 : overflow.contains(slot)
    }
}
