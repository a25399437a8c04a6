import Raft

/// One record of a WAL segment: `[length u32][crc32c u32][type u8][payload]`, integers little
/// endian, `length` counting the payload only.
///
/// The checksum covers the length, the type and the payload, so a flipped bit anywhere in a
/// record (including a length that still looks plausible) is caught. A record is the unit of
/// atomicity: recovery keeps every record whose checksum holds, in order, and cuts the file at
/// the first one that does not. With encryption at rest every record is sealed (`Kind.sealed`)
/// inside the same frame.
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
    /// What sealing adds to a record's payload: the inner type byte, the nonce and the tag.
    static let sealingOverhead = 1 + AtRestKey.overhead

    enum Kind: UInt8 {
        case entry = 1
        case hardState = 2
        case truncation = 3
        case snapshot = 4
        /// A record of one of the kinds above, sealed with the data key (`Sealing`): its
        /// payload is `nonce || seal([inner type] + inner payload) || tag`. The outer frame
        /// (length, checksum) is unchanged, so a torn or garbled sealed record is found and
        /// cut exactly as a plain one is, before any decryption is tried.
        case sealed = 5
    }

    /// Where a sealed record sits, which its associated data binds it to: the segment's
    /// sequence number and the byte offset in that segment. A sealed record copied to
    /// another offset or another segment (or a segment renamed) no longer opens.
    struct Sealing {
        var key: AtRestKey
        var sequence: UInt64
        var offset: Int

        static let label: [UInt8] = Array("roost-wal-record-v1".utf8)

        var associatedData: [UInt8] {
            var data = Sealing.label
            data.appendLittleEndian(sequence)
            data.appendLittleEndian(UInt64(offset))
            return data
        }
    }

    /// Appends the encoded record to `buffer`, sealed when `sealing` is given (its offset is
    /// where the record will start in its segment).
    func encode(into buffer: inout [UInt8], sealing: Sealing? = nil) {
        let start = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: WALRecord.headerSize))
        var kind: Kind
        if let sealing {
            var plain: [UInt8] = [0]
            let inner = encodePayload(into: &plain)
            plain[0] = inner.rawValue
            buffer.append(contentsOf: sealing.key.seal(plain, associatedData: sealing.associatedData))
            kind = .sealed
        } else {
            kind = encodePayload(into: &buffer)
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

    /// Appends the plain payload and returns its kind.
    private func encodePayload(into buffer: inout [UInt8]) -> Kind {
        switch self {
        case .entry(let entry):
            buffer.appendLittleEndian(entry.term)
            buffer.appendLittleEndian(entry.index)
            buffer.append(entry.kind.rawValue)
            buffer.append(contentsOf: entry.data)
            return .entry
        case .hardState(let state):
            buffer.appendLittleEndian(state.term)
            buffer.appendLittleEndian(state.vote.rawValue)
            buffer.appendLittleEndian(state.commit)
            return .hardState
        case .truncation(let after):
            buffer.appendLittleEndian(after)
            return .truncation
        case .snapshot(let index, let term):
            buffer.appendLittleEndian(index)
            buffer.appendLittleEndian(term)
            return .snapshot
        }
    }

    /// The size of the plain encoding (`sealingOverhead` more when sealed).
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
        /// A record whose checksum holds but that is not sealed as the settings require: a
        /// sealed record that does not open with the key given (altered, moved, or another
        /// key), a sealed record with no key given, or a plain record in a sealed log. Not a
        /// torn write (those fail the checksum), so recovery stops rather than cutting.
        case unauthenticated(reason: String)
    }

    /// Decodes the record starting at `offset` of `bytes`; `sealing` is the data key and the
    /// record's real position (nil for a log without encryption at rest). Never traps on any
    /// input.
    static func scan(_ bytes: UnsafeRawBufferPointer, at offset: Int, maxPayload: Int, sealing: Sealing? = nil) -> ScanResult {
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
        let payload = UnsafeRawBufferPointer(rebasing: bytes[(offset + headerSize)..<(offset + headerSize + length)])
        let size = headerSize + length
        guard typeByte == Kind.sealed.rawValue else {
            if sealing != nil, Kind(rawValue: typeByte) != nil {
                return .unauthenticated(reason: "a record that is not sealed, in a log that is encrypted at rest")
            }
            return decode(type: typeByte, payload: payload, size: size)
        }
        guard let sealing else {
            return .unauthenticated(reason: "a sealed record, but no data key was given to open it")
        }
        guard let plain = sealing.key.open(payload, associatedData: sealing.associatedData), let inner = plain.first,
            inner != Kind.sealed.rawValue
        else {
            return .unauthenticated(reason: "a sealed record that does not open with the data key (altered, moved, or sealed with another key)")
        }
        return plain.withUnsafeBytes { raw in
            decode(type: inner, payload: UnsafeRawBufferPointer(rebasing: raw[1...]), size: size)
        }
    }

    /// Decodes a plain payload of type `typeByte`; `size` is the whole record's size on disk.
    private static func decode(type typeByte: UInt8, payload: UnsafeRawBufferPointer, size: Int) -> ScanResult {
        let length = payload.count
        switch Kind(rawValue: typeByte) {
        case .entry:
            guard length >= 17, let kind = LogEntry.Kind(rawValue: payload[16]) else {
                return .unsupported(type: typeByte)
            }
            let entry = LogEntry(
                term: payload.loadLittleEndianUInt64(at: 0),
                index: payload.loadLittleEndianUInt64(at: 8),
                kind: kind,
                data: Array(payload[17..<length]))
            return .record(.entry(entry), size: size)
        case .hardState:
            guard length == 24 else { return .unsupported(type: typeByte) }
            let state = HardState(
                term: payload.loadLittleEndianUInt64(at: 0),
                vote: RaftNodeID(payload.loadLittleEndianUInt64(at: 8)),
                commit: payload.loadLittleEndianUInt64(at: 16))
            return .record(.hardState(state), size: size)
        case .truncation:
            guard length == 8 else { return .unsupported(type: typeByte) }
            return .record(.truncation(after: payload.loadLittleEndianUInt64(at: 0)), size: size)
        case .snapshot:
            guard length == 16 else { return .unsupported(type: typeByte) }
            return .record(.snapshot(index: payload.loadLittleEndianUInt64(at: 0), term: payload.loadLittleEndianUInt64(at: 8)), size: size)
        case .sealed, nil:
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
