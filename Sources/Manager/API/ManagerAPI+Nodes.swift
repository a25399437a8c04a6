import ClusterModel
import Foundation
import HTTP
import StateStore

/// Operator decisions about nodes, with Nomad's request and answer shapes so that Nomad's
/// clients work: `POST /v1/node/:id/drain` and `POST /v1/node/:id/eligibility`.
extension ManagerAPI {
    func registerNodeRoutes(in router: inout HTTPRouter) {
        let api = self
        router.post("/v1/node/:id/drain") { await api.answer(.management("draining nodes")) { try await api.drainNode($0) }($0) }
        router.put("/v1/node/:id/drain") { await api.answer(.management("draining nodes")) { try await api.drainNode($0) }($0) }
        router.post("/v1/node/:id/eligibility") {
            await api.answer(.management("changing node eligibility")) { try await api.setNodeEligibility($0) }($0)
        }
        router.put("/v1/node/:id/eligibility") {
            await api.answer(.management("changing node eligibility")) { try await api.setNodeEligibility($0) }($0)
        }
        router.delete("/v1/node/:id") { await api.answer(.management("removing nodes")) { try await api.removeNode($0, force: nil) }($0) }
        // Nomad's name for it; Nomad purges whatever the node's state.
        router.post("/v1/node/:id/purge") { await api.answer(.management("removing nodes")) { try await api.removeNode($0, force: true) }($0) }
        router.put("/v1/node/:id/purge") { await api.answer(.management("removing nodes")) { try await api.removeNode($0, force: true) }($0) }
    }

    /// `{"DrainSpec": {"Deadline": ns, "IgnoreSystemJobs": bool} | null, "MarkEligible": bool}`.
    /// A deadline of 0 means none, a negative one means now (Nomad's `-force`).
    struct DrainRequest: Decodable {
        struct Spec: Decodable {
            var deadline: Int64?
            var ignoreSystemJobs: Bool?
            enum CodingKeys: String, CodingKey {
                case deadline = "Deadline"
                case ignoreSystemJobs = "IgnoreSystemJobs"
            }
        }
        var drainSpec: Spec?
        var markEligible: Bool?
        enum CodingKeys: String, CodingKey {
            case drainSpec = "DrainSpec"
            case markEligible = "MarkEligible"
        }
    }

    struct EligibilityRequest: Decodable {
        var eligibility: String
        enum CodingKeys: String, CodingKey { case eligibility = "Eligibility" }
    }

    struct NodeUpdateAnswer: Encodable {
        var nodeModifyIndex: UInt64
        var index: UInt64
        enum CodingKeys: String, CodingKey {
            case nodeModifyIndex = "NodeModifyIndex"
            case index = "Index"
        }
    }

    func drainNode(_ request: HTTPRequest) async throws -> HTTPResponse {
        let node = try await lookUpNode(request)
        let body: DrainRequest
        do {
            body = try JSONDecoder().decode(DrainRequest.self, from: Data(request.body))
        } catch {
            throw APIRequestError(.badRequest, "the body must be {\"DrainSpec\": {\"Deadline\": nanoseconds, \"IgnoreSystemJobs\": false} or null, \"MarkEligible\": false}: \(error)")
        }
        let index: UInt64
        if let spec = body.drainSpec {
            let nanoseconds = spec.deadline ?? 0
            let deadline: Duration? = nanoseconds == 0 ? nil : (nanoseconds < 0 ? .zero : .nanoseconds(nanoseconds))
            index = try await manager.startDrain(node.id, deadline: deadline, ignoreSystemJobs: spec.ignoreSystemJobs ?? false)
        } else {
            index = try await manager.stopDrain(node.id, markEligible: body.markEligible ?? false)
        }
        return try Self.indexed(NodeUpdateAnswer(nodeModifyIndex: index, index: index), index: index)
    }

    func setNodeEligibility(_ request: HTTPRequest) async throws -> HTTPResponse {
        let node = try await lookUpNode(request)
        guard let body = try? JSONDecoder().decode(EligibilityRequest.self, from: Data(request.body)),
              let eligibility = NodeEligibility(rawValue: body.eligibility)
        else {
            throw APIRequestError(.badRequest, "the body must be {\"Eligibility\": \"eligible\"} or {\"Eligibility\": \"ineligible\"}")
        }
        let index = try await manager.setEligibility(node.id, eligible: eligibility == .eligible)
        return try Self.indexed(NodeUpdateAnswer(nodeModifyIndex: index, index: index), index: index)
    }

    struct NodeRemovalAnswer: Encodable {
        var nodeName: String
        var revokedSerials: [UInt64]
        var rotatedGossipKey: Bool
        var index: UInt64
        enum CodingKeys: String, CodingKey {
            case nodeName = "NodeName"
            case revokedSerials = "RevokedSerials"
            case rotatedGossipKey = "RotatedGossipKey"
            case index = "Index"
        }
    }

    /// `DELETE /v1/node/:id[?force=true]`: revoke the node's certificates and forget it.
    func removeNode(_ request: HTTPRequest, force: Bool?) async throws -> HTTPResponse {
        let node = try await lookUpNode(request)
        let forced = force ?? (request.queryValue("force").map { $0.isEmpty || $0 == "true" || $0 == "1" } ?? false)
        let removal = try await manager.removeNode(node.id, force: forced)
        return try Self.indexed(
            NodeRemovalAnswer(
                nodeName: removal.nodeName, revokedSerials: removal.revokedSerials, rotatedGossipKey: removal.rotatedGossipKey, index: removal.index), index: removal.index)
    }

    /// The node a path names, by full ID or unique prefix (the CLI shows 8-character IDs).
    private func lookUpNode(_ request: HTTPRequest) async throws -> Node {
        let state = try await consistentState(for: request)
        do {
            return try state.node(idPrefix: try Self.pathID(request))
        } catch {
            throw Self.lookupFailure(error)
        }
    }
}
