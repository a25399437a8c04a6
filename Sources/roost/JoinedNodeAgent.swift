import ClusterSecurity
import Foundation
import RoostCLI

/// Where a machine that ran `roost join` starts from: the credentials it stored. The worker
/// agent's link to the remote managers (worker RPC over the authenticated channel) plugs in
/// at `runWorker`, which receives everything that link needs: the node key and certificate
/// (`credentials.identity`), the policy managers are checked with (`credentials.policy`), the
/// managers' RPC addresses and the gossip keyring.
enum JoinedNodeAgent {
    /// The credentials `roost join` stored in `directory`; nil when it holds none.
    static func loadCredentials(in directory: String) throws(NodeCredentialsError) -> NodeCredentials? {
        let path = (directory.hasSuffix("/") ? directory : directory + "/") + NodeCredentials.fileName
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try NodeCredentials(decoding: Array(data))
    }

    /// The seam for the worker agent of a joined node. Until the remote manager link exists
    /// it reports what it would connect to and fails, so nobody mistakes it for a running worker.
    static func runWorker(with credentials: NodeCredentials, options: AgentOptions, console: any Console) async -> Int32 {
        let certificate = credentials.certificate.certificate
        let managers = credentials.grant.managers.map(\.rpc).joined(separator: ", ")
        console.writeError("""
            error: this node joined as \(certificate.role) "\(certificate.nodeName)" (node ID \(certificate.nodeID)), but this
            roost cannot yet run a worker against remote managers (\(managers)): the worker link is not built yet.

            """)
        return 1
    }
}
