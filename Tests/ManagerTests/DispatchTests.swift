import ClusterModel
import Foundation
import HTTP
@testable import Manager
import StateStore
import Testing

/// `POST /v1/job/:id/dispatch` on one manager, in process: what a dispatched child is made of,
/// and every refusal a user can meet, each with a message that says what to change.
@Suite struct DispatchTests {
    /// A batch job that takes a payload and metadata, as `jobspecs/dispatch-resize.hcl` does.
    static func parameterized(
        _ id: String, payload: ParameterizedConfig.Payload = .required, required: [String] = ["size"], optional: [String] = ["quality"]
    ) -> JobSpec {
        var job = ManagerServerTests.job(id, count: 1, type: .batch)
        job.meta = ["owner": "imaging", "size": "unset"]
        job.parameterized = ParameterizedConfig(payload: payload, requiredMeta: required, optionalMeta: optional)
        job.groups[0].tasks[0].dispatchPayload = DispatchPayloadConfig(file: "input.txt")
        return job
    }

    static func dispatch(
        _ router: HTTPRouter, _ id: String, payload: [UInt8]? = nil, meta: [String: String]? = nil, extra: [String: Any] = [:]
    ) async -> HTTPResponse {
        var body = extra
        if let payload { body["Payload"] = Data(payload).base64EncodedString() }
        if let meta { body["Meta"] = meta }
        let bytes = (try? JSONSerialization.data(withJSONObject: body)) ?? Data()
        let path = "/v1/job/" + (id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id) + "/dispatch"
        return await router.route(HTTPRequest(method: .post, target: path, body: Array(bytes)))
    }

    static func message(_ response: HTTPResponse) -> String { ManagerAPITests.json(response)["message"] as? String ?? "" }

    @Test func aDispatchCreatesAChildWithThePayloadTheMergedMetaAndAnEvaluationThatPlacesIt() async throws {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        await manager.start()
        let router = ManagerAPITests.router(manager)
        let node = ManagerServerTests.node("w1")
        try await manager.registerNode(node)
        let registration = try await manager.register(Self.parameterized("resize"))
        #expect(registration.evaluationID == nil, "a parameterized job is a template: registering it places nothing")
        #expect(registration.warnings.isEmpty, "\(registration.warnings)")

        let response = await Self.dispatch(router, "resize", payload: Array("cat.png".utf8), meta: ["size": "640x480", "quality": "80"])
        #expect(response.status == .ok, "\(Self.message(response))")
        let answer = ManagerAPITests.json(response)
        let childID = try #require(answer["DispatchedJobID"] as? String)
        let evaluationID = try #require(answer["EvalID"] as? String)
        #expect(answer["EvalCreateIndex"] as? Int == answer["JobCreateIndex"] as? Int)
        #expect((answer["JobCreateIndex"] as? Int ?? 0) > 0)
        #expect(childID.wholeMatch(of: /resize\/dispatch-\d{10}-[0-9a-f]{8}/) != nil, "\(childID)")

        let state = try await ManagerServerTests.state(of: manager, "the child placed") { !$0.allocations(jobID: childID).isEmpty }
        let child = try #require(state.job(id: childID))
        #expect(child.spec.parentID == "resize")
        #expect(child.spec.payload == Array("cat.png".utf8))
        #expect(child.spec.meta == ["owner": "imaging", "size": "640x480", "quality": "80"])
        #expect(child.spec.parameterized == nil)
        #expect(state.evaluation(id: EvaluationID(uuid: evaluationID))?.jobID == childID)
        // What the worker receives carries the payload with it.
        let (allocations, _) = await manager.allocations(forNode: node.id, since: 0, wait: .zero)
        #expect(allocations.first { $0.jobID == childID }?.job.payload == Array("cat.png".utf8))
        // The parent stays a template; the list shows who launched whom.
        #expect(state.allocations(jobID: "resize").isEmpty)
        let list = await router.route(HTTPRequest(method: .get, target: "/v1/jobs?prefix=resize/"))
        let stubs = (try JSONSerialization.jsonObject(with: Data(list.bodyBytes ?? [])) as? [[String: Any]]) ?? []
        #expect(stubs.map { $0["ID"] as? String } == [childID])
        #expect(stubs.first?["ParentID"] as? String == "resize")
        let read = await router.route(HTTPRequest(method: .get, target: "/v1/job/" + (childID.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")))
        #expect(ManagerAPITests.json(read)["ParentID"] as? String == "resize")
        #expect(ManagerAPITests.json(read)["Dispatched"] as? Bool == true)
        await manager.shutDown()
    }

    @Test func anIDPrefixTemplateNamesTheChildAndTwoDispatchesGetTwoChildren() async throws {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        let router = ManagerAPITests.router(manager)
        _ = try await manager.register(Self.parameterized("resize", payload: .optional, required: []))
        let first = await Self.dispatch(router, "resize", extra: ["IdPrefixTemplate": "nightly"])
        let second = await Self.dispatch(router, "resize")
        let firstID = try #require(ManagerAPITests.json(first)["DispatchedJobID"] as? String)
        let secondID = try #require(ManagerAPITests.json(second)["DispatchedJobID"] as? String)
        #expect(firstID.wholeMatch(of: /resize\/dispatch-nightly-\d+-[0-9a-f]{8}/) != nil, "\(firstID)")
        #expect(firstID != secondID)
        // No payload given to an optional-payload job: an empty one, still a dispatch.
        #expect(await manager.snapshot().job(id: secondID)?.spec.payload == [])
        let bad = await Self.dispatch(router, "resize", extra: ["IdPrefixTemplate": "a b/c"])
        #expect(bad.status == .badRequest)
        #expect(Self.message(bad).contains("ID prefix template \"a b/c\" must be at most 64 letters, digits"))
    }

    @Test func eachRuleOfTheParameterizedBlockIsEnforcedWithAMessageThatSaysWhatToChange() async throws {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        let router = ManagerAPITests.router(manager)
        _ = try await manager.register(Self.parameterized("resize"))
        _ = try await manager.register(Self.parameterized("report", payload: .forbidden, required: [], optional: []))
        _ = try await manager.register(ManagerServerTests.job("web", count: 1))
        _ = try await manager.register(Self.parameterized("old"))
        _ = try await manager.deregister(namespace: "default", jobID: "old", purge: false)

        let cases: [(String, HTTPResponse, HTTPStatus, String)] = [
            ("payload missing", await Self.dispatch(router, "resize", meta: ["size": "1"]), .badRequest,
             "job \"resize\" requires a payload (parameterized { payload = \"required\" }): pass a file, or - to read standard input, after the job name"),
            ("payload forbidden", await Self.dispatch(router, "report", payload: [1]), .badRequest,
             "job \"report\" does not accept a payload (parameterized { payload = \"forbidden\" }): dispatch it without a payload file"),
            ("required meta missing", await Self.dispatch(router, "resize", payload: [1], meta: ["quality": "9"]), .badRequest,
             "job \"resize\" requires meta key \"size\": add -meta size=VALUE"),
            ("unknown meta", await Self.dispatch(router, "resize", payload: [1], meta: ["size": "1", "qualty": "9"]), .badRequest,
             "meta key \"qualty\" is not accepted by job \"resize\" (did you mean \"quality\"?): it accepts \"size\", \"quality\" (meta_required and meta_optional)"),
            ("not parameterized", await Self.dispatch(router, "web"), .badRequest,
             "job \"web\" is not parameterized: only jobs with a parameterized { … } block can be dispatched; run this one with \"roost job run\""),
            ("stopped", await Self.dispatch(router, "old", payload: [1], meta: ["size": "1"]), .badRequest,
             "job \"old\" is stopped: register it again with \"roost job run FILE\" before dispatching it"),
            ("over the cap", await Self.dispatch(router, "resize", payload: [UInt8](repeating: 7, count: 16 * 1024 + 1), meta: ["size": "1"]), .badRequest,
             "the payload is 16385 bytes, more than the 16384 bytes (16 KiB) a dispatch may carry: pass a reference to the data (a URL or a path) and let the task fetch it"),
            ("unknown job", await Self.dispatch(router, "resise"), .notFound,
             "job \"resise\" not found in namespace default: check the ID with \"roost job status\""),
            ("not base64", await Self.dispatch(router, "resize", extra: ["Payload": "%%%"]), .badRequest,
             "Payload: expected the payload as base64 (standard alphabet, with padding)"),
        ]
        for (name, response, status, message) in cases {
            #expect(response.status == status, "\(name): \(response.status.code) \(Self.message(response))")
            #expect(Self.message(response) == message, "\(name)")
        }
        // Exactly at the cap is fine.
        let atCap = await Self.dispatch(router, "resize", payload: [UInt8](repeating: 7, count: 16 * 1024), meta: ["size": "1"])
        #expect(atCap.status == .ok, "\(Self.message(atCap))")
        // Nothing refused left a job behind.
        #expect(await manager.snapshot().jobs().filter { $0.spec.parentID != nil }.count == 1)
    }

    @Test func aDispatchIsRefusedWhenItIsAppliedIfTheParentWasStoppedMeanwhile() async throws {
        // The state machine checks the rules again: a command built while the parent ran is
        // refused once the parent is stopped, and nothing is created.
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        _ = try await manager.register(Self.parameterized("resize"))
        let request = DispatchRequest(jobID: "resize", payload: [1], meta: ["size": "1"])
        let parent = try #require(await manager.snapshot().job(id: "resize"))
        let child = DispatchCheck.child(of: parent.spec, id: "resize/dispatch-1-00000001", request: request)
        let evaluation = Evaluation(
            id: EvaluationID(uuid: UUID().uuidString.lowercased()), namespace: "default", priority: 50, jobType: .batch,
            triggeredBy: .jobRegister, jobID: child.id, createTime: .zero, modifyTime: .zero)
        let command = JobDispatchCommand(request: request, child: child, evaluation: evaluation, submitTime: .zero)
        _ = try await manager.deregister(namespace: "default", jobID: "resize", purge: false)
        await #expect(throws: ManagerError.self) { _ = try await manager.replicate(.dispatchJob(command)) }
        #expect(await manager.snapshot().job(id: child.id) == nil)
        #expect(await manager.snapshot().evaluation(id: evaluation.id) == nil)
    }
}
