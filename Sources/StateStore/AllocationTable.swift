import ClusterModel

/// The allocations by ID, each held in an immutable box. The store is a value and readers keep
/// copies of it (the scheduler's snapshot, API reads); a write while such a copy lives makes
/// the dictionary copy itself, and copying a million unboxed allocations meant retaining every
/// string, array and job spec inside each (tens of references apiece, most of a second).
/// Boxed, the copy retains one key and one box per entry. A changed allocation gets a new box,
/// so a box is never shared by two different values.
struct AllocationTable: Sendable, Equatable {
    private var boxes: [AllocationID: AllocationBox] = [:]

    subscript(id: AllocationID) -> Allocation? {
        get { boxes[id]?.value }
        set { boxes[id] = newValue.map(AllocationBox.init) }
    }

    var count: Int { boxes.count }
    var keys: some Collection<AllocationID> { boxes.keys }
    var values: some Collection<Allocation> { boxes.values.lazy.map(\.value) }

    static func == (lhs: AllocationTable, rhs: AllocationTable) -> Bool {
        guard lhs.boxes.count == rhs.boxes.count else { return false }
        for (id, box) in lhs.boxes {
            guard let other = rhs.boxes[id], other === box || other.value == box.value else { return false }
        }
        return true
    }
}

/// One allocation, never changed after it is made (see `AllocationTable`).
private final class AllocationBox: Sendable {
    let value: Allocation

    init(_ value: Allocation) {
        self.value = value
    }
}
