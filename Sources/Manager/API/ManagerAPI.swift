import API
import ClusterModel
import HTTP
import Jobspec
import StateStore

/// The manager's HTTP API under `/v1/`, with Nomad's paths and field names where Nomad has the
/// same concept, so Nomad users (and, later, Nomad's clients) find their way.
public struct ManagerAPI: Sendable {
    let manager: ManagerServer
    let agentInfo: [String: String]
    let cache = EncodedResponseCache()

    /// `agentInfo` is shown by `GET /v1/agent/self` (mode, version, addresses).
    public init(manager: ManagerServer, agentInfo: [String: String]) {
        self.manager = manager
        self.agentInfo = agentInfo
    }

    /// Adds the manager's routes to `router`.
    public func register(in router: inout HTTPRouter) {
        let api = self
        router.get("/v1/jobs") { await api.answer(.clusterRead("listing jobs")) { try await api.listJobs($0) }($0) }
        router.post("/v1/jobs") { await api.answer(.jobWriteOfBody("registering jobs")) { try await api.registerJob($0) }($0) }
        router.put("/v1/jobs") { await api.answer(.jobWriteOfBody("registering jobs")) { try await api.registerJob($0) }($0) }
        router.post("/v1/jobs/parse") { await api.answer(.jobWriteOfBody("parsing jobs")) { try await api.parseJob($0) }($0) }
        router.get("/v1/job/:id") { await api.answer(.clusterRead("reading jobs")) { try await api.readJob($0) }($0) }
        router.post("/v1/job/:id") { await api.answer(.jobWriteOfBody("registering jobs")) { try await api.registerJob($0) }($0) }
        router.put("/v1/job/:id") { await api.answer(.jobWriteOfBody("registering jobs")) { try await api.registerJob($0) }($0) }
        router.delete("/v1/job/:id") { await api.answer(.jobWrite("stopping jobs")) { try await api.stopJob($0) }($0) }
        router.get("/v1/job/:id/allocations") { await api.answer(.clusterRead("reading allocations")) { try await api.jobAllocations($0) }($0) }
        router.get("/v1/job/:id/evaluations") { await api.answer(.clusterRead("reading evaluations")) { try await api.jobEvaluations($0) }($0) }
        router.get("/v1/job/:id/summary") { await api.answer(.clusterRead("reading jobs")) { try await api.jobSummary($0) }($0) }
        router.get("/v1/job/:id/versions") { await api.answer(.clusterRead("reading jobs")) { try await api.jobVersions($0) }($0) }
        router.get("/v1/allocations") { await api.answer(.clusterRead("listing allocations")) { try await api.listAllocations($0) }($0) }
        router.get("/v1/allocation/:id") { await api.answer(.clusterRead("reading allocations")) { try await api.readAllocation($0) }($0) }
        router.get("/v1/evaluations") { await api.answer(.clusterRead("listing evaluations")) { try await api.listEvaluations($0) }($0) }
        router.get("/v1/evaluation/:id") { await api.answer(.clusterRead("reading evaluations")) { try await api.readEvaluation($0) }($0) }
        router.get("/v1/nodes") { await api.answer(.clusterRead("listing nodes")) { try await api.listNodes($0) }($0) }
        router.get("/v1/node/:id") { await api.answer(.clusterRead("reading nodes")) { try await api.readNode($0) }($0) }
        router.get("/v1/agent/self") { await api.answer(.anyToken("reading the agent")) { try await api.agentSelf($0) }($0) }
        registerNodeRoutes(in: &router)
        registerDispatchRoutes(in: &router)
        registerOperatorRoutes(in: &router)
        registerACLRoutes(in: &router)
        registerPeriodicRoutes(in: &router)
        registerScaleRoutes(in: &router)
        registerJobPlanRoutes(in: &router)
        registerDeploymentRoutes(in: &router)
        registerSystemRoutes(in: &router)
        registerSchedulerConfigurationRoutes(in: &router)
    }

    /// Checks the caller's token against what the route requires (when ACLs are on), runs the
    /// handler with the caller known (`ACLCaller.current`), and turns errors into the API's
    /// JSON error answers.
    func answer(
        _ requirement: ACLRequirement, _ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) -> @Sendable (HTTPRequest) async -> HTTPResponse {
        { request in
            do {
                let caller = try await authorize(request, requirement)
                return try await ACLCaller.$current.withValue(caller) { try await handler(request) }
            } catch let error as APIRequestError {
                return Self.errorResponse(error)
            } catch let error as ManagerError {
                switch error {
                case .invalid(let message, let diagnostics):
                    return Self.errorResponse(.badRequest, message, diagnostics: diagnostics.isEmpty ? nil : diagnostics)
                case .notFound(let message): return Self.errorResponse(.notFound, message)
                case .ambiguous(let message): return Self.errorResponse(.badRequest, message)
                case .unavailable(let message): return Self.errorResponse(.serviceUnavailable, message)
                }
            } catch {
                return Self.errorResponse(.internalServerError, "\(error)")
            }
        }
    }

    /// A 401 also names the scheme a client should use (`WWW-Authenticate: Bearer`).
    static func errorResponse(_ error: APIRequestError) -> HTTPResponse {
        var response = errorResponse(error.status, error.message, diagnostics: error.diagnostics)
        if error.status == .unauthorized { response.headers.set("WWW-Authenticate", "Bearer") }
        return response
    }

    static func errorResponse(_ status: HTTPStatus, _ message: String, diagnostics: [String]? = nil) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: ["Content-Type": "application/json"],
            body: APIErrorBody(code: status.code, message: message, diagnostics: diagnostics).encoded())
    }

    /// A JSON answer with the index the data reflects, for the next blocking query.
    static func indexed(_ value: some Encodable, index: UInt64) throws -> HTTPResponse {
        let bytes: [UInt8] = try APIJSON.encode(value)
        return HTTPResponse(
            headers: ["Content-Type": "application/json", "X-Roost-Index": String(index), "X-Nomad-Index": String(index)],
            body: bytes)
    }

    /// Like `indexed`, but reuses the encoding of an identical earlier request at the same
    /// index. `key` must capture everything the answer depends on besides the index.
    func cachedIndexed(_ key: String, index: UInt64, _ value: () throws -> some Encodable) throws -> HTTPResponse {
        let bytes = try cache.bytes(for: key, index: index) { try APIJSON.encode(try value()) }
        return HTTPResponse(
            headers: ["Content-Type": "application/json", "X-Roost-Index": String(index), "X-Nomad-Index": String(index)],
            body: bytes)
    }

    /// JSON text made elsewhere (Nomad's job shape), sent as it is.
    static func jsonText(_ text: String, index: UInt64? = nil) -> HTTPResponse {
        var headers: HTTPHeaders = ["Content-Type": "application/json"]
        if let index {
            headers.set("X-Roost-Index", String(index))
            headers.set("X-Nomad-Index", String(index))
        }
        return HTTPResponse(headers: headers, body: Array(text.utf8))
    }

    /// The snapshot a list endpoint answers from: at once, or after a change of `tables` when the
    /// request is a blocking query.
    func snapshot(for request: HTTPRequest, tables: Set<StateTable>) async throws -> StateStore {
        let state = try await consistentState(for: request)
        if let query = try BlockingQuery(request) {
            return await manager.snapshot(afterChangeOf: tables, since: query.index, wait: query.wait)
        }
        return state
    }

    /// Reads are linearizable (they include every write acknowledged before them, whichever
    /// manager answers) unless the request says `?stale`, as in Nomad: then this manager's own
    /// copy answers, faster and even without a leader, perhaps slightly behind.
    func consistentState(for request: HTTPRequest) async throws -> StateStore {
        try await manager.snapshot(stale: Self.allowsStale(request))
    }

    static func allowsStale(_ request: HTTPRequest) -> Bool {
        guard let value = request.queryValue("stale") else { return false }
        return value.isEmpty || value == "true" || value == "1"
    }

    static func namespace(of request: HTTPRequest) -> String {
        request.queryValue("namespace").flatMap { $0.isEmpty ? nil : $0 } ?? JobSpec.defaultNamespace
    }

    static func pathID(_ request: HTTPRequest) throws -> String {
        guard let id = request.pathParameters["id"], !id.isEmpty else {
            throw APIRequestError(.badRequest, "the path needs an ID")
        }
        return id
    }
}
