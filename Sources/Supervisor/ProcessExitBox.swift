import Platform
import Synchronization

/// Holds one process's exit status from the moment the reaper is told to watch it until
/// someone asks for it. It lets a runner watch a task's process right at its spawn (so the
/// housekeeping that adopts every pid of a task cgroup cannot reap it unseen) while
/// reporting the exit to the supervision core only after the start was reported.
final class ProcessExitBox: Sendable {
    private enum State {
        case waiting([CheckedContinuation<ProcessExitStatus, Never>])
        case exited(ProcessExitStatus)
    }

    private let state = Mutex(State.waiting([]))

    /// Starts watching `pid`, a process `ProcessSpawner` started (so it leads its own
    /// session), now (synchronously). The zombies its session leaves to this process (orphans
    /// that exited before the housekeeping saw them in the task's cgroup) are reaped too.
    init(watching pid: Int32) {
        ProcessReaper.shared.watch(pid, reapingOrphansOfItsSession: true) { [self] status in deliver(status) }
    }

    private func deliver(_ status: ProcessExitStatus) {
        let waiting = state.withLock { state -> [CheckedContinuation<ProcessExitStatus, Never>] in
            guard case .waiting(let list) = state else { return [] }
            state = .exited(status)
            return list
        }
        waiting.forEach { $0.resume(returning: status) }
    }

    /// The exit status, once the process has ended.
    var status: ProcessExitStatus {
        get async {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> ProcessExitStatus? in
                    switch state {
                    case .exited(let status): return status
                    case .waiting(var list):
                        list.append(continuation)
                        state = .waiting(list)
                        return nil
                    }
                }
                if let ready { continuation.resume(returning: ready) }
            }
        }
    }
}
