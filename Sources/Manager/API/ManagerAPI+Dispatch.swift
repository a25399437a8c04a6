import API
import ClusterModel
import Foundation
import HTTP

extension ManagerAPI {
    func registerDispatchRoutes(in router: inout HTTPRouter) {
        let api = self
        router.post("/v1/job/:id/dispatch") { await api.answer(.jobWrite("dispatching jobs")) { try await api.dispatchJob($0) }($0) }
        router.put("/v1/job/:id/dispatch") { await api.answer(.jobWrite("dispatching jobs")) { try await api.dispatchJob($0) }($0) }
    }

    /// `POST /v1/job/:id/dispatch` with `{"Payload": "<base64>", "Meta": {…}, "IdPrefixTemplate": "…"}`
    /// (every field optional; an empty body dispatches with neither payload nor meta).
    func dispatchJob(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = try Self.pathID(request)
        let body = try Self.dispatchBody(request.body)
        var payload: [UInt8] = []
        if let encoded = body.payload, !encoded.isEmpty {
            guard let data = Data(base64Encoded: encoded) else {
                throw APIRequestError(.badRequest, "Payload: expected the payload as base64 (standard alphabet, with padding)")
            }
            payload = Array(data)
        }
        let dispatch = try await manager.dispatch(DispatchRequest(
            namespace: Self.namespace(of: request), jobID: id, payload: payload, meta: body.meta ?? [:],
            idPrefixTemplate: body.idPrefixTemplate ?? ""))
        let response = JobDispatchResponse(
            dispatchedJobID: dispatch.jobID, evaluationID: dispatch.evaluationID.uuid, evalCreateIndex: dispatch.index,
            jobCreateIndex: dispatch.index, index: dispatch.index)
        return try Self.indexed(response, index: dispatch.index)
    }

    static func dispatchBody(_ bytes: [UInt8]) throws -> JobDispatchRequest {
        guard !bytes.isEmpty else { return JobDispatchRequest() }
        do {
            return try APIJSON.decode(JobDispatchRequest.self, from: bytes)
        } catch {
            throw APIRequestError(
                .badRequest,
                #"the body must be {"Payload": "<base64>", "Meta": {"key": "value"}, "IdPrefixTemplate": "word"} (every field optional; meta values are strings): "# + "\(error)")
        }
    }
}
