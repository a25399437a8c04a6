#if canImport(Glibc)
import Glibc
#endif
import ClusterModel
import Platform

/// The allocation runner's side of health: it starts a `HealthWatcher` for allocations with
/// service checks or a deployment verdict to give, feeds it task states as they are
/// published, restarts tasks through the supervision core when a check asks (so the restart
/// policy counts them), and merges check results and the verdict into its updates.
extension AllocationRunner {
    func startHealth() {
        guard health.watcher == nil else { return }
        startHealth(for: allocation)
    }

    /// A newer version of the allocation arrived (an in-place update). When it belongs to
    /// another deployment, health starts over for it: checks from their initial status, a
    /// new verdict with its own deadline.
    func allocationUpdated(_ newer: Allocation) {
        guard newer.deploymentID != health.deploymentID, health.watcher != nil || health.snapshot != nil, !latest.isFinished else {
            return
        }
        stopHealth()
        startHealth(for: newer)
        health.watcher?.observe(core.lastReport.taskStates)
        var update = latest
        update.taskStates = withChecks(core.lastReport.taskStates)
        update.deploymentStatus = nil
        setLatest(update)
        onUpdate(update)
    }

    private func startHealth(for allocation: Allocation) {
        let core = AllocationHealthInstance(allocation: allocation, receivedAt: Self.timestamp())
        health.deploymentID = allocation.deploymentID
        guard core.decidesHealth || !core.checks.isEmpty else { return }
        let prober = LiveCheckProber { [weak self] task, command, arguments in
            guard let self else { return .failure(ScriptCheckError(message: "the allocation is no longer supervised")) }
            return await self.scriptRequest(task: task, command: command, arguments: arguments)
        }
        health.epoch &+= 1
        let epoch = health.epoch
        health.snapshot = HealthSnapshot(version: 0, checksByTask: core.checkStatusesByTask, verdict: nil)
        health.watcher = HealthWatcher(
            core: core, prober: prober, clock: WallHealthClock(),
            onRestart: { [weak self] task, message in
                // Delivers one restart request; ends once the runner took it.
                Task { await self?.restartForCheck(task: task, message: message, epoch: epoch) }
            },
            onChange: { [weak self] snapshot in
                // Delivers one snapshot; ends once the runner took it (stale ones are dropped).
                Task { await self?.healthChanged(snapshot, epoch: epoch) }
            })
    }

    func stopHealth() {
        guard let watcher = health.watcher else { return }
        health.watcher = nil
        health.snapshot = nil
        Task { await watcher.stop() }
    }

    /// Task states with each task's checks attached (the checks of group services appear on
    /// the task that provides the service, or on the first main task).
    func withChecks(_ states: [String: TaskState]) -> [String: TaskState] {
        guard let checks = health.snapshot?.checksByTask, !checks.isEmpty else { return states }
        var result = states
        for (task, list) in checks where result[task] != nil {
            result[task]?.checks = list
        }
        return result
    }

    private func healthChanged(_ snapshot: HealthSnapshot, epoch: UInt64) {
        guard epoch == health.epoch, health.watcher != nil, snapshot.version > (health.snapshot?.version ?? 0), !latest.isFinished
        else { return }
        health.snapshot = snapshot
        var update = latest
        update.taskStates = withChecks(core.lastReport.taskStates)
        update.deploymentStatus = snapshot.verdict
        update.time = Self.timestamp()
        setLatest(update)
        onUpdate(update)
    }

    private func restartForCheck(task: String, message: String, epoch: UInt64) async {
        guard epoch == health.epoch, health.watcher != nil else { return }
        await perform(core.restartRequested(task: task, message: message, now: Self.timestamp()))
    }

    /// A script check's process: the task's environment, working directory and cgroup, with
    /// the command resolved like the task's own.
    func scriptRequest(task: String, command: String, arguments: [String]) -> Result<SpawnRequest, ScriptCheckError> {
        guard let spec = allocation.group?.tasks.first(where: { $0.name == task }) else {
            return .failure(ScriptCheckError(message: "task \"\(task)\" is not in the allocation's group"))
        }
        guard processes[task] != nil else {
            return .failure(ScriptCheckError(message: "task \"\(task)\" is not running"))
        }
        var agentEnvironment: [String: String] = [:]
        for name in TaskEnvironment.inheritedNames {
            if let value = getenv(name) { agentEnvironment[name] = String(cString: value) }
        }
        let (environment, interpolator) = TaskEnvironment.build(
            allocation: allocation, task: spec, directory: directory, node: settings.node, region: settings.region,
            agentEnvironment: agentEnvironment)
        let workingDirectory = directory.taskDirectory(task)
        if OCIDriver.driverNames.contains(spec.driver) {
            // Inside the container, as Nomad's docker driver runs them: the runtime's `exec`
            // joins the container's namespaces and cgroup, and the process gets the
            // container's environment and working directory.
            guard let container = containers[task], let oci else {
                return .failure(ScriptCheckError(message: "task \"\(task)\" has no running container to run the check in"))
            }
            return .success(
                SpawnRequest(
                    executable: oci.runtime.launchPath,
                    arguments: oci.runtime.globalArguments(log: nil) + ["exec", container.id, interpolator.interpolate(command)]
                        + arguments.map { interpolator.interpolate($0) },
                    environment: agentEnvironment, workingDirectory: workingDirectory, cgroupProcsFiles: []))
        }
        let executable: String
        do {
            executable = try ProcessSpawner.resolveExecutable(
                interpolator.interpolate(command), searchPath: environment["PATH"], workingDirectory: workingDirectory)
        } catch {
            return .failure(ScriptCheckError(message: "script check command: \(error.message)"))
        }
        return .success(
            SpawnRequest(
                executable: executable, arguments: arguments.map { interpolator.interpolate($0) }, environment: environment,
                workingDirectory: workingDirectory, cgroupProcsFiles: taskCgroups[task]?.procsFiles ?? []))
    }
}

/// What an allocation runner keeps of its allocation's health.
struct RunnerHealth: Sendable {
    var watcher: HealthWatcher?
    /// The latest snapshot of the current watcher; nil without one.
    var snapshot: HealthSnapshot?
    /// The deployment the current watcher judges for.
    var deploymentID: DeploymentID?
    /// Grows with every watcher, so restarts and snapshots of a replaced one are ignored.
    var epoch: UInt64 = 0
}
