import ClusterModel
import Foundation
import Gossip
import HTTP
import Manager
import Platform
import RoostCLI
import Supervisor
import Worker

/// `roost agent -dev`: one process that is a whole cluster — the HTTP API, a manager and a
/// worker — with throwaway state. It runs until SIGINT or SIGTERM, then stops every task it
/// started (and removes their cgroups) before it exits, so Ctrl-C leaves nothing behind.
enum DevAgent {
    static func run(_ options: AgentOptions, console: any Console) async -> Int32 {
        let ownsDataDirectory = options.dataDirectory == nil
        let dataDirectory: String
        do {
            dataDirectory = try options.dataDirectory ?? makeTemporaryDirectory()
        } catch {
            console.writeError("error: cannot create a data directory: \(error)\n")
            return 1
        }
        defer { if ownsDataDirectory { try? FileManager.default.removeItem(atPath: dataDirectory) } }

        let clock: @Sendable () -> Timestamp = { Timestamp(nanosecondsSinceEpoch: ClockSource.wallNanosecondsSinceEpoch()) }
        let isRoot = getuid() == 0
        let fingerprint = Fingerprint.probe()
        var random = SystemRandomNumberGenerator()
        let manager = ManagerServer(settings: ManagerSettings(
                jobGarbageThreshold: options.jobGarbageThreshold, initialSchedulerConfiguration: options.preemptionDefaults?.schedulerConfiguration), clock: clock)

        let supervisor: Supervisor
        var node = NodeFingerprinter.node(
            id: .random(using: &random), name: options.nodeName, datacenter: options.datacenter, fingerprint: fingerprint)
        node.attributes["roost.version"] = RoostVersion.current
        do {
            supervisor = try Supervisor(
                settings: SupervisorSettings(
                    dataDirectory: dataDirectory, node: node, cgroupParent: options.cgroupParent,
                    usesCgroups: isRoot && fingerprint.cgroupVersion != nil, registry: options.registrySettings))
        } catch {
            console.writeError("error: cannot start the worker: \(error)\n")
            return 1
        }

        let gossip: GossipShell
        do {
            gossip = try DevAgentGossip.start(options, node: node, dataDirectory: dataDirectory)
        } catch {
            console.writeError("error: cannot start gossip: \(error)\n")
            await supervisor.shutdown()
            return 1
        }

        var router = HTTPRouter()
        ManagerAPI(
            manager: manager,
            agentInfo: ["mode": "dev", "version": RoostVersion.current, "data_dir": dataDirectory, "node_id": node.id.uuid]
        ).register(in: &router)
        WorkerAPI(supervisor: supervisor).register(in: &router)
        GossipAPI(gossip: gossip).register(in: &router)
        let server = HTTPServer(settings: HTTPServerSettings(host: options.bindAddress, port: options.httpPort), handler: router.handler)
        do {
            try server.start()
        } catch {
            console.writeError("error: cannot listen on \(options.bindAddress):\(options.httpPort): \(error)\n")
            if options.httpPort == AgentOptions.defaultHTTPPort {
                console.writeError("hint: another agent may be running; stop it, or pick another port with -http-port\n")
            }
            await gossip.stop()
            await supervisor.shutdown()
            return 1
        }
        node.httpAddress = server.address
        var gossipMetadata = gossip.localMember.metadata
        gossipMetadata.rpcAddress = server.address
        try? gossip.updateMetadata(gossipMetadata)
        let worker = WorkerAgent(node: node, supervisor: supervisor, link: InProcessManagerLink(manager: manager))
        let (signals, received) = SignalWatcher.stream()

        // Dev mode keeps no state, so its manager does not know containers a previous dev agent
        // on this data directory left behind (it was killed): they are taken over and stopped.
        let leftover = await supervisor.reattach()
        for id in leftover { await supervisor.stop(id) }
        if !leftover.isEmpty {
            console.writeOutput("==> Stopping \(leftover.count) allocation(s) of containers a previous dev agent left running (dev mode keeps no state)\n")
        }
        await manager.start()
        await worker.start()
        console.writeOutput("""
            ==> Roost agent started in dev mode
                    API address: \(server.address)
                      Node name: \(node.name) (\(node.id.short))
                 Gossip address: \(gossip.address) (encrypted)
                 Data directory: \(dataDirectory)\(ownsDataDirectory ? " (removed on exit)" : "")
                        Cgroups: \(supervisor.cgroupVersion.map { "v\($0 == .v2 ? 2 : 1)" } ?? "off (not root): no memory limits or OOM reports")
            ==> WARNING: dev mode has no ACLs and keeps no state: anyone who can reach \(server.address) can run commands as \(isRoot ? "root" : "this user").
            ==> Set ROOST_ADDR=\(server.address) for other commands, and press Ctrl-C to stop.

            """)

        var iterator = received.makeAsyncIterator()
        let signal = await iterator.next() ?? SIGTERM
        console.writeOutput("==> Caught signal \(signal == SIGINT ? "interrupt" : "terminate"): stopping every task, then exiting\n")
        // A second Ctrl-C is not needed and would be ignored: shutdown is bounded by kill timeouts.
        await worker.shutDown()
        await gossip.leave()
        // The tasks' cgroups are gone; the agent's own parent goes too, so nothing is left.
        if supervisor.cgroupVersion != nil, let cgroups = CgroupManager(parent: options.cgroupParent) {
            _ = cgroups.removeParentIfEmpty()
        }
        await manager.shutDown()
        await server.shutdown()
        signals.cancel()
        console.writeOutput("==> Roost agent stopped\n")
        return 0
    }

    private static func makeTemporaryDirectory() throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("roost-dev-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        return base.path
    }
}
