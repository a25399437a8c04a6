import Foundation
import HTTP
import Manager
import Raft
import RaftRuntime
import RoostCLI

/// How a first-time manager finds its cluster: it greets every `-join` address (and answers
/// the greetings of others) until `-bootstrap-expect` managers know each other, then all of
/// them bootstrap with the same founding voters. If a greeting comes back from a running
/// cluster it does not belong to, it asks that cluster to add it instead.
struct ClusterFormation {
    let options: AgentOptions
    let manager: ManagerServer
    let identity: ServerEntry
    let console: any Console

    struct Plan {
        var bootstrapVoters: Set<RaftNodeID>?
        var peers: [RaftNodeID: PeerAddress]
        /// A manager of the running cluster to ask for admission, once Raft runs here.
        var joinThrough: String?
    }

    enum Outcome {
        case ready(Plan)
        case failed(String)
        case stopped
    }

    func run(hasClusterState: Bool, isStopping: @Sendable () -> Bool) async -> Outcome {
        if hasClusterState {
            // The log holds the configuration and the server list; nothing to decide.
            return .ready(Plan(bootstrapVoters: nil, peers: [:], joinThrough: nil))
        }
        if options.bootstrapExpect == 1, options.join.isEmpty {
            await manager.recordBootstrap(voters: [identity.id])
            return .ready(Plan(bootstrapVoters: [identity.id], peers: [:], joinThrough: nil))
        }
        let clients = options.join.compactMap { address -> (String, HTTPClient)? in
            let full = Self.withDefaultPort(address)
            return (try? HTTPClient(address: full, settings: HTTPClientSettings(connectTimeout: .seconds(1), readTimeout: .seconds(5), serviceName: "manager \(full)", unreachableHint: nil)))
                .map { (full, $0) }
        }
        guard clients.count == options.join.count else { return .failed("a -join address is not usable: \(options.join)") }
        var lastReport = ContinuousClock.now - .seconds(10)
        while !isStopping() {
            for (address, client) in clients {
                guard let greeting = await manager.greeting(),
                      let body = try? JSONEncoder().encode(greeting),
                      let response = try? await client.send(.post, "/v1/internal/raft/hello", headers: ["Content-Type": "application/json"], body: Array(body)),
                      response.status.code == 200,
                      let answer = try? JSONDecoder().decode(ServerGreeting.self, from: Data(response.body))
                else { continue }
                await manager.learn(answer)
                if answer.hasCluster {
                    let peers = Self.peers(of: await manager.knownServers)
                    if let voters = answer.bootstrapVoters, voters.contains(identity.id) {
                        // A peer bootstrapped first with this manager among the founders: use the same set.
                        await manager.recordBootstrap(voters: voters)
                        return .ready(Plan(bootstrapVoters: Set(voters), peers: peers, joinThrough: nil))
                    }
                    return .ready(Plan(bootstrapVoters: nil, peers: peers, joinThrough: address))
                }
            }
            let known = await manager.knownServers
            if known.count == options.bootstrapExpect {
                let voters = known.map(\.id)
                await manager.recordBootstrap(voters: voters)
                console.writeOutput("==> \(known.count) managers know each other (\(known.map(\.name).joined(separator: ", "))): bootstrapping the cluster\n")
                return .ready(Plan(bootstrapVoters: Set(voters), peers: Self.peers(of: known), joinThrough: nil))
            }
            if known.count > options.bootstrapExpect {
                return .failed(
                    "found \(known.count) managers (\(known.map(\.name).joined(separator: ", "))) but -bootstrap-expect is \(options.bootstrapExpect): give every manager the same -bootstrap-expect")
            }
            if ContinuousClock.now - lastReport > .seconds(5) {
                lastReport = .now
                console.writeOutput("==> waiting for \(options.bootstrapExpect - known.count) more manager(s) to bootstrap (-bootstrap-expect \(options.bootstrapExpect)); know: \(known.map(\.name).joined(separator: ", "))\n")
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return .stopped
    }

    /// Asks the running cluster (through any of its managers, which relays to the leader) to add
    /// this manager; retried until it succeeds or the agent stops.
    static func askToJoin(through address: String, identity: ServerEntry, console: any Console, isStopping: @Sendable () -> Bool) async {
        guard let client = try? HTTPClient(address: address, settings: HTTPClientSettings(readTimeout: .seconds(150), serviceName: "manager \(address)", unreachableHint: nil)),
              let body = try? JSONEncoder().encode(identity)
        else { return }
        console.writeOutput("==> asking the running cluster (through \(address)) to add this manager\n")
        while !isStopping() {
            if let response = try? await client.send(.post, "/v1/internal/raft/join", headers: ["Content-Type": "application/json"], body: Array(body)) {
                if response.status.code == 200 {
                    console.writeOutput("==> added to the cluster as a voter\n")
                    return
                }
                console.writeError("==> the cluster did not add this manager yet: \(String(decoding: response.body, as: UTF8.self))\n")
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    static func peers(of servers: [ServerEntry]) -> [RaftNodeID: PeerAddress] {
        var peers: [RaftNodeID: PeerAddress] = [:]
        for server in servers { peers[server.id] = PeerAddress(parsing: server.raftAddress) }
        return peers
    }

    static func withDefaultPort(_ address: String) -> String {
        var rest = Substring(address)
        if rest.hasPrefix("http://") { rest = rest.dropFirst(7) }
        let hasPort = rest.hasPrefix("[") ? rest.contains("]:") : rest.contains(":")
        return "http://" + rest + (hasPort ? "" : ":\(AgentOptions.defaultHTTPPort)")
    }
}
