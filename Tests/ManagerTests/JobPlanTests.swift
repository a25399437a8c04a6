import API
import ClusterModel
import Foundation
import HTTP
@testable import Manager
import StateStore
import Testing

/// `roost job plan`: the diff against the running version and the scheduler's dry run, with
/// nothing changed in the cluster.
@Suite struct JobPlanTests {
    static func started(count: Int) async throws -> ManagerServer {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        await manager.start()
        try await manager.registerNode(ManagerServerTests.node("w1"))
        _ = try await manager.register(ManagerServerTests.job("web", count: count))
        _ = try await ManagerServerTests.state(of: manager, "\(count) placed") {
            $0.allocations(jobID: "web").filter { $0.desiredStatus == .run }.count == count
        }
        return manager
    }

    @Test func aNewJobIsPlannedAsAllCreatesAndIsNotRegistered() async throws {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        await manager.start()
        try await manager.registerNode(ManagerServerTests.node("w1"))
        let plan = try await manager.planJob(ManagerServerTests.job("fresh", count: 2))
        #expect(plan.jobModifyIndex == 0)
        #expect(plan.diff == ["+ Job: \"fresh\" (new)"])
        #expect(plan.groups["g"]?.place == 2)
        #expect(plan.changesAllocations)
        #expect(await manager.snapshot().job(namespace: "default", id: "fresh") == nil, "a plan must not register the job")
        #expect(await manager.snapshot().allocations(jobID: "fresh").isEmpty)
        await manager.shutDown()
    }

    @Test func aLargerCountPlansOnlyTheNewCopiesAndChangesNothing() async throws {
        let manager = try await Self.started(count: 3)
        let before = await manager.snapshot()
        var bigger = ManagerServerTests.job("web", count: 5)
        bigger.groups[0].tasks[0].config["args"] = .list([.string("60")])
        let unchangedArgs = ManagerServerTests.job("web", count: 5)
        let plan = try await manager.planJob(unchangedArgs)
        #expect(plan.diff == ["~ TaskGroups[g].Count: 3 => 5"], "\(plan.diff)")
        #expect(plan.groups["g"]?.place == 2)
        // The running copies move to the new version without a restart, as with Nomad.
        #expect(plan.groups["g"]?.inPlaceUpdate == 3, "\(plan.groups)")
        #expect(plan.groups["g"]?.destructiveUpdate == 0)

        // A changed task replaces every running copy (no update block: all at once).
        let replaced = try await manager.planJob(bigger)
        #expect(replaced.diff.contains { $0.hasPrefix("+ TaskGroups[g].Tasks[t].Config.args") }, "\(replaced.diff)")
        #expect(replaced.groups["g"]?.destructiveUpdate == 3, "\(replaced.groups)")
        #expect(replaced.groups["g"]?.place == 2, "\(replaced.groups)")

        let after = await manager.snapshot()
        #expect(after.job(namespace: "default", id: "web")?.version == before.job(namespace: "default", id: "web")?.version)
        #expect(after.allocations(jobID: "web").map(\.id).sorted() == before.allocations(jobID: "web").map(\.id).sorted())
        await manager.shutDown()
    }

    @Test func theSameJobPlansNoChangeAndAGroupTooBigSaysWhy() async throws {
        let manager = try await Self.started(count: 2)
        let same = try await manager.planJob(ManagerServerTests.job("web", count: 2))
        #expect(same.diff.isEmpty)
        #expect(!same.changesAllocations)
        #expect(same.groups["g"]?.ignore == 2)
        let huge = try await manager.planJob(ManagerServerTests.job("web", count: 2, memoryMiB: 1_000_000))
        #expect(huge.failed["g"] != nil, "a group that cannot fit must report why")
        #expect(huge.failed["g"]?.summary().contains("memory") == true, "\(huge.failed["g"]?.summary() ?? "")")
        await manager.shutDown()
    }

    @Test func thePlanRouteAnswersInNomadsShape() async throws {
        let manager = try await Self.started(count: 1)
        var router = HTTPRouter()
        ManagerAPI(manager: manager, agentInfo: [:]).register(in: &router)
        let hcl = "job \"web\" {\n  group \"g\" {\n    count = 3\n    task \"t\" {\n      driver = \"raw_exec\"\n      config { command = \"/bin/sleep\" }\n      resources {\n        cpu = 100\n        memory = 64\n      }\n    }\n  }\n}\n"
        let body = try JSONSerialization.data(withJSONObject: ["JobHCL": hcl])
        let response = await router.handler(HTTPRequest(method: .post, target: "/v1/job/web/plan", body: Array(body)))
        #expect(response.status == .ok)
        guard case .bytes(let bytes) = response.body else { Issue.record("streamed answer"); return }
        let decoded = try APIJSON.decode(JobPlanResponse.self, from: bytes)
        #expect(decoded.diffType == "Edited")
        #expect(decoded.annotations.desiredTGUpdates["g"]?.place == 2)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\"DesiredTGUpdates\"") && text.contains("\"JobModifyIndex\""), "\(text)")
        await manager.shutDown()
    }
}
