import Wire

/// What the cluster's CA vouches for: this public key belongs to this node of this cluster,
/// in this role, for this period. Encoded canonically (one byte layout, no optional fields) so
/// that the bytes signed are the bytes checked.
public struct NodeCertificate: Sendable, Hashable {
    public static let version: UInt8 = 1

    public var clusterID: [UInt8]
    public var serial: UInt64
    public var nodeID: String
    public var nodeName: String
    public var role: NodeRole
    public var publicKey: [UInt8]
    /// Unix seconds.
    public var notBefore: Int64
    public var notAfter: Int64

    public init(
        clusterID: [UInt8], serial: UInt64, nodeID: String, nodeName: String, role: NodeRole, publicKey: [UInt8],
        notBefore: Int64, notAfter: Int64
    ) {
        self.clusterID = clusterID
        self.serial = serial
        self.nodeID = nodeID
        self.nodeName = nodeName
        self.role = role
        self.publicKey = publicKey
        self.notBefore = notBefore
        self.notAfter = notAfter
    }

    /// The bytes the CA signs.
    public var canonicalBytes: [UInt8] {
        var writer = WireWriter(capacity: 160)
        writer.writeByte(Self.version)
        writer.writeBytes(clusterID)
        writer.writeVarint(serial)
        writer.writeString(nodeID)
        writer.writeString(nodeName)
        writer.writeByte(role.rawValue)
        writer.writeBytes(publicKey)
        writer.writeSigned(notBefore)
        writer.writeSigned(notAfter)
        return writer.bytes
    }

    init(reading reader: inout WireReader) throws(WireError) {
        let version = try reader.readByte("certificate.version")
        guard version == Self.version else { throw WireError.unknownTag(field: "certificate version", tag: UInt64(version)) }
        clusterID = try reader.readBytes("certificate.clusterID", limit: 64)
        serial = try reader.readVarint("certificate.serial")
        nodeID = try reader.readString("certificate.nodeID", limit: 128)
        nodeName = try reader.readString("certificate.nodeName", limit: 256)
        let rawRole = try reader.readByte("certificate.role")
        guard let role = NodeRole(rawValue: rawRole) else { throw WireError.unknownTag(field: "certificate role", tag: UInt64(rawRole)) }
        self.role = role
        publicKey = try reader.readBytes("certificate.publicKey", limit: 64)
        notBefore = try reader.readSigned("certificate.notBefore")
        notAfter = try reader.readSigned("certificate.notAfter")
    }
}

/// A certificate with the CA's signature over its canonical bytes.
public struct SignedCertificate: Sendable, Hashable {
    public var certificate: NodeCertificate
    public var signature: [UInt8]

    public init(certificate: NodeCertificate, signature: [UInt8]) {
        self.certificate = certificate
        self.signature = signature
    }

    public var encoded: [UInt8] {
        var writer = WireWriter(capacity: 240)
        writer.writeBytes(certificate.canonicalBytes)
        writer.writeBytes(signature)
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(WireError) {
        var outer = WireReader(bytes)
        let body = try outer.readBytes("certificate", limit: 1_024)
        signature = try outer.readBytes("certificate.signature", limit: 128)
        try outer.expectEnd()
        var reader = WireReader(body)
        certificate = try NodeCertificate(reading: &reader)
        try reader.expectEnd()
    }
}
