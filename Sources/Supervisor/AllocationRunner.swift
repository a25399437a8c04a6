#if canImport(Glibc)
import Glibc
#endif
import ClusterModel
import Dispatch
import Platform
import Supervision

/// The shell around one allocation's `AllocationSupervisionInstance`: it carries out the
/// core's directives with real processes, cgroups, files and timers, and feeds the outcomes
/// back. Blocking work (spawning, emptying a cgroup) runs on a Dispatch queue so the actor's
/// executor never waits on the kernel.
actor AllocationRunner {
    let allocation: Allocation
    let directory: AllocationDirectory
    let settings: SupervisorSettings
    let cgroups: CgroupManager?
    let onUpdate: @Sendable (AllocationUpdate) -> Void
    var core: AllocationSupervisionInstance
    var processes: [String: Int32] = [:]
    var taskCgroups: [String: CgroupHandle] = [:]
    /// The oci driver, nil when the node has no OCI runtime; and the containers it runs here.
    let oci: OCIDriver?
    var containers: [String: OCIContainer] = [:]
    /// Containers a previous agent left, by task, taken over when the core first spawns the task.
    var reattaching: [String: OCIContainerRecord]
    /// The tasks that wait for their container's exit (cancelled when the runner detaches).
    var exitWatchers: [String: Task<Void, Never>] = [:]
    /// The output pumps of each task's current process, stopped when the runner detaches.
    private var pumps: [String: [TaskOutputPump]] = [:]
    /// Set once the agent left the containers running for its successor: nothing more is done.
    private(set) var isDetached = false
    private var timers: [String: [Task<Void, Never>]] = [:]
    private var pendingCleanups = 0
    private var setUp = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private(set) var latest: AllocationUpdate
    private var announcedFinished = false
    private var openPumps = 0
    /// The service checks and deployment health of the allocation (AllocationRunner+Health).
    var health = RunnerHealth()
    /// The node's bridge (nil when it cannot build one), and this allocation's place on it
    /// once its first container needed it (AllocationRunner+Network).
    let bridge: BridgeNetwork?
    var networkAttachment: BridgeAttachment?

    /// The longest timer the shell runs (a year); longer delays fire then, and the core decides.
    static let maximumTimerDelay: Duration = .seconds(365 * 24 * 3600)

    /// How often a taken-over container's exit file is looked at (its monitor is no child of
    /// this agent, so no SIGCHLD announces it).
    static let reattachedExitPollInterval: Duration = .milliseconds(200)

    /// Blocking OS work; concurrent so one slow cgroup does not hold up the others.
    private static let blockingQueue = DispatchQueue(label: "roost.supervisor.blocking", attributes: .concurrent)

    init(
        allocation: Allocation, settings: SupervisorSettings, cgroups: CgroupManager?, oci: OCIDriver? = nil,
        bridge: BridgeNetwork? = nil, reattaching: [String: OCIContainerRecord] = [:],
        onUpdate: @escaping @Sendable (AllocationUpdate) -> Void
    ) {
        self.oci = oci
        self.bridge = bridge
        self.reattaching = reattaching
        self.allocation = allocation
        self.settings = settings
        self.cgroups = cgroups
        self.onUpdate = onUpdate
        self.directory = AllocationDirectory(dataDirectory: settings.dataDirectory, allocationID: allocation.id)
        let core =
            AllocationSupervisionInstance(allocation: allocation, maximumKillTimeout: settings.maximumKillTimeout)
            ?? AllocationSupervisionInstance(tasks: [])
        self.core = core
        self.latest = AllocationUpdate(
            allocationID: allocation.id, clientStatus: core.lastReport.clientStatus,
            clientDescription: core.lastReport.clientDescription, taskStates: core.lastReport.taskStates,
            time: Self.now(), isFinished: false
        )
    }

    func pid(of task: String) -> Int32? { processes[task] }

    /// Replaces the latest update (health changes publish outside a supervision report).
    func setLatest(_ update: AllocationUpdate) { latest = update }

    /// Whether every byte the tasks wrote is in the log files and nothing more will come.
    var logsComplete: Bool { announcedFinished && openPumps == 0 }

    /// Remembers every process now in the tasks' cgroups, so that those that are orphaned and
    /// exit while their task still runs are reaped instead of lingering as zombies.
    func adoptTaskProcesses() async {
        let handles = Array(taskCgroups.values)
        guard !handles.isEmpty else { return }
        await Self.blocking {
            for handle in handles { ProcessReaper.shared.adopt(handle.processIDs()) }
        }
    }

    private func pumpEnded() {
        openPumps -= 1
    }

    var isFinished: Bool { core.isFinished && pendingCleanups == 0 }

    func start() async {
        if allocation.group == nil || core.taskOrder.isEmpty {
            latest.clientStatus = .failed
            latest.clientDescription = "The allocation's group \"\(allocation.groupName)\" has no tasks in its job"
            latest.isFinished = true
            announcedFinished = true
            onUpdate(latest)
            resumeWaiters()
            return
        }
        startHealth()
        await perform(core.start(now: Self.timestamp()))
    }

    func stop() async {
        await perform(core.stop(now: Self.timestamp()))
    }

    /// Leaves a service (or system) allocation whose tasks are all containers running for the
    /// next agent on this data directory: exit watches, timers and output pumps end, the
    /// containers, their monitors, cgroups and records stay. Returns false (and does nothing)
    /// for any other allocation, which the caller stops instead.
    func detach() -> Bool {
        guard !core.isFinished, !containers.isEmpty, allocation.job.type == .service || allocation.job.type == .system,
            let group = allocation.group, group.tasks.allSatisfy({ OCIDriver.driverNames.contains($0.driver) })
        else { return false }
        isDetached = true
        exitWatchers.values.forEach { $0.cancel() }
        exitWatchers = [:]
        for handles in timers.values { handles.forEach { $0.cancel() } }
        timers = [:]
        processes = [:]
        pumps.values.forEach { $0.forEach { $0.stop() } }
        pumps = [:]
        stopHealth()
        announcedFinished = true
        resumeWaiters()
        return true
    }

    func waitUntilFinished() async {
        if announcedFinished { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    // MARK: Events from the OS

    func processExited(task: String, pid: Int32, status: ProcessExitStatus) async {
        guard !isDetached, processes[task] == pid else { return }
        exitWatchers[task] = nil
        processes[task] = nil
        let oomKilled = (taskCgroups[task]?.oomKillCount() ?? 0) > 0
        let exit = TaskExit(code: status.code, signal: status.signal, oomKilled: oomKilled)
        await perform(core.exited(task: task, exit: exit, now: Self.timestamp()))
    }

    private func timerFired(task: String, timer: TaskTimer) async {
        await perform(core.timerFired(task: task, timer: timer, now: Self.timestamp()))
    }

    // MARK: Directives

    /// Runs one batch of directives. A report in the batch is published first, with the core's
    /// current state: directives such as `spawn` feed new events to the core (nested batches
    /// publish their own reports), so publishing afterwards could overwrite a newer state with
    /// an older one.
    func perform(_ directives: [AllocationSupervisionDirective]) async {
        guard !isDetached else { return }
        if directives.contains(where: { if case .report = $0 { true } else { false } }) {
            publish(core.lastReport)
        }
        for case .task(let task, let taskDirective) in directives {
            await perform(taskDirective, for: task)
        }
        finishIfDone()
    }

    private func publish(_ report: AllocationStatusReport) {
        latest.clientStatus = report.clientStatus
        latest.clientDescription = report.clientDescription
        latest.taskStates = withChecks(report.taskStates)
        latest.deploymentStatus = health.snapshot?.verdict
        latest.time = Self.now()
        // Only `finishIfDone` declares the allocation finished: cleanups of this batch are still to run.
        latest.isFinished = announcedFinished
        onUpdate(latest)
        health.watcher?.observe(report.taskStates)
    }

    private func perform(_ directive: TaskSupervisionDirective, for task: String) async {
        switch directive {
        case .spawn:
            await spawn(task)
        case .signal(let name):
            if let pid = processes[task] {
                ProcessSignals.send(ProcessSignals.number(named: name) ?? SIGTERM, toGroupOf: pid)
            }
        case .killAll:
            let pid = processes[task]
            let cgroup = taskCgroups[task]
            await Self.blocking {
                if let cgroup {
                    ProcessReaper.shared.adopt(cgroup.killAll())
                } else if let pid {
                    ProcessSignals.send(SIGKILL, toGroupOf: pid)
                }
            }
        case .cleanUp:
            await cleanUp(task)
        case .scheduleTimer(let timer, let delay):
            // A job's restart delay is user input: cap it so the sleep cannot overflow.
            let bounded = min(delay, Self.maximumTimerDelay)
            let handle = Task { [weak self] in
                // Lives until the delay is over, a newer timer of the task replaces it, or the
                // allocation finishes (then cancelled).
                try? await Task.sleep(for: bounded)
                if Task.isCancelled { return }
                await self?.timerFired(task: task, timer: timer)
            }
            // Only the newest timer of a task can still be current in the core; older ones are stale.
            timers[task]?.forEach { $0.cancel() }
            timers[task] = [handle]
        case .report:
            break
        }
    }

    private func cleanUp(_ task: String) async {
        if let container = containers.removeValue(forKey: task), let oci {
            // The runtime removes its state and the container's cgroup; the OOM count was read at exit.
            pendingCleanups += 1
            await oci.remove(container)
            pendingCleanups -= 1
        }
        guard let cgroup = taskCgroups.removeValue(forKey: task) else { return }
        pendingCleanups += 1
        await Self.blocking {
            ProcessReaper.shared.adopt(cgroup.killAll())
            try? cgroup.remove()
        }
        pendingCleanups -= 1
    }

    private func spawn(_ task: String) async {
        let now = Self.timestamp()
        guard let spec = allocation.group?.tasks.first(where: { $0.name == task }) else {
            await perform(core.spawnFailed(task: task, message: "task \(task) is not in the job", isSetupFailure: true, now: now))
            return
        }
        let isContainer = OCIDriver.driverNames.contains(spec.driver)
        // A new container's task cgroup (the slowest step before the runtime: a directory per
        // hierarchy, the limits written) is made on another thread while the allocation
        // directory and the bundle are prepared here.
        let containerCgroup = isContainer && oci != nil && reattaching[task] == nil
            ? cgroupCreation(task: task, resources: allocation.taskResources[task] ?? spec.resources) : nil
        if !setUp {
            do {
                try directory.create(tasks: core.taskOrder)
                try directory.writeDispatchPayload(of: allocation.job, tasks: allocation.group?.tasks ?? [])
                setUp = true
            } catch {
                // Taken, so that the cleanup after the failed spawn removes it.
                if let containerCgroup { _ = adoptCgroup(task: task, await containerCgroup.value) }
                await perform(
                    core.spawnFailed(task: task, message: "cannot create the allocation directory: \(error)", isSetupFailure: true, now: now)
                )
                return
            }
        }
        if isContainer {
            OCIStartTrace.mark(String(allocation.id.uuid.prefix(8)), "spawn-directive")
            await spawnContainer(task, spec: spec, cgroupCreation: containerCgroup)
            return
        }
        let prepared: PreparedTask
        do {
            prepared = try TaskPreparation.prepare(
                task: spec, allocation: allocation, directory: directory, settings: settings,
                agentEnvironment: Self.agentEnvironment()
            )
        } catch {
            await perform(core.spawnFailed(task: task, message: error.message, isSetupFailure: error.isSetupFailure, now: now))
            return
        }
        let cgroup: CgroupHandle?
        switch await makeCgroup(task: task, resources: prepared.resources) {
        case .success(let handle): cgroup = handle
        case .failure(let error):
            await perform(core.spawnFailed(task: task, message: error.message, now: now))
            return
        }
        var request = prepared.request
        request.cgroupProcsFiles = cgroup?.procsFiles ?? []
        let spawnRequest = request
        // Watched in the same breath as the spawn: the housekeeping adopts (and would reap,
        // status lost) every pid of the task's cgroup, which the process joined before its exec.
        let result: Result<(SpawnedProcess, ProcessExitBox), SpawnError> = await Self.blocking {
            Result { () throws(SpawnError) in
                try ProcessReaper.shared.whileSpawning { () throws(SpawnError) in
                    let process = try ProcessSpawner.spawn(spawnRequest)
                    return (process, ProcessExitBox(watching: process.pid))
                }
            }
        }
        switch result {
        case .failure(let error):
            await perform(core.spawnFailed(task: task, message: error.message, now: Self.timestamp()))
        case .success(let (process, exit)):
            startPumps(task: task, spec: spec, standardOutput: process.standardOutput, standardError: process.standardError)
            processes[task] = process.pid
            await perform(core.spawned(task: task, pid: process.pid, now: Self.timestamp()))
            let pid = process.pid
            Task { [weak self] in
                // Delivers one exit (kept by the box until the start was reported); ends once the runner took it.
                let status = await exit.status
                await self?.processExited(task: task, pid: pid, status: status)
            }
        }
    }

    /// Creates the task's cgroup with its limits (replacing one a crashed agent left); nil
    /// without cgroups; the error message when the kernel refuses.
    func makeCgroup(task: String, resources: Resources) async -> Result<CgroupHandle?, TaskPreparationError> {
        adoptCgroup(task: task, await cgroupCreation(task: task, resources: resources).value)
    }

    /// Starts creating the task's cgroup on the blocking queue at once, without waiting for
    /// this actor; `adoptCgroup` takes the outcome. Nil inside the task without cgroups.
    func cgroupCreation(task: String, resources: Resources) -> Task<Result<CgroupHandle?, TaskPreparationError>, Never> {
        guard let cgroups else { return Task { .success(nil) } }
        let name = CgroupNames.task(allocation: allocation.id.uuid, task: task)
        let limits = CgroupLimits(
            memoryMiB: resources.memoryMiB, memoryMaxMiB: resources.memoryMaxMiB,
            cpuMHz: resources.cpuMHz, pidsMax: settings.pidsLimit
        )
        return Task.detached {
            let created: Result<CgroupHandle, FileIOError> = await Self.blocking {
                if let stale = cgroups.existing(name: name) {
                    ProcessReaper.shared.adopt(stale.killAll())
                    try? stale.remove()
                }
                return Result { () throws(FileIOError) in try cgroups.create(name: name, limits: limits) }
            }
            return created.map(Optional.some).mapError { TaskPreparationError(message: "cannot create the task's cgroup: \($0)", isSetupFailure: false) }
        }
    }

    /// Records a created cgroup as the task's (its cleanup removes it) and passes the outcome on.
    func adoptCgroup(task: String, _ created: Result<CgroupHandle?, TaskPreparationError>) -> Result<CgroupHandle?, TaskPreparationError> {
        if case .success(let handle?) = created { taskCgroups[task] = handle }
        return created
    }

    /// Copies the task's stdout and stderr into its rotated log files until both close.
    func startPumps(task: String, spec: TaskSpec, standardOutput: Int32, standardError: Int32) {
        let logConfig = spec.logs
        let maxFiles = min(max(logConfig.maxFiles, 1), settings.maximumLogFiles)
        let maxBytes = min(max(logConfig.maxFileSizeMiB, 1), settings.maximumLogFileSizeMiB) << 20
        pumps[task] = []
        for (stream, fd) in [(LogStream.stdout, standardOutput), (.stderr, standardError)] {
            let writer =
                logConfig.disabled
                ? nil
                : try? LogFileWriter(
                    directory: directory.logsDirectory, baseName: "\(CgroupNames.component(task)).\(stream.rawValue)",
                    maxFiles: maxFiles, maxFileBytes: maxBytes
                )
            openPumps += 1
            let pump = TaskOutputPump(fd: fd, writer: writer) { [weak self] in
                // Delivers one notice; ends as soon as the runner took it.
                Task { await self?.pumpEnded() }
            }
            pump.start()
            pumps[task, default: []].append(pump)
        }
    }

    private func finishIfDone() {
        guard isFinished else { return }
        if let attachment = networkAttachment, !isDetached {
            // The allocation's network goes before it is announced finished, so nothing of it
            // is left when a stop has been reported.
            networkAttachment = nil
            pendingCleanups += 1
            Task {
                await self.releaseNetwork(attachment)
                await self.networkReleased()
            }
            return
        }
        for handles in timers.values { handles.forEach { $0.cancel() } }
        timers = [:]
        stopHealth()
        if !announcedFinished {
            announcedFinished = true
            latest.isFinished = true
            latest.time = Self.now()
            onUpdate(latest)
        }
        resumeWaiters()
    }

    private func networkReleased() {
        pendingCleanups -= 1
        finishIfDone()
    }

    private func resumeWaiters() {
        let pending = waiters
        waiters = []
        pending.forEach { $0.resume() }
    }

    // MARK: Helpers

    static func blocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            blockingQueue.async { continuation.resume(returning: body()) }
        }
    }

    static func timestamp() -> Timestamp { Timestamp(nanosecondsSinceEpoch: ClockSource.wallNanosecondsSinceEpoch()) }
    private static func now() -> Timestamp { timestamp() }

    private static func agentEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        for name in TaskEnvironment.inheritedNames {
            if let value = getenv(name) { result[name] = String(cString: value) }
        }
        return result
    }
}
