/// Decides whether a key-value history is linearizable: whether every operation can be given a
/// single instant between its invocation and its response such that, taken in that order, the
/// operations are what a single correct store would have answered (Wing & Gong's search, with
/// the per-key partitioning and the memo of (operations linearized, state) that Porcupine
/// made practical). Keys are independent in this store, so each key's history is checked on
/// its own, which keeps every search small.
///
/// Operations without an answer may have happened at any time after their invocation or not at
/// all; they are modelled as answered "at infinity" with an output that matches anything, so the
/// search may place them last, where they change nothing anyone saw.
struct SimulationLinearizabilityChecker {
    enum Verdict: Sendable, Equatable, CustomStringConvertible {
        case linearizable
        /// No order explains what clients saw for this key; the operations are that key's history.
        case notLinearizable(key: UInt8, operations: [SimulationOperation])
        /// The search for this key hit its budget before deciding.
        case unknown(key: UInt8)

        var description: String {
            switch self {
            case .linearizable:
                return "linearizable"
            case .notLinearizable(let key, let operations):
                var lines = operations.sorted { $0.invoked < $1.invoked }.map { "    \($0)" }
                if lines.count > 80 { lines = ["    … \(lines.count - 80) earlier operations"] + lines.suffix(80) }
                return "not linearizable on key k\(key); its history (\(operations.count) operations):\n" + lines.joined(separator: "\n")
            case .unknown(let key):
                return "unknown (search budget spent on key k\(key))"
            }
        }
    }

    /// How many search states one key may visit before the verdict is "unknown".
    var budget: Int = 200_000

    func check(_ history: [SimulationOperation]) -> Verdict {
        var byKey: [UInt8: [SimulationOperation]] = [:]
        for operation in history {
            // A read nobody saw the answer of constrains nothing.
            if operation.response == nil, case .get = operation.operation { continue }
            byKey[operation.operation.key, default: []].append(operation)
        }
        var unknownKey: UInt8?
        for key in byKey.keys.sorted() {
            switch checkKey(byKey[key] ?? []) {
            case .some(true):
                continue
            case .some(false):
                return .notLinearizable(key: key, operations: byKey[key] ?? [])
            case .none:
                unknownKey = unknownKey ?? key
            }
        }
        if let unknownKey { return .unknown(key: unknownKey) }
        return .linearizable
    }

    /// True, false, or nil when the budget ran out.
    private func checkKey(_ operations: [SimulationOperation]) -> Bool? {
        let infinity = UInt64.max
        let ordered = operations.sorted { $0.invoked < $1.invoked }
        let count = ordered.count
        guard count > 0 else { return true }
        let calls = ordered.map(\.invoked)
        let returns = ordered.map { $0.response?.time ?? infinity }
        let words = (count + 63) / 64

        struct Memo: Hashable {
            var done: [UInt64]
            var value: UInt64?
        }
        var seen: Set<Memo> = []
        var visited = 0

        // Depth-first over explicit frames so a long history cannot overflow the stack.
        struct Frame {
            var done: [UInt64]
            var value: UInt64?
            var remaining: Int
            var candidates: [Int]
            var next: Int
        }

        func candidates(done: [UInt64]) -> [Int] {
            // An operation may go next only if no pending operation returned before it was invoked.
            var earliestReturn = infinity
            for index in 0..<count where done[index / 64] & (1 << UInt64(index % 64)) == 0 {
                earliestReturn = min(earliestReturn, returns[index])
            }
            var result: [Int] = []
            for index in 0..<count where done[index / 64] & (1 << UInt64(index % 64)) == 0 {
                if calls[index] > earliestReturn { break }
                result.append(index)
            }
            return result
        }

        let start = [UInt64](repeating: 0, count: words)
        var stack = [Frame(done: start, value: nil, remaining: count, candidates: candidates(done: start), next: 0)]
        seen.insert(Memo(done: start, value: nil))
        while var frame = stack.popLast() {
            if frame.remaining == 0 { return true }
            guard frame.next < frame.candidates.count else { continue }
            let index = frame.candidates[frame.next]
            frame.next += 1
            stack.append(frame)

            var values: [UInt8: UInt64] = [:]
            let key = ordered[index].operation.key
            if let value = frame.value { values[key] = value }
            let output = SimulationKeyValueStore.step(ordered[index].operation, on: &values)
            if let expected = ordered[index].response?.output, expected != output { continue }
            var done = frame.done
            done[index / 64] |= 1 << UInt64(index % 64)
            let memo = Memo(done: done, value: values[key])
            guard seen.insert(memo).inserted else { continue }
            visited += 1
            if visited > budget { return nil }
            stack.append(Frame(done: done, value: values[key], remaining: frame.remaining - 1,
                               candidates: candidates(done: done), next: 0))
        }
        return false
    }
}
