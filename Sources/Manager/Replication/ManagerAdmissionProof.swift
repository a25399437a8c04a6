import ClusterSecurity
import HTTP
import Raft
import Sodium

/// How a new manager proves, when it asks to be added to Raft (`/v1/internal/raft/join`), that
/// the cluster made it a manager: it sends the manager certificate `roost join -server` got and
/// signs the request body with that certificate's key. The receiving manager checks the
/// certificate against the replicated CA and deny-list (role manager), the signature, and that
/// the Raft ID asked for is the one the certificate names. Before the first leader has created
/// the identity there is nothing to check against (managers bootstrapping together with
/// `-bootstrap-expect` are admitted as before). Replaying a request re-admits the same manager,
/// which changes nothing.
public enum ManagerAdmissionProof {
    public static let certificateHeader = "X-Roost-Manager-Certificate"
    public static let signatureHeader = "X-Roost-Manager-Signature"

    /// The headers a joining manager sends with `body`.
    public static func headers(for body: [UInt8], credentials: NodeCredentials) -> [(String, String)] {
        [
            (certificateHeader, Hex.encode(credentials.certificate.encoded)),
            (signatureHeader, Hex.encode(credentials.nodeKey.sign(body))),
        ]
    }

    /// nil when the request may add `entry`; otherwise why not, for the refusal.
    static func refusal(_ headers: HTTPHeaders, body: [UInt8], entry: ServerEntry, identity: ClusterIdentity?, now: Int64) -> String? {
        guard let identity else { return nil }
        let advice = "join it first with a manager token (roost join --token … MANAGER -data-dir DIR -server), then start it with that -data-dir"
        guard let certificateText = headers[certificateHeader], let signatureText = headers[signatureHeader],
              certificateText.utf8.count <= 8_192, let certificateBytes = Hex.decode(certificateText), let signature = Hex.decode(signatureText),
              let certificate = try? SignedCertificate(decoding: certificateBytes)
        else { return "adding a manager needs its manager certificate: \(advice)" }
        var policy = identity.policy
        policy.allowedRoles = [.manager]
        if let problem = policy.problem(with: certificate, now: now) { return "the manager certificate is refused: \(problem)" }
        guard Ed25519KeyPair.verify(signature, of: body, publicKey: certificate.certificate.publicKey) else {
            return "the request is not signed by the key of the certificate it presents"
        }
        guard UInt64(certificate.certificate.nodeID, radix: 16) == entry.id.rawValue else {
            return "the certificate is for Raft ID \(certificate.certificate.nodeID), not \(entry.id)"
        }
        return nil
    }
}
