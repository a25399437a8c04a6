import ClusterSecurity
import HTTP

/// `GET /v1/cluster/join-token/{worker|manager}` shows the role's current join token;
/// `POST …?rotate=true` replaces it first (the old one is refused from then on; nodes that
/// joined with it are unaffected). Management tokens only: a join token makes new members.
extension ManagerAPI {
    /// The answer of both routes: `{"Role": "worker", "Token": "ROOST-1-…", "Generation": 2}`.
    struct JoinTokenResponse: Codable, Sendable {
        var role: String
        var token: String
        /// How many tokens this role has had (1 until the first rotation).
        var generation: UInt64
    }

    /// Registered by server agents only: a dev agent has no cluster identity.
    public func registerJoinTokenRoutes(in router: inout HTTPRouter) {
        let api = self
        router.get("/v1/cluster/join-token/:role") { await api.answer(.management("reading join tokens")) { try await api.joinToken($0, rotate: false) }($0) }
        router.post("/v1/cluster/join-token/:role") {
            await api.answer(.management("rotating join tokens")) { request in
                guard request.queryValue("rotate") == "true" else {
                    throw APIRequestError(.badRequest, "POST rotates the token and needs ?rotate=true; to read the current token use GET")
                }
                return try await api.joinToken(request, rotate: true)
            }($0)
        }
    }

    func joinToken(_ request: HTTPRequest, rotate: Bool) async throws -> HTTPResponse {
        let text = request.pathParameters["role"] ?? ""
        guard let role = NodeRole.allCases.first(where: { $0.description == text }) else {
            throw APIRequestError(.badRequest, "unknown role \"\(text)\" in the path: use /v1/cluster/join-token/worker or /v1/cluster/join-token/manager")
        }
        let (token, generation) = try await manager.joinToken(for: role, rotate: rotate)
        return try Self.indexed(JoinTokenResponse(role: role.description, token: token.description, generation: generation), index: 0)
    }
}
