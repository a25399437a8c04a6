import ClusterModel
import Foundation
import HTTP
@testable import Manager
import Testing

/// `POST /v1/node/:id/drain` and `/eligibility` in Nomad's shapes, and their errors.
@Suite struct NodeDrainAPITests {
    static func post(_ router: HTTPRouter, _ target: String, _ json: Any) async throws -> HTTPResponse {
        let body = try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed])
        return await router.route(HTTPRequest(method: .post, target: target, body: Array(body)))
    }

    @Test func aDrainByIDPrefixStartsWithItsDeadlineAndEndsMarkingTheNodeEligible() async throws {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        let router = ManagerAPITests.router(manager)
        let node = ManagerServerTests.node("w1")
        try await manager.registerNode(node)
        let started = try await Self.post(router, "/v1/node/\(node.id.short)/drain",
                                          ["DrainSpec": ["Deadline": 300_000_000_000, "IgnoreSystemJobs": true]])
        #expect(started.status == .ok, "\(ManagerAPITests.json(started))")
        #expect((ManagerAPITests.json(started)["NodeModifyIndex"] as? Int ?? 0) > 0)
        let draining = try #require(await manager.snapshot().node(id: node.id))
        #expect(draining.drain && draining.eligibility == .ineligible)
        #expect(draining.drainStrategy?.ignoreSystemJobs == true)
        let deadline = try #require(draining.drainStrategy?.deadline)
        #expect(deadline - draining.drainStrategy!.startedAt == .seconds(300))

        let refused = try await Self.post(router, "/v1/node/\(node.id.uuid)/eligibility", ["Eligibility": "eligible"])
        #expect(refused.status == .badRequest)
        #expect((ManagerAPITests.json(refused)["message"] as? String ?? "").contains("is draining"))

        let ended = try await Self.post(router, "/v1/node/\(node.id.uuid)/drain", ["DrainSpec": NSNull(), "MarkEligible": true])
        #expect(ended.status == .ok)
        let after = try #require(await manager.snapshot().node(id: node.id))
        #expect(!after.drain && after.drainStrategy == nil && after.eligibility == .eligible)
    }

    @Test func aMalformedBodyOrAnUnknownNodeIsRefusedWithWhatToSend() async throws {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        let router = ManagerAPITests.router(manager)
        let node = ManagerServerTests.node("w1")
        try await manager.registerNode(node)
        let malformed = try await Self.post(router, "/v1/node/\(node.id.uuid)/drain", ["DrainSpec": ["Deadline": "soon"]])
        #expect(malformed.status == .badRequest)
        #expect((ManagerAPITests.json(malformed)["message"] as? String ?? "").contains("\"Deadline\": nanoseconds"))
        let eligibility = try await Self.post(router, "/v1/node/\(node.id.uuid)/eligibility", ["Eligibility": "maybe"])
        #expect(eligibility.status == .badRequest)
        let unknown = try await Self.post(router, "/v1/node/ffffffff/drain", ["DrainSpec": NSNull()])
        #expect(unknown.status == .notFound)
        #expect(await manager.snapshot().node(id: node.id)?.drain == false)
    }
}
