import ClusterModel
import Foundation
@testable import Manager
import Platform
import StateStore
import Supervisor
import Testing
@testable import Worker

/// A dispatched job's payload reaches a remote worker inside the allocation's job and is in
/// the task's `local/` file before the task starts; its meta is in the task's environment.
@Suite struct DispatchPayloadDeliveryTests {
    /// A batch task that succeeds only when its payload file and its meta are what was dispatched.
    static func resizeJob() -> JobSpec {
        var job = RemoteManagerLinkTests.job(
            "resize", type: .batch, command: "/bin/sh",
            args: ["-c", #"test "$(cat local/in/input.txt)" = "cat.png" && test "$NOMAD_META_size" = "640x480""#])
        job.parameterized = ParameterizedConfig(payload: .required, requiredMeta: ["size"])
        job.groups[0].tasks[0].dispatchPayload = DispatchPayloadConfig(file: "in/input.txt")
        return job
    }

    @Test func aRemoteWorkerWritesThePayloadFileBeforeTheTaskStarts() async throws {
        let side = try await RemoteManagerLinkTests.ManagerSide()
        let identity = side.workerIdentity()
        let link = side.link(for: identity)
        let node = RemoteManagerLinkTests.node(for: identity)
        let directory = FileManager.default.temporaryDirectory.path + "/roost-dispatch-\(UUID().uuidString.prefix(8))"
        // No cgroups: what is tested is where the payload lands, not isolation.
        let supervisor = try Supervisor(settings: SupervisorSettings(dataDirectory: directory, node: node, usesCgroups: false))
        let worker = WorkerAgent(node: node, supervisor: supervisor, link: link)
        await worker.start()

        _ = try await side.manager.register(Self.resizeJob())
        let good = try await side.manager.dispatch(DispatchRequest(jobID: "resize", payload: Array("cat.png".utf8), meta: ["size": "640x480"]))
        let bad = try await side.manager.dispatch(DispatchRequest(jobID: "resize", payload: Array("dog.png".utf8), meta: ["size": "640x480"]))
        let state = try await side.state("both children finished") { state in
            [good.jobID, bad.jobID].allSatisfy { id in state.allocations(jobID: id).contains { $0.clientStatus.isTerminal } }
        }
        let goodAllocation = try #require(state.allocations(jobID: good.jobID).first)
        #expect(goodAllocation.clientStatus == .complete, "\(goodAllocation.clientDescription)")
        // The task's exit code reflects the payload: another payload fails the same check.
        #expect(state.allocations(jobID: bad.jobID).first?.clientStatus == .failed)
        let file = AllocationDirectory(dataDirectory: directory, allocationID: goodAllocation.id).localDirectory("t") + "/in/input.txt"
        #expect(FileIO.readText(file) == "cat.png")

        await worker.shutDown()
        await link.close()
        await side.tearDown()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
