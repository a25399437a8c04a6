import ClusterModel

/// What the lifecycle core needs to know about one task, validated once: the job type decides
/// whether a clean exit completes the task, the policy how failures are retried, and the kill
/// settings how a stop is carried out.
public struct TaskSupervisionSettings: Sendable, Hashable {
    public var taskName: String
    public var jobType: JobType
    public var restartPolicy: RestartPolicy
    /// Upper-case with the `SIG` prefix (`SIGTERM`, `SIGINT`); the shell maps it to a number.
    public var killSignal: String
    public var killTimeout: Duration
    /// A leader's death stops the other tasks of its allocation.
    public var isLeader: Bool

    public init(
        taskName: String, jobType: JobType, restartPolicy: RestartPolicy, killSignal: String = "",
        killTimeout: Duration = TaskSpec.defaultKillTimeout, isLeader: Bool = false
    ) {
        self.taskName = taskName
        self.jobType = jobType
        self.restartPolicy = restartPolicy
        self.killSignal = Self.normalizedSignal(killSignal)
        self.killTimeout = killTimeout < .zero ? .zero : killTimeout
        self.isLeader = isLeader
    }

    /// Settings for `task` as it appears in `group` of a job of type `jobType`: the task's own
    /// restart policy wins over the group's. The worker caps `kill_timeout` at
    /// `maximumKillTimeout`, so a job cannot make a stop (or an agent shutdown) wait for days.
    public init(task: TaskSpec, group: GroupSpec, jobType: JobType, maximumKillTimeout: Duration = Self.defaultMaximumKillTimeout) {
        self.init(
            taskName: task.name, jobType: jobType, restartPolicy: task.restart ?? group.restart,
            killSignal: task.killSignal, killTimeout: min(task.killTimeout, maximumKillTimeout), isLeader: task.leader
        )
    }

    /// Nomad clients cap kill timeouts at 30 s by default (`max_kill_timeout`).
    public static let defaultMaximumKillTimeout: Duration = .seconds(30)

    /// The signal every stop starts with when the job does not name one.
    public static let defaultKillSignal = "SIGTERM"

    /// `term`, `SIGTERM` and `TERM` all mean SIGTERM; an empty name means the default.
    static func normalizedSignal(_ name: String) -> String {
        let trimmed = name.uppercased().filter { !$0.isWhitespace }
        if trimmed.isEmpty { return defaultKillSignal }
        return trimmed.hasPrefix("SIG") ? trimmed : "SIG" + trimmed
    }
}
