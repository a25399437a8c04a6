/// The simulated clock and its agenda: events ordered by the simulated time they fire at, ties
/// broken by the order they were scheduled, so a run never depends on hash order or on how the
/// heap happens to be laid out. Time is in simulated milliseconds and only moves when the next
/// event is taken.
struct SimulationEventQueue<Event> {
    private struct Entry {
        var time: UInt64
        var sequence: UInt64
        var event: Event

        func precedes(_ other: Entry) -> Bool {
            time != other.time ? time < other.time : sequence < other.sequence
        }
    }

    private var heap: [Entry] = []
    private var nextSequence: UInt64 = 0

    /// The time of the event taken last (the simulated "now").
    private(set) var now: UInt64 = 0

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    /// Schedules `event` to fire `delay` milliseconds from now.
    mutating func schedule(after delay: UInt64, _ event: Event) {
        schedule(at: now + delay, event)
    }

    /// Schedules `event` at an absolute time; a time in the past fires at once (now).
    mutating func schedule(at time: UInt64, _ event: Event) {
        heap.append(Entry(time: max(time, now), sequence: nextSequence, event: event))
        nextSequence += 1
        siftUp(heap.count - 1)
    }

    /// Takes the earliest event and moves the clock to its time.
    mutating func next() -> (time: UInt64, event: Event)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let entry = heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
        now = entry.time
        return (entry.time, entry.event)
    }

    /// The time of the earliest event, without taking it.
    var nextTime: UInt64? { heap.first?.time }

    /// Drops every event the predicate matches (a crashed node's pending timers, say).
    mutating func removeAll(where shouldRemove: (Event) -> Bool) {
        let kept = heap.filter { !shouldRemove($0.event) }
        heap = []
        for entry in kept {
            heap.append(entry)
            siftUp(heap.count - 1)
        }
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].precedes(heap[smallest]) { smallest = left }
            if right < heap.count, heap[right].precedes(heap[smallest]) { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
