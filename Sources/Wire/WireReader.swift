/// Reads what `WireWriter` wrote, refusing anything malformed with a `WireError` naming the
/// field. Lengths and counts are checked against what is left (and against a caller's limit)
/// before anything is allocated, so a hostile length cannot make the reader reserve memory.
public struct WireReader: Sendable {
    private let bytes: [UInt8]
    public private(set) var position: Int

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        position = 0
    }

    public var remaining: Int { bytes.count - position }
    public var isAtEnd: Bool { position >= bytes.count }

    public mutating func readByte(_ field: String) throws(WireError) -> UInt8 {
        guard position < bytes.count else { throw .truncated(field: field) }
        defer { position += 1 }
        return bytes[position]
    }

    public mutating func readVarint(_ field: String) throws(WireError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        for _ in 0..<10 {
            guard position < bytes.count else { throw .truncated(field: field) }
            let byte = bytes[position]
            position += 1
            // The tenth byte may only carry the top bit of a 64-bit value.
            if shift == 63 && byte > 1 { throw .malformedVarint(field: field) }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw .malformedVarint(field: field)
    }

    public mutating func readSigned(_ field: String) throws(WireError) -> Int64 {
        let raw = try readVarint(field)
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    public mutating func readInt(_ field: String, limit: Int = .max) throws(WireError) -> Int {
        let raw = try readVarint(field)
        guard raw <= UInt64(limit) else { throw .tooLarge(field: field, length: raw, limit: limit) }
        return Int(raw)
    }

    public mutating func readBool(_ field: String) throws(WireError) -> Bool {
        switch try readByte(field) {
        case 0: return false
        case 1: return true
        case let other: throw .unknownTag(field: field, tag: UInt64(other))
        }
    }

    public mutating func readBytes(_ field: String, limit: Int) throws(WireError) -> [UInt8] {
        let length = try readVarint(field)
        guard length <= UInt64(limit) else { throw .tooLarge(field: field, length: length, limit: limit) }
        guard length <= UInt64(remaining) else { throw .truncated(field: field) }
        let start = position
        position += Int(length)
        return Array(bytes[start..<position])
    }

    public mutating func readString(_ field: String, limit: Int) throws(WireError) -> String {
        String(decoding: try readBytes(field, limit: limit), as: UTF8.self)
    }

    /// A count of items that follow, each at least `minimumItemBytes` long: bounded by what is
    /// left, so a huge count in a short message is refused before any array is reserved.
    public mutating func readCount(_ field: String, limit: Int, minimumItemBytes: Int = 1) throws(WireError) -> Int {
        let count = try readInt(field, limit: limit)
        guard count <= remaining / max(minimumItemBytes, 1) else { throw .truncated(field: field) }
        return count
    }

    /// Fails when anything is left after a complete message.
    public func expectEnd() throws(WireError) {
        guard isAtEnd else { throw .trailingBytes(count: remaining) }
    }
}
