/// The sealed (version 2) snapshot file: `"RSNP"`, version 2, then chunks, each
/// `[sealed length u32][nonce || ciphertext || tag]`, whose plaintexts joined are the whole
/// plain (version 1) snapshot file.
///
/// Chunks keep memory bounded while a snapshot is written as a stream (InstallSnapshot
/// pieces, the state machine's encoding). Each chunk's associated data names the snapshot's
/// index and term (what its file name says), the chunk's number, and whether it is the last,
/// so chunks cannot be swapped between snapshots, reordered, or dropped from the end.
enum AtRestSnapshotSealing {
    static let version: UInt8 = 2
    /// Plaintext bytes per chunk (1 MiB).
    static let chunkSize = 1 << 20
    static let label: [UInt8] = Array("roost-snapshot-chunk-v1".utf8)

    static func associatedData(index: UInt64, term: UInt64, chunk: UInt64, isLast: Bool) -> [UInt8] {
        var data = label
        data.appendLittleEndian(index)
        data.appendLittleEndian(term)
        data.appendLittleEndian(chunk)
        data.append(isLast ? 1 : 0)
        return data
    }

    /// The file's first bytes.
    static var prefix: [UInt8] { SnapshotStore.magic + [version] }

    /// One framed chunk, ready to append to the file.
    static func sealChunk(_ plaintext: [UInt8], key: AtRestKey, index: UInt64, term: UInt64, chunk: UInt64, isLast: Bool) -> [UInt8] {
        let sealed = key.seal(plaintext, associatedData: associatedData(index: index, term: term, chunk: chunk, isLast: isLast))
        var framed: [UInt8] = []
        framed.reserveCapacity(4 + sealed.count)
        framed.appendLittleEndian(UInt32(sealed.count))
        framed.append(contentsOf: sealed)
        return framed
    }

    /// The plain (version 1) file inside a sealed one whose name says `index` and `term`.
    /// Never traps on any input.
    static func open(
        _ bytes: [UInt8], key: AtRestKey, index: UInt64, term: UInt64, maxSize: Int
    ) -> Result<[UInt8], SnapshotStore.DecodingFailure> {
        guard bytes.count >= prefix.count, Array(bytes[0..<prefix.count]) == prefix else {
            return .failure(.init(description: "not a sealed snapshot file"))
        }
        var plain: [UInt8] = []
        var offset = prefix.count
        var chunk: UInt64 = 0
        let maxSealed = chunkSize + AtRestKey.overhead
        while offset < bytes.count {
            guard bytes.count - offset >= 4 else { return .failure(.init(description: "truncated chunk header at offset \(offset)")) }
            let length = Int(bytes.withUnsafeBytes { $0.loadLittleEndianUInt32(at: offset) })
            offset += 4
            guard length <= maxSealed, length <= bytes.count - offset else {
                return .failure(.init(description: "chunk \(chunk) of \(length) bytes does not fit the file"))
            }
            let isLast = offset + length == bytes.count
            let sealed = bytes[offset..<(offset + length)]
            guard let opened = key.open(sealed, associatedData: associatedData(index: index, term: term, chunk: chunk, isLast: isLast)) else {
                return .failure(
                    .init(description: "chunk \(chunk) does not open with the data key (altered, renamed, cut short, or sealed with another key)"))
            }
            guard plain.count + opened.count <= maxSize + (2 << 20) else {
                return .failure(.init(description: "larger than the limit of \(maxSize) bytes"))
            }
            plain.append(contentsOf: opened)
            offset += length
            chunk += 1
        }
        guard chunk > 0 else { return .failure(.init(description: "no chunks")) }
        return .success(plain)
    }
}
