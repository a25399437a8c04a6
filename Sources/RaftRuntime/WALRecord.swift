import Raft

/// One record of a WAL segment: `[length u32][crc32c u32][type u8][payload]`, integers little
/// endian, `length` counting the payload only.
///
/// The checksum covers the length, the type and the payload, so a flipped bit anywhere in a
/// record (including a length that still looks plausible) is caught. A record is the unit of
/// atomicity: recovery keeps every record whose checksum holds, in order, and cuts the file at
/// the first one that does not.
enum WALRecord: Equatable {
    /// A log entry (term, index, kind, data).
    case entry(LogEntry)
    /// The node's hard state (term, vote, commit) from this point on.
    case hardState(HardState)
    /// Every entry with an index greater than `after` written before this marker is void: a
    /// leader replaced a conflicting suffix.
    case truncation(after: UInt64)
    /// The log up to `index` (whose entry had `term`) is covered by a snapshot; earlier entries
    /// are no longer part of the log.
    case snapshot(index: UInt64, term: UInt64)

    static let headerSize = 9

    enum Kind: UInt8 {
        case entry = 1
        case hardState = 2
        case truncation = 3
        case snapshot = 4
    }

    /// Appends the encoded record to `buffer`.
    func encode(into buffer: inout [UInt8]) {
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: WALRecord.headerSize))
        let kind: Kind
        switch self {
        case .entry(let entry):
            kind = .entry
            buffer.appendLittleEndian(entry.term)
            buffer.appendLittleEndian(entry.index)
            buffer.append(entry.kind.rawValue)
            buffer.append(contentsOf: entry.data)
        case .hardState(let state):
            kind = .hardState
            buffer.appendLittleEndian(state.term)
            buffer.appendLittleEndian(state.vote.rawValue)
            buffer.appendLittleEndian(state.commit)
        case .truncation(let after):
            kind = .truncation
            buffer.appendLittleEndian(after)
        case .snapshot(let index, let term):
            kind = .snapshot
            buffer.appendLittleEndian(index)
            buffer.appendLittleEndian(term)
        }
        let payloadLength = UInt32(buffer.count - start - WALRecord.headerSize)
        buffer.storeLittleEndian(payloadLength, at: start)
        buffer[start + 8] = kind.rawValue
        let crc = buffer.withUnsafeBytes { raw in
            let lengthCRC = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[start..<(start + 4)]))
            return CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[(start + 8)...]), continuing: lengthCRC)
        }
        buffer.storeLittleEndian(crc, at: start + 4)
    }

    var encodedSize: Int {
        switch self {
        case .entry(let entry): return WALRecord.headerSize + 17 + entry.data.count
        case .hardState: return WALRecord.headerSize + 24
        case .truncation: return WALRecord.headerSize + 8
        case .snapshot: return WALRecord.headerSize + 16
        }
    }

    /// What scanning a position of a segment found.
    enum ScanResult: Equatable {
        /// A valid record of `size` bytes.
        case record(WALRecord, size: Int)
        /// The bytes from here on are not a whole, valid record (torn write or corruption).
        case invalid(reason: String)
        /// A record whose checksum holds but whose type or payload this version cannot read:
        /// written by a newer version, so recovery must not cut it away.
        case unsupported(type: UInt8)
    }

    /// Decodes the record starting at `offset` of `bytes`. Never traps on any input.
    static func scan(_ bytes: UnsafeRawBufferPointer, at offset: Int, maxPayload: Int) -> ScanResult {
        let available = bytes.count - offset
        guard available >= headerSize else { return .invalid(reason: "partial record header") }
        let length = Int(bytes.loadLittleEndianUInt32(at: offset))
        guard length <= maxPayload else { return .invalid(reason: "record length \(length) over the limit") }
        guard length <= available - headerSize else { return .invalid(reason: "partial record") }
        let stored = bytes.loadLittleEndianUInt32(at: offset + 4)
        let lengthCRC = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + 4)]))
        let computed = CRC32C.checksum(
            UnsafeRawBufferPointer(rebasing: bytes[(offset + 8)..<(offset + headerSize + length)]), continuing: lengthCRC)
        guard stored == computed else { return .invalid(reason: "checksum mismatch") }
        let typeByte = bytes[offset + 8]
        let payload = offset + headerSize
        let size = headerSize + length
        switch Kind(rawValue: typeByte) {
        case .entry:
            guard length >= 17, let kind = LogEntry.Kind(rawValue: bytes[payload + 16]) else {
                return .unsupported(type: typeByte)
            }
            let entry = LogEntry(
                term: bytes.loadLittleEndianUInt64(at: payload),
                index: bytes.loadLittleEndianUInt64(at: payload + 8),
                kind: kind,
                data: Array(bytes[(payload + 17)..<(payload + length)]))
            return .record(.entry(entry), size: size)
        case .hardState:
            guard length == 24 else { return .unsupported(type: typeByte) }
            let state = HardState(
                term: bytes.loadLittleEndianUInt64(at: payload),
                vote: RaftNodeID(bytes.loadLittleEndianUInt64(at: payload + 8)),
                commit: bytes.loadLittleEndianUInt64(at: payload + 16))
            return .record(.hardState(state), size: size)
        case .truncation:
            guard length == 8 else { return .unsupported(type: typeByte) }
            return .record(.truncation(after: bytes.loadLittleEndianUInt64(at: payload)), size: size)
        case .snapshot:
            guard length == 16 else { return .unsupported(type: typeByte) }
            return .record(
                .snapshot(index: bytes.loadLittleEndianUInt64(at: payload), term: bytes.loadLittleEndianUInt64(at: payload + 8)),
                size: size)
        case nil:
            return .unsupported(type: typeByte)
        }
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian(_ value: UInt64) {
        var value = value.littleEndian
        Swift.withUnsafeBytes(of: &value) { append(contentsOf: $0) }
    }

    mutating func appendLittleEndian(_ value: UInt32) {
        var value = value.littleEndian
        Swift.withUnsafeBytes(of: &value) { append(contentsOf: $0) }
    }

    mutating func appendBigEndian(_ value: UInt32) {
        var value = value.bigEndian
        Swift.withUnsafeBytes(of: &value) { append(contentsOf: $0) }
    }

    mutating func storeLittleEndian(_ value: UInt32, at offset: Int) {
        for shift in 0..<4 { self[offset + shift] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(shift))) }
    }
}

extension UnsafeRawBufferPointer {
    func loadLittleEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    func loadLittleEndianUInt64(at offset: Int) -> UInt64 {
        UInt64(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
}
