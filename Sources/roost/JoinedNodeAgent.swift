import ClusterSecurity
import Foundation
import Gossip
import RoostCLI

/// Where a machine that ran `roost join` starts from: the credentials it stored (the node key
/// and certificate, the CA, the gossip keyring, the managers' addresses). A worker runs from
/// them in `WorkerNodeAgent`; a manager is readied here.
enum JoinedNodeAgent {
    /// The credentials `roost join` stored in `directory`; nil when it holds none.
    static func loadCredentials(in directory: String) throws(NodeCredentialsError) -> NodeCredentials? {
        let path = (directory.hasSuffix("/") ? directory : directory + "/") + NodeCredentials.fileName
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try NodeCredentials(decoding: Array(data))
    }

    /// Readies `roost agent -server` on a machine that joined with a manager token: its Raft
    /// ID is the one its certificate names (written once, before the agent draws a random one),
    /// it finds the cluster through the managers' gossip addresses (unless -join says where)
    /// with the cluster's gossip key (unless -encrypt gives one), and it never bootstraps a
    /// cluster of its own: it waits to see a running one and asks to be added (learner, then
    /// voter).
    static func prepareManager(_ credentials: NodeCredentials, options: inout AgentOptions, serverDirectory: String, console: any Console) throws {
        let certificate = credentials.certificate.certificate
        guard certificate.role == .manager else {
            throw JoinedNodeError(
                message: "this data directory holds the credentials of worker \"\(certificate.nodeName)\": a worker cannot run -server; join with a manager token in another data directory")
        }
        guard let raw = UInt64(certificate.nodeID, radix: 16), raw != 0 else {
            throw JoinedNodeError(message: "the manager certificate names no Raft ID (node ID \(certificate.nodeID)); join again")
        }
        let idFile = serverDirectory + "/raft-id"
        if !FileManager.default.fileExists(atPath: idFile) {
            try (String(raw, radix: 16) + "\n").write(toFile: idFile, atomically: true, encoding: .utf8)
        }
        if options.join.isEmpty { options.join = credentials.grant.managers.map(\.gossip).filter { !$0.isEmpty } }
        if options.encryptKey == nil, let primary = credentials.grant.gossipKeys.first { options.encryptKey = GossipKeyring.encodeKey(primary) }
        options.bootstrapExpect = max(options.bootstrapExpect, credentials.grant.managers.count + 1)
        console.writeOutput("==> Joining the cluster as manager \"\(certificate.nodeName)\" (credentials from roost join; gossip seeds: \(options.join.joined(separator: ", ")))\n")
    }
}

struct JoinedNodeError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
