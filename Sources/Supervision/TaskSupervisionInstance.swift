import ClusterModel

/// The life of one task on a worker, as a pure state machine: the shell reports what happened
/// (with the time it happened) and gets back what to do next. Keeping the restart and kill
/// rules here, away from processes and clocks, lets tests run years of restarts in
/// microseconds and replay any sequence exactly.
public struct TaskSupervisionInstance: Sendable {
    public let settings: TaskSupervisionSettings
    public private(set) var state: TaskState
    public private(set) var restartTracker: RestartTracker
    private var phase: Phase = .idle
    private var generation: UInt64 = 0
    /// Set when a stop arrives while the process is being started.
    private var pendingKill: TaskKillReason?
    /// Set while the process is killed to be started again (`check_restart`), not to stop.
    private var restartAfterKill = false

    private enum Phase: Sendable, Hashable {
        case idle
        case starting
        case running(pid: Int32)
        case waitingToRestart
        case killing(pid: Int32)
        case dead
    }

    public init(settings: TaskSupervisionSettings) {
        self.settings = settings
        self.state = TaskState()
        self.restartTracker = RestartTracker(policy: settings.restartPolicy)
    }

    /// Whether the task ended for good (completed, failed or killed).
    public var isDead: Bool { phase == .dead }
    /// The process being supervised, when one runs.
    public var pid: Int32? {
        switch phase {
        case .running(let pid), .killing(let pid): pid
        default: nil
        }
    }
    /// Whether a stop was requested or is being carried out.
    public var isStopping: Bool {
        if pendingKill != nil { return true }
        if case .killing = phase { return true }
        return false
    }

    // MARK: Events

    /// The allocation was received: start the task.
    public mutating func start(now: Timestamp) -> [TaskSupervisionDirective] {
        guard phase == .idle else { return [] }
        state.record(TaskEvent(kind: .received, time: now, message: "Task received by client"))
        phase = .starting
        return [.report(state), .spawn]
    }

    /// The process of the latest `spawn` runs as `pid`.
    public mutating func spawned(pid: Int32, now: Timestamp) -> [TaskSupervisionDirective] {
        guard phase == .starting else { return [] }
        phase = .running(pid: pid)
        state.state = .running
        state.startedAt = now
        state.record(TaskEvent(kind: .started, time: now, message: "Task started by client"))
        var directives: [TaskSupervisionDirective] = [.report(state)]
        if let reason = pendingKill {
            pendingKill = nil
            directives += kill(reason: reason, now: now)
        }
        return directives
    }

    /// A note from the driver while the task starts (see `TaskEventKind.driver`).
    public mutating func driverNote(_ message: String, now: Timestamp) -> [TaskSupervisionDirective] {
        guard phase == .starting else { return [] }
        state.record(TaskEvent(kind: .driver, time: now, message: message))
        return [.report(state)]
    }

    /// The latest `spawn` failed. Neither a setup failure (the task directory, a template) nor
    /// a driver failure (executable not found, permission denied) gets better by retrying, so
    /// the task fails at once instead of burning its restart attempts.
    public mutating func spawnFailed(message: String, isSetupFailure: Bool = false, now: Timestamp) -> [TaskSupervisionDirective] {
        guard phase == .starting else { return [] }
        pendingKill = nil
        let kind: TaskEventKind = isSetupFailure ? .setupFailure : .driverFailure
        state.record(TaskEvent(kind: kind, time: now, message: message, failsTask: true))
        return die(failed: true, now: now) + [.cleanUp]
    }

    /// The main process ended.
    public mutating func exited(_ exit: TaskExit, now: Timestamp) -> [TaskSupervisionDirective] {
        let wasKilling: Bool
        switch phase {
        case .running: wasKilling = false
        case .killing: wasKilling = true
        default: return []
        }
        generation &+= 1  // any pending kill escalation is now stale
        state.record(
            TaskEvent(
                kind: exit.oomKilled ? .oomKilled : .terminated, time: now, message: exit.summary,
                exitCode: exit.code, signal: exit.signal, oomKilled: exit.oomKilled
            )
        )
        if wasKilling && !restartAfterKill {
            state.record(TaskEvent(kind: .killed, time: now, message: "Task successfully killed"))
            return [.cleanUp] + die(failed: false, now: now)
        }
        let restartRequested = restartAfterKill
        restartAfterKill = false
        let batchLike = settings.jobType == .batch || settings.jobType == .sysbatch
        if batchLike && exit.isSuccess && !restartRequested {
            return [.cleanUp] + die(failed: false, now: now)
        }
        switch restartTracker.recordExit(now: now) {
        case .restart(let delay, let exhausted):
            phase = .waitingToRestart
            state.state = .pending
            let message =
                exhausted
                ? "Exceeded allowed attempts \(settings.restartPolicy.attempts) in interval "
                    + "\(DurationText.format(settings.restartPolicy.interval)) and mode is \"delay\": restarting in \(DurationText.format(delay))"
                : "Restart within policy: restarting in \(DurationText.format(delay))"
            state.record(TaskEvent(kind: .restarting, time: now, message: message, restartDelay: delay))
            return [.cleanUp, .report(state), .scheduleTimer(TaskTimer(purpose: .restart, generation: generation), after: delay)]
        case .giveUp:
            let message =
                "Exceeded allowed attempts \(settings.restartPolicy.attempts) in interval "
                + "\(DurationText.format(settings.restartPolicy.interval)) and mode is \"fail\""
            state.record(TaskEvent(kind: .notRestarting, time: now, message: message, failsTask: true))
            return [.cleanUp] + die(failed: true, now: now)
        }
    }

    /// A timer this core scheduled is due.
    public mutating func timerFired(_ timer: TaskTimer, now: Timestamp) -> [TaskSupervisionDirective] {
        guard timer.generation == generation else { return [] }
        switch (timer.purpose, phase) {
        case (.restart, .waitingToRestart):
            phase = .starting
            state.restarts = state.restarts < Int.max ? state.restarts + 1 : state.restarts
            state.lastRestart = now
            return [.spawn]
        case (.killEscalation, .killing):
            state.record(
                TaskEvent(
                    kind: .killing, time: now,
                    message: "Kill timeout of \(DurationText.format(settings.killTimeout)) expired: sending SIGKILL"
                )
            )
            return [.report(state), .killAll]
        default:
            return []
        }
    }

    /// Restart the running task because something outside it found it unhealthy (a service
    /// check past its `check_restart` limit): kill signal now, SIGKILL after the kill timeout,
    /// and once it exited the restart goes through the `restart` policy like a crash, so a
    /// task that never gets healthy still runs out of attempts. Ignored unless the task runs
    /// and no stop is under way.
    public mutating func restartRequested(message: String, now: Timestamp) -> [TaskSupervisionDirective] {
        guard case .running(let pid) = phase, pendingKill == nil else { return [] }
        generation &+= 1
        phase = .killing(pid: pid)
        restartAfterKill = true
        state.record(TaskEvent(kind: .restartSignaled, time: now, message: message))
        return [
            .report(state), .signal(settings.killSignal),
            .scheduleTimer(TaskTimer(purpose: .killEscalation, generation: generation), after: settings.killTimeout),
        ]
    }

    /// Stop the task: its kill signal now, SIGKILL after the kill timeout. A task waiting to
    /// restart or not started yet ends at once.
    public mutating func kill(reason: TaskKillReason, now: Timestamp) -> [TaskSupervisionDirective] {
        switch phase {
        case .dead:
            return []
        case .killing:
            // A stop overtaking a requested restart: the task now ends instead of starting again.
            if restartAfterKill {
                restartAfterKill = false
                recordKillReason(reason, now: now)
            }
            return []
        case .idle:
            recordKillReason(reason, now: now)
            return die(failed: false, now: now)
        case .starting:
            if pendingKill == nil { pendingKill = reason }
            return []
        case .waitingToRestart:
            generation &+= 1  // the restart timer is now stale
            recordKillReason(reason, now: now)
            state.record(TaskEvent(kind: .killed, time: now, message: "Task killed while waiting to restart"))
            return die(failed: false, now: now)
        case .running(let pid):
            generation &+= 1
            phase = .killing(pid: pid)
            recordKillReason(reason, now: now)
            state.record(
                TaskEvent(
                    kind: .killing, time: now,
                    message: "Sent \(settings.killSignal); SIGKILL in \(DurationText.format(settings.killTimeout)) if still running"
                )
            )
            return [
                .report(state), .signal(settings.killSignal),
                .scheduleTimer(TaskTimer(purpose: .killEscalation, generation: generation), after: settings.killTimeout),
            ]
        }
    }

    // MARK: Helpers

    private mutating func recordKillReason(_ reason: TaskKillReason, now: Timestamp) {
        switch reason {
        case .stopRequested:
            break
        case .siblingFailed(let task):
            state.record(TaskEvent(kind: .siblingFailed, time: now, message: "Task's sibling \"\(task)\" failed"))
        case .leaderDead(let task):
            state.record(TaskEvent(kind: .killing, time: now, message: "Leader task \"\(task)\" is dead"))
        }
    }

    private mutating func die(failed: Bool, now: Timestamp) -> [TaskSupervisionDirective] {
        generation &+= 1
        phase = .dead
        state.state = .dead
        state.failed = failed
        state.finishedAt = now
        return [.report(state)]
    }
}
