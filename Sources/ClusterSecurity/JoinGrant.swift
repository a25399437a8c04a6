import Wire

/// What a successful join gives the new node, sealed with the session key: its certificate,
/// the CA key and cluster ID to check peers with, the gossip keyring (primary first), and
/// where the managers listen.
public struct JoinGrant: Sendable, Hashable {
    static let version: UInt8 = 1
    static let label = "roost join grant v1"
    /// Far above a grant for a few managers and a full keyring, far below anything harmful.
    public static let maximumSize = 32 * 1024
    static let maximumManagers = 64
    static let maximumKeys = 16

    public var certificate: SignedCertificate
    public var caPublicKey: [UInt8]
    public var clusterID: [UInt8]
    public var gossipKeys: [[UInt8]]
    public var managers: [ManagerAddresses]

    public init(certificate: SignedCertificate, caPublicKey: [UInt8], clusterID: [UInt8], gossipKeys: [[UInt8]], managers: [ManagerAddresses]) {
        self.certificate = certificate
        self.caPublicKey = caPublicKey
        self.clusterID = clusterID
        self.gossipKeys = gossipKeys
        self.managers = managers
    }

    public var encoded: [UInt8] {
        var writer = WireWriter(capacity: 512)
        writer.writeByte(Self.version)
        writer.writeBytes(certificate.encoded)
        writer.writeBytes(caPublicKey)
        writer.writeBytes(clusterID)
        writer.writeVarint(UInt64(min(gossipKeys.count, Self.maximumKeys)))
        for key in gossipKeys.prefix(Self.maximumKeys) { writer.writeBytes(key) }
        writer.writeVarint(UInt64(min(managers.count, Self.maximumManagers)))
        for manager in managers.prefix(Self.maximumManagers) { manager.write(to: &writer) }
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(WireError) {
        var reader = WireReader(bytes)
        try self.init(reading: &reader)
        try reader.expectEnd()
    }

    init(reading reader: inout WireReader) throws(WireError) {
        let version = try reader.readByte("grant.version")
        guard version == Self.version else { throw WireError.unknownTag(field: "grant version", tag: UInt64(version)) }
        certificate = try SignedCertificate(decoding: try reader.readBytes("grant.certificate", limit: 2_048))
        caPublicKey = try reader.readBytes("grant.caPublicKey", limit: 64)
        clusterID = try reader.readBytes("grant.clusterID", limit: 64)
        let keyCount = try reader.readCount("grant.gossipKeys", limit: Self.maximumKeys)
        var keys: [[UInt8]] = []
        for _ in 0..<keyCount { keys.append(try reader.readBytes("grant.gossipKey", limit: 64)) }
        gossipKeys = keys
        let managerCount = try reader.readCount("grant.managers", limit: Self.maximumManagers)
        var managers: [ManagerAddresses] = []
        for _ in 0..<managerCount { managers.append(try ManagerAddresses(reading: &reader)) }
        self.managers = managers
    }

    public func sealed(with session: ChannelSession) -> [UInt8] {
        SessionBox.seal(encoded, label: Self.label, key: session.keys.transmit)
    }

    public init(opening sealed: [UInt8], with session: ChannelSession) throws(HandshakeFailure) {
        guard let plain = SessionBox.open(sealed, label: Self.label, key: session.keys.receive) else {
            throw .malformed("the manager's grant does not open with the session key")
        }
        do {
            try self.init(decoding: plain)
        } catch {
            throw .malformed("the manager's grant: \(error)")
        }
    }
}
