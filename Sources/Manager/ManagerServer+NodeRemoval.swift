import ClusterModel
import ClusterSecurity
import Sodium
import StateStore

/// What `roost node rm` did.
public struct NodeRemoval: Sendable, Hashable {
    public var nodeName: String
    /// The certificate serials put on the deny-list.
    public var revokedSerials: [UInt64]
    /// Whether the cluster's gossip key was replaced (an encrypted cluster's always is).
    public var rotatedGossipKey: Bool
    public var index: UInt64
}

/// `roost node rm`: a machine leaves the cluster for good (decommissioned, or compromised).
extension ManagerServer {
    /// Revokes every certificate the node holds (so its agent, if still running, loses its
    /// channel within seconds and cannot connect again), then forgets the node: its
    /// allocations are lost and replaced elsewhere. A node still reported ready is only removed
    /// with `force`: otherwise a typo would cut a healthy machine off.
    public func removeNode(_ nodeID: NodeID, force: Bool) async throws(ManagerError) -> NodeRemoval {
        let snapshot = await state.snapshot
        guard let node = snapshot.node(id: nodeID) else { throw .notFound("node \(nodeID) is not registered") }
        if node.status == .ready && !force {
            throw .invalid(
                "node \(node.name) is ready: drain it (roost node drain -enable \(nodeID.short)) and stop its agent first, or remove it anyway with -force")
        }
        var revoked: [UInt64] = []
        var rotatedGossipKey = false
        if let identity = await clusterIdentity {
            let now = unixSeconds
            // A certificate lives at most this long after it was issued, so the deny-list
            // entry can go once that has passed.
            let notAfter = now + settings.certificateValidity
            for serial in identity.issuedSerials?[nodeID.uuid] ?? [] where !identity.revoked.contains(serial) {
                _ = try await replicate(.clusterIdentity(.revokeCertificate(serial: serial, notAfter: notAfter, now: now)))
                revoked.append(serial)
            }
            _ = try await replicate(.clusterIdentity(.forgetNode(nodeID: nodeID.uuid)))
            // The node knew the gossip key: an encrypted cluster moves to a new one.
            if !identity.gossipKeys.isEmpty {
                _ = try await replicate(.clusterIdentity(.rotateGossipKey(key: SecureRandom.bytes(count: 32))))
                rotatedGossipKey = true
            }
        }
        let time = clock()
        let evaluations = snapshot.evaluationsForNodeChange(nodeID, now: time, random: &random)
        let outcome = try await submit(.deregisterNode(nodeID, evaluations: evaluations, time: time))
        liveness.forget(nodeID)
        return NodeRemoval(nodeName: node.name, revokedSerials: revoked, rotatedGossipKey: rotatedGossipKey, index: outcome.index)
    }
}
