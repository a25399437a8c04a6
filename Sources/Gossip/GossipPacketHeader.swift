import SWIM

/// The cleartext start of every gossip packet (UDP datagram or TCP frame). It is the
/// associated data of the sealed body, so it can be read before decryption, to pick the key
/// and to refuse other clusters cheaply, but cannot be altered without failing authentication.
///
/// Layout (big-endian): version (1), flags (1: bit 0 = sealed), key ID (4), cluster ID (8),
/// sender (8), sequence (8): 30 bytes. A sealed packet continues with a 24-byte nonce and the
/// ciphertext with its 16-byte tag; a plaintext one with the body.
public struct GossipPacketHeader: Sendable, Hashable {
    public static let currentVersion: UInt8 = 1
    public static let length = 30

    public var version: UInt8
    public var isSealed: Bool
    public var keyID: UInt32
    public var clusterID: UInt64
    public var sender: SWIMNodeID
    /// Grows with every packet the sender sends (across its restarts: it starts from the wall
    /// clock), so that the receiver's replay window can refuse copies.
    public var sequence: UInt64

    public init(version: UInt8 = GossipPacketHeader.currentVersion, isSealed: Bool, keyID: UInt32, clusterID: UInt64,
                sender: SWIMNodeID, sequence: UInt64) {
        self.version = version
        self.isSealed = isSealed
        self.keyID = keyID
        self.clusterID = clusterID
        self.sender = sender
        self.sequence = sequence
    }

    public var encoded: [UInt8] {
        var bytes: [UInt8] = [version, isSealed ? 1 : 0]
        bytes.reserveCapacity(Self.length)
        Self.append(UInt64(keyID), width: 4, to: &bytes)
        Self.append(clusterID, width: 8, to: &bytes)
        Self.append(sender.rawValue, width: 8, to: &bytes)
        Self.append(sequence, width: 8, to: &bytes)
        return bytes
    }

    /// Reads a header from the start of `bytes`; nil when too short or the flags are unknown.
    public static func decode(_ bytes: ArraySlice<UInt8>) -> GossipPacketHeader? {
        guard bytes.count >= length else { return nil }
        let start = bytes.startIndex
        let flags = bytes[start + 1]
        guard flags <= 1 else { return nil }
        return GossipPacketHeader(
            version: bytes[start], isSealed: flags == 1, keyID: UInt32(read(bytes, at: start + 2, width: 4)),
            clusterID: read(bytes, at: start + 6, width: 8), sender: SWIMNodeID(read(bytes, at: start + 14, width: 8)),
            sequence: read(bytes, at: start + 22, width: 8))
    }

    static func append(_ value: UInt64, width: Int, to bytes: inout [UInt8]) {
        for shift in stride(from: (width - 1) * 8, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    static func read(_ bytes: ArraySlice<UInt8>, at index: Int, width: Int) -> UInt64 {
        var value: UInt64 = 0
        for offset in 0..<width { value = value << 8 | UInt64(bytes[index + offset]) }
        return value
    }
}
