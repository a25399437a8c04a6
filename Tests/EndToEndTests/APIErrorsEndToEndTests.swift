import Foundation
import Testing

/// What the API answers to bad requests, through a real agent: the right status and a JSON
/// error that says what to fix.
@Suite(.enabled(if: DevAgentProcess.executable != nil, "skipped: the roost executable is not built"))
struct APIErrorsEndToEndTests {
    static func errorBody(_ data: Data) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    @Test func malformedHCLIs400WithTheFilesDiagnostics() throws {
        let agent = try DevAgentProcess()
        defer { agent.stop() }
        let body = try JSONSerialization.data(withJSONObject: ["JobHCL": "job \"web\" {\n  group \"g\" {\n    count = \n  }\n}\n", "Filename": "web.hcl"])
        let (status, data) = try agent.request("POST", "/v1/jobs", body: body)
        #expect(status == 400)
        let error = Self.errorBody(data)
        #expect(error["code"] as? Int == 400)
        let diagnostics = error["diagnostics"] as? [String] ?? []
        #expect(diagnostics.first?.hasPrefix("web.hcl:3:") == true, "\(error)")
        // Nothing was registered.
        #expect((try agent.get("/v1/jobs") as? [Any])?.isEmpty == true)
    }

    @Test func theCLIShowsTheAgentsDiagnosticsForAJobWithoutTasks() throws {
        let agent = try DevAgentProcess()
        defer { agent.stop() }
        let run = try agent.roost("job", "run", try agent.jobFile("empty.hcl", "job \"empty\" {\n  group \"g\" {}\n}\n"))
        #expect(run.status == 1)
        #expect(run.errors.contains("group \"g\" has no task"), "\(run.errors)")
    }

    @Test func unknownJobsAndAllocationsAre404() throws {
        let agent = try DevAgentProcess()
        defer { agent.stop() }
        for path in ["/v1/job/nope", "/v1/job/nope/allocations", "/v1/allocation/ffffffff", "/v1/evaluation/ffffffff", "/v1/node/ffffffff"] {
            let (status, data) = try agent.request("GET", path)
            #expect(status == 404, "\(path)")
            #expect(Self.errorBody(data)["message"] as? String != nil, "\(path)")
        }
        let (status, _) = try agent.request("DELETE", "/v1/job/nope")
        #expect(status == 404)
        let missing = try agent.roost("alloc", "status", "ffffffff")
        #expect(missing.status == 1)
        #expect(missing.errors.contains("no allocation with ID prefix \"ffffffff\""), "\(missing.errors)")
    }

    @Test func aBodyOverTheLimitIs413AndTheAgentKeepsServing() throws {
        let agent = try DevAgentProcess()
        defer { agent.stop() }
        let (status, data) = try agent.request("POST", "/v1/jobs", body: Data(count: 11 * 1024 * 1024))
        #expect(status == 413)
        #expect(Self.errorBody(data)["code"] as? Int == 413)
        let (after, _) = try agent.request("GET", "/v1/jobs")
        #expect(after == 200)
    }

    @Test func aMalformedNomadJSONJobNamesTheField() throws {
        let agent = try DevAgentProcess()
        defer { agent.stop() }
        let body = Data(#"{"Job":{"ID":"x","TaskGroups":[{"Name":"g","Count":"two"}]}}"#.utf8)
        let (status, data) = try agent.request("POST", "/v1/jobs", body: body)
        #expect(status == 400)
        #expect((Self.errorBody(data)["message"] as? String)?.hasPrefix("Job.TaskGroups[0].Count:") == true)
    }

    @Test func blockingQueriesWaitForAChangeAndAnswerWithTheNewIndex() throws {
        let agent = try DevAgentProcess()
        defer { agent.stop() }
        let (_, _) = try agent.request("GET", "/v1/jobs")
        // An index far ahead with a short wait: answered after the wait, not at once and not never.
        let started = Date()
        let (status, _) = try agent.request("GET", "/v1/jobs?index=1000000&wait=300ms")
        #expect(status == 200)
        #expect(Date().timeIntervalSince(started) >= 0.25)
        let (bad, data) = try agent.request("GET", "/v1/jobs?index=abc")
        #expect(bad == 400)
        #expect((Self.errorBody(data)["message"] as? String)?.contains("index must be a whole number") == true)
    }
}
