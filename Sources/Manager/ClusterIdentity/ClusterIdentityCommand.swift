import ClusterSecurity

/// The replicated changes to the cluster identity (`ReplicatedCommand.clusterIdentity`).
public enum ClusterIdentityCommand: Sendable, Hashable, Codable {
    /// Sets the identity when the cluster has none; refused when it has one, so two leaders
    /// racing at the cluster's birth end with exactly one.
    case create(ClusterIdentity)
    /// The role's token changes; the old one stops working when this applies.
    case rotateJoinToken(NodeRole)
    /// A certificate is about to be issued to `nodeID`: its serial is this entry's index.
    case recordCertificate(nodeID: String, role: NodeRole)
    /// The certificate `serial` (valid until `notAfter`) must be refused from now on; `now` is
    /// the proposer's clock, so every manager drops the same expired entries.
    case revokeCertificate(serial: UInt64, notAfter: Int64, now: Int64)
    /// A removed node's serials are no longer tracked (they are on the deny-list by then).
    case forgetNode(nodeID: String)
    /// The gossip key changes (a node was removed, and knew the old one): `key` becomes the
    /// only key of the identity; every member moves to it and then drops the others.
    case rotateGossipKey(key: [UInt8])
}

extension ClusterIdentityCommand {
    /// Applies to `identity` at `index`; a message for the caller when refused.
    func apply(to identity: inout ClusterIdentity?, at index: UInt64) -> String? {
        switch self {
        case .create(let proposed):
            if let identity {
                return "the cluster already has its identity (cluster ID \(identity.clusterID.hexText)); a second one is refused"
            }
            if let defect = proposed.defect { return "the proposed cluster identity is invalid: \(defect)" }
            identity = proposed
            return nil
        case .rotateJoinToken(let role):
            guard identity != nil else { return Self.noIdentity }
            identity?.rotate(role)
            return nil
        case .recordCertificate(let nodeID, _):
            guard var current = identity else { return Self.noIdentity }
            current.lastSerial = Swift.max(current.lastSerial, index)
            var serials = current.issuedSerials?[nodeID] ?? []
            serials.append(index)
            if current.issuedSerials == nil { current.issuedSerials = [:] }
            current.issuedSerials?[nodeID] = Array(serials.suffix(ClusterIdentity.serialsKeptPerNode))
            identity = current
            return nil
        case .revokeCertificate(let serial, let notAfter, let now):
            guard identity != nil else { return Self.noIdentity }
            identity?.revoked.insert(CertificateDenyList.Entry(serial: serial, notAfter: notAfter), now: now)
            return nil
        case .forgetNode(let nodeID):
            guard identity != nil else { return Self.noIdentity }
            identity?.issuedSerials?[nodeID] = nil
            return nil
        case .rotateGossipKey(let key):
            guard identity != nil else { return Self.noIdentity }
            guard key.count == 32 else { return "a gossip key is 32 bytes, got \(key.count)" }
            identity?.gossipKeys = [key]
            return nil
        }
    }

    static let noIdentity = "the cluster has no identity yet: its first leader creates it moments after it is elected; retry shortly"
}

extension [UInt8] {
    /// Lowercase hexadecimal, for messages that name a cluster ID.
    fileprivate var hexText: String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] }, as: UTF8.self)
    }
}
