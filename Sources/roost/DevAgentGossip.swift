import ClusterModel
import Gossip
import RoostCLI
import SWIM

/// Starts the dev agent's gossip member: its keyring from -encrypt (or a fresh key), its
/// address from -bind and -serf-port, its metadata from the node.
enum DevAgentGossip {
    static func start(_ options: AgentOptions, node: Node, dataDirectory: String) throws -> GossipShell {
        let keyring: GossipKeyring
        if let text = options.encryptKey {
            keyring = try GossipKeyring(primary: GossipKeyring.decodeKey(text))
        } else {
            keyring = .generated()
        }
        let seeds = try joinSeeds(options)
        let metadata = SWIMMetadata(
            nodeID: node.id.uuid, nodeName: node.name, role: "manager,worker", rpcAddress: node.httpAddress,
            datacenter: node.datacenter)
        var settings = GossipSettings(
            nodeID: GossipSettings.nodeID(from: node.id.uuid), metadata: metadata, bindHost: options.bindAddress,
            port: options.serfPort ?? AgentOptions.defaultSerfPort, keyring: keyring, join: seeds,
            dataDirectory: dataDirectory)
        do {
            return try GossipShell.start(settings: settings)
        } catch {
            // Dev mode is for one machine: when another agent holds 4648, take any free port.
            guard options.serfPort == nil, case .socket = error else { throw error }
            settings.port = 0
            return try GossipShell.start(settings: settings)
        }
    }

    /// `-join` addresses as gossip seeds (port 4648 when left out).
    static func joinSeeds(_ options: AgentOptions) throws -> [SWIMAddress] {
        try options.join.map { text in
            guard let address = GossipSettings.address(from: text) else {
                throw GossipError.invalidSettings("-join \(text) is not host[:port]")
            }
            return address
        }
    }
}
