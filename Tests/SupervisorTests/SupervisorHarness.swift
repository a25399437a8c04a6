import ClusterModel
import Foundation
import Platform
import Supervision
import Testing

@testable import Supervisor

/// A Supervisor on a temporary data directory with its own cgroup parent, and the helpers the
/// tests share. `finish()` stops everything and checks that no process or cgroup is left.
struct SupervisorHarness {
    let supervisor: Supervisor
    let dataDirectory: String
    let cgroupParent: String
    let node: Node

    static var isRoot: Bool { getuid() == 0 }

    init(configure: (inout SupervisorSettings) -> Void = { _ in }) throws {
        dataDirectory = FileManager.default.temporaryDirectory.path + "/roost-supervisor-\(UUID().uuidString.prefix(8))"
        cgroupParent = "roost-test-\(UUID().uuidString.prefix(8).lowercased())"
        node = NodeFingerprinter.node(id: NodeID(uuid: "00000000-0000-4000-8000-000000000001"), name: "test-node", fingerprint: Fingerprint.probe())
        var settings = SupervisorSettings(dataDirectory: dataDirectory, node: node, cgroupParent: cgroupParent, usesCgroups: Self.isRoot)
        configure(&settings)
        supervisor = try Supervisor(settings: settings)
    }

    /// Runs `body` with a fresh harness and always finishes it, also when the body fails early
    /// (a failed `#require`), so no task process or cgroup outlives a test.
    static func run(configure: (inout SupervisorSettings) -> Void = { _ in }, _ body: (SupervisorHarness) async throws -> Void) async throws {
        let harness = try SupervisorHarness(configure: configure)
        do {
            try await body(harness)
        } catch {
            await harness.finish()
            throw error
        }
        await harness.finish()
    }

    /// Stops everything, then checks nothing of the tests survived, and removes the data.
    func finish() async {
        await supervisor.shutdown()
        if Self.isRoot, let manager = CgroupManager(parent: cgroupParent) {
            #expect(manager.taskCgroupNames().isEmpty, "no task cgroup is left behind")
            #expect(manager.removeParentIfEmpty())
            // Nor the parent the OCI runtime made in hierarchies Roost does not manage.
            let hierarchies = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? []
            let left = hierarchies.map { "/sys/fs/cgroup/\($0)/\(cgroupParent)" }.filter { FileManager.default.fileExists(atPath: $0) }
            #expect(left.isEmpty, "cgroup parents left: \(left)")
        }
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    static func allocation(
        type: JobType = .batch, tasks: [TaskSpec], restart: RestartPolicy = RestartPolicy(attempts: 0, interval: .seconds(60), delay: .milliseconds(50), mode: .fail),
        ports: [AllocatedPort] = []
    ) -> Allocation {
        let group = GroupSpec(name: "group", tasks: tasks, restart: restart, reschedule: nil)
        let job = JobSpec(id: "job-\(UUID().uuidString.prefix(4).lowercased())", type: type, groups: [group])
        return Allocation(
            id: AllocationID(uuid: UUID().uuidString.lowercased()), evaluationID: EvaluationID(uuid: UUID().uuidString.lowercased()),
            nodeID: NodeID(uuid: "00000000-0000-4000-8000-000000000001"), nodeName: "test-node", job: job, jobVersion: 0,
            groupName: "group", index: 0, taskResources: Dictionary(uniqueKeysWithValues: tasks.map { ($0.name, $0.resources) }),
            ports: ports
        )
    }

    static func task(
        _ name: String, _ command: String, _ args: [String] = [], memoryMiB: Int = 64, killTimeout: Duration = .seconds(5),
        env: [String: String] = [:], logs: LogConfig = LogConfig(), templates: [TemplateSpec] = []
    ) -> TaskSpec {
        TaskSpec(
            name: name, driver: "raw_exec",
            config: ["command": .string(command), "args": .list(args.map { .string($0) })], env: env,
            resources: Resources(cpuMHz: 100, memoryMiB: memoryMiB), killTimeout: killTimeout, logs: logs, templates: templates
        )
    }

    /// Polls the allocation's status until `condition` holds or `seconds` pass; returns the last
    /// status. The bound is generous: the whole test suite shares two cores.
    @discardableResult
    func waitFor(
        _ id: AllocationID, seconds: Double = 60, _ what: String, _ condition: (AllocationUpdate) -> Bool
    ) async -> AllocationUpdate? {
        let deadline = Date().addingTimeInterval(seconds)
        var last: AllocationUpdate?
        while Date() < deadline {
            last = await supervisor.status(of: id)
            if let last, condition(last) { return last }
            try? await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting for: \(what); last status \(String(describing: last?.clientStatus)) \(String(describing: last?.taskStates.mapValues { $0.events.map(\.message) }))")
        return last
    }

    /// Polls a file-based condition with a deadline.
    func eventually(seconds: Double = 60, _ what: String, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting for: \(what)")
        return false
    }

    func logText(_ id: AllocationID, task: String, stream: LogStream = .stdout) async -> String {
        guard let reader = try? await supervisor.logReader(allocation: id, task: task, stream: stream) else { return "" }
        return String(decoding: reader.read(from: 0).bytes, as: UTF8.self)
    }

    func cgroup(_ id: AllocationID, task: String) -> CgroupHandle? {
        CgroupManager(parent: cgroupParent)?.existing(name: CgroupNames.task(allocation: id.uuid, task: task))
    }
}
