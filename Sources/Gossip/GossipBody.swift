import SWIM

/// What a packet carries once opened. UDP packets carry `datagrams`: several SWIM messages to
/// the same member compounded into one packet. TCP frames carry the rest.
///
/// Layout: kind (1 byte), then for `datagrams` a count (1 byte) and each message as a
/// 2-byte big-endian length and its bytes; for push-pull the encoded state; for a probe its
/// sequence (4) and target (8); for an ack its sequence (4).
public enum GossipBody: Sendable, Hashable {
    case datagrams([[UInt8]])
    case pushPullRequest(state: [UInt8], isJoin: Bool)
    case pushPullReply(state: [UInt8])
    case probe(sequence: UInt32, target: SWIMNodeID)
    case probeAck(sequence: UInt32)

    /// Bytes the compound framing adds: the kind and count, then two per message.
    static let compoundOverhead = 2
    static let perMessageOverhead = 2
    static let maximumCompoundCount = 64

    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        switch self {
        case .datagrams(let messages):
            bytes = [1, UInt8(min(messages.count, Self.maximumCompoundCount))]
            for message in messages.prefix(Self.maximumCompoundCount) {
                bytes.append(UInt8(truncatingIfNeeded: message.count >> 8))
                bytes.append(UInt8(truncatingIfNeeded: message.count))
                bytes += message
            }
        case .pushPullRequest(let state, let isJoin):
            bytes = [2, isJoin ? 1 : 0] + state
        case .pushPullReply(let state):
            bytes = [3] + state
        case .probe(let sequence, let target):
            bytes = [4]
            GossipPacketHeader.append(UInt64(sequence), width: 4, to: &bytes)
            GossipPacketHeader.append(target.rawValue, width: 8, to: &bytes)
        case .probeAck(let sequence):
            bytes = [5]
            GossipPacketHeader.append(UInt64(sequence), width: 4, to: &bytes)
        }
        return bytes
    }

    /// Nil for anything malformed: bytes from the network never trap here.
    public static func decode(_ bytes: [UInt8]) -> GossipBody? {
        guard let kind = bytes.first else { return nil }
        let rest = bytes.dropFirst()
        switch kind {
        case 1:
            guard let count = rest.first, Int(count) <= maximumCompoundCount else { return nil }
            var messages: [[UInt8]] = []
            var index = rest.startIndex + 1
            for _ in 0..<count {
                guard bytes.endIndex - index >= 2 else { return nil }
                let length = Int(bytes[index]) << 8 | Int(bytes[index + 1])
                index += 2
                guard bytes.endIndex - index >= length else { return nil }
                messages.append(Array(bytes[index..<index + length]))
                index += length
            }
            return index == bytes.endIndex ? .datagrams(messages) : nil
        case 2:
            guard let flag = rest.first, flag <= 1 else { return nil }
            return .pushPullRequest(state: Array(rest.dropFirst()), isJoin: flag == 1)
        case 3:
            return .pushPullReply(state: Array(rest))
        case 4:
            guard rest.count == 12 else { return nil }
            return .probe(sequence: UInt32(GossipPacketHeader.read(rest, at: rest.startIndex, width: 4)),
                          target: SWIMNodeID(GossipPacketHeader.read(rest, at: rest.startIndex + 4, width: 8)))
        case 5:
            guard rest.count == 4 else { return nil }
            return .probeAck(sequence: UInt32(GossipPacketHeader.read(rest, at: rest.startIndex, width: 4)))
        default:
            return nil
        }
    }
}
