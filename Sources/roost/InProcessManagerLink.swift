import ClusterModel
import Manager
import StateStore
import Worker

/// The dev agent's link from its worker to its manager: the same calls the RPC channel will
/// carry between machines, made directly.
struct InProcessManagerLink: ManagerLink {
    let manager: ManagerServer

    func registerNode(_ node: Node) async throws {
        try await manager.registerNode(node)
    }

    func heartbeat(_ nodeID: NodeID) async throws -> Duration {
        try await manager.heartbeat(nodeID)
    }

    func allocations(forNode nodeID: NodeID, since index: UInt64, wait: Duration) async throws -> (allocations: [Allocation], index: UInt64) {
        await manager.allocations(forNode: nodeID, since: index, wait: wait)
    }

    func updateAllocations(_ updates: [ClientAllocationUpdate]) async throws {
        try await manager.updateAllocations(updates)
    }
}
