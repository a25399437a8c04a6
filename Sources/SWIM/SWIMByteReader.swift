/// Reads the codec's primitives from untrusted bytes. Every read checks what is left first, so a
/// truncated or hostile input ends in a `SWIMCodecError`, never a trap, and no length read from
/// the input is trusted before it is compared with the bytes actually present.
struct SWIMByteReader {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - offset }

    mutating func readByte() throws(SWIMCodecError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readVarint() throws(SWIMCodecError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            if shift == 63 && byte > 1 { throw .overlongVarint }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { throw .overlongVarint }
        }
    }

    mutating func readFixed64() throws(SWIMCodecError) -> UInt64 {
        guard remaining >= 8 else { throw .truncated }
        var value: UInt64 = 0
        for index in 0..<8 { value |= UInt64(bytes[offset + index]) << UInt64(8 * index) }
        offset += 8
        return value
    }

    mutating func readFixed32() throws(SWIMCodecError) -> UInt32 {
        guard remaining >= 4 else { throw .truncated }
        var value: UInt32 = 0
        for index in 0..<4 { value |= UInt32(bytes[offset + index]) << UInt32(8 * index) }
        offset += 4
        return value
    }

    /// Reads a count and refuses it when above `limit`, before anything is allocated for it.
    mutating func readCount(limit: Int, what: String) throws(SWIMCodecError) -> Int {
        let count = try readVarint()
        guard count <= UInt64(limit) else { throw .tooMany(what, count > UInt64(Int.max) ? Int.max : Int(count)) }
        return Int(count)
    }

    mutating func readString(limit: Int, what: String) throws(SWIMCodecError) -> String {
        let length = try readVarint()
        guard length <= UInt64(limit) else { throw .tooLong(what, length > UInt64(Int.max) ? Int.max : Int(length)) }
        let count = Int(length)
        guard remaining >= count else { throw .truncated }
        let slice = bytes[offset..<(offset + count)]
        offset += count
        guard let string = String(validating: slice, as: UTF8.self) else { throw .invalidUTF8(what) }
        return string
    }

    mutating func readAddress() throws(SWIMCodecError) -> SWIMAddress {
        let host = try readString(limit: SWIMAddress.maximumHostLength, what: "host")
        let low = try readByte()
        let high = try readByte()
        return SWIMAddress(host: host, port: UInt16(low) | UInt16(high) << 8)
    }

    mutating func readMetadata() throws(SWIMCodecError) -> SWIMMetadata {
        let start = offset
        let limit = SWIMMetadata.maximumEncodedSize
        var metadata = SWIMMetadata()
        metadata.nodeID = try readString(limit: limit, what: "node ID")
        metadata.nodeName = try readString(limit: limit, what: "node name")
        metadata.role = try readString(limit: limit, what: "role")
        metadata.rpcAddress = try readString(limit: limit, what: "RPC address")
        metadata.datacenter = try readString(limit: limit, what: "datacenter")
        let count = try readCount(limit: SWIMMetadata.maximumTagCount, what: "tags")
        for _ in 0..<count {
            let key = try readString(limit: limit, what: "tag key")
            let value = try readString(limit: limit, what: "tag value")
            metadata.tags[key] = value
            if offset - start > limit { throw .tooLong("metadata", offset - start) }
        }
        if offset - start > limit { throw .tooLong("metadata", offset - start) }
        return metadata
    }

    mutating func readGossip() throws(SWIMCodecError) -> SWIMGossip {
        let statusByte = try readByte()
        guard let status = SWIMMemberStatus(rawValue: statusByte) else { throw .unknownTag("status", statusByte) }
        let member = SWIMNodeID(try readFixed64())
        let incarnation = try readVarint()
        let reporter = SWIMNodeID(try readFixed64())
        let address = try readAddress()
        let flag = try readByte()
        let metadata: SWIMMetadata?
        switch flag {
        case 0: metadata = nil
        case 1: metadata = try readMetadata()
        default: throw .unknownTag("metadata flag", flag)
        }
        return SWIMGossip(status: status, member: member, incarnation: incarnation, address: address,
                          metadata: metadata, reporter: reporter)
    }
}
