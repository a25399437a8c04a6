/// A client's request to the simulated key-value store, as it travels inside a Raft entry.
/// Every command carries the client and a per-client sequence number, so the store can tell a
/// duplicate apart and the harness can find the entry that answers a waiting client.
struct SimulationCommand: Sendable, Hashable, CustomStringConvertible {
    enum Operation: Sendable, Hashable, CustomStringConvertible {
        case put(key: UInt8, value: UInt64)
        case get(key: UInt8)
        /// Sets `new` only if the key holds `expected` (nil: the key is absent).
        case compareAndSwap(key: UInt8, expected: UInt64?, new: UInt64)

        var key: UInt8 {
            switch self {
            case .put(let key, _), .get(let key), .compareAndSwap(let key, _, _): key
            }
        }

        var description: String {
            switch self {
            case .put(let key, let value): "put(k\(key), \(value))"
            case .get(let key): "get(k\(key))"
            case .compareAndSwap(let key, let expected, let new):
                "cas(k\(key), \(expected.map(String.init) ?? "nil") -> \(new))"
            }
        }
    }

    var client: UInt32
    var sequence: UInt32
    var operation: Operation

    var description: String { "c\(client)#\(sequence) \(operation)" }

    /// Fixed little-endian layout: client, sequence, tag, key, then the values the tag needs.
    func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        append(client, to: &bytes)
        append(sequence, to: &bytes)
        switch operation {
        case .put(let key, let value):
            bytes.append(1)
            bytes.append(key)
            append(value, to: &bytes)
        case .get(let key):
            bytes.append(2)
            bytes.append(key)
        case .compareAndSwap(let key, let expected, let new):
            bytes.append(3)
            bytes.append(key)
            bytes.append(expected == nil ? 0 : 1)
            append(expected ?? 0, to: &bytes)
            append(new, to: &bytes)
        }
        return bytes
    }

    /// Nil for bytes that are not a command (an empty entry, or a corrupted one).
    init?(decoding bytes: [UInt8]) {
        var reader = Reader(bytes: bytes)
        guard let client = reader.uint32(), let sequence = reader.uint32(),
              let tag = reader.byte(), let key = reader.byte() else { return nil }
        switch tag {
        case 1:
            guard let value = reader.uint64() else { return nil }
            operation = .put(key: key, value: value)
        case 2:
            operation = .get(key: key)
        case 3:
            guard let present = reader.byte(), let expected = reader.uint64(), let new = reader.uint64() else { return nil }
            operation = .compareAndSwap(key: key, expected: present == 0 ? nil : expected, new: new)
        default:
            return nil
        }
        guard reader.atEnd else { return nil }
        self.client = client
        self.sequence = sequence
    }

    init(client: UInt32, sequence: UInt32, operation: Operation) {
        self.client = client
        self.sequence = sequence
        self.operation = operation
    }

    private func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        var remaining = value.littleEndian
        for _ in 0..<MemoryLayout<T>.size {
            bytes.append(UInt8(truncatingIfNeeded: remaining))
            remaining >>= 8
        }
    }

    private struct Reader {
        var bytes: [UInt8]
        var offset = 0

        var atEnd: Bool { offset == bytes.count }

        mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func uint32() -> UInt32? { integer() }
        mutating func uint64() -> UInt64? { integer() }

        private mutating func integer<T: FixedWidthInteger>() -> T? {
            let size = MemoryLayout<T>.size
            guard bytes.count - offset >= size else { return nil }
            var value: T = 0
            for shift in 0..<size {
                value |= T(bytes[offset + shift]) << (8 * shift)
            }
            offset += size
            return value
        }
    }
}
