/// Appends the codec's primitives: LEB128 varints, little-endian fixed integers and
/// length-prefixed UTF-8 strings.
struct SWIMByteWriter {
    var bytes: [UInt8] = []

    mutating func writeByte(_ value: UInt8) { bytes.append(value) }

    mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func writeFixed64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    mutating func writeFixed32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func writeString(_ value: String, limit: Int, what: String) throws(SWIMCodecError) {
        let utf8 = Array(value.utf8)
        if utf8.count > limit { throw .tooLong(what, utf8.count) }
        writeVarint(UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    mutating func writeAddress(_ address: SWIMAddress) throws(SWIMCodecError) {
        try writeString(address.host, limit: SWIMAddress.maximumHostLength, what: "host")
        writeByte(UInt8(truncatingIfNeeded: address.port))
        writeByte(UInt8(truncatingIfNeeded: address.port >> 8))
    }

    mutating func writeMetadata(_ metadata: SWIMMetadata) throws(SWIMCodecError) {
        let limit = SWIMMetadata.maximumEncodedSize
        try writeString(metadata.nodeID, limit: limit, what: "node ID")
        try writeString(metadata.nodeName, limit: limit, what: "node name")
        try writeString(metadata.role, limit: limit, what: "role")
        try writeString(metadata.rpcAddress, limit: limit, what: "RPC address")
        try writeString(metadata.datacenter, limit: limit, what: "datacenter")
        if metadata.tags.count > SWIMMetadata.maximumTagCount { throw .tooMany("tags", metadata.tags.count) }
        writeVarint(UInt64(metadata.tags.count))
        // Sorted, so that equal metadata always encodes to equal bytes.
        for key in metadata.tags.keys.sorted() {
            try writeString(key, limit: limit, what: "tag key")
            try writeString(metadata.tags[key] ?? "", limit: limit, what: "tag value")
        }
    }

    mutating func writeGossip(_ gossip: SWIMGossip) throws(SWIMCodecError) {
        writeByte(gossip.status.rawValue)
        writeFixed64(gossip.member.rawValue)
        writeVarint(gossip.incarnation)
        writeFixed64(gossip.reporter.rawValue)
        try writeAddress(gossip.address)
        if let metadata = gossip.metadata {
            writeByte(1)
            let start = bytes.count
            try writeMetadata(metadata)
            if bytes.count - start > SWIMMetadata.maximumEncodedSize {
                throw .tooLong("metadata", bytes.count - start)
            }
        } else {
            writeByte(0)
        }
    }
}
