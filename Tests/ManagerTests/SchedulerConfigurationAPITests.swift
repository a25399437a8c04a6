import ClusterModel
import Foundation
import HTTP
@testable import Manager
import Testing

/// `GET/PUT /v1/operator/scheduler/configuration`, in Nomad's JSON.
@Suite struct SchedulerConfigurationAPITests {
    static func preemption(_ response: HTTPResponse) -> [String: Bool] {
        let object = (try? JSONSerialization.jsonObject(with: Data(response.bodyBytes ?? []))) as? [String: Any]
        let configuration = object?["SchedulerConfig"] as? [String: Any]
        return configuration?["PreemptionConfig"] as? [String: Bool] ?? [:]
    }

    @Test func theDefaultsAreShownUntilAPutChangesThemForEveryLaterRead() async throws {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        await manager.start()
        let router = ManagerAPITests.router(manager)
        let before = await router.route(HTTPRequest(method: .get, target: "/v1/operator/scheduler/configuration"))
        #expect(before.status == .ok)
        #expect(Self.preemption(before) == [
            "SystemSchedulerEnabled": true, "SysBatchSchedulerEnabled": false, "BatchSchedulerEnabled": false, "ServiceSchedulerEnabled": false,
        ])
        let body = #"{"PreemptionConfig": {"ServiceSchedulerEnabled": true, "BatchSchedulerEnabled": true}}"#
        let put = await router.route(HTTPRequest(method: .put, target: "/v1/operator/scheduler/configuration", body: Array(body.utf8)))
        #expect(put.status == .ok, "\(String(decoding: put.bodyBytes ?? [], as: UTF8.self))")
        let after = await router.route(HTTPRequest(method: .get, target: "/v1/operator/scheduler/configuration"))
        #expect(Self.preemption(after) == [
            "SystemSchedulerEnabled": true, "SysBatchSchedulerEnabled": false, "BatchSchedulerEnabled": true, "ServiceSchedulerEnabled": true,
        ])
        #expect(await manager.snapshot().schedulerConfiguration().preemptionEnabled(for: .batch))

        let bad = await router.route(HTTPRequest(method: .put, target: "/v1/operator/scheduler/configuration", body: Array(#"{"PreemptionConfig": {"ServiceSchedulerEnabled": "yes"}}"#.utf8)))
        #expect(bad.status == .badRequest)
        #expect(String(decoding: bad.bodyBytes ?? [], as: UTF8.self).contains("PreemptionConfig"))
        await manager.shutDown()
    }
}
