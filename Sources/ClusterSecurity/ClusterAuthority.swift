import Sodium

/// The cluster's CA: created by the first manager, kept (encrypted) in the replicated state,
/// it signs every node's certificate. Time comes in as Unix seconds so issuing is reproducible
/// in tests.
public struct ClusterAuthority: Sendable {
    public let clusterID: [UInt8]
    public let keyPair: Ed25519KeyPair

    public init(clusterID: [UInt8], keyPair: Ed25519KeyPair) {
        self.clusterID = clusterID
        self.keyPair = keyPair
    }

    /// A new cluster: a random 16-byte ID and a random CA key.
    public static func create() -> ClusterAuthority {
        ClusterAuthority(clusterID: SecureRandom.bytes(count: 16), keyPair: .generate())
    }

    public func issue(
        serial: UInt64, nodeID: String, nodeName: String, role: NodeRole, publicKey: [UInt8], now: Int64, validity: Int64
    ) -> SignedCertificate {
        // Valid from a minute before now, so a peer whose clock is slightly behind accepts it.
        let certificate = NodeCertificate(
            clusterID: clusterID, serial: serial, nodeID: nodeID, nodeName: nodeName, role: role, publicKey: publicKey,
            notBefore: now - 60, notAfter: now + validity)
        return SignedCertificate(certificate: certificate, signature: keyPair.sign(certificate.canonicalBytes))
    }

    /// What every node checks peers against.
    public func policy(allowedRoles: Set<NodeRole> = Set(NodeRole.allCases), revokedSerials: Set<UInt64> = []) -> CertificatePolicy {
        CertificatePolicy(caPublicKey: keyPair.publicKey, clusterID: clusterID, allowedRoles: allowedRoles, revokedSerials: revokedSerials)
    }
}
