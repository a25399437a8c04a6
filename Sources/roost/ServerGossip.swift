import Gossip
import Raft
import RoostCLI
import SWIM

/// Starts a manager's gossip member: its metadata says it is a manager, where its API
/// (`rpcAddress`) and Raft (`raft` tag) listen, so other managers find it (`ClusterFormation`).
enum ServerGossip {
    static func start(_ options: AgentOptions, raftID: RaftNodeID, name: String, raftAddress: String, dataDirectory: String) throws -> GossipShell {
        // Without -encrypt the managers' gossip is plaintext (the banner says so): managers that
        // each drew their own key could not understand each other.
        let keyring = try options.encryptKey.map { try GossipKeyring(primary: GossipKeyring.decodeKey($0)) } ?? GossipKeyring()
        let metadata = SWIMMetadata(
            nodeID: raftID.description, nodeName: name, role: ClusterFormation.managerRole, rpcAddress: "",
            datacenter: options.datacenter, tags: [ClusterFormation.Tag.raft: raftAddress])
        let settings = GossipSettings(
            nodeID: GossipSettings.nodeID(from: "manager:" + raftID.description), metadata: metadata, bindHost: options.bindAddress,
            port: options.serfPort ?? AgentOptions.defaultSerfPort, keyring: keyring, join: try DevAgentGossip.joinSeeds(options),
            dataDirectory: dataDirectory)
        return try GossipShell.start(settings: settings)
    }
}
