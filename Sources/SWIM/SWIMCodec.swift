/// The byte format of SWIM messages and of the push-pull full state. It lives in the pure core
/// (rather than only in `Wire`) so that it can be fuzzed and size-checked by the instance when
/// it compounds gossip into a packet.
///
/// Message: version (1 byte), sender (8 bytes LE), payload tag (1 byte) and its fields, gossip
/// count (varint ≤ 64), entries. State: version, count (varint ≤ `maximumStateMembers`),
/// entries. Entry: status, member (8), incarnation (varint), reporter (8), host (varint length +
/// UTF-8), port (2), metadata flag and, when 1, metadata (five strings and a tag map).
public enum SWIMCodec {
    public static let version: UInt8 = 1
    /// Bounds a push-pull reply: more members than this is refused.
    public static let maximumStateMembers = 65_536

    public static func encode(_ message: SWIMMessage) throws(SWIMCodecError) -> [UInt8] {
        var writer = SWIMByteWriter()
        try writeHeader(message.sender, message.payload, into: &writer)
        if message.gossip.count > SWIMMessage.maximumGossipCount {
            throw .tooMany("gossip entries", message.gossip.count)
        }
        writer.writeVarint(UInt64(message.gossip.count))
        for entry in message.gossip { try writer.writeGossip(entry) }
        return writer.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(SWIMCodecError) -> SWIMMessage {
        var reader = SWIMByteReader(bytes)
        let version = try reader.readByte()
        guard version == Self.version else { throw .unsupportedVersion(version) }
        let sender = SWIMNodeID(try reader.readFixed64())
        let tag = try reader.readByte()
        let payload: SWIMPayload
        switch tag {
        case 0: payload = .gossip
        case 1: payload = .ping(sequence: try reader.readFixed32(), target: SWIMNodeID(try reader.readFixed64()))
        case 2:
            let sequence = try reader.readFixed32()
            let target = SWIMNodeID(try reader.readFixed64())
            let address = try reader.readAddress()
            let nack = try reader.readByte()
            guard nack <= 1 else { throw .unknownTag("nack flag", nack) }
            payload = .pingRequest(sequence: sequence, target: target, address: address, wantsNack: nack == 1)
        case 3: payload = .ack(sequence: try reader.readFixed32())
        case 4: payload = .nack(sequence: try reader.readFixed32())
        default: throw .unknownTag("payload", tag)
        }
        let count = try reader.readCount(limit: SWIMMessage.maximumGossipCount, what: "gossip entries")
        var gossip: [SWIMGossip] = []
        gossip.reserveCapacity(count)
        for _ in 0..<count { gossip.append(try reader.readGossip()) }
        if reader.remaining > 0 { throw .trailingBytes(reader.remaining) }
        return SWIMMessage(sender: sender, payload: payload, gossip: gossip)
    }

    public static func encodeState(_ state: [SWIMGossip]) throws(SWIMCodecError) -> [UInt8] {
        if state.count > maximumStateMembers { throw .tooMany("members", state.count) }
        var writer = SWIMByteWriter()
        writer.writeByte(version)
        writer.writeVarint(UInt64(state.count))
        for entry in state { try writer.writeGossip(entry) }
        return writer.bytes
    }

    public static func decodeState(_ bytes: [UInt8]) throws(SWIMCodecError) -> [SWIMGossip] {
        var reader = SWIMByteReader(bytes)
        let version = try reader.readByte()
        guard version == Self.version else { throw .unsupportedVersion(version) }
        let count = try reader.readCount(limit: maximumStateMembers, what: "members")
        // Each entry takes at least 21 bytes, so a count the input cannot hold is refused
        // before reserving room for it.
        guard count <= reader.remaining / 21 else { throw .truncated }
        var state: [SWIMGossip] = []
        state.reserveCapacity(count)
        for _ in 0..<count { state.append(try reader.readGossip()) }
        if reader.remaining > 0 { throw .trailingBytes(reader.remaining) }
        return state
    }

    /// Bytes one entry takes, for compounding gossip into a packet budget.
    static func encodedSize(of gossip: SWIMGossip) -> Int {
        var writer = SWIMByteWriter()
        do { try writer.writeGossip(gossip) } catch { return Int.max / 4 }
        return writer.bytes.count
    }

    /// Bytes a message takes before its gossip (header, payload and the largest count varint).
    static func headerSize(of payload: SWIMPayload) -> Int {
        var writer = SWIMByteWriter()
        do { try writeHeader(SWIMNodeID(0), payload, into: &writer) } catch { return Int.max / 4 }
        return writer.bytes.count + 1
    }

    private static func writeHeader(
        _ sender: SWIMNodeID, _ payload: SWIMPayload, into writer: inout SWIMByteWriter
    ) throws(SWIMCodecError) {
        writer.writeByte(version)
        writer.writeFixed64(sender.rawValue)
        switch payload {
        case .gossip:
            writer.writeByte(0)
        case .ping(let sequence, let target):
            writer.writeByte(1)
            writer.writeFixed32(sequence)
            writer.writeFixed64(target.rawValue)
        case .pingRequest(let sequence, let target, let address, let wantsNack):
            writer.writeByte(2)
            writer.writeFixed32(sequence)
            writer.writeFixed64(target.rawValue)
            try writer.writeAddress(address)
            writer.writeByte(wantsNack ? 1 : 0)
        case .ack(let sequence):
            writer.writeByte(3)
            writer.writeFixed32(sequence)
        case .nack(let sequence):
            writer.writeByte(4)
            writer.writeFixed32(sequence)
        }
    }
}
