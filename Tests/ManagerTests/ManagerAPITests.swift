import ClusterModel
import Foundation
import HTTP
@testable import Manager
import Testing

/// The API's routes in process (no sockets): shapes and errors a client relies on.
@Suite struct ManagerAPITests {
    static func router(_ manager: ManagerServer) -> HTTPRouter {
        var router = HTTPRouter()
        ManagerAPI(manager: manager, agentInfo: ["mode": "test"]).register(in: &router)
        return router
    }

    static func json(_ response: HTTPResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.bodyBytes ?? []))) as? [String: Any] ?? [:]
    }

    @Test func aJobFileWithNumberAndBooleanVariablesRegisters() async throws {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        let hcl = """
            variable "copies" { type = number }
            variable "loud" { type = bool }
            job "v" {
              group "g" {
                count = var.copies
                task "t" {
                  driver = "raw_exec"
                  config { command = var.loud ? "/bin/echo" : "/bin/true" }
                }
              }
            }
            """
        let body = try JSONSerialization.data(withJSONObject: ["JobHCL": hcl, "Variables": ["copies": 3, "loud": true]])
        let response = await Self.router(manager).route(HTTPRequest(method: .post, target: "/v1/jobs", body: Array(body)))
        #expect(response.status == .ok, "\(Self.json(response))")
        let job = await manager.snapshot().job(id: "v")
        #expect(job?.spec.groups.first?.count == 3)
        #expect(job?.spec.groups.first?.tasks.first?.config["command"] == .string("/bin/echo"))
    }

    @Test func aVariableOfTheWrongKindIsNamedNotMistakenForAnotherForm() async throws {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        let body = try JSONSerialization.data(withJSONObject: ["JobHCL": "job \"x\" {}", "Variables": ["list": [1, 2]]])
        let response = await Self.router(manager).route(HTTPRequest(method: .post, target: "/v1/jobs", body: Array(body)))
        #expect(response.status == .badRequest)
        #expect(Self.json(response)["message"] as? String == "Variables.list: expected a string, number or boolean")
    }

    @Test func anAllocationCarriesItsJobInNomadsShapeWithDurationsInNanoseconds() async throws {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        await manager.start()
        try await manager.registerNode(ManagerServerTests.node("w1"))
        _ = try await manager.register(ManagerServerTests.job("web", count: 1))
        let state = try await ManagerServerTests.state(of: manager, "placed") { !$0.allocations(jobID: "web").isEmpty }
        let allocation = try #require(state.allocations(jobID: "web").first)
        var event = TaskState()
        event.record(TaskEvent(kind: .restarting, time: .zero, message: "Restarting in 15s", restartDelay: .seconds(15)))
        try await manager.updateAllocations([.init(id: allocation.id, clientStatus: .pending, taskStates: ["t": event])])
        let response = await Self.router(manager).route(HTTPRequest(method: .get, target: "/v1/allocation/\(allocation.id.short)"))
        let object = Self.json(response)
        #expect(object["ID"] as? String == allocation.id.uuid)
        let job = try #require(object["Job"] as? [String: Any])
        #expect((job["TaskGroups"] as? [[String: Any]])?.first?["Name"] as? String == "g")
        let restart = (job["TaskGroups"] as? [[String: Any]])?.first?["RestartPolicy"] as? [String: Any]
        #expect(restart?["Delay"] as? Int == 15_000_000_000)
        let events = ((object["TaskStates"] as? [String: Any])?["t"] as? [String: Any])?["Events"] as? [[String: Any]]
        #expect(events?.first?["StartDelay"] as? Int == 15_000_000_000)
        await manager.shutDown()
    }

    @Test func anAmbiguousPrefixIs400ListingTheMatches() async throws {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        await manager.start()
        try await manager.registerNode(ManagerServerTests.node("w1"))
        _ = try await manager.register(ManagerServerTests.job("web", count: 20))
        _ = try await ManagerServerTests.state(of: manager, "placed") { $0.allocations(jobID: "web").count == 20 }
        // With 20 random IDs, some one-character prefix is shared by at least two.
        let ids = await manager.snapshot().allocations(jobID: "web").map(\.id.uuid)
        let shared = try #require(Dictionary(grouping: ids, by: { $0.prefix(1) }).first { $0.value.count > 1 }?.key)
        let response = await Self.router(manager).route(HTTPRequest(method: .get, target: "/v1/allocation/\(shared)"))
        #expect(response.status == .badRequest)
        #expect((Self.json(response)["message"] as? String)?.contains("matches several") == true)
        await manager.shutDown()
    }
}
