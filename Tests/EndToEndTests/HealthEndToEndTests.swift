import Foundation
import HTTP
import Testing

/// Service checks on a real dev agent: the worker runs them, reports each check in the task
/// state, and reports the allocation's health verdict to the manager, where the API and
/// `roost alloc status` show it. Needs root (the dev agent's cgroups).
@Suite(.serialized, .enabled(if: DevAgentProcess.isRoot && DevAgentProcess.executable != nil, "skipped: needs root and a built roost"))
struct HealthEndToEndTests {
    static func job(name: String, port: Int, check: String, healthyDeadline: String) -> String {
        """
        job "\(name)" {
          group "g" {
            network {
              port "http" { static = \(port) }
            }
            update {
              min_healthy_time = "1s"
              healthy_deadline = "\(healthyDeadline)"
            }
            task "web" {
              driver = "raw_exec"
              config {
                command = "/bin/sleep"
                args    = ["600"]
              }
              resources {
                cpu    = 20
                memory = 16
              }
              service {
                name = "\(name)-web"
                port = "http"
                check {
                  name     = "alive"
        \(check)
                  interval = "1s"
                  timeout  = "2s"
                }
              }
            }
          }
        }
        """
    }

    /// The job's single allocation, in full (with its deployment status), once it exists.
    static func allocation(_ agent: DevAgentProcess, job: String) throws -> [String: Any]? {
        let list = try agent.get("/v1/job/\(job)/allocations") as? [[String: Any]] ?? []
        guard let id = list.first?["ID"] as? String else { return nil }
        return try agent.get("/v1/allocation/\(id)") as? [String: Any]
    }

    static func healthy(_ allocation: [String: Any]?) -> Bool? {
        (allocation?["DeploymentStatus"] as? [String: Any])?["Healthy"] as? Bool
    }

    @Test func aServiceWhoseHTTPCheckPassesIsReportedHealthy() async throws {
        let server = HTTPServer(settings: HTTPServerSettings(shutdownGracePeriod: .milliseconds(100), raiseOpenFileLimit: false)) { _ in
            .text("ok")
        }
        try server.start()
        let agent = try DevAgentProcess()
        defer { agent.stop() }
        let text = Self.job(
            name: "fine", port: server.port, check: "          type = \"http\"\n          path = \"/health\"", healthyDeadline: "1m")
        let run = try agent.roost("job", "run", "-detach", try agent.jobFile("fine.hcl", text))
        #expect(run.status == 0, "\(run.output)\(run.errors)")
        var allocation: [String: Any]?
        try eventually("the allocation's health is decided") {
            allocation = try Self.allocation(agent, job: "fine")
            return Self.healthy(allocation) != nil
        }
        #expect(Self.healthy(allocation) == true, "\(String(describing: allocation?["DeploymentStatus"])) \(String(describing: allocation?["TaskStates"]))")
        let id = try #require(allocation?["ID"] as? String)
        let status = try agent.roost("alloc", "status", id)
        #expect(status.output.contains("Deployment Health"), "\(status.output)")
        #expect(status.output.contains("alive") && status.output.contains("passing") && status.output.contains("HTTP 200: ok"), "\(status.output)")
        await server.shutdown()
    }

    @Test func aServiceWhoseScriptCheckFailsIsReportedUnhealthy() throws {
        let agent = try DevAgentProcess()
        defer { agent.stop() }
        let text = Self.job(
            name: "broken", port: 20000 + Int.random(in: 0..<10000),
            check: "          type = \"script\"\n          command = \"/bin/sh\"\n          args = [\"-c\", \"echo database unreachable; exit 2\"]",
            healthyDeadline: "8s")
        let run = try agent.roost("job", "run", "-detach", try agent.jobFile("broken.hcl", text))
        #expect(run.status == 0, "\(run.output)\(run.errors)")
        var allocation: [String: Any]?
        try eventually("the allocation's health is decided") {
            allocation = try Self.allocation(agent, job: "broken")
            return Self.healthy(allocation) != nil
        }
        #expect(Self.healthy(allocation) == false)
        let description = (allocation?["DeploymentStatus"] as? [String: Any])?["Description"] as? String ?? ""
        #expect(description.contains("check \"alive\" of service \"broken-web\" is critical: database unreachable"), "\(description)")
        let id = try #require(allocation?["ID"] as? String)
        let status = try agent.roost("alloc", "status", id)
        #expect(status.output.contains("unhealthy") && status.output.contains("critical"), "\(status.output)")
    }
}
