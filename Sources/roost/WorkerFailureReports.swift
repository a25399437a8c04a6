import ClusterModel
import Gossip
import Manager
import SWIM

/// Passes gossip's verdicts about workers to the manager, which acts on them only when it
/// leads and only after the grace period (DESIGN §1: liveness from gossip, authority from Raft).
/// Every manager listens, so that a new leader already knows which workers gossip holds failed.
enum WorkerFailureReports {
    /// Runs until the gossip shell stops (its event stream ends) or the task is cancelled.
    static func forward(from gossip: GossipShell, to manager: ManagerServer) async {
        for await event in gossip.events() {
            let member = event.member
            guard member.metadata.role.split(separator: ",").contains("worker"), !member.metadata.nodeID.isEmpty else { continue }
            let node = NodeID(uuid: member.metadata.nodeID)
            switch event {
            case .failed: await manager.gossipReported(node: node, failed: true)
            case .joined, .alive: await manager.gossipReported(node: node, failed: false)
            case .suspect, .left, .updated: break
            }
        }
    }
}
