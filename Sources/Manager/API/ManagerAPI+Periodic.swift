import API
import ClusterModel
import HTTP

/// Nomad's answer to a periodic force: the evaluation that will place the new child.
struct PeriodicForceResponse: Sendable, Hashable, Codable {
    /// `EvalID` in the API.
    var evaluationID: String
    var evalCreateIndex: UInt64
    var index: UInt64
}

extension ManagerAPI {
    /// `POST /v1/job/:id/periodic/force`, as in Nomad.
    func registerPeriodicRoutes(in router: inout HTTPRouter) {
        let api = self
        router.post("/v1/job/:id/periodic/force") {
            await api.answer(.jobWrite("forcing periodic jobs")) { try await api.forcePeriodicJob($0) }($0)
        }
        router.put("/v1/job/:id/periodic/force") {
            await api.answer(.jobWrite("forcing periodic jobs")) { try await api.forcePeriodicJob($0) }($0)
        }
    }

    func forcePeriodicJob(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = try Self.pathID(request)
        let registration = try await manager.forcePeriodicLaunch(namespace: Self.namespace(of: request), jobID: id)
        let response = PeriodicForceResponse(
            evaluationID: registration.evaluationID?.uuid ?? "", evalCreateIndex: registration.index, index: registration.index)
        return try Self.indexed(response, index: registration.index)
    }
}
