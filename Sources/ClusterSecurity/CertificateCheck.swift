import Sodium

/// Why a peer's certificate is not accepted. Each names what to fix, for the log line the
/// refusing side writes.
public enum CertificateProblem: Error, Sendable, Hashable, CustomStringConvertible {
    case notSignedByThisCluster
    case otherCluster
    case notYetValid(notBefore: Int64, now: Int64)
    case expired(notAfter: Int64, now: Int64)
    case revoked(serial: UInt64, nodeName: String)
    case roleNotAllowed(NodeRole)

    public var description: String {
        switch self {
        case .notSignedByThisCluster: "the certificate is not signed by this cluster's CA"
        case .otherCluster: "the certificate belongs to another cluster"
        case .notYetValid(let notBefore, let now): "the certificate is valid only from \(notBefore) (now \(now)): check the clocks"
        case .expired(let notAfter, let now): "the certificate expired at \(notAfter) (now \(now)); the node must renew it or join again"
        case .revoked(let serial, let name): "the certificate \(serial) of \(name) was revoked (node removed)"
        case .roleNotAllowed(let role): "a \(role) may not open this kind of connection"
        }
    }
}

/// What a node checks about a peer's certificate before trusting anything it says.
public struct CertificatePolicy: Sendable {
    public var caPublicKey: [UInt8]
    public var clusterID: [UInt8]
    public var allowedRoles: Set<NodeRole>
    /// Serials of revoked certificates (bounded: a revoked certificate leaves the list once it
    /// would have expired anyway).
    public var revokedSerials: Set<UInt64>

    public init(caPublicKey: [UInt8], clusterID: [UInt8], allowedRoles: Set<NodeRole> = Set(NodeRole.allCases), revokedSerials: Set<UInt64> = []) {
        self.caPublicKey = caPublicKey
        self.clusterID = clusterID
        self.allowedRoles = allowedRoles
        self.revokedSerials = revokedSerials
    }

    /// nil when the certificate is acceptable at `now` (Unix seconds).
    public func problem(with signed: SignedCertificate, now: Int64) -> CertificateProblem? {
        let certificate = signed.certificate
        guard Ed25519KeyPair.verify(signed.signature, of: certificate.canonicalBytes, publicKey: caPublicKey) else {
            return .notSignedByThisCluster
        }
        guard certificate.clusterID == clusterID else { return .otherCluster }
        guard now >= certificate.notBefore else { return .notYetValid(notBefore: certificate.notBefore, now: now) }
        guard now < certificate.notAfter else { return .expired(notAfter: certificate.notAfter, now: now) }
        guard !revokedSerials.contains(certificate.serial) else { return .revoked(serial: certificate.serial, nodeName: certificate.nodeName) }
        guard allowedRoles.contains(certificate.role) else { return .roleNotAllowed(certificate.role) }
        return nil
    }
}
