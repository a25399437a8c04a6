import ClusterSecurity
import Sodium

/// Who the cluster is, replicated through Raft: created once by the first leader and never
/// replaced. It holds the CA's private seed (every manager can then certify joiners without a
/// round trip to the leader), the gossip keyring handed to joiners, each role's join-token
/// generation, the last certificate serial and the revoked serials.
///
/// Join tokens themselves are not stored: each role's current token is derived from the CA
/// seed and its generation (`JoinToken.derived`), so rotating is a counter bump and an old
/// token stops matching at once, while certificates already issued stay valid.
public struct ClusterIdentity: Sendable, Hashable, Codable {
    public var clusterID: [UInt8]
    var caSeed: [UInt8]
    /// Primary first; what joiners receive when the agent gives no live keyring.
    public var gossipKeys: [[UInt8]]
    public var workerTokenGeneration: UInt64
    public var managerTokenGeneration: UInt64
    /// Serials are the Raft index of the entry that recorded them: unique for the cluster's
    /// whole life with no counter to coordinate. This is the highest so far.
    public var lastSerial: UInt64
    public var revoked: CertificateDenyList
    /// The serials issued to each node (the last few), so that removing a node revokes every
    /// certificate it holds. Optional: identities recorded before it existed decode without it.
    public var issuedSerials: [String: [UInt64]]?

    /// How many of a node's serials are kept: renewals come every few weeks, so a handful
    /// covers every certificate still valid.
    static let serialsKeptPerNode = 8

    init(clusterID: [UInt8], caSeed: [UInt8], gossipKeys: [[UInt8]], revokedCapacity: Int = CertificateDenyList.defaultCapacity) {
        self.clusterID = clusterID
        self.caSeed = caSeed
        self.gossipKeys = gossipKeys
        workerTokenGeneration = 1
        managerTokenGeneration = 1
        lastSerial = 0
        revoked = CertificateDenyList(capacity: revokedCapacity)
    }

    /// What managers present to each other on `/v1/internal/*` (forwarded writes and
    /// heartbeats): derived from the CA seed, so every manager holding the replicated state
    /// knows it and nobody else does; it never needs storing or rotating apart from the CA.
    public var internalSecret: [UInt8] {
        GenericHash.hash(Array("roost internal api v1".utf8), key: caSeed)
    }

    /// A new identity: a random 16-byte cluster ID and CA seed.
    public static func create(gossipKeys: [[UInt8]]) -> ClusterIdentity {
        ClusterIdentity(
            clusterID: SecureRandom.bytes(count: 16), caSeed: SecureRandom.bytes(count: Ed25519KeyPair.seedLength), gossipKeys: gossipKeys)
    }

    /// nil only for an identity whose seed is damaged (refused when created, so never applied).
    public var authority: ClusterAuthority? {
        Ed25519KeyPair(seed: caSeed).map { ClusterAuthority(clusterID: clusterID, keyPair: $0) }
    }

    public var caPublicKey: [UInt8] { authority?.keyPair.publicKey ?? [] }

    public func generation(of role: NodeRole) -> UInt64 {
        role == .worker ? workerTokenGeneration : managerTokenGeneration
    }

    public func joinToken(for role: NodeRole) -> JoinToken {
        JoinToken.derived(caSeed: caSeed, caPublicKey: caPublicKey, role: role, generation: generation(of: role))
    }

    /// What a join responder checks proofs against: the current token of each role.
    public var joinKeys: [NodeRole: [UInt8]] {
        Dictionary(uniqueKeysWithValues: NodeRole.allCases.map { ($0, joinToken(for: $0).joinKey) })
    }

    /// What this cluster's nodes check each other's certificates against.
    public var policy: CertificatePolicy {
        CertificatePolicy(caPublicKey: caPublicKey, clusterID: clusterID, revokedSerials: revoked.serials)
    }

    mutating func rotate(_ role: NodeRole) {
        switch role {
        case .worker: workerTokenGeneration &+= 1
        case .manager: managerTokenGeneration &+= 1
        }
    }

    /// Why a proposed identity cannot be the cluster's, or nil.
    var defect: String? {
        guard clusterID.count == 16 else { return "the cluster ID must be 16 bytes, not \(clusterID.count)" }
        guard authority != nil else { return "the CA seed must be \(Ed25519KeyPair.seedLength) bytes" }
        return nil
    }
}
