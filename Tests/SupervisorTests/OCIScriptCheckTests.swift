import ClusterModel
import Foundation
import Platform
import Testing

@testable import Supervisor

/// Script checks of container tasks run inside the container, as Nomad's docker driver runs
/// them: the image's files and environment, not the host's.
@Suite("Script checks in containers", .serialized, .enabled(if: OCITestImage.isAvailable, "\(OCITestImage.unavailableReason ?? "")"))
struct OCIScriptCheckTests {
    static func allocation(image: String, check: CheckSpec) -> Allocation {
        var task = OCIDriverTests.task("web", image: image, command: "/bin/sleep", args: ["300"])
        task.services = [ServiceSpec(name: "web-svc", checks: [check])]
        let group = GroupSpec(
            name: "group", tasks: [task], restart: RestartPolicy(attempts: 0, interval: .seconds(60), delay: .milliseconds(50), mode: .fail),
            reschedule: nil, update: UpdateStrategy(minHealthyTime: .seconds(1), healthyDeadline: .seconds(60)))
        let job = JobSpec(id: "job-\(UUID().uuidString.prefix(4).lowercased())", type: .service, groups: [group])
        return Allocation(
            id: AllocationID(uuid: UUID().uuidString.lowercased()), evaluationID: EvaluationID(uuid: UUID().uuidString.lowercased()),
            nodeID: NodeID(uuid: "00000000-0000-4000-8000-000000000001"), nodeName: "test-node", job: job, jobVersion: 0,
            groupName: "group", index: 0, taskResources: ["web": task.resources])
    }

    @Test("a passing script check sees the image's files and environment, and makes the allocation healthy")
    func passingCheckRunsInside() async throws {
        try await SupervisorHarness.run { harness in
            let layout = try OCITestImage.layout(in: harness.dataDirectory, marker: "inside-the-image")
            let check = CheckSpec(
                name: "inside", type: "script", command: "/bin/sh", args: ["-c", "echo $(cat /etc/marker)-$FROM_IMAGE"],
                interval: .seconds(1), timeout: .seconds(5))
            let allocation = Self.allocation(image: "oci-layout:\(layout)", check: check)
            await harness.supervisor.run(allocation)
            let healthy = await harness.waitFor(allocation.id, "the allocation is judged") { $0.deploymentStatus?.healthy != nil }
            let status = healthy?.taskStates["web"]?.checks?.first
            #expect(status?.output == "inside-the-image-yes", "the check did not run inside the container: \(status?.output ?? "no output")")
            #expect(healthy?.deploymentStatus?.healthy == true)
            // Each `exec` leaves a helper of the container's pid namespace to this process (the
            // subreaper); unreaped, they pile up and keep the container's init from exiting.
            _ = await harness.eventually("the exec helpers are reaped") { ProcessReaper.containerNamespaceZombieChildren().isEmpty }
            await harness.supervisor.stop(allocation.id)
            _ = await harness.waitFor(allocation.id, "stopped") { $0.isFinished }
        }
    }

    @Test("a script check that exits 2 inside the container is critical with its output")
    func failingCheckIsCritical() async throws {
        try await SupervisorHarness.run { harness in
            let layout = try OCITestImage.layout(in: harness.dataDirectory)
            let check = CheckSpec(
                name: "broken", type: "script", command: "/bin/sh", args: ["-c", "echo no database; exit 2"],
                interval: .seconds(1), timeout: .seconds(5))
            let allocation = Self.allocation(image: "oci-layout:\(layout)", check: check)
            await harness.supervisor.run(allocation)
            let critical = await harness.waitFor(allocation.id, "the check is critical") { $0.taskStates["web"]?.checks?.first?.status == .critical }
            #expect(critical?.taskStates["web"]?.checks?.first?.output == "no database")
            await harness.supervisor.stop(allocation.id)
            _ = await harness.waitFor(allocation.id, "stopped") { $0.isFinished }
        }
    }
}
