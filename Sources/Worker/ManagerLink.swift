import ClusterModel
import StateStore

/// How a worker talks to the managers. In dev mode the manager is in the same process and the
/// link is a direct call; across machines it is the authenticated RPC channel. The worker's
/// logic is the same either way.
public protocol ManagerLink: Sendable {
    /// Registers the node (or refreshes its fingerprint) and marks it ready.
    func registerNode(_ node: Node) async throws
    /// Tells the managers the node is alive; returns the heartbeat TTL they expect.
    func heartbeat(_ nodeID: NodeID) async throws -> Duration
    /// The node's allocations once they changed after `index` (a long poll bounded by `wait`).
    func allocations(forNode nodeID: NodeID, since index: UInt64, wait: Duration) async throws -> (allocations: [Allocation], index: UInt64)
    /// What the node's tasks did.
    func updateAllocations(_ updates: [ClientAllocationUpdate]) async throws
}
