import Sodium
import Wire

/// What `roost join` leaves in the data directory, and what the node's agent starts from:
/// its own key, its certificate, the CA key and cluster ID to check peers with, the gossip
/// keyring and the managers' addresses. One versioned byte encoding (`RNCR`, version 1), so a
/// later version can read an older file and refuse a newer one with a clear message.
public struct NodeCredentials: Sendable {
    static let magic: [UInt8] = Array("RNCR".utf8)
    static let version: UInt8 = 1
    public static let maximumEncodedSize = 64 * 1024
    /// The file in a node's data directory that holds them (owner-only: it has the node key).
    public static let fileName = "node-credentials"

    public var nodeKey: Ed25519KeyPair
    public var grant: JoinGrant

    public init(nodeKey: Ed25519KeyPair, grant: JoinGrant) {
        self.nodeKey = nodeKey
        self.grant = grant
    }

    public var certificate: SignedCertificate { grant.certificate }
    public var identity: NodeIdentity { NodeIdentity(keyPair: nodeKey, certificate: grant.certificate) }
    /// The policy this node checks managers with.
    public var policy: CertificatePolicy {
        CertificatePolicy(caPublicKey: grant.caPublicKey, clusterID: grant.clusterID)
    }

    public var encoded: [UInt8] {
        var writer = WireWriter(capacity: 1_024)
        for byte in Self.magic { writer.writeByte(byte) }
        writer.writeByte(Self.version)
        writer.writeBytes(nodeKey.seed)
        writer.writeBytes(grant.encoded)
        return writer.bytes
    }

    public init(decoding bytes: [UInt8]) throws(NodeCredentialsError) {
        guard bytes.count <= Self.maximumEncodedSize else { throw .damaged("larger than \(Self.maximumEncodedSize) bytes") }
        guard bytes.count > Self.magic.count, Array(bytes.prefix(Self.magic.count)) == Self.magic else { throw .notCredentials }
        var reader = WireReader(Array(bytes.dropFirst(Self.magic.count)))
        do {
            let version = try reader.readByte("credentials.version")
            guard version == Self.version else { throw NodeCredentialsError.unsupportedVersion(version) }
            let seed = try reader.readBytes("credentials.nodeKey", limit: 64)
            guard let key = Ed25519KeyPair(seed: seed) else { throw NodeCredentialsError.damaged("the node key is not a valid seed") }
            let grant = try JoinGrant(decoding: try reader.readBytes("credentials.grant", limit: JoinGrant.maximumSize))
            try reader.expectEnd()
            guard grant.certificate.certificate.publicKey == key.publicKey else {
                throw NodeCredentialsError.damaged("the certificate is for another key than the node key")
            }
            self.init(nodeKey: key, grant: grant)
        } catch let error as NodeCredentialsError {
            throw error
        } catch {
            throw .damaged("\(error)")
        }
    }
}

public enum NodeCredentialsError: Error, Sendable, Hashable, CustomStringConvertible {
    case notCredentials
    case unsupportedVersion(UInt8)
    case damaged(String)

    public var description: String {
        switch self {
        case .notCredentials: "the file does not hold Roost node credentials; run `roost join` to create them"
        case .unsupportedVersion(let version):
            "the credentials file has version \(version), this roost reads version \(NodeCredentials.version): use the roost that wrote it, or join again"
        case .damaged(let detail): "the credentials file is damaged (\(detail)); join again with `roost join`"
        }
    }
}
