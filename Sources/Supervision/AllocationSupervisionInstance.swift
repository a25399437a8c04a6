import ClusterModel

/// All tasks of one allocation, and the rules that bind them: one failed task kills its
/// siblings ("Sibling Task Failed"), a dead leader stops the others, and the tasks' states
/// combine into one client status. Like the task core it is pure; the shell feeds it events.
public struct AllocationSupervisionInstance: Sendable {
    /// Task cores by name, in the order the group declares them.
    public private(set) var tasks: [String: TaskSupervisionInstance]
    public let taskOrder: [String]
    public private(set) var lastReport: AllocationStatusReport
    /// Whether the tasks are being (or were) stopped as a whole.
    public private(set) var isStopping = false

    public init(tasks settings: [TaskSupervisionSettings]) {
        var tasks: [String: TaskSupervisionInstance] = [:]
        var order: [String] = []
        for setting in settings where tasks[setting.taskName] == nil {
            tasks[setting.taskName] = TaskSupervisionInstance(settings: setting)
            order.append(setting.taskName)
        }
        self.tasks = tasks
        self.taskOrder = order
        let states = tasks.mapValues(\.state)
        let (status, description) = AllocationStatusReport.combine(states)
        lastReport = AllocationStatusReport(clientStatus: status, clientDescription: description, taskStates: states)
    }

    /// The cores for every task of `allocation`'s group; nil when the group is not in its job.
    public init?(allocation: Allocation, maximumKillTimeout: Duration = TaskSupervisionSettings.defaultMaximumKillTimeout) {
        guard let group = allocation.group else { return nil }
        self.init(
            tasks: group.tasks.map {
                TaskSupervisionSettings(task: $0, group: group, jobType: allocation.job.type, maximumKillTimeout: maximumKillTimeout)
            }
        )
    }

    /// Whether every task ended for good: nothing of this allocation will run again.
    public var isFinished: Bool { tasks.values.allSatisfy(\.isDead) }

    // MARK: Events

    public mutating func start(now: Timestamp) -> [AllocationSupervisionDirective] {
        var directives: [AllocationSupervisionDirective] = []
        for name in taskOrder {
            directives += forward(name) { $0.start(now: now) }
        }
        return finish(directives, now: now)
    }

    public mutating func spawned(task: String, pid: Int32, now: Timestamp) -> [AllocationSupervisionDirective] {
        finish(forward(task) { $0.spawned(pid: pid, now: now) }, now: now)
    }

    public mutating func driverNote(task: String, message: String, now: Timestamp) -> [AllocationSupervisionDirective] {
        finish(forward(task) { $0.driverNote(message, now: now) }, now: now)
    }

    public mutating func spawnFailed(task: String, message: String, isSetupFailure: Bool = false, now: Timestamp)
        -> [AllocationSupervisionDirective]
    {
        finish(forward(task) { $0.spawnFailed(message: message, isSetupFailure: isSetupFailure, now: now) }, now: now)
    }

    public mutating func exited(task: String, exit: TaskExit, now: Timestamp) -> [AllocationSupervisionDirective] {
        finish(forward(task) { $0.exited(exit, now: now) }, now: now)
    }

    public mutating func timerFired(task: String, timer: TaskTimer, now: Timestamp) -> [AllocationSupervisionDirective] {
        finish(forward(task) { $0.timerFired(timer, now: now) }, now: now)
    }

    /// Restart one running task because a service check found it unhealthy (`check_restart`);
    /// the restart counts against the task's `restart` policy.
    public mutating func restartRequested(task: String, message: String, now: Timestamp) -> [AllocationSupervisionDirective] {
        guard !isStopping else { return [] }
        return finish(forward(task) { $0.restartRequested(message: message, now: now) }, now: now)
    }

    /// Stop every task (job stop, node shutdown).
    public mutating func stop(now: Timestamp) -> [AllocationSupervisionDirective] {
        isStopping = true
        var directives: [AllocationSupervisionDirective] = []
        for name in taskOrder {
            directives += forward(name) { $0.kill(reason: .stopRequested, now: now) }
        }
        return finish(directives, now: now)
    }

    // MARK: Helpers

    private mutating func forward(
        _ name: String, _ body: (inout TaskSupervisionInstance) -> [TaskSupervisionDirective]
    ) -> [AllocationSupervisionDirective] {
        guard var instance = tasks[name] else { return [] }
        let directives = body(&instance)
        tasks[name] = instance
        return directives.compactMap { directive in
            if case .report = directive { return nil }
            return .task(name, directive)
        }
    }

    /// Applies the rules between tasks after an event, then adds one report if anything changed.
    private mutating func finish(_ directives: [AllocationSupervisionDirective], now: Timestamp) -> [AllocationSupervisionDirective] {
        var directives = directives
        if !isStopping {
            if let failed = taskOrder.first(where: { tasks[$0]?.isDead == true && tasks[$0]?.state.failed == true }) {
                isStopping = true
                for name in taskOrder where name != failed {
                    directives += forward(name) { $0.kill(reason: .siblingFailed(task: failed), now: now) }
                }
            } else if let leader = taskOrder.first(where: { tasks[$0]?.settings.isLeader == true && tasks[$0]?.isDead == true }) {
                isStopping = true
                for name in taskOrder where name != leader {
                    directives += forward(name) { $0.kill(reason: .leaderDead(task: leader), now: now) }
                }
            }
        }
        let states = tasks.mapValues(\.state)
        let (status, description) = AllocationStatusReport.combine(states)
        let report = AllocationStatusReport(clientStatus: status, clientDescription: description, taskStates: states)
        if report != lastReport {
            lastReport = report
            directives.append(.report(report))
        }
        return directives
    }
}
