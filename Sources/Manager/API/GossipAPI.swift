import API
import Gossip
import HTTP
import SWIM

/// The agent's gossip routes: the member list (`/v1/agent/members`, Nomad's path and shape)
/// and the gossip keyring (`/v1/operator/keyring`). Keyring changes apply to this agent only:
/// rotating a cluster's key means calling every agent (install, then use, then remove).
public struct GossipAPI: Sendable {
    let gossip: GossipShell

    public init(gossip: GossipShell) {
        self.gossip = gossip
    }

    /// Adds the routes unguarded (dev mode, which has no ACLs).
    public func register(in router: inout HTTPRouter) {
        register(in: &router) { _, handler in handler }
    }

    /// Adds the routes, each wrapped by `guarded` with what it needs: the member list is a
    /// cluster read; the keyring (its keys included) is the management policy's.
    func register(
        in router: inout HTTPRouter, guarded: (ACLRequirement, @escaping HTTPRouter.Handler) -> HTTPRouter.Handler
    ) {
        let api = self
        router.get("/v1/agent/members", guarded(.clusterRead("listing the gossip members")) { _ in api.members() })
        router.get("/v1/operator/keyring", guarded(.management("reading the gossip keyring")) { _ in api.keyring() })
        for action in ["install", "use", "remove"] {
            let change = guarded(.management("changing the gossip keyring")) { api.changeKeyring(action, $0) }
            router.put("/v1/operator/keyring/\(action)", change)
            router.post("/v1/operator/keyring/\(action)", change)
        }
    }

    func members() -> HTTPResponse {
        let local = gossip.localMember
        let rows = ([local] + gossip.members).map(Self.row)
        return json(AgentMembersResponse(serverName: local.metadata.nodeName, members: rows))
    }

    static func row(_ member: SWIMMember) -> AgentMember {
        var tags = member.metadata.tags
        tags["role"] = member.metadata.role
        tags["dc"] = member.metadata.datacenter
        tags["id"] = member.metadata.nodeID
        tags["rpc_addr"] = member.metadata.rpcAddress
        return AgentMember(
            name: member.metadata.nodeName.isEmpty ? member.id.description : member.metadata.nodeName,
            addr: member.address.host, port: Int(member.address.port), status: member.status.description,
            tags: tags, incarnation: member.incarnation)
    }

    func keyring() -> HTTPResponse {
        let keyring = gossip.keyring
        return json(GossipKeyringResponse(keys: keyring.encodedKeys, primaryKey: keyring.primaryKey.map(GossipKeyring.encodeKey) ?? ""))
    }

    func changeKeyring(_ action: String, _ request: HTTPRequest) -> HTTPResponse {
        guard let body = try? APIJSON.decode(GossipKeyRequest.self, from: request.body) else {
            return ManagerAPI.errorResponse(.badRequest, "the body must be {\"Key\": \"<base64 key>\"}")
        }
        do {
            let key = try GossipKeyring.decodeKey(body.key)
            switch action {
            case "install": try gossip.installKey(key)
            case "use": try gossip.useKey(key)
            default: try gossip.removeKey(key)
            }
        } catch let error as GossipKeyringError {
            return ManagerAPI.errorResponse(.badRequest, error.description)
        } catch GossipError.keyring(let error) {
            return ManagerAPI.errorResponse(.badRequest, error.description)
        } catch {
            return ManagerAPI.errorResponse(.badRequest, "\(error)")
        }
        return keyring()
    }

    private func json(_ value: some Encodable) -> HTTPResponse {
        guard let bytes = try? APIJSON.encode(value) else {
            return ManagerAPI.errorResponse(.internalServerError, "cannot encode the answer")
        }
        return HTTPResponse(headers: ["Content-Type": "application/json"], body: bytes)
    }
}
