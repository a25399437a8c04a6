import API
import ClusterModel
import Foundation
import HTTP
import StateStore

/// Nomad's answer to a deployment action (`DeploymentUpdateResponse`).
struct DeploymentActionResponse: Sendable, Hashable, Codable {
    /// `EvalID` in the API; empty when the action needed no evaluation.
    var evaluationID: String
    var evalCreateIndex: UInt64
    var deploymentModifyIndex: UInt64
    var revertedJobVersion: UInt64?
    var index: UInt64
}

extension ManagerAPI {
    /// Nomad's deployment endpoints, plus `POST /v1/job/:id/revert`.
    func registerDeploymentRoutes(in router: inout HTTPRouter) {
        let api = self
        router.get("/v1/deployments") { await api.answer(.clusterRead("listing deployments")) { try await api.listDeployments($0) }($0) }
        router.get("/v1/deployment/:id") { await api.answer(.clusterRead("reading deployments")) { try await api.readDeployment($0) }($0) }
        router.get("/v1/job/:id/deployments") { await api.answer(.clusterRead("reading deployments")) { try await api.jobDeployments($0, latest: false) }($0) }
        router.get("/v1/job/:id/deployment") { await api.answer(.clusterRead("reading deployments")) { try await api.jobDeployments($0, latest: true) }($0) }
        for method in [HTTPMethod.post, .put] {
            router.add(method, "/v1/deployment/promote/:id") { await api.answer(.jobWrite("promoting deployments")) { try await api.promoteDeployment($0) }($0) }
            router.add(method, "/v1/deployment/fail/:id") { await api.answer(.jobWrite("failing deployments")) { try await api.failDeployment($0) }($0) }
            router.add(method, "/v1/deployment/pause/:id") { await api.answer(.jobWrite("pausing deployments")) { try await api.pauseDeployment($0) }($0) }
            router.add(method, "/v1/deployment/allocation-health/:id") {
                await api.answer(.jobWrite("setting allocation health")) { try await api.setAllocationHealth($0) }($0)
            }
            router.add(method, "/v1/job/:id/revert") { await api.answer(.jobWrite("reverting jobs")) { try await api.revertJob($0) }($0) }
        }
    }

    func listDeployments(_ request: HTTPRequest) async throws -> HTTPResponse {
        let state = try await snapshot(for: request, tables: [.deployments])
        let prefix = request.queryValue("prefix") ?? ""
        let namespace = Self.namespace(of: request)
        let deployments = state.allDeployments().filter {
            $0.namespace == namespace && (prefix.isEmpty || $0.id.uuid.hasPrefix(prefix.lowercased()))
        }
        return try Self.indexed(deployments, index: state.index(of: .deployments))
    }

    func readDeployment(_ request: HTTPRequest) async throws -> HTTPResponse {
        let state = try await snapshot(for: request, tables: [.deployments])
        let id = try Self.pathID(request)
        guard let deployment = state.deployment(id: DeploymentID(uuid: id.lowercased())) else {
            throw APIRequestError(.notFound, "deployment \"\(id)\" not found; list them with GET /v1/deployments (the ID must be complete here)")
        }
        return try Self.indexed(deployment, index: state.index(of: .deployments))
    }

    /// `/v1/job/:id/deployments` (newest first) or `/v1/job/:id/deployment` (the newest, or null).
    func jobDeployments(_ request: HTTPRequest, latest: Bool) async throws -> HTTPResponse {
        let state = try await snapshot(for: request, tables: [.deployments])
        let record = try Self.record(request, in: state)
        let deployments = state.deployments(namespace: record.spec.namespace, jobID: record.spec.id)
        let index = state.index(of: .deployments)
        return latest ? try Self.indexed(deployments.first, index: index) : try Self.indexed(deployments, index: index)
    }

    /// Body (optional): `{"All": true}` or `{"Groups": ["web"]}`; without either, every group
    /// waiting for promotion is promoted.
    func promoteDeployment(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = try Self.pathID(request)
        let body = try Self.jsonObject(request.body, shape: #"{"All": true} or {"Groups": ["name"]}"#)
        var groups: [String]?
        if let given = body["Groups"], !(given is NSNull) {
            guard let names = given as? [String] else { throw APIRequestError(.badRequest, #"Groups: expected a list of group names such as ["web"]"#) }
            if !names.isEmpty && (body["All"] as? Bool) != true { groups = names }
        }
        return try Self.actionResponse(await manager.promoteDeployment(id, groups: groups))
    }

    func failDeployment(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = try Self.pathID(request)
        return try Self.actionResponse(await manager.failDeployment(id))
    }

    /// Body: `{"Pause": true}` to pause, `{"Pause": false}` to resume.
    func pauseDeployment(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = try Self.pathID(request)
        let body = try Self.jsonObject(request.body, shape: #"{"Pause": true} (or false to resume)"#)
        guard let pause = body["Pause"] as? Bool else {
            throw APIRequestError(.badRequest, #"the body must say {"Pause": true} to pause or {"Pause": false} to resume"#)
        }
        return try Self.actionResponse(await manager.pauseDeployment(id, pause: pause))
    }

    /// Body: `{"DeploymentID": "…", "HealthyAllocationIDs": […], "UnhealthyAllocationIDs": […]}`,
    /// as in Nomad, for groups with `health_check = "manual"`.
    func setAllocationHealth(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = try Self.pathID(request)
        let shape = #"{"DeploymentID": "<id>", "HealthyAllocationIDs": ["<alloc id>"], "UnhealthyAllocationIDs": []}"#
        let body = try Self.jsonObject(request.body, shape: shape)
        if let given = body["DeploymentID"], !(given is NSNull) {
            guard let text = given as? String, text.isEmpty || text.lowercased() == id.lowercased() else {
                throw APIRequestError(.badRequest, "DeploymentID in the body (\(given)) is not the deployment of the path (\(id)); leave it out or make them agree")
            }
        }
        func list(_ key: String) throws -> [String] {
            guard let value = body[key], !(value is NSNull) else { return [] }
            guard let names = value as? [String] else { throw APIRequestError(.badRequest, "\(key): expected a list of allocation IDs, as in \(shape)") }
            return names
        }
        let result = try await manager.setAllocationHealth(id, healthy: try list("HealthyAllocationIDs"), unhealthy: try list("UnhealthyAllocationIDs"))
        return try Self.actionResponse(result)
    }

    /// Body: `{"JobVersion": 2}`, as in Nomad.
    func revertJob(_ request: HTTPRequest) async throws -> HTTPResponse {
        let id = try Self.pathID(request)
        let body = try Self.jsonObject(request.body, shape: #"{"JobVersion": 2}"#)
        guard let number = body["JobVersion"] as? NSNumber, number.int64Value >= 0, number.doubleValue == Double(number.int64Value) else {
            throw APIRequestError(.badRequest, #"JobVersion: expected the version to go back to, a whole number such as {"JobVersion": 2} (see GET /v1/job/:id/versions)"#)
        }
        let registration = try await manager.revertJob(namespace: Self.namespace(of: request), jobID: id, to: UInt64(number.int64Value))
        let response = JobRegisterResponse(
            evaluationID: registration.evaluationID?.uuid ?? "", evalCreateIndex: registration.index,
            jobModifyIndex: registration.jobModifyIndex, index: registration.index)
        return try Self.indexed(response, index: registration.index)
    }

    static func actionResponse(_ result: DeploymentActionResult) throws -> HTTPResponse {
        let response = DeploymentActionResponse(
            evaluationID: result.evaluationID?.uuid ?? "", evalCreateIndex: result.index, deploymentModifyIndex: result.index,
            revertedJobVersion: result.revertedJobVersion, index: result.index)
        return try indexed(response, index: result.index)
    }

    /// A small JSON object body (an empty body reads as `{}`).
    static func jsonObject(_ bytes: [UInt8], shape: String) throws -> [String: Any] {
        guard !bytes.isEmpty else { return [:] }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            throw APIRequestError(.badRequest, "the body must be a JSON object such as \(shape)")
        }
        return object
    }
}
