#if canImport(Glibc)
import Glibc
#endif
import ClusterModel
import Foundation
import Platform

extension AllocationRunner {
    /// Starts an oci/docker task: image and bundle, Roost's task cgroup (the container's
    /// `cgroupsPath`), then the container under its monitor (`OCIContainerMonitor`), with the
    /// bundle's output pipes as its stdio. The container's init is the task's process (signals
    /// go to it); its exit status comes from the monitor's exit file, and its cgroup's OOM
    /// counter is read before the runtime deletes it. A record of it is written so that the
    /// next agent can take it over.
    ///
    /// `cgroupCreation` is the task cgroup's creation when the caller started it already.
    func spawnContainer(_ task: String, spec: TaskSpec, cgroupCreation early: Task<Result<CgroupHandle?, TaskPreparationError>, Never>? = nil) async {
        guard let oci else {
            await perform(core.spawnFailed(
                task: task, message: "driver \"\(spec.driver)\" is not available on this node: no OCI runtime (install crun or runc)",
                now: Self.timestamp()))
            return
        }
        if let record = reattaching.removeValue(forKey: task) {
            // The container is already in its namespace: this takes the allocation's record
            // back, so the namespace is removed when the allocation ends.
            _ = await containerNetwork()
            await reattachContainer(task, spec: spec, record: record, oci: oci)
            return
        }
        let trace = String(allocation.id.uuid.prefix(8)) + "." + task
        OCIStartTrace.mark(trace, "spawn-container")
        // The task cgroup is made while the bundle is prepared (both are blocking work, on two
        // threads); whatever fails, the cleanup that follows a failed spawn removes both.
        let cgroupMade = early ?? cgroupCreation(task: task, resources: allocation.taskResources[task] ?? spec.resources)
        let prepared: Result<OCIContainer, TaskPreparationError>
        do {
            let network = try await containerNetwork().get()
            prepared = .success(try await oci.prepare(task: spec, allocation: allocation, directory: directory, settings: settings, network: network))
        } catch {
            prepared = .failure(error)
        }
        OCIStartTrace.mark(trace, "prepared")
        let cgroup = adoptCgroup(task: task, await cgroupMade.value)
        OCIStartTrace.mark(trace, "cgroup-made")
        let container: OCIContainer
        switch prepared {
        case .failure(let error):
            await perform(core.spawnFailed(task: task, message: error.message, isSetupFailure: error.isSetupFailure, now: Self.timestamp()))
            return
        case .success(let value):
            container = value
        }
        containers[task] = container
        for note in container.driverNotes { await perform(core.driverNote(task: task, message: note, now: Self.timestamp())) }
        if case .failure(let error) = cgroup {
            await perform(core.spawnFailed(task: task, message: error.message, now: Self.timestamp()))
            return
        }
        // Recorded while the runtime starts the container (the init's pid is not known yet: 0
        // means "see init.pid"), and again with it once the start is reported.
        var record = OCIContainerRecord(
            allocation: allocation, task: task, containerID: container.id, runtime: oci.runtime.kind,
            runtimeExecutable: oci.runtime.executable, bundle: container.bundle,
            cgroupName: CgroupNames.task(allocation: allocation.id.uuid, task: task), initPID: 0, monitorPID: 0)
        let early = record
        let launched = await Self.blocking {
            oci.launch(container) { monitorPID in
                var started = early
                started.monitorPID = monitorPID
                do { try started.save(); return nil } catch { return "\(error)" }
            }
        }
        OCIStartTrace.mark(trace, "launched")
        let running: OCIMonitoredContainer
        switch launched {
        case .failure(let error):
            await perform(core.spawnFailed(task: task, message: error.message, now: Self.timestamp()))
            return
        case .success(let value):
            running = value
        }
        processes[task] = running.initPID
        await perform(core.spawned(task: task, pid: running.initPID, now: Self.timestamp()))
        OCIStartTrace.mark(trace, "reported-running")
        // After the report: the monitor holds the pipes open, so nothing written meanwhile is lost.
        startPumps(task: task, spec: spec, standardOutput: running.standardOutput, standardError: running.standardError)
        record.initPID = running.initPID
        record.monitorPID = running.monitorPID
        let complete = record
        let saved: String? = await Self.blocking {
            do { try complete.save(); return nil } catch { return "\(error)" }
        }
        // (A stop that removed the bundle meanwhile makes the second save fail: nothing to say then.)
        if let saved = running.recordError ?? saved, containers[task] == container {
            OCIDriver.report("oci: cannot record container \(container.id) for reattachment after a restart (\(saved)); it runs, but a restarted agent will not find it")
        }
        let initPID = running.initPID
        exitWatchers[task] = Task { [weak self] in
            // Delivers one exit; ends as soon as the runner took it (or the runner detached).
            _ = await running.monitorExit.status
            let status = container.recordedExit() ?? ProcessExitStatus(code: 255)
            await self?.processExited(task: task, pid: initPID, status: status)
        }
    }

    /// Takes over a container a previous agent started (its record survived the restart):
    /// still running → the task runs again from this agent's view, its output pipes reopened;
    /// ended meanwhile → its recorded exit status is the task's exit; gone without a status →
    /// the task fails, saying so.
    private func reattachContainer(_ task: String, spec: TaskSpec, record: OCIContainerRecord, oci: OCIDriver) async {
        let container = record.container
        containers[task] = container
        let initPID = record.resolvedInitPID() ?? 0
        if let handle = cgroups?.existing(name: record.cgroupName) { taskCgroups[task] = handle }
        let runtime = oci.runtime
        let found: (exit: ProcessExitStatus?, status: String?, monitorAlive: Bool) = await Self.blocking {
            if let exit = container.recordedExit() { return (exit, nil, false) }
            return (nil, runtime.status(container.id), ProcessSignals.isAlive(record.monitorPID))
        }
        let running = found.status == "running" || found.status == "paused"
        guard found.exit != nil || (running && found.monitorAlive && initPID > 0), let pipes = OCIDriver.reopenPipes(container) else {
            let what = found.status.map { "\(runtime.kind.rawValue) reports it \($0)" } ?? "\(runtime.kind.rawValue) no longer knows it"
            let monitor = found.monitorAlive ? "its monitor still runs" : "its monitor is gone"
            await perform(core.spawnFailed(
                task: task,
                message: "container \(container.id) was lost while the agent was away: \(what), \(monitor), and no exit status was recorded; the task has to be started again",
                isSetupFailure: true, now: Self.timestamp()))
            return
        }
        startPumps(task: task, spec: spec, standardOutput: pipes.0, standardError: pipes.1)
        processes[task] = initPID
        await perform(core.spawned(task: task, pid: initPID, now: Self.timestamp()))
        if let exit = found.exit {
            await processExited(task: task, pid: initPID, status: exit)
            return
        }
        // The monitor is no child of this agent: its exit file is polled for.
        exitWatchers[task] = Task { [weak self] in
            while !Task.isCancelled {
                if let exit = container.recordedExit() {
                    await self?.processExited(task: task, pid: initPID, status: exit)
                    return
                }
                if !ProcessSignals.isAlive(record.monitorPID) {
                    // It may have written the file just before ending.
                    let exit = container.recordedExit() ?? ProcessExitStatus(code: 255)
                    await self?.processExited(task: task, pid: initPID, status: exit)
                    return
                }
                try? await Task.sleep(for: Self.reattachedExitPollInterval)
            }
        }
    }
}
