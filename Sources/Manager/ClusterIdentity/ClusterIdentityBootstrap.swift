import ClusterSecurity

/// The manager's side of creating the cluster identity, and its own certificate for the join
/// service. The identity this manager proposed is kept until applied (or another's is), so a
/// retried proposal is the same one; the tokens are announced once, by the manager whose
/// proposal became the identity.
struct ClusterIdentityBootstrap: Sendable {
    var pending: ClusterIdentity?
    var announce: (@Sendable (_ worker: JoinToken, _ manager: JoinToken) -> Void)?
    /// The keyring the identity starts with (the managers' gossip keyring at creation).
    var gossipKeys: [[UInt8]] = []
    var isRunning = false
    /// This manager's key and certificate as a join responder; issued on the first join and
    /// again when it nears expiry.
    var serverIdentity: NodeIdentity?
}
