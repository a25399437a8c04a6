import ClusterSecurity
import HTTP

/// How managers prove to each other that a call on `/v1/internal/*` comes from a manager:
/// the header carries the cluster's internal secret (`ClusterIdentity.internalSecret`), known
/// only to holders of the replicated state. Until the first leader has created the identity
/// (the first moments of a new cluster) there is nothing to check against, and the calls are
/// accepted, as before identities existed.
public enum InternalCredential {
    public static let header = "X-Roost-Internal"

    /// The header value this manager sends, or nil before the identity exists.
    static func value(for identity: ClusterIdentity?) -> String? {
        identity.map { Hex.encode($0.internalSecret) }
    }

    /// Whether a request may use an internal route.
    static func admits(_ headers: HTTPHeaders, identity: ClusterIdentity?) -> Bool {
        guard let expected = value(for: identity) else { return true }
        guard let presented = headers[header] else { return false }
        return ConstantTime.equal(Array(presented.utf8), Array(expected.utf8))
    }
}
