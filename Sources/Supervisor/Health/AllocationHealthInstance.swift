import ClusterModel
import Supervision

/// The health of one allocation on its worker, as a pure state machine: it runs the service
/// checks (through `HealthDirective.probe`), restarts tasks whose checks stay unhealthy
/// (`check_restart`), and decides once whether the allocation is healthy for its deployment
/// per the group's `update` block. The shell feeds it task states, probe results and the time.
struct AllocationHealthInstance: Sendable {
    /// How a task counts for "all tasks running".
    enum TaskRole: Sendable, Hashable {
        /// Must be running (main tasks and sidecars).
        case mustRun
        /// A prestart or poststart task that is not a sidecar: running, or finished successfully.
        case mayFinish
        /// A poststop task: runs only once the others ended.
        case ignored
    }

    private(set) var checks: [CheckInstance]
    let strategy: UpdateStrategy
    /// Whether this allocation gets a verdict: a service job's (or any deployment's)
    /// allocation whose `health_check` is not `manual`.
    let decidesHealth: Bool
    /// When the worker received the allocation; `healthy_deadline` counts from here.
    let receivedAt: Timestamp
    let taskOrder: [String]
    let taskRoles: [String: TaskRole]
    private(set) var taskStates: [String: TaskState] = [:]
    /// Since when everything the verdict needs has been healthy without a break.
    private(set) var healthySince: Timestamp?
    /// The verdict once decided; it never changes afterwards.
    private(set) var verdict: AllocationDeploymentStatus?

    init(allocation: Allocation, receivedAt: Timestamp) {
        let group = allocation.group
        checks = CheckDefinition.all(for: allocation).map(CheckInstance.init(definition:))
        strategy = group?.update ?? allocation.job.update ?? .defaults
        decidesHealth =
            (allocation.deploymentID != nil || allocation.job.type == .service) && strategy.healthCheck != .manual
                && group != nil
        self.receivedAt = receivedAt
        taskOrder = group?.tasks.map(\.name) ?? []
        var roles: [String: TaskRole] = [:]
        for task in group?.tasks ?? [] {
            switch task.lifecycle {
            case nil: roles[task.name] = .mustRun
            case let lifecycle? where lifecycle.sidecar && lifecycle.hook != .poststop: roles[task.name] = .mustRun
            case let lifecycle? where lifecycle.hook == .poststop: roles[task.name] = .ignored
            default: roles[task.name] = .mayFinish
            }
        }
        taskRoles = roles
    }

    // MARK: Events

    /// The tasks' states changed: checks of tasks that (re)started begin again, checks of
    /// tasks that stopped go idle.
    mutating func tasksChanged(_ states: [String: TaskState], now: Timestamp) -> [HealthDirective] {
        taskStates = states
        for index in checks.indices {
            if let since = runningSince(of: checks[index].definition) {
                if checks[index].activeSince != since {
                    checks[index].deactivate()
                    checks[index].activate(since: since, now: now)
                }
            } else {
                checks[index].deactivate()
            }
        }
        return advance(now: now)
    }

    /// Time passed: start due probes, time out slow ones, decide the verdict when its time came.
    mutating func advance(now: Timestamp) -> [HealthDirective] {
        var directives: [HealthDirective] = []
        for index in checks.indices {
            switch checks[index].step(now: now) {
            case nil:
                break
            case .probe(let attempt):
                if case .unsupported(let reason) = checks[index].definition.target {
                    if checks[index].record(CheckOutcome(.critical, reason), now: now) {
                        directives.append(restart(for: index))
                    }
                } else {
                    directives.append(.probe(check: index, attempt: attempt))
                }
            case .timedOut:
                if checks[index].recordTimeout(now: now) { directives.append(restart(for: index)) }
            }
        }
        evaluate(now: now)
        return directives
    }

    /// A probe answered. Late answers (the probe already timed out, the task restarted) are ignored.
    mutating func probeFinished(check index: Int, attempt: UInt64, outcome: CheckOutcome, now: Timestamp) -> [HealthDirective] {
        guard checks.indices.contains(index), checks[index].isCurrent(attempt) else { return advance(now: now) }
        var directives: [HealthDirective] = []
        if checks[index].record(outcome, now: now) { directives.append(restart(for: index)) }
        return directives + advance(now: now)
    }

    // MARK: Reading

    /// The next instant the core has something to do; nil when only an event can change anything.
    var nextWakeup: Timestamp? {
        var candidates = checks.compactMap(\.nextWakeup)
        if decidesHealth, verdict == nil {
            if let healthySince { candidates.append(healthySince + strategy.minHealthyTime) }
            if strategy.healthyDeadline > .zero { candidates.append(receivedAt + strategy.healthyDeadline) }
        }
        return candidates.min()
    }

    /// The checks as users see them, by the task that shows them.
    var checkStatusesByTask: [String: [ServiceCheckStatus]] {
        var result: [String: [ServiceCheckStatus]] = [:]
        for check in checks where (result[check.definition.displayTask]?.count ?? 0) < ServiceCheckStatus.maximumChecks {
            result[check.definition.displayTask, default: []].append(check.publicStatus)
        }
        return result
    }

    // MARK: Helpers

    /// Since when the check's task runs (for a group check: since the last of the main tasks
    /// started); nil when it does not run.
    private func runningSince(of definition: CheckDefinition) -> Timestamp? {
        let names = definition.taskName.isEmpty ? taskOrder.filter { taskRoles[$0] == .mustRun } : [definition.taskName]
        guard !names.isEmpty else { return nil }
        var latest = Timestamp(nanosecondsSinceEpoch: .min)
        for name in names {
            guard let state = taskStates[name], state.state == .running else { return nil }
            latest = max(latest, state.startedAt ?? receivedAt)
        }
        return latest
    }

    private func restart(for index: Int) -> HealthDirective {
        let check = checks[index]
        let limit = check.definition.restart?.limit ?? 1
        let message =
            "Check \"\(check.definition.name)\" of service \"\(check.definition.serviceName)\" was \(check.status.rawValue) "
            + "\(limit) time\(limit == 1 ? "" : "s") in a row (\(check.output)): restarting the task"
        let task = check.definition.taskName.isEmpty ? check.definition.displayTask : check.definition.taskName
        return .restart(task: task, message: message)
    }

    /// Decides the verdict when it is due. Healthy: everything required was healthy for
    /// `min_healthy_time` without a break. Unhealthy: a task failed, or not healthy by
    /// `healthy_deadline` after the allocation arrived.
    private mutating func evaluate(now: Timestamp) {
        guard decidesHealth, verdict == nil else { return }
        if let failed = taskOrder.first(where: { taskStates[$0]?.failed == true }) {
            decide(healthy: false, description: "Task \"\(failed)\" failed", now: now)
            return
        }
        let problem = firstProblem()
        if problem == nil {
            let since = healthySince ?? now
            healthySince = since
            if now >= since + strategy.minHealthyTime {
                decide(healthy: true, description: "", now: now)
                return
            }
        } else {
            healthySince = nil
        }
        if strategy.healthyDeadline > .zero, now >= receivedAt + strategy.healthyDeadline {
            let reason = problem ?? "healthy for less than min_healthy_time (\(DurationText.format(strategy.minHealthyTime)))"
            decide(
                healthy: false,
                description: "Not healthy within the healthy deadline of \(DurationText.format(strategy.healthyDeadline)): \(reason)",
                now: now)
        }
    }

    /// The first thing that keeps the allocation from being healthy, in words; nil when none.
    private func firstProblem() -> String? {
        for name in taskOrder {
            let state = taskStates[name]
            switch taskRoles[name] ?? .mustRun {
            case .ignored:
                continue
            case .mustRun:
                if state?.state != .running { return "task \"\(name)\" is \(state?.state.rawValue ?? "pending"), not running" }
            case .mayFinish:
                let finished = state?.state == .dead && state?.failed == false
                if state?.state != .running && !finished { return "task \"\(name)\" has neither started nor finished" }
            }
        }
        guard strategy.healthCheck == .checks else { return nil }
        for check in checks where !check.meetsRequirement {
            let output = check.output.isEmpty ? "" : ": \(check.output)"
            return "check \"\(check.definition.name)\" of service \"\(check.definition.serviceName)\" is \(check.status.rawValue)\(output)"
        }
        return nil
    }

    private mutating func decide(healthy: Bool, description: String, now: Timestamp) {
        verdict = AllocationDeploymentStatus(healthy: healthy, timestamp: now, description: description)
    }
}
