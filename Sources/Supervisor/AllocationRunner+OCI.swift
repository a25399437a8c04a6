#if canImport(Glibc)
import Glibc
#endif
import ClusterModel
import Foundation
import Platform

extension AllocationRunner {
    /// Starts an oci/docker task: image and bundle, Roost's task cgroup (the container's
    /// `cgroupsPath`), then `runtime create` with the task's log pipes as the container's
    /// stdio, and `runtime start`. The container's init — re-parented to the agent, a child
    /// subreaper, when `create` exits — is the task's process from then on: its exit status is
    /// the task's, and its cgroup's OOM counter is read before the runtime deletes it.
    func spawnContainer(_ task: String, spec: TaskSpec) async {
        guard let oci else {
            await perform(core.spawnFailed(
                task: task, message: "driver \"\(spec.driver)\" is not available on this node: no OCI runtime (install crun or runc)",
                now: Self.timestamp()))
            return
        }
        let container: OCIContainer
        do {
            container = try await oci.prepare(task: spec, allocation: allocation, directory: directory, settings: settings)
        } catch {
            await perform(core.spawnFailed(task: task, message: error.message, isSetupFailure: error.isSetupFailure, now: Self.timestamp()))
            return
        }
        containers[task] = container
        let resources = allocation.taskResources[task] ?? spec.resources
        if case .failure(let error) = await makeCgroup(task: task, resources: resources) {
            await perform(core.spawnFailed(task: task, message: error.message, now: Self.timestamp()))
            return
        }
        let arguments = oci.runtime.createArguments(id: container.id, bundle: container.bundle, pidFile: container.pidFile, log: container.logFile)
        let creator: OCIRuntimeProcess.Spawned
        switch OCIRuntimeProcess.spawn(oci.runtime.executable, arguments, pipes: true) {
        case .failure(let error):
            await perform(core.spawnFailed(task: task, message: error.message, now: Self.timestamp()))
            return
        case .success(let spawned):
            creator = spawned
        }
        startPumps(task: task, spec: spec, standardOutput: creator.standardOutput ?? -1, standardError: creator.standardError ?? -1)
        let created = await OCIRuntimeProcess.exit(of: creator.pid)
        let initPID = (try? String(contentsOfFile: container.pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard created.code == 0, let initPID, initPID > 0 else {
            let message = OCIDriver.runtimeMessage("", logFile: container.logFile)
            await perform(core.spawnFailed(
                task: task, message: "\(oci.runtime.kind.rawValue) could not create the container (\(created)): \(message)", now: Self.timestamp()))
            return
        }
        // Watched before `start`: the housekeeping adopts every pid of the task's cgroup, and an
        // init adopted (and reaped) before it was watched would lose its exit status.
        let exit = ProcessExitBox(watching: initPID)
        processes[task] = initPID
        if let message = await oci.start(container) {
            processes[task] = nil
            await perform(core.spawnFailed(
                task: task, message: "\(oci.runtime.kind.rawValue) could not start the container: \(message)", now: Self.timestamp()))
            return
        }
        await perform(core.spawned(task: task, pid: initPID, now: Self.timestamp()))
        Task { [weak self] in
            // Delivers one exit; ends as soon as the runner took it.
            let status = await exit.status
            await self?.processExited(task: task, pid: initPID, status: status)
        }
    }
}
