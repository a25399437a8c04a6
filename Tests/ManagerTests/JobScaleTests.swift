import ClusterModel
import Foundation
import HTTP
@testable import Manager
import StateStore
import Testing

/// `roost job scale`: a group's count changes and the scheduler places or stops only the
/// difference, leaving the allocations that keep running untouched; bad requests say why.
@Suite struct JobScaleTests {
    static func running(_ state: StateStore, _ job: String) -> [Allocation] {
        state.allocations(jobID: job).filter { $0.desiredStatus == .run }
    }

    @Test func scalingUpPlacesOnlyTheNewCopiesAndScalingDownStopsOnlyTheSurplus() async throws {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        await manager.start()
        try await manager.registerNode(ManagerServerTests.node("w1"))
        _ = try await manager.register(ManagerServerTests.job("web", count: 3))
        let first = try await ManagerServerTests.state(of: manager, "3 placed") { Self.running($0, "web").count == 3 }
        let original = Set(Self.running(first, "web").map(\.id))

        let up = try await manager.scale(namespace: "default", jobID: "web", group: nil, count: 5)
        #expect(up.evaluationID != nil)
        let scaledUp = try await ManagerServerTests.state(of: manager, "5 placed") { Self.running($0, "web").count == 5 }
        #expect(original.isSubset(of: Set(Self.running(scaledUp, "web").map(\.id))), "scaling up must keep the running copies")
        #expect(scaledUp.job(namespace: "default", id: "web")?.spec.groups.first?.count == 5)

        _ = try await manager.scale(namespace: "default", jobID: "web", group: "g", count: 2)
        let scaledDown = try await ManagerServerTests.state(of: manager, "2 left") { Self.running($0, "web").count == 2 }
        let kept = Self.running(scaledDown, "web")
        #expect(Set(kept.map(\.index)) == [0, 1], "the highest-numbered copies are the ones stopped")
        #expect(Set(kept.map(\.id)).isSubset(of: original))

        let unchanged = try await manager.scale(namespace: "default", jobID: "web", group: "g", count: 2)
        #expect(unchanged.evaluationID == nil)
        #expect(unchanged.warnings.first?.contains("already has count 2") == true)
        await manager.shutDown()
    }

    @Test func eachBadScaleRequestIsRefusedWithWhatToDoInstead() async throws {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        await manager.start()
        var twoGroups = ManagerServerTests.job("pair", count: 1)
        var second = twoGroups.groups[0]
        second.name = "h"
        twoGroups.groups.append(second)
        _ = try await manager.register(twoGroups)
        _ = try await manager.register(ManagerServerTests.job("sys", count: 1, type: .system))
        let cases: [(String, String?, Int, String)] = [
            ("missing", nil, 1, "not found"),
            ("pair", nil, 2, "has 2 groups (g, h): name the one to scale"),
            ("pair", "nope", 2, "has no group \"nope\" (its groups: g, h)"),
            ("pair", "g", -1, "the count must be from 0 to"),
            ("pair", "g", 1_000_000, "the count must be from 0 to"),
            ("sys", nil, 3, "runs one allocation per node"),
        ]
        for (job, group, count, message) in cases {
            do {
                _ = try await manager.scale(namespace: "default", jobID: job, group: group, count: count)
                Issue.record("\(job)/\(group ?? "-")/\(count) was accepted")
            } catch {
                #expect("\(error)".contains(message), "\(job)/\(group ?? "-")/\(count): \(error)")
            }
        }
        await manager.shutDown()
    }

    @Test func theScaleRouteTakesNomadsBody() async throws {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        await manager.start()
        _ = try await manager.register(ManagerServerTests.job("web", count: 1))
        var router = HTTPRouter()
        ManagerAPI(manager: manager, agentInfo: [:]).register(in: &router)
        let response = await router.handler(HTTPRequest(
            method: .post, target: "/v1/job/web/scale", body: Array(#"{"Count": 4, "Target": {"Group": "g"}}"#.utf8)))
        #expect(response.status == .ok)
        #expect(await manager.snapshot().job(namespace: "default", id: "web")?.spec.groups.first?.count == 4)
        let noCount = await router.handler(HTTPRequest(method: .post, target: "/v1/job/web/scale", body: Array("{}".utf8)))
        #expect(noCount.status == .badRequest)
        await manager.shutDown()
    }
}
