import API
import HTTP

extension ManagerAPI {
    /// `POST|PUT /v1/job/:id/scale`, as in Nomad.
    func registerScaleRoutes(in router: inout HTTPRouter) {
        let api = self
        router.post("/v1/job/:id/scale") { await api.answer(.jobWrite("scaling jobs")) { try await api.scaleJob($0) }($0) }
        router.put("/v1/job/:id/scale") { await api.answer(.jobWrite("scaling jobs")) { try await api.scaleJob($0) }($0) }
    }

    func scaleJob(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = try Self.pathID(request)
        let body: JobScaleRequest
        do {
            body = try APIJSON.decode(JobScaleRequest.self, from: request.body)
        } catch {
            throw APIRequestError(.badRequest, #"the body must be {"Count": N, "Target": {"Group": "name"}}: "# + "\(error)")
        }
        guard let count = body.count else { throw APIRequestError(.badRequest, #"the body has no "Count": give the new count of the group"#) }
        let registration = try await manager.scale(namespace: Self.namespace(of: request), jobID: id, group: body.target?.group, count: count)
        let response = JobScaleResponse(
            evaluationID: registration.evaluationID?.uuid ?? "", evalCreateIndex: registration.index,
            jobModifyIndex: registration.jobModifyIndex, index: registration.index, warnings: registration.warnings.joined(separator: "; "))
        return try Self.indexed(response, index: registration.index)
    }
}
