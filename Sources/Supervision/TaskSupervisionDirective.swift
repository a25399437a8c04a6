import ClusterModel

/// What the task core asks its shell to do. The shell carries them out in order and feeds the
/// outcomes back (`spawned`, `spawnFailed`, `exited`, `timerFired`).
public enum TaskSupervisionDirective: Sendable, Hashable {
    /// Prepare and start the task's process in a fresh cgroup; answer with `spawned` or `spawnFailed`.
    case spawn
    /// Send this signal (e.g. `SIGTERM`) to the task's process group.
    case signal(String)
    /// SIGKILL every process left in the task's cgroup.
    case killAll
    /// The main process is gone: kill anything it left in its cgroup, then remove the cgroup.
    case cleanUp
    /// Call `timerFired(timer)` after `delay`.
    case scheduleTimer(TaskTimer, after: Duration)
    /// The task's reported state changed.
    case report(TaskState)
}

/// Why a running task is being stopped; it decides the events users see.
public enum TaskKillReason: Sendable, Hashable {
    /// The allocation was stopped (job stop, shutdown, replacement).
    case stopRequested
    /// Another task of the allocation failed.
    case siblingFailed(task: String)
    /// The allocation's leader task is dead.
    case leaderDead(task: String)
}
