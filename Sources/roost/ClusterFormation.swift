import ClusterSecurity
import Foundation
import Gossip
import HTTP
import Manager
import Raft
import RaftRuntime
import RoostCLI
import SWIM

/// How a first-time manager finds its cluster, through gossip: every manager is a member whose
/// metadata says it is one and where its Raft and API listen. Once `-bootstrap-expect`
/// managers see each other, all of them bootstrap Raft with the same founding voters (the
/// managers they all see). A manager that finds a running cluster (a member whose tags say it
/// holds one) asks that cluster to add it instead.
struct ClusterFormation {
    let options: AgentOptions
    let gossip: GossipShell
    let identity: ServerEntry
    let console: any Console
    /// What `roost join -server` stored: proves to the cluster that this is a manager.
    var credentials: NodeCredentials? = nil

    /// Gossip tags of a manager (`SWIMMetadata.tags`).
    enum Tag {
        /// Where its Raft transport listens.
        static let raft = "raft"
        /// Present once it belongs to a cluster: the founding voters it bootstrapped with
        /// (hexadecimal Raft IDs, comma-separated), or "" when it joined or restarted.
        static let cluster = "cluster"
    }
    static let managerRole = "manager"

    struct Plan {
        var bootstrapVoters: Set<RaftNodeID>?
        var peers: [RaftNodeID: PeerAddress]
        /// Whether to ask the running cluster for admission once Raft runs here.
        var asksToJoin = false
    }

    enum Outcome {
        case ready(Plan)
        case failed(String)
        case stopped
    }

    /// The managers gossip knows as alive, this one included.
    static func managers(in gossip: GossipShell) -> [(entry: ServerEntry, member: SWIMMember)] {
        ([gossip.localMember] + gossip.members).compactMap { member in
            guard member.status == .alive, member.metadata.role == managerRole,
                  let raw = UInt64(member.metadata.nodeID, radix: 16), raw != 0, let raft = member.metadata.tags[Tag.raft]
            else { return nil }
            let entry = ServerEntry(id: RaftNodeID(raw), name: member.metadata.nodeName, raftAddress: raft, httpAddress: member.metadata.rpcAddress)
            return (entry, member)
        }
    }

    func run(hasClusterState: Bool, isStopping: @Sendable () -> Bool) async -> Outcome {
        if hasClusterState {
            // The log holds the configuration and the server list; nothing to decide.
            announce(voters: nil)
            return .ready(Plan(bootstrapVoters: nil, peers: Self.peers(of: Self.managers(in: gossip).map(\.entry))))
        }
        if options.bootstrapExpect == 1, options.join.isEmpty {
            announce(voters: [identity.id])
            return .ready(Plan(bootstrapVoters: [identity.id], peers: [:]))
        }
        var lastReport = ContinuousClock.now - .seconds(10)
        while !isStopping() {
            let managers = Self.managers(in: gossip)
            let peers = Self.peers(of: managers.map(\.entry))
            for (entry, member) in managers where entry.id != identity.id {
                guard let cluster = member.metadata.tags[Tag.cluster] else { continue }
                let voters = cluster.split(separator: ",").compactMap { UInt64($0, radix: 16).map { RaftNodeID($0) } }
                if voters.contains(identity.id) {
                    // A peer bootstrapped first with this manager among the founders: use the same set.
                    announce(voters: voters)
                    return .ready(Plan(bootstrapVoters: Set(voters), peers: peers))
                }
                announce(voters: nil)
                return .ready(Plan(bootstrapVoters: nil, peers: peers, asksToJoin: true))
            }
            if managers.count == options.bootstrapExpect {
                let voters = managers.map(\.entry.id).sorted()
                announce(voters: voters)
                console.writeOutput("==> \(managers.count) managers see each other (\(managers.map(\.entry.name).sorted().joined(separator: ", "))): bootstrapping the cluster\n")
                return .ready(Plan(bootstrapVoters: Set(voters), peers: peers))
            }
            if managers.count > options.bootstrapExpect {
                return .failed(
                    "found \(managers.count) managers (\(managers.map(\.entry.name).sorted().joined(separator: ", "))) but -bootstrap-expect is \(options.bootstrapExpect): give every manager the same -bootstrap-expect")
            }
            if ContinuousClock.now - lastReport > .seconds(5) {
                lastReport = .now
                console.writeOutput("==> waiting for \(options.bootstrapExpect - managers.count) more manager(s) to bootstrap (-bootstrap-expect \(options.bootstrapExpect)); see: \(managers.map(\.entry.name).sorted().joined(separator: ", "))\n")
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return .stopped
    }

    /// Tells the other managers, through this member's gossip tags, that it belongs to a
    /// cluster (and, as a founder, with which voters), so a slower founder bootstraps with the
    /// same set and a newcomer asks to join instead.
    private func announce(voters: [RaftNodeID]?) {
        var metadata = gossip.localMember.metadata
        metadata.tags[Tag.cluster] = voters.map { $0.sorted().map(\.description).joined(separator: ",") } ?? ""
        try? gossip.updateMetadata(metadata)
    }

    /// Asks the running cluster to add this manager, through each of its managers that gossip
    /// shows alive in turn (any of them relays to the leader; one that died since gossip last
    /// heard of it is simply skipped); retried until it succeeds or the agent stops.
    func askToJoin(isStopping: @Sendable () -> Bool) async {
        guard let body = try? JSONEncoder().encode(identity) else { return }
        console.writeOutput("==> asking the running cluster to add this manager\n")
        var attempt = 0
        while !isStopping() {
            let contacts = Self.managers(in: gossip)
                .filter { $0.entry.id != identity.id && $0.member.metadata.tags[Tag.cluster] != nil }
                .map(\.entry.httpAddress)
            if !contacts.isEmpty {
                let address = contacts[attempt % contacts.count]
                attempt += 1
                if let client = try? HTTPClient(address: address, settings: HTTPClientSettings(connectTimeout: .seconds(2), readTimeout: .seconds(150), serviceName: "manager \(address)", unreachableHint: nil)),
                   let response = try? await client.send(.post, "/v1/internal/raft/join", headers: joinHeaders(for: Array(body)), body: Array(body)) {
                    if response.status.code == 200 {
                        console.writeOutput("==> added to the cluster as a voter (through \(address))\n")
                        return
                    }
                    console.writeError("==> \(address) did not add this manager yet: \(String(decoding: response.body, as: UTF8.self))\n")
                }
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    private func joinHeaders(for body: [UInt8]) -> HTTPHeaders {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let credentials {
            for (name, value) in ManagerAdmissionProof.headers(for: body, credentials: credentials) { headers.set(name, value) }
        }
        return headers
    }

    static func peers(of servers: [ServerEntry]) -> [RaftNodeID: PeerAddress] {
        var peers: [RaftNodeID: PeerAddress] = [:]
        for server in servers { peers[server.id] = PeerAddress(parsing: server.raftAddress) }
        return peers
    }
}
