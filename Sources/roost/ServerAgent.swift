import ClusterModel
import ClusterSecurity
import Foundation
import Gossip
import HTTP
import Manager
import Platform
import Raft
import RaftRuntime
import RoostCLI
import SWIM
import Synchronization

/// `roost agent -server`: a manager whose state is replicated with Raft and kept in the data
/// directory. It is a gossip member (`-join`); on first start, once `-bootstrap-expect`
/// managers see each other through gossip they bootstrap the cluster together, and a manager
/// that finds a running cluster asks to be added to it instead. On restart it rejoins from its
/// data directory. It runs until SIGINT or SIGTERM.
enum ServerAgent {
    static func run(_ options: AgentOptions, console: any Console) async -> Int32 {
        var options = options
        guard let dataDirectory = options.dataDirectory else {
            console.writeError("error: -server needs -data-dir\n")
            return 1
        }
        guard options.raftPort != 0 else {
            console.writeError("error: -rpc-port 0 is not allowed with -server: the other managers must know where to reach this one\n")
            return 1
        }
        let serverDirectory = dataDirectory + "/server"
        let raftDirectory = serverDirectory + "/raft"
        let raftID: RaftNodeID
        var joinCredentials: NodeCredentials?
        let raftCredentials: ManagerRaftCredentials
        do {
            try FileManager.default.createDirectory(atPath: serverDirectory, withIntermediateDirectories: true)
            // A manager that joined with `roost join -server` takes its Raft ID, gossip seeds and
            // key from the credentials the join stored.
            joinCredentials = try JoinedNodeAgent.loadCredentials(in: dataDirectory)
            if let credentials = joinCredentials {
                try JoinedNodeAgent.prepareManager(credentials, options: &options, serverDirectory: serverDirectory, console: console)
            }
            raftID = try ServerIdentityFile.loadOrCreate(at: serverDirectory + "/raft-id")
            raftCredentials = try ManagerRaftCredentials(serverDirectory: serverDirectory, joinCredentials: joinCredentials)
        } catch {
            console.writeError("error: cannot use the data directory \(dataDirectory): \(error)\n")
            return 1
        }
        let hasClusterState = ServerIdentityFile.holdsRaftState(raftDirectory)
        // Data at rest: the Raft log and snapshots are sealed with this server's own key, made
        // on first start. A key missing beside existing Raft data is never replaced.
        var atRestKey: AtRestKey?
        if options.dataEncryption {
            do {
                atRestKey = try AtRestKey.loadOrCreate(at: serverDirectory + "/data.key", createIfMissing: !hasClusterState).key
            } catch {
                console.writeError("error: \(error)\n    hint: encryption at rest is turned off with -data-encryption=false (server { data_encryption = false } in a config file)\n")
                return 1
            }
        }
        let clock: @Sendable () -> Timestamp = { Timestamp(nanosecondsSinceEpoch: ClockSource.wallNanosecondsSinceEpoch()) }
        let certificateValidity = options.certificateValidity.components.seconds
        let manager = ManagerServer(
            settings: ManagerSettings(
                aclsEnabled: true, gossipFailureGrace: options.workerDownGrace, certificateValidity: certificateValidity,
                jobGarbageThreshold: options.jobGarbageThreshold,
                initialSchedulerConfiguration: options.preemptionDefaults?.schedulerConfiguration),
            clock: clock)
        await raftCredentials.adopt(into: manager)
        // The secret is written from the manager's task, so the console must be one that is safe
        // to share (the process's own streams, which is what an agent writes to).
        let announcer = (console as? StandardConsole) ?? StandardConsole()
        await manager.announceBootstrapToken { secret in
            announcer.writeOutput("""
                ==> Bootstrap management token (shown once): \(secret)
                    It is stored only as a hash and never shown again: keep it safe, and use it
                    (ROOST_TOKEN or --token) to create the team's tokens with "roost acl token create".

                """)
        }
        let name = options.nodeName ?? ProcessInfo.processInfo.hostName

        var router = HTTPRouter()
        let api = ManagerAPI(
            manager: manager,
            agentInfo: ["mode": "server", "version": RoostVersion.current, "data_dir": dataDirectory, "name": name])
        api.register(in: &router)
        api.registerJoinTokenRoutes(in: &router)
        let raftAddress = hostPort(options.bindAddress, options.raftPort)
        let gossip: GossipShell
        do {
            gossip = try ServerGossip.start(options, raftID: raftID, name: name, raftAddress: raftAddress, dataDirectory: serverDirectory)
        } catch {
            console.writeError("error: cannot start gossip: \(error)\n")
            return 1
        }
        api.register(gossip: gossip, in: &router)
        await manager.announceJoinTokens(gossipKeys: gossip.keyring.keys) { worker, manager in
            announcer.writeOutput(JoinTokenBanner.text(worker: worker, manager: manager))
        }
        let joinService = JoinService(
            manager: manager, settings: JoinServiceSettings(certificateValidity: certificateValidity), gossipKeys: { gossip.keyring.keys },
            managers: {
                ClusterFormation.managers(in: gossip).map { entry, member in
                    ManagerAddresses(name: entry.name, rpc: entry.raftAddress, http: entry.httpAddress, gossip: "\(member.address)")
                }
            },
            log: { line in announcer.writeOutput("    \(line)\n") })
        let server = HTTPServer(settings: HTTPServerSettings(host: options.bindAddress, port: options.httpPort), handler: router.handler)
        do {
            try server.start()
        } catch {
            console.writeError("error: cannot listen on \(options.bindAddress):\(options.httpPort): \(error)\n")
            await gossip.stop()
            return 1
        }
        let identity = ServerEntry(
            id: raftID, name: name, raftAddress: raftAddress, httpAddress: hostPort(options.bindAddress, server.port),
            logFormat: ServerEntry.currentLogFormat)
        var metadata = gossip.localMember.metadata
        metadata.rpcAddress = identity.httpAddress
        try? gossip.updateMetadata(metadata)
        await manager.prepareFormation(identity: identity)
        console.writeOutput("""
            ==> Roost manager \(name) (Raft ID \(raftID)) starting
                    API address: \(server.address)
                   Raft address: \(identity.raftAddress)
                 Gossip address: \(gossip.address)\(gossip.keyring.isEncrypted ? " (encrypted)" : " (NOT encrypted: give every agent the same -encrypt KEY)")
                 Data directory: \(dataDirectory)\(hasClusterState ? " (rejoining the cluster it holds)" : "")
                   Data at rest: \(atRestKey != nil ? "encrypted (key in \(serverDirectory)/data.key: back it up)" : "NOT encrypted (-data-encryption=false)")
            ==> ACLs are on: every API call needs a token (the cluster's first leader prints the bootstrap token once).
            ==> WARNING: the HTTP API is not encrypted yet: keep the API port on a trusted network. Raft between
                managers, workers' channels and joins on the RPC port are authenticated and encrypted.

            """)

        let (signals, received) = SignalWatcher.stream()
        let stopping = Mutex(false)
        let signalTask = Task {
            var iterator = received.makeAsyncIterator()
            let signal = await iterator.next() ?? SIGTERM
            stopping.withLock { $0 = true }
            return signal
        }
        // Gossip keeps the managers' addresses fresh for forwarding (the replicated list can lag
        // right after bootstrap or an address change).
        let addressWatch = Task {
            while !Task.isCancelled {
                await manager.learnServers(ClusterFormation.managers(in: gossip).map(\.entry))
                try? await Task.sleep(for: .seconds(1))
            }
        }
        let failureReports = Task { await WorkerFailureReports.forward(from: gossip, to: manager) }
        let workerChannels = WorkerChannelAcceptor(manager: manager, certificateValidity: certificateValidity, log: { line in announcer.writeOutput("    \(line)\n") })
        // The deny-list and CA the workers' channels are checked against, kept fresh so that a
        // revoked node loses its channel within seconds.
        let keyFollower = Task {
            await GossipKeyFollower.run(
                gossip: gossip, clusterKeys: { await manager.clusterIdentity?.gossipKeys },
                log: { line in announcer.writeOutput("    \(line)\n") })
        }
        let policyRefresh = Task {
            while !Task.isCancelled {
                await workerChannels.refresh()
                if let line = await raftCredentials.refresh(from: manager, validity: certificateValidity) {
                    announcer.writeOutput("    \(line)\n")
                }
                try? await Task.sleep(for: .seconds(2))
            }
        }
        var formation = ClusterFormation(options: options, gossip: gossip, identity: identity, console: console)
        formation.credentials = joinCredentials
        let outcome = await formation.run(hasClusterState: hasClusterState, isStopping: { stopping.withLock { $0 } })
        var status: Int32 = 0
        switch outcome {
        case .stopped:
            break
        case .failed(let message):
            console.writeError("error: \(message)\n")
            status = 1
        case .ready(let plan):
            if plan.bootstrapVoters == [raftID], joinCredentials == nil, !hasClusterState {
                // Founding alone: every later manager joins with a token, so none needs plain Raft.
                try? raftCredentials.markSecureOnly()
            }
            console.writeOutput(
                raftCredentials.acceptsPlain
                    ? "==> Raft channels: encrypted between managers that hold certificates, but plain Raft connections are still accepted (this cluster was founded by several managers with -bootstrap-expect): keep the RPC port on a trusted network, or found a cluster with one manager and join the others with a manager token.\n"
                    : "==> Raft channels: authenticated and encrypted only (plain Raft connections are refused).\n")
            // The leader sends its appends while its own fsync runs (as etcd does): an entry still
            // commits only once a majority has it on disk.
            let raft = RaftSettings(id: raftID, seed: UInt64.random(in: 1...UInt64.max), sendAppendsBeforePersist: true)
            var settings = RaftShellSettings(
                raft: raft, dataDirectory: raftDirectory, listenHost: options.bindAddress, listenPort: options.raftPort,
                peers: plan.peers, snapshotThreshold: options.raftSnapshotThreshold,
                entriesKeptAfterSnapshot: min(1_000, options.raftSnapshotThreshold / 2), bootstrapVoters: plan.bootstrapVoters)
            settings.atRestKey = atRestKey
            // The RPC port also answers `roost join` (and, later, workers' channels).
            settings.inboundDiversion = joinService.diversion
            settings.inboundDiversion.channelHello = { stream in workerChannels.serve(stream) }
            // One inbound connection per worker (each holds one thread while it is open), beside
            // the few Raft peers: the default of 64 let a manager trio keep only about 190 workers.
            settings.transport.maxInboundConnections = Self.maximumInboundConnections
            settings.channels = ManagerPeerChannelFactory(
                credentials: { raftCredentials.credentials }, acceptsPlain: { raftCredentials.acceptsPlain },
                now: { ClockSource.wallNanosecondsSinceEpoch() / 1_000_000_000 },
                log: { line in announcer.writeOutput("    \(line)\n") })
            do {
                try await manager.startReplicated(raft: settings, identity: identity, forwarder: HTTPLeaderForwarder(credential: { await manager.internalCredential }))
                await manager.start()
                if plan.asksToJoin {
                    await formation.askToJoin(isStopping: { stopping.withLock { $0 } })
                }
                console.writeOutput("==> Roost manager running; press Ctrl-C to stop.\n")
                _ = await signalTask.value
            } catch {
                console.writeError("error: cannot start Raft on \(identity.raftAddress): \(error)\n")
                status = 1
            }
        }
        if status == 0 { console.writeOutput("==> Caught signal: stopping the manager\n") }
        signalTask.cancel()
        addressWatch.cancel()
        failureReports.cancel()
        policyRefresh.cancel()
        keyFollower.cancel()
        await gossip.leave()
        await gossip.stop()
        await manager.shutDown()
        await server.shutdown()
        signals.cancel()
        console.writeOutput("==> Roost manager stopped\n")
        return status
    }

    /// How many workers' channels (plus Raft peers and joins) one manager holds at once.
    static let maximumInboundConnections = 4_096

    static func hostPort(_ host: String, _ port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
