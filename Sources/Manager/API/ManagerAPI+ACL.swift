import API
import ClusterModel
import HTTP
import StateStore

/// ACL enforcement and the token routes (`/v1/acl/...`). With ACLs on (server mode) every
/// route needs a token; the check reads this manager's own state, so it costs no Raft round
/// trip, and a follower checks before it forwards a write.
extension ManagerAPI {
    static let missingTokenMessage = "no ACL token given: set ROOST_TOKEN or --token"
    static let invalidTokenMessage = "the ACL token is not valid (unknown or deleted)"
    static let aclsDisabledMessage = "ACLs are disabled on this agent (dev mode): every call is allowed without a token"

    /// The caller when `requirement` allows the request; nil when ACLs are off or the route is
    /// the managers' own. Throws the 401 or 403 answer otherwise.
    func authorize(_ request: HTTPRequest, _ requirement: ACLRequirement) async throws(APIRequestError) -> ACLCaller? {
        guard manager.aclsEnabled else { return nil }
        if case .managersOnly = requirement.access { return nil }
        guard let secret = request.headers.aclTokenSecret else { throw APIRequestError(.unauthorized, Self.missingTokenMessage) }
        guard let token = await manager.token(forSecret: secret) else { throw APIRequestError(.unauthorized, Self.invalidTokenMessage) }
        let caller = ACLCaller(token: token)
        var namespace: String?
        if case .jobWrite(let fromBody) = requirement.access, !fromBody { namespace = Self.namespace(of: request) }
        if let message = caller.refusal(requirement.access, action: requirement.action, namespace: namespace) {
            throw APIRequestError(.forbidden, message)
        }
        return caller
    }

    /// The 401 or 403 answer when the caller may not make the request, else nil.
    func authorizationFailure(_ request: HTTPRequest, _ requirement: ACLRequirement) async -> HTTPResponse? {
        do {
            _ = try await authorize(request, requirement)
            return nil
        } catch {
            return Self.errorResponse(error)
        }
    }

    /// The caller's token headers, for a request relayed to the leader, which checks them again.
    static func copyCredentials(from source: HTTPHeaders, to headers: inout HTTPHeaders) {
        for name in ["X-Roost-Token", "X-Nomad-Token", "Authorization", ManagerAdmissionProof.certificateHeader, ManagerAdmissionProof.signatureHeader] {
            if let value = source[name] { headers.set(name, value) }
        }
    }

    /// A restore replaces the tokens with the snapshot's; one without a management token (saved
    /// from a dev agent, or before ACLs) would leave nobody able to administer the cluster.
    static func checkRestoreKeepsAManagementToken(_ snapshot: StateSnapshot, aclsEnabled: Bool) throws(APIRequestError) {
        guard aclsEnabled, !snapshot.aclTokens.contains(where: { $0.policy == .management }) else { return }
        throw APIRequestError(
            .badRequest,
            "the snapshot holds no management token (it was saved from a dev agent or before ACLs): restoring it would lock every operator out of this cluster")
    }

    func registerACLRoutes(in router: inout HTTPRouter) {
        let api = self
        let create: HTTPRouter.Handler = { await api.answer(.management("creating ACL tokens")) { try await api.createToken($0) }($0) }
        router.post("/v1/acl/token", create)
        router.put("/v1/acl/token", create)
        router.get("/v1/acl/tokens") { await api.answer(.operatorRead("listing ACL tokens")) { try await api.listTokens($0) }($0) }
        router.get("/v1/acl/token/self") { await api.answer(.anyToken("reading the token itself")) { try await api.tokenSelf($0) }($0) }
        router.delete("/v1/acl/token/:accessor") { await api.answer(.management("deleting ACL tokens")) { try await api.deleteToken($0) }($0) }
    }

    func createToken(_ request: HTTPRequest) async throws -> HTTPResponse {
        try requireACLs()
        let body: ACLTokenCreateRequest
        do {
            body = try APIJSON.decode(ACLTokenCreateRequest.self, from: request.body)
        } catch {
            throw APIRequestError(
                .badRequest,
                #"the body must be {"Name": "…", "Policy": "management" | "submit-job" | "read-only", "Namespace": "…"}"#)
        }
        let (token, secret) = try await manager.createACLToken(name: body.name, policy: body.policy, namespace: body.namespace)
        return try Self.indexed(ACLTokenStub(token, secret: secret), index: token.modifyIndex)
    }

    func listTokens(_ request: HTTPRequest) async throws -> HTTPResponse {
        try requireACLs()
        let state = try await snapshot(for: request, tables: [.aclTokens])
        return try Self.indexed(state.aclTokens().map { ACLTokenStub($0) }, index: state.index(of: .aclTokens))
    }

    func tokenSelf(_ request: HTTPRequest) async throws -> HTTPResponse {
        try requireACLs()
        guard let caller = ACLCaller.current else { throw APIRequestError(.unauthorized, Self.missingTokenMessage) }
        return try Self.indexed(ACLTokenStub(caller.token), index: caller.token.modifyIndex)
    }

    func deleteToken(_ request: HTTPRequest) async throws -> HTTPResponse {
        try requireACLs()
        guard let accessor = request.pathParameters["accessor"], !accessor.isEmpty else {
            throw APIRequestError(.badRequest, "the path needs a token's accessor ID")
        }
        let (deleted, index) = try await manager.deleteACLToken(accessor)
        return try Self.indexed(ACLTokenStub(deleted), index: index)
    }

    private func requireACLs() throws(APIRequestError) {
        guard manager.aclsEnabled else { throw APIRequestError(.badRequest, Self.aclsDisabledMessage) }
    }
}
