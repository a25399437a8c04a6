import ClusterModel
import API
import Gossip
import Foundation
import HTTP
import Raft
import StateStore

/// The managers' own routes: forwarded writes between managers, and `roost operator`'s Raft
/// and snapshot calls (Nomad's `/v1/operator/...` paths).
extension ManagerAPI {
    func registerOperatorRoutes(in router: inout HTTPRouter) {
        let api = self
        router.post("/v1/internal/apply") { await api.fromManager($0) { await api.applyForwarded($0) } }
        router.post("/v1/internal/heartbeat") { await api.fromManager($0) { await api.heartbeatForwarded($0) } }
        router.post("/v1/internal/raft/join") { request in
            await api.fromAdmittedManager(request) { await api.onLeader($0, .managersOnly) { try await api.admitServer($0) } }
        }
        router.get("/v1/operator/raft/configuration") { await api.answer(.operatorRead("reading the Raft configuration")) { try await api.raftConfiguration($0) }($0) }
        router.delete("/v1/operator/raft/peer") { await api.onLeader($0, .management("removing Raft peers")) { try await api.removeRaftPeer($0) } }
        let transfer: HTTPRouter.Handler = { await api.onLeader($0, .management("transferring leadership")) { try await api.transferLeadership($0) } }
        router.put("/v1/operator/raft/transfer-leadership", transfer)
        router.post("/v1/operator/raft/transfer-leadership", transfer)
        let restore: HTTPRouter.Handler = { await api.answer(.management("restoring snapshots")) { try await api.restoreSnapshot($0) }($0) }
        router.put("/v1/operator/snapshot", restore)
        router.post("/v1/operator/snapshot", restore)
        router.get("/v1/status/leader") { await api.answer(.anyToken("reading the leader")) { try await api.statusLeader($0) }($0) }
        router.get("/v1/status/peers") { await api.answer(.anyToken("reading the peers")) { try await api.statusPeers($0) }($0) }
        // A snapshot holds every token's secret hash: management only, unlike other reads.
        router.get("/v1/operator/snapshot") { await api.answer(.management("saving snapshots")) { try await api.saveSnapshot($0) }($0) }
    }

    /// Adds the gossip routes (members, keyring) under the same ACL checks as the rest.
    public func register(gossip: GossipShell, in router: inout HTTPRouter) {
        GossipAPI(gossip: gossip).register(in: &router) { requirement, handler in
            self.answer(requirement) { request in await handler(request) }
        }
    }

    /// Runs `handler` only for a new manager that proves the cluster made it one
    /// (`ManagerAdmissionProof`).
    func fromAdmittedManager(_ request: HTTPRequest, _ handler: (HTTPRequest) async -> HTTPResponse) async -> HTTPResponse {
        guard let entry = try? JSONDecoder().decode(ServerEntry.self, from: Data(request.body)) else {
            return Self.errorResponse(.badRequest, "the joining server's entry is not readable")
        }
        let now = await manager.unixSeconds
        if let refusal = ManagerAdmissionProof.refusal(request.headers, body: request.body, entry: entry, identity: await manager.clusterIdentity, now: now) {
            return Self.errorResponse(.forbidden, refusal)
        }
        return await handler(request)
    }

    /// Runs `handler` only for a caller presenting the managers' internal credential.
    func fromManager(_ request: HTTPRequest, _ handler: (HTTPRequest) async -> HTTPResponse) async -> HTTPResponse {
        guard InternalCredential.admits(request.headers, identity: await manager.clusterIdentity) else {
            return Self.errorResponse(
                .unauthorized, "\(request.target) is for the managers only: the \(InternalCredential.header) credential is missing or wrong")
        }
        return await handler(request)
    }

    /// A worker's heartbeat a follower passed on: `{"NodeID": "…"}`.
    func heartbeatForwarded(_ request: HTTPRequest) async -> HTTPResponse {
        struct Body: Decodable { var NodeID: String }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(request.body)), !body.NodeID.isEmpty else {
            return Self.errorResponse(.badRequest, "the forwarded heartbeat must be {\"NodeID\": \"…\"}")
        }
        switch await manager.heartbeatForwarded(NodeID(uuid: body.NodeID)) {
        case .answered:
            return HTTPResponse(headers: ["Content-Type": "application/json"], body: Array("{}".utf8))
        case .notLeader:
            var response = Self.errorResponse(.serviceUnavailable, "this manager does not lead")
            response.headers.set(HTTPLeaderForwarder.notLeaderHeader, "1")
            return response
        case .unavailable(let message):
            return Self.errorResponse(.serviceUnavailable, message)
        }
    }

    /// A write another manager forwarded because this one leads (or did when it looked).
    func applyForwarded(_ request: HTTPRequest) async -> HTTPResponse {
        let command: ReplicatedCommand
        do {
            command = try JSONDecoder().decode(ReplicatedCommand.self, from: Data(request.body))
        } catch {
            return Self.errorResponse(.badRequest, "the forwarded command is not readable: \(error)")
        }
        switch await manager.applyForwarded(command) {
        case .answered(let result):
            guard let body = try? JSONEncoder().encode(result) else {
                return Self.errorResponse(.internalServerError, "cannot encode the result")
            }
            return HTTPResponse(headers: ["Content-Type": "application/json"], body: Array(body))
        case .notLeader:
            var response = Self.errorResponse(.serviceUnavailable, "this manager does not lead")
            response.headers.set(HTTPLeaderForwarder.notLeaderHeader, "1")
            return response
        case .unavailable(let message):
            return Self.errorResponse(.serviceUnavailable, message)
        }
    }

    /// Runs a leader-only operation here, or relays the request to the leader and returns its
    /// answer, so `roost operator` works against any manager.
    /// The caller's token is checked here first (so a refused request never reaches the leader)
    /// and sent along, and the leader checks it again.
    func onLeader(
        _ request: HTTPRequest, _ requirement: ACLRequirement, _ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) async -> HTTPResponse {
        if let refusal = await authorizationFailure(request, requirement) { return refusal }
        switch await manager.leaderLocation() {
        case .here:
            return await answer(requirement, handler)(request)
        case .unknown:
            return Self.errorResponse(.serviceUnavailable, "No cluster leader: a majority of the managers must be up")
        case .elsewhere(let address):
            do {
                let client = try HTTPClient(address: address, settings: HTTPClientSettings(serviceName: "the leader", unreachableHint: nil))
                var headers: HTTPHeaders = ["Content-Type": "application/json"]
                Self.copyCredentials(from: request.headers, to: &headers)
                let relayed = try await client.send(request.method, request.target, headers: headers, body: request.body)
                return HTTPResponse(status: relayed.status, headers: relayed.headers, body: relayed.body)
            } catch {
                return Self.errorResponse(.serviceUnavailable, "the leader at \(address) did not answer: \(error)")
            }
        }
    }

    func admitServer(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let entry = try? JSONDecoder().decode(ServerEntry.self, from: Data(request.body)) else {
            throw APIRequestError(.badRequest, "the joining server's entry is not readable")
        }
        try await manager.admitServer(entry)
        return HTTPResponse(status: .ok)
    }

    func raftConfiguration(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (peers, index) = try await manager.raftPeers(stale: Self.allowsStale(request))
        let servers = peers.map { peer in
            RaftServerView(id: peer.id.description, node: peer.name, address: peer.address, leader: peer.isLeader, voter: peer.isVoter)
        }
        return try Self.indexed(RaftConfigurationView(servers: servers, index: index), index: index)
    }

    /// Nomad's `GET /v1/status/leader`: the leader's Raft address as a JSON string, `""` while
    /// there is none. Answered from this manager's view, without asking the leader.
    func statusLeader(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (peers, index) = try await manager.raftPeers(stale: true)
        return try Self.indexed(peers.first(where: \.isLeader)?.address ?? "", index: index)
    }

    /// Nomad's `GET /v1/status/peers`: the voting managers' Raft addresses.
    func statusPeers(_ request: HTTPRequest) async throws -> HTTPResponse {
        let (peers, index) = try await manager.raftPeers(stale: true)
        return try Self.indexed(peers.filter(\.isVoter).map(\.address), index: index)
    }

    func removeRaftPeer(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = try Self.raftID(request.queryValue("id"), parameter: "id")
        try await manager.removeRaftPeer(id)
        return HTTPResponse(status: .ok)
    }

    func transferLeadership(_ request: HTTPRequest) async throws -> HTTPResponse {
        let target = try request.queryValue("id").map { try Self.raftID($0, parameter: "id") }
        let leader = try await manager.transferLeadership(to: target)
        return try Self.indexed(["Leader": leader.description], index: 0)
    }

    func saveSnapshot(_ request: HTTPRequest) async throws -> HTTPResponse {
        let snapshot = Self.allowsStale(request) ? await manager.snapshot().snapshot() : try await manager.stateSnapshot()
        return HTTPResponse(
            headers: ["Content-Type": "application/octet-stream", "X-Roost-Index": String(snapshot.latestIndex)],
            body: try SnapshotArchive.encode(snapshot))
    }

    func restoreSnapshot(_ request: HTTPRequest) async throws -> HTTPResponse {
        let snapshot: StateSnapshot
        do {
            snapshot = try SnapshotArchive.decode(request.body)
        } catch {
            throw APIRequestError(.badRequest, error.description)
        }
        try Self.checkRestoreKeepsAManagementToken(snapshot, aclsEnabled: manager.aclsEnabled)
        let index = try await manager.restoreState(snapshot)
        return try Self.indexed(["Index": index], index: index)
    }

    /// Raft IDs are shown (and typed) in hexadecimal, as `list-peers` prints them.
    static func raftID(_ text: String?, parameter: String) throws -> RaftNodeID {
        guard let text, !text.isEmpty else {
            throw APIRequestError(.badRequest, "the \(parameter) parameter is required: a manager's Raft ID as `roost operator raft list-peers` shows it")
        }
        guard let raw = UInt64(text, radix: 16), raw != 0 else {
            throw APIRequestError(.badRequest, "\"\(text)\" is not a Raft ID (a hexadecimal number as `roost operator raft list-peers` shows it)")
        }
        return RaftNodeID(raw)
    }
}

struct RaftConfigurationView: Encodable {
    var servers: [RaftServerView]
    var index: UInt64

    enum CodingKeys: String, CodingKey {
        case servers = "Servers", index = "Index"
    }
}

struct RaftServerView: Encodable {
    var id: String
    var node: String
    var address: String
    var leader: Bool
    var voter: Bool
    var raftProtocol = "3"

    enum CodingKeys: String, CodingKey {
        case id = "ID", node = "Node", address = "Address", leader = "Leader", voter = "Voter", raftProtocol = "RaftProtocol"
    }
}
