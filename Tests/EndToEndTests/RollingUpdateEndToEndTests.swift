import Foundation
import HTTP
import Synchronization
import Testing

/// Issue 8's deployment acceptance on a dev agent, with real HTTP tasks and real health checks:
/// a count-5 service rolled to a new version two at a time never has fewer than 3 copies
/// answering its health endpoint and ends with 5 on the new version; a version whose check
/// never passes fails its deployment, `job run` says so, and the job returns by itself to the
/// last stable version — still never below 3 answering.
@Suite(.serialized)
struct RollingUpdateEndToEndTests {
    static func job(release: String, checkPath: String = "/version.txt") -> String {
        """
        job "web" {
          update {
            max_parallel      = 2
            health_check      = "checks"
            min_healthy_time  = "1s"
            healthy_deadline  = "20s"
            progress_deadline = "60s"
            auto_revert       = true
          }
          group "web" {
            count = 5
            network {
              port "http" {}
            }
            service {
              name     = "web"
              port     = "http"
              provider = "nomad"
              check {
                type     = "http"
                path     = "\(checkPath)"
                interval = "1s"
                timeout  = "1s"
              }
            }
            task "server" {
              driver = "raw_exec"
              env {
                RELEASE = "\(release)"
              }
              config {
                command = "/bin/sh"
                args    = ["-c", "echo $RELEASE > $NOMAD_TASK_DIR/version.txt; exec python3 -m http.server $NOMAD_PORT_http --bind 127.0.0.1 --directory $NOMAD_TASK_DIR"]
              }
              kill_timeout = "1s"
              resources {
                cpu    = 20
                memory = 40
              }
            }
          }
        }
        """
    }

    /// What the prober saw: per sweep, how many copies answered and with which release.
    final class Observations: Sendable {
        private let sweeps = Mutex<[[String]]>([])
        func add(_ releases: [String]) { sweeps.withLock { $0.append(releases) } }
        var all: [[String]] { sweeps.withLock { $0 } }
        var fewestAnswering: Int { all.map(\.count).min() ?? 0 }
    }

    /// The host ports of the job's allocations that should be running.
    static func ports(_ api: HTTPClient) async -> [Int] {
        guard let response = try? await api.send(.get, "/v1/job/web/allocations"), response.status.code == 200,
              let list = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]]
        else { return [] }
        var ports: [Int] = []
        for stub in list where stub["DesiredStatus"] as? String == "run" && stub["ClientStatus"] as? String == "running" {
            guard let id = stub["ID"] as? String, let detail = try? await api.send(.get, "/v1/allocation/\(id)"),
                  let object = try? JSONSerialization.jsonObject(with: Data(detail.body)) as? [String: Any],
                  let allocated = object["Ports"] as? [[String: Any]], let port = allocated.first?["Value"] as? Int
            else { continue }
            ports.append(port)
        }
        return ports
    }

    /// Probes every running copy's health endpoint; the releases of those that answered.
    static func sweep(_ api: HTTPClient) async -> [String] {
        var answers: [String] = []
        for port in await ports(api) {
            guard let client = try? HTTPClient(address: "http://127.0.0.1:\(port)", settings: HTTPClientSettings(connectTimeout: .milliseconds(500), readTimeout: .seconds(1), unreachableHint: nil)),
                  let response = try? await client.send(.get, "/version.txt"), response.status.code == 200
            else { continue }
            answers.append(String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return answers
    }

    /// Runs `roost job run` on its own thread while `observations` are taken; returns its outcome.
    static func runWhileProbing(
        _ agent: DevAgentProcess, _ file: String, api: HTTPClient, into observations: Observations
    ) async throws -> DevAgentProcess.CommandOutcome {
        let outcome = Mutex<DevAgentProcess.CommandOutcome?>(nil)
        let failure = Mutex<String?>(nil)
        let thread = Thread {
            do {
                let result = try agent.roost("job", "run", file)
                outcome.withLock { $0 = result }
            } catch {
                failure.withLock { $0 = "\(error)" }
                outcome.withLock { $0 = DevAgentProcess.CommandOutcome(status: -1, output: "", errors: "\(error)") }
            }
        }
        thread.start()
        while outcome.withLock({ $0 }) == nil {
            observations.add(await sweep(api))
            try await Task.sleep(for: .milliseconds(100))
        }
        return try #require(outcome.withLock { $0 })
    }

    @Test(.timeLimit(.minutes(5)))
    func aRollingUpdateKeepsThreeOfFiveServingAndABadVersionIsRevertedByItself() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else {
            print("RollingUpdateEndToEndTests skipped: needs python3 for the tasks' HTTP server")
            return
        }
        let agent = try DevAgentProcess()
        defer { agent.stop() }
        let api = try HTTPClient(address: agent.address)

        let first = try agent.roost("job", "run", try agent.jobFile("v1.hcl", Self.job(release: "1")))
        try #require(first.status == 0, "\(first.output)\(first.errors)")
        let settled = await waitFor(within: .seconds(60)) { await Self.sweep(api) == Array(repeating: "1", count: 5) }
        try #require(settled, "version 1 never had 5 copies answering")

        // A new version rolls two at a time.
        let rolling = Observations()
        let second = try await Self.runWhileProbing(agent, try agent.jobFile("v2.hcl", Self.job(release: "2")), api: api, into: rolling)
        #expect(second.status == 0, "job run of version 2: \(second.output)\(second.errors)")
        let done = await waitFor(within: .seconds(30)) { await Self.sweep(api) == Array(repeating: "2", count: 5) }
        #expect(done, "version 2 did not end with 5 copies answering: \(rolling.all.last ?? [])")
        print("RollingUpdateEndToEndTests: rolling to version 2: \(rolling.all.count) sweeps, fewest answering \(rolling.fewestAnswering)")
        #expect(rolling.fewestAnswering >= 3, "a sweep saw fewer than 3 copies answering: \(rolling.all.filter { $0.count < 3 })")
        #expect(rolling.all.contains { Set($0) == ["1", "2"] }, "the prober never saw both versions at once: was it a rolling update?")

        // A version whose check never passes: the deployment fails, job run says so, and the
        // job is rolled back to version 2 by itself.
        let failing = Observations()
        let bad = try await Self.runWhileProbing(agent, try agent.jobFile("v3.hcl", Self.job(release: "3", checkPath: "/missing")), api: api, into: failing)
        #expect(bad.status != 0, "job run of a version that never gets healthy must fail: \(bad.output)")
        #expect((bad.output + bad.errors).lowercased().contains("fail"), "\(bad.output)\(bad.errors)")
        let reverted = await waitFor(within: .seconds(90)) { await Self.sweep(api) == Array(repeating: "2", count: 5) }
        let afterRevert = await Self.sweep(api)
        #expect(reverted, "the job did not return to 5 copies of version 2: \(afterRevert)")
        print("RollingUpdateEndToEndTests: bad version 3: \(failing.all.count) sweeps, fewest answering \(failing.fewestAnswering)")
        #expect(failing.fewestAnswering >= 3, "a sweep saw fewer than 3 copies answering: \(failing.all.filter { $0.count < 3 })")
        let deployments = try agent.roost("deployment", "list")
        #expect(deployments.output.contains("failed"), "\(deployments.output)")
    }

    /// Polls `condition` every 200 ms until it holds or `limit` passes.
    func waitFor(within limit: Duration, _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }
}
