/// The replicated state machine of a simulation run: a handful of keys holding numbers. It is
/// small on purpose: few keys make clients collide, which is what exposes a lost or doubled
/// write to the linearizability checker. It does not deduplicate: the simulated clients never
/// retry a command, so a command applied twice can only be a bug, and it should show.
struct SimulationKeyValueStore: Sendable, Hashable {
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
    /// The log index the state reflects.
    private(set) var appliedIndex: UInt64 = 0

    init() {}

    /// Applies one committed entry's command; entries without one (empty, configuration, or
    /// bytes that are not a command) only move the applied index.
    mutating func apply(_ command: SimulationCommand?, at index: UInt64) -> Output? {
        appliedIndex = index
        guard let command else { return nil }
        return Self.step(command.operation, on: &values)
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

    /// The snapshot the store hands Raft: applied index, then (key, value) pairs in key order.
    func snapshotData() -> [UInt8] {
        var bytes: [UInt8] = []
        func put(_ value: UInt64) {
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }
        put(appliedIndex)
        for key in values.keys.sorted() {
            bytes.append(key)
            put(values[key] ?? 0)
        }
        return bytes
    }

    /// Restores a store from `snapshotData()`; nil for bytes it did not write.
    init?(snapshot bytes: [UInt8]) {
        func take(at offset: Int) -> UInt64 {
            var value: UInt64 = 0
            for shift in 0..<8 { value |= UInt64(bytes[offset + shift]) << UInt64(8 * shift) }
            return value
        }
        guard bytes.count >= 8, (bytes.count - 8) % 9 == 0 else { return nil }
        appliedIndex = take(at: 0)
        var offset = 8
        while offset < bytes.count {
            values[bytes[offset]] = take(at: offset + 1)
            offset += 9
        }
    }
}
