import ClusterModel
import ClusterSecurity
import Sodium

extension ManagerServer {
    /// Where the first join tokens are shown (the agent's console), the one time this manager
    /// creates the cluster identity, and the gossip keyring the identity starts with. Set
    /// before Raft starts.
    public func announceJoinTokens(
        gossipKeys: [[UInt8]], with announce: @escaping @Sendable (_ worker: JoinToken, _ manager: JoinToken) -> Void
    ) {
        identityBootstrap.gossipKeys = gossipKeys
        identityBootstrap.announce = announce
    }

    /// The identity as applied on this manager (nil until the first leader has created it).
    public var clusterIdentity: ClusterIdentity? { get async { state.machine.clusterIdentity } }

    /// What this manager presents on other managers' internal routes (`InternalCredential`).
    public var internalCredential: String? { get async { InternalCredential.value(for: state.machine.clusterIdentity) } }

    /// Creates the cluster identity if nobody has: the leader calls this once it has caught up
    /// with the log, as it does for the bootstrap ACL token, and with the same care: the same
    /// proposal is repeated until it or another manager's is applied.
    func createClusterIdentityIfNeeded() async {
        guard await state.raftShell != nil, !identityBootstrap.isRunning, !isShutDown else { return }
        if identityBootstrap.pending == nil {
            guard state.machine.clusterIdentity == nil else { return }
            identityBootstrap.pending = ClusterIdentity.create(gossipKeys: identityBootstrap.gossipKeys)
        }
        identityBootstrap.isRunning = true
        defer { identityBootstrap.isRunning = false }
        while let pending = identityBootstrap.pending, !isShutDown {
            if let current = state.machine.clusterIdentity {
                identityBootstrap.pending = nil
                if current.clusterID == pending.clusterID { identityBootstrap.announce?(current.joinToken(for: .worker), current.joinToken(for: .manager)) }
                return
            }
            do {
                _ = try await replicate(.clusterIdentity(.create(pending)))
                identityBootstrap.pending = nil
                identityBootstrap.announce?(pending.joinToken(for: .worker), pending.joinToken(for: .manager))
                return
            } catch {
                if case .invalid = error {
                    identityBootstrap.pending = nil
                    return
                }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    /// The current join token of `role`, after rotating it when asked (through Raft: from then
    /// on the old token is refused everywhere). The generation tells how many rotations.
    public func joinToken(for role: NodeRole, rotate: Bool) async throws(ManagerError) -> (token: JoinToken, generation: UInt64) {
        if rotate {
            _ = try await replicate(.clusterIdentity(.rotateJoinToken(role)))
        } else {
            _ = try await snapshot(stale: false)
        }
        guard let identity = state.machine.clusterIdentity else { throw .unavailable(ClusterIdentityCommand.noIdentity) }
        return (identity.joinToken(for: role), identity.generation(of: role))
    }

    /// Certifies a joiner that proved a token of `request.role`: a fresh node ID (a Raft ID
    /// in hexadecimal for a manager, a UUID for a worker) and a serial through Raft, then the
    /// certificate signed here with the replicated CA key.
    public func certify(_ request: JoinRequest, validity: Int64) async throws(ManagerError) -> (certificate: SignedCertificate, identity: ClusterIdentity) {
        let nodeID = request.role == .manager
            ? String(UInt64.random(in: 1...UInt64.max, using: &random), radix: 16) : NodeID.random(using: &random).uuid
        let serial = try await replicate(.clusterIdentity(.recordCertificate(nodeID: nodeID, role: request.role))).outcome.index
        guard let identity = state.machine.clusterIdentity, let authority = identity.authority else {
            throw .unavailable(ClusterIdentityCommand.noIdentity)
        }
        let certificate = authority.issue(
            serial: serial, nodeID: nodeID, nodeName: request.nodeName, role: request.role, publicKey: request.publicKey,
            now: unixSeconds, validity: validity)
        return (certificate, identity)
    }

    /// A new certificate for the same node, name, role and key as `current` (which the caller
    /// proved it holds by the channel handshake), under a fresh serial: how a node renews
    /// before its certificate expires. Refused for a revoked certificate.
    public func renewCertificate(_ current: SignedCertificate, validity: Int64? = nil) async throws(ManagerError) -> SignedCertificate {
        let validity = validity ?? settings.certificateValidity
        let old = current.certificate
        guard let identity = state.machine.clusterIdentity else { throw .unavailable(ClusterIdentityCommand.noIdentity) }
        guard !identity.revoked.contains(old.serial) else { throw .invalid("certificate \(old.serial) of \(old.nodeName) was revoked: join again with a token") }
        let serial = try await replicate(.clusterIdentity(.recordCertificate(nodeID: old.nodeID, role: old.role))).outcome.index
        guard let authority = state.machine.clusterIdentity?.authority else { throw .unavailable(ClusterIdentityCommand.noIdentity) }
        return authority.issue(
            serial: serial, nodeID: old.nodeID, nodeName: old.nodeName, role: old.role, publicKey: old.publicKey, now: unixSeconds,
            validity: validity)
    }

    /// This manager's key and certificate for answering joins: the certificate names it by its
    /// Raft ID, and is renewed once less than a quarter of its validity is left.
    public func joinResponderIdentity(validity: Int64) async throws(ManagerError) -> (server: NodeIdentity, cluster: ClusterIdentity) {
        guard let cluster = state.machine.clusterIdentity, let authority = cluster.authority else {
            throw .unavailable(ClusterIdentityCommand.noIdentity)
        }
        let now = unixSeconds
        if let current = identityBootstrap.serverIdentity, current.certificate.certificate.clusterID == cluster.clusterID,
           current.certificate.certificate.notAfter - now > validity / 4, !cluster.revoked.contains(current.certificate.certificate.serial) {
            return (current, cluster)
        }
        let key = identityBootstrap.serverIdentity?.keyPair ?? Ed25519KeyPair.generate()
        let nodeID = identity?.id.description ?? "manager"
        let serial = try await replicate(.clusterIdentity(.recordCertificate(nodeID: nodeID, role: .manager))).outcome.index
        let certificate = authority.issue(
            serial: serial, nodeID: nodeID, nodeName: identity?.name ?? nodeID, role: .manager, publicKey: key.publicKey, now: now,
            validity: validity)
        let server = NodeIdentity(keyPair: key, certificate: certificate)
        identityBootstrap.serverIdentity = server
        return (server, cluster)
    }

    /// Starts this manager from the key and certificate it already holds (from its join, or
    /// stored at an earlier start), so that it keeps presenting them to the other managers and
    /// to workers instead of issuing itself new ones; `joinResponderIdentity` still renews them
    /// near expiry.
    public func adoptServerIdentity(_ server: NodeIdentity) {
        if identityBootstrap.serverIdentity == nil { identityBootstrap.serverIdentity = server }
    }

    /// The manager's clock in Unix seconds, as certificates count time.
    var unixSeconds: Int64 { clock().nanosecondsSinceEpoch / 1_000_000_000 }
}
