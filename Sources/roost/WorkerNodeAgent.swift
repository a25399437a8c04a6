import ClusterModel
import ClusterSecurity
import Foundation
import Gossip
import HTTP
import Platform
import RoostCLI
import SWIM
import Supervisor
import Worker

/// `roost agent -worker -data-dir DIR`: the worker of a machine that ran `roost join` with a
/// worker token. Its identity is the certificate the join stored (the node ID is the
/// certificate's, so the managers can check that a worker speaks only for itself); it talks to
/// the managers over the authenticated, encrypted worker RPC on their RPC port, is a gossip
/// member with the cluster's keyring (so a failure is noticed without waiting for heartbeats),
/// and serves its tasks' logs on its HTTP port. It runs until SIGINT or SIGTERM.
enum WorkerNodeAgent {
    static func run(_ options: AgentOptions, console: any Console) async -> Int32 {
        guard let dataDirectory = options.dataDirectory else {
            console.writeError("error: -worker needs -data-dir: the directory where `roost join` stored this node's credentials\n")
            return 1
        }
        let credentials: NodeCredentials
        do {
            guard let stored = try JoinedNodeAgent.loadCredentials(in: dataDirectory) else {
                console.writeError("""
                    error: \(dataDirectory) holds no node credentials
                    hint: join the cluster first: roost join --token ROOST-1-… MANAGER -data-dir \(dataDirectory)

                    """)
                return 1
            }
            credentials = stored
        } catch {
            console.writeError("error: cannot read the node credentials in \(dataDirectory): \(error)\n")
            return 1
        }
        let certificate = credentials.certificate.certificate
        guard certificate.role == .worker else {
            console.writeError("error: \(dataDirectory) holds the credentials of manager \"\(certificate.nodeName)\": run roost agent -server -data-dir \(dataDirectory)\n")
            return 1
        }
        let addresses = managerAddresses(options, credentials)
        guard !addresses.isEmpty else {
            console.writeError("error: no manager address to reach: the credentials list none and no client { servers = [...] } was given\n")
            return 1
        }

        let isRoot = getuid() == 0
        let fingerprint = Fingerprint.probe()
        var node = NodeFingerprinter.node(
            id: NodeID(uuid: certificate.nodeID), name: certificate.nodeName, datacenter: options.datacenter,
            meta: options.nodeMeta, fingerprint: fingerprint)
        node.attributes["roost.version"] = RoostVersion.current
        let supervisor: Supervisor
        do {
            supervisor = try Supervisor(settings: SupervisorSettings(
                dataDirectory: dataDirectory + "/worker", node: node, cgroupParent: options.cgroupParent,
                usesCgroups: isRoot && fingerprint.cgroupVersion != nil, registry: options.registrySettings))
        } catch {
            console.writeError("error: cannot start the worker: \(error)\n")
            return 1
        }

        // Containers the previous agent on this data directory left running are this agent's again.
        let reattached = await supervisor.reattach()

        let link = RemoteManagerLink(
            identity: credentials.identity, managerPolicy: credentials.policy, addresses: addresses,
            now: { ClockSource.wallNanosecondsSinceEpoch() / 1_000_000_000 })
        var router = HTTPRouter()
        // The log API takes the cluster's ACL tokens, checked with a manager.
        WorkerAPI(supervisor: supervisor, tokenCheck: WorkerTokenCheck(resolve: { secret in try await link.resolveToken(secret) }))
            .register(in: &router)
        let server = HTTPServer(settings: HTTPServerSettings(host: options.bindAddress, port: options.httpPort), handler: router.handler)
        do {
            try server.start()
        } catch {
            console.writeError("error: cannot listen on \(options.bindAddress):\(options.httpPort) for the worker's log API: \(error)\n")
            await supervisor.detach()
            return 1
        }
        node.httpAddress = server.address

        let gossip: GossipShell
        do {
            gossip = try startGossip(options, node: node, credentials: credentials, dataDirectory: dataDirectory)
        } catch {
            console.writeError("error: cannot start gossip: \(error)\n")
            await server.shutdown()
            await supervisor.detach()
            return 1
        }

        let logger = (console as? StandardConsole) ?? StandardConsole()
        let worker = WorkerAgent(
            node: node, supervisor: supervisor, link: link, reattached: reattached, log: { line in logger.writeOutput("    \(line)\n") })
        let (signals, received) = SignalWatcher.stream()
        console.writeOutput("""
            ==> Roost worker \(node.name) (node \(node.id.uuid)) starting
                   Log API address: \(server.address)
                    Gossip address: \(gossip.address)\(gossip.keyring.isEncrypted ? " (encrypted)" : " (NOT encrypted: the cluster's managers run without -encrypt)")
                          Managers: \(addresses.map(\.description).joined(separator: ", ")) (worker RPC, authenticated and encrypted)
                    Data directory: \(dataDirectory)
                        Reattached: \(reattached.count) allocation(s) whose containers the previous agent left running
                           Cgroups: \(supervisor.cgroupVersion.map { "v\($0 == .v2 ? 2 : 1)" } ?? "off (not root, or no cgroup file system): no memory limits or OOM reports")
            ==> WARNING: the log API on \(server.address) is not authenticated yet: keep it on a trusted network.

            """)
        // Registration waits for a manager to answer; the agent must stay stoppable meanwhile.
        let starting = Task { await worker.start() }
        let renewal = Task {
            await renewCertificates(credentials, link: link, dataDirectory: dataDirectory, log: { line in logger.writeOutput("    \(line)\n") })
        }
        let keyFollower = Task {
            await GossipKeyFollower.run(gossip: gossip, clusterKeys: { await link.gossipKeys }, log: { line in logger.writeOutput("    \(line)\n") })
        }
        var iterator = received.makeAsyncIterator()
        let signal = await iterator.next() ?? SIGTERM
        console.writeOutput("==> Caught signal \(signal == SIGINT ? "interrupt" : "terminate"): stopping this worker's tasks (service containers keep running for the next agent), then exiting\n")
        starting.cancel()
        keyFollower.cancel()
        renewal.cancel()
        await worker.shutDown(detachingContainers: true)
        await gossip.leave()
        if supervisor.cgroupVersion != nil, let cgroups = CgroupManager(parent: options.cgroupParent) {
            _ = cgroups.removeParentIfEmpty()
        }
        await link.close()
        await server.shutdown()
        signals.cancel()
        console.writeOutput("==> Roost worker stopped\n")
        return 0
    }

    /// Renews the node's certificate once two thirds of its life have passed (retrying every
    /// minute while no manager grants it), and stores each renewal in the credentials file, so
    /// a worker that runs for months never meets its certificate's expiry. Runs until cancelled.
    static func renewCertificates(
        _ stored: NodeCredentials, link: RemoteManagerLink, dataDirectory: String, log: @Sendable (String) -> Void
    ) async {
        var credentials = stored
        while !Task.isCancelled {
            let certificate = credentials.certificate.certificate
            let now = ClockSource.wallNanosecondsSinceEpoch() / 1_000_000_000
            let renewAt = certificate.notAfter - (certificate.notAfter - certificate.notBefore) / 3
            if now >= renewAt {
                do {
                    let renewed = try await link.renewCertificate()
                    credentials.grant.certificate = renewed
                    try NodeCredentialsStore.store(credentials, in: dataDirectory)
                    log("certificate renewed: serial \(renewed.certificate.serial), valid until \(renewed.certificate.notAfter) (Unix time)")
                    continue
                } catch {
                    log("certificate \(certificate.serial) expires at \(certificate.notAfter) and could not be renewed yet: \(error); retrying in a minute")
                    try? await Task.sleep(for: .seconds(60))
                    continue
                }
            }
            try? await Task.sleep(for: .seconds(min(3_600, max(1, renewAt - now))))
        }
    }

    /// `client { servers = [...] }` when given, otherwise the managers the join reported.
    static func managerAddresses(_ options: AgentOptions, _ credentials: NodeCredentials) -> [RemoteManagerLink.Address] {
        let texts = options.workerServers.isEmpty ? credentials.grant.managers.map(\.rpc) : options.workerServers
        return texts.compactMap { text in
            guard let address = GossipSettings.address(from: text, defaultPort: AgentOptions.defaultRaftPort) else { return nil }
            return RemoteManagerLink.Address(host: address.host, port: Int(address.port))
        }
    }

    /// A gossip member with the role "worker" and the node's ID, so the managers map its
    /// verdicts to the node; seeded with the managers' gossip addresses.
    static func startGossip(_ options: AgentOptions, node: Node, credentials: NodeCredentials, dataDirectory: String) throws -> GossipShell {
        let keys = credentials.grant.gossipKeys
        let keyring = try keys.first.map { try GossipKeyring(primary: $0, others: Array(keys.dropFirst())) } ?? GossipKeyring()
        var seeds = try DevAgentGossip.joinSeeds(options)
        if seeds.isEmpty {
            seeds = credentials.grant.managers.compactMap { GossipSettings.address(from: $0.gossip) }
        }
        let metadata = SWIMMetadata(
            nodeID: node.id.uuid, nodeName: node.name, role: "worker", rpcAddress: node.httpAddress, datacenter: node.datacenter)
        let settings = GossipSettings(
            nodeID: GossipSettings.nodeID(from: node.id.uuid), metadata: metadata, bindHost: options.bindAddress,
            port: options.serfPort ?? AgentOptions.defaultSerfPort, keyring: keyring, join: seeds, dataDirectory: dataDirectory)
        return try GossipShell.start(settings: settings)
    }
}
