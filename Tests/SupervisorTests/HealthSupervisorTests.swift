import ClusterModel
import Foundation
import HTTP
import Platform
import Testing

@testable import Supervisor

/// Health checks through the whole worker shell: real tasks, real probes, restarts through
/// the supervision core, and the verdict in the allocation's updates.
@Suite struct HealthSupervisorTests {
    /// A service allocation whose task `web` sleeps, with `checks` on its service, its port
    /// "http" mapped to `port` (a server the test runs), and a fast `update` block.
    static func allocation(
        checks: [CheckSpec], port: Int, update: UpdateStrategy = UpdateStrategy(minHealthyTime: .seconds(1), healthyDeadline: .seconds(60)),
        restart: RestartPolicy = RestartPolicy(attempts: 5, interval: .seconds(600), delay: .milliseconds(50), mode: .fail)
    ) -> Allocation {
        var task = SupervisorHarness.task("web", "/bin/sleep", ["300"])
        task.services = [ServiceSpec(name: "web-svc", portLabel: "http", checks: checks)]
        let group = GroupSpec(name: "group", tasks: [task], restart: restart, reschedule: nil, update: update)
        let job = JobSpec(id: "job-\(UUID().uuidString.prefix(4).lowercased())", type: .service, groups: [group])
        return Allocation(
            id: AllocationID(uuid: UUID().uuidString.lowercased()), evaluationID: EvaluationID(uuid: UUID().uuidString.lowercased()),
            nodeID: NodeID(uuid: "00000000-0000-4000-8000-000000000001"), nodeName: "test-node", job: job, jobVersion: 0,
            groupName: "group", index: 0, taskResources: ["web": task.resources],
            ports: [AllocatedPort(label: "http", value: port)])
    }

    static func http(_ name: String, restart: CheckSpec.CheckRestart? = nil) -> CheckSpec {
        CheckSpec(name: name, type: "http", path: "/health", interval: .seconds(1), timeout: .seconds(2), checkRestart: restart)
    }

    @Test func aTaskWhoseHTTPCheckKeepsFailingIsRestartedByCheckRestart() async throws {
        try await HealthProberTests.withServer({ _ in .text("not ready", status: .internalServerError) }) { port in
            try await SupervisorHarness.run { harness in
                let allocation = Self.allocation(
                    checks: [Self.http("alive", restart: CheckSpec.CheckRestart(limit: 2, grace: .zero))], port: port)
                await harness.supervisor.run(allocation)
                let restarted = await harness.waitFor(allocation.id, "the failing check restarts the task") {
                    ($0.taskStates["web"]?.restarts ?? 0) >= 1 && $0.taskStates["web"]?.state == .running
                }
                let state = try #require(restarted?.taskStates["web"])
                let signalled = try #require(state.events.first { $0.kind == .restartSignaled })
                #expect(signalled.message.contains("Check \"alive\" of service \"web-svc\""))
                #expect(signalled.message.contains("HTTP 500: not ready"))
                #expect(state.events.contains { $0.kind == .restarting })
            }
        }
    }

    @Test func aServiceWhoseChecksPassIsReportedHealthyWithItsChecksVisible() async throws {
        try await HealthProberTests.withServer({ _ in .text("ok") }) { port in
            try await SupervisorHarness.run { harness in
                let script = CheckSpec(
                    name: "env", type: "script", command: "/bin/sh", args: ["-c", "echo in-$NOMAD_TASK_NAME-$(basename $PWD)"],
                    interval: .seconds(1), timeout: .seconds(5))
                let allocation = Self.allocation(checks: [Self.http("alive"), script], port: port)
                let started = Timestamp(nanosecondsSinceEpoch: ClockSource.wallNanosecondsSinceEpoch())
                await harness.supervisor.run(allocation)
                let healthy = await harness.waitFor(allocation.id, "the allocation is healthy") { $0.deploymentStatus?.healthy != nil }
                #expect(healthy?.deploymentStatus?.healthy == true)
                let decidedAt = try #require(healthy?.deploymentStatus?.timestamp)
                #expect(decidedAt - started >= .seconds(1), "not before min_healthy_time")
                let checks = healthy?.taskStates["web"]?.checks ?? []
                #expect(checks.map(\.name) == ["alive", "env"])
                #expect(checks.allSatisfy { $0.status == .passing })
                #expect(checks.first?.output == "HTTP 200: ok")
                #expect(checks.last?.output == "in-web-web", "the script ran in the task's environment and directory")
            }
        }
    }

    @Test func aServiceWhoseCheckNeverPassesIsReportedUnhealthyAtTheDeadline() async throws {
        try await HealthProberTests.withServer({ _ in .text("down", status: HTTPStatus(code: 503)) }) { port in
            try await SupervisorHarness.run { harness in
                let allocation = Self.allocation(
                    checks: [Self.http("alive")], port: port,
                    update: UpdateStrategy(minHealthyTime: .seconds(1), healthyDeadline: .seconds(6)))
                await harness.supervisor.run(allocation)
                await harness.waitFor(allocation.id, "the check reports the failure") {
                    $0.taskStates["web"]?.checks?.first == ServiceCheckStatus(
                        name: "alive", serviceName: "web-svc", type: "http", status: .critical, output: "HTTP 503: down",
                        since: $0.taskStates["web"]?.checks?.first?.since)
                }
                let decided = await harness.waitFor(allocation.id, "the allocation is unhealthy") { $0.deploymentStatus?.healthy != nil }
                let description = decided?.deploymentStatus?.description ?? ""
                #expect(decided?.deploymentStatus?.healthy == false)
                #expect(description.hasPrefix("Not healthy within the healthy deadline of 6s: "), "\(description)")
                #expect(description.contains("check \"alive\" of service \"web-svc\" is critical: HTTP 503: down"), "\(description)")
                #expect(decided?.clientStatus == .running, "an unhealthy allocation keeps running; the deployment decides")
            }
        }
    }

    @Test func anInPlaceUpdateToAnotherDeploymentJudgesTheAllocationAgain() async throws {
        try await HealthProberTests.withServer({ _ in .text("ok") }) { port in
            try await SupervisorHarness.run { harness in
                var allocation = Self.allocation(checks: [Self.http("alive")], port: port)
                allocation.deploymentID = DeploymentID(uuid: "aaaaaaaa-0000-4000-8000-000000000001")
                await harness.supervisor.run(allocation)
                let first = await harness.waitFor(allocation.id, "healthy for the first deployment") { $0.deploymentStatus?.healthy == true }
                let firstTime = try #require(first?.deploymentStatus?.timestamp)
                allocation.deploymentID = DeploymentID(uuid: "bbbbbbbb-0000-4000-8000-000000000002")
                allocation.modifyIndex += 1
                await harness.supervisor.run(allocation)
                let reset = await harness.supervisor.status(of: allocation.id)
                #expect(reset?.deploymentStatus == nil, "the new deployment has no verdict yet")
                let second = await harness.waitFor(allocation.id, "healthy for the second deployment") { $0.deploymentStatus?.healthy == true }
                #expect((second?.deploymentStatus?.timestamp ?? firstTime) > firstTime)
                #expect(second?.taskStates["web"]?.restarts == 0, "the task kept running")
            }
        }
    }
}
