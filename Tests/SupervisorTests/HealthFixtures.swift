import ClusterModel

@testable import Supervisor

/// Allocations with service checks and an `update` block, and a simulated clock, for the
/// health tests.
enum HealthFixtures {
    static let start = Timestamp(nanosecondsSinceEpoch: 1_700_000_000_000_000_000)

    static func at(_ seconds: Double) -> Timestamp {
        start + .milliseconds(Int64(seconds * 1000))
    }

    static func check(
        _ name: String = "alive", type: String = "http", interval: Duration = .seconds(10), timeout: Duration = .seconds(2),
        initialStatus: String = "", restart: CheckSpec.CheckRestart? = nil, onUpdate: String = "require_healthy",
        successBeforePassing: Int = 0, failuresBeforeCritical: Int = 0, command: String = "", args: [String] = []
    ) -> CheckSpec {
        CheckSpec(
            name: name, type: type, command: command, args: args, path: "/health", interval: interval, timeout: timeout,
            initialStatus: initialStatus, successBeforePassing: successBeforePassing,
            failuresBeforeCritical: failuresBeforeCritical, onUpdate: onUpdate, checkRestart: restart)
    }

    static func allocation(
        checks: [CheckSpec], update: UpdateStrategy? = UpdateStrategy(minHealthyTime: .seconds(10), healthyDeadline: .seconds(60)),
        type: JobType = .service, tasks: [TaskSpec]? = nil, port: Int = 8080
    ) -> Allocation {
        let web = TaskSpec(
            name: "web", driver: "raw_exec", config: ["command": .string("/bin/true")],
            services: [ServiceSpec(name: "web", portLabel: "http", checks: checks)])
        let group = GroupSpec(
            name: "group", tasks: tasks ?? [web], restart: RestartPolicy(attempts: 2, interval: .seconds(60), delay: .seconds(1), mode: .fail),
            reschedule: nil, update: update)
        let job = JobSpec(id: "web", type: type, groups: [group])
        return Allocation(
            id: AllocationID(uuid: "11111111-1111-4111-8111-111111111111"),
            evaluationID: EvaluationID(uuid: "22222222-2222-4222-8222-222222222222"),
            nodeID: NodeID(uuid: "00000000-0000-4000-8000-000000000001"), nodeName: "node", job: job, jobVersion: 0,
            groupName: "group", index: 0, ports: [AllocatedPort(label: "http", value: port)])
    }

    static func running(since: Timestamp, restarts: Int = 0) -> TaskState {
        TaskState(state: .running, restarts: restarts, startedAt: since)
    }
}
