/// The replicated state machine of a simulation run: a handful of keys holding numbers. It is
/// small on purpose: few keys make clients collide, which is what exposes a lost or doubled
/// write to the linearizability checker.
struct SimulationKeyValueStore: Sendable, Equatable {
    /// What applying a command answered.
    enum Output: Sendable, Hashable, CustomStringConvertible {
        case written
        case value(UInt64?)
        case swapped(Bool)

        var description: String {
            switch self {
            case .written: "ok"
            case .value(let value): value.map(String.init) ?? "nil"
            case .swapped(let swapped): swapped ? "swapped" : "unchanged"
            }
        }
    }

    private(set) var values: [UInt8: UInt64] = [:]
    /// The highest sequence applied per client, with its answer: a command applied twice
    /// (a client retry that both copies committed) answers the first result and changes nothing.
    private(set) var lastApplied: [UInt32: (sequence: UInt32, output: Output)] = [:]
    /// The log index the state reflects.
    private(set) var appliedIndex: UInt64 = 0

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.values == rhs.values && lhs.appliedIndex == rhs.appliedIndex
            && lhs.lastApplied.count == rhs.lastApplied.count
            && lhs.lastApplied.allSatisfy { client, last in
                rhs.lastApplied[client].map { $0.sequence == last.sequence && $0.output == last.output } ?? false
            }
    }

    /// Applies one committed command (or notes an index without one: empty and configuration
    /// entries move the applied index too).
    mutating func apply(_ command: SimulationCommand?, at index: UInt64) -> Output? {
        appliedIndex = index
        guard let command else { return nil }
        if let last = lastApplied[command.client], last.sequence >= command.sequence {
            return last.sequence == command.sequence ? last.output : nil
        }
        let output = Self.step(command.operation, on: &values)
        lastApplied[command.client] = (command.sequence, output)
        return output
    }

    /// The pure transition, shared with the linearizability checker's model.
    static func step(_ operation: SimulationCommand.Operation, on values: inout [UInt8: UInt64]) -> Output {
        switch operation {
        case .put(let key, let value):
            values[key] = value
            return .written
        case .get(let key):
            return .value(values[key])
        case .compareAndSwap(let key, let expected, let new):
            guard values[key] == expected else { return .swapped(false) }
            values[key] = new
            return .swapped(true)
        }
    }

    /// Answers a read served outside the log (ReadIndex): no state changes.
    func read(_ key: UInt8) -> UInt64? { values[key] }

    /// The snapshot the store hands Raft: applied index, values and the clients' last answers.
    func snapshotData() -> [UInt8] {
        var bytes: [UInt8] = []
        func put<T: FixedWidthInteger>(_ value: T) {
            var remaining = value.littleEndian
            for _ in 0..<MemoryLayout<T>.size {
                bytes.append(UInt8(truncatingIfNeeded: remaining))
                remaining >>= 8
            }
        }
        func putOutput(_ output: Output) {
            switch output {
            case .written: bytes.append(0)
            case .value(let value): bytes.append(value == nil ? 1 : 2); put(value ?? 0)
            case .swapped(let swapped): bytes.append(swapped ? 3 : 4)
            }
        }
        put(appliedIndex)
        put(UInt32(values.count))
        for key in values.keys.sorted() {
            bytes.append(key)
            put(values[key] ?? 0)
        }
        put(UInt32(lastApplied.count))
        for (client, last) in lastApplied.sorted(by: { $0.key < $1.key }) {
            put(client)
            put(last.sequence)
            putOutput(last.output)
        }
        return bytes
    }

    init() {}

    /// Restores a store from `snapshotData()`; nil for bytes it did not write.
    init?(snapshot bytes: [UInt8]) {
        var offset = 0
        func take<T: FixedWidthInteger>(_: T.Type) -> T? {
            let size = MemoryLayout<T>.size
            guard bytes.count - offset >= size else { return nil }
            var value: T = 0
            for shift in 0..<size { value |= T(bytes[offset + shift]) << (8 * shift) }
            offset += size
            return value
        }
        guard let index = take(UInt64.self), let count = take(UInt32.self) else { return nil }
        appliedIndex = index
        for _ in 0..<count {
            guard let key = take(UInt8.self), let value = take(UInt64.self) else { return nil }
            values[key] = value
        }
        guard let clients = take(UInt32.self) else { return nil }
        for _ in 0..<clients {
            guard let client = take(UInt32.self), let sequence = take(UInt32.self), let tag = take(UInt8.self) else { return nil }
            let output: Output
            switch tag {
            case 0: output = .written
            case 1: guard take(UInt64.self) != nil else { return nil }; output = .value(nil)
            case 2: guard let value = take(UInt64.self) else { return nil }; output = .value(value)
            case 3: output = .swapped(true)
            case 4: output = .swapped(false)
            default: return nil
            }
            lastApplied[client] = (sequence, output)
        }
        guard offset == bytes.count else { return nil }
    }
}
